// A VM with a GICv2 (distributor and CPU interface frame, as QEMU virt places them, the
// CPU interface being the board's GICV frame) for the vGIC specs, and accesses to its
// distributor by a given vCPU (its banked registers are that vCPU's).

import { fakeReset, setCpu, lrGet } from "./fake";
import { makeBlob, BLOB } from "./blob";
import { mmioStore, mmioLoad, lrValid } from "./gic";
import { cfgVm, cfgDevice, CFG_VM_VCPU_COUNT, CFG_VM_PCPU_MASK, CFG_VM_DEVICE_COUNT, CFG_D_KIND, CFG_D_IPA,
  CFG_D_SIZE, CFG_D_IRQ, CFG_D_PA } from "../core/config";
import { vmResetState, vmInit } from "../core/vm";

export const V2_GICD_IPA: u64 = 0x08000000;
export const V2_GICD_SIZE: u64 = 0x1000;
export const V2_GICC_IPA: u64 = 0x08010000;
export const V2_GICC_SIZE: u64 = 0x2000;
/** QEMU virt's GICV frame (the board's, in the blob's pa). */
export const V2_GICV_PA: u64 = 0x08040000;
export const KIND_GICV2_DIST: u32 = 4;
export const KIND_GICV2_CPUIF: u32 = 5;

/** The blob of freshGicV2Vm, not yet built: its length. */
export function gicV2Blob(vcpus: u32): usize {
  const len = makeBlob(1);
  const rec = cfgVm(BLOB, 0);
  store<u32>(rec + CFG_VM_VCPU_COUNT, vcpus);
  store<u32>(rec + CFG_VM_PCPU_MASK, (1 << vcpus) - 1);
  store<u32>(rec + CFG_VM_DEVICE_COUNT, 3);
  const d = cfgDevice(rec, 1);
  store<u32>(d + CFG_D_KIND, KIND_GICV2_DIST);
  store<u64>(d + CFG_D_IPA, V2_GICD_IPA);
  store<u64>(d + CFG_D_SIZE, V2_GICD_SIZE);
  store<u32>(d + CFG_D_IRQ, 0);
  const c = cfgDevice(rec, 2);
  store<u32>(c + CFG_D_KIND, KIND_GICV2_CPUIF);
  store<u64>(c + CFG_D_IPA, V2_GICC_IPA);
  store<u64>(c + CFG_D_SIZE, V2_GICC_SIZE);
  store<u64>(c + CFG_D_PA, V2_GICV_PA);
  store<u32>(c + CFG_D_IRQ, 0);
  return len;
}

/** VM "linux" with `vcpus` vCPUs, a PL011 (SPI 33), a GICv2 distributor and CPU interface. */
export function freshGicV2Vm(vcpus: u32 = 2): i32 {
  fakeReset();
  vmResetState();
  const len = gicV2Blob(vcpus);
  const rc = vmInit(0, BLOB, len);
  fakeReset();
  setCpu(0);
  return rc;
}

/** A write of `bytes` to distributor offset `off` by vCPU `vcpu`. */
export function v2W(off: u64, value: u64, vcpu: u32 = 0, bytes: u32 = 4): void {
  mmioStore(vcpu, V2_GICD_IPA + off, bytes, value);
}

/** A read of `bytes` from distributor offset `off` by vCPU `vcpu`. */
export function v2R(off: u64, vcpu: u32 = 0, bytes: u32 = 4): u64 {
  return mmioLoad(vcpu, V2_GICD_IPA + off, bytes);
}

// ---- Distributor offsets (IHI 0048B 4.1, Table 4-1) ----
export const D_CTLR: u64 = 0x000, D_TYPER: u64 = 0x004, D_IIDR: u64 = 0x008;
export const D_IGROUPR: u64 = 0x080, D_ISENABLER: u64 = 0x100, D_ICENABLER: u64 = 0x180;
export const D_ISPENDR: u64 = 0x200, D_ICPENDR: u64 = 0x280, D_ISACTIVER: u64 = 0x300, D_ICACTIVER: u64 = 0x380;
export const D_IPRIORITYR: u64 = 0x400, D_ITARGETSR: u64 = 0x800, D_ICFGR: u64 = 0xc00;
export const D_SGIR: u64 = 0xf00, D_CPENDSGIR: u64 = 0xf10, D_SPENDSGIR: u64 = 0xf20;
export const D_PIDR2: u64 = 0xfe8, D_CIDR0: u64 = 0xff0;

/** GICD_SGIR: TargetListFilter [25:24], CPUTargetList [23:16], SGIINTID [3:0]. */
export function sgirValue(filter: u32, targets: u32, x: u32): u64 {
  return <u64>((filter << 24) | (targets << 16) | x);
}

/** The source CPU ID a list register value carries (vINTID [12:10]). */
export function lrSource(v: u64): u32 { return <u32>((v >> 10) & 7); }

/** The INTID in list register `i` of the current fake CPU (vINTID [9:0]). */
export function lrVid(i: i32): u32 { return <u32>(lrGet(i) & 0x3ff); }

/** The list register holding `x` in a valid state on the current fake CPU, or -1. */
export function lrFindV2(x: u32, count: i32 = 4): i32 {
  for (let i = 0; i < count; i++) if (lrValid(i) && lrVid(i) == x) return i;
  return -1;
}
