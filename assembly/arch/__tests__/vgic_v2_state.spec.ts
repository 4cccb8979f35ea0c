// The vGIC state check and rebuild with a GICv2: list register shadows that carry an SGI's
// source, and the per-source pending SGIs.
import { freshGicV2Vm, v2W, sgirValue, D_CTLR, D_SGIR } from "../../__tests__/gicv2";
import { freshGicVm, irqExit } from "../../__tests__/gic";
import { vgicStateBlock, vgicStateSize, vgicStateCheck, vgicStateRebuild } from "../vgic";
import { VGIC, VG_MODEL, VGIC_VCPU_OFF, VGIC_VCPU_RECORD, R_LR_USED, R_LR_VAL, R_SGI_SRC, R_BITS, P_PEND } from "../vgic_layout";

const COPY: usize = memory.data(8192, 16);
const KICK: u32 = 8;

@inline function rec(p: usize, v: u32): usize { return p + VGIC_VCPU_OFF + <usize>v * VGIC_VCPU_RECORD; }

/** A GICv2 VM with SGI 5 from vCPU 1 listed at vCPU 0, copied aside. */
function sample(): usize {
  expect(freshGicV2Vm(2)).toBe(0);
  v2W(D_CTLR, 1);
  v2W(D_SGIR, sgirValue(0, 0b01, 5), 1);
  irqExit(0, KICK);
  memory.copy(COPY, vgicStateBlock(), vgicStateSize());
  return COPY;
}

describe("vGIC state check, GICv2", () => {
  it("accepts a listed SGI with its source, and refuses a source that is no vCPU or is on anything but an SGI", () => {
    let p = sample();
    expect(load<u32>(rec(p, 0) + R_LR_USED)).toBe(1);
    expect((load<u64>(rec(p, 0) + R_LR_VAL) >> 10) & 7).toBe(1);
    expect(vgicStateCheck(p)).toBe(true);
    p = sample();
    store<u64>(rec(p, 0) + R_LR_VAL, (load<u64>(rec(p, 0) + R_LR_VAL) & ~(<u64>0x1c00)) | (<u64>5 << 10));
    expect(vgicStateCheck(p)).toBe(false);
    p = sample();
    store<u64>(rec(p, 0) + R_LR_VAL, (load<u64>(rec(p, 0) + R_LR_VAL) & ~(<u64>0x3ff)) | 40);
    expect(vgicStateCheck(p)).toBe(false);
  });

  it("refuses an SGI source on a GICv3, and a model that is neither", () => {
    let p = sample();
    store<u32>(p + VG_MODEL, 3);
    expect(vgicStateCheck(p)).toBe(false);
    p = sample();
    store<u32>(p + VG_MODEL, 7);
    expect(vgicStateCheck(p)).toBe(false);
    expect(freshGicVm(2)).toBe(0);
    memory.copy(COPY, vgicStateBlock(), vgicStateSize());
    expect(vgicStateCheck(COPY)).toBe(true);
  });
});

describe("vGIC state rebuild, GICv2", () => {
  it("derives each SGI's pending latch from its sources, keeping only the VM's vCPUs", () => {
    sample();
    store<u8>(rec(VGIC, 1) + R_SGI_SRC + 3, 0xff);         // SGI 3 at vCPU 1 from every source
    store<u32>(rec(VGIC, 1) + R_BITS + (<usize>P_PEND << 2), 0);
    vgicStateRebuild();
    expect(load<u8>(rec(VGIC, 1) + R_SGI_SRC + 3)).toBe(0b11);
    expect(load<u32>(rec(VGIC, 1) + R_BITS + (<usize>P_PEND << 2))).toBe(1 << 3);
  });
});
