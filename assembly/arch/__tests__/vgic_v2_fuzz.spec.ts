// Random guest behaviour against the virtual GICv2: MMIO accesses of every size to the
// distributor (its registers, GICD_SGIR, the per-source SGI pending registers, the target
// lists, anything else), IRQ exits, WFI, and a guest that acknowledges and deactivates
// what its list registers hold. After every step: the core did not trap and the VM runs,
// and nothing in static memory changed outside the vGIC's block, the exit record, the
// log line buffer and the core's state block. Every few steps the invariants are checked:
// PENDV exact; LISTED bits and SPI owners match the shadows; an SGI's pending latch is
// "some source waits"; no vINTID twice in the list registers of a CPU; a listed SGI's
// source is a vCPU of the VM.

import { fuzzSeed, rnd, below, chance, edgy, hx, staticWindowsClear, staticWindow, staticSnap, staticChanged,
  findStatic } from "../../__tests__/fuzz";
import { mmioStore, mmioLoad, irqExit, wfi, guestAck, guestEoi, lrValid } from "../../__tests__/gic";
import { freshGicV2Vm, lrVid, V2_GICD_IPA, sgirValue } from "../../__tests__/gicv2";
import { setCpu, setLrCount, lrGet, lrSet } from "../../__tests__/fake";
import { ACTION_RESUME, ACTION_IDLE, EXIT_RECORD } from "../../abi/exit_record";
import { STATE, STATE_SIZE } from "../../core/layout";
import { logBegin, logStr, logEnd } from "../../core/log";
import { vmRunning } from "../../core/vm";
import { VGIC, VGIC_SIZE, VGIC_NR_INTIDS, VGIC_PRIVATE_INTIDS, VGIC_MAX_LRS, VGIC_SGIS, R_PENDV, R_LR_USED,
  R_LR_VAL, R_SGI_SRC, VG_OWNER, P_LISTED, P_PEND } from "../vgic_layout";
import { vcpuRec, getBit, pendingNow, eligible, spiTarget, vgicVcpus } from "../vgic_common";

const LOG_BUF_BYTES: usize = 256;
const SIZES: StaticArray<u32> = [1, 2, 4, 8];
const GICD_HOT: StaticArray<u32> = [0x000, 0x004, 0x008, 0x080, 0x084, 0x100, 0x104, 0x180, 0x184, 0x200, 0x204,
  0x280, 0x284, 0x300, 0x304, 0x380, 0x384, 0x400, 0x41c, 0x420, 0x800, 0x81c, 0x820, 0x824, 0x8fc, 0xc00, 0xc04,
  0xc08, 0xe00, 0xf00, 0xf00, 0xf00, 0xf10, 0xf1c, 0xf20, 0xf2c, 0xfd0, 0xfe8, 0xffc];
const IRQS: StaticArray<u32> = [8, 25, 27, 27, 33, 40, 64, 255];
const LR_STATE_SHIFT: u64 = 62;
const LR_SOURCE_SHIFT: u64 = 10;

let logBuf: isize = 0;
let reads: i32 = 0, writes: i32 = 0, sgirs: i32 = 0, acks: i32 = 0, eois: i32 = 0, sourcedSeen: i32 = 0;

function windows(): void {
  staticWindowsClear();
  staticWindow(VGIC, VGIC_SIZE);
  staticWindow(EXIT_RECORD, 320);
  staticWindow(STATE, STATE_SIZE);
  if (logBuf > 0) staticWindow(<usize>logBuf, LOG_BUF_BYTES);
}

function findLogBuf(): void {
  logBegin();
  logStr("vg2-probe-log");
  logEnd();
  logBuf = findStatic("[wasmvisor] vg2-probe-log\n");
}

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

function guestStep(v: u32): void {
  setCpu(<i32>v);
  const i = <i32>below(4);
  const state = <u32>(lrGet(i) >> LR_STATE_SHIFT);
  if (state == 1 || (state == 3 && chance(30))) { guestAck(i); acks++; }
  else if (state >= 2) { guestEoi(i); eois++; }
  else if (chance(5)) lrSet(i, rnd() & ~(<u64>3 << LR_STATE_SHIFT));
}

function invariants(lrCount: u32): string {
  const n = vgicVcpus();
  for (let v: u32 = 0; v < n; v++) {
    for (let x: u32 = 0; x < VGIC_NR_INTIDS; x++) {
      const inPendv = (load<u32>(vcpuRec(v) + R_PENDV + (<usize>(x >> 5) << 2)) & (1 << (x & 31))) != 0;
      const forV = x < VGIC_PRIVATE_INTIDS || spiTarget(x) == v;
      const want = forV && pendingNow(v, x) && !getBit(P_LISTED, v, x) && eligible(v, x);
      if (inPendv != want) return "PENDV of vCPU " + v.toString() + " wrong for INTID " + x.toString();
    }
    for (let x: u32 = 0; x < VGIC_SGIS; x++) {
      const src = <u32>load<u8>(vcpuRec(v) + R_SGI_SRC + <usize>x);
      if ((src >> n) != 0) return "SGI " + x.toString() + " at vCPU " + v.toString() + " from a source the VM lacks";
      if (getBit(P_PEND, v, x) != (src != 0)) return "SGI " + x.toString() + " latch disagrees with its sources";
    }
    const used = load<u32>(vcpuRec(v) + R_LR_USED);
    if ((used >> lrCount) != 0) return "vCPU " + v.toString() + " uses list registers it does not have";
    let privListed: u32 = 0;
    for (let i: u32 = 0; i < VGIC_MAX_LRS; i++) {
      if ((used & (1 << i)) == 0) continue;
      const val = load<u64>(vcpuRec(v) + R_LR_VAL + (<usize>i << 3));
      const x = <u32>(val & 0x3ff);
      const s = <u32>((val >> LR_SOURCE_SHIFT) & 7);
      if (s != 0) {
        sourcedSeen++;
        if (x >= VGIC_SGIS || s >= n) return "list register source " + s.toString() + " on INTID " + x.toString();
      }
      if (x < VGIC_PRIVATE_INTIDS) {
        if ((privListed & (1 << x)) != 0) return "INTID " + x.toString() + " in two list registers";
        privListed |= 1 << x;
      } else if (x >= VGIC_NR_INTIDS || load<u8>(VGIC + VG_OWNER + <usize>x) != v + 1) {
        return "SPI " + x.toString() + " listed on vCPU " + v.toString() + " without being owned by it";
      }
    }
    for (let x: u32 = 0; x < VGIC_PRIVATE_INTIDS; x++) {
      if (getBit(P_LISTED, v, x) != ((privListed & (1 << x)) != 0)) return "LISTED of INTID " + x.toString() + " wrong";
    }
    setCpu(<i32>v);
    for (let i: u32 = 0; i < lrCount; i++) {
      if (!lrValid(<i32>i)) continue;
      for (let j: u32 = i + 1; j < lrCount; j++) {
        if (lrValid(<i32>j) && lrVid(<i32>j) == lrVid(<i32>i)) return "vINTID twice in the list registers of CPU " + v.toString();
      }
    }
  }
  return "";
}

function run(seed: u64, vcpus: u32, lrCount: u32, steps: i32): string {
  fuzzSeed(seed);
  if (freshGicV2Vm(vcpus) != 0) return "VM build failed";
  setLrCount(<i32>lrCount);
  findLogBuf();
  windows();
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
    const at = "step " + k.toString() + " (" + what + ", vCPU " + v.toString() + "): ";
    if (action != ACTION_RESUME && !(what == "wfi" && action == ACTION_IDLE)) return at + "action " + action.toString();
    if (!vmRunning()) return at + "the VM stopped";
    if (stray >= 0) return at + "static memory changed at " + hx(<u64>stray);
    if (k % 16 == 0 || k == steps - 1) {
      const bad = invariants(lrCount);
      if (bad.length > 0) return at + bad;
    }
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
      + acks.toString() + " acks, " + eois.toString() + " EOIs, " + sourcedSeen.toString() + " listed SGIs with a source > 0");
    expect(reads).toBeGreaterThan(1000);
    expect(writes).toBeGreaterThan(1000);
    expect(sgirs).toBeGreaterThan(100);
    expect(acks).toBeGreaterThan(50);
    expect(eois).toBeGreaterThan(50);
    expect(sourcedSeen).toBeGreaterThan(10);
  });
});
