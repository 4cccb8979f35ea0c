// Accesses outside every region and device: a synchronous external abort taken to the
// guest's EL1 when the VM's config asks for it (ARM ARM D1.10 "Exception entry"), else a
// stop; and the stop message of an abort on a stage-1 table walk.
import { handleExit } from "../exits";
import { ACTION_RESUME, ACTION_STOP } from "../../abi/exit_record";
import { SYSREG_VBAR_EL1, SYSREG_ELR_EL1, SYSREG_SPSR_EL1, SYSREG_ESR_EL1, SYSREG_FAR_EL1,
  WV_EDENIED } from "../../abi/imports";
import { CFG_VM_FLAG_UNMAPPED_ABORT } from "../../core/config";
import { vmState, VM_STOPPED, VM_RUNNING } from "../../core/vm";
import { freshVm } from "../../__tests__/setup";
import { exitWith, faultAt, dabtEsr, iabtEsr, pc, spsr, setSpsr, IL, START_PC } from "../../__tests__/exit";
import { lastConsole, stopCount, sysregGet, sysregSet, sysregWrites, setSysregResult } from "../../__tests__/fake";

const VBAR: u64 = 0x40001800;
/** Nothing is mapped here in the standard blob (RAM 0x40000000.., PL011 0x09000000). */
const HOLE: u64 = 0x20000010;
/** The VA the guest used: faultAt puts the page offset under a kernel-half VA. */
const HOLE_VA: u64 = 0xffff000000000010;
const TRANSLATION_L2: u32 = 0x06;
const PERMISSION_L3: u32 = 0x0f;
const WNR: u32 = 1;
const EL0T: u64 = 0x0, EL1T: u64 = 0x4, EL1H: u64 = 0x5;
const DAIF: u64 = 0xf << 6;
const NZCV_C: u64 = 1 << 29;

/** A VM that takes external aborts, vCPU 0 in `mode` with the C flag set and VBAR_EL1 at VBAR. */
function abortingVm(mode: u64): void {
  expect(freshVm(1, CFG_VM_FLAG_UNMAPPED_ABORT)).toBe(0);
  sysregSet(0, SYSREG_VBAR_EL1, VBAR);
}

function dataAbortAtHole(mode: u64, wnr: u32): i32 {
  exitWith(dabtEsr(1, 2, 0, 3, 0, wnr, TRANSLATION_L2));
  setSpsr(mode | NZCV_C);
  faultAt(HOLE);
  return handleExit(0);
}

describe("external aborts for accesses outside the VM", () => {
  it("enters the EL1h synchronous vector with ESR, FAR, ELR and SPSR_EL1 set for a data abort from EL1h", () => {
    abortingVm(EL1H);
    expect(dataAbortAtHole(EL1H, WNR)).toBe(ACTION_RESUME);
    expect(pc()).toBe(VBAR + 0x200);
    expect(spsr()).toBe(NZCV_C | DAIF | EL1H);
    // EC 0x25 (data abort, same EL), IL, WnR kept, ISV 0, DFSC 0b010000.
    expect(sysregGet(0, SYSREG_ESR_EL1)).toBe((<u64>0x25 << 26) | IL | (1 << 6) | 0x10);
    expect(sysregGet(0, SYSREG_FAR_EL1)).toBe(HOLE_VA);
    expect(sysregGet(0, SYSREG_ELR_EL1)).toBe(START_PC);
    expect(sysregGet(0, SYSREG_SPSR_EL1)).toBe(NZCV_C | EL1H);
    expect(stopCount()).toBe(0);
    expect(vmState()).toBe(VM_RUNNING);
  });

  it("enters the SP_EL0 group for a data abort from EL1t", () => {
    abortingVm(EL1T);
    expect(dataAbortAtHole(EL1T, 0)).toBe(ACTION_RESUME);
    expect(pc()).toBe(VBAR + 0x000);
    expect(sysregGet(0, SYSREG_ESR_EL1)).toBe((<u64>0x25 << 26) | IL | 0x10);
    expect(sysregGet(0, SYSREG_SPSR_EL1)).toBe(NZCV_C | EL1T);
  });

  it("enters the lower-EL AArch64 group with a lower-EL class for a data abort from EL0", () => {
    abortingVm(EL0T);
    expect(dataAbortAtHole(EL0T, 0)).toBe(ACTION_RESUME);
    expect(pc()).toBe(VBAR + 0x400);
    expect(spsr()).toBe(NZCV_C | DAIF | EL1H);
    expect(sysregGet(0, SYSREG_ESR_EL1)).toBe((<u64>0x24 << 26) | IL | 0x10);
    expect(sysregGet(0, SYSREG_SPSR_EL1)).toBe(NZCV_C | EL0T);
  });

  it("gives an instruction fetch outside the VM an instruction abort, IFSC 0b010000", () => {
    abortingVm(EL1H);
    exitWith(iabtEsr(TRANSLATION_L2));
    setSpsr(EL1H);
    faultAt(HOLE);
    expect(handleExit(0)).toBe(ACTION_RESUME);
    expect(pc()).toBe(VBAR + 0x200);
    expect(sysregGet(0, SYSREG_ESR_EL1)).toBe((<u64>0x21 << 26) | IL | 0x10);
    expect(sysregGet(0, SYSREG_ELR_EL1)).toBe(START_PC);
  });

  it("gives an instruction fetch from EL0 the lower-EL instruction abort class", () => {
    abortingVm(EL0T);
    exitWith(iabtEsr(TRANSLATION_L2));
    setSpsr(EL0T);
    faultAt(HOLE);
    expect(handleExit(0)).toBe(ACTION_RESUME);
    expect(pc()).toBe(VBAR + 0x400);
    expect(sysregGet(0, SYSREG_ESR_EL1)).toBe((<u64>0x20 << 26) | IL | 0x10);
  });

  it("stops a VM whose config does not ask for external aborts", () => {
    expect(freshVm()).toBe(0);
    sysregSet(0, SYSREG_VBAR_EL1, VBAR);
    expect(dataAbortAtHole(EL1H, 0)).toBe(ACTION_STOP);
    expect(stopCount()).toBe(1);
    expect(sysregWrites()).toBe(0);
    expect(pc()).toBe(START_PC);
  });

  it("still stops on a fault inside the VM's RAM, which is not an access outside it", () => {
    abortingVm(EL1H);
    exitWith(dabtEsr(1, 2, 0, 3, 0, WNR, PERMISSION_L3));
    setSpsr(EL1H);
    faultAt(0x40000000);
    expect(handleExit(0)).toBe(ACTION_STOP);
    expect(lastConsole()).toBe(
      "[wasmvisor] vm linux stopped: data abort at IPA 0x40000000, ESR 0x9383004f (permission fault level 3)\n");
    expect(sysregWrites()).toBe(0);
  });

  it("stops, changing nothing, when the vCPU was in AArch32 state", () => {
    abortingVm(EL1H);
    expect(dataAbortAtHole(0x13, 0)).toBe(ACTION_STOP);   // M[4] = 1: AArch32 Supervisor
    expect(lastConsole()).toBe("[wasmvisor] vm linux stopped: data abort at IPA 0x20000010, ESR 0x93830006 "
      + "(no external abort for a vCPU in AArch32 or an unknown mode)\n");
    expect(sysregWrites()).toBe(0);
    expect(pc()).toBe(START_PC);
  });

  it("stops, leaving the PC and PSTATE, when the runtime refuses the EL1 registers", () => {
    abortingVm(EL1H);
    setSysregResult(WV_EDENIED);
    expect(dataAbortAtHole(EL1H, 0)).toBe(ACTION_STOP);
    expect(vmState()).toBe(VM_STOPPED);
    expect(pc()).toBe(START_PC);
    expect(spsr()).toBe(NZCV_C | EL1H);
  });
});

describe("aborts on a stage-1 table walk", () => {
  it("says so when the guest's page-table walk reaches the PL011", () => {
    expect(freshVm()).toBe(0);
    // S1PTW [7] set, ISV 0, translation fault level 1 at the UART page.
    exitWith((<u64>0x24 << 26) | IL | (1 << 7) | 0x05);
    faultAt(0x09000000);
    expect(handleExit(0)).toBe(ACTION_STOP);
    expect(lastConsole()).toBe("[wasmvisor] vm linux stopped: data abort at IPA 0x9000000, ESR 0x92000085 "
      + "(translation fault level 1, on a stage-1 table walk)\n");
  });

  it("stops rather than injects for a walk outside the VM, even when aborts are asked for", () => {
    abortingVm(EL1H);
    exitWith((<u64>0x24 << 26) | IL | (1 << 7) | TRANSLATION_L2);
    setSpsr(EL1H);
    faultAt(HOLE);
    expect(handleExit(0)).toBe(ACTION_STOP);
    expect(lastConsole()).toBe("[wasmvisor] vm linux stopped: data abort at IPA 0x20000010, ESR 0x92000086 "
      + "(translation fault level 2, on a stage-1 table walk)\n");
  });
});
