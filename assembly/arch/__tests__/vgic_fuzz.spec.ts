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

import { fuzzSeed, rnd, below, chance, edgy, staticSnap, staticChanged } from "../../__tests__/fuzz";
import { freshGicVm, mmioStore, mmioLoad, msr, irqExit, wfi, lrValid, lrIntid, GICD_IPA, GICR_IPA,
  GICR_STRIDE } from "../../__tests__/gic";
import { vgicWindows, guestStep, guestAcks, guestEois, stepFault, pendvFault, shadowFault,
  twiceListedFault } from "../../__tests__/vgic_fuzz";
import { setLrCount } from "../../__tests__/fake";
import { ACTION_RESUME } from "../../abi/exit_record";
import { STATE, STATE_SIZE, COUNTERS_OFF, COUNTERS_SIZE, VM_EXITS_OFF } from "../../core/layout";
import { VGIC, VGIC_NR_INTIDS, VGIC_PRIVATE_INTIDS, VG_OWNER, P_LISTED } from "../vgic_layout";
import { getBit, vgicVcpus } from "../vgic_common";
import { SYSREG_ICC_SGI1R_EL1, SYSREG_ICC_ASGI1R_EL1, SYSREG_ICC_SGI0R_EL1 } from "../vgic_v3_sgi";

const STATE_COPY: usize = memory.data(<i32>STATE_SIZE, 16);
const SIZES: StaticArray<u32> = [1, 2, 4, 8];
const GICD_HOT: StaticArray<u32> = [0x0000, 0x0004, 0x0008, 0x000c, 0x0010, 0x0080, 0x0084, 0x0100, 0x0104, 0x0108,
  0x0180, 0x0184, 0x0200, 0x0204, 0x0280, 0x0284, 0x0300, 0x0304, 0x0380, 0x0384, 0x0400, 0x0420, 0x04fc, 0x0c00,
  0x0c08, 0x0c3c, 0x6000, 0x6100, 0x6108, 0x6140, 0x67f8, 0x6800, 0x7fd8, 0xffd0, 0xffe8, 0xfff0, 0xfffc];
const GICR_HOT: StaticArray<u32> = [0x0000, 0x0004, 0x0008, 0x000c, 0x0010, 0x0014, 0x0070, 0x0078, 0xffe8,
  0x10080, 0x10100, 0x10180, 0x10200, 0x10280, 0x10300, 0x10380, 0x10400, 0x10418, 0x1041c, 0x10c00,
  0x10c04, 0x10d00, 0x10e00, 0x1fffc];
const SGI_REGS: StaticArray<u32> = [SYSREG_ICC_SGI1R_EL1, SYSREG_ICC_SGI1R_EL1, SYSREG_ICC_ASGI1R_EL1, SYSREG_ICC_SGI0R_EL1];
const IRQS: StaticArray<u32> = [8, 25, 27, 27, 33, 40, 64, 255];

// Coverage (the guest's acknowledgements and deactivations: guestAcks, guestEois).
let reads: i32 = 0, writes: i32 = 0, sgis: i32 = 0, irqs: i32 = 0;
let wfis: i32 = 0, resumedWfi: i32 = 0, listedSeen: i32 = 0;

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

/** The vGIC's invariants; "" when they hold. */
function invariants(lrCount: u32): string {
  const n = vgicVcpus();
  for (let v: u32 = 0; v < n; v++) {
    let bad = pendvFault(v);
    if (bad.length == 0) bad = shadowFault(v, lrCount, 0xffffffff);
    if (bad.length == 0) bad = twiceListedFault(v, lrCount, lrIntid);
    if (bad.length > 0) return bad;
    for (let i = 0; i < <i32>lrCount; i++) if (lrValid(i)) listedSeen++;
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
  vgicWindows("vg-probe-log");   // the state block is compared on its own, counters excepted
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
    let bad = stepFault(what, action, stray);
    if (bad.length == 0 && stateChanged) bad = "the core's state block changed outside the exit counters";
    if (bad.length == 0 && (k % 16 == 0 || k == steps - 1)) bad = invariants(lrCount);
    if (bad.length > 0) return "step " + k.toString() + " (" + what + ", vCPU " + v.toString() + "): " + bad;
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
      + irqs.toString() + " IRQ exits, " + guestAcks.toString() + " acks, " + guestEois.toString() + " EOIs, "
      + wfis.toString() + " WFIs (" + resumedWfi.toString() + " resumed), " + listedSeen.toString() + " valid list registers seen");
    expect(reads).toBeGreaterThan(1000);
    expect(writes).toBeGreaterThan(1000);
    expect(sgis).toBeGreaterThan(500);
    expect(guestAcks).toBeGreaterThan(50);
    expect(guestEois).toBeGreaterThan(50);
    expect(resumedWfi).toBeGreaterThan(0);
    expect(wfis - resumedWfi).toBeGreaterThan(0);
    expect(listedSeen).toBeGreaterThan(100);
  });
});
