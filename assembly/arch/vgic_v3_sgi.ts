// SGIs a guest sends through the GICv3 CPU interface: writes to ICC_SGI1R_EL1,
// ICC_ASGI1R_EL1 and ICC_SGI0R_EL1 trap to EL2 while HCR_EL2.IMO is set (the virtual
// CPU interface does not route SGIs itself). GICv3 spec 12.2.23 (ICC_SGI1R_EL1); the
// other two have the same layout.
//
// A target is a vCPU of this VM: the core presents vCPU n as MPIDR Aff0 = n with
// Aff1..Aff3 = 0 (the runtime sets VMPIDR_EL2 so), so a target list names vCPUs only
// when Aff1..Aff3 and RS are 0. Targets that do not exist are ignored; nothing outside
// the VM can be reached.
//
// Groups: with one security state, ICC_ASGI1R_EL1 ("the other security state's Group 1")
// has nothing else to name and generates Group 1 SGIs like ICC_SGI1R_EL1; ICC_SGI0R_EL1
// generates Group 0 SGIs. As the GIC does, an SGI is made pending at a target only if
// that SGI is configured in the same group there (GICR_IGROUPR0); otherwise it is dropped.

import { vgicVcpus, sendSgi } from "./vgic_common";

// Keys as esr.ts sysregKey makes them (Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10], CRm [4:1]).
export const SYSREG_ICC_SGI1R_EL1: u32 = ((3 << 20) | (5 << 17) | (0 << 14) | (12 << 10) | (11 << 1));   // op0 3, op1 0, CRn 12, CRm 11, op2 5
export const SYSREG_ICC_ASGI1R_EL1: u32 = ((3 << 20) | (6 << 17) | (0 << 14) | (12 << 10) | (11 << 1));  // op2 6
export const SYSREG_ICC_SGI0R_EL1: u32 = ((3 << 20) | (7 << 17) | (0 << 14) | (12 << 10) | (11 << 1));   // op2 7

// ICC_SGI1R_EL1 fields.
const SGIR_TARGETS_MASK: u64 = 0xffff;          // TargetList [15:0]: Aff0 = RS * 16 + bit
const SGIR_AFF1_SHIFT: u64 = 16;                // Aff1 [23:16]
const SGIR_INTID_SHIFT: u64 = 24;               // INTID [27:24]
const SGIR_INTID_MASK: u64 = 0xf;
const SGIR_AFF2_SHIFT: u64 = 32;                // Aff2 [39:32]
const SGIR_IRM: u64 = <u64>1 << 40;             // IRM [40]: every PE but the sender
const SGIR_RS_SHIFT: u64 = 44;                  // RS [47:44]
const SGIR_RS_MASK: u64 = 0xf;
const SGIR_AFF3_SHIFT: u64 = 48;                // Aff3 [55:48]
const AFF_MASK: u64 = 0xff;
const TARGETS_PER_RANGE: u32 = 16;

export const GROUP0: u32 = 0;
export const GROUP1: u32 = 1;

/** Is `key` (esr.ts sysregKey) one of the generate-SGI registers? */
export function isSgiRegister(key: u32): bool {
  return key == SYSREG_ICC_SGI1R_EL1 || key == SYSREG_ICC_ASGI1R_EL1 || key == SYSREG_ICC_SGI0R_EL1;
}

/** The group the register `key` generates. */
export function sgiGroupOf(key: u32): u32 {
  return key == SYSREG_ICC_SGI0R_EL1 ? GROUP0 : GROUP1;
}

/** vCPU `sender` wrote `value` to a generate-SGI register of `group`. */
export function vgicSgiWrite(sender: u32, value: u64, group: u32): void {
  const x = <u32>((value >> SGIR_INTID_SHIFT) & SGIR_INTID_MASK);
  const n = vgicVcpus();
  if ((value & SGIR_IRM) != 0) {
    for (let t: u32 = 0; t < n; t++) if (t != sender) sendSgi(t, x, group);
    return;
  }
  const high = ((value >> SGIR_AFF1_SHIFT) | (value >> SGIR_AFF2_SHIFT) | (value >> SGIR_AFF3_SHIFT)) & AFF_MASK;
  if (high != 0) return;
  const base = <u32>((value >> SGIR_RS_SHIFT) & SGIR_RS_MASK) * TARGETS_PER_RANGE;
  let list = <u32>(value & SGIR_TARGETS_MASK);
  while (list != 0) {
    const t = base + <u32>ctz<u32>(list);
    list &= list - 1;
    if (t < n) sendSgi(t, x, group);
  }
}
