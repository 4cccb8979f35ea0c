import { handleExit, faultIpa, signExtend, exitCount, EXIT_CLASS_HVC, EXIT_CLASS_MMIO, EXIT_CLASS_WFI,
  EXIT_CLASS_WFE, EXIT_CLASS_SYSREG, EXIT_CLASS_IABT, EXIT_CLASS_OTHER } from "../exits";
import { ACTION_RESUME, ACTION_IDLE, ACTION_STOP, ACTION_YIELD } from "../../abi/exit_record";
import { SYSREG_ACTLR_EL1, sysregEncode } from "../esr";
import { UARTCR, UARTFR_VALUE } from "../../devices/pl011";
import { mmioWrite } from "../../devices/mmio";
import { vmState, VM_STOPPED, VM_RUNNING } from "../../core/vm";
import { consolePending } from "../../core/console";
import { freshVm } from "../../__tests__/setup";
import { exitWith, faultAt, dabtEsr, hvcEsr, setReg, reg, pc, IL, START_PC } from "../../__tests__/exit";
import { lastConsole, stopCount, consoleCount } from "../../__tests__/fake";

const UART: u64 = 0x09000000;

/** A data abort on the PL011 at `offset`. */
function dabt(offset: u64, isv: u32, sas: u32, sse: u32, srt: u32, sf: u32, wnr: u32): i32 {
  exitWith(dabtEsr(isv, sas, sse, srt, sf, wnr, 0x07));
  faultAt(UART + offset);
  return handleExit(0);
}

describe("fault address", () => {
  it("combines HPFAR_EL2.FIPA with the page offset of FAR_EL2", () => {
    exitWith(0);
    faultAt(0x7fff123456789);
    expect(faultIpa()).toBe(0x7fff123456789);
  });
});

describe("MMIO data aborts", () => {
  it("sends a byte stored to UARTDR to the console and steps over the store", () => {
    expect(freshVm()).toBe(0);
    setReg(4, 0x41);
    exitWith(dabtEsr(1, 0, 0, 4, 0, 1, 0x07));
    setReg(4, 0x41);
    faultAt(UART);
    expect(handleExit(0)).toBe(ACTION_RESUME);
    expect(consolePending()).toBe(1);
    expect(pc()).toBe(START_PC + 4);
    expect(exitCount(0, EXIT_CLASS_MMIO)).toBe(1);
  });

  it("loads UARTFR zero-extended into a W register", () => {
    expect(freshVm()).toBe(0);
    exitWith(dabtEsr(1, 2, 0, 5, 0, 0, 0x07));
    setReg(5, 0xffffffffffffffff);
    faultAt(UART + 0x18);
    expect(handleExit(0)).toBe(ACTION_RESUME);
    expect(reg(5)).toBe(<u64>UARTFR_VALUE);
  });

  it("sign-extends a byte load to 64 bits when SSE and SF are set", () => {
    expect(freshVm()).toBe(0);
    mmioWrite(0, UARTCR, 4, 0x80);
    exitWith(dabtEsr(1, 0, 1, 7, 1, 0, 0x07));
    faultAt(UART + UARTCR);
    handleExit(0);
    expect(reg(7)).toBe(0xffffffffffffff80);
  });

  it("sign-extends to 32 bits only for a W register", () => {
    expect(freshVm()).toBe(0);
    mmioWrite(0, UARTCR, 4, 0x8001);
    exitWith(dabtEsr(1, 1, 1, 7, 0, 0, 0x07));
    faultAt(UART + UARTCR);
    handleExit(0);
    expect(reg(7)).toBe(0xffff8001);
  });

  it("stores zero from XZR when SRT is 31", () => {
    expect(freshVm()).toBe(0);
    mmioWrite(0, UARTCR, 4, 0x301);
    exitWith(dabtEsr(1, 2, 0, 31, 0, 1, 0x07));
    faultAt(UART + UARTCR);
    handleExit(0);
    exitWith(dabtEsr(1, 2, 0, 2, 0, 0, 0x07));
    faultAt(UART + UARTCR);
    handleExit(0);
    expect(reg(2)).toBe(0);
  });

  it("discards a load into XZR", () => {
    expect(freshVm()).toBe(0);
    expect(dabt(0x18, 1, 2, 0, 31, 0, 0)).toBe(ACTION_RESUME);
    expect(reg(30)).toBe(0);
  });

  it("stops the VM on an access without a valid syndrome", () => {
    expect(freshVm()).toBe(0);
    expect(dabt(0, 0, 0, 0, 0, 0, 1)).toBe(ACTION_STOP);
    expect(stopCount()).toBe(1);
    expect(vmState()).toBe(VM_STOPPED);
    expect(lastConsole()).toBe(
      "[wasmvisor] vm linux stopped: data abort at IPA 0x9000000, ESR 0x92000047 (no instruction syndrome, ISV=0)\n");
  });

  it("stops the VM on an access to an IPA with neither RAM nor a device", () => {
    expect(freshVm()).toBe(0);
    exitWith(dabtEsr(1, 2, 0, 1, 0, 0, 0x06));
    faultAt(0x10000010);
    expect(handleExit(0)).toBe(ACTION_STOP);
    expect(stopCount()).toBe(1);
    expect(lastConsole()).toBe(
      "[wasmvisor] vm linux stopped: data abort at IPA 0x10000010, ESR 0x93810006 (translation fault level 2)\n");
    expect(pc()).toBe(START_PC);
  });

  it("flushes the VM's pending console line before it reports the stop", () => {
    expect(freshVm()).toBe(0);
    dabt(0, 1, 0, 0, 3, 0, 1);
    exitWith(dabtEsr(1, 2, 0, 1, 0, 0, 0x06));
    faultAt(0x10000000);
    handleExit(0);
    expect(consoleCount()).toBe(2);
  });
});

describe("WFI and WFE", () => {
  it("idles the vCPU on WFI and steps over it", () => {
    expect(freshVm()).toBe(0);
    exitWith((<u64>0x01 << 26) | IL);
    expect(handleExit(0)).toBe(ACTION_IDLE);
    expect(pc()).toBe(START_PC + 4);
    expect(exitCount(0, EXIT_CLASS_WFI)).toBe(1);
  });

  it("yields the physical CPU on WFE and steps over it", () => {
    expect(freshVm()).toBe(0);
    exitWith((<u64>0x01 << 26) | IL | 1);
    expect(handleExit(0)).toBe(ACTION_YIELD);
    expect(pc()).toBe(START_PC + 4);
    expect(exitCount(0, EXIT_CLASS_WFE)).toBe(1);
  });
});

describe("trapped system registers", () => {
  it("reads ACTLR_EL1 as zero and steps over the MRS", () => {
    expect(freshVm()).toBe(0);
    exitWith((<u64>0x18 << 26) | IL | <u64>(SYSREG_ACTLR_EL1 | (6 << 5) | 1));
    setReg(6, 0x1234);
    expect(handleExit(0)).toBe(ACTION_RESUME);
    expect(reg(6)).toBe(0);
    expect(pc()).toBe(START_PC + 4);
  });

  it("ignores a write to ACTLR_EL1", () => {
    expect(freshVm()).toBe(0);
    exitWith((<u64>0x18 << 26) | IL | <u64>(SYSREG_ACTLR_EL1 | (6 << 5)));
    setReg(6, 0x1234);
    expect(handleExit(0)).toBe(ACTION_RESUME);
    expect(reg(6)).toBe(0x1234);
    expect(exitCount(0, EXIT_CLASS_SYSREG)).toBe(1);
  });

  it("stops the VM naming an unknown register", () => {
    expect(freshVm()).toBe(0);
    // MRS x2, S3_1_C15_C2_0 (an IMPLEMENTATION DEFINED register)
    exitWith((<u64>0x18 << 26) | IL | <u64>(sysregEncode(3, 1, 15, 2, 0) | (2 << 5) | 1));
    expect(handleExit(0)).toBe(ACTION_STOP);
    expect(stopCount()).toBe(1);
    expect(lastConsole()).toBe(
      "[wasmvisor] vm linux stopped: unknown system register S3_1_C15_C2_0 (read), ESR 0x62307c45, PC 0x40080000\n");
  });
});

describe("other exits", () => {
  it("stops the VM on an instruction abort, naming the IPA", () => {
    expect(freshVm()).toBe(0);
    exitWith((<u64>0x20 << 26) | IL | 0x0f);
    faultAt(0x50000000);
    expect(handleExit(0)).toBe(ACTION_STOP);
    expect(lastConsole()).toBe(
      "[wasmvisor] vm linux stopped: instruction abort at IPA 0x50000000, ESR 0x8200000f (permission fault level 3)\n");
    expect(exitCount(0, EXIT_CLASS_IABT)).toBe(1);
  });

  it("stops the VM on an exception class it does not handle", () => {
    expect(freshVm()).toBe(0);
    exitWith((<u64>0x07 << 26) | IL);   // a trapped FP access: never enabled, so never expected
    expect(handleExit(0)).toBe(ACTION_STOP);
    expect(lastConsole()).toBe(
      "[wasmvisor] vm linux stopped: unhandled exception class 0x7, ESR 0x1e000000, PC 0x40080000\n");
    expect(exitCount(0, EXIT_CLASS_OTHER)).toBe(1);
  });

  it("answers every exit of a stopped VM with stop, without acting", () => {
    expect(freshVm()).toBe(0);
    exitWith((<u64>0x07 << 26) | IL);
    handleExit(0);
    exitWith(hvcEsr(0));
    expect(handleExit(0)).toBe(ACTION_STOP);
    expect(stopCount()).toBe(1);
    expect(exitCount(0, EXIT_CLASS_HVC)).toBe(0);
  });

  it("stops the VM on an exit for a vCPU it does not have", () => {
    expect(freshVm()).toBe(0);
    exitWith(hvcEsr(0));
    expect(handleExit(3)).toBe(ACTION_STOP);
    expect(lastConsole()).toBe("[wasmvisor] vm linux stopped: exit for vCPU 3, which it does not have\n");
    expect(vmState()).not.toBe(VM_RUNNING);
  });

  it("counts hypercalls per vCPU", () => {
    expect(freshVm()).toBe(0);
    exitWith(hvcEsr(0));
    handleExit(0);
    handleExit(0);
    expect(exitCount(0, EXIT_CLASS_HVC)).toBe(2);
    expect(exitCount(1, EXIT_CLASS_HVC)).toBe(0);
  });
});

describe("sign extension", () => {
  it("extends the top bit of the access size", () => {
    expect(signExtend(0x80, 8)).toBe(0xffffffffffffff80);
    expect(signExtend(0x7f, 8)).toBe(0x7f);
    expect(signExtend(0x8000, 16)).toBe(0xffffffffffff8000);
    expect(signExtend(0x80000000, 32)).toBe(0xffffffff80000000);
  });
});
