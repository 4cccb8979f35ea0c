// Config device kinds 4 (GICv2 distributor), 5 (GICv2 CPU interface frame) and
// 6 (passthrough frame): what wv_init accepts and the error each mistake gets.
import { cfgValidate, cfgDevice, cfgErrorItem, cfgErrorMessage, CFG_OK, CFG_ERR_GICV2_LAYOUT, CFG_ERR_GIC_COUNT,
  CFG_ERR_GIC_MIX, CFG_ERR_FRAME_PA, CFG_ERR_DEVICE_IRQ, CFG_ERR_RESERVED, CFG_ERR_DEVICE_EMPTY, CFG_ERR_DEVICE_OVERLAP,
  CFG_ERR_DEVICE_UNALIGNED, CFG_VM_DEVICE_COUNT, CFG_D_KIND, CFG_D_IPA, CFG_D_SIZE, CFG_D_IRQ, CFG_D_PA,
  cfgKnownKind, cfgIsFrame } from "../config";
import { BLOB, vm0, RAM_IPA } from "../../__tests__/blob";
import { gicV2Blob, V2_GICD_IPA, V2_GICC_IPA, V2_GICV_PA } from "../../__tests__/gicv2";

const KIND_GICV3_DIST: u32 = 2, KIND_GICV2_DIST: u32 = 4, KIND_GICV2_CPUIF: u32 = 5, KIND_PASSTHROUGH: u32 = 6;
const FRAME_IPA: u64 = 0x0a000000;

function device(i: u32, kind: u32, ipa: u64, size: u64, pa: u64, irq: u32): void {
  const d = cfgDevice(vm0(), i);
  store<u32>(d + CFG_D_KIND, kind);
  store<u64>(d + CFG_D_IPA, ipa);
  store<u64>(d + CFG_D_SIZE, size);
  store<u64>(d + CFG_D_PA, pa);
  store<u32>(d + CFG_D_IRQ, irq);
}

/** The GICv2 VM's blob (PL011, distributor, CPU interface) with one more device slot used. */
function withFourth(kind: u32, ipa: u64, size: u64, pa: u64, irq: u32): usize {
  const len = gicV2Blob(2);
  store<u32>(vm0() + CFG_VM_DEVICE_COUNT, 4);
  device(3, kind, ipa, size, pa, irq);
  return len;
}

describe("config kinds", () => {
  it("knows kinds 1..7; 5 and 6 are frames", () => {
    for (let k: u32 = 1; k <= 7; k++) expect(cfgKnownKind(k)).toBe(true);
    expect(cfgKnownKind(0)).toBe(false);
    expect(cfgKnownKind(8)).toBe(false);
    expect(cfgIsFrame(7)).toBe(false);
    expect(cfgIsFrame(4)).toBe(false);
    expect(cfgIsFrame(5)).toBe(true);
    expect(cfgIsFrame(6)).toBe(true);
  });
});

describe("config GICv2 devices (kinds 4 and 5)", () => {
  it("accepts a 4 KiB distributor and an 8 KiB CPU interface with its pa, one of each", () => {
    expect(cfgValidate(BLOB, gicV2Blob(2), 0)).toBe(CFG_OK);
    expect(cfgValidate(BLOB, gicV2Blob(8), 0)).toBe(CFG_OK);
  });

  it("refuses a distributor of another size or not 4 KiB aligned", () => {
    let len = gicV2Blob(2);
    device(1, KIND_GICV2_DIST, V2_GICD_IPA, 0x10000, 0, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_GICV2_LAYOUT);
    expect(cfgErrorItem).toBe(1);
    len = gicV2Blob(2);
    device(1, KIND_GICV2_DIST, V2_GICD_IPA + 0x800, 0x1000, 0, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_GICV2_LAYOUT);
  });

  it("refuses a CPU interface of another size, without a pa, or with an unaligned one", () => {
    let len = gicV2Blob(2);
    device(2, KIND_GICV2_CPUIF, V2_GICC_IPA, 0x1000, V2_GICV_PA, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_GICV2_LAYOUT);
    expect(cfgErrorItem).toBe(2);
    len = gicV2Blob(2);
    device(2, KIND_GICV2_CPUIF, V2_GICC_IPA, 0x2000, 0, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_GICV2_LAYOUT);
    len = gicV2Blob(2);
    device(2, KIND_GICV2_CPUIF, V2_GICC_IPA, 0x2000, V2_GICV_PA + 0x10, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_GICV2_LAYOUT);
  });

  it("refuses a pa on the emulated distributor and an irq on either", () => {
    let len = gicV2Blob(2);
    device(1, KIND_GICV2_DIST, V2_GICD_IPA, 0x1000, V2_GICV_PA, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_RESERVED);
    len = gicV2Blob(2);
    device(1, KIND_GICV2_DIST, V2_GICD_IPA, 0x1000, 0, 25);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_DEVICE_IRQ);
    len = gicV2Blob(2);
    device(2, KIND_GICV2_CPUIF, V2_GICC_IPA, 0x2000, V2_GICV_PA, 25);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_DEVICE_IRQ);
  });

  it("refuses a second distributor or CPU interface", () => {
    expect(cfgValidate(BLOB, withFourth(KIND_GICV2_DIST, 0x08100000, 0x1000, 0, 0), 0)).toBe(CFG_ERR_GIC_COUNT);
    expect(cfgErrorItem).toBe(3);
    expect(cfgValidate(BLOB, withFourth(KIND_GICV2_CPUIF, 0x08100000, 0x2000, V2_GICV_PA, 0), 0)).toBe(CFG_ERR_GIC_COUNT);
  });

  it("refuses GICv2 and GICv3 devices in one VM", () => {
    expect(cfgValidate(BLOB, withFourth(KIND_GICV3_DIST, 0x08100000, 0x10000, 0, 0), 0)).toBe(CFG_ERR_GIC_MIX);
    expect(cfgErrorItem).toBe(3);
  });

  it("refuses a CPU interface overlapping the distributor", () => {
    const len = gicV2Blob(2);
    device(2, KIND_GICV2_CPUIF, V2_GICD_IPA, 0x2000, V2_GICV_PA, 0);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_DEVICE_OVERLAP);
  });
});

describe("config passthrough frames (kind 6)", () => {
  it("accepts any 4 KiB aligned frame with an aligned pa, its irq 0 or an SPI", () => {
    expect(cfgValidate(BLOB, withFourth(KIND_PASSTHROUGH, FRAME_IPA, 0x1000, 0x0a003000, 0), 0)).toBe(CFG_OK);
    expect(cfgValidate(BLOB, withFourth(KIND_PASSTHROUGH, FRAME_IPA, 0x201000, 0x0a000000, 79), 0)).toBe(CFG_OK);
    expect(cfgValidate(BLOB, withFourth(KIND_PASSTHROUGH, FRAME_IPA, 0x1000, 0, 255), 0)).toBe(CFG_OK);
  });

  it("refuses an irq that is no SPI of the vGIC", () => {
    const irqs: StaticArray<u32> = [8, 27, 31, 256, 1019];
    for (let i = 0; i < irqs.length; i++) {
      expect(cfgValidate(BLOB, withFourth(KIND_PASSTHROUGH, FRAME_IPA, 0x1000, 0x0a003000, irqs[i]), 0)).toBe(CFG_ERR_DEVICE_IRQ);
    }
  });

  it("refuses a pa not 4 KiB aligned or a frame wrapping past the top of the physical space", () => {
    expect(cfgValidate(BLOB, withFourth(KIND_PASSTHROUGH, FRAME_IPA, 0x1000, 0x0a003200, 0), 0)).toBe(CFG_ERR_FRAME_PA);
    expect(cfgValidate(BLOB, withFourth(KIND_PASSTHROUGH, FRAME_IPA, 0x2000, 0xfffffffffffff000, 0), 0)).toBe(CFG_ERR_FRAME_PA);
  });

  it("refuses an empty or unaligned frame, and one over the VM's RAM", () => {
    expect(cfgValidate(BLOB, withFourth(KIND_PASSTHROUGH, FRAME_IPA, 0, 0x0a003000, 0), 0)).toBe(CFG_ERR_DEVICE_EMPTY);
    expect(cfgValidate(BLOB, withFourth(KIND_PASSTHROUGH, FRAME_IPA, 0x800, 0x0a003000, 0), 0)).toBe(CFG_ERR_DEVICE_UNALIGNED);
    expect(cfgValidate(BLOB, withFourth(KIND_PASSTHROUGH, RAM_IPA, 0x1000, 0x0a003000, 0), 0)).toBe(CFG_ERR_DEVICE_OVERLAP);
  });

  it("gives the new errors their own messages", () => {
    expect(cfgErrorMessage(CFG_ERR_GICV2_LAYOUT)).toBe("GICv2 distributor must be 4 KiB, CPU interface 8 KiB with a pa, all 4 KiB aligned");
    expect(cfgErrorMessage(CFG_ERR_GIC_MIX)).toBe("GICv2 and GICv3 devices in one VM");
    expect(cfgErrorMessage(CFG_ERR_FRAME_PA)).toBe("device frame pa not 4 KiB aligned or wrapping");
  });
});
