// The VM this core instance manages: its identity and RAM layout (in the state
// block), and wv_init: validate the config blob, set up the virtual GIC the VM sees,
// register the emulated devices, build stage 2 (RAM and device frames), load the
// images and boot vCPU 0.

import { wv_image_load, wv_vcpu_boot, wv_vm_stop, WV_EINVAL, WV_ESTATE } from "../abi/imports";
import { STATE, VM_INDEX, VM_TYPE, VM_STATE, VM_VCPU_COUNT, VM_REGION_COUNT, VM_DEVICE_COUNT,
  VM_IPA_BITS, VM_PCPU_MASK, VM_NAME, VM_NAME_LEN, VM_ENTRY, VM_DTB, VM_VCPU_ON, REGIONS_OFF, REGION_IPA,
  REGION_PA, REGION_SIZE, REGION_FLAGS, REGION_RECORD, STATE_SIZE, VM_NAME_SIZE, S2_ROOT } from "./layout";
import { cfgValidate, cfgErrorMessage, cfgErrorVm, cfgErrorItem, cfgVm, cfgRegion, cfgDevice, cfgImage,
  cfgNameLength, CFG_OK, CFG_VM_NAME, CFG_VM_TYPE, CFG_VM_VCPU_COUNT, CFG_VM_PCPU_MASK,
  CFG_VM_REGION_COUNT, CFG_VM_DEVICE_COUNT, CFG_VM_IMAGE_COUNT, CFG_VM_ENTRY_IPA, CFG_VM_DTB_IPA,
  CFG_R_IPA, CFG_R_PA, CFG_R_SIZE, CFG_R_FLAGS, CFG_D_KIND, CFG_D_IRQ, CFG_D_IPA, CFG_D_SIZE, CFG_D_PA,
  CFG_I_INDEX, CFG_I_LOAD_IPA, DEVICE_GICV2_CPUIF, CFG_VM_FLAGS, CFG_VM_FLAG_UNMAPPED_ABORT, CFG_VM_FLAG_BENCH, cfgIsFrame } from "./config";
import { mmioReset, mmioRegister, mmioSetUnmappedAborts, DEVICE_GICV2_DIST } from "../devices/mmio";
import { vgicInit, VGIC_MODEL_V2, VGIC_MODEL_V3 } from "../arch/vgic";
import { s2Create, s2Map, s2MapDevice, s2Activate, s2IpaBits, REGION_X } from "../arch/stage2";
import { consoleFlush } from "./console";
import { logBegin, logBeginVm, logStr, logDec, logHex, logEnd } from "./log";
import { stateSetStaged } from "./state_staged";
import { benchSetEnabled, benchStampsClear } from "./bench_stamp";

/** VM_STATE values. */
export const VM_EMPTY: u32 = 0;      // wv_init not (successfully) run yet
export const VM_RUNNING: u32 = 1;
export const VM_STOPPED: u32 = 2;

/** Pages of Wasm linear memory are 64 KiB. */
const WASM_PAGE_SHIFT: i32 = 16;

@inline export function vmState(): u32 { return load<u32>(STATE + VM_STATE); }
@inline export function vmRunning(): bool { return load<u32>(STATE + VM_STATE) == VM_RUNNING; }
@inline export function vmIndex(): u32 { return load<u32>(STATE + VM_INDEX); }
@inline export function vmVcpuCount(): u32 { return load<u32>(STATE + VM_VCPU_COUNT); }
export function vmRegionCount(): u32 { return load<u32>(STATE + VM_REGION_COUNT); }
export function vmIpaBits(): u32 { return load<u32>(STATE + VM_IPA_BITS); }

@inline function region(i: u32): usize { return STATE + REGIONS_OFF + <usize>i * REGION_RECORD; }

/** The region (index) holding `ipa`, or -1. */
export function vmRegionOf(ipa: u64): i32 {
  const n = vmRegionCount();
  for (let i: u32 = 0; i < n; i++) {
    const r = region(i);
    if (ipa - load<u64>(r + REGION_IPA) < load<u64>(r + REGION_SIZE)) return <i32>i;
  }
  return -1;
}

/** Is `ipa` inside a region the guest may execute from? */
export function vmRegionExecutable(ipa: u64): bool {
  const i = vmRegionOf(ipa);
  return i >= 0 && (load<u32>(region(<u32>i) + REGION_FLAGS) & REGION_X) != 0;
}

/** Wipe all state back to "no VM" (used before init and by tests); not a restored instance any more. */
export function vmResetState(): void {
  memory.fill(STATE, 0, STATE_SIZE);
  store<i32>(STATE + S2_ROOT, -1);
  stateSetStaged(false);
  benchStampsClear();
}

/** Stop the VM: flush its console, mark it stopped and park its vCPUs. */
export function vmStop(): void {
  consoleFlush();
  store<u32>(STATE + VM_STATE, VM_STOPPED);
  wv_vm_stop();
}

function copyIdentity(rec: usize, vm: i32): void {
  store<u32>(STATE + VM_INDEX, <u32>vm);
  store<u32>(STATE + VM_TYPE, load<u32>(rec + CFG_VM_TYPE));
  store<u32>(STATE + VM_VCPU_COUNT, load<u32>(rec + CFG_VM_VCPU_COUNT));
  store<u32>(STATE + VM_PCPU_MASK, load<u32>(rec + CFG_VM_PCPU_MASK));
  memory.copy(STATE + VM_NAME, rec + CFG_VM_NAME, VM_NAME_SIZE);
  store<u32>(STATE + VM_NAME_LEN, <u32>cfgNameLength(rec + CFG_VM_NAME));
  store<u64>(STATE + VM_ENTRY, load<u64>(rec + CFG_VM_ENTRY_IPA));
  store<u64>(STATE + VM_DTB, load<u64>(rec + CFG_VM_DTB_IPA));
  const n = load<u32>(rec + CFG_VM_REGION_COUNT);
  store<u32>(STATE + VM_REGION_COUNT, n);
  for (let i: u32 = 0; i < n; i++) {
    const src = cfgRegion(rec, i), dst = region(i);
    store<u64>(dst + REGION_IPA, load<u64>(src + CFG_R_IPA));
    store<u64>(dst + REGION_PA, load<u64>(src + CFG_R_PA));
    store<u64>(dst + REGION_SIZE, load<u64>(src + CFG_R_SIZE));
    store<u32>(dst + REGION_FLAGS, load<u32>(src + CFG_R_FLAGS));
  }
}

/** Highest IPA end of the VM's regions and devices. */
function ipaEnd(rec: usize): u64 {
  let end: u64 = 0;
  const nr = load<u32>(rec + CFG_VM_REGION_COUNT);
  for (let i: u32 = 0; i < nr; i++) {
    const r = cfgRegion(rec, i);
    const e = load<u64>(r + CFG_R_IPA) + load<u64>(r + CFG_R_SIZE);
    if (e > end) end = e;
  }
  const nd = load<u32>(rec + CFG_VM_DEVICE_COUNT);
  for (let i: u32 = 0; i < nd; i++) {
    const d = cfgDevice(rec, i);
    const e = load<u64>(d + CFG_D_IPA) + load<u64>(d + CFG_D_SIZE);
    if (e > end) end = e;
  }
  return end;
}

/** Print "[wasmvisor] vm <name>: <what> failed (error <n>)"; the error to return (negative). */
export function vmReportFailure(what: string, rc: i32): i32 {
  logBeginVm();
  logStr(": ");
  logStr(what);
  logStr(" failed (error ");
  logDec(<u64>(-rc));
  logStr(")");
  logEnd();
  return rc < 0 ? rc : WV_EINVAL;
}

function initFailed(what: string, rc: i32): i32 {
  store<u32>(STATE + VM_STATE, VM_STOPPED);
  return vmReportFailure(what, rc);
}

/** Does [blob, blob + len) lie inside this instance's memory? */
export function vmBlobInMemory(blob: usize, len: usize): bool {
  return blob != 0 && <u64>blob + <u64>len <= (<u64>memory.size() << WASM_PAGE_SHIFT);
}

/**
 * Stage 2: every RAM region with its access flags, then every device frame (kinds 5 and 6)
 * as Device memory. Frames are not remembered in the state block: nothing but this build
 * needs them (stage-2 entries are never changed under a running VM).
 */
function buildStage2(rec: usize): i32 {
  const bits = s2IpaBits(ipaEnd(rec));
  if (bits < 0) return WV_EINVAL;
  store<u32>(STATE + VM_IPA_BITS, <u32>bits);
  let rc = s2Create();
  if (rc < 0) return rc;
  const n = vmRegionCount();
  for (let i: u32 = 0; i < n; i++) {
    const r = region(i);
    rc = s2Map(load<u64>(r + REGION_IPA), load<u64>(r + REGION_PA), load<u64>(r + REGION_SIZE),
      load<u32>(r + REGION_FLAGS));
    if (rc < 0) return rc;
  }
  const nd = load<u32>(rec + CFG_VM_DEVICE_COUNT);
  for (let i: u32 = 0; i < nd; i++) {
    const d = cfgDevice(rec, i);
    if (!cfgIsFrame(load<u32>(d + CFG_D_KIND))) continue;
    rc = s2MapDevice(load<u64>(d + CFG_D_IPA), load<u64>(d + CFG_D_PA), load<u64>(d + CFG_D_SIZE));
    if (rc < 0) return rc;
  }
  return s2Activate(bits);
}

/** The GIC the VM sees: a GICv2 when it has a GICv2 distributor or CPU interface, a GICv3 otherwise. */
function gicModel(rec: usize): u32 {
  const nd = load<u32>(rec + CFG_VM_DEVICE_COUNT);
  for (let i: u32 = 0; i < nd; i++) {
    const kind = load<u32>(cfgDevice(rec, i) + CFG_D_KIND);
    if (kind == DEVICE_GICV2_DIST || kind == DEVICE_GICV2_CPUIF) return VGIC_MODEL_V2;
  }
  return VGIC_MODEL_V3;
}

/** Register the emulated devices (frames are mapped, not emulated); their number, or the registry's error. */
function registerDevices(rec: usize): i32 {
  mmioReset();
  const nd = load<u32>(rec + CFG_VM_DEVICE_COUNT);
  let registered: i32 = 0;
  for (let i: u32 = 0; i < nd; i++) {
    const d = cfgDevice(rec, i);
    const kind = load<u32>(d + CFG_D_KIND);
    if (cfgIsFrame(kind)) continue;
    const slot = mmioRegister(load<u64>(d + CFG_D_IPA), load<u64>(d + CFG_D_SIZE), kind, load<u32>(d + CFG_D_IRQ));
    if (slot < 0) return slot;
    registered++;
  }
  mmioSetUnmappedAborts((load<u32>(rec + CFG_VM_FLAGS) & CFG_VM_FLAG_UNMAPPED_ABORT) != 0);
  return registered;
}

/** Copy the record's images into the VM's memory: 0 or the first refusal of image_load. */
export function vmLoadImages(rec: usize): i32 {
  const ni = load<u32>(rec + CFG_VM_IMAGE_COUNT);
  for (let i: u32 = 0; i < ni; i++) {
    const im = cfgImage(rec, i);
    const size = wv_image_load(<i32>load<u32>(im + CFG_I_INDEX), load<u64>(im + CFG_I_LOAD_IPA));
    if (size < 0) return <i32>size;
  }
  return 0;
}

/** Start vCPU 0 at the entry point with x0 = the DTB; the others wait for PSCI CPU_ON. */
export function vmBootFirstVcpu(): i32 {
  const boot = wv_vcpu_boot(0, load<u64>(STATE + VM_ENTRY), load<u64>(STATE + VM_DTB));
  if (boot < 0) return boot;
  store<u32>(STATE + VM_VCPU_ON, 1);
  return 0;
}

/**
 * wv_init: build VM `vm` from the blob of `len` bytes at `blob` (docs/abi.md 2).
 * 0, or WV_EINVAL for a malformed blob (the reason is printed), WV_ESTATE when
 * already built, or the first refusal of an import.
 */
export function vmInit(vm: i32, blob: usize, len: usize): i32 {
  if (vmState() != VM_EMPTY) return WV_ESTATE;
  if (!vmBlobInMemory(blob, len)) return WV_EINVAL;
  const rc = cfgValidate(blob, len, vm);
  if (rc != CFG_OK) {
    logBegin();
    logStr("vm config: ");
    logStr(cfgErrorMessage(rc));
    if (cfgErrorVm >= 0) { logStr(" (vm "); logDec(<u64>cfgErrorVm); }
    if (cfgErrorItem >= 0) { logStr(", item "); logDec(<u64>cfgErrorItem); }
    if (cfgErrorVm >= 0) logStr(")");
    logEnd();
    return WV_EINVAL;
  }
  vmResetState();
  const rec = cfgVm(blob, <u32>vm);
  copyIdentity(rec, vm);
  benchSetEnabled((load<u32>(rec + CFG_VM_FLAGS) & CFG_VM_FLAG_BENCH) != 0);

  vgicInit(load<u32>(rec + CFG_VM_VCPU_COUNT), gicModel(rec));
  const registered = registerDevices(rec);
  if (registered < 0) return initFailed("device registration", registered);
  store<u32>(STATE + VM_DEVICE_COUNT, <u32>registered);

  const s2 = buildStage2(rec);
  if (s2 < 0) return initFailed("stage-2 build", s2);

  const loaded = vmLoadImages(rec);
  if (loaded < 0) return initFailed("image load", loaded);
  const boot = vmBootFirstVcpu();
  if (boot < 0) return initFailed("vCPU 0 boot", boot);
  store<u32>(STATE + VM_STATE, VM_RUNNING);

  logBeginVm();
  logStr(": ready, entry ");
  logHex(load<u64>(STATE + VM_ENTRY));
  logStr(", IPA bits ");
  logDec(<u64>vmIpaBits());
  logEnd();
  return 0;
}
