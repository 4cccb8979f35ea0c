// Restarting a VM from its images (PSCI SYSTEM_RESET, or a management command later):
// the runtime has already taken every vCPU of the VM off its physical CPU, and hands
// the config blob in again (wv_reset). Stage 2 stays as built; the emulated devices,
// the virtual GIC and the vCPU power states go back to reset; the images are copied in
// again and vCPU 0 starts at the entry point. The other VMs never notice.

import { STATE, VM_STATE, VM_INDEX, VM_VCPU_COUNT, VM_VCPU_ON } from "./layout";
import { cfgValidate, cfgVm, CFG_OK } from "./config";
import { VM_RUNNING, vmLoadImages, vmBootFirstVcpu, vmStop } from "./vm";
import { consoleFlush } from "./console";
import { mmioCount, mmioKind, DEVICE_PL011 } from "../devices/mmio";
import { pl011Reset } from "../devices/pl011";
import { vgicInit } from "../arch/vgic";
import { WV_EINVAL, WV_ESTATE } from "../abi/imports";
import { logBeginVm, logStr, logDec, logEnd } from "./log";

const WASM_PAGE_SHIFT: i32 = 16;

function resetFailed(what: string, rc: i32): i32 {
  logBeginVm();
  logStr(": restart failed: ");
  logStr(what);
  logStr(" (error ");
  logDec(<u64>(-rc));
  logStr(")");
  logEnd();
  vmStop();
  return rc < 0 ? rc : WV_EINVAL;
}

/** wv_reset: 0, or a negative error (the VM is then stopped, with the reason printed). */
export function vmReset(blob: usize, len: usize): i32 {
  if (load<u32>(STATE + VM_STATE) != VM_RUNNING) return WV_ESTATE;
  const vm = <i32>load<u32>(STATE + VM_INDEX);
  if (blob == 0 || <u64>blob + <u64>len > (<u64>memory.size() << WASM_PAGE_SHIFT)) return resetFailed("config blob outside memory", WV_EINVAL);
  if (cfgValidate(blob, len, vm) != CFG_OK) return resetFailed("config blob no longer valid", WV_EINVAL);
  consoleFlush();
  const n = mmioCount();
  for (let i = 0; i < n; i++) if (mmioKind(i) == DEVICE_PL011) pl011Reset(i);
  vgicInit(load<u32>(STATE + VM_VCPU_COUNT));
  store<u32>(STATE + VM_VCPU_ON, 0);
  const loaded = vmLoadImages(cfgVm(blob, <u32>vm));
  if (loaded < 0) return resetFailed("image load", loaded);
  const boot = vmBootFirstVcpu();
  if (boot < 0) return resetFailed("vCPU 0 boot", boot);
  logBeginVm();
  logStr(": restarted from its images");
  logEnd();
  return 0;
}
