// The EL1 physical timer, as a guest sees it. The runtime keeps the physical timer for
// itself (CNTHCTL_EL2.EL1PCEN = 0), so CNTP_CTL_EL0, CNTP_CVAL_EL0 and CNTP_TVAL_EL0
// trap here; they behave as a timer that is never enabled: reads give 0 (ENABLE,
// IMASK and ISTATUS clear), writes are ignored, and the first access prints one
// warning. Guests use the EL1 virtual timer, which runs in hardware (its interrupt,
// PPI 27, is injected by arch/vgic_irq.ts). ARM ARM D11.2 (the Generic Timer) and the
// register descriptions of CNTP_CTL_EL0, CNTP_CVAL_EL0, CNTP_TVAL_EL0.

import { VGF_TIMER_WARNED, vgicFlags, vgicSetFlags } from "./vgic_common";
import { logBeginVm, logStr, logEnd } from "../core/log";

// Keys as esr.ts sysregKey makes them (Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10], CRm [4:1]).
export const SYSREG_CNTP_TVAL_EL0: u32 = ((3 << 20) | (0 << 17) | (3 << 14) | (14 << 10) | (2 << 1));  // op0 3, op1 3, CRn 14, CRm 2, op2 0
export const SYSREG_CNTP_CTL_EL0: u32 = ((3 << 20) | (1 << 17) | (3 << 14) | (14 << 10) | (2 << 1));   // op2 1
export const SYSREG_CNTP_CVAL_EL0: u32 = ((3 << 20) | (2 << 17) | (3 << 14) | (14 << 10) | (2 << 1));  // op2 2

/** Is `key` (esr.ts sysregKey) one of the EL1 physical timer's registers? */
export function isPhysTimerRegister(key: u32): bool {
  return key == SYSREG_CNTP_TVAL_EL0 || key == SYSREG_CNTP_CTL_EL0 || key == SYSREG_CNTP_CVAL_EL0;
}

/** An access to a physical timer register: the value a read returns (writes are ignored). */
export function physTimerAccess(): u64 {
  if ((vgicFlags() & VGF_TIMER_WARNED) == 0) {
    vgicSetFlags(VGF_TIMER_WARNED, true);
    logBeginVm();
    logStr(": the EL1 physical timer (CNTP_*) is not available to guests; it never fires (use the virtual timer)");
    logEnd();
  }
  return 0;
}
