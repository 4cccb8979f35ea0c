// Injecting a synchronous external abort into the guest, as hardware raises one for an
// access no memory or device answers (docs/abi.md section 3, "Faults"). The exception is
// taken to EL1 the way ARM ARM D1.10 "Exception entry" describes: ELR_EL1, SPSR_EL1,
// ESR_EL1 and FAR_EL1 are set, PSTATE becomes EL1h with D, A, I and F masked, and the PC
// goes to the synchronous entry of the vector table at VBAR_EL1 that fits where the
// exception came from (ARM ARM D1.10.2, "Exception vectors").

import { exitPc, exitSpsr, exitSetPc, exitSetSpsr } from "../abi/exit_record";
import { wv_sysreg_read, wv_sysreg_write, SYSREG_VBAR_EL1, SYSREG_ELR_EL1, SYSREG_SPSR_EL1, SYSREG_ESR_EL1,
  SYSREG_FAR_EL1, WV_OK } from "../abi/imports";
import { EC_DABT_LOW, EC_IABT_LOW } from "./esr";

/** Exception classes of an abort taken without a change of EL (ESR_ELx.EC, ARM ARM D17.2.37). */
export const EC_IABT_CUR: u32 = 0x21;
export const EC_DABT_CUR: u32 = 0x25;

const ESR_EC_SHIFT: u64 = 26;
/** ESR_ELx.IL: 1 for aborts, whose syndrome does not depend on the instruction's length. */
const ESR_IL: u64 = 1 << 25;
/** DFSC/IFSC 0b010000: synchronous External abort, not on a translation table walk. */
export const FSC_SYNC_EXTERNAL: u64 = 0b010000;
/** Data Abort ISS bits kept from the stage-2 syndrome: CM [8] and WnR [6]. With ISV [24]
 * 0 the syndrome fields [23:14] are RES0; FnV [10] 0 (FAR is valid), EA [9] 0, S1PTW [7] 0. */
const DABT_ISS_KEEP: u64 = (1 << 8) | (1 << 6);

// PSTATE as SPSR_ELx holds it (ARM ARM C5.2.18 SPSR_EL1).
/** M[4]: the exception came from AArch32; M[3:0] the mode of AArch64 state. */
const SPSR_M_AARCH32: u64 = 1 << 4;
const SPSR_M_MASK: u64 = 0xf;
const SPSR_M_EL0T: u64 = 0b0000;
const SPSR_M_EL1T: u64 = 0b0100;
const SPSR_M_EL1H: u64 = 0b0101;
/** D, A, I, F [9:6]: all masked on exception entry to EL1. */
const SPSR_DAIF: u64 = 0xf << 6;
/** N, Z, C, V [31:28]: unchanged by exception entry. PAN [22] too: the boards' Cortex-A72 is
 * ARMv8.0, without FEAT_PAN, so entry has nothing to set there. */
const SPSR_KEEP: u64 = 0xf0000000;

// Offsets of the vector groups from VBAR_EL1 (ARM ARM D1.10.2, table "Vector offsets from
// vector table base address"); synchronous is the first entry (+0) of each group.
const VECTOR_CUR_SP0: u64 = 0x000;
const VECTOR_CUR_SPX: u64 = 0x200;
const VECTOR_LOWER_A64: u64 = 0x400;
/** VBAR_EL1 bits [10:0] are RES0. */
const VBAR_MASK: u64 = ~(<u64>0x7ff);

/** Outcome of injectExternalAbort. */
export const INJECTED: i32 = 0;
/** The vCPU was in AArch32 state or in a mode a VM never runs in: nothing was injected. */
export const INJECT_BAD_MODE: i32 = -1;
/** The runtime refused a register access: nothing the guest can see was changed. */
export const INJECT_REFUSED: i32 = -2;

/** ESR_EL1 for a synchronous external abort taken to EL1, from EL0 or from EL1 itself. */
export function externalAbortEsr(data: bool, fromEl0: bool, stage2Esr: u64): u64 {
  const ec: u32 = data ? (fromEl0 ? EC_DABT_LOW : EC_DABT_CUR) : (fromEl0 ? EC_IABT_LOW : EC_IABT_CUR);
  const keep = data ? (stage2Esr & DABT_ISS_KEEP) : 0;
  return (<u64>ec << ESR_EC_SHIFT) | ESR_IL | keep | FSC_SYNC_EXTERNAL;
}

/** The vector offset for a synchronous exception taken to EL1 from mode `m`, or -1. */
function vectorOffset(m: u64): i64 {
  if (m == SPSR_M_EL0T) return <i64>VECTOR_LOWER_A64;
  if (m == SPSR_M_EL1T) return <i64>VECTOR_CUR_SP0;
  if (m == SPSR_M_EL1H) return <i64>VECTOR_CUR_SPX;
  return -1;
}

/**
 * Make vCPU `vcpu` take a synchronous external abort for the access that trapped with
 * `stage2Esr` (a data abort when `data`) at virtual address `va`. The preferred return
 * address is the faulting instruction itself (the PC of the exit, ARM ARM D1.10.1). The
 * exit record's PC and SPSR become the vector entry and EL1h with DAIF masked; the caller
 * resumes the vCPU. INJECTED, or INJECT_BAD_MODE / INJECT_REFUSED with nothing changed.
 */
export function injectExternalAbort(vcpu: u32, data: bool, stage2Esr: u64, va: u64): i32 {
  const spsr = exitSpsr();
  if ((spsr & SPSR_M_AARCH32) != 0) return INJECT_BAD_MODE;
  const offset = vectorOffset(spsr & SPSR_M_MASK);
  if (offset < 0) return INJECT_BAD_MODE;
  const v = <i32>vcpu;
  const vbar = wv_sysreg_read(v, SYSREG_VBAR_EL1) & VBAR_MASK;
  const esr = externalAbortEsr(data, (spsr & SPSR_M_MASK) == SPSR_M_EL0T, stage2Esr);
  // ESR and FAR first: a refusal there leaves the guest's return state untouched.
  if (wv_sysreg_write(v, SYSREG_ESR_EL1, esr) != WV_OK) return INJECT_REFUSED;
  if (wv_sysreg_write(v, SYSREG_FAR_EL1, va) != WV_OK) return INJECT_REFUSED;
  if (wv_sysreg_write(v, SYSREG_SPSR_EL1, spsr) != WV_OK) return INJECT_REFUSED;
  if (wv_sysreg_write(v, SYSREG_ELR_EL1, exitPc()) != WV_OK) return INJECT_REFUSED;
  exitSetSpsr((spsr & SPSR_KEEP) | SPSR_DAIF | SPSR_M_EL1H);
  exitSetPc(vbar + <u64>offset);
  return INJECTED;
}
