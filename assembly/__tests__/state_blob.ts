// Saved-state blobs written from docs/abi.md section 2 ("Saved state"), independently of
// core/state.ts, for the specs to build the blobs they need (a section no module has yet,
// one missing as in the blobs of modules that had fewer sections, the single-block formats
// of before) and to break them one field at a time.

export const MAGIC: u32 = 0x54535657;
export const FORMAT: u32 = 3;
export const HEADER: usize = 24;
export const RECORD: usize = 24;
// Header fields.
export const H_FORMAT: usize = 4;
export const H_LENGTH: usize = 8;
export const H_CHECKSUM: usize = 12;
export const H_COUNT: usize = 16;
export const H_RESERVED: usize = 20;
// Section record fields.
export const R_ID: usize = 0;
export const R_VERSION: usize = 4;
export const R_OFFSET: usize = 8;
export const R_LENGTH: usize = 12;
export const R_CHECKSUM: usize = 16;
export const R_RESERVED: usize = 20;

export const ID_CORE: u32 = 1;
export const ID_VGIC: u32 = 2;
export const ID_VIRTIO: u32 = 3;
/** The last ID a state version has a byte for: a section no module has (yet). */
export const ID_LAST: u32 = 4;

/** The single-block formats' checksum: FNV-1a 32-bit over bytes. */
export function fnv(p: usize, n: usize): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i: usize = 0; i < n; i++) h = (h ^ <u32>load<u8>(p + i)) * 0x01000193;
  return h;
}

/** Format 3's checksum (docs/abi.md 2): FNV-1a 64-bit steps over LE words, then bytes; folded. */
export function sum3(p: usize, n: usize): u32 {
  let h: u64 = 0xcbf29ce484222325;
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) h = (h ^ load<u64>(p + i)) * 0x100000001b3;
  for (; i < n; i++) h = (h ^ <u64>load<u8>(p + i)) * 0x100000001b3;
  return <u32>h ^ <u32>(h >> 32);
}

@inline function align8(n: usize): usize { return (n + 7) & ~<usize>7; }

const partIds: u32[] = [];
const partVersions: u32[] = [];
const partSrc: usize[] = [];
const partLen: usize[] = [];

/** Start a new list of sections. */
export function blobBegin(): void {
  partIds.length = 0;
  partVersions.length = 0;
  partSrc.length = 0;
  partLen.length = 0;
}

/** Add section `id` of layout `version`: `len` bytes copied from `src`. */
export function blobPart(id: u32, version: u32, src: usize, len: usize): void {
  partIds.push(id);
  partVersions.push(version);
  partSrc.push(src);
  partLen.push(len);
}

/** Write the sections listed since blobBegin as a format 3 blob at `dst`: its length. */
export function blobWrite(dst: usize): usize {
  const n = partIds.length;
  let end = HEADER + <usize>n * RECORD;
  memory.fill(dst, 0, end);
  for (let k = 0; k < n; k++) {
    const off = align8(end);
    memory.fill(dst + end, 0, off - end);
    memory.copy(dst + off, partSrc[k], partLen[k]);
    const r = dst + HEADER + <usize>k * RECORD;
    store<u32>(r + R_ID, partIds[k]);
    store<u32>(r + R_VERSION, partVersions[k]);
    store<u32>(r + R_OFFSET, <u32>off);
    store<u32>(r + R_LENGTH, <u32>partLen[k]);
    end = off + partLen[k];
  }
  store<u32>(dst, MAGIC);
  store<u32>(dst + H_FORMAT, FORMAT);
  store<u32>(dst + H_LENGTH, <u32>end);
  store<u32>(dst + H_COUNT, <u32>n);
  reseal(dst);
  return end;
}

/** Recompute every checksum of the format 3 blob at `dst` from its table as it stands. */
export function reseal(dst: usize): void {
  const n = <usize>load<u32>(dst + H_COUNT);
  for (let k: usize = 0; k < n && k < 8; k++) {
    const r = dst + HEADER + k * RECORD;
    store<u32>(r + R_CHECKSUM, sum3(dst + <usize>load<u32>(r + R_OFFSET), <usize>load<u32>(r + R_LENGTH)));
  }
  resealHeader(dst);
}

/** Recompute only the header's checksum (of the count, the reserved word and the table). */
export function resealHeader(dst: usize): void {
  let n = <usize>load<u32>(dst + H_COUNT);
  if (n > 8) n = 8;
  store<u32>(dst + H_CHECKSUM, sum3(dst + 16, HEADER + n * RECORD - 16));
}

/** The single-block format of before sections: header version `version` (1 or 2), then the core block. */
export function blobSingle(dst: usize, version: u32, core: usize, len: usize): usize {
  store<u32>(dst, MAGIC);
  store<u32>(dst + 4, version);
  store<u32>(dst + 8, <u32>(<usize>16 + len));
  memory.copy(dst + 16, core, len);
  store<u32>(dst + 12, fnv(dst + 16, len));
  return 16 + len;
}

/** Record `k` of the section table of the blob at `b`. */
export function recordAt(b: usize, k: u32): usize {
  return b + HEADER + <usize>k * RECORD;
}

/** The bytes of section `k` of the blob at `b`. */
export function sectionAt(b: usize, k: u32): usize {
  return b + <usize>load<u32>(recordAt(b, k) + R_OFFSET);
}

/** A state version: byte n is section n + 1's layout version (0: the blob has no such section). */
export function stateVersionOf(core: u32, vgic: u32, virtio: u32 = 0, fourth: u32 = 0): u32 {
  return core | (vgic << 8) | (virtio << 16) | (fourth << 24);
}
