// Device frames (config kinds 5 and 6): mapped by stage 2 as Device memory, read/write,
// never executable, not MMIO-trapped; and the GIC model a VM's devices choose.
import { vmInit, vmResetState } from "../vm";
import { STATE, VM_DEVICE_COUNT } from "../layout";
import { cfgVm, cfgDevice, CFG_VM_DEVICE_COUNT, CFG_D_KIND, CFG_D_IPA, CFG_D_SIZE, CFG_D_PA, CFG_D_IRQ } from "../config";
import { s2DeviceAttrs, S2_MEMATTR_DEVICE_NGNRE, S2AP_READ, S2AP_WRITE, S2_AF, S2_XN, DESC_PAGE, DESC_BLOCK,
  DESC_OA_MASK, s2MapDevice, s2Create } from "../../arch/stage2";
import { mmioFind, mmioCount } from "../../devices/mmio";
import { VGIC, VG_MODEL, VGIC_MODEL_V2, VGIC_MODEL_V3 } from "../../arch/vgic_layout";
import { BLOB, makeBlob } from "../../__tests__/blob";
import { fakeReset, s2Entry, s2EntryLevel, s2RefuseAfter, lastConsole } from "../../__tests__/fake";
import { freshGicV2Vm, gicV2Blob, V2_GICD_IPA, V2_GICC_IPA, V2_GICV_PA } from "../../__tests__/gicv2";
import { freshGicVm } from "../../__tests__/gic";
import { WV_EINVAL } from "../../abi/imports";

const PAGE: u64 = 0x1000;
const MIB2: u64 = 0x200000;
/** Stage-2 MemAttr [5:2]. */
const MEMATTR_MASK: u64 = 0xf << 2;
/** The runtime refuses a frame unless MemAttr is Device-nGnRE and XN[1] (bit 54) is set (runtime-c/core/validate.c). */
const XN_EL1: u64 = <u64>1 << 54;

/** The stage-2 descriptor that maps `ipa` (a walk of the fake's tables from the root, handle 0), and its level. */
let foundLevel: i32 = 0;
function walk(ipa: u64): u64 {
  let table = 0;
  for (let level = 1; level <= 3; level++) {
    const shift = <u64>(12 + 9 * (3 - level));
    const d = s2Entry(table, <i32>((ipa >> shift) & 511));
    if (level < 3 && (d & 3) == 3) { table = <i32>(d >> 12); continue; }
    foundLevel = level;
    return d;
  }
  return 0;
}

describe("stage-2 attributes of a device frame", () => {
  it("are Device-nGnRE, read/write, execute-never, accessed", () => {
    const a = s2DeviceAttrs();
    expect(a & MEMATTR_MASK).toBe(S2_MEMATTR_DEVICE_NGNRE);
    expect(S2_MEMATTR_DEVICE_NGNRE).toBe(0b0001 << 2);
    expect(a & (S2AP_READ | S2AP_WRITE)).toBe(S2AP_READ | S2AP_WRITE);
    expect(a & S2_XN).toBe(S2_XN);
    expect(a & XN_EL1).toBe(XN_EL1);
    expect(a & S2_AF).toBe(S2_AF);
  });

  it("refuses a frame that is unaligned, empty or wraps", () => {
    fakeReset();
    s2Create();
    expect(s2MapDevice(0x08010800, V2_GICV_PA, 0x2000)).toBe(WV_EINVAL);
    expect(s2MapDevice(0x08010000, V2_GICV_PA, 0)).toBe(WV_EINVAL);
    expect(s2MapDevice(0x08010000, 0xfffffffffffff000, 0x2000)).toBe(WV_EINVAL);
  });
});

/** Build the GICv2 VM, keeping what the fake recorded of the build (freshGicV2Vm forgets it). */
function buildGicV2Vm(): i32 {
  fakeReset();
  vmResetState();
  return vmInit(0, BLOB, gicV2Blob(2));
}

describe("a VM's GICv2 CPU interface (kind 5) in stage 2", () => {
  it("maps the GICC IPA onto the board's GICV frame, page by page, as Device memory", () => {
    expect(buildGicV2Vm()).toBe(0);
    for (let k: u64 = 0; k < 2; k++) {
      const d = walk(V2_GICC_IPA + k * PAGE);
      expect(foundLevel).toBe(3);
      expect(d & 3).toBe(DESC_PAGE);
      expect(d & DESC_OA_MASK).toBe(V2_GICV_PA + k * PAGE);
      expect(d & ~DESC_OA_MASK & ~(<u64>3)).toBe(s2DeviceAttrs());
    }
    expect(walk(V2_GICC_IPA + 2 * PAGE)).toBe(0);     // 8 KiB, no more
  });
});

describe("a VM's GICv2 CPU interface (kind 5)", () => {
  it("is not an MMIO device: only the PL011 and the distributor are registered", () => {
    expect(freshGicV2Vm(2)).toBe(0);
    expect(mmioFind(V2_GICC_IPA)).toBe(-1);
    expect(mmioFind(V2_GICD_IPA)).toBeGreaterThanOrEqual(0);
    expect(mmioCount()).toBe(2);
    expect(load<u32>(STATE + VM_DEVICE_COUNT)).toBe(2);
  });

  it("makes the VM see a GICv2; a VM with GICv3 frames sees a GICv3", () => {
    freshGicV2Vm(2);
    expect(load<u32>(VGIC + VG_MODEL)).toBe(VGIC_MODEL_V2);
    freshGicVm(2);
    expect(load<u32>(VGIC + VG_MODEL)).toBe(VGIC_MODEL_V3);
  });

  it("stops the build when the runtime refuses the frame's entry", () => {
    fakeReset();
    vmResetState();
    const len = gicV2Blob(2);
    s2RefuseAfter(65, -4);                              // the RAM's table and 64 blocks pass, the frame does not
    expect(vmInit(0, BLOB, len)).toBe(-4);
    expect(lastConsole()).toBe("[wasmvisor] vm linux: stage-2 build failed (error 4)\n");
  });
});

/** One VM with its PL011 and a passthrough frame (kind 6) at `ipa` of `size` bytes from `pa`. */
function withPassthrough(ipa: u64, size: u64, pa: u64, irq: u32): usize {
  const len = makeBlob(1);
  store<u32>(cfgVm(BLOB, 0) + CFG_VM_DEVICE_COUNT, 2);
  const d = cfgDevice(cfgVm(BLOB, 0), 1);
  store<u32>(d + CFG_D_KIND, 6);
  store<u64>(d + CFG_D_IPA, ipa);
  store<u64>(d + CFG_D_SIZE, size);
  store<u64>(d + CFG_D_PA, pa);
  store<u32>(d + CFG_D_IRQ, irq);
  return len;
}

describe("a passthrough frame (kind 6)", () => {
  it("is mapped as Device memory with the largest blocks that fit, and not registered", () => {
    fakeReset();
    vmResetState();
    const len = withPassthrough(0x0a000000, MIB2 + PAGE, 0x0a000000, 79);
    expect(vmInit(0, BLOB, len)).toBe(0);
    let d = walk(0x0a000000);
    expect(foundLevel).toBe(2);
    expect(d & 3).toBe(DESC_BLOCK);
    expect(d & ~DESC_OA_MASK & ~(<u64>3)).toBe(s2DeviceAttrs());
    d = walk(0x0a000000 + MIB2);
    expect(foundLevel).toBe(3);
    expect(d & DESC_OA_MASK).toBe(0x0a000000 + MIB2);
    expect(mmioFind(0x0a000000)).toBe(-1);
    expect(mmioCount()).toBe(1);
  });

  it("may sit at another IPA than its frame", () => {
    fakeReset();
    vmResetState();
    const len = withPassthrough(0x0c000000, PAGE, 0x0a003000, 0);
    expect(vmInit(0, BLOB, len)).toBe(0);
    expect(walk(0x0c000000) & DESC_OA_MASK).toBe(0x0a003000);
  });
});
