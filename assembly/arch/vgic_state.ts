// Checks for a vGIC state block that comes from outside (a saved state to restore), and
// the rebuild of what is derived from the rest after it is copied in.
//
// vgicStateCheck refuses a block whose counts or indices could make the vGIC reach
// outside its own block or disagree with itself: the vCPU and list register counts,
// the INTIDs (and GICv2 SGI sources) the list register shadows name, which vCPU holds
// each SPI, the GIC model. Other fields are bitmaps, priorities and routes: any value is
// a state a guest could have made.
// vgicStateRebuild then recomputes the LISTED bits, SPI owners, GICv2 SGI pending latches
// and PENDV bitmaps from the list register shadows and the per-INTID state, so they are
// exact whatever the block said.

import { VGIC, VGIC_LAYOUT_VERSION, VGIC_NR_INTIDS, VGIC_PRIVATE_INTIDS, VGIC_MAX_VCPUS, VGIC_MAX_LRS,
  VGIC_WARN_MAX, VGIC_WORDS, VGIC_VCPU_OFF, VGIC_VCPU_RECORD, VGIC_SGIS, VGIC_MODEL_V2, VGIC_MODEL_V3, VG_VERSION,
  VG_VCPUS, VG_CURRENT, VG_LR_COUNT, VG_MODEL, VG_WARN_COUNT, VG_OWNER, VG_BITS, VG_BITS_STRIDE, R_LR_USED, R_LR_VAL,
  R_BITS, R_PENDV, R_SGI_SRC, P_LISTED, P_PEND, P_EDGE, P_LINE } from "./vgic_layout";
import { VGIC_NO_VCPU, vcpuRec, refresh, setSpiOwner, setBit, vgicIsV2, propWord } from "./vgic_common";
import { LR_VINTID_MASK, LR_INTID_MASK, LR_SOURCE_SHIFT, lrIntidOf } from "./vgic_lr";

/** No LR index beyond ICH_VTR_EL2's 16. */
const LR_USED_LIMIT: u32 = 1 << VGIC_MAX_LRS;
/** Scratch for the check (not state): which SPIs a list register shadow names. */
const SEEN: usize = memory.data(<i32>(4 * VGIC_WORDS), 4);
/** The check's scratch, for the specs that watch what a restore writes in static memory. */
export const VGIC_CHECK_SCRATCH: usize = SEEN;
export const VGIC_CHECK_SCRATCH_SIZE: usize = 4 * <usize>VGIC_WORDS;

@inline function rec(p: usize, v: u32): usize {
  return p + VGIC_VCPU_OFF + <usize>v * VGIC_VCPU_RECORD;
}

/** vINTID beyond the INTID: only a GICv2 SGI's source, one of the VM's vCPUs. */
function sourceOk(val: u64, x: u32, model: u32, vcpus: u32): bool {
  const extra = (val & LR_VINTID_MASK) & ~LR_INTID_MASK;
  if (extra == 0) return true;
  if (model != VGIC_MODEL_V2 || x >= VGIC_SGIS) return false;
  return (extra >> LR_SOURCE_SHIFT) < <u64>vcpus;
}

/** Is the vGIC block at `p` (VGIC_SIZE bytes, layout VGIC_LAYOUT_VERSION) safe to copy in? */
export function vgicStateCheck(p: usize): bool {
  const version = load<u32>(p + VG_VERSION);
  const vcpus = load<u32>(p + VG_VCPUS);
  if (version != VGIC_LAYOUT_VERSION && !(version == 0 && vcpus == 0)) return false;
  if (vcpus > VGIC_MAX_VCPUS) return false;
  const model = load<u32>(p + VG_MODEL);
  if (model != VGIC_MODEL_V2 && model != VGIC_MODEL_V3 && !(model == 0 && version == 0)) return false;
  const cur = load<u32>(p + VG_CURRENT);
  if (cur != VGIC_NO_VCPU && cur >= VGIC_MAX_VCPUS) return false;
  const lrs = load<u32>(p + VG_LR_COUNT);
  if (lrs > VGIC_MAX_LRS) return false;
  if (load<u32>(p + VG_WARN_COUNT) > VGIC_WARN_MAX + 1) return false;
  // Each SPI in at most one list register of all, each banked INTID at most once per vCPU.
  memory.fill(SEEN, 0, 4 * <usize>VGIC_WORDS);
  for (let v: u32 = 0; v < VGIC_MAX_VCPUS; v++) {
    const used = load<u32>(rec(p, v) + R_LR_USED);
    if (used >= LR_USED_LIMIT || (v >= vcpus && used != 0)) return false;
    if (lrs != 0 && (used >> lrs) != 0) return false;
    let privSeen: u32 = 0;
    let bits = used;
    while (bits != 0) {
      const i = <u32>ctz<u32>(bits);
      bits &= bits - 1;
      const val = load<u64>(rec(p, v) + R_LR_VAL + (<usize>i << 3));
      const x = lrIntidOf(val);
      if (x >= VGIC_NR_INTIDS || !sourceOk(val, x, model, vcpus)) return false;
      if (x < VGIC_PRIVATE_INTIDS) {
        if ((privSeen & (1 << x)) != 0) return false;
        privSeen |= 1 << x;
      } else {
        const a = SEEN + (<usize>(x >> 5) << 2);
        if ((load<u32>(a) & (1 << (x & 31))) != 0) return false;
        store<u32>(a, load<u32>(a) | (1 << (x & 31)));
      }
    }
  }
  for (let x: u32 = 0; x < VGIC_NR_INTIDS; x++) {
    if (<u32>load<u8>(p + VG_OWNER + <usize>x) > vcpus) return false;
  }
  return true;
}

/**
 * GICv2 SGI sources: only the VM's vCPUs, and each SGI's pending latch is "some source
 * waiting" (arch/vgic_sgi_src.ts). A GICv3 vGIC has no sources.
 */
function rebuildSgiSources(vcpus: u32): void {
  const all: u32 = (1 << vcpus) - 1;
  for (let v: u32 = 0; v < VGIC_MAX_VCPUS; v++) {
    for (let x: u32 = 0; x < VGIC_SGIS; x++) {
      const a = vcpuRec(v) + R_SGI_SRC + <usize>x;
      const bits = vgicIsV2() && v < vcpus ? <u32>load<u8>(a) & all : 0;
      store<u8>(a, <u8>bits);
      if (vgicIsV2() && v < vcpus) setBit(P_PEND, v, x, bits != 0);
    }
  }
}

/** Recompute the LISTED bits, SPI owners and PENDV bitmaps of the live block from the rest of it. */
export function vgicStateRebuild(): void {
  const vcpus = load<u32>(VGIC + VG_VCPUS);
  memory.fill(VGIC + VG_BITS + <usize>P_LISTED * VG_BITS_STRIDE, 0, VG_BITS_STRIDE);
  memory.fill(VGIC + VG_OWNER, 0, <usize>VGIC_NR_INTIDS);
  for (let v: u32 = 0; v < VGIC_MAX_VCPUS; v++) {
    store<u32>(vcpuRec(v) + R_BITS + (<usize>P_LISTED << 2), 0);
    memory.fill(vcpuRec(v) + R_PENDV, 0, 4 * <usize>VGIC_WORDS);
  }
  // Nobody to tell while rebuilding: refresh would kick vCPUs otherwise.
  const cur = load<u32>(VGIC + VG_CURRENT);
  store<u32>(VGIC + VG_CURRENT, VGIC_NO_VCPU);
  for (let v: u32 = 0; v < vcpus; v++) {
    let bits = load<u32>(vcpuRec(v) + R_LR_USED);
    while (bits != 0) {
      const i = <u32>ctz<u32>(bits);
      bits &= bits - 1;
      const x = lrIntidOf(load<u64>(vcpuRec(v) + R_LR_VAL + (<usize>i << 3)));
      setBit(P_LISTED, v, x, true);
      if (x >= VGIC_PRIVATE_INTIDS) setSpiOwner(x, v);
    }
  }
  rebuildSgiSources(vcpus);
  // The PENDV bitmaps are all clear here, and refresh only sets a bit for an INTID that is
  // pending as the guest sees it (pendingNow: the latch, or a level line asserted): so
  // only those are refreshed, found a word of 32 at a time. A live update runs this
  // inside each VM's pause.
  for (let v: u32 = 0; v < vcpus; v++) refreshPending(v, 0);
  for (let x: u32 = VGIC_PRIVATE_INTIDS; x < VGIC_NR_INTIDS; x += 32) refreshPending(0, x);
  store<u32>(VGIC + VG_CURRENT, cur);
}

/** refresh(v, x) for every INTID x of the 32 from `x0` that is pending now (pendingNow). */
function refreshPending(v: u32, x0: u32): void {
  let bits = load<u32>(propWord(P_PEND, v, x0)) | (~load<u32>(propWord(P_EDGE, v, x0)) & load<u32>(propWord(P_LINE, v, x0)));
  while (bits != 0) {
    const i = <u32>ctz<u32>(bits);
    bits &= bits - 1;
    refresh(v, x0 + i);
  }
}
