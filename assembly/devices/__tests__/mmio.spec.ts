import { mmioReset, mmioRegister, mmioFind, mmioCount, mmioRead, mmioWrite, DEVICE_PL011, DEVICE_GICV3_DIST,
  DEVICE_GICV3_REDIST, MMIO_NONE } from "../mmio";
import { vgicInit } from "../../arch/vgic";
import { WV_EINVAL, WV_ENOMEM } from "../../abi/imports";
import { UARTCR, UARTIMSC } from "../pl011";
import { vmResetState } from "../../core/vm";

function setup(): void {
  vmResetState();
  mmioReset();
}

describe("MMIO registry lookup", () => {
  it("finds the device whose range holds an IPA", () => {
    setup();
    expect(mmioRegister(0x09000000, 0x1000, DEVICE_PL011, 33)).toBe(0);
    expect(mmioRegister(0x09010000, 0x1000, DEVICE_PL011, 34)).toBe(1);
    expect(mmioFind(0x09000000)).toBe(0);
    expect(mmioFind(0x09000fff)).toBe(0);
    expect(mmioFind(0x09010018)).toBe(1);
  });

  it("answers MMIO_NONE just outside every range", () => {
    setup();
    mmioRegister(0x09000000, 0x1000, DEVICE_PL011, 0);
    expect(mmioFind(0x09001000)).toBe(MMIO_NONE);
    expect(mmioFind(0x08ffffff)).toBe(MMIO_NONE);
    expect(mmioFind(0)).toBe(MMIO_NONE);
  });
});

describe("MMIO registry refusals", () => {
  it("refuses a range overlapping a registered device", () => {
    setup();
    mmioRegister(0x09000000, 0x2000, DEVICE_PL011, 0);
    expect(mmioRegister(0x09001000, 0x1000, DEVICE_PL011, 0)).toBe(WV_EINVAL);
    expect(mmioRegister(0x08fff000, 0x2000, DEVICE_PL011, 0)).toBe(WV_EINVAL);
    expect(mmioCount()).toBe(1);
  });

  it("accepts a range that only touches another", () => {
    setup();
    mmioRegister(0x09000000, 0x1000, DEVICE_PL011, 0);
    expect(mmioRegister(0x09001000, 0x1000, DEVICE_PL011, 0)).toBe(1);
  });

  it("refuses empty, wrapping and unknown-kind devices", () => {
    setup();
    expect(mmioRegister(0x09000000, 0, DEVICE_PL011, 0)).toBe(WV_EINVAL);
    expect(mmioRegister(0xfffffffffffff000, 0x2000, DEVICE_PL011, 0)).toBe(WV_EINVAL);
    expect(mmioRegister(0x09000000, 0x1000, 8, 0)).toBe(WV_EINVAL);
    expect(mmioCount()).toBe(0);
  });

  it("refuses a ninth device", () => {
    setup();
    for (let i = 0; i < 8; i++) expect(mmioRegister(0x09000000 + <u64>i * 0x1000, 0x1000, DEVICE_PL011, 0)).toBe(i);
    expect(mmioRegister(0x0a000000, 0x1000, DEVICE_PL011, 0)).toBe(WV_ENOMEM);
  });
});

describe("MMIO access widths", () => {
  it("reads back a 32-bit register written as a whole", () => {
    setup();
    mmioRegister(0x09000000, 0x1000, DEVICE_PL011, 0);
    mmioWrite(0, UARTCR, 4, 0x301);
    expect(mmioRead(0, UARTCR, 4)).toBe(0x301);
  });

  it("writes and reads single bytes in their lane", () => {
    setup();
    mmioRegister(0x09000000, 0x1000, DEVICE_PL011, 0);
    mmioWrite(0, UARTIMSC, 4, 0x11223344);
    mmioWrite(0, UARTIMSC + 1, 1, 0xaa);
    expect(mmioRead(0, UARTIMSC, 4)).toBe(0x1122aa44);
    expect(mmioRead(0, UARTIMSC + 2, 1)).toBe(0x22);
    expect(mmioRead(0, UARTIMSC + 2, 2)).toBe(0x1122);
  });

  it("splits a 64-bit access into two registers", () => {
    setup();
    mmioRegister(0x09000000, 0x1000, DEVICE_PL011, 0);
    mmioWrite(0, UARTCR, 8, 0x0000007f00000301);
    expect(mmioRead(0, UARTCR, 4)).toBe(0x301);
    expect(mmioRead(0, UARTCR + 4, 4)).toBe(0x7f);
    expect(mmioRead(0, UARTCR, 8)).toBe(0x0000007f00000301);
  });

  it("keeps each device's registers apart", () => {
    setup();
    mmioRegister(0x09000000, 0x1000, DEVICE_PL011, 0);
    mmioRegister(0x09001000, 0x1000, DEVICE_PL011, 0);
    mmioWrite(0, UARTCR, 4, 1);
    mmioWrite(1, UARTCR, 4, 2);
    expect(mmioRead(0, UARTCR, 4)).toBe(1);
    expect(mmioRead(1, UARTCR, 4)).toBe(2);
  });
});

describe("MMIO access widths of the GICv3 frames", () => {
  it("gives a 64-bit IROUTER write to the distributor whole", () => {
    vmResetState();
    vgicInit(2);
    mmioReset();
    expect(mmioRegister(0x08000000, 0x10000, DEVICE_GICV3_DIST, 0)).toBe(0);
    mmioWrite(0, 0x6000 + 8 * 32, 8, 0x0000_0007_0000_0001);
    expect(mmioRead(0, 0x6000 + 8 * 32, 8)).toBe(0x0000_0007_0000_0001);
    expect(mmioRead(0, 0x6000 + 8 * 32 + 4, 4)).toBe(7);
  });

  it("reads a redistributor's GICR_TYPER as one 64-bit value", () => {
    vmResetState();
    vgicInit(2);
    mmioReset();
    expect(mmioRegister(0x080a0000, 0x40000, DEVICE_GICV3_REDIST, 0)).toBe(0);
    expect(mmioRead(0, 0x20008, 8)).toBe(0x0000_0001_0000_0110);
  });

  it("still splits a 64-bit access that is only 4-byte aligned", () => {
    vmResetState();
    vgicInit(2);
    mmioReset();
    mmioRegister(0x08000000, 0x10000, DEVICE_GICV3_DIST, 0);
    mmioWrite(0, 0x0104, 8, 0x0000_0003_0000_0005);
    expect(mmioRead(0, 0x0104, 4)).toBe(5);
    expect(mmioRead(0, 0x0108, 4)).toBe(3);
  });
});
