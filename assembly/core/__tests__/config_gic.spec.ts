import { cfgValidate, cfgDevice, cfgErrorItem, cfgErrorMessage, CFG_OK, CFG_ERR_GIC_LAYOUT, CFG_ERR_GIC_COUNT,
  CFG_ERR_DEVICE_IRQ, CFG_ERR_DEVICE_KIND, CFG_VM_DEVICE_COUNT, CFG_VM_VCPU_COUNT, CFG_VM_PCPU_MASK, CFG_D_KIND,
  CFG_D_IPA, CFG_D_SIZE, CFG_D_IRQ } from "../config";
import { BLOB, makeBlob, vm0 } from "../../__tests__/blob";

const GICD_IPA: u64 = 0x08000000, GICR_IPA: u64 = 0x080a0000;
const KIND_GICD: u32 = 2, KIND_GICR: u32 = 3;

function device(i: u32, kind: u32, ipa: u64, size: u64, irq: u32): void {
  const d = cfgDevice(vm0(), i);
  store<u32>(d + CFG_D_KIND, kind);
  store<u64>(d + CFG_D_IPA, ipa);
  store<u64>(d + CFG_D_SIZE, size);
  store<u32>(d + CFG_D_IRQ, irq);
}

/** One VM with `vcpus` vCPUs: its PL011 (SPI 33), a distributor and redistributors as QEMU virt has them. */
function withGic(vcpus: u32): usize {
  const len = makeBlob(1);
  store<u32>(vm0() + CFG_VM_VCPU_COUNT, vcpus);
  store<u32>(vm0() + CFG_VM_PCPU_MASK, (1 << vcpus) - 1);
  store<u32>(vm0() + CFG_VM_DEVICE_COUNT, 3);
  device(1, KIND_GICD, GICD_IPA, 0x10000, 0);
  device(2, KIND_GICR, GICR_IPA, 0x20000 * <u64>vcpus, 0);
  return len;
}

describe("config GICv3 devices", () => {
  it("accepts a distributor of 64 KiB and redistributors of 128 KiB per vCPU", () => {
    expect(cfgValidate(BLOB, withGic(2), 0)).toBe(CFG_OK);
    expect(cfgValidate(BLOB, withGic(8), 0)).toBe(CFG_OK);
  });

  it("refuses a distributor of another size", () => {
    const len = withGic(2);
    device(1, KIND_GICD, GICD_IPA, 0x20000, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_GIC_LAYOUT);
    expect(cfgErrorItem).toBe(1);
  });

  it("refuses redistributors sized for another number of vCPUs", () => {
    const len = withGic(2);
    device(2, KIND_GICR, GICR_IPA, 0x20000, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_GIC_LAYOUT);
  });

  it("refuses a GIC frame that is not 64 KiB aligned", () => {
    const len = withGic(2);
    device(1, KIND_GICD, GICD_IPA + 0x1000, 0x10000, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_GIC_LAYOUT);
  });

  it("refuses a second distributor", () => {
    const len = withGic(1);
    store<u32>(vm0() + CFG_VM_DEVICE_COUNT, 4);
    device(3, KIND_GICD, 0x08100000, 0x10000, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_GIC_COUNT);
    expect(cfgErrorItem).toBe(3);
  });

  it("refuses an irq on a GIC frame", () => {
    const len = withGic(1);
    device(2, KIND_GICR, GICR_IPA, 0x20000, 27);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_DEVICE_IRQ);
  });

  it("still refuses kinds beyond the known ones (1..7)", () => {
    const len = withGic(1);
    device(2, 8, GICR_IPA, 0x20000, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_DEVICE_KIND);
  });
});

describe("config device interrupts", () => {
  it("accepts a PL011 without an interrupt or with an SPI the vGIC has", () => {
    let len = makeBlob(1);
    store<u32>(cfgDevice(vm0(), 0) + CFG_D_IRQ, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_OK);
    len = makeBlob(1);
    store<u32>(cfgDevice(vm0(), 0) + CFG_D_IRQ, 255);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_OK);
  });

  it("refuses a PL011 irq that is an SGI, a PPI or beyond the vGIC's SPIs", () => {
    const irqs: StaticArray<u32> = [1, 16, 27, 31, 256, 1019, 0xffffffff];
    for (let i = 0; i < irqs.length; i++) {
      const len = makeBlob(1);
      store<u32>(cfgDevice(vm0(), 0) + CFG_D_IRQ, irqs[i]);
      expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_DEVICE_IRQ);
    }
  });

  it("gives the new errors their own messages", () => {
    expect(cfgErrorMessage(CFG_ERR_GIC_LAYOUT)).not.toBe("unknown error");
    expect(cfgErrorMessage(CFG_ERR_GIC_COUNT)).not.toBe(cfgErrorMessage(CFG_ERR_GIC_LAYOUT));
    expect(cfgErrorMessage(CFG_ERR_DEVICE_IRQ)).not.toBe(cfgErrorMessage(CFG_ERR_DEVICE_KIND));
  });
});
