// IRQ exits (docs/abi.md section 4): a physical interrupt arrived while a vCPU ran; the
// runtime acknowledged it and dropped its priority. The physical INTIDs that reach a core:
//   WV_KICK_SGI (8)      another vCPU's exit changed this vCPU's interrupts: refill;
//   PPI 25 (maintenance) the list registers need attention (NPIE/UIE/EOI): refill;
//   PPI 27 (EL1 virtual timer), PPI 30 (EL1 physical timer) and the VM's own SPIs
//     (passthrough): give them to the guest in a hardware-mapped list register (HW = 1,
//     pINTID = INTID), so the guest's deactivation deactivates the physical interrupt;
//   anything else is reported once and ignored.
// When a physical interrupt cannot go into a list register now (its virtual copy is
// disabled, routed to another vCPU, already listed, or every register is busy), it is
// masked at the physical GIC (irq_set) so that a level source does not fire again at
// once. An SPI's VM gets a virtual copy, pending, with a maintenance interrupt at its
// deactivation; when that copy is done the physical interrupt is unmasked again. The
// virtual timer's PPI gets no copy: its pending state is its level, which only the GIC
// knows, so it is unmasked once the guest could take it, and fires again if still
// asserted (physicalLevel, arch/vgic_lr.ts unmaskDone). The runtime deactivates it after
// the exit, since no list register took it. An IRQ exit is not a guest exception:
// nothing is injected for it, the PC stays.

import { wv_irq_set } from "../abi/imports";
import { VGIC, VG_WARN_COUNT, VG_WARN_IDS, VGIC_WARN_MAX, VGIC_NR_INTIDS, VGIC_PRIVATE_INTIDS, P_MASKED,
  P_PEND } from "./vgic_layout";
import { PPI_VTIMER, PPI_PTIMER, VGF_MASK_WARNED, VRF_KICKED, physicalLevel, setBit, touch, vgicFlags, vgicSetFlags,
  setVcpuFlags } from "./vgic_common";
import { vgicSync, vgicRefill, vgicFlush, vgicListHw, vgicHwListable } from "./vgic_lr";
import { logBeginVm, logStr, logDec, logEnd } from "../core/log";

/** The SGI the runtime sends to make a CPU leave its guest (runtime-c/include/wv_gic.h). */
export const WV_KICK_SGI: u32 = 8;
/** The GIC maintenance interrupt (ICH_MISR_EL2 non-zero), PPI 9. */
export const PPI_MAINTENANCE: u32 = 25;
export { PPI_VTIMER, PPI_PTIMER };

/** Report `intid` unless already reported (at most VGIC_WARN_MAX of them, then one last line). */
function reportUnknown(intid: u32): void {
  const n = load<u32>(VGIC + VG_WARN_COUNT);
  const known = n < VGIC_WARN_MAX ? n : VGIC_WARN_MAX;
  for (let i: u32 = 0; i < known; i++) {
    if (load<u32>(VGIC + VG_WARN_IDS + (<usize>i << 2)) == intid) return;
  }
  if (n > VGIC_WARN_MAX) return;
  store<u32>(VGIC + VG_WARN_COUNT, n + 1);
  logBeginVm();
  if (n == VGIC_WARN_MAX) {
    logStr(": more unknown physical interrupts, not reported");
  } else {
    store<u32>(VGIC + VG_WARN_IDS + (<usize>n << 2), intid);
    logStr(": physical INTID ");
    logDec(<u64>intid);
    logStr(" is not the VM's: ignored");
  }
  logEnd();
}

/**
 * Mask physical `x` while the VM handles a virtual copy (banked: on vCPU `v`'s physical
 * CPU). Asked even when the core believes it masked already: that it fired shows it is
 * not. After one refusal the runtime is not asked again: it cannot mask, and asking at
 * every firing would only repeat its refusal.
 */
function maskPhysical(v: u32, x: u32): bool {
  if ((vgicFlags() & VGF_MASK_WARNED) != 0) return false;
  if (wv_irq_set(<i32>x, 0) >= 0) {
    setBit(P_MASKED, v, x, true);
    return true;
  }
  vgicSetFlags(VGF_MASK_WARNED, true);
  logBeginVm();
  logStr(": cannot mask physical INTID ");
  logDec(<u64>x);
  logStr(" while the guest cannot take it; it may fire again at once");
  logEnd();
  return false;
}

/** Physical `x` (the timer PPI or an SPI of the VM) for vCPU `v`, whose exit this is. */
function injectPhysical(v: u32, x: u32): void {
  setVcpuFlags(v, VRF_KICKED, false);
  vgicSync(v);
  const listable = vgicHwListable(v, x);
  if (!listable || !vgicListHw(v, x)) {
    // Masked, a level the GIC holds needs no copy: it is sampled again when the guest can
    // take it (arch/vgic_lr.ts, unmaskDone). Anything else waits as a pending copy, and so
    // does that level when it cannot be masked, or when the runtime refused the list
    // register it could have had (unmasked again at once, it would only fire again).
    const masked = maskPhysical(v, x);
    if (!masked || !physicalLevel(x) || listable) {
      setBit(P_PEND, v, x, true);
      touch(v, x);
    }
  }
  vgicRefill(v);
}

/** Handle the IRQ exit of vCPU `v` for physical INTID `intid`. */
export function vgicIrqExit(v: u32, intid: u32): void {
  if (intid == WV_KICK_SGI || intid == PPI_MAINTENANCE) {
    vgicFlush(v);
    return;
  }
  if (intid == PPI_VTIMER || intid == PPI_PTIMER || (intid >= VGIC_PRIVATE_INTIDS && intid < VGIC_NR_INTIDS)) {
    injectPhysical(v, intid);
    return;
  }
  reportUnknown(intid);
}
