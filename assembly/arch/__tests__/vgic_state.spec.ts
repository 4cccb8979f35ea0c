import { freshGicVm, gicdW, sgiW, irqExit } from "../../__tests__/gic";
import { vgicStateBlock, vgicStateSize, vgicStateCheck, vgicStateRebuild } from "../vgic";
import { VGIC, VGIC_LAYOUT_VERSION, VG_VERSION, VG_VCPUS, VG_LR_COUNT, VG_OWNER, VGIC_VCPU_OFF, VGIC_VCPU_RECORD, R_LR_USED, R_LR_VAL,
  R_PENDV, VG_BITS, VG_BITS_STRIDE, P_LISTED } from "../vgic_layout";
import { pickBest } from "../vgic_common";

const COPY: usize = memory.data(8192, 16);
const ISPENDR: u64 = 0x0200, ISENABLER: u64 = 0x0100;

/** The live block copied aside, with a listed SGI on vCPU 1 and a pending SPI. */
function sample(): usize {
  expect(freshGicVm(2)).toBe(0);
  gicdW(0, 2);
  sgiW(1, ISPENDR, 0b10, 0);
  irqExit(1, 8);
  gicdW(ISENABLER + 4, 1 << 8);
  memory.copy(COPY, vgicStateBlock(), vgicStateSize());
  return COPY;
}

@inline function rec(p: usize, v: u32): usize { return p + VGIC_VCPU_OFF + <usize>v * VGIC_VCPU_RECORD; }

describe("vGIC state check", () => {
  it("accepts the block of a running VM, and an all-zero one", () => {
    expect(vgicStateCheck(sample())).toBe(true);
    memory.fill(COPY, 0, vgicStateSize());
    expect(vgicStateCheck(COPY)).toBe(true);
  });

  it("refuses another layout version and more vCPUs than a VM can have", () => {
    let p = sample();
    store<u32>(p + VG_VERSION, VGIC_LAYOUT_VERSION + 1);
    expect(vgicStateCheck(p)).toBe(false);
    p = sample();
    store<u32>(p + VG_VCPUS, 9);
    expect(vgicStateCheck(p)).toBe(false);
    p = sample();
    store<u32>(p + VG_LR_COUNT, 17);
    expect(vgicStateCheck(p)).toBe(false);
  });

  it("refuses list register shadows beyond the registers there are, or naming INTIDs the vGIC lacks", () => {
    let p = sample();
    store<u32>(rec(p, 1) + R_LR_USED, 1 << 4);
    expect(vgicStateCheck(p)).toBe(false);
    p = sample();
    store<u64>(rec(p, 1) + R_LR_VAL, 0x10000001);
    expect(vgicStateCheck(p)).toBe(false);
    p = sample();
    store<u32>(rec(p, 0) + R_LR_USED, 1);
    store<u32>(p + VG_VCPUS, 0);
    expect(vgicStateCheck(p)).toBe(false);
  });

  it("refuses an SPI in two list registers and an owner that is no vCPU", () => {
    let p = sample();
    store<u32>(rec(p, 0) + R_LR_USED, 0b11);
    store<u64>(rec(p, 0) + R_LR_VAL, 40);
    store<u64>(rec(p, 0) + R_LR_VAL + 8, 40);
    expect(vgicStateCheck(p)).toBe(false);
    p = sample();
    store<u8>(p + VG_OWNER + 40, 3);
    expect(vgicStateCheck(p)).toBe(false);
  });
});

describe("vGIC state rebuild", () => {
  it("recomputes the derived bitmaps from the shadows and the per-INTID state", () => {
    const p = sample();
    memory.fill(VGIC + VG_BITS + <usize>P_LISTED * VG_BITS_STRIDE, 0xff, VG_BITS_STRIDE);
    memory.fill(rec(VGIC, 0) + R_PENDV, 0xff, 32);
    memory.fill(VGIC + VG_OWNER + 32, 2, 32);
    vgicStateRebuild();
    expect(memory.compare(VGIC, p, vgicStateSize())).toBe(0);
    expect(pickBest(0)).toBe(-1);
    expect(pickBest(1)).toBe(-1);
  });
});
