// PSCI for guests (Arm Power State Coordination Interface, DEN0022 version 1.1), and
// the SMCCC architecture calls a PSCI 1.x client probes (DEN0028). Guests reach it by
// HVC (the device tree says method = "hvc") or by a trapped SMC (HCR_EL2.TSC).
// vCPU power state lives in the state block (VM_VCPU_ON) so it survives live update.

import { ACTION_RESUME, ACTION_IDLE, ACTION_STOP, ACTION_OFF, ACTION_RESET, exitReadReg, exitWriteReg } from "../abi/exit_record";
import { wv_vcpu_boot } from "../abi/imports";
import { STATE, VM_VCPU_ON } from "../core/layout";
import { vmVcpuCount, vmStop, vmRegionExecutable } from "../core/vm";
import { logBeginVm, logStr, logDec, logEnd } from "../core/log";
import { consoleFlush } from "../core/console";
import { vgicResetVcpu, vgicWfiResumes } from "./vgic";

// ---- Function IDs (DEN0022 table 6.1; the 0xC4… forms are the SMC64 calling convention) ----
export const PSCI_VERSION: u32 = 0x84000000;
export const PSCI_CPU_SUSPEND_32: u32 = 0x84000001;
export const PSCI_CPU_SUSPEND_64: u32 = 0xC4000001;
export const PSCI_CPU_OFF: u32 = 0x84000002;
export const PSCI_CPU_ON_32: u32 = 0x84000003;
export const PSCI_CPU_ON_64: u32 = 0xC4000003;
export const PSCI_AFFINITY_INFO_32: u32 = 0x84000004;
export const PSCI_AFFINITY_INFO_64: u32 = 0xC4000004;
export const PSCI_MIGRATE_INFO_TYPE: u32 = 0x84000006;
export const PSCI_SYSTEM_OFF: u32 = 0x84000008;
export const PSCI_SYSTEM_RESET: u32 = 0x84000009;
export const PSCI_FEATURES: u32 = 0x8400000A;
/** SMCCC_VERSION and SMCCC_ARCH_FEATURES (DEN0028, "Arm Architecture Calls"). */
export const SMCCC_VERSION: u32 = 0x80000000;
export const SMCCC_ARCH_FEATURES: u32 = 0x80000001;

// ---- Return codes (DEN0022 table 5.2), as 32-bit values in x0 ----
export const PSCI_SUCCESS: u64 = 0;
export const PSCI_NOT_SUPPORTED: u64 = 0xFFFFFFFF;       // -1
export const PSCI_INVALID_PARAMETERS: u64 = 0xFFFFFFFE;  // -2
export const PSCI_ALREADY_ON: u64 = 0xFFFFFFFC;          // -4
export const PSCI_INTERNAL_FAILURE: u64 = 0xFFFFFFFA;    // -6
export const PSCI_INVALID_ADDRESS: u64 = 0xFFFFFFF7;     // -9

/** PSCI 1.1 and SMCCC 1.1: major << 16 | minor. */
const PSCI_VERSION_1_1: u64 = 0x00010001;
const SMCCC_VERSION_1_1: u64 = 0x00010001;
/** AFFINITY_INFO answers (DEN0022 5.1.5). */
const AFFINITY_ON: u64 = 0;
const AFFINITY_OFF: u64 = 1;
/** MIGRATE_INFO_TYPE 2: no Trusted OS that needs migrating. */
const MIGRATE_NONE: u64 = 2;
/** MPIDR affinity fields other than Aff0 (MPIDR_EL1: Aff3 [39:32], Aff2 [23:16], Aff1 [15:8]). */
const MPIDR_HIGH_AFF: u64 = 0xff00ffff00;
const AFF0_MASK: u64 = 0xff;

export { ACTION_OFF, ACTION_RESET };

/** Is this function ID one of ours (standard secure service or Arm architecture call)? */
export function psciOwns(id: u32): bool {
  const entity = (id >> 24) & 0x3f;
  return entity == 4 || (id & 0xbfffffff) == SMCCC_VERSION || (id & 0xbfffffff) == SMCCC_ARCH_FEATURES;
}

@inline function setX0(v: u64): void { exitWriteReg(0, v); }

export function vcpuOnMask(): u32 { return load<u32>(STATE + VM_VCPU_ON); }
export function vcpuIsOn(v: u32): bool { return (vcpuOnMask() & (1 << v)) != 0; }
export function setVcpuOn(v: u32, on: bool): void {
  const m = vcpuOnMask();
  store<u32>(STATE + VM_VCPU_ON, on ? m | (1 << v) : m & ~(1 << v));
}

/** The vCPU an MPIDR names in this VM (Aff0 = vCPU index, others 0), or -1. */
function targetOf(mpidr: u64): i32 {
  if ((mpidr & MPIDR_HIGH_AFF) != 0) return -1;
  const v = <u32>(mpidr & AFF0_MASK);
  return v < vmVcpuCount() ? <i32>v : -1;
}

function cpuOn(): void {
  const t = targetOf(exitReadReg(1));
  const entry = exitReadReg(2);
  if (t < 0) { setX0(PSCI_INVALID_PARAMETERS); return; }
  if (vcpuIsOn(<u32>t)) { setX0(PSCI_ALREADY_ON); return; }
  if ((entry & 3) != 0 || !vmRegionExecutable(entry)) { setX0(PSCI_INVALID_ADDRESS); return; }
  vgicResetVcpu(<u32>t);   // its redistributor and list registers start from reset
  if (wv_vcpu_boot(t, entry, exitReadReg(3)) < 0) { setX0(PSCI_INTERNAL_FAILURE); return; }
  setVcpuOn(<u32>t, true);
  setX0(PSCI_SUCCESS);
}

function affinityInfo(): void {
  const t = targetOf(exitReadReg(1));
  if (t < 0 || exitReadReg(2) != 0) { setX0(PSCI_INVALID_PARAMETERS); return; }
  setX0(vcpuIsOn(<u32>t) ? AFFINITY_ON : AFFINITY_OFF);
}

function features(): void {
  const f = <u32>exitReadReg(1);
  switch (f) {
    case PSCI_VERSION: case PSCI_CPU_SUSPEND_32: case PSCI_CPU_SUSPEND_64: case PSCI_CPU_OFF:
    case PSCI_CPU_ON_32: case PSCI_CPU_ON_64: case PSCI_AFFINITY_INFO_32: case PSCI_AFFINITY_INFO_64:
    case PSCI_MIGRATE_INFO_TYPE: case PSCI_SYSTEM_OFF: case PSCI_SYSTEM_RESET: case PSCI_FEATURES:
    case SMCCC_VERSION:
      setX0(PSCI_SUCCESS);   // for CPU_SUSPEND: original power_state format, no OS-initiated mode
      break;
    default:
      setX0(PSCI_NOT_SUPPORTED);
  }
}

/** Print "[wasmvisor] vm <name>: <what> by vCPU <vcpu><tail>" after the guest's last output. */
function announce(what: string, vcpu: u32, tail: string): void {
  consoleFlush();
  logBeginVm();
  logStr(": ");
  logStr(what);
  logStr(" by vCPU ");
  logDec(<u64>vcpu);
  logStr(tail);
  logEnd();
}

function systemEvent(what: string, vcpu: u32): i32 {
  announce(what, vcpu, "");
  vmStop();
  return ACTION_STOP;
}

/**
 * Handle the PSCI or SMCCC call `id` now in the exit record for vCPU `vcpu`.
 * Results go to x0; returns the exit action.
 */
export function psciCall(id: u32, vcpu: u32): i32 {
  switch (id) {
    case PSCI_VERSION: setX0(PSCI_VERSION_1_1); break;
    case SMCCC_VERSION: setX0(SMCCC_VERSION_1_1); break;
    case SMCCC_ARCH_FEATURES: setX0(PSCI_NOT_SUPPORTED); break;
    case PSCI_CPU_ON_32: case PSCI_CPU_ON_64: cpuOn(); break;
    case PSCI_AFFINITY_INFO_32: case PSCI_AFFINITY_INFO_64: affinityInfo(); break;
    case PSCI_MIGRATE_INFO_TYPE: setX0(MIGRATE_NONE); break;
    case PSCI_FEATURES: features(); break;
    case PSCI_CPU_SUSPEND_32: case PSCI_CPU_SUSPEND_64:
      // Every power state is treated as standby: the vCPU waits for an interrupt and
      // returns from the call (DEN0022 5.4.2 allows a standby state for any request).
      setX0(PSCI_SUCCESS);
      return vgicWfiResumes(vcpu) ? ACTION_RESUME : ACTION_IDLE;
    case PSCI_CPU_OFF:
      setVcpuOn(vcpu, false);
      return ACTION_OFF;
    case PSCI_SYSTEM_OFF:
      return systemEvent("PSCI SYSTEM_OFF", vcpu);
    case PSCI_SYSTEM_RESET:
      announce("PSCI SYSTEM_RESET", vcpu, ", restarting");
      return ACTION_RESET;
    default:
      setX0(PSCI_NOT_SUPPORTED);
  }
  return ACTION_RESUME;
}
