// The core section of saved state: the block of core/layout.ts. Its sizes in every layout
// version, the conversions between them, and the check of a block to restore.
//
// Layouts (core/layout.ts): 1 and 2 only ever came in the single-block format of saved
// state before format 3 (core/state_format.ts); 3 adds the VM's exit counters (u32), 4
// widens them to u64 (variant 2). A module reads every version up to its own, converting
// an older one up (what a version lacks starts at reset: empty receive FIFOs, zero
// counters), and writes its own or, for a rollback (wv_save_as), 3: 4's counters keep their
// low 32 bits. Both variants compile every conversion; which layout is live is chosen by
// STATE_LAYOUT_VERSION only.

import { STATE_LAYOUT_VERSION, STATE_SIZE_V1, STATE_SIZE_V2, STATE_SIZE_V3, STATE_SIZE_V4, VM_EXIT_CLASSES,
  VM_STATE, VM_VCPU_COUNT, VM_REGION_COUNT, VM_DEVICE_COUNT, VM_IPA_BITS, VM_NAME, VM_NAME_LEN, VM_NAME_SIZE,
  VM_INDEX, VM_TYPE, VM_VCPU_ON, MAX_VMS, MAX_VCPUS, MAX_REGIONS, MAX_DEVICES, MMIO_COUNT, MMIO_ENTRIES, MMIO_UNMAPPED,
  MMIO_UNMAPPED_ABORT,
  MMIO_RECORD, MMIO_KIND, MMIO_BASE, MMIO_LIMIT, CONSOLE_LEN, CONSOLE_LINE_MAX, HCWARN_COUNT, HCWARN_MAX, HC_BENCH,
  S2_TABLE_COUNT, S2_TABLES, S2_RECORD, S2_REC_INDEX, S2_REC_PARENT, S2_REC_CHILD, S2_MAX_CHILD_TABLES, S2_ROOT,
  PL011_RX_OFF, PL011_RX_RECORD } from "./layout";
import { exitCounterRead, exitCounterWrite } from "./exit_counters";
import { VM_EMPTY, VM_STOPPED } from "./vm";
import { cfgNameLength } from "./config";
import { mmioKnownKind } from "../devices/mmio";
import { rxRecordValid } from "../devices/pl011_rx";
import { S2_MIN_IPA_BITS, S2_MAX_IPA_BITS } from "../arch/stage2";

/** The oldest layout wv_save_as writes: 1 and 2 are only read (from single-block blobs). */
export const CORE_OLDEST_WRITTEN: u32 = 3;
/** The newest layout any build knows (variant 2's). */
const CORE_NEWEST: u32 = 4;

/** Table handles the runtime gives a VM: 0..511 (WV_MAX_S2_TABLES). */
const S2_HANDLES: u32 = S2_MAX_CHILD_TABLES + 1;
/** The last stage-2 entry index of a table. */
const S2_INDEX_LAST: u32 = 511;
/** The last VM type (2, rtvm: core/config.ts). */
const VM_TYPE_LAST: u32 = 2;

/** Bytes of the core block in layout `version`, whichever build this is; 0 for an unknown one. */
export function coreLayoutSize(version: u32): usize {
  switch (version) {
    case 1: return STATE_SIZE_V1;
    case 2: return STATE_SIZE_V2;
    case 3: return STATE_SIZE_V3;
    case 4: return STATE_SIZE_V4;
    default: return 0;
  }
}

/** Bytes of a core section of `version` this module reads: only versions up to its own. */
export function coreSizeOf(version: u32): usize {
  return version <= STATE_LAYOUT_VERSION ? coreLayoutSize(version) : 0;
}

/**
 * Convert the core block of layout `from` at `src` into layout `to` at `dst` (the two
 * do not overlap). False for an unknown layout, or a target older than 3. Up: what `from`
 * lacks starts at reset (zero). Down (4 to 3): the counters keep their low 32 bits.
 */
export function coreConvert(src: usize, from: u32, dst: usize, to: u32): bool {
  const fromSize = coreLayoutSize(from), toSize = coreLayoutSize(to);
  if (fromSize == 0 || toSize == 0 || to < CORE_OLDEST_WRITTEN || to > CORE_NEWEST) return false;
  // Versions 1..3 are each a prefix of the next; 3 and 4 differ only after STATE_SIZE_V2.
  let common = fromSize < toSize ? fromSize : toSize;
  if (common > STATE_SIZE_V2) common = STATE_SIZE_V2;
  memory.copy(dst, src, common);
  memory.fill(dst + common, 0, toSize - common);
  for (let c: u32 = 0; c < VM_EXIT_CLASSES; c++) exitCounterWrite(dst, to, c, exitCounterRead(src, from, c));
  return true;
}

/**
 * Is the core block at `p` (current layout) safe to copy in? Every count and index in its
 * range, the VM's identity consistent. `core` is the same block (the core section is the
 * one the others are checked against).
 */
export function coreCheck(p: usize, core: usize): bool {
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
  if (devices > MAX_DEVICES || load<u32>(p + MMIO_UNMAPPED) > MMIO_UNMAPPED_ABORT) return false;
  for (let i: u32 = 0; i < devices; i++) {
    const e = p + MMIO_ENTRIES + <usize>i * MMIO_RECORD;
    const base = load<u64>(e + MMIO_BASE), size = load<u64>(e + MMIO_LIMIT);
    if (!mmioKnownKind(load<u32>(e + MMIO_KIND)) || size == 0 || base + size < base) return false;
  }
  if (load<u32>(p + CONSOLE_LEN) >= CONSOLE_LINE_MAX) return false;
  if (load<u32>(p + HCWARN_COUNT) > HCWARN_MAX + 1 || load<u32>(p + HC_BENCH) > 1) return false;
  const tables = load<u32>(p + S2_TABLE_COUNT);
  if (tables > S2_MAX_CHILD_TABLES) return false;
  for (let i: u32 = 0; i < tables; i++) {
    const r = p + S2_TABLES + <usize>i * S2_RECORD;
    if (load<u32>(r + S2_REC_INDEX) > S2_INDEX_LAST) return false;
    // Handles name the runtime's table pages: 0..S2_HANDLES-1 (runtime-c/include/wv_vm.h).
    if (<u32>load<i32>(r + S2_REC_PARENT) >= S2_HANDLES || <u32>load<i32>(r + S2_REC_CHILD) >= S2_HANDLES) return false;
  }
  for (let i: u32 = 0; i < MAX_DEVICES; i++) {
    if (!rxRecordValid(p + PL011_RX_OFF + <usize>i * PL011_RX_RECORD)) return false;
  }
  // The exit counters: any value is a count.
  return true;
}
