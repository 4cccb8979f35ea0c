// A well-formed config blob (docs/abi.md section 1) for the specs to build VMs from
// and to break one field at a time.

import { CFG_MAGIC, CFG_VERSION, CFG_HEADER_SIZE, CFG_VM_RECORD_SIZE, CFG_H_MAGIC, CFG_H_VERSION,
  CFG_H_VM_COUNT, CFG_H_TOTAL_SIZE, CFG_VM_NAME, CFG_VM_TYPE, CFG_VM_VCPU_COUNT, CFG_VM_PCPU_MASK,
  CFG_VM_REGION_COUNT, CFG_VM_DEVICE_COUNT, CFG_VM_IMAGE_COUNT, CFG_VM_ENTRY_IPA, CFG_VM_DTB_IPA,
  CFG_R_IPA, CFG_R_PA, CFG_R_SIZE, CFG_R_FLAGS, CFG_D_KIND, CFG_D_IPA, CFG_D_SIZE, CFG_D_IRQ,
  CFG_I_INDEX, CFG_I_LOAD_IPA, cfgVm, cfgRegion, cfgDevice, cfgImage } from "../core/config";

export const BLOB_CAP: usize = CFG_HEADER_SIZE + 8 * CFG_VM_RECORD_SIZE;
export const BLOB: usize = memory.data(<i32>BLOB_CAP, 8);

export const RAM_IPA: u64 = 0x40000000;
export const RAM_PA: u64 = 0x48000000;
export const RAM_SIZE: u64 = 0x08000000;       // 128 MiB
export const UART_IPA: u64 = 0x09000000;
export const UART_SIZE: u64 = 0x1000;
export const ENTRY_IPA: u64 = 0x40080000;
export const DTB_IPA: u64 = 0x40000000;

function putName(p: usize, name: string): void {
  memory.fill(p, 0, 16);
  for (let i = 0; i < name.length; i++) store<u8>(p + <usize>i, <u8>name.charCodeAt(i));
}

/** VM record `i`: one RWX RAM region, one PL011, one image, vCPUs on CPU `i`. */
export function fillVm(i: u32, name: string, pa: u64): void {
  const rec = cfgVm(BLOB, i);
  memory.fill(rec, 0, CFG_VM_RECORD_SIZE);
  putName(rec + CFG_VM_NAME, name);
  store<u32>(rec + CFG_VM_TYPE, 1);
  store<u32>(rec + CFG_VM_VCPU_COUNT, 1);
  store<u32>(rec + CFG_VM_PCPU_MASK, 1 << i);
  store<u32>(rec + CFG_VM_REGION_COUNT, 1);
  store<u32>(rec + CFG_VM_DEVICE_COUNT, 1);
  store<u32>(rec + CFG_VM_IMAGE_COUNT, 1);
  store<u64>(rec + CFG_VM_ENTRY_IPA, ENTRY_IPA);
  store<u64>(rec + CFG_VM_DTB_IPA, DTB_IPA);
  const r = cfgRegion(rec, 0);
  store<u64>(r + CFG_R_IPA, RAM_IPA);
  store<u64>(r + CFG_R_PA, pa);
  store<u64>(r + CFG_R_SIZE, RAM_SIZE);
  store<u32>(r + CFG_R_FLAGS, 7);
  const d = cfgDevice(rec, 0);
  store<u32>(d + CFG_D_KIND, 1);
  store<u32>(d + CFG_D_IRQ, 33);
  store<u64>(d + CFG_D_IPA, UART_IPA);
  store<u64>(d + CFG_D_SIZE, UART_SIZE);
  const im = cfgImage(rec, 0);
  store<u32>(im + CFG_I_INDEX, i);
  store<u64>(im + CFG_I_LOAD_IPA, ENTRY_IPA);
}

/** A valid blob of `count` VMs named "linux", "vm1", ...; returns its length. */
export function makeBlob(count: u32 = 1): usize {
  memory.fill(BLOB, 0, BLOB_CAP);
  const total = CFG_HEADER_SIZE + <usize>count * CFG_VM_RECORD_SIZE;
  store<u32>(BLOB + CFG_H_MAGIC, CFG_MAGIC);
  store<u32>(BLOB + CFG_H_VERSION, CFG_VERSION);
  store<u32>(BLOB + CFG_H_VM_COUNT, count);
  store<u32>(BLOB + CFG_H_TOTAL_SIZE, <u32>total);
  for (let i: u32 = 0; i < count; i++) {
    fillVm(i, i == 0 ? "linux" : "vm" + i.toString(), RAM_PA + <u64>i * RAM_SIZE);
  }
  return total;
}

/** VM record 0 of BLOB. */
export function vm0(): usize { return cfgVm(BLOB, 0); }
