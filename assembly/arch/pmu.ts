// The PMU as a guest sees it. MDCR_EL2.TPM traps every PMU register access from EL1
// and EL0 (runtime-c/core/debug_regs.c), and this emulates it on the registers of the
// physical CPU, which hold the exiting vCPU's own PMU state (the runtime swaps them at
// a vCPU switch): the one thing changed on the way is the NSH bit of the cycle counter
// filter and of the event type registers, which would let the counters count at EL2,
// the hypervisor's cycles (ARM ARM, PMCCFILTR_EL0 and PMEVTYPER<n>_EL0: on an ARMv8.0
// PMU nothing else keeps EL2 from being counted). NSH reads as 0.
// PMSWINC_EL0 is emulated outright: written at EL2 its increments would be filtered as
// EL2's, so the core increments the guest's software-increment counters itself.
// Counters the CPU lacks (n >= PMCR_EL0.N), and PMXEVCNTR_EL0 with PMSELR_EL0.SEL = 31,
// are CONSTRAINED UNPREDICTABLE; they read as zero and ignore writes here, one of the
// permitted behaviours (ARM ARM, PMEVCNTR<n>_EL0, PMXEVCNTR_EL0).

import { wv_pmu_read, wv_pmu_write, WV_OK } from "../abi/imports";
import { exitSpsr } from "../abi/exit_record";
import { PMU_PMCR, PMU_CNTENSET, PMU_SWINC, PMU_SELR, PMU_CEID0, PMU_CEID1, PMU_CCNTR, PMU_USERENR, PMU_INTENSET,
  PMU_INTENCLR, PMU_OVSSET, PMU_CCFILTR, PMU_EVCNTR0, PMU_EVTYPER0, PMU_FILTER_NSH } from "../abi/pmu_regs";
import { sysregEncode } from "./esr";

// Encodings (op0 3 for all; ARM ARM, the registers' descriptions).
const OP0: u32 = 3;
const OP1_EL0: u32 = 3;
const OP1_EL1: u32 = 0;
const CRN_PMU: u32 = 9;
const CRN_EVENT: u32 = 14;
const CRM_CTRL: u32 = 12;       // PMCR .. PMCEID1, op2 0..7
const CRM_COUNT: u32 = 13;      // PMCCNTR, PMXEVTYPER, PMXEVCNTR, op2 0..2
const CRM_USER: u32 = 14;       // PMUSERENR op2 0, PMOVSSET op2 3; PMINTENSET/CLR (op1 0) op2 1/2
const CRM_EVCNTR: u32 = 8;      // CRn 14, CRm 0b10:n[4:3], op2 n[2:0]
const CRM_EVTYPER: u32 = 12;    // CRn 14, CRm 0b11:n[4:3], op2 n[2:0]; n = 31 is PMCCFILTR_EL0
const CRM_SPAN: u32 = 4;
const OP2_PMXEVTYPER: u32 = 1;
const OP2_PMXEVCNTR: u32 = 2;
const OP2_PMUSERENR: u32 = 0;
const OP2_PMOVSSET: u32 = 3;
const OP2_PMINTENSET: u32 = 1;
const OP2_PMINTENCLR: u32 = 2;
const PMCCFILTR_INDEX: u32 = 31;

/** PMCR_EL0.N [15:11]: the event counters. */
const PMCR_N_SHIFT: u64 = 11;
const PMCR_N_MASK: u64 = 0x1f;
/** PMSELR_EL0.SEL [4:0]. */
const PMSELR_SEL_MASK: u64 = 0x1f;
/** PMCR_EL0.E [0] counters enabled, LP [7] 64-bit event counters (FEAT_PMUv3p5). */
const PMCR_E: u64 = 1;
const PMCR_LP: u64 = 1 << 7;
/** Event type registers: P [31] not at EL1, U [30] not at EL0, evtCount [15:0]. */
const FILTER_P: u64 = 1 << 31;
const FILTER_U: u64 = 1 << 30;
const EVTCOUNT_MASK: u64 = 0xffff;
/** The common event SW_INCR (ARM ARM, Performance Monitors Extension, common events). */
const EVENT_SW_INCR: u64 = 0x00;
/** Event counters without PMCR_EL0.LP are 32 bits wide; they overflow past this. */
const COUNTER32_MASK: u64 = 0xffffffff;
/** SPSR_EL2.M[3:2]: the Exception level the access came from. */
const SPSR_EL_SHIFT: u64 = 2;
const SPSR_EL_MASK: u64 = 3;
const EL0: u64 = 0;
/** Not a PMU register, or one that reads as zero and ignores writes. */
const NONE: i32 = -1;

/** Key fields, as esr.ts sysregKey lays them out. */
@inline function keyOp0(k: u32): u32 { return (k >> 20) & 3; }
@inline function keyOp2(k: u32): u32 { return (k >> 17) & 7; }
@inline function keyOp1(k: u32): u32 { return (k >> 14) & 7; }
@inline function keyCrn(k: u32): u32 { return (k >> 10) & 0xf; }
@inline function keyCrm(k: u32): u32 { return (k >> 1) & 0xf; }

/** Is `key` (esr.ts sysregKey) a PMU register? */
export function isPmuRegister(key: u32): bool {
  if (keyOp0(key) != OP0) return false;
  const op1 = keyOp1(key), crn = keyCrn(key), crm = keyCrm(key), op2 = keyOp2(key);
  if (op1 == OP1_EL1) return crn == CRN_PMU && crm == CRM_USER && (op2 == OP2_PMINTENSET || op2 == OP2_PMINTENCLR);
  if (op1 != OP1_EL0) return false;
  if (crn == CRN_EVENT) return crm >= CRM_EVCNTR;
  if (crn != CRN_PMU) return false;
  if (crm == CRM_CTRL) return true;
  if (crm == CRM_COUNT) return op2 <= OP2_PMXEVCNTR;
  return crm == CRM_USER && (op2 == OP2_PMUSERENR || op2 == OP2_PMOVSSET);
}

function counters(): u32 {
  return <u32>((wv_pmu_read(PMU_PMCR) >> PMCR_N_SHIFT) & PMCR_N_MASK);
}

/** Event counter `n`'s register (`base` PMU_EVCNTR0 or PMU_EVTYPER0), the cycle filter for
 * type index 31, or NONE for a counter the CPU lacks. */
function counterReg(base: i32, n: u32): i32 {
  if (base == PMU_EVTYPER0 && n == PMCCFILTR_INDEX) return PMU_CCFILTR;
  return n < counters() ? base + <i32>n : NONE;
}

/** The import register a key names (PMXEV* through PMSELR_EL0), or NONE. */
function regOf(key: u32): i32 {
  const op1 = keyOp1(key), crn = keyCrn(key), crm = keyCrm(key), op2 = keyOp2(key);
  if (crn == CRN_EVENT) {
    const n = ((crm & (CRM_SPAN - 1)) << 3) | op2;
    return counterReg(crm >= CRM_EVTYPER ? PMU_EVTYPER0 : PMU_EVCNTR0, n);
  }
  if (op1 == OP1_EL1) return op2 == OP2_PMINTENSET ? PMU_INTENSET : PMU_INTENCLR;
  if (crm == CRM_CTRL) return <i32>op2;           // PMU_PMCR .. PMU_CEID1 follow op2
  if (crm == CRM_USER) return op2 == OP2_PMUSERENR ? PMU_USERENR : PMU_OVSSET;
  if (op2 == 0) return PMU_CCNTR;
  const sel = <u32>(wv_pmu_read(PMU_SELR) & PMSELR_SEL_MASK);
  if (op2 == OP2_PMXEVTYPER) return counterReg(PMU_EVTYPER0, sel);
  return sel == PMCCFILTR_INDEX ? NONE : counterReg(PMU_EVCNTR0, sel);
}

@inline function isFilter(reg: i32): bool {
  return reg == PMU_CCFILTR || (reg >= PMU_EVTYPER0 && reg < PMU_EVTYPER0 + <i32>PMCCFILTR_INDEX);
}

/** PMSWINC_EL0 := `value`: each counter n with bit n set that counts SW_INCR, is enabled
 * (PMCR_EL0.E, PMCNTENSET_EL0) and not filtered out at the writer's Exception level goes
 * up by one; an overflow sets its PMOVSSET_EL0 bit (ARM ARM, PMSWINC_EL0). */
function softwareIncrement(value: u64): bool {
  const pmcr = wv_pmu_read(PMU_PMCR);
  if ((pmcr & PMCR_E) == 0) return true;
  const enabled = value & wv_pmu_read(PMU_CNTENSET);
  const filter = ((exitSpsr() >> SPSR_EL_SHIFT) & SPSR_EL_MASK) == EL0 ? FILTER_U : FILTER_P;
  const n = counters();
  for (let i: u32 = 0; i < n; i++) {
    const bit: u64 = (<u64>1) << i;
    if ((enabled & bit) == 0) continue;
    const type = wv_pmu_read(PMU_EVTYPER0 + <i32>i);
    if ((type & EVTCOUNT_MASK) != EVENT_SW_INCR || (type & filter) != 0) continue;
    let c = wv_pmu_read(PMU_EVCNTR0 + <i32>i) + 1;
    if ((pmcr & PMCR_LP) == 0) c &= COUNTER32_MASK;
    if (wv_pmu_write(PMU_EVCNTR0 + <i32>i, c) != WV_OK) return false;
    if (c == 0 && wv_pmu_write(PMU_OVSSET, bit) != WV_OK) return false;
  }
  return true;
}

/** A trapped read of PMU register `key` (esr.ts sysregKey). */
export function pmuRead(key: u32): u64 {
  const reg = regOf(key);
  // PMSWINC_EL0 is write-only (a read is UNDEFINED): here it reads as zero.
  return reg == NONE || reg == PMU_SWINC ? 0 : wv_pmu_read(reg);
}

/** A trapped write of `value` to PMU register `key`; false when the runtime refused it. */
export function pmuWrite(key: u32, value: u64): bool {
  const reg = regOf(key);
  if (reg == NONE || reg == PMU_CEID0 || reg == PMU_CEID1) return true;   // read-only: ignored
  if (reg == PMU_SWINC) return softwareIncrement(value);
  return wv_pmu_write(reg, isFilter(reg) ? value & ~PMU_FILTER_NSH : value) == WV_OK;
}

/** The key of PMEVCNTR<n>_EL0 (n < 31) or PMEVTYPER<n>_EL0 (n <= 31, 31 is PMCCFILTR_EL0). */
export function pmuEventKey(type: bool, n: u32): u32 {
  return sysregEncode(OP0, OP1_EL0, CRN_EVENT, (type ? CRM_EVTYPER : CRM_EVCNTR) | (n >> 3), n & 7);
}
