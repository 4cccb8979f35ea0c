import { freshGicVm, msr, mrs } from "../../__tests__/gic";
import { consoleCount, lastConsole } from "../../__tests__/fake";
import { pc, START_PC } from "../../__tests__/exit";
import { ACTION_RESUME } from "../../abi/exit_record";
import { vmState, VM_RUNNING } from "../../core/vm";
import { SYSREG_CNTP_CTL_EL0, SYSREG_CNTP_CVAL_EL0, SYSREG_CNTP_TVAL_EL0 } from "../timer";

describe("the EL1 physical timer", () => {
  it("reads as a timer that is not enabled and never fires", () => {
    expect(freshGicVm(1)).toBe(0);
    expect(mrs(0, SYSREG_CNTP_CTL_EL0)).toBe(0);
    expect(mrs(0, SYSREG_CNTP_CVAL_EL0)).toBe(0);
    expect(mrs(0, SYSREG_CNTP_TVAL_EL0)).toBe(0);
    expect(pc()).toBe(START_PC + 4);
  });

  it("ignores writes, and the guest keeps running", () => {
    expect(freshGicVm(1)).toBe(0);
    expect(msr(0, SYSREG_CNTP_CVAL_EL0, 0x1234)).toBe(ACTION_RESUME);
    expect(msr(0, SYSREG_CNTP_CTL_EL0, 1)).toBe(ACTION_RESUME);
    expect(mrs(0, SYSREG_CNTP_CTL_EL0)).toBe(0);
    expect(mrs(0, SYSREG_CNTP_CVAL_EL0)).toBe(0);
    expect(vmState()).toBe(VM_RUNNING);
  });

  it("prints one warning, at the first access", () => {
    expect(freshGicVm(1)).toBe(0);
    msr(0, SYSREG_CNTP_CTL_EL0, 1);
    expect(consoleCount()).toBe(1);
    expect(lastConsole()).toBe(
      "[wasmvisor] vm linux: the EL1 physical timer (CNTP_*) is not available to guests; it never fires (use the virtual timer)\n");
    mrs(0, SYSREG_CNTP_TVAL_EL0);
    msr(0, SYSREG_CNTP_CVAL_EL0, 5);
    expect(consoleCount()).toBe(1);
  });
});
