// Stage-2 translation tables of the VM, built through the s2_table_new and
// s2_set_entry imports (the runtime owns the table pages and checks every entry).
//
// Geometry (ARM ARM, VMSAv8-64 translation with the 4KB granule): the walk starts at
// level 1 for every IPA size the core uses (32..39 bits, VTCR_EL2.SL0 = 1, set by
// the runtime's s2_activate). A level-1 entry maps 1 GiB, level 2 2 MiB, level 3 4 KiB.
// A range is mapped with the largest block whose IPA, PA and size are all aligned.
//
// Bookkeeping of which table handle is the next-level table behind which entry
// lives in the state block (core/layout.ts, S2_*), so it survives a live update.

import { wv_s2_table_new, wv_s2_set_entry, wv_s2_activate, WV_EINVAL, WV_ENOMEM } from "../abi/imports";
import { STATE, S2_ROOT, S2_TABLE_COUNT, S2_TABLES, S2_REC_PARENT, S2_REC_INDEX, S2_REC_CHILD,
  S2_RECORD, S2_MAX_CHILD_TABLES } from "../core/layout";

export const S2_START_LEVEL: i32 = 1;
export const S2_LAST_LEVEL: i32 = 3;
export const S2_MIN_IPA_BITS: u32 = 32;
/** With a level-1 start and one 512-entry root table, 39 bits is the largest IPA space. */
export const S2_MAX_IPA_BITS: u32 = 39;
const ENTRIES_PER_TABLE: u64 = 512;
const PAGE_SHIFT: u64 = 12;
const BITS_PER_LEVEL: u64 = 9;

// ---- Descriptor fields (ARM ARM D8.3 "Translation table descriptor formats") ----
/** bits[1:0] = 0b01: block descriptor (levels 1 and 2). */
export const DESC_BLOCK: u64 = 0b01;
/** bits[1:0] = 0b11: table descriptor at levels 0..2, page descriptor at level 3. */
export const DESC_TABLE: u64 = 0b11;
export const DESC_PAGE: u64 = 0b11;
/** Output address, bits [47:12] (48-bit OA, 4KB granule). */
export const DESC_OA_MASK: u64 = 0x0000fffffffff000;

// Stage-2 block and page attributes (ARM ARM D8.3 descriptor formats, D8.5 stage 2
// memory region attributes: MemAttr, S2AP, SH, AF, XN):
/** MemAttr [5:2] = 0b1111: Normal memory, Outer and Inner Write-Back Cacheable (HCR_EL2.FWB = 0). */
export const S2_MEMATTR_NORMAL_WB: u64 = 0b1111 << 2;
/**
 * MemAttr [5:2] = 0b0001: Device-nGnRE (HCR_EL2.FWB = 0; ARM ARM D8.5.5). Stage 1 and
 * stage 2 attributes combine to the stronger type, so a guest cannot make a device frame
 * cacheable or let its accesses gather or reorder.
 */
export const S2_MEMATTR_DEVICE_NGNRE: u64 = 0b0001 << 2;
/** S2AP [7:6]: bit 6 read allowed, bit 7 write allowed. */
export const S2AP_READ: u64 = 1 << 6;
export const S2AP_WRITE: u64 = 1 << 7;
/** SH [9:8] = 0b11: Inner Shareable. */
export const S2_SH_INNER: u64 = 0b11 << 8;
/** AF [10]: access flag set, so the first access does not fault. */
export const S2_AF: u64 = 1 << 10;
/** XN [54:53] = 0b10: execute-never at EL1 and EL0. */
export const S2_XN: u64 = 0b10 << 53;

// Region flags of the config blob (docs/abi.md section 1, region.flags).
export const REGION_R: u32 = 1 << 0;
export const REGION_W: u32 = 1 << 1;
export const REGION_X: u32 = 1 << 2;

/**
 * Block/page attributes for a device frame (the GICv2 CPU interface, a passthrough
 * device): Device-nGnRE, read/write, never executable, access flag set. SH is left 0:
 * Device memory is Outer Shareable whatever SH says.
 */
export function s2DeviceAttrs(): u64 {
  return S2_MEMATTR_DEVICE_NGNRE | S2AP_READ | S2AP_WRITE | S2_AF | S2_XN;
}

/** Block/page attributes for RAM with `flags` (R, W, X). */
export function s2Attrs(flags: u32): u64 {
  let a = S2_MEMATTR_NORMAL_WB | S2_SH_INNER | S2_AF;
  if ((flags & REGION_R) != 0) a |= S2AP_READ;
  if ((flags & REGION_W) != 0) a |= S2AP_WRITE;
  if ((flags & REGION_X) == 0) a |= S2_XN;
  return a;
}

/** The IPA bits one entry of a table at `level` resolves: 30, 21 or 12. */
@inline export function levelShift(level: i32): u64 {
  return PAGE_SHIFT + BITS_PER_LEVEL * <u64>(S2_LAST_LEVEL - level);
}

/** Smallest IPA size (32..39 bits) that holds [0, end); -1 if none does. */
export function s2IpaBits(end: u64): i32 {
  for (let bits = S2_MIN_IPA_BITS; bits <= S2_MAX_IPA_BITS; bits++) {
    if (end <= (<u64>1 << <u64>bits)) return <i32>bits;
  }
  return -1;
}

/** Forget all tables (the runtime's pages are not freed: a VM is built once). */
export function s2Reset(): void {
  store<i32>(STATE + S2_ROOT, -1);
  store<u32>(STATE + S2_TABLE_COUNT, 0);
}

export function s2Root(): i32 { return load<i32>(STATE + S2_ROOT); }
export function s2ChildCount(): u32 { return load<u32>(STATE + S2_TABLE_COUNT); }

@inline function record(i: u32): usize {
  return STATE + S2_TABLES + <usize>i * S2_RECORD;
}

/** The next-level table behind entry `index` of `parent`, or -1. */
export function s2ChildOf(parent: i32, index: u32): i32 {
  const n = s2ChildCount();
  for (let i: u32 = 0; i < n; i++) {
    const r = record(i);
    if (load<i32>(r + S2_REC_PARENT) == parent && load<u32>(r + S2_REC_INDEX) == index) {
      return load<i32>(r + S2_REC_CHILD);
    }
  }
  return -1;
}

/** Create the root table. Returns its handle or the import's negative error. */
export function s2Create(): i32 {
  s2Reset();
  const root = wv_s2_table_new();
  if (root < 0) return root;
  store<i32>(STATE + S2_ROOT, root);
  return root;
}

function childTable(parent: i32, index: u32, level: i32): i32 {
  const existing = s2ChildOf(parent, index);
  if (existing >= 0) return existing;
  const n = s2ChildCount();
  if (n >= S2_MAX_CHILD_TABLES) return WV_ENOMEM;
  const child = wv_s2_table_new();
  if (child < 0) return child;
  const rc = wv_s2_set_entry(parent, <i32>index, level, (<u64>child << PAGE_SHIFT) | DESC_TABLE);
  if (rc < 0) return rc;
  const r = record(n);
  store<i32>(r + S2_REC_PARENT, parent);
  store<u32>(r + S2_REC_INDEX, index);
  store<i32>(r + S2_REC_CHILD, child);
  store<u32>(STATE + S2_TABLE_COUNT, n + 1);
  return child;
}

function mapRange(table: i32, level: i32, ipa: u64, pa: u64, size: u64, attrs: u64): i32 {
  const shift = levelShift(level);
  const span: u64 = <u64>1 << shift;
  const end = ipa + size;
  while (ipa < end) {
    const index = <u32>((ipa >> shift) & (ENTRIES_PER_TABLE - 1));
    const entryEnd = (ipa & ~(span - 1)) + span;
    const chunkEnd = end < entryEnd ? end : entryEnd;
    const chunk = chunkEnd - ipa;
    let rc: i32;
    if (level == S2_LAST_LEVEL) {
      rc = wv_s2_set_entry(table, <i32>index, level, (pa & DESC_OA_MASK) | attrs | DESC_PAGE);
    } else if (chunk == span && (ipa & (span - 1)) == 0 && (pa & (span - 1)) == 0) {
      rc = wv_s2_set_entry(table, <i32>index, level, (pa & DESC_OA_MASK) | attrs | DESC_BLOCK);
    } else {
      const child = childTable(table, index, level);
      rc = child < 0 ? child : mapRange(child, level + 1, ipa, pa, chunk, attrs);
    }
    if (rc < 0) return rc;
    ipa = chunkEnd;
    pa += chunk;
  }
  return 0;
}

/** Map [ipa, ipa + size) to [pa, pa + size) with block/page attributes `attrs`, after checking the range. */
function mapChecked(ipa: u64, pa: u64, size: u64, attrs: u64): i32 {
  const root = s2Root();
  const pageMask: u64 = (<u64>1 << PAGE_SHIFT) - 1;
  if (root < 0) return WV_EINVAL;
  if (((ipa | pa | size) & pageMask) != 0 || size == 0) return WV_EINVAL;
  if (ipa + size < ipa || ipa + size > (<u64>1 << <u64>S2_MAX_IPA_BITS)) return WV_EINVAL;
  if (pa + size < pa) return WV_EINVAL;
  return mapRange(root, S2_START_LEVEL, ipa, pa, size, attrs);
}

/**
 * Map [ipa, ipa + size) to [pa, pa + size) with region `flags`. All three must be
 * 4 KiB aligned and the range inside the IPA space. 0 or a negative error (the
 * first refusal of an import is passed up unchanged).
 */
export function s2Map(ipa: u64, pa: u64, size: u64, flags: u32): i32 {
  return mapChecked(ipa, pa, size, s2Attrs(flags));
}

/** Map the device frame [ipa, ipa + size) to [pa, pa + size) as Device memory (s2DeviceAttrs); as s2Map otherwise. */
export function s2MapDevice(ipa: u64, pa: u64, size: u64): i32 {
  return mapChecked(ipa, pa, size, s2DeviceAttrs());
}

/** Install the tables for an IPA space of `ipaBits`. */
export function s2Activate(ipaBits: i32): i32 {
  const root = s2Root();
  if (root < 0) return WV_EINVAL;
  return wv_s2_activate(root, ipaBits);
}
