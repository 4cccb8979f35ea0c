// The saved-state blob (docs/abi.md section 2, "Saved state"): its format, and the
// reading of one into where each section is (blobParse). core/state.ts writes blobs and
// restores from them; core/state_sections.ts lists the sections.
//
// Format 3:
//   header (24 bytes)
//     0   u32 magic     0x54535657 ("WVST")
//     4   u32 format    3
//     8   u32 length    bytes of the whole blob
//     12  u32 checksum  FNV-1a (32-bit) of bytes 16 up to the end of the section table
//     16  u32 count     sections, 1..SECTION_ID_MAX
//     20  u32 reserved  0
//   section table at 24, `count` records of 24 bytes:
//     0 u32 id   4 u32 version (the section's layout)   8 u32 offset (from the blob's start)
//     12 u32 length   16 u32 checksum (FNV-1a of the section's bytes)   20 u32 reserved 0
//   the sections, in table order, each at the next 8-byte boundary after the table or the
//   section before it (padding bytes zero); the blob ends where the last section ends.
// Formats 1 and 2, written before sections existed and still read: a 16-byte header
// (magic, version = the core layout 1 or 2, length, FNV-1a of the payload) and the core
// block of that layout; the blob has no other section.
//
// blobParse checks all of the framing and refuses with a specific error; the contents of
// each section are checked later, after conversion (core/state.ts).

import { SECTION_CORE, SECTION_ID_MAX, sectionCount, sectionIndex, sectionSizeIn, sectionOptional } from "./state_sections";

export const STATE_MAGIC: u32 = 0x54535657;  // "WVST"
/** The format wv_save writes. */
export const STATE_FORMAT: u32 = 3;
/** The single-block formats: their version is the core layout's. */
const FORMAT_SINGLE_FIRST: u32 = 1;
const FORMAT_SINGLE_LAST: u32 = 2;

export const STATE_H_MAGIC: usize = 0;
export const STATE_H_VERSION: usize = 4;     // the format (1 and 2: the core layout)
export const STATE_H_LENGTH: usize = 8;
export const STATE_H_CHECKSUM: usize = 12;
/** The header of formats 1 and 2, and the part of format 3's every format shares. */
export const STATE_HEADER_SIZE: usize = 16;
export const STATE_H_COUNT: usize = 16;
export const STATE_H_RESERVED: usize = 20;
export const STATE_TABLE: usize = 24;
export const SECTION_RECORD: usize = 24;
export const S_ID: usize = 0;
export const S_VERSION: usize = 4;
export const S_OFFSET: usize = 8;
export const S_LENGTH: usize = 12;
export const S_CHECKSUM: usize = 16;
export const S_RESERVED: usize = 20;
/** Sections start on this boundary. */
export const SECTION_ALIGN: usize = 8;

export const STATE_ERR_RANGE: i32 = -201;     // buffer outside Wasm memory
export const STATE_ERR_SPACE: i32 = -202;     // buffer too small / blob truncated
export const STATE_ERR_MAGIC: i32 = -203;
export const STATE_ERR_VERSION: i32 = -204;   // a format, section or version this module cannot read (or write)
export const STATE_ERR_LENGTH: i32 = -205;    // a length disagrees with the blob or the layout
export const STATE_ERR_CHECKSUM: i32 = -206;
export const STATE_ERR_CONTENT: i32 = -207;   // a count or index out of range, sections that disagree
export const STATE_ERR_BUSY: i32 = -208;      // this instance already runs a VM (and is not staged)
export const STATE_ERR_TABLE: i32 = -209;     // a malformed section table (count, ID, offset, padding, no core)

const FNV_OFFSET: u32 = 0x811c9dc5;
const FNV_PRIME: u32 = 0x01000193;
const WASM_PAGE_SHIFT: i32 = 16;
const VERSION_BYTE_MAX: u32 = 0xff;

/** The single-block formats' checksum (versions 1 and 2): FNV-1a, 32-bit, byte by byte. */
export function checksum(p: usize, len: usize): u32 {
  let h = FNV_OFFSET;
  for (let i: usize = 0; i < len; i++) h = (h ^ <u32>load<u8>(p + i)) * FNV_PRIME;
  return h;
}

const FNV64_OFFSET: u64 = 0xcbf29ce484222325;
const FNV64_PRIME: u64 = 0x100000001b3;

/**
 * Format 3's checksum: FNV-1a's step taken a little-endian 64-bit word at a time (bytes
 * past the last whole word one at a time), folded to 32 bits. A live update checksums
 * every section twice inside a VM's pause, and a byte at a time costs eight times the
 * interpreted steps for no better detection of a damaged or truncated blob.
 */
export function checksum3(p: usize, len: usize): u32 {
  let h = FNV64_OFFSET;
  const words = len & ~(<usize>7);
  for (let i: usize = 0; i < words; i += 8) h = (h ^ load<u64>(p + i)) * FNV64_PRIME;
  for (let i = words; i < len; i++) h = (h ^ <u64>load<u8>(p + i)) * FNV64_PRIME;
  return <u32>(h ^ (h >> 32));
}

export function inMemory(p: usize, len: usize): bool {
  const end = <u64>memory.size() << WASM_PAGE_SHIFT;
  return p != 0 && <u64>p + <u64>len <= end;
}

@inline export function alignSection(n: usize): usize {
  return (n + SECTION_ALIGN - 1) & ~(SECTION_ALIGN - 1);
}

// ---- what blobParse found, by registry index: a scratch area (u64 where, u32 version) ----

const FOUND_RECORD: usize = 16;
/** The scratch blobParse writes (the only static memory besides the stages a restore check writes). */
export const PARSE_SCRATCH_SIZE: usize = FOUND_RECORD * <usize>SECTION_ID_MAX;
export const PARSE_SCRATCH: usize = memory.data(<i32>PARSE_SCRATCH_SIZE, 8);
let foundState: u32 = 0;

/** Where the parsed blob holds section `i` (registry index), 0 when it has none. */
@inline export function foundAt(i: i32): usize { return <usize>load<u64>(PARSE_SCRATCH + <usize>i * FOUND_RECORD); }
/** The layout version of section `i` in the parsed blob. */
@inline export function foundVersion(i: i32): u32 { return load<u32>(PARSE_SCRATCH + <usize>i * FOUND_RECORD + 8); }
/** The state version of the parsed blob (core/state_sections.ts): every section's version. */
@inline export function foundStateVersion(): u32 { return foundState; }

function found(i: i32, at: usize, version: u32, id: u32): void {
  store<u64>(PARSE_SCRATCH + <usize>i * FOUND_RECORD, <u64>at);
  store<u32>(PARSE_SCRATCH + <usize>i * FOUND_RECORD + 8, version);
  foundState |= version << ((id - 1) << 3);
}

/**
 * Read the framing of the blob of `len` bytes at `src`: 0, with foundAt/foundVersion set
 * for each section, or the first error that applies (nothing is checked of the sections'
 * contents yet).
 */
export function blobParse(src: usize, len: usize): i32 {
  const n = sectionCount();
  if (n < 1) return STATE_ERR_TABLE;
  memory.fill(PARSE_SCRATCH, 0, PARSE_SCRATCH_SIZE);
  foundState = 0;
  if (len < STATE_HEADER_SIZE) return STATE_ERR_SPACE;
  if (!inMemory(src, len)) return STATE_ERR_RANGE;
  if (load<u32>(src + STATE_H_MAGIC) != STATE_MAGIC) return STATE_ERR_MAGIC;
  const format = load<u32>(src + STATE_H_VERSION);
  let rc = STATE_ERR_VERSION;
  if (format == STATE_FORMAT) rc = parseSections(src, len);
  else if (format >= FORMAT_SINGLE_FIRST && format <= FORMAT_SINGLE_LAST) rc = parseSingleBlock(src, len, format);
  if (rc != 0) return rc;
  for (let i = 0; i < n; i++) if (foundAt(i) == 0 && !sectionOptional(i)) return STATE_ERR_TABLE;
  return 0;
}

/** Formats 1 and 2: the core block of layout `version` after a 16-byte header. */
function parseSingleBlock(src: usize, len: usize, version: u32): i32 {
  const size = sectionSizeIn(0, version);   // the core is registry index 0
  if (size == 0) return STATE_ERR_VERSION;
  const length = <usize>load<u32>(src + STATE_H_LENGTH);
  if (length != STATE_HEADER_SIZE + size) return STATE_ERR_LENGTH;
  if (len < length) return STATE_ERR_SPACE;
  if (checksum(src + STATE_HEADER_SIZE, size) != load<u32>(src + STATE_H_CHECKSUM)) return STATE_ERR_CHECKSUM;
  found(0, src + STATE_HEADER_SIZE, version, SECTION_CORE);
  return 0;
}

@inline function rec(src: usize, k: u32): usize {
  return src + STATE_TABLE + <usize>k * SECTION_RECORD;
}

/** Format 3: the header, the section table's framing, then what each section is. */
function parseSections(src: usize, len: usize): i32 {
  if (len < STATE_TABLE) return STATE_ERR_SPACE;
  const length = <usize>load<u32>(src + STATE_H_LENGTH);
  const count = load<u32>(src + STATE_H_COUNT);
  if (count == 0 || count > SECTION_ID_MAX) return STATE_ERR_TABLE;
  const tableEnd = STATE_TABLE + <usize>count * SECTION_RECORD;
  if (length < tableEnd) return STATE_ERR_LENGTH;
  if (len < length) return STATE_ERR_SPACE;
  if (checksum3(src + STATE_HEADER_SIZE, tableEnd - STATE_HEADER_SIZE) != load<u32>(src + STATE_H_CHECKSUM)) {
    return STATE_ERR_CHECKSUM;
  }
  if (load<u32>(src + STATE_H_RESERVED) != 0) return STATE_ERR_TABLE;
  // Framing: IDs once each, sections in order and contiguous, padding zero, nothing after.
  let end = tableEnd;
  let seen: u32 = 0;
  for (let k: u32 = 0; k < count; k++) {
    const r = rec(src, k);
    const id = load<u32>(r + S_ID);
    if (id < 1 || id > SECTION_ID_MAX || (seen & (1 << id)) != 0 || load<u32>(r + S_RESERVED) != 0) return STATE_ERR_TABLE;
    seen |= 1 << id;
    const offset = <usize>load<u32>(r + S_OFFSET);
    if (offset != alignSection(end)) return STATE_ERR_TABLE;
    if (<u64>offset + <u64>load<u32>(r + S_LENGTH) > <u64>length) return STATE_ERR_LENGTH;
    for (let a = end; a < offset; a++) if (load<u8>(src + a) != 0) return STATE_ERR_TABLE;
    end = offset + <usize>load<u32>(r + S_LENGTH);
  }
  if (end != length) return STATE_ERR_LENGTH;
  // What each section is: one this module has, in a layout it reads, of that layout's size.
  for (let k: u32 = 0; k < count; k++) {
    const r = rec(src, k);
    const i = sectionIndex(load<u32>(r + S_ID));
    const version = load<u32>(r + S_VERSION);
    if (i < 0 || version > VERSION_BYTE_MAX) return STATE_ERR_VERSION;
    const size = sectionSizeIn(i, version);
    if (size == 0) return STATE_ERR_VERSION;
    if (<usize>load<u32>(r + S_LENGTH) != size) return STATE_ERR_LENGTH;
    found(i, src + <usize>load<u32>(r + S_OFFSET), version, load<u32>(r + S_ID));
  }
  for (let k: u32 = 0; k < count; k++) {
    const r = rec(src, k);
    const p = src + <usize>load<u32>(r + S_OFFSET);
    if (checksum3(p, <usize>load<u32>(r + S_LENGTH)) != load<u32>(r + S_CHECKSUM)) return STATE_ERR_CHECKSUM;
  }
  return 0;
}
