import { cfgValidate, cfgErrorVm, cfgErrorItem, cfgErrorMessage, cfgRegion, cfgDevice, cfgImage, cfgVm,
  CFG_OK, CFG_ERR_TRUNCATED, CFG_ERR_MAGIC, CFG_ERR_VERSION, CFG_ERR_VM_COUNT, CFG_ERR_TOTAL_SIZE,
  CFG_ERR_VM_INDEX, CFG_ERR_NAME, CFG_ERR_TYPE, CFG_ERR_VCPU_COUNT, CFG_ERR_PCPU_MASK,
  CFG_ERR_REGION_COUNT, CFG_ERR_DEVICE_COUNT, CFG_ERR_IMAGE_COUNT, CFG_ERR_FLAGS, CFG_ERR_RESERVED,
  CFG_ERR_REGION_UNALIGNED, CFG_ERR_REGION_EMPTY, CFG_ERR_REGION_FLAGS, CFG_ERR_REGION_OVERLAP,
  CFG_ERR_REGION_RANGE, CFG_ERR_DEVICE_KIND, CFG_ERR_DEVICE_UNALIGNED, CFG_ERR_DEVICE_EMPTY,
  CFG_ERR_DEVICE_OVERLAP, CFG_ERR_DEVICE_RANGE, CFG_ERR_IMAGE_IPA, CFG_ERR_ENTRY, CFG_ERR_DTB,
  CFG_ERR_PA_OVERLAP, CFG_H_MAGIC, CFG_H_VERSION, CFG_H_VM_COUNT, CFG_H_TOTAL_SIZE, CFG_VM_NAME,
  CFG_VM_TYPE, CFG_VM_VCPU_COUNT, CFG_VM_PCPU_MASK, CFG_VM_REGION_COUNT, CFG_VM_DEVICE_COUNT,
  CFG_VM_IMAGE_COUNT, CFG_VM_FLAGS, CFG_VM_SLICE_US, CFG_ERR_SLICE, CFG_VM_ENTRY_IPA, CFG_VM_DTB_IPA, CFG_R_IPA,
  CFG_R_PA, CFG_R_SIZE, CFG_R_FLAGS, CFG_R_RESERVED, CFG_D_KIND, CFG_D_IPA, CFG_D_SIZE, CFG_D_RESERVED,
  CFG_I_LOAD_IPA, CFG_I_RESERVED, CFG_VM_RECORD_SIZE } from "../config";
import { BLOB, makeBlob, vm0, fillVm, RAM_IPA, RAM_PA, RAM_SIZE, UART_IPA } from "../../__tests__/blob";

/** A fresh one-VM blob; returns its length. */
function good(): usize { return makeBlob(1); }

describe("config blob acceptance", () => {
  it("accepts a well-formed one-VM blob", () => {
    expect(cfgValidate(BLOB, good(), 0)).toBe(CFG_OK);
  });

  it("accepts a blob of three VMs and validates the one asked for", () => {
    const len = makeBlob(3);
    expect(cfgValidate(BLOB, len, 2)).toBe(CFG_OK);
  });

  it("accepts a VM without devices and without a DTB", () => {
    const len = good();
    store<u32>(vm0() + CFG_VM_DEVICE_COUNT, 0);
    store<u64>(vm0() + CFG_VM_DTB_IPA, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_OK);
  });

  it("gives every error its own message", () => {
    expect(cfgErrorMessage(CFG_ERR_MAGIC)).not.toBe(cfgErrorMessage(CFG_ERR_VERSION));
    expect(cfgErrorMessage(CFG_ERR_REGION_OVERLAP)).not.toBe(cfgErrorMessage(CFG_ERR_DEVICE_OVERLAP));
    for (let code = CFG_ERR_PA_OVERLAP; code <= CFG_ERR_TRUNCATED; code++) {
      expect(cfgErrorMessage(code)).not.toBe("unknown error");
    }
  });
});

describe("config header errors", () => {
  it("refuses a blob shorter than its header", () => {
    good();
    expect(cfgValidate(BLOB, 15, 0)).toBe(CFG_ERR_TRUNCATED);
  });

  it("refuses a blob shorter than its total_size", () => {
    const len = good();
    expect(cfgValidate(BLOB, len - 1, 0)).toBe(CFG_ERR_TRUNCATED);
  });

  it("refuses a bad magic", () => {
    const len = good();
    store<u32>(BLOB + CFG_H_MAGIC, 0x46435658);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_MAGIC);
  });

  it("refuses another version", () => {
    const len = good();
    store<u32>(BLOB + CFG_H_VERSION, 2);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_VERSION);
  });

  it("refuses a vm_count of 0 or over 8", () => {
    const len = good();
    store<u32>(BLOB + CFG_H_VM_COUNT, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_VM_COUNT);
    store<u32>(BLOB + CFG_H_VM_COUNT, 9);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_VM_COUNT);
  });

  it("refuses VM records that reach past total_size", () => {
    const len = good();
    store<u32>(BLOB + CFG_H_VM_COUNT, 2);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_TOTAL_SIZE);
  });

  it("refuses a VM index outside vm_count", () => {
    const len = good();
    expect(cfgValidate(BLOB, len, 1)).toBe(CFG_ERR_VM_INDEX);
    expect(cfgValidate(BLOB, len, -1)).toBe(CFG_ERR_VM_INDEX);
  });
});

describe("config VM record errors", () => {
  it("refuses an empty name", () => {
    const len = good();
    store<u8>(vm0() + CFG_VM_NAME, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_NAME);
  });

  it("refuses a name with an upper-case letter", () => {
    const len = good();
    store<u8>(vm0() + CFG_VM_NAME, 0x4c);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_NAME);
  });

  it("refuses a name without its terminating NUL", () => {
    const len = good();
    memory.fill(vm0() + CFG_VM_NAME, 0x61, 16);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_NAME);
  });

  it("refuses bytes after the name's NUL", () => {
    const len = good();
    store<u8>(vm0() + CFG_VM_NAME + 10, 0x61);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_NAME);
  });

  it("refuses a type over 2", () => {
    const len = good();
    store<u32>(vm0() + CFG_VM_TYPE, 3);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_TYPE);
  });

  it("refuses a vcpu_count of 0 or over 8", () => {
    const len = good();
    store<u32>(vm0() + CFG_VM_VCPU_COUNT, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_VCPU_COUNT);
    store<u32>(vm0() + CFG_VM_VCPU_COUNT, 9);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_VCPU_COUNT);
  });

  it("refuses an rtvm with fewer CPUs than vCPUs, or any VM without CPUs", () => {
    let len = good();
    store<u32>(vm0() + CFG_VM_VCPU_COUNT, 2);
    store<u32>(vm0() + CFG_VM_TYPE, 2);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_PCPU_MASK);
    len = good();
    store<u32>(vm0() + CFG_VM_PCPU_MASK, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_PCPU_MASK);
  });

  it("lets a gvm share its CPUs among more vCPUs", () => {
    const len = good();
    store<u32>(vm0() + CFG_VM_VCPU_COUNT, 3);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_OK);
  });

  it("refuses a region_count of 0 or over 8", () => {
    const len = good();
    store<u32>(vm0() + CFG_VM_REGION_COUNT, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_REGION_COUNT);
    store<u32>(vm0() + CFG_VM_REGION_COUNT, 9);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_REGION_COUNT);
  });

  it("refuses a device_count over 8", () => {
    const len = good();
    store<u32>(vm0() + CFG_VM_DEVICE_COUNT, 9);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_DEVICE_COUNT);
  });

  it("refuses an image_count of 0 or over 4", () => {
    const len = good();
    store<u32>(vm0() + CFG_VM_IMAGE_COUNT, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_IMAGE_COUNT);
    store<u32>(vm0() + CFG_VM_IMAGE_COUNT, 5);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_IMAGE_COUNT);
  });

  it("refuses unknown VM flags but accepts bench mode and external aborts for unmapped accesses", () => {
    const len = good();
    for (let f: u32 = 1; f <= 3; f++) {
      store<u32>(vm0() + CFG_VM_FLAGS, f);
      expect(cfgValidate(BLOB, len, 0)).toBe(CFG_OK);
    }
    store<u32>(vm0() + CFG_VM_FLAGS, 4);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_FLAGS);
  });

  it("takes a time slice of 1 ms to 1 s, or 0 for the default", () => {
    const len = good();
    for (let i = 0; i < 3; i++) {
      const us: u32 = [0, 1000, 1000000][i];
      store<u32>(vm0() + CFG_VM_SLICE_US, us);
      expect(cfgValidate(BLOB, len, 0)).toBe(CFG_OK);
    }
    store<u32>(vm0() + CFG_VM_SLICE_US, 999);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_SLICE);
    store<u32>(vm0() + CFG_VM_SLICE_US, 1000001);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_SLICE);
  });

  it("refuses an entry_ipa outside executable RAM or unaligned", () => {
    const len = good();
    store<u64>(vm0() + CFG_VM_ENTRY_IPA, 0x40080002);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_ENTRY);
    store<u64>(vm0() + CFG_VM_ENTRY_IPA, RAM_IPA + RAM_SIZE);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_ENTRY);
    store<u64>(vm0() + CFG_VM_ENTRY_IPA, RAM_IPA);
    store<u32>(cfgRegion(vm0(), 0) + CFG_R_FLAGS, 3);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_ENTRY);
  });

  it("refuses a dtb_ipa outside RAM", () => {
    const len = good();
    store<u64>(vm0() + CFG_VM_DTB_IPA, 0x1000);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_DTB);
  });

  it("names the VM at fault in a later record", () => {
    const len = makeBlob(2);
    store<u32>(cfgVm(BLOB, 1) + CFG_VM_TYPE, 7);
    expect(cfgValidate(BLOB, len, 1)).toBe(CFG_ERR_TYPE);
    expect(cfgErrorVm).toBe(1);
  });

  it("lets a VM start when only another VM's record is malformed", () => {
    const len = makeBlob(2);
    store<u32>(cfgVm(BLOB, 1) + CFG_VM_TYPE, 7);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_OK);
  });
});

describe("config region errors", () => {
  it("refuses an unaligned ipa, pa or size", () => {
    let len = good();
    store<u64>(cfgRegion(vm0(), 0) + CFG_R_IPA, RAM_IPA + 0x800);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_REGION_UNALIGNED);
    len = good();
    store<u64>(cfgRegion(vm0(), 0) + CFG_R_PA, RAM_PA + 4);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_REGION_UNALIGNED);
    len = good();
    store<u64>(cfgRegion(vm0(), 0) + CFG_R_SIZE, RAM_SIZE - 1);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_REGION_UNALIGNED);
    expect(cfgErrorItem).toBe(0);
  });

  it("refuses an empty or wrapping region", () => {
    let len = good();
    store<u64>(cfgRegion(vm0(), 0) + CFG_R_SIZE, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_REGION_EMPTY);
    len = good();
    store<u64>(cfgRegion(vm0(), 0) + CFG_R_PA, 0xfffffffffffff000);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_REGION_EMPTY);
  });

  it("refuses a region beyond 39 IPA bits", () => {
    const len = good();
    store<u64>(cfgRegion(vm0(), 0) + CFG_R_IPA, (<u64>1 << 39) - 0x1000);
    store<u64>(cfgRegion(vm0(), 0) + CFG_R_SIZE, 0x2000);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_REGION_RANGE);
  });

  it("refuses region flags other than R, W, X", () => {
    const len = good();
    store<u32>(cfgRegion(vm0(), 0) + CFG_R_FLAGS, 0xf);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_REGION_FLAGS);
  });

  it("refuses a region's non-zero reserved word", () => {
    const len = good();
    store<u32>(cfgRegion(vm0(), 0) + CFG_R_RESERVED, 1);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_RESERVED);
  });

  it("refuses two regions overlapping in IPA space and names the second", () => {
    const len = good();
    store<u32>(vm0() + CFG_VM_REGION_COUNT, 2);
    const r1 = cfgRegion(vm0(), 1);
    store<u64>(r1 + CFG_R_IPA, RAM_IPA + RAM_SIZE - 0x1000);
    store<u64>(r1 + CFG_R_PA, 0x80000000);
    store<u64>(r1 + CFG_R_SIZE, 0x2000);
    store<u32>(r1 + CFG_R_FLAGS, 3);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_REGION_OVERLAP);
    expect(cfgErrorItem).toBe(1);
    store<u64>(r1 + CFG_R_IPA, RAM_IPA + RAM_SIZE);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_OK);
  });

  it("refuses regions of two VMs sharing physical memory", () => {
    const len = makeBlob(2);
    store<u64>(cfgRegion(cfgVm(BLOB, 1), 0) + CFG_R_PA, RAM_PA + RAM_SIZE - 0x1000);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_PA_OVERLAP);
  });
});

describe("config device and image errors", () => {
  it("refuses an unknown device kind", () => {
    const len = good();
    store<u32>(cfgDevice(vm0(), 0) + CFG_D_KIND, 8);   // 1 PL011, 2 and 3 GICv3, 4 and 5 GICv2, 6 passthrough, 7 virtio-console
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_DEVICE_KIND);
  });

  it("refuses an unaligned device", () => {
    const len = good();
    store<u64>(cfgDevice(vm0(), 0) + CFG_D_IPA, UART_IPA + 0x10);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_DEVICE_UNALIGNED);
  });

  it("refuses an empty device", () => {
    const len = good();
    store<u64>(cfgDevice(vm0(), 0) + CFG_D_SIZE, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_DEVICE_EMPTY);
  });

  it("refuses a device beyond 39 IPA bits", () => {
    const len = good();
    store<u64>(cfgDevice(vm0(), 0) + CFG_D_IPA, <u64>1 << 39);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_DEVICE_RANGE);
  });

  it("refuses a device inside RAM", () => {
    const len = good();
    store<u64>(cfgDevice(vm0(), 0) + CFG_D_IPA, RAM_IPA + 0x100000);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_DEVICE_OVERLAP);
  });

  it("refuses two overlapping devices", () => {
    const len = good();
    store<u32>(vm0() + CFG_VM_DEVICE_COUNT, 2);
    const d1 = cfgDevice(vm0(), 1);
    store<u32>(d1 + CFG_D_KIND, 1);
    store<u64>(d1 + CFG_D_IPA, UART_IPA);
    store<u64>(d1 + CFG_D_SIZE, 0x1000);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_DEVICE_OVERLAP);
    expect(cfgErrorItem).toBe(1);
  });

  it("refuses a device's non-zero reserved field", () => {
    const len = good();
    store<u64>(cfgDevice(vm0(), 0) + CFG_D_RESERVED, 1);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_RESERVED);
  });

  it("refuses an image loaded outside RAM", () => {
    const len = good();
    store<u64>(cfgImage(vm0(), 0) + CFG_I_LOAD_IPA, UART_IPA);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_IMAGE_IPA);
  });

  it("refuses an image's non-zero reserved word", () => {
    const len = good();
    store<u32>(cfgImage(vm0(), 0) + CFG_I_RESERVED, 1);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_RESERVED);
  });
});
