// The virtual GIC as the rest of the core sees it: what the exit dispatcher calls
// (arch/exits.ts), the hooks for vCPU power management (PSCI) and for saved state.
// How it works: arch/vgic_common.ts (per-INTID state), arch/vgic_lr.ts (list
// registers), arch/vgic_regs.ts, arch/vgic_v3.ts and arch/vgic_v2.ts (registers),
// arch/vgic_v3_sgi.ts and arch/vgic_v2_sgi.ts (SGIs), arch/vgic_irq.ts (IRQ exits),
// arch/vgic_reset.ts (reset); the state layout is arch/vgic_layout.ts and
// arch/vgic_state.ts checks a block to restore.

import { vgicSetCurrent, vgicSetFlags, VGIC_NO_VCPU, VGF_OUTSIDE } from "./vgic_common";
import { vgicFlush, vgicFlushWanted, vgicHasPending } from "./vgic_lr";
import { isSgiRegister, sgiGroupOf, vgicSgiWrite } from "./vgic_v3_sgi";

export { vgicInit, vgicResetVcpu } from "./vgic_reset";
export { VGIC_MODEL_V2, VGIC_MODEL_V3 } from "./vgic_layout";
export { vgicIrqExit } from "./vgic_irq";
export { vgicStateBlock, vgicStateSize, VGIC_LAYOUT_VERSION } from "./vgic_layout";
export { vgicSetLine, vgicRaise, vgicModel } from "./vgic_common";
export { vgicStateCheck, vgicStateRebuild } from "./vgic_state";

/** An exit of vCPU `v` begins: its list registers are the ones the imports reach. */
@inline export function vgicBeginExit(v: u32): void {
  vgicSetCurrent(v);
}

/**
 * The runtime calls in outside any exit (console input, core/console_input.ts): no list
 * register can be reached (the imports that touch them refuse then), so a line that goes
 * high only makes its INTID pending, and the vCPU it is for is kicked to refill at its
 * next exit. Ends with vgicEndOutside.
 */
export function vgicBeginOutside(): void {
  vgicSetCurrent(VGIC_NO_VCPU);
  vgicSetFlags(VGF_OUTSIDE, true);
}

export function vgicEndOutside(): void {
  vgicSetFlags(VGF_OUTSIDE, false);
}

/** The exit changed something for vCPU `v` itself (a register write, an SGI to itself): refill now. */
export function vgicEndExit(v: u32): void {
  if (vgicFlushWanted()) vgicFlush(v);
}

/**
 * vCPU `v` executed WFI. True when it has an interrupt it could take (pending in a list
 * register, or waiting and now filled in): it resumes rather than idles.
 */
export function vgicWfiResumes(v: u32): bool {
  vgicFlush(v);
  return vgicHasPending(v);
}

/** Is `key` (esr.ts sysregKey) a system register the vGIC emulates? */
export function vgicOwnsSysreg(key: u32): bool {
  return isSgiRegister(key);
}

/**
 * A trapped access of vCPU `v` to vGIC register `key`: the value a read returns.
 * The generate-SGI registers are write-only; a read gives 0.
 */
export function vgicSysreg(v: u32, key: u32, isRead: bool, value: u64): u64 {
  if (isRead) return 0;
  vgicSgiWrite(v, value, sgiGroupOf(key));
  vgicEndExit(v);
  return 0;
}
