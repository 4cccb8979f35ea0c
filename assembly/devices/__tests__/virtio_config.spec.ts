// Device kind 7, virtio-console, in the config blob (core/config.ts, docs/abi.md sections 1
// and 6): a 0x200-byte window at a 0x200-aligned IPA with an SPI of the vGIC, one per VM;
// and in the MMIO registry (devices/mmio.ts).

import { cfgValidate, cfgDevice, cfgErrorMessage, CFG_OK, CFG_ERR_VIRTIO_LAYOUT, CFG_ERR_RESERVED,
  CFG_ERR_DEVICE_OVERLAP, CFG_VM_DEVICE_COUNT, CFG_D_KIND, CFG_D_IRQ, CFG_D_IPA, CFG_D_SIZE, CFG_D_PA } from "../../core/config";
import { makeBlob, vm0, BLOB, RAM_IPA, UART_IPA } from "../../__tests__/blob";
import { mmioKnownKind, mmioFind, mmioKind, DEVICE_VIRTIO_CONSOLE } from "../mmio";
import { virtioVm, VIO_IPA } from "../../__tests__/virtio_driver";

/** The standard blob with device `i` a virtio-console: `ipa`, `size`, `irq`. */
function withVirtio(i: u32, ipa: u64, size: u64 = 0x200, irq: u32 = 40): usize {
  const len = makeBlob(1);
  store<u32>(vm0() + CFG_VM_DEVICE_COUNT, i + 1);
  const d = cfgDevice(vm0(), i);
  store<u32>(d + CFG_D_KIND, 7);
  store<u32>(d + CFG_D_IRQ, irq);
  store<u64>(d + CFG_D_IPA, ipa);
  store<u64>(d + CFG_D_SIZE, size);
  return len;
}

describe("config: virtio-console devices (kind 7)", () => {
  it("accepts a 0x200-byte window at a 0x200-aligned IPA with an SPI", () => {
    expect(cfgValidate(BLOB, withVirtio(1, 0x0a000000), 0)).toBe(CFG_OK);
    expect(cfgValidate(BLOB, withVirtio(1, 0x0a800e00, 0x200, 255), 0)).toBe(CFG_OK);
    expect(cfgValidate(BLOB, withVirtio(1, 0x0a000200, 0x200, 32), 0)).toBe(CFG_OK);
  });

  it("refuses another size or alignment", () => {
    expect(cfgValidate(BLOB, withVirtio(1, 0x0a000000, 0x1000), 0)).toBe(CFG_ERR_VIRTIO_LAYOUT);
    expect(cfgValidate(BLOB, withVirtio(1, 0x0a000000, 0x100), 0)).toBe(CFG_ERR_VIRTIO_LAYOUT);
    expect(cfgValidate(BLOB, withVirtio(1, 0x0a000100), 0)).toBe(CFG_ERR_VIRTIO_LAYOUT);
    expect(cfgErrorMessage(CFG_ERR_VIRTIO_LAYOUT)).toBe(
      "virtio-console must be one 0x200-byte window, 0x200 aligned, with an SPI 32..255, at most one per VM");
  });

  it("requires an SPI the vGIC has: not none, not a PPI, not above 255", () => {
    expect(cfgValidate(BLOB, withVirtio(1, 0x0a000000, 0x200, 0), 0)).toBe(CFG_ERR_VIRTIO_LAYOUT);
    expect(cfgValidate(BLOB, withVirtio(1, 0x0a000000, 0x200, 27), 0)).toBe(CFG_ERR_VIRTIO_LAYOUT);
    expect(cfgValidate(BLOB, withVirtio(1, 0x0a000000, 0x200, 256), 0)).toBe(CFG_ERR_VIRTIO_LAYOUT);
    expect(cfgValidate(BLOB, withVirtio(1, 0x0a000000, 0x200, 1019), 0)).toBe(CFG_ERR_VIRTIO_LAYOUT);
  });

  it("refuses a second one in a VM, a pa, and an overlap with RAM or another device", () => {
    expect(cfgValidate(BLOB, withVirtioAgain(), 0)).toBe(CFG_ERR_VIRTIO_LAYOUT);
    const len = withVirtio(1, 0x0a000000);
    store<u64>(cfgDevice(vm0(), 1) + CFG_D_PA, 0x0a000000);
    expect(cfgValidate(BLOB, len, 0)).toBe(CFG_ERR_RESERVED);
    expect(cfgValidate(BLOB, withVirtio(1, RAM_IPA + 0x200), 0)).toBe(CFG_ERR_DEVICE_OVERLAP);
    expect(cfgValidate(BLOB, withVirtio(1, UART_IPA + 0x200), 0)).toBe(CFG_ERR_DEVICE_OVERLAP);
  });

  it("is a kind the MMIO registry emulates: the VM's window finds it", () => {
    expect(mmioKnownKind(DEVICE_VIRTIO_CONSOLE)).toBe(true);
    expect(mmioKnownKind(8)).toBe(false);
    expect(virtioVm()).toBe(0);
    const s = mmioFind(VIO_IPA + 0x1fc);
    expect(s).toBe(1);
    expect(mmioKind(s)).toBe(7);
    expect(mmioFind(VIO_IPA + 0x200)).toBe(-1);   // the rest of the page is no device
  });
});

/** The blob of withVirtio with a second virtio-console as device 2, in the same page; its length. */
function withVirtioAgain(): usize {
  const len = withVirtio(1, 0x0a000000);
  store<u32>(vm0() + CFG_VM_DEVICE_COUNT, 3);
  const d = cfgDevice(vm0(), 2);
  store<u32>(d + CFG_D_KIND, 7);
  store<u32>(d + CFG_D_IRQ, 41);
  store<u64>(d + CFG_D_IPA, 0x0a000200);
  store<u64>(d + CFG_D_SIZE, 0x200);
  return len;
}
