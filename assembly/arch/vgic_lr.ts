// List registers: how the vGIC state reaches a vCPU's virtual CPU interface, and how
// the guest's acknowledgements and deactivations come back. GIC-version independent:
// the imports speak the GICv3 format (ICH_LR<n>_EL2, GICv3 spec 12.5.8) and the runtime
// converts for a GICv2.
//
// The core keeps a shadow of each list register it filled (R_LR_VAL). At an exit that
// matters (IRQ exits, maintenance, a change for the running vCPU, WFI) vgicFlush:
//   1. syncs: reads back each register it filled (ELRSR first: an empty one needs no
//      read), merges the guest's progress with requests that arrived meanwhile, and
//      frees the registers whose interrupt is done (invalid = deactivated);
//   2. fills free registers with the highest-priority pending interrupts, evicting a
//      lower-priority one that is only pending when something better waits;
//   3. when interrupts still wait, asks for a maintenance interrupt (ICH_HCR_EL2.NPIE, or
//      UIE when no register is in the pending state alone) so that the vCPU exits again
//      to take them.

import { wv_lr_count, wv_lr_read, wv_lr_write, wv_ich_hcr_write, wv_ich_status, wv_irq_set } from "../abi/imports";
import { VGIC, VG_LR_COUNT, R_LR_USED, R_HCR, R_LR_VAL, R_BITS, VGIC_MAX_LRS, VGIC_WORDS,
  VG_BITS, VG_BITS_STRIDE, P_PEND, P_ACTIVE, P_EDGE, P_LINE, P_CLRP, P_CLRA, P_SETA, P_MASKED, P_LISTED,
  P_GROUP } from "./vgic_layout";
import { VGIC_NO_VCPU, VGF_REFILL, VGF_NO_LRS_WARNED, VRF_KICKED, vcpuRec, isPrivate, getBit, setBit, takeBit,
  priority, eligible, pendingNow, refresh, pendvAny, pickBest, setSpiOwner, vgicFlags, vgicSetFlags,
  setVcpuFlags, physicalLevel, vgicCurrent, vgicVcpus } from "./vgic_common";
import { sgiBySource, sgiSources, sgiAddSource, sgiTakeLowest, sgiTakeSource } from "./vgic_sgi_src";
import { logBeginVm, logStr, logEnd } from "../core/log";

// ---- ICH_LR<n>_EL2 (GICv3 spec 12.5.8) ----
export const LR_VINTID_MASK: u64 = 0xffffffff;   // vINTID [31:0]
/** The INTID in vINTID: 10 bits (INTIDs 0..1019; this vGIC has 0..255). */
export const LR_INTID_MASK: u64 = 0x3ff;
/**
 * A GICv2 SGI's source CPU ID in vINTID [12:10], where a GICv2 list register has it
 * (GICH_LR.CPUID, IHI 0048B 5.3.11); the runtime's GICv2 driver converts. 0 otherwise.
 */
export const LR_SOURCE_SHIFT: u64 = 10;
export const LR_SOURCE_MASK: u64 = 0x7;
export const LR_PINTID_SHIFT: u64 = 32;          // pINTID [44:32] when HW = 1
export const LR_EOI: u64 = <u64>1 << 41;         // HW = 0: maintenance interrupt when deactivated
export const LR_PRIO_SHIFT: u64 = 48;            // Priority [55:48]
export const LR_PRIO_MASK: u64 = 0xff;
export const LR_GROUP: u64 = <u64>1 << 60;       // Group 1
export const LR_HW: u64 = <u64>1 << 61;          // deactivation also deactivates pINTID
export const LR_PENDING: u64 = <u64>1 << 62;     // State [63:62]: 0b01 pending,
export const LR_ACTIVE: u64 = <u64>1 << 63;      //   0b10 active, 0b11 pending and active
export const LR_STATE_MASK: u64 = LR_PENDING | LR_ACTIVE;

// ---- ICH_HCR_EL2 (GICv3 spec 12.5.4) ----
export const ICH_HCR_EN: u32 = 1 << 0;           // virtual CPU interface enabled: always
export const ICH_HCR_UIE: u32 = 1 << 1;          // maintenance when at most one register is valid
export const ICH_HCR_NPIE: u32 = 1 << 3;         // maintenance when no register is pending
/** R_HCR before anything was written: the next sync writes ICH_HCR_EL2 whatever it wants. */
export const VGIC_HCR_UNKNOWN: u32 = 0xffffffff;

/** The INTID a list register value holds. */
@inline export function lrIntidOf(val: u64): u32 {
  return <u32>(val & LR_INTID_MASK);
}

/** The source CPU ID a list register value carries (GICv2 SGIs; 0 for anything else). */
@inline export function lrSourceOf(val: u64): u32 {
  return <u32>((val >> LR_SOURCE_SHIFT) & LR_SOURCE_MASK);
}

/** ich_status: ICH_ELRSR_EL2 in bits [15:0] (bit n: list register n holds nothing). */
const STATUS_ELRSR_MASK: u64 = 0xffff;
/** Eviction order key: priority above the 32-bit vINTID. */
const VICTIM_PRIO_SHIFT: u64 = 32;
/** UIE fires at "zero or one valid": with a single register it would never stop firing. */
const UIE_MIN_LRS: u32 = 2;

@inline function lrAddr(v: u32, i: u32): usize {
  return vcpuRec(v) + R_LR_VAL + (<usize>i << 3);
}

@inline function lrUsed(v: u32): u32 {
  return load<u32>(vcpuRec(v) + R_LR_USED);
}

@inline function setLrUsed(v: u32, bits: u32): void {
  store<u32>(vcpuRec(v) + R_LR_USED, bits);
}

/** List registers of the CPU interface, asked once (0: none, the vGIC cannot deliver). */
export function lrCount(): u32 {
  let n = load<u32>(VGIC + VG_LR_COUNT);
  if (n != 0) return n;
  const r = wv_lr_count();
  if (r > 0) {
    n = <u32>r > VGIC_MAX_LRS ? VGIC_MAX_LRS : <u32>r;
    store<u32>(VGIC + VG_LR_COUNT, n);
    return n;
  }
  if ((vgicFlags() & VGF_NO_LRS_WARNED) == 0) {
    vgicSetFlags(VGF_NO_LRS_WARNED, true);
    logBeginVm();
    logStr(": no list registers: virtual interrupts cannot be delivered");
    logEnd();
  }
  return 0;
}

@inline function allLrs(n: u32): u32 {
  return n >= 32 ? 0xffffffff : (1 << n) - 1;
}

/**
 * The list register value for `x` on vCPU `v` in the given state (a GICv2 SGI from source
 * `src`). A hardware-mapped interrupt names itself as pINTID (the guest's deactivation
 * deactivates the physical one); otherwise a level-sensitive one, one whose physical source
 * is masked, or a GICv2 SGI that other sources sent too, asks for a maintenance interrupt at
 * deactivation so that the core looks again.
 */
export function lrBuild(v: u32, x: u32, pending: bool, active: bool, hw: bool, src: u32 = 0): u64 {
  let val = <u64>x | ((<u64>src & LR_SOURCE_MASK) << LR_SOURCE_SHIFT) | (<u64>priority(v, x) << LR_PRIO_SHIFT);
  if (getBit(P_GROUP, v, x)) val |= LR_GROUP;
  if (pending) val |= LR_PENDING;
  if (active) val |= LR_ACTIVE;
  if (hw) val |= LR_HW | (<u64>x << LR_PINTID_SHIFT);
  else if (!getBit(P_EDGE, v, x) || getBit(P_MASKED, v, x) || (sgiBySource(x) && sgiSources(v, x) != 0)) val |= LR_EOI;
  return val;
}

/** Put `val` (for `x`) into list register `i` of vCPU `v`; false when the runtime refuses. */
function lrPut(v: u32, i: u32, x: u32, val: u64): bool {
  if (wv_lr_write(<i32>i, val) < 0) return false;
  store<u64>(lrAddr(v, i), val);
  setLrUsed(v, lrUsed(v) | (1 << i));
  setBit(P_LISTED, v, x, true);
  if (!isPrivate(x)) setSpiOwner(x, v);
  return true;
}

/** Forget list register `i` (holding `x`), clearing it in hardware unless it is already empty there. */
function lrRelease(v: u32, i: u32, x: u32, clearHw: bool): void {
  if (clearHw) wv_lr_write(<i32>i, 0);
  store<u64>(lrAddr(v, i), 0);
  setLrUsed(v, lrUsed(v) & ~(1 << i));
  setBit(P_LISTED, v, x, false);
  if (!isPrivate(x)) setSpiOwner(x, VGIC_NO_VCPU);
}

/**
 * Merge list register `i` of vCPU `v` (hardware value `cur`, 0 when ELRSR says empty)
 * with the requests for its interrupt, then rewrite or free it.
 */
function merge(v: u32, i: u32, cur: u64): void {
  const shadow = load<u64>(lrAddr(v, i));
  const x = lrIntidOf(shadow);
  const src = lrSourceOf(shadow);
  const bySource = sgiBySource(x);
  const lrP = (cur & LR_PENDING) != 0;
  const lrA = (cur & LR_ACTIVE) != 0;
  const clrp = takeBit(P_CLRP, v, x);
  const clra = takeBit(P_CLRA, v, x);
  const seta = takeBit(P_SETA, v, x);
  // A GICv2 SGI: only a new one from this register's source merges into it; the others wait.
  const pend = bySource ? sgiTakeSource(v, x, src) : takeBit(P_PEND, v, x);
  if ((shadow & LR_HW) != 0 && (lrP || lrA)) {
    // Hardware-mapped and not yet deactivated: the physical interrupt stays active until
    // the guest deactivates this register, so it is neither taken back nor changed (the
    // GIC never has it pending and active at once). A new pending event waits in the latch.
    if (pend && lrA) setBit(P_PEND, v, x, true);
    setBit(P_ACTIVE, v, x, lrA);
    store<u64>(lrAddr(v, i), cur);
    return;
  }
  // From here the register is a plain virtual interrupt (a hardware-mapped one that the
  // guest deactivated has nothing of the physical one left).
  const latched = (lrP && !clrp) || pend;
  const p = latched || (!getBit(P_EDGE, v, x) && getBit(P_LINE, v, x));
  const a = (lrA && !clra) || seta;
  if (!p && !a) {
    lrRelease(v, i, x, cur != 0);
    setBit(P_ACTIVE, v, x, false);
    refresh(v, x);
    return;
  }
  if (p && !a && !eligible(v, x)) {
    // Only pending, and no longer for this vCPU (disabled, group off, routed elsewhere):
    // take it back; it waits in the distributor until it is deliverable again.
    lrRelease(v, i, x, true);
    if (!bySource) setBit(P_PEND, v, x, latched);
    else if (latched) sgiAddSource(v, x, src);
    setBit(P_ACTIVE, v, x, false);
    refresh(v, x);
    return;
  }
  setBit(P_ACTIVE, v, x, a);
  const val = lrBuild(v, x, p, a, false, src);
  if (val != cur && wv_lr_write(<i32>i, val) < 0) return;
  store<u64>(lrAddr(v, i), val);
}

/** Fold what the guest did with vCPU `v`'s list registers back into the vGIC state. */
export function vgicSync(v: u32): void {
  const used = lrUsed(v);
  if (used == 0) return;
  const empty = <u32>(wv_ich_status() & STATUS_ELRSR_MASK);
  let bits = used;
  while (bits != 0) {
    const i = <u32>ctz<u32>(bits);
    bits &= bits - 1;
    merge(v, i, (empty & (1 << i)) != 0 ? 0 : wv_lr_read(<i32>i));
  }
}

/**
 * The list register to give up for something more urgent: of those only pending and not
 * hardware-mapped, the one a GIC would signal last (lowest priority, then highest INTID,
 * the reverse of pickBest's order); -1 if none.
 */
function victim(v: u32): i32 {
  let bits = lrUsed(v);
  let best: i32 = -1;
  let bestKey: u64 = 0;
  while (bits != 0) {
    const i = <u32>ctz<u32>(bits);
    bits &= bits - 1;
    const val = load<u64>(lrAddr(v, i));
    if ((val & (LR_HW | LR_ACTIVE)) != 0) continue;
    const key = (((val >> LR_PRIO_SHIFT) & LR_PRIO_MASK) << VICTIM_PRIO_SHIFT) | <u64>lrIntidOf(val);
    if (best < 0 || key > bestKey) { bestKey = key; best = <i32>i; }
  }
  return best;
}

/** Take list register `i` back: its interrupt, only pending, waits in the vGIC again. */
function evict(v: u32, i: u32): void {
  const val = load<u64>(lrAddr(v, i));
  const x = lrIntidOf(val);
  lrRelease(v, i, x, true);
  if (sgiBySource(x)) sgiAddSource(v, x, lrSourceOf(val));
  else setBit(P_PEND, v, x, true);
  refresh(v, x);
}

/** Put pending `x` into list register `i` of vCPU `v` (active as well if it is; a GICv2 SGI from its lowest source). */
function listInto(v: u32, i: u32, x: u32): bool {
  const bySource = sgiBySource(x);
  const src = bySource ? sgiTakeLowest(v, x) : 0;
  if (!lrPut(v, i, x, lrBuild(v, x, true, getBit(P_ACTIVE, v, x), false, src))) {
    if (bySource) sgiAddSource(v, x, src);
    return false;
  }
  if (!bySource) setBit(P_PEND, v, x, false);
  refresh(v, x);
  return true;
}

/**
 * Does one of vCPU `v`'s list registers hold an interrupt in the pending state (State =
 * 0b01)? Only that state is signalled to the guest (GICv3 spec, ICH_LR<n>_EL2.State and
 * the HighestPriorityVirtualInterrupt pseudocode), and only it keeps ICH_MISR_EL2.NP
 * quiet: a pending and active interrupt waits for its deactivation first.
 */
function anyPendingOnlyLr(v: u32): bool {
  let bits = lrUsed(v);
  while (bits != 0) {
    const i = <u32>ctz<u32>(bits);
    bits &= bits - 1;
    if ((load<u64>(lrAddr(v, i)) & LR_STATE_MASK) == LR_PENDING) return true;
  }
  return false;
}

/** The shadow of vCPU `v`'s list register holding `x` (banked INTIDs: `v`'s own), or 0 when none does. */
export function lrHeldValue(v: u32, x: u32): u64 {
  if (!getBit(P_LISTED, v, x)) return 0;
  let bits = lrUsed(v);
  while (bits != 0) {
    const i = <u32>ctz<u32>(bits);
    bits &= bits - 1;
    const val = load<u64>(lrAddr(v, i));
    if (lrIntidOf(val) == x) return val;
  }
  return 0;
}

/** Has vCPU `v` an interrupt it could take: pending (not also active) in a list register, or waiting for one? */
export function vgicHasPending(v: u32): bool {
  return anyPendingOnlyLr(v) || pendvAny(v);
}

function writeHcr(v: u32, hcr: u32): void {
  const a = vcpuRec(v) + R_HCR;
  if (load<u32>(a) == hcr) return;
  if (wv_ich_hcr_write(hcr) >= 0) store<u32>(a, hcr);
}

/** Fill vCPU `v`'s free list registers with its best pending interrupts (after a sync). */
export function vgicFill(v: u32): void {
  const n = lrCount();
  if (n == 0) return;
  let waiting = false;
  if (pendvAny(v)) {
    let free = ~lrUsed(v) & allLrs(n);
    for (;;) {
      const x = pickBest(v);
      if (x < 0) break;
      let i: i32;
      if (free != 0) {
        i = <i32>ctz<u32>(free);
      } else {
        i = victim(v);
        if (i < 0) break;
        const vp = <u32>((load<u64>(lrAddr(v, <u32>i)) >> LR_PRIO_SHIFT) & LR_PRIO_MASK);
        if (priority(v, <u32>x) >= vp) break;
        evict(v, <u32>i);
      }
      if (!listInto(v, <u32>i, <u32>x)) break;
      free &= ~(1 << <u32>i);
    }
    waiting = pendvAny(v);
  }
  if (!waiting) waiting = levelWaitsForLr(v);
  // Interrupts still wait for a list register: ask for the maintenance interrupt that
  // comes when one can be had. NPIE only while a register is in the pending state: NP
  // is asserted as long as none is (GICv3 spec, ICH_MISR_EL2.NP), so with every
  // register active, or pending and active, it would fire at once and for ever. Those
  // free up only when the guest deactivates them: UIE fires when at most one is left
  // valid (ICH_MISR_EL2.U).
  let hcr = ICH_HCR_EN;
  if (waiting) {
    if (anyPendingOnlyLr(v)) hcr |= ICH_HCR_NPIE;
    else if (n >= UIE_MIN_LRS) hcr |= ICH_HCR_UIE;
  }
  writeHcr(v, hcr);
}

/** Is a list register to be had for a hardware-mapped interrupt of vCPU `v`: a free one, or one only pending to evict? */
function lrRoom(v: u32): bool {
  const n = lrCount();
  if (n == 0) return false;
  return (~lrUsed(v) & allLrs(n)) != 0 || victim(v) >= 0;
}

/**
 * Does a masked level of vCPU `v` (physicalLevel) wait only for a list register, the guest
 * able to take it otherwise? Then it is sampled again once one frees up (unmaskDone).
 */
function levelWaitsForLr(v: u32): bool {
  let bits = load<u32>(vcpuRec(v) + R_BITS + (<usize>P_MASKED << 2));
  while (bits != 0) {
    const x = <u32>ctz<u32>(bits);
    bits &= bits - 1;
    if (physicalLevel(x) && !pendingNow(v, x) && eligible(v, x) && !getBit(P_LISTED, v, x) && !lrRoom(v)) return true;
  }
  return false;
}

/** Could physical `x` go to vCPU `v` in a hardware-mapped list register now (vgicListHw)? */
export function vgicHwListable(v: u32, x: u32): bool {
  return eligible(v, x) && !getBit(P_LISTED, v, x) && lrRoom(v);
}

/**
 * Hand physical interrupt `x`, acknowledged by the runtime for this exit, to vCPU `v`
 * in a hardware-mapped list register (evicting a pending-only one if all are taken).
 * False when `x` cannot go to `v` now (disabled, elsewhere, already listed, refused).
 */
export function vgicListHw(v: u32, x: u32): bool {
  if (!vgicHwListable(v, x)) return false;
  const free = ~lrUsed(v) & allLrs(lrCount());
  let i: i32 = free != 0 ? <i32>ctz<u32>(free) : victim(v);
  if (i < 0) return false;
  if (free == 0) evict(v, <u32>i);
  if (!lrPut(v, <u32>i, x, lrBuild(v, x, true, false, true))) return false;
  setBit(P_PEND, v, x, false);
  setBit(P_ACTIVE, v, x, false);
  refresh(v, x);
  return true;
}

/**
 * May physical `x`, masked for vCPU `v`, be unmasked now? One with a virtual copy once that
 * copy is done (neither pending nor in a list register). A level the GIC holds
 * (physicalLevel) has no copy: once the guest could take it in a list register, so that
 * unmasking samples it again. Still asserted, it fires at once and is listed
 * hardware-mapped; deasserted meanwhile (the guest stopped or masked its timer), it is
 * gone, as a level-sensitive interrupt whose source deasserts is.
 */
function unmaskable(v: u32, x: u32): bool {
  if (pendingNow(v, x) || getBit(P_LISTED, v, x)) return false;
  return !physicalLevel(x) || vgicHwListable(v, x);
}

/**
 * Unmask the physical interrupts masked while the VM could not take them, once it can
 * (unmaskable). Banked ones only on their own vCPU: irq_set acts on the physical CPU of
 * the exiting vCPU.
 */
function unmaskDone(v: u32): void {
  const pa = vcpuRec(v) + R_BITS + (<usize>P_MASKED << 2);
  let bits = load<u32>(pa);
  while (bits != 0) {
    const x = <u32>ctz<u32>(bits);
    bits &= bits - 1;
    if (unmaskable(v, x) && wv_irq_set(<i32>x, 1) >= 0) setBit(P_MASKED, v, x, false);
  }
  for (let w: u32 = 1; w < VGIC_WORDS; w++) {
    let spis = load<u32>(VGIC + VG_BITS + <usize>P_MASKED * VG_BITS_STRIDE + (<usize>w << 2));
    while (spis != 0) {
      const x = (w << 5) | <u32>ctz<u32>(spis);
      spis &= spis - 1;
      if (unmaskable(v, x) && wv_irq_set(<i32>x, 1) >= 0) setBit(P_MASKED, v, x, false);
    }
  }
}

/** Refill vCPU `v`'s list registers after a sync, and unmask what is done. */
export function vgicRefill(v: u32): void {
  vgicFill(v);
  unmaskDone(v);
  vgicSetFlags(VGF_REFILL, false);
}

/** Sync and refill the list registers of vCPU `v`, whose exit is being handled. */
export function vgicFlush(v: u32): void {
  setVcpuFlags(v, VRF_KICKED, false);
  vgicSync(v);
  vgicRefill(v);
}

/**
 * A guest reads pending or active state (GICD/GICR_ISPENDR, ICPENDR, ISACTIVER, ICACTIVER,
 * GICv2 GICD_SPENDSGIR, CPENDSGIR): the guest acknowledges and deactivates in its list
 * registers without an exit, so those of the vCPU whose exit this is are synced (and
 * refilled) first, or the read would show their state as of their last sync. Another
 * vCPU's cannot be read from here (the imports reach the exiting vCPU's CPU only): what
 * they hold reads as of that vCPU's last exit.
 */
export function vgicFlushCurrent(): void {
  const c = vgicCurrent();
  if (c < vgicVcpus()) vgicFlush(c);
}

/** Does the current vCPU need a flush before it resumes (something changed for it)? */
@inline export function vgicFlushWanted(): bool {
  return (vgicFlags() & VGF_REFILL) != 0;
}

/**
 * Forget vCPU `v`'s list registers (it is being reset: the runtime clears the real ones
 * when it starts the vCPU again). Its SPIs go back to the distributor, still pending if
 * they were, no longer active.
 */
export function lrForgetAll(v: u32): void {
  let bits = lrUsed(v);
  while (bits != 0) {
    const i = <u32>ctz<u32>(bits);
    bits &= bits - 1;
    const val = load<u64>(lrAddr(v, i));
    const x = lrIntidOf(val);
    lrRelease(v, i, x, false);
    if (!isPrivate(x)) {
      if ((val & LR_PENDING) != 0 && !takeBit(P_CLRP, v, x)) setBit(P_PEND, v, x, true);
      setBit(P_ACTIVE, v, x, false);
      setBit(P_CLRA, v, x, false);
      setBit(P_SETA, v, x, false);
      refresh(v, x);
    }
  }
  store<u32>(vcpuRec(v) + R_HCR, VGIC_HCR_UNKNOWN);
}
