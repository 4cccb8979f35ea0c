import { freshGicVm, msr, mrs } from "../../__tests__/gic";
import { pmuGet, pmuSet, pmuWriteCount, pmuRefused } from "../../__tests__/fake";
import { pc, START_PC } from "../../__tests__/exit";
import { ACTION_RESUME } from "../../abi/exit_record";
import { PMU_CCFILTR, PMU_CCNTR, PMU_EVCNTR0, PMU_EVTYPER0, PMU_FILTER_NSH, PMU_SELR, PMU_SWINC, PMU_PMCR,
  PMU_INTENSET, PMU_USERENR, PMU_CNTENSET, PMU_OVSSET } from "../../abi/pmu_regs";
import { vmState, VM_RUNNING } from "../../core/vm";
import { sysregEncode, SYSREG_ACTLR_EL1 } from "../esr";
import { isPmuRegister, pmuEventKey } from "../pmu";

const PMCR_EL0: u32 = sysregEncode(3, 3, 9, 12, 0);
const PMSWINC_EL0: u32 = sysregEncode(3, 3, 9, 12, 4);
const PMSELR_EL0: u32 = sysregEncode(3, 3, 9, 12, 5);
const PMCEID0_EL0: u32 = sysregEncode(3, 3, 9, 12, 6);
const PMCCNTR_EL0: u32 = sysregEncode(3, 3, 9, 13, 0);
const PMXEVTYPER_EL0: u32 = sysregEncode(3, 3, 9, 13, 1);
const PMXEVCNTR_EL0: u32 = sysregEncode(3, 3, 9, 13, 2);
const PMUSERENR_EL0: u32 = sysregEncode(3, 3, 9, 14, 0);
const PMINTENSET_EL1: u32 = sysregEncode(3, 0, 9, 14, 1);
const PMCCFILTR_EL0: u32 = pmuEventKey(true, 31);
const EVENTS: u32 = 6;     // the fake host's PMCR_EL0.N
const P_U: u64 = (1 << 31) | (1 << 30);
const CPU_CYCLES: u64 = 0x11;

describe("PMU accesses a guest makes (MDCR_EL2.TPM)", () => {
  it("never let a counter count at EL2: NSH is cleared on the way and reads as 0", () => {
    expect(freshGicVm(1)).toBe(0);
    expect(msr(0, PMCCFILTR_EL0, P_U | PMU_FILTER_NSH)).toBe(ACTION_RESUME);
    expect(pmuGet(PMU_CCFILTR)).toBe(P_U);
    expect(mrs(0, PMCCFILTR_EL0)).toBe(P_U);
    expect(msr(0, pmuEventKey(true, 2), PMU_FILTER_NSH | CPU_CYCLES)).toBe(ACTION_RESUME);
    expect(pmuGet(PMU_EVTYPER0 + 2)).toBe(CPU_CYCLES);
    expect(pmuRefused()).toBe(0);
    expect(vmState()).toBe(VM_RUNNING);
  });

  it("clears NSH through PMXEVTYPER_EL0 too, for an event counter and for the cycle filter", () => {
    expect(freshGicVm(1)).toBe(0);
    msr(0, PMSELR_EL0, 4);
    expect(pmuGet(PMU_SELR)).toBe(4);
    msr(0, PMXEVTYPER_EL0, ~0);
    expect(pmuGet(PMU_EVTYPER0 + 4)).toBe(~PMU_FILTER_NSH);
    msr(0, PMSELR_EL0, 31);
    msr(0, PMXEVTYPER_EL0, PMU_FILTER_NSH | P_U);
    expect(pmuGet(PMU_CCFILTR)).toBe(P_U);
    expect(pmuRefused()).toBe(0);
  });

  it("passes counters and controls through to the vCPU's own registers", () => {
    expect(freshGicVm(1)).toBe(0);
    pmuSet(PMU_CCNTR, 0x123456789);
    expect(mrs(0, PMCCNTR_EL0)).toBe(0x123456789);
    expect(pc()).toBe(START_PC + 4);
    msr(0, PMCCNTR_EL0, 5);
    expect(pmuGet(PMU_CCNTR)).toBe(5);
    msr(0, pmuEventKey(false, EVENTS - 1), 77);
    expect(pmuGet(PMU_EVCNTR0 + EVENTS - 1)).toBe(77);
    msr(0, PMSELR_EL0, EVENTS - 1);
    expect(mrs(0, PMXEVCNTR_EL0)).toBe(77);
    msr(0, PMUSERENR_EL0, 1);
    expect(pmuGet(PMU_USERENR)).toBe(1);
    msr(0, PMINTENSET_EL1, 3);
    expect(pmuGet(PMU_INTENSET)).toBe(3);
    expect(mrs(0, PMCR_EL0) >> 11).toBe(EVENTS);
    expect(pmuGet(PMU_PMCR) >> 11).toBe(EVENTS);
  });

  it("counts PMSWINC_EL0 writes itself, in enabled SW_INCR counters not filtered at the guest's EL", () => {
    expect(freshGicVm(1)).toBe(0);
    pmuSet(PMU_PMCR, (<u64>EVENTS << 11) | 1);                  // E = 1
    pmuSet(PMU_CNTENSET, 0b1111);
    pmuSet(PMU_EVTYPER0 + 0, 0);                                // SW_INCR
    pmuSet(PMU_EVTYPER0 + 1, CPU_CYCLES);                       // another event
    pmuSet(PMU_EVTYPER0 + 2, 1 << 30);                          // SW_INCR, not at EL0 (SPSR 0 here: EL0t)
    pmuSet(PMU_EVTYPER0 + 3, 0);
    pmuSet(PMU_EVCNTR0 + 3, 0xffffffff);                        // about to overflow
    pmuSet(PMU_EVTYPER0 + 4, 0);                                // SW_INCR, not enabled
    expect(msr(0, PMSWINC_EL0, 0b11111)).toBe(ACTION_RESUME);
    expect(pmuGet(PMU_EVCNTR0 + 0)).toBe(1);
    expect(pmuGet(PMU_EVCNTR0 + 1)).toBe(0);
    expect(pmuGet(PMU_EVCNTR0 + 2)).toBe(0);
    expect(pmuGet(PMU_EVTYPER0 + 2)).toBe(1 << 30);
    expect(pmuGet(PMU_EVCNTR0 + 3)).toBe(0);
    expect(pmuGet(PMU_OVSSET)).toBe(0b1000);
    expect(pmuGet(PMU_EVCNTR0 + 4)).toBe(0);
    expect(pmuGet(PMU_SWINC)).toBe(0);                          // never written at EL2
    pmuSet(PMU_PMCR, <u64>EVENTS << 11);                        // E = 0: nothing counts
    msr(0, PMSWINC_EL0, 1);
    expect(pmuGet(PMU_EVCNTR0 + 0)).toBe(1);
  });

  it("reads counters the CPU lacks as zero and ignores writes to them", () => {
    expect(freshGicVm(1)).toBe(0);
    const writes = pmuWriteCount();
    expect(msr(0, pmuEventKey(false, EVENTS), 9)).toBe(ACTION_RESUME);
    expect(msr(0, pmuEventKey(true, 30), 9)).toBe(ACTION_RESUME);
    msr(0, PMSELR_EL0, 31);                       // PMXEVCNTR_EL0 with SEL = 31
    msr(0, PMXEVCNTR_EL0, 9);
    expect(mrs(0, PMXEVCNTR_EL0)).toBe(0);
    msr(0, PMSELR_EL0, 20);
    msr(0, PMXEVTYPER_EL0, 9);
    expect(mrs(0, PMXEVTYPER_EL0)).toBe(0);
    expect(mrs(0, pmuEventKey(false, EVENTS))).toBe(0);
    msr(0, PMCEID0_EL0, 1);                       // read-only
    expect(pmuWriteCount()).toBe(writes + 2);     // only the two PMSELR_EL0 writes
    expect(mrs(0, PMSWINC_EL0)).toBe(0);          // write-only
    expect(pmuRefused()).toBe(0);
    expect(vmState()).toBe(VM_RUNNING);
  });

  it("knows the PMU's encodings and no others", () => {
    expect(isPmuRegister(PMCR_EL0)).toBe(true);
    expect(isPmuRegister(PMINTENSET_EL1)).toBe(true);
    expect(isPmuRegister(PMCCFILTR_EL0)).toBe(true);
    expect(isPmuRegister(pmuEventKey(false, 0))).toBe(true);
    expect(isPmuRegister(sysregEncode(3, 3, 9, 13, 3))).toBe(false);
    expect(isPmuRegister(sysregEncode(3, 3, 14, 2, 1))).toBe(false);   // CNTP_CTL_EL0
    expect(isPmuRegister(sysregEncode(3, 0, 9, 14, 0))).toBe(false);
    expect(isPmuRegister(SYSREG_ACTLR_EL1)).toBe(false);
  });
});
