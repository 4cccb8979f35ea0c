// Saved state for live update (wv_state_size / wv_save / wv_restore, docs/abi.md 2).
//
// Format, version 2:
//   0   u32 magic     0x54535657 ("WVST")
//   4   u32 version   STATE_LAYOUT_VERSION
//   8   u32 length    bytes of the whole blob, header included
//   12  u32 checksum  FNV-1a (32-bit) of the payload
//   16  payload       the state block of core/layout.ts, STATE_SIZE bytes
// wv_restore checks all of it, and that every count and index in the payload is in
// range, before it touches the live state: a bad blob is refused, never trapped on.
// It also restores version 1, whose payload is the block up to the PL011 receive
// FIFOs (STATE_SIZE_V1 bytes): the FIFOs then start empty.

import { STATE, STATE_SIZE, STATE_LAYOUT_VERSION, VM_STATE, VM_VCPU_COUNT, VM_REGION_COUNT,
  VM_DEVICE_COUNT, VM_IPA_BITS, VM_NAME, VM_NAME_LEN, VM_NAME_SIZE, MAX_VCPUS, MAX_REGIONS,
  MAX_DEVICES, MMIO_COUNT, MMIO_ENTRIES, MMIO_RECORD, MMIO_KIND, MMIO_BASE, MMIO_LIMIT,
  CONSOLE_LEN, CONSOLE_LINE_MAX, HCWARN_COUNT, HCWARN_MAX, S2_TABLE_COUNT, S2_TABLES,
  S2_RECORD, S2_REC_INDEX, S2_REC_PARENT, S2_REC_CHILD, S2_MAX_CHILD_TABLES, S2_ROOT, VM_INDEX, VM_TYPE,
  VM_VCPU_ON, MAX_VMS, STATE_SIZE_V1, PL011_RX_OFF, PL011_RX_RECORD } from "./layout";
import { VM_EMPTY, VM_STOPPED } from "./vm";
import { cfgNameLength } from "./config";
import { mmioKnownKind } from "../devices/mmio";
import { rxRecordValid } from "../devices/pl011_rx";
import { S2_MIN_IPA_BITS, S2_MAX_IPA_BITS } from "../arch/stage2";

export const STATE_MAGIC: u32 = 0x54535657;  // "WVST"
export const STATE_H_MAGIC: usize = 0;
export const STATE_H_VERSION: usize = 4;
export const STATE_H_LENGTH: usize = 8;
export const STATE_H_CHECKSUM: usize = 12;
export const STATE_HEADER_SIZE: usize = 16;
export const STATE_BLOB_SIZE: usize = STATE_HEADER_SIZE + STATE_SIZE;

export const STATE_ERR_RANGE: i32 = -201;     // buffer outside Wasm memory
export const STATE_ERR_SPACE: i32 = -202;     // buffer too small / blob truncated
export const STATE_ERR_MAGIC: i32 = -203;
export const STATE_ERR_VERSION: i32 = -204;   // a version this module cannot restore
export const STATE_ERR_LENGTH: i32 = -205;    // header length disagrees with the blob
export const STATE_ERR_CHECKSUM: i32 = -206;
export const STATE_ERR_CONTENT: i32 = -207;   // a count or index out of range
export const STATE_ERR_BUSY: i32 = -208;      // this instance already runs a VM

/** The first layout version, still restored (its payload is STATE_SIZE_V1 bytes). */
export const STATE_VERSION_1: u32 = 1;

/** Table handles the runtime gives a VM: 0..511 (WV_MAX_S2_TABLES). */
const S2_HANDLES: u32 = S2_MAX_CHILD_TABLES + 1;
/** The last VM type (2, rtvm: core/config.ts). */
const VM_TYPE_LAST: u32 = 2;

const FNV_OFFSET: u32 = 0x811c9dc5;
const FNV_PRIME: u32 = 0x01000193;
const WASM_PAGE_SHIFT: i32 = 16;

export function checksum(p: usize, len: usize): u32 {
  let h = FNV_OFFSET;
  for (let i: usize = 0; i < len; i++) h = (h ^ <u32>load<u8>(p + i)) * FNV_PRIME;
  return h;
}

function inMemory(p: usize, len: usize): bool {
  const end = <u64>memory.size() << WASM_PAGE_SHIFT;
  return p != 0 && <u64>p + <u64>len <= end;
}

export function stateSize(): i32 {
  return <i32>STATE_BLOB_SIZE;
}

/** Serialise the state into `cap` bytes at `dst`: bytes written or a negative error. */
export function stateSave(dst: usize, cap: usize): i32 {
  if (cap < STATE_BLOB_SIZE) return STATE_ERR_SPACE;
  if (!inMemory(dst, STATE_BLOB_SIZE)) return STATE_ERR_RANGE;
  memory.copy(dst + STATE_HEADER_SIZE, STATE, STATE_SIZE);
  store<u32>(dst + STATE_H_MAGIC, STATE_MAGIC);
  store<u32>(dst + STATE_H_VERSION, STATE_LAYOUT_VERSION);
  store<u32>(dst + STATE_H_LENGTH, <u32>STATE_BLOB_SIZE);
  store<u32>(dst + STATE_H_CHECKSUM, checksum(dst + STATE_HEADER_SIZE, STATE_SIZE));
  return <i32>STATE_BLOB_SIZE;
}

/** Payload bytes of a saved state of `version`; 0 for a version this module cannot restore. */
export function statePayloadSize(version: u32): usize {
  if (version == STATE_LAYOUT_VERSION) return STATE_SIZE;
  if (version == STATE_VERSION_1) return STATE_SIZE_V1;
  return 0;
}

/** Every count and index of a payload of `version` at `p` is within its limits. */
function contentValid(p: usize, version: u32): bool {
  const state = load<u32>(p + VM_STATE);
  if (state > VM_STOPPED) return false;
  const vcpus = load<u32>(p + VM_VCPU_COUNT);
  const regions = load<u32>(p + VM_REGION_COUNT);
  if (vcpus > MAX_VCPUS || regions > MAX_REGIONS || load<u32>(p + VM_DEVICE_COUNT) > MAX_DEVICES) return false;
  const nameLen = load<u32>(p + VM_NAME_LEN);
  if (nameLen >= VM_NAME_SIZE) return false;
  if (state != VM_EMPTY) {
    if (vcpus == 0 || regions == 0) return false;
    if (load<u32>(p + VM_INDEX) >= MAX_VMS || load<u32>(p + VM_TYPE) > VM_TYPE_LAST) return false;
    if ((load<u32>(p + VM_VCPU_ON) >> vcpus) != 0) return false;   // only vCPUs it has
    const root = load<i32>(p + S2_ROOT);
    if (root < 0 || <u32>root >= S2_HANDLES) return false;
    if (<i32>nameLen != cfgNameLength(p + VM_NAME)) return false;
    const bits = load<u32>(p + VM_IPA_BITS);
    if (bits < S2_MIN_IPA_BITS || bits > S2_MAX_IPA_BITS) return false;
  }
  const devices = load<u32>(p + MMIO_COUNT);
  if (devices > MAX_DEVICES) return false;
  for (let i: u32 = 0; i < devices; i++) {
    const e = p + MMIO_ENTRIES + <usize>i * MMIO_RECORD;
    const base = load<u64>(e + MMIO_BASE), size = load<u64>(e + MMIO_LIMIT);
    if (!mmioKnownKind(load<u32>(e + MMIO_KIND)) || size == 0 || base + size < base) return false;
  }
  if (load<u32>(p + CONSOLE_LEN) >= CONSOLE_LINE_MAX) return false;
  if (load<u32>(p + HCWARN_COUNT) > HCWARN_MAX + 1) return false;
  const tables = load<u32>(p + S2_TABLE_COUNT);
  if (tables > S2_MAX_CHILD_TABLES) return false;
  for (let i: u32 = 0; i < tables; i++) {
    const r = p + S2_TABLES + <usize>i * S2_RECORD;
    if (load<u32>(r + S2_REC_INDEX) > 511) return false;
    // Handles name the runtime's table pages: 0..S2_HANDLES-1 (runtime-c/include/wv_vm.h).
    if (<u32>load<i32>(r + S2_REC_PARENT) >= S2_HANDLES || <u32>load<i32>(r + S2_REC_CHILD) >= S2_HANDLES) return false;
  }
  if (version == STATE_VERSION_1) return true;   // no receive FIFOs yet
  for (let i: u32 = 0; i < MAX_DEVICES; i++) {
    if (!rxRecordValid(p + PL011_RX_OFF + <usize>i * PL011_RX_RECORD)) return false;
  }
  return true;
}

/** Check a saved-state blob of `len` bytes at `src` claimed to be `version`: 0 or a negative error. */
export function stateCheck(src: usize, len: usize, version: u32): i32 {
  if (len < STATE_HEADER_SIZE) return STATE_ERR_SPACE;
  if (!inMemory(src, len)) return STATE_ERR_RANGE;
  if (load<u32>(src + STATE_H_MAGIC) != STATE_MAGIC) return STATE_ERR_MAGIC;
  const v = load<u32>(src + STATE_H_VERSION);
  const size = statePayloadSize(v);
  if (v != version || size == 0) return STATE_ERR_VERSION;
  const length = <usize>load<u32>(src + STATE_H_LENGTH);
  if (length != STATE_HEADER_SIZE + size) return STATE_ERR_LENGTH;
  if (len < length) return STATE_ERR_SPACE;
  if (checksum(src + STATE_HEADER_SIZE, size) != load<u32>(src + STATE_H_CHECKSUM)) return STATE_ERR_CHECKSUM;
  if (!contentValid(src + STATE_HEADER_SIZE, v)) return STATE_ERR_CONTENT;
  return 0;
}

/** Restore from a blob of `version`: 0 or a negative error (the live state is untouched on error). */
export function stateRestore(src: usize, len: usize, version: u32): i32 {
  if (load<u32>(STATE + VM_STATE) != VM_EMPTY) return STATE_ERR_BUSY;
  const rc = stateCheck(src, len, version);
  if (rc != 0) return rc;
  const size = statePayloadSize(version);
  memory.copy(STATE, src + STATE_HEADER_SIZE, size);
  // What an older version did not have starts at reset (version 1: empty receive FIFOs).
  if (size < STATE_SIZE) memory.fill(STATE + size, 0, STATE_SIZE - size);
  return 0;
}
