// Random guest behaviour against the vGIC: MMIO accesses of every size to the distributor
// and the redistributors (known registers and anything else), random ICC_SGI*R_EL1
// values, IRQ exits (kick, maintenance, timer, SPIs, unknown INTIDs), WFI, and a guest
// that acknowledges and deactivates what its list registers hold. After every step:
// the core did not trap, the VM was not stopped, nothing in static memory changed outside
// the vGIC's block, the exit record and the log line buffer, and the core's own state
// block changed only in its exit counters. Every few steps the vGIC's invariants are
// checked: each PENDV bitmap is exactly the set of pending, deliverable, unlisted
// INTIDs; the LISTED bits and SPI owners match the list register shadows; no vINTID sits
// in two valid list registers of one CPU.

import { fuzzSeed, rnd, below, chance, edgy, hx, staticWindowsClear, staticWindow, staticSnap, staticChanged,
  findStatic } from "../../__tests__/fuzz";
import { freshGicVm, mmioStore, mmioLoad, msr, irqExit, wfi, guestAck, guestEoi, lrValid, lrIntid,
  GICD_IPA, GICR_IPA, GICR_STRIDE } from "../../__tests__/gic";
import { setCpu, setLrCount, lrGet, lrSet } from "../../__tests__/fake";
import { ACTION_RESUME, ACTION_IDLE, EXIT_RECORD } from "../../abi/exit_record";
import { STATE, STATE_SIZE, COUNTERS_OFF, COUNTERS_SIZE, VM_EXITS_OFF } from "../../core/layout";
import { logBegin, logStr, logEnd } from "../../core/log";
import { vmRunning } from "../../core/vm";
import { VGIC, VGIC_SIZE, VGIC_NR_INTIDS, VGIC_PRIVATE_INTIDS, VGIC_MAX_LRS, R_PENDV, R_LR_USED, R_LR_VAL,
  VG_OWNER, P_LISTED } from "../vgic_layout";
import { vcpuRec, getBit, pendingNow, eligible, spiTarget, vgicVcpus } from "../vgic_common";
import { SYSREG_ICC_SGI1R_EL1, SYSREG_ICC_ASGI1R_EL1, SYSREG_ICC_SGI0R_EL1 } from "../vgic_v3_sgi";

const STATE_COPY: usize = memory.data(<i32>STATE_SIZE, 16);
const LOG_BUF_BYTES: usize = 256;
const SIZES: StaticArray<u32> = [1, 2, 4, 8];
const GICD_HOT: StaticArray<u32> = [0x0000, 0x0004, 0x0008, 0x000c, 0x0010, 0x0080, 0x0084, 0x0100, 0x0104, 0x0108,
  0x0180, 0x0184, 0x0200, 0x0204, 0x0280, 0x0284, 0x0300, 0x0304, 0x0380, 0x0384, 0x0400, 0x0420, 0x04fc, 0x0c00,
  0x0c08, 0x0c3c, 0x6000, 0x6100, 0x6108, 0x6140, 0x67f8, 0x6800, 0x7fd8, 0xffd0, 0xffe8, 0xfff0, 0xfffc];
const GICR_HOT: StaticArray<u32> = [0x0000, 0x0004, 0x0008, 0x000c, 0x0010, 0x0014, 0x0070, 0x0078, 0xffe8,
  0x10080, 0x10100, 0x10180, 0x10200, 0x10280, 0x10300, 0x10380, 0x10400, 0x10418, 0x1041c, 0x10c00,
  0x10c04, 0x10d00, 0x10e00, 0x1fffc];
const SGI_REGS: StaticArray<u32> = [SYSREG_ICC_SGI1R_EL1, SYSREG_ICC_SGI1R_EL1, SYSREG_ICC_ASGI1R_EL1, SYSREG_ICC_SGI0R_EL1];
const IRQS: StaticArray<u32> = [8, 25, 27, 27, 33, 40, 64, 255];
const LR_STATE_SHIFT: u64 = 62;

let logBuf: isize = 0;
// Coverage.
let reads: i32 = 0, writes: i32 = 0, sgis: i32 = 0, irqs: i32 = 0, acks: i32 = 0, eois: i32 = 0;
let wfis: i32 = 0, resumedWfi: i32 = 0, listedSeen: i32 = 0;

function windows(): void {
  staticWindowsClear();
  staticWindow(VGIC, VGIC_SIZE);
  staticWindow(EXIT_RECORD, 320);
  staticWindow(STATE, STATE_SIZE);     // compared on its own, counters excepted
  if (logBuf > 0) staticWindow(<usize>logBuf, LOG_BUF_BYTES);
}

function findLogBuf(): void {
  logBegin();
  logStr("vg-probe-log");
  logEnd();
  logBuf = findStatic("[wasmvisor] vg-probe-log\n");
}

function offset(hot: StaticArray<u32>, span: u32, bytes: u32): u64 {
  let off: u32 = chance(70) ? hot[<i32>below(hot.length)] + (chance(30) ? <u32>below(8) * 4 : 0) : <u32>below(span);
  if (chance(90)) off &= ~(bytes - 1);
  return <u64>(off % span);
}

function mmioStep(v: u32, n: u32): i32 {
  const bytes = SIZES[<i32>below(4)];
  let ipa: u64;
  if (chance(50)) {
    ipa = GICD_IPA + offset(GICD_HOT, 0x10000, bytes);
  } else {
    ipa = GICR_IPA + GICR_STRIDE * below(n) + offset(GICR_HOT, 0x20000, bytes);
  }
  if (chance(45)) {
    reads++;
    mmioLoad(v, ipa, bytes);
    return ACTION_RESUME;
  }
  writes++;
  // Writes lean towards what a guest does: enables, pends and Group 1 on.
  return mmioStore(v, ipa, bytes, chance(60) ? edgy(64) : rnd());
}

function sgiStep(v: u32): i32 {
  sgis++;
  let value = (below(16) << 24) | (chance(50) ? below(0x10000) : below(4));
  if (chance(10)) value |= <u64>1 << 40;
  if (chance(10)) value |= edgy(8) << 16;
  if (chance(5)) value |= edgy(8) << 32;
  if (chance(5)) value |= below(16) << 44;
  if (chance(5)) value |= edgy(8) << 48;
  if (chance(5)) value = rnd();
  return msr(v, SGI_REGS[<i32>below(SGI_REGS.length)], value);
}

function guestStep(v: u32): void {
  setCpu(<i32>v);
  const i = <i32>below(4);
  const state = <u32>(lrGet(i) >> LR_STATE_SHIFT);
  if (state == 1 || (state == 3 && chance(30))) { guestAck(i); acks++; }
  else if (state >= 2) { guestEoi(i); eois++; }
  else if (chance(5)) lrSet(i, rnd() & ~(<u64>3 << LR_STATE_SHIFT));   // stray bits in an invalid register
}

/** The vGIC's invariants; "" when they hold. */
function invariants(lrCount: u32): string {
  const n = vgicVcpus();
  for (let v: u32 = 0; v < n; v++) {
    for (let x: u32 = 0; x < VGIC_NR_INTIDS; x++) {
      const inPendv = (load<u32>(vcpuRec(v) + R_PENDV + (<usize>(x >> 5) << 2)) & (1 << (x & 31))) != 0;
      const listed = getBit(P_LISTED, v, x);
      const forV = x < VGIC_PRIVATE_INTIDS || spiTarget(x) == v;
      const want = forV && pendingNow(v, x) && !listed && eligible(v, x);
      if (inPendv != want) return "PENDV of vCPU " + v.toString() + " wrong for INTID " + x.toString();
    }
    const used = load<u32>(vcpuRec(v) + R_LR_USED);
    if ((used >> lrCount) != 0) return "vCPU " + v.toString() + " uses list registers it does not have";
    let privListed: u32 = 0;
    for (let i: u32 = 0; i < VGIC_MAX_LRS; i++) {
      if ((used & (1 << i)) == 0) continue;
      const x = <u32>load<u64>(vcpuRec(v) + R_LR_VAL + (<usize>i << 3));
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
      listedSeen++;
      for (let j: u32 = i + 1; j < lrCount; j++) {
        if (lrValid(<i32>j) && lrIntid(<i32>j) == lrIntid(<i32>i)) return "vINTID twice in the list registers of CPU " + v.toString();
      }
    }
  }
  for (let x: u32 = VGIC_PRIVATE_INTIDS; x < VGIC_NR_INTIDS; x++) {
    const o = <u32>load<u8>(VGIC + VG_OWNER + <usize>x);
    if ((o != 0) != getBit(P_LISTED, 0, x)) return "owner and LISTED disagree for SPI " + x.toString();
  }
  return "";
}

function run(seed: u64, vcpus: u32, lrCount: u32, steps: i32): string {
  fuzzSeed(seed);
  if (freshGicVm(vcpus) != 0) return "VM build failed";
  setLrCount(<i32>lrCount);
  findLogBuf();
  windows();
  for (let k = 0; k < steps; k++) {
    const v = <u32>below(vcpus);
    memory.copy(STATE_COPY, STATE, STATE_SIZE);
    staticSnap();
    const r = below(100);
    let action = ACTION_RESUME;
    let what = "";
    if (r < 60) { action = mmioStep(v, vcpus); what = "mmio"; }
    else if (r < 72) { action = sgiStep(v); what = "sgi"; }
    else if (r < 82) { irqs++; action = irqExit(v, chance(90) ? IRQS[<i32>below(IRQS.length)] : <u32>rnd()); what = "irq"; }
    else if (r < 96) { guestStep(v); what = "guest"; }
    else {
      wfis++; what = "wfi";
      action = wfi(v);
      if (action == ACTION_RESUME) resumedWfi++;
    }
    // Checked before any string is built: an allocation changes the collector's static data.
    const stray = staticChanged();
    const stateChanged = memory.compare(STATE, STATE_COPY, COUNTERS_OFF) != 0
      || memory.compare(STATE + COUNTERS_OFF + COUNTERS_SIZE, STATE_COPY + COUNTERS_OFF + COUNTERS_SIZE,
                        VM_EXITS_OFF - COUNTERS_OFF - COUNTERS_SIZE) != 0;   // the VM's counters at the end too
    const at = "step " + k.toString() + " (" + what + ", vCPU " + v.toString() + "): ";
    if (action != ACTION_RESUME && !(what == "wfi" && action == ACTION_IDLE)) return at + "action " + action.toString();
    if (!vmRunning()) return at + "the VM stopped";
    if (stray >= 0) return at + "static memory changed at " + hx(<u64>stray);
    if (stateChanged) return at + "the core's state block changed outside the exit counters";
    if (k % 16 == 0 || k == steps - 1) {
      const bad = invariants(lrCount);
      if (bad.length > 0) return at + bad;
    }
  }
  return "";
}

describe("vGIC under random guest behaviour", () => {
  it("never traps and keeps its state to itself (2 vCPUs, 4 list registers, seed 0x61c00001)", () => {
    expect(run(0x61c00001, 2, 4, 3000)).toBe("");
  });

  it("never traps and keeps its state to itself (8 vCPUs, 2 list registers, seed 0x61c00002)", () => {
    expect(run(0x61c00002, 8, 2, 3000)).toBe("");
  });

  it("never traps and keeps its state to itself (1 vCPU, 16 list registers, seed 0x61c00003)", () => {
    expect(run(0x61c00003, 1, 16, 2000)).toBe("");
  });

  it("covered reads, writes, SGIs, IRQ exits, guest acknowledgements and deactivations, and WFI both ways", () => {
    log("vgic: " + reads.toString() + " reads, " + writes.toString() + " writes, " + sgis.toString() + " SGIs, "
      + irqs.toString() + " IRQ exits, " + acks.toString() + " acks, " + eois.toString() + " EOIs, " + wfis.toString()
      + " WFIs (" + resumedWfi.toString() + " resumed), " + listedSeen.toString() + " valid list registers seen");
    expect(reads).toBeGreaterThan(1000);
    expect(writes).toBeGreaterThan(1000);
    expect(sgis).toBeGreaterThan(500);
    expect(acks).toBeGreaterThan(50);
    expect(eois).toBeGreaterThan(50);
    expect(resumedWfi).toBeGreaterThan(0);
    expect(wfis - resumedWfi).toBeGreaterThan(0);
    expect(listedSeen).toBeGreaterThan(100);
  });
});
