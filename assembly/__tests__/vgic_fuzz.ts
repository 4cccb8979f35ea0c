// What the two vGIC fuzz specs (arch/__tests__/vgic_fuzz.spec.ts for the GICv3,
// vgic_v2_fuzz.spec.ts for the GICv2) share: the static memory a step may write, the
// guest's side of the list registers, the verdict on one step, and the invariants of
// the common vGIC block (arch/vgic_common.ts) that hold whichever model the VM has.

import { rnd, below, chance, hx, staticWindowsClear, staticWindow } from "./fuzz";
import { findLogBuf, LOG_BUF_BYTES } from "./line_buffers";
import { setCpu, lrGet, lrSet } from "./fake";
import { guestAck, guestEoi, lrValid } from "./gic";
import { ACTION_RESUME, ACTION_IDLE, EXIT_RECORDS, EXIT_RECORD_SIZE } from "../abi/exit_record";
import { STATE, STATE_SIZE, MAX_VCPUS } from "../core/layout";
import { vmRunning } from "../core/vm";
import { VGIC, VGIC_SIZE, VGIC_NR_INTIDS, VGIC_PRIVATE_INTIDS, VGIC_MAX_LRS, R_PENDV, R_LR_USED, R_LR_VAL,
  VG_OWNER, P_LISTED, P_ACTIVE } from "../arch/vgic_layout";
import { vcpuRec, getBit, pendingNow, eligible, spiTarget } from "../arch/vgic_common";

/** ICH_LR<n>_EL2.State [63:62] (GICv3 spec 12.4.6); the GICv2 shadows keep it there too. */
const LR_STATE_SHIFT: u64 = 62;

/** Coverage of guestStep: list registers acknowledged, and deactivated. */
export let guestAcks: i32 = 0;
export let guestEois: i32 = 0;

/**
 * Static memory a step may write: the vGIC's block, the exit record, the core's state
 * block (a spec may compare it on its own) and the log line buffer, found by a log line
 * `probe`.
 */
export function vgicWindows(probe: string): void {
  const logBuf = findLogBuf(probe);
  staticWindowsClear();
  staticWindow(VGIC, VGIC_SIZE);
  staticWindow(EXIT_RECORDS, <usize>EXIT_RECORD_SIZE * <usize>MAX_VCPUS);
  staticWindow(STATE, STATE_SIZE);
  if (logBuf > 0) staticWindow(<usize>logBuf, LOG_BUF_BYTES);
}

/**
 * The guest of vCPU `v` works one of its first four list registers: acknowledges a
 * pending one (an active and pending one at times), deactivates an active one, or now
 * and then leaves stray bits in an invalid one.
 */
export function guestStep(v: u32): void {
  setCpu(<i32>v);
  const i = <i32>below(4);
  const state = <u32>(lrGet(i) >> LR_STATE_SHIFT);
  if (state == 1 || (state == 3 && chance(30))) { guestAck(i); guestAcks++; }
  else if (state >= 2) { guestEoi(i); guestEois++; }
  else if (chance(5)) lrSet(i, rnd() & ~(<u64>3 << LR_STATE_SHIFT));
}

/**
 * What went wrong in step `what` that returned `action` and wrote static memory at
 * `stray` (staticChanged), "" when nothing: anything but a resume (a WFI may also idle),
 * a stopped VM, a write outside the windows.
 */
export function stepFault(what: string, action: i32, stray: isize): string {
  if (action != ACTION_RESUME && !(what == "wfi" && action == ACTION_IDLE)) return "action " + action.toString();
  if (!vmRunning()) return "the VM stopped";
  if (stray >= 0) return "static memory changed at " + hx(<u64>stray);
  return "";
}

/** vCPU `v`'s PENDV bitmap is exactly the set of its pending, not active, deliverable, unlisted INTIDs; "" when it is. */
export function pendvFault(v: u32): string {
  for (let x: u32 = 0; x < VGIC_NR_INTIDS; x++) {
    const inPendv = (load<u32>(vcpuRec(v) + R_PENDV + (<usize>(x >> 5) << 2)) & (1 << (x & 31))) != 0;
    const forV = x < VGIC_PRIVATE_INTIDS || spiTarget(x) == v;
    const want = forV && pendingNow(v, x) && !getBit(P_LISTED, v, x) && !getBit(P_ACTIVE, v, x) && eligible(v, x);
    if (inPendv != want) return "PENDV of vCPU " + v.toString() + " wrong for INTID " + x.toString();
  }
  return "";
}

/**
 * vCPU `v`'s list register shadows (the INTID being a shadow's value & `intidMask`): none
 * past its `lrCount` registers, a private INTID at most once, an SPI only when `v` owns
 * it, and the LISTED bits of its private INTIDs exactly those listed. "" when they hold.
 */
export function shadowFault(v: u32, lrCount: u32, intidMask: u64): string {
  const used = load<u32>(vcpuRec(v) + R_LR_USED);
  if ((used >> lrCount) != 0) return "vCPU " + v.toString() + " uses list registers it does not have";
  let privListed: u32 = 0;
  for (let i: u32 = 0; i < VGIC_MAX_LRS; i++) {
    if ((used & (1 << i)) == 0) continue;
    const x = <u32>(load<u64>(vcpuRec(v) + R_LR_VAL + (<usize>i << 3)) & intidMask);
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
  return "";
}

/** No vINTID (`vintid` of a register) in two valid list registers of vCPU `v`'s CPU; "" when none is. */
export function twiceListedFault(v: u32, lrCount: u32, vintid: (i: i32) => u32): string {
  setCpu(<i32>v);
  for (let i: u32 = 0; i < lrCount; i++) {
    if (!lrValid(<i32>i)) continue;
    for (let j: u32 = i + 1; j < lrCount; j++) {
      if (lrValid(<i32>j) && vintid(<i32>j) == vintid(<i32>i)) return "vINTID twice in the list registers of CPU " + v.toString();
    }
  }
  return "";
}
