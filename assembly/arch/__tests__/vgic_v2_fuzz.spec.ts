// Random guest behaviour against the virtual GICv2: MMIO accesses of every size to the
// distributor (its registers, GICD_SGIR, the per-source SGI pending registers, the target
// lists, anything else), IRQ exits, WFI, and a guest that acknowledges and deactivates
// what its list registers hold. After every step: the core did not trap and the VM runs,
// and nothing in static memory changed outside the vGIC's block, the exit record, the
// log line buffer and the core's state block. Every few steps the invariants are checked:
// PENDV exact; LISTED bits and SPI owners match the shadows; an SGI's pending latch is
// "some source waits"; no vINTID twice in the list registers of a CPU; a listed SGI's
// source is a vCPU of the VM.

import { fuzzSeed, rnd, below, chance, edgy, staticSnap, staticChanged } from "../../__tests__/fuzz";
import { mmioStore, mmioLoad, irqExit, wfi } from "../../__tests__/gic";
import { freshGicV2Vm, lrVid, V2_GICD_IPA, sgirValue } from "../../__tests__/gicv2";
import { vgicWindows, guestStep, guestAcks, guestEois, stepFault, pendvFault, shadowFault,
  twiceListedFault } from "../../__tests__/vgic_fuzz";
import { setLrCount } from "../../__tests__/fake";
import { ACTION_RESUME } from "../../abi/exit_record";
import { VGIC_MAX_LRS, VGIC_SGIS, R_LR_USED, R_LR_VAL, R_SGI_SRC, P_PEND } from "../vgic_layout";
import { vcpuRec, getBit, vgicVcpus } from "../vgic_common";

const SIZES: StaticArray<u32> = [1, 2, 4, 8];
const GICD_HOT: StaticArray<u32> = [0x000, 0x004, 0x008, 0x080, 0x084, 0x100, 0x104, 0x180, 0x184, 0x200, 0x204,
  0x280, 0x284, 0x300, 0x304, 0x380, 0x384, 0x400, 0x41c, 0x420, 0x800, 0x81c, 0x820, 0x824, 0x8fc, 0xc00, 0xc04,
  0xc08, 0xe00, 0xf00, 0xf00, 0xf00, 0xf10, 0xf1c, 0xf20, 0xf2c, 0xfd0, 0xfe8, 0xffc];
const IRQS: StaticArray<u32> = [8, 25, 27, 27, 33, 40, 64, 255];
/** GICH_LR<n>.vINTID [9:0] and, for an SGI, its source CPU [12:10] (IHI 0048B 5.3.14), as the shadows keep them. */
const LR_VINTID_MASK: u64 = 0x3ff;
const LR_SOURCE_SHIFT: u64 = 10;

// Coverage (the guest's acknowledgements and deactivations: guestAcks, guestEois).
let reads: i32 = 0, writes: i32 = 0, sgirs: i32 = 0, sourcedSeen: i32 = 0;

function mmioStep(v: u32): i32 {
  const bytes = SIZES[<i32>below(4)];
  let off: u32 = chance(75) ? GICD_HOT[<i32>below(GICD_HOT.length)] + (chance(30) ? <u32>below(8) * 4 : 0) : <u32>below(0x1000);
  if (chance(90)) off &= ~(bytes - 1);
  off %= 0x1000;
  if (chance(40)) {
    reads++;
    mmioLoad(v, V2_GICD_IPA + <u64>off, bytes);
    return ACTION_RESUME;
  }
  writes++;
  const value = chance(60) ? edgy(64) : rnd();
  return mmioStore(v, V2_GICD_IPA + <u64>off, bytes, value);
}

/** A GICD_SGIR write as a guest makes it: a filter, a target list, an SGI. */
function sgirStep(v: u32, n: u32): i32 {
  sgirs++;
  const value = sgirValue(<u32>below(4), <u32>(chance(70) ? below(1 << n) : below(256)), <u32>below(16));
  return mmioStore(v, V2_GICD_IPA + 0xf00, 4, value);
}

/** An SGI pending at vCPU `v` names its sources, all vCPUs of the VM's `n`, in its latch and in the list registers. */
function sgiSourceFault(v: u32, n: u32): string {
  for (let x: u32 = 0; x < VGIC_SGIS; x++) {
    const src = <u32>load<u8>(vcpuRec(v) + R_SGI_SRC + <usize>x);
    if ((src >> n) != 0) return "SGI " + x.toString() + " at vCPU " + v.toString() + " from a source the VM lacks";
    if (getBit(P_PEND, v, x) != (src != 0)) return "SGI " + x.toString() + " latch disagrees with its sources";
  }
  const used = load<u32>(vcpuRec(v) + R_LR_USED);
  for (let i: u32 = 0; i < VGIC_MAX_LRS; i++) {
    if ((used & (1 << i)) == 0) continue;
    const val = load<u64>(vcpuRec(v) + R_LR_VAL + (<usize>i << 3));
    const x = <u32>(val & LR_VINTID_MASK);
    const s = <u32>((val >> LR_SOURCE_SHIFT) & 7);
    if (s == 0) continue;
    sourcedSeen++;
    if (x >= VGIC_SGIS || s >= n) return "list register source " + s.toString() + " on INTID " + x.toString();
  }
  return "";
}

function invariants(lrCount: u32): string {
  const n = vgicVcpus();
  for (let v: u32 = 0; v < n; v++) {
    let bad = pendvFault(v);
    if (bad.length == 0) bad = sgiSourceFault(v, n);
    if (bad.length == 0) bad = shadowFault(v, lrCount, LR_VINTID_MASK);
    if (bad.length == 0) bad = twiceListedFault(v, lrCount, lrVid);
    if (bad.length > 0) return bad;
  }
  return "";
}

function run(seed: u64, vcpus: u32, lrCount: u32, steps: i32): string {
  fuzzSeed(seed);
  if (freshGicV2Vm(vcpus) != 0) return "VM build failed";
  setLrCount(<i32>lrCount);
  vgicWindows("vg2-probe-log");
  for (let k = 0; k < steps; k++) {
    const v = <u32>below(vcpus);
    staticSnap();
    const r = below(100);
    let action = ACTION_RESUME;
    let what = "";
    if (r < 58) { action = mmioStep(v); what = "mmio"; }
    else if (r < 65) { action = sgirStep(v, vcpus); what = "sgir"; }
    else if (r < 78) { action = irqExit(v, chance(90) ? IRQS[<i32>below(IRQS.length)] : <u32>rnd()); what = "irq"; }
    else if (r < 95) { guestStep(v); what = "guest"; }
    else { action = wfi(v); what = "wfi"; }
    const stray = staticChanged();
    let bad = stepFault(what, action, stray);
    if (bad.length == 0 && (k % 16 == 0 || k == steps - 1)) bad = invariants(lrCount);
    if (bad.length > 0) return "step " + k.toString() + " (" + what + ", vCPU " + v.toString() + "): " + bad;
  }
  return "";
}

describe("virtual GICv2 under random guest behaviour", () => {
  it("never traps and keeps its invariants (2 vCPUs, 4 list registers, seed 0x62c00001)", () => {
    expect(run(0x62c00001, 2, 4, 3000)).toBe("");
  });

  it("never traps and keeps its invariants (8 vCPUs, 2 list registers, seed 0x62c00002)", () => {
    expect(run(0x62c00002, 8, 2, 3000)).toBe("");
  });

  it("never traps and keeps its invariants (1 vCPU, 16 list registers, seed 0x62c00003)", () => {
    expect(run(0x62c00003, 1, 16, 2000)).toBe("");
  });

  it("covered reads, writes, GICD_SGIR, acknowledgements, deactivations and SGIs with a source", () => {
    log("vgic v2: " + reads.toString() + " reads, " + writes.toString() + " writes, " + sgirs.toString() + " SGIR writes, "
      + guestAcks.toString() + " acks, " + guestEois.toString() + " EOIs, " + sourcedSeen.toString() + " listed SGIs with a source > 0");
    expect(reads).toBeGreaterThan(1000);
    expect(writes).toBeGreaterThan(1000);
    expect(sgirs).toBeGreaterThan(100);
    expect(guestAcks).toBeGreaterThan(50);
    expect(guestEois).toBeGreaterThan(50);
    expect(sourcedSeen).toBeGreaterThan(10);
  });
});
