// Saved state for live update (docs/abi.md section 2, "Saved state"): wv_state_size,
// wv_save, wv_save_as, wv_state_restorable, wv_restore, wv_self_check, wv_state_buffer.
//
// A blob holds every section of core/state_sections.ts in the format of
// core/state_format.ts. wv_restore reads the framing, converts each section from the
// layout it was saved in to this module's into a stage, checks every staged section (each
// against the staged core: the VM), and only then copies them in, builds the sections
// the blob lacks from a reset, and rebuilds what is derived. A bad blob is refused with a
// negative error and the live state is untouched; nothing in a blob can make it trap.

import { STATE, VM_STATE } from "./layout";
import { VM_EMPTY } from "./vm";
import { sectionCount, sectionId, sectionVersion, sectionBlock, sectionStage, sectionSizeIn, sectionConvert,
  sectionCheck, sectionOptional, sectionStartAbsent, sectionRebuild, versionIn, stateVersionNow } from "./state_sections";
import { STATE_MAGIC, STATE_FORMAT, STATE_H_MAGIC, STATE_H_VERSION, STATE_H_LENGTH, STATE_H_CHECKSUM, STATE_H_COUNT,
  STATE_HEADER_SIZE, STATE_TABLE, SECTION_RECORD, S_ID, S_VERSION, S_OFFSET, S_LENGTH, S_CHECKSUM, STATE_ERR_RANGE,
  STATE_ERR_SPACE, STATE_ERR_VERSION, STATE_ERR_CONTENT, STATE_ERR_BUSY, STATE_ERR_TABLE, checksum3, inMemory,
  alignSection, blobParse, foundAt, foundVersion, foundStateVersion } from "./state_format";
import { stateStaged, stateSetStaged } from "./state_staged";

export { STATE_ERR_RANGE, STATE_ERR_SPACE, STATE_ERR_MAGIC, STATE_ERR_VERSION, STATE_ERR_LENGTH, STATE_ERR_CHECKSUM,
  STATE_ERR_CONTENT, STATE_ERR_BUSY, STATE_ERR_TABLE } from "./state_format";

/** The scratch buffer of wv_state_buffer: room for any blob this module reads or writes. */
export const STATE_BUFFER_CAP: usize = 32768;
const STATE_BUFFER: usize = memory.data(<i32>STATE_BUFFER_CAP, 16);

/** wv_state_buffer: the scratch buffer when it holds `size` bytes, else 0. */
export function stateBuffer(size: i32): usize {
  return size > 0 && <usize>size <= STATE_BUFFER_CAP ? STATE_BUFFER : 0;
}

/** wv_state_version: the state version wv_save writes (every section's layout version). */
export function stateVersion(): u32 {
  return stateVersionNow();
}

/**
 * Bytes of a blob of state `version` this module can write: each of its sections in that
 * version's layout, its own or an older one it still knows; 0 if it cannot (a section the
 * version lacks or that this module does not have, a layout it does not know).
 */
export function blobSizeFor(version: u32): usize {
  const n = sectionCount();
  if (n < 1) return 0;
  let covered: u32 = 0;
  let end = STATE_TABLE + <usize>n * SECTION_RECORD;
  for (let i = 0; i < n; i++) {
    const id = sectionId(i);
    const size = sectionSizeIn(i, versionIn(version, id));
    if (size == 0) return 0;
    end = alignSection(end) + size;
    covered |= <u32>0xff << ((id - 1) << 3);
  }
  return (version & ~covered) != 0 ? 0 : end;
}

/** wv_state_size: bytes of wv_save's blob. */
export function stateSize(): i32 {
  return <i32>blobSizeFor(stateVersionNow());
}

/** wv_save: the state in this module's own version; bytes written or a negative error. */
export function stateSave(dst: usize, cap: usize): i32 {
  return stateSaveAs(dst, cap, stateVersionNow());
}

/**
 * wv_save_as: the state in state version `version` (this module's own or an older one it
 * can convert to); bytes written, or STATE_ERR_VERSION, STATE_ERR_SPACE, STATE_ERR_RANGE.
 */
export function stateSaveAs(dst: usize, cap: usize, version: u32): i32 {
  const size = blobSizeFor(version);
  if (size == 0) return STATE_ERR_VERSION;
  if (cap < size) return STATE_ERR_SPACE;
  if (!inMemory(dst, size)) return STATE_ERR_RANGE;
  const n = sectionCount();
  memory.fill(dst, 0, STATE_TABLE + <usize>n * SECTION_RECORD);
  let end = STATE_TABLE + <usize>n * SECTION_RECORD;
  for (let i = 0; i < n; i++) {
    const to = versionIn(version, sectionId(i));
    const bytes = sectionSizeIn(i, to);
    const offset = alignSection(end);
    memory.fill(dst + end, 0, offset - end);
    if (!sectionConvert(i, sectionBlock(i), sectionVersion(i), dst + offset, to)) return STATE_ERR_VERSION;
    const r = dst + STATE_TABLE + <usize>i * SECTION_RECORD;
    store<u32>(r + S_ID, sectionId(i));
    store<u32>(r + S_VERSION, to);
    store<u32>(r + S_OFFSET, <u32>offset);
    store<u32>(r + S_LENGTH, <u32>bytes);
    store<u32>(r + S_CHECKSUM, checksum3(dst + offset, bytes));
    end = offset + bytes;
  }
  store<u32>(dst + STATE_H_MAGIC, STATE_MAGIC);
  store<u32>(dst + STATE_H_VERSION, STATE_FORMAT);
  store<u32>(dst + STATE_H_LENGTH, <u32>size);
  store<u32>(dst + STATE_H_COUNT, <u32>n);
  store<u32>(dst + STATE_H_CHECKSUM, checksum3(dst + STATE_HEADER_SIZE, STATE_TABLE + <usize>n * SECTION_RECORD - STATE_HEADER_SIZE));
  return <i32>size;
}

/**
 * wv_state_restorable: does wv_restore accept a blob of state `version`? Every section it
 * names must be one this module has, in a layout it reads; a section it lacks must be one
 * that can start from a reset (never the core).
 */
export function stateRestorable(version: u32): bool {
  const n = sectionCount();
  if (n < 1) return false;
  let covered: u32 = 0;
  for (let i = 0; i < n; i++) {
    const id = sectionId(i);
    const v = versionIn(version, id);
    covered |= <u32>0xff << ((id - 1) << 3);
    if (v == 0 ? !sectionOptional(i) : sectionSizeIn(i, v) == 0) return false;
  }
  return (version & ~covered) == 0;
}

/**
 * Check a blob of `len` bytes at `src` claimed to be state `version`, converting its
 * sections into their stages: 0 or a negative error. The live state is not touched.
 */
export function stateCheck(src: usize, len: usize, version: u32): i32 {
  const rc = blobParse(src, len);
  if (rc != 0) return rc;
  if (foundStateVersion() != version) return STATE_ERR_VERSION;
  const n = sectionCount();
  const core = sectionStage(0);
  for (let i = 0; i < n; i++) {
    const at = foundAt(i);
    if (at == 0) continue;
    if (!sectionConvert(i, at, foundVersion(i), sectionStage(i), sectionVersion(i))) return STATE_ERR_CONTENT;
    if (!sectionCheck(i, sectionStage(i), core)) return STATE_ERR_CONTENT;
  }
  return 0;
}

/**
 * wv_restore: the state of a blob of `version` becomes this instance's: 0 or a negative
 * error (the live state untouched). Allowed on an instance without a VM, or on one whose
 * state came from wv_restore with nothing run since (staged: core/state_staged.ts).
 */
export function stateRestore(src: usize, len: usize, version: u32): i32 {
  if (load<u32>(STATE + VM_STATE) != VM_EMPTY && !stateStaged()) return STATE_ERR_BUSY;
  const rc = stateCheck(src, len, version);
  if (rc != 0) return rc;
  const n = sectionCount();
  for (let i = 0; i < n; i++) {
    if (foundAt(i) != 0) memory.copy(sectionBlock(i), sectionStage(i), sectionSizeIn(i, sectionVersion(i)));
    else sectionStartAbsent(i);
  }
  for (let i = 0; i < n; i++) sectionRebuild(i);
  stateSetStaged(true);
  return 0;
}

/** wv_self_check: the live state passes every section's check: 0, or STATE_ERR_CONTENT. */
export function stateSelfCheck(): i32 {
  const n = sectionCount();
  if (n < 1) return STATE_ERR_TABLE;
  for (let i = 0; i < n; i++) {
    if (!sectionCheck(i, sectionBlock(i), STATE)) return STATE_ERR_CONTENT;
  }
  return 0;
}
