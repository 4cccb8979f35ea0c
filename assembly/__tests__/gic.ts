// A VM with a GICv3 (distributor and redistributors, as QEMU virt places them) for the
// vGIC specs, exits that reach it the way the runtime makes them, and a guest that
// acknowledges and deactivates what its list registers hold (as the virtual CPU
// interface does on ICC_IAR1_EL1 / ICC_EOIR1_EL1 reads and writes).

import { fakeReset, setCpu, lrGet, lrSet } from "./fake";
import { makeBlob, BLOB, UART_IPA } from "./blob";
import { exitWith, faultAt, dabtEsr, setReg, reg, IL } from "./exit";
import { cfgVm, cfgDevice, CFG_VM_VCPU_COUNT, CFG_VM_PCPU_MASK, CFG_VM_DEVICE_COUNT, CFG_D_KIND, CFG_D_IPA,
  CFG_D_SIZE, CFG_D_IRQ } from "../core/config";
import { vmResetState, vmInit } from "../core/vm";
import { handleExit } from "../arch/exits";
import { exitRecord, exitSelect, EXIT_FLAGS, EXIT_INTID, EXIT_VCPU, EXIT_FLAG_IRQ } from "../abi/exit_record";

export const GICD_IPA: u64 = 0x08000000;
export const GICR_IPA: u64 = 0x080a0000;
export const GICR_STRIDE: u64 = 0x20000;
export const SGI_FRAME: u64 = 0x10000;

/** VM "linux" with `vcpus` vCPUs, a PL011 (SPI 33), a GICv3 distributor and redistributors. */
export function freshGicVm(vcpus: u32 = 2): i32 {
  fakeReset();
  vmResetState();
  const len = makeBlob(1);
  const rec = cfgVm(BLOB, 0);
  store<u32>(rec + CFG_VM_VCPU_COUNT, vcpus);
  store<u32>(rec + CFG_VM_PCPU_MASK, (1 << vcpus) - 1);
  store<u32>(rec + CFG_VM_DEVICE_COUNT, 3);
  const d = cfgDevice(rec, 1);
  store<u32>(d + CFG_D_KIND, 2);
  store<u64>(d + CFG_D_IPA, GICD_IPA);
  store<u64>(d + CFG_D_SIZE, 0x10000);
  store<u32>(d + CFG_D_IRQ, 0);
  const r = cfgDevice(rec, 2);
  store<u32>(r + CFG_D_KIND, 3);
  store<u64>(r + CFG_D_IPA, GICR_IPA);
  store<u64>(r + CFG_D_SIZE, GICR_STRIDE * <u64>vcpus);
  store<u32>(r + CFG_D_IRQ, 0);
  const rc = vmInit(0, BLOB, len);
  fakeReset();
  setCpu(0);
  return rc;
}

/** The register that an MMIO exit loads into or stores from. */
const RT: u32 = 1;
const SAS_OF: StaticArray<u32> = [0, 0, 1, 0, 2, 0, 0, 0, 3];

/** A store of `bytes` (1, 2, 4, 8) of `value` to `ipa` by vCPU `vcpu`, through handleExit. */
export function mmioStore(vcpu: u32, ipa: u64, bytes: u32, value: u64): i32 {
  setCpu(<i32>vcpu);
  exitSelect(vcpu);
  exitWith(dabtEsr(1, SAS_OF[bytes], 0, RT, bytes == 8 ? 1 : 0, 1, 0x07));
  store<u32>(exitRecord + EXIT_VCPU, vcpu);
  faultAt(ipa);
  setReg(RT, value);
  return handleExit(<i32>vcpu);
}

/** A load of `bytes` from `ipa` by vCPU `vcpu`, through handleExit (into an X register). */
export function mmioLoad(vcpu: u32, ipa: u64, bytes: u32): u64 {
  setCpu(<i32>vcpu);
  exitSelect(vcpu);
  exitWith(dabtEsr(1, SAS_OF[bytes], 0, RT, 1, 0, 0x07));
  store<u32>(exitRecord + EXIT_VCPU, vcpu);
  faultAt(ipa);
  handleExit(<i32>vcpu);
  return reg(RT);
}

export function gicdW(off: u64, value: u64, bytes: u32 = 4, vcpu: u32 = 0): void { mmioStore(vcpu, GICD_IPA + off, bytes, value); }
export function gicdR(off: u64, bytes: u32 = 4, vcpu: u32 = 0): u64 { return mmioLoad(vcpu, GICD_IPA + off, bytes); }
/** Redistributor of vCPU `which`, RD frame offset `off`, accessed by vCPU `by`. */
export function rdW(which: u32, off: u64, value: u64, by: u32 = 0): void { mmioStore(by, GICR_IPA + GICR_STRIDE * <u64>which + off, 4, value); }
export function rdR(which: u32, off: u64, bytes: u32 = 4, by: u32 = 0): u64 { return mmioLoad(by, GICR_IPA + GICR_STRIDE * <u64>which + off, bytes); }
/** Redistributor of vCPU `which`, SGI frame offset `off`. */
export function sgiW(which: u32, off: u64, value: u64, by: u32 = 0, bytes: u32 = 4): void {
  mmioStore(by, GICR_IPA + GICR_STRIDE * <u64>which + SGI_FRAME + off, bytes, value);
}
export function sgiR(which: u32, off: u64, by: u32 = 0, bytes: u32 = 4): u64 {
  return mmioLoad(by, GICR_IPA + GICR_STRIDE * <u64>which + SGI_FRAME + off, bytes);
}

/** An IRQ exit of vCPU `vcpu` for physical `intid`, as the runtime makes it (ESR left stale on purpose). */
export function irqExit(vcpu: u32, intid: u32, staleEsr: u64 = (<u64>0x16 << 26) | IL): i32 {
  setCpu(<i32>vcpu);
  exitSelect(vcpu);
  exitWith(staleEsr);
  store<u32>(exitRecord + EXIT_VCPU, vcpu);
  store<u32>(exitRecord + EXIT_FLAGS, EXIT_FLAG_IRQ);
  store<u32>(exitRecord + EXIT_INTID, intid);
  return handleExit(<i32>vcpu);
}

/** A trapped MSR of `value` to the system register with ISS key `key` by vCPU `vcpu`. */
export function msr(vcpu: u32, key: u32, value: u64): i32 {
  setCpu(<i32>vcpu);
  exitSelect(vcpu);
  exitWith((<u64>0x18 << 26) | IL | <u64>(key | (RT << 5)));
  store<u32>(exitRecord + EXIT_VCPU, vcpu);
  setReg(RT, value);
  return handleExit(<i32>vcpu);
}

/** A trapped MRS from `key` by vCPU `vcpu`: the value read. */
export function mrs(vcpu: u32, key: u32): u64 {
  setCpu(<i32>vcpu);
  exitSelect(vcpu);
  exitWith((<u64>0x18 << 26) | IL | <u64>(key | (RT << 5) | 1));
  store<u32>(exitRecord + EXIT_VCPU, vcpu);
  setReg(RT, 0xdead);
  handleExit(<i32>vcpu);
  return reg(RT);
}

/** WFI by vCPU `vcpu`: the action. */
export function wfi(vcpu: u32): i32 {
  setCpu(<i32>vcpu);
  exitSelect(vcpu);
  exitWith((<u64>0x01 << 26) | IL);
  store<u32>(exitRecord + EXIT_VCPU, vcpu);
  return handleExit(<i32>vcpu);
}

// ---- The guest's side of the list registers (ICH_LR<n>_EL2 State [63:62]) ----
export const LR_PENDING: u64 = <u64>1 << 62;
export const LR_ACTIVE: u64 = <u64>1 << 63;
export const LR_HW: u64 = <u64>1 << 61;
export const LR_GROUP: u64 = <u64>1 << 60;
export const LR_EOI: u64 = <u64>1 << 41;
export const LR_STATE: u64 = LR_PENDING | LR_ACTIVE;

export function lrIntid(i: i32): u32 { return <u32>(lrGet(i) & 0xffffffff); }
export function lrPrio(i: i32): u32 { return <u32>((lrGet(i) >> 48) & 0xff); }
export function lrPintid(i: i32): u32 { return <u32>((lrGet(i) >> 32) & 0x1fff); }
export function lrIsPending(i: i32): bool { return (lrGet(i) & LR_PENDING) != 0; }
export function lrIsActive(i: i32): bool { return (lrGet(i) & LR_ACTIVE) != 0; }
export function lrValid(i: i32): bool { return (lrGet(i) & LR_STATE) != 0; }

/** The list register holding vINTID `x` in a valid state on the current fake CPU, or -1. */
export function lrFind(x: u32, count: i32 = 4): i32 {
  for (let i = 0; i < count; i++) if (lrValid(i) && lrIntid(i) == x) return i;
  return -1;
}

/** The guest acknowledges the interrupt in LR `i`: pending becomes active. */
export function guestAck(i: i32): void {
  const v = lrGet(i);
  lrSet(i, (v & ~LR_STATE) | LR_ACTIVE);
}

/** The guest deactivates the interrupt in LR `i`: active goes away (pending and active becomes pending). */
export function guestEoi(i: i32): void {
  const v = lrGet(i);
  lrSet(i, v & ~LR_ACTIVE);
}

/** The PL011's irq in freshGicVm (SPI 1). */
export const UART_SPI: u32 = 33;
export const UART: u64 = UART_IPA;
