// The VM's exit counters by class (what management lists: docs/abi.md section 2, the VM
// info record): every exit arch/exits.ts handles is counted once, in its class.
import { handleExit } from "../exits";
import { SYSREG_ACTLR_EL1 } from "../esr";
import { vmExitCount } from "../../core/exit_counters";
import { VM_EXIT_DATA_ABORT, VM_EXIT_HVC, VM_EXIT_SYSREG, VM_EXIT_WFX, VM_EXIT_IRQ, VM_EXIT_OTHER,
  VM_EXIT_CLASSES } from "../../core/layout";
import { freshVm } from "../../__tests__/setup";
import { freshGicVm, irqExit } from "../../__tests__/gic";
import { exitWith, faultAt, dabtEsr, hvcEsr, setReg, IL } from "../../__tests__/exit";

const UART: u64 = 0x09000000;
const KICK_SGI: u32 = 8;

/** The six counters as "d h s w i o". */
function counts(): string {
  let s = "";
  for (let c: u32 = 0; c < VM_EXIT_CLASSES; c++) s += (c > 0 ? " " : "") + vmExitCount(c).toString();
  return s;
}

function hvc(): void {
  exitWith(hvcEsr(0));
  setReg(0, 0xc6000000);
  handleExit(0);
}

describe("exit counters of the VM", () => {
  it("start at zero for a new VM", () => {
    expect(freshVm()).toBe(0);
    expect(counts()).toBe("0 0 0 0 0 0");
  });

  it("count a hypercall, and an SMC, as hvc", () => {
    expect(freshVm()).toBe(0);
    hvc();
    hvc();
    exitWith((<u64>0x17 << 26) | IL);
    setReg(0, 0x84000000);   // PSCI_VERSION by SMC
    handleExit(0);
    expect(vmExitCount(VM_EXIT_HVC)).toBe(3);
    expect(counts()).toBe("0 3 0 0 0 0");
  });

  it("count MMIO accesses and faulting data aborts as data_abort", () => {
    expect(freshVm()).toBe(0);
    exitWith(dabtEsr(1, 0, 0, 4, 0, 1, 0x07));
    faultAt(UART);
    handleExit(0);
    expect(vmExitCount(VM_EXIT_DATA_ABORT)).toBe(1);
    exitWith(dabtEsr(1, 2, 0, 1, 0, 0, 0x06));
    faultAt(0x10000000);
    handleExit(0);   // stops the VM, but was an exit
    expect(counts()).toBe("2 0 0 0 0 0");
  });

  it("count trapped system registers as sysreg", () => {
    expect(freshVm()).toBe(0);
    exitWith((<u64>0x18 << 26) | IL | <u64>(SYSREG_ACTLR_EL1 | (6 << 5) | 1));
    handleExit(0);
    expect(counts()).toBe("0 0 1 0 0 0");
    expect(vmExitCount(VM_EXIT_SYSREG)).toBe(1);
  });

  it("count WFI and WFE as wfx", () => {
    expect(freshVm()).toBe(0);
    exitWith((<u64>0x01 << 26) | IL);
    handleExit(0);
    exitWith((<u64>0x01 << 26) | IL | 1);
    handleExit(0);
    expect(vmExitCount(VM_EXIT_WFX)).toBe(2);
    expect(counts()).toBe("0 0 0 2 0 0");
  });

  it("count IRQ exits as irq, whatever the stale ESR says", () => {
    expect(freshGicVm(2)).toBe(0);
    irqExit(0, KICK_SGI);
    irqExit(1, KICK_SGI);
    expect(vmExitCount(VM_EXIT_IRQ)).toBe(2);
    expect(counts()).toBe("0 0 0 0 2 0");
  });

  it("count instruction aborts, unknown classes and exits for a vCPU it lacks as other", () => {
    expect(freshVm()).toBe(0);
    exitWith((<u64>0x20 << 26) | IL | 0x0f);
    faultAt(0x50000000);
    handleExit(0);
    expect(counts()).toBe("0 0 0 0 0 1");
    expect(freshVm()).toBe(0);
    exitWith((<u64>0x07 << 26) | IL);
    handleExit(0);
    expect(freshVm()).toBe(0);
    exitWith(hvcEsr(0));
    handleExit(5);
    expect(vmExitCount(VM_EXIT_OTHER)).toBe(1);
  });

  it("count nothing once the VM is stopped", () => {
    expect(freshVm()).toBe(0);
    exitWith((<u64>0x07 << 26) | IL);
    handleExit(0);
    hvc();
    hvc();
    expect(counts()).toBe("0 0 0 0 0 1");
  });
});
