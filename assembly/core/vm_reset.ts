// Restarting a VM from its images (PSCI SYSTEM_RESET, or the management VM's reset and
// start commands):
// the runtime has already taken every vCPU of the VM off its physical CPU, and hands
// the config blob in again (wv_reset). Stage 2 stays as built; the emulated devices,
// the virtual GIC and the vCPU power states go back to reset; the images are copied in
// again and vCPU 0 starts at the entry point. The other VMs never notice.

import { STATE, VM_STATE, VM_INDEX, VM_VCPU_COUNT, VM_VCPU_ON } from "./layout";
import { cfgValidate, cfgVm, CFG_OK } from "./config";
import { VM_RUNNING, VM_STOPPED, vmLoadImages, vmBootFirstVcpu, vmStop, vmReportFailure, vmBlobInMemory } from "./vm";
import { consoleFlush } from "./console";
import { mmioCount, mmioDeviceReset } from "../devices/mmio";
import { vgicInit, vgicModel } from "../arch/vgic";
import { WV_EINVAL, WV_ESTATE } from "../abi/imports";
import { logBeginVm, logStr, logEnd } from "./log";
import { stateSetStaged } from "./state_staged";

/** Stop the VM after a failed restart, saying what failed. */
function resetFailed(what: string, rc: i32): i32 {
  const err = vmReportFailure(what, rc);
  vmStop();
  return err;
}

/** wv_reset: 0, or a negative error (the VM is then stopped, with the reason printed). */
export function vmReset(blob: usize, len: usize): i32 {
  // A VM the core stopped (a fault) may be started again by the management VM.
  const state = load<u32>(STATE + VM_STATE);
  if (state != VM_RUNNING && state != VM_STOPPED) return WV_ESTATE;
  stateSetStaged(false);   // the runtime acts on this instance now: no restore over it any more
  const vm = <i32>load<u32>(STATE + VM_INDEX);
  if (!vmBlobInMemory(blob, len)) return resetFailed("restart (config blob outside memory)", WV_EINVAL);
  if (cfgValidate(blob, len, vm) != CFG_OK) return resetFailed("restart (config blob no longer valid)", WV_EINVAL);
  consoleFlush();
  const n = mmioCount();
  for (let i = 0; i < n; i++) mmioDeviceReset(i);
  vgicInit(load<u32>(STATE + VM_VCPU_COUNT), vgicModel());   // the GIC architecture the VM was built with
  store<u32>(STATE + VM_VCPU_ON, 0);
  const loaded = vmLoadImages(cfgVm(blob, <u32>vm));
  if (loaded < 0) return resetFailed("restart (image load)", loaded);
  store<u32>(STATE + VM_STATE, VM_RUNNING);
  const boot = vmBootFirstVcpu();
  if (boot < 0) return resetFailed("restart (vCPU 0 boot)", boot);
  logBeginVm();
  logStr(": restarted from its images");
  logEnd();
  return 0;
}
