import { handleExit } from "../exits";
import { ACTION_RESUME, ACTION_IDLE, ACTION_STOP, exitRecord, exitSelect, EXIT_ESR } from "../../abi/exit_record";
import { PSCI_VERSION, PSCI_CPU_ON_64, PSCI_CPU_OFF, PSCI_AFFINITY_INFO_64, PSCI_FEATURES,
  PSCI_CPU_SUSPEND_64, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, PSCI_MIGRATE_INFO_TYPE, SMCCC_VERSION,
  SMCCC_ARCH_FEATURES, PSCI_SUCCESS, PSCI_NOT_SUPPORTED, PSCI_INVALID_PARAMETERS, PSCI_ALREADY_ON,
  PSCI_INVALID_ADDRESS, PSCI_INTERNAL_FAILURE, ACTION_OFF, ACTION_RESET, vcpuIsOn } from "../psci";
import { freshVm } from "../../__tests__/setup";
import { exitWith, hvcEsr, setReg, reg, pc, START_PC, IL } from "../../__tests__/exit";
import { bootCalls, bootVcpu, bootPc, bootX0, setBootResult, stopCount, lastConsole } from "../../__tests__/fake";
import { RAM_IPA } from "../../__tests__/blob";

const ENTRY: u64 = RAM_IPA + 0x1000;

function call(id: u64, x1: u64 = 0, x2: u64 = 0, x3: u64 = 0, vcpu: i32 = 0): i32 {
  exitSelect(<u32>vcpu);
  exitWith(hvcEsr(0));
  setReg(0, id);
  setReg(1, x1);
  setReg(2, x2);
  setReg(3, x3);
  return handleExit(vcpu);
}

function smc(id: u64): i32 {
  exitWith((<u64>0x17 << 26) | IL);
  setReg(0, id);
  return handleExit(0);
}

describe("PSCI discovery", () => {
  it("reports PSCI 1.1 and SMCCC 1.1", () => {
    expect(freshVm(2)).toBe(0);
    expect(call(PSCI_VERSION)).toBe(ACTION_RESUME);
    expect(reg(0)).toBe(0x10001);
    call(SMCCC_VERSION);
    expect(reg(0)).toBe(0x10001);
  });

  it("lists the functions it implements and no others", () => {
    expect(freshVm(2)).toBe(0);
    call(PSCI_FEATURES, PSCI_CPU_ON_64);
    expect(reg(0)).toBe(PSCI_SUCCESS);
    call(PSCI_FEATURES, 0x8400000C);   // SYSTEM_SUSPEND
    expect(reg(0)).toBe(PSCI_NOT_SUPPORTED);
    call(SMCCC_ARCH_FEATURES, 0x80008000);
    expect(reg(0)).toBe(PSCI_NOT_SUPPORTED);
    call(PSCI_MIGRATE_INFO_TYPE);
    expect(reg(0)).toBe(2);
  });
});

describe("PSCI CPU_ON and AFFINITY_INFO", () => {
  it("boots a secondary vCPU at its entry with its context id", () => {
    expect(freshVm(2)).toBe(0);
    const before = bootCalls();
    expect(call(PSCI_CPU_ON_64, 1, ENTRY, 0xc0ffee)).toBe(ACTION_RESUME);
    expect(reg(0)).toBe(PSCI_SUCCESS);
    expect(bootCalls()).toBe(before + 1);
    expect(bootVcpu(before)).toBe(1);
    expect(bootPc(before)).toBe(ENTRY);
    expect(bootX0(before)).toBe(0xc0ffee);
    expect(vcpuIsOn(1)).toBe(true);
    expect(pc()).toBe(START_PC);
  });

  it("answers ALREADY_ON for a running vCPU, vCPU 0 included", () => {
    expect(freshVm(2)).toBe(0);
    call(PSCI_CPU_ON_64, 0, ENTRY);
    expect(reg(0)).toBe(PSCI_ALREADY_ON);
    call(PSCI_CPU_ON_64, 1, ENTRY);
    call(PSCI_CPU_ON_64, 1, ENTRY);
    expect(reg(0)).toBe(PSCI_ALREADY_ON);
  });

  it("refuses MPIDRs outside the VM and entries outside executable memory", () => {
    expect(freshVm(2)).toBe(0);
    const before = bootCalls();
    call(PSCI_CPU_ON_64, 2, ENTRY);
    expect(reg(0)).toBe(PSCI_INVALID_PARAMETERS);
    call(PSCI_CPU_ON_64, 0x100 | 1, ENTRY);   // Aff1 = 1
    expect(reg(0)).toBe(PSCI_INVALID_PARAMETERS);
    call(PSCI_CPU_ON_64, 1, 0x10000000);
    expect(reg(0)).toBe(PSCI_INVALID_ADDRESS);
    call(PSCI_CPU_ON_64, 1, ENTRY + 2);
    expect(reg(0)).toBe(PSCI_INVALID_ADDRESS);
    expect(bootCalls()).toBe(before);
    expect(vcpuIsOn(1)).toBe(false);
  });

  it("reports INTERNAL_FAILURE when the runtime refuses the boot", () => {
    expect(freshVm(2)).toBe(0);
    setBootResult(-5);
    call(PSCI_CPU_ON_64, 1, ENTRY);
    setBootResult(0);
    expect(reg(0)).toBe(PSCI_INTERNAL_FAILURE);
    expect(vcpuIsOn(1)).toBe(false);
  });

  it("tells which vCPUs are on", () => {
    expect(freshVm(2)).toBe(0);
    call(PSCI_AFFINITY_INFO_64, 1, 0);
    expect(reg(0)).toBe(1);
    call(PSCI_CPU_ON_64, 1, ENTRY);
    call(PSCI_AFFINITY_INFO_64, 1, 0);
    expect(reg(0)).toBe(0);
    call(PSCI_AFFINITY_INFO_64, 1, 1);
    expect(reg(0)).toBe(PSCI_INVALID_PARAMETERS);
  });
});

describe("PSCI power down", () => {
  it("turns the calling vCPU off", () => {
    expect(freshVm(2)).toBe(0);
    call(PSCI_CPU_ON_64, 1, ENTRY);
    expect(call(PSCI_CPU_OFF, 0, 0, 0, 1)).toBe(ACTION_OFF);
    expect(vcpuIsOn(1)).toBe(false);
    expect(vcpuIsOn(0)).toBe(true);
  });

  it("treats CPU_SUSPEND as standby: wait for an interrupt, then return success", () => {
    expect(freshVm(2)).toBe(0);
    expect(call(PSCI_CPU_SUSPEND_64, 0x10000, ENTRY)).toBe(ACTION_IDLE);
    expect(reg(0)).toBe(PSCI_SUCCESS);
  });

  it("stops the VM on SYSTEM_OFF and names it", () => {
    expect(freshVm(2)).toBe(0);
    const stops = stopCount();
    expect(call(PSCI_SYSTEM_OFF)).toBe(ACTION_STOP);
    expect(stopCount()).toBe(stops + 1);
    expect(lastConsole()).toBe("[wasmvisor] vm linux: PSCI SYSTEM_OFF by vCPU 0\n");
  });

  it("asks the runtime to restart the VM on SYSTEM_RESET, naming the vCPU", () => {
    expect(freshVm(2)).toBe(0);
    const stops = stopCount();
    expect(call(PSCI_SYSTEM_RESET, 0, 0, 0, 1)).toBe(ACTION_RESET);
    expect(stopCount()).toBe(stops);
    expect(lastConsole()).toBe("[wasmvisor] vm linux: PSCI SYSTEM_RESET by vCPU 1, restarting\n");
  });
});

describe("PSCI by SMC", () => {
  it("answers a trapped SMC and steps over it", () => {
    expect(freshVm(2)).toBe(0);
    expect(smc(PSCI_VERSION)).toBe(ACTION_RESUME);
    expect(reg(0)).toBe(0x10001);
    expect(pc()).toBe(START_PC + 4);
  });

  it("answers NOT_SUPPORTED to other SMCs", () => {
    expect(freshVm(2)).toBe(0);
    expect(smc(0xC2000001)).toBe(ACTION_RESUME);
    expect(reg(0)).toBe(PSCI_NOT_SUPPORTED);
    expect(load<u64>(exitRecord + EXIT_ESR)).toBe((<u64>0x17 << 26) | IL);
  });
});
