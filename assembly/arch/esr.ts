// ESR_EL2, the Exception Syndrome Register for EL2 (ARM ARM DDI 0487, D17.2.37
// ESR_EL2): EC [31:26] exception class, IL [25] instruction length, ISS [24:0]
// the class-specific syndrome. Pure decoding, no state.

// ---- Exception classes (ESR_EL2.EC, ARM ARM D17.2.37, table "EC values") ----
export const EC_UNKNOWN: u32 = 0x00;
/** Trapped WFI or WFE (HCR_EL2.TWI / TWE). */
export const EC_WFX: u32 = 0x01;
/** HVC executed in AArch64 state. */
export const EC_HVC64: u32 = 0x16;
/** SMC executed in AArch64 state (HCR_EL2.TSC). */
export const EC_SMC64: u32 = 0x17;
/** Trapped MSR, MRS or System instruction in AArch64 state. */
export const EC_SYSREG: u32 = 0x18;
/** Instruction Abort from a lower Exception level. */
export const EC_IABT_LOW: u32 = 0x20;
/** Data Abort from a lower Exception level. */
export const EC_DABT_LOW: u32 = 0x24;

const ESR_EC_SHIFT: u64 = 26;
const ESR_EC_MASK: u64 = 0x3f;
const ESR_IL_BIT: u64 = 1 << 25;
const ESR_ISS_MASK: u64 = 0x1ffffff;

@inline export function esrEc(esr: u64): u32 { return <u32>((esr >> ESR_EC_SHIFT) & ESR_EC_MASK); }
@inline export function esrIss(esr: u64): u32 { return <u32>(esr & ESR_ISS_MASK); }

/** Length in bytes of the trapped instruction: IL = 1 means a 32-bit instruction, 0 a 16-bit one. */
@inline export function esrInstrBytes(esr: u64): u32 { return (esr & ESR_IL_BIT) != 0 ? 4 : 2; }

// ---- HVC (ISS encoding for an exception from HVC or SVC: imm16 [15:0]) ----
@inline export function hvcImm16(esr: u64): u32 { return <u32>(esr & 0xffff); }

// ---- WFI/WFE (ISS encoding for an exception from a WF* instruction: TI [1:0]) ----
// TI: 0b00 WFI, 0b01 WFE, 0b10 WFIT, 0b11 WFET (FEAT_WFxT); bit 0 set means a WFE form.
const WFX_TI_WFE_BIT: u32 = 1;
@inline export function wfxIsWfe(esr: u64): bool { return (<u32>esr & WFX_TI_WFE_BIT) != 0; }

// ---- Data Abort (ISS encoding for an exception from a Data Abort) ----
// ISV [24] syndrome valid; SAS [23:22] access size log2; SSE [21] sign extend;
// SRT [20:16] register; SF [15] 64-bit register; AR [14]; FnV [10]; EA [9]; CM [8];
// S1PTW [7]; WnR [6] write; DFSC [5:0] fault status.
const DABT_ISV_BIT: u32 = 1 << 24;
const DABT_SAS_SHIFT: u32 = 22;
const DABT_SSE_BIT: u32 = 1 << 21;
const DABT_SRT_SHIFT: u32 = 16;
const DABT_SF_BIT: u32 = 1 << 15;
const DABT_S1PTW_BIT: u32 = 1 << 7;
const DABT_WNR_BIT: u32 = 1 << 6;
const FSC_MASK: u32 = 0x3f;

@inline export function dabtIsv(esr: u64): bool { return (<u32>esr & DABT_ISV_BIT) != 0; }
/** Access size in bytes: 1 << SAS. */
@inline export function dabtAccessBytes(esr: u64): u32 { return 1 << ((<u32>esr >> DABT_SAS_SHIFT) & 3); }
@inline export function dabtSse(esr: u64): bool { return (<u32>esr & DABT_SSE_BIT) != 0; }
@inline export function dabtSrt(esr: u64): u32 { return (<u32>esr >> DABT_SRT_SHIFT) & 0x1f; }
/** SF = 1: the register is 64-bit (Xt); 0: 32-bit (Wt). */
@inline export function dabtSf(esr: u64): bool { return (<u32>esr & DABT_SF_BIT) != 0; }
/** S1PTW [7], at the same place in the Instruction Abort ISS: the fault came on a stage-1 table walk. */
@inline export function abortS1ptw(esr: u64): bool { return (<u32>esr & DABT_S1PTW_BIT) != 0; }
@inline export function dabtIsWrite(esr: u64): bool { return (<u32>esr & DABT_WNR_BIT) != 0; }
/** DFSC for data aborts, IFSC for instruction aborts: same position and encoding. */
@inline export function abortFsc(esr: u64): u32 { return <u32>esr & FSC_MASK; }

// ---- Fault status codes (DFSC/IFSC [5:0]) ----
export const enum FaultKind {
  AddressSize = 0,
  Translation = 1,
  AccessFlag = 2,
  Permission = 3,
  External = 4,
  Alignment = 5,
  Other = 6,
}
const FSC_LEVEL_GROUP_MAX: u32 = 0b001111;  // 0b00TTLL: T type, LL level
const FSC_SYNC_EXTERNAL: u32 = 0b010000;
const FSC_ALIGNMENT: u32 = 0b100001;

export function fscKind(fsc: u32): FaultKind {
  if (fsc <= FSC_LEVEL_GROUP_MAX) return <FaultKind>(fsc >> 2);
  if (fsc == FSC_SYNC_EXTERNAL) return FaultKind.External;
  if (fsc == FSC_ALIGNMENT) return FaultKind.Alignment;
  return FaultKind.Other;
}

/** The translation level a level-grouped fault status names (0..3). */
@inline export function fscLevel(fsc: u32): u32 { return fsc & 3; }
@inline export function fscHasLevel(fsc: u32): bool { return fsc <= FSC_LEVEL_GROUP_MAX; }

export function faultKindName(kind: FaultKind): string {
  switch (kind) {
    case FaultKind.AddressSize: return "address size fault";
    case FaultKind.Translation: return "translation fault";
    case FaultKind.AccessFlag: return "access flag fault";
    case FaultKind.Permission: return "permission fault";
    case FaultKind.External: return "synchronous external abort";
    case FaultKind.Alignment: return "alignment fault";
    default: return "fault";
  }
}

// ---- Trapped MSR/MRS (ISS encoding for EC 0x18) ----
// Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1], Direction [0] (1 = MRS, a read).
@inline export function sysregOp0(esr: u64): u32 { return (<u32>esr >> 20) & 3; }
@inline export function sysregOp2(esr: u64): u32 { return (<u32>esr >> 17) & 7; }
@inline export function sysregOp1(esr: u64): u32 { return (<u32>esr >> 14) & 7; }
@inline export function sysregCrn(esr: u64): u32 { return (<u32>esr >> 10) & 0xf; }
@inline export function sysregRt(esr: u64): u32 { return (<u32>esr >> 5) & 0x1f; }
@inline export function sysregCrm(esr: u64): u32 { return (<u32>esr >> 1) & 0xf; }
@inline export function sysregIsRead(esr: u64): bool { return (<u32>esr & 1) != 0; }

/** The register encoding alone (ISS with Rt and Direction cleared), to compare with SYSREG_* below. */
const SYSREG_KEY_MASK: u32 = 0x3ffc1e;  // Op0, Op2, Op1, CRn, CRm
@inline export function sysregKey(esr: u64): u32 { return <u32>esr & SYSREG_KEY_MASK; }

/** Build the key of a register from its encoding (same bit positions as the ISS). */
export function sysregEncode(op0: u32, op1: u32, crn: u32, crm: u32, op2: u32): u32 {
  return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (crm << 1);
}

/** ACTLR_EL1: op0 3, op1 0, CRn 1, CRm 0, op2 1 (ARM ARM, register ACTLR_EL1), trapped by HCR_EL2.TACR. */
export const SYSREG_ACTLR_EL1: u32 = (3 << 20) | (1 << 17) | (0 << 14) | (1 << 10) | (0 << 1);
