import { handleExit } from "../../arch/exits";
import { ACTION_RESUME } from "../../abi/exit_record";
import { WV_HC_NULL, WV_HC_VERSION, WV_HC_PUTC, WV_HC_VM_INFO, WV_HC_REPORT, WV_HC_FEATURES, HC_NOT_SUPPORTED,
  HC_INVALID_PARAMETER, CORE_VERSION } from "../../abi/hypercalls";
import { freshVm } from "../../__tests__/setup";
import { exitWith, hvcEsr, setReg, reg, pc, START_PC } from "../../__tests__/exit";
import { consoleCount, lastConsole, consoleText } from "../../__tests__/fake";
import { consolePending } from "../console";

function hvc(id: u64, x1: u64 = 0, x2: u64 = 0, imm: u32 = 0): i32 {
  exitWith(hvcEsr(imm));
  setReg(0, id);
  setReg(1, x1);
  setReg(2, x2);
  setReg(3, 0x3333);
  return handleExit(0);
}

describe("known hypercalls", () => {
  it("answers WV_HC_NULL with 0 and leaves the PC after the HVC alone", () => {
    expect(freshVm()).toBe(0);
    expect(hvc(WV_HC_NULL)).toBe(ACTION_RESUME);
    expect(reg(0)).toBe(0);
    expect(pc()).toBe(START_PC);
    expect(reg(3)).toBe(0x3333);
  });

  it("reports ABI and core versions", () => {
    expect(freshVm()).toBe(0);
    hvc(WV_HC_VERSION);
    expect(reg(0)).toBe(3);
    expect(reg(1)).toBe(<u64>CORE_VERSION);
    expect(reg(1)).toBe(0x000100);
  });

  it("answers WV_HC_FEATURES with NOT_SUPPORTED in variant 1 (only variant 2 has it), reporting it once", () => {
    expect(freshVm()).toBe(0);
    hvc(WV_HC_FEATURES, 0x77);
    expect(reg(0)).toBe(HC_NOT_SUPPORTED);
    expect(reg(1)).toBe(0x77);
    expect(lastConsole()).toBe("[wasmvisor] vm linux: unknown hypercall 0xc6000005\n");
  });

  it("reports the VM index and vCPU count", () => {
    expect(freshVm()).toBe(0);
    hvc(WV_HC_VM_INFO, 0xdead);
    expect(reg(0)).toBe(0);
    expect(reg(1)).toBe(1);
  });

  it("puts characters on the VM console line", () => {
    expect(freshVm()).toBe(0);
    hvc(WV_HC_PUTC, 0x68);
    hvc(WV_HC_PUTC, 0x69);
    expect(reg(0)).toBe(0);
    expect(consolePending()).toBe(2);
    hvc(WV_HC_PUTC, 0x0a);
    expect(lastConsole()).toBe("[linux] hi\n");
  });

  it("prints a metric report in decimal", () => {
    expect(freshVm()).toBe(0);
    hvc(WV_HC_REPORT, 7, 123456789);
    expect(reg(0)).toBe(0);
    expect(lastConsole()).toBe("[linux] metric 7 123456789\n");
  });

  it("uses only W0 as the function ID", () => {
    expect(freshVm()).toBe(0);
    hvc(0xffffffff00000000 | <u64>WV_HC_VERSION);
    expect(reg(0)).toBe(3);
  });
});

describe("hypercall argument checks", () => {
  it("refuses WV_HC_PUTC with a value over one byte", () => {
    expect(freshVm()).toBe(0);
    expect(hvc(WV_HC_PUTC, 0x100)).toBe(ACTION_RESUME);
    expect(reg(0)).toBe(HC_INVALID_PARAMETER);
    expect(consolePending()).toBe(0);
  });
});

describe("unknown hypercalls", () => {
  it("answers NOT_SUPPORTED and warns naming the ID", () => {
    expect(freshVm()).toBe(0);
    expect(hvc(0xc6000099)).toBe(ACTION_RESUME);
    expect(reg(0)).toBe(HC_NOT_SUPPORTED);
    expect(lastConsole()).toBe("[wasmvisor] vm linux: unknown hypercall 0xc6000099\n");
  });

  it("warns only once for the same ID", () => {
    expect(freshVm()).toBe(0);
    hvc(0x82000000);   // a SiP service call: nothing of ours
    hvc(0x82000000);
    hvc(0x82000000);
    expect(consoleCount()).toBe(1);
    expect(reg(0)).toBe(HC_NOT_SUPPORTED);
  });

  it("stops warning after eight IDs, saying so once", () => {
    expect(freshVm()).toBe(0);
    for (let i: u64 = 0; i < 12; i++) hvc(0xc6001000 + i);
    expect(consoleCount()).toBe(9);
    expect(consoleText(8)).toBe("[wasmvisor] vm linux: more unknown hypercalls, not reported\n");
  });

  it("treats a non-zero HVC immediate as unknown", () => {
    expect(freshVm()).toBe(0);
    hvc(WV_HC_NULL, 0, 0, 5);
    expect(reg(0)).toBe(HC_NOT_SUPPORTED);
    expect(lastConsole()).toBe("[wasmvisor] vm linux: unknown hypercall 0xc6000000 (HVC #0x5)\n");
  });
});
