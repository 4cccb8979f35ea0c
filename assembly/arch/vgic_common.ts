// The part of the virtual GIC that does not depend on the GIC version: per-INTID state
// (group, enable, pending, active, priority, trigger, route) for the banked INTIDs of
// each vCPU and the SPIs of the VM, which interrupts each vCPU could take now, and the
// choice of the highest-priority one. List registers are in arch/vgic_lr.ts, register
// maps in arch/vgic_regs.ts and arch/vgic_v3.ts.
//
// Every change to an INTID goes through touch(), which keeps each vCPU's PENDV bitmap
// (pending, enabled, routed to it, in no list register) exact, so picking what to put
// in the list registers reads VGIC_WORDS words instead of walking every INTID; and it
// tells the vCPU concerned: the current one refills at the end of the exit, another
// one is kicked so that it exits and refills.

import { VGIC, VG_CTLR, VG_VCPUS, VG_CURRENT, VG_FLAGS, VG_MODEL, VGIC_MODEL_V2, VG_BITS, VG_BITS_STRIDE, VG_PRIO,
  VG_ROUTE, VG_OWNER, VGIC_VCPU_OFF, VGIC_VCPU_RECORD, R_BITS, R_PENDV, R_PRIO, R_FLAGS, VGIC_PRIVATE_INTIDS,
  VGIC_WORDS, VGIC_NR_INTIDS, P_GROUP, P_ENABLE, P_PEND, P_EDGE, P_LINE, P_CLRP, P_LISTED, P_MASKED,
  P_ACTIVE } from "./vgic_layout";
import { wv_vcpu_kick } from "../abi/imports";

/** No vCPU (VG_CURRENT outside an exit, an SPI routed nowhere, an INTID in no list register). */
export const VGIC_NO_VCPU: u32 = 0xffffffff;

// VG_FLAGS bits.
/** Something changed for the current vCPU: sync and refill its list registers before resuming. */
export const VGF_REFILL: u32 = 1 << 0;
/**
 * Once: the warning that the EL1 physical timer never fires. The guest has that timer
 * now (docs/abi.md 4); the bit stays reserved so that saved states keep their meaning.
 */
export const VGF_TIMER_WARNED: u32 = 1 << 1;
/** The "no list registers" warning was printed (arch/vgic_lr.ts). */
export const VGF_NO_LRS_WARNED: u32 = 1 << 2;
/** The runtime refused to mask a physical interrupt; the warning was printed and it is not asked again (arch/vgic_irq.ts). */
export const VGF_MASK_WARNED: u32 = 1 << 3;
/** A device fed by the runtime outside any exit changes interrupts (vgicBeginOutside): kick whoever gains one. */
export const VGF_OUTSIDE: u32 = 1 << 4;

// R_FLAGS bits.
/** A kick is on its way to this vCPU: no need for another before it syncs. */
export const VRF_KICKED: u32 = 1 << 0;

/** The EL1 virtual timer's interrupt, PPI 11 (ARM ARM D11.2.4). */
export const PPI_VTIMER: u32 = 27;
/** The EL1 physical timer's interrupt, PPI 14 (ARM ARM D11.2.4): the guest's own as well. */
export const PPI_PTIMER: u32 = 30;

/**
 * Is physical `x` a level whose pending state the physical GIC holds? Either EL1 timer's
 * output is a level, asserted while its condition is met, it is enabled and not masked
 * (ARM ARM D11.2.4), and a level-sensitive interrupt whose source deasserts is no longer
 * pending (GICv3 spec 4.1.1, level-sensitive interrupts). The core keeps no copy of its
 * pending state: it masks it while the guest cannot take it and unmasks it once the guest
 * can, so that the GIC delivers it again if, and only if, it is still asserted
 * (arch/vgic_lr.ts, unmaskDone). The passthrough SPIs keep a pending copy instead: the
 * physical trigger of the device behind them is not known here.
 */
@inline export function physicalLevel(x: u32): bool {
  return x == PPI_VTIMER || x == PPI_PTIMER;
}

/** GICD_CTLR group enables: bit n enables Group n. */
export const CTLR_GROUP_BITS: u32 = 3;

/** Lower than any 8-bit priority: where the search for the best one starts. */
const PRIO_NONE: u32 = 0x100;

/** Route value (VG_ROUTE): Aff0 in the low byte, Aff1..Aff3 above it. */
const ROUTE_AFF0_MASK: u32 = 0xff;

@inline export function vcpuRec(v: u32): usize {
  return VGIC + VGIC_VCPU_OFF + <usize>v * VGIC_VCPU_RECORD;
}

@inline export function isPrivate(x: u32): bool {
  return x < VGIC_PRIVATE_INTIDS;
}

/** The bitmap word of property `p` that holds INTID `x` (banked INTIDs: vCPU `v`'s copy). */
@inline export function propWord(p: u32, v: u32, x: u32): usize {
  return isPrivate(x)
    ? vcpuRec(v) + R_BITS + (<usize>p << 2)
    : VGIC + VG_BITS + <usize>p * VG_BITS_STRIDE + (<usize>(x >> 5) << 2);
}

@inline export function intidBit(x: u32): u32 {
  return 1 << (x & 31);
}

@inline export function getBit(p: u32, v: u32, x: u32): bool {
  return (load<u32>(propWord(p, v, x)) & intidBit(x)) != 0;
}

@inline export function setBit(p: u32, v: u32, x: u32, on: bool): void {
  const a = propWord(p, v, x);
  const w = load<u32>(a);
  store<u32>(a, on ? w | intidBit(x) : w & ~intidBit(x));
}

/** Read and clear a bit (a request consumed). */
export function takeBit(p: u32, v: u32, x: u32): bool {
  const a = propWord(p, v, x);
  const w = load<u32>(a);
  const b = intidBit(x);
  if ((w & b) == 0) return false;
  store<u32>(a, w & ~b);
  return true;
}

@inline export function vgicVcpus(): u32 {
  return load<u32>(VGIC + VG_VCPUS);
}

@inline export function vgicCurrent(): u32 {
  return load<u32>(VGIC + VG_CURRENT);
}

/** The vCPU whose exit is being handled: the one whose list registers the imports reach. */
@inline export function vgicSetCurrent(v: u32): void {
  store<u32>(VGIC + VG_CURRENT, v);
}

@inline export function vgicFlags(): u32 {
  return load<u32>(VGIC + VG_FLAGS);
}

@inline export function vgicSetFlags(bits: u32, on: bool): void {
  const f = load<u32>(VGIC + VG_FLAGS);
  store<u32>(VGIC + VG_FLAGS, on ? f | bits : f & ~bits);
}

@inline export function vcpuFlags(v: u32): u32 {
  return load<u32>(vcpuRec(v) + R_FLAGS);
}

@inline export function setVcpuFlags(v: u32, bits: u32, on: bool): void {
  const a = vcpuRec(v) + R_FLAGS;
  const f = load<u32>(a);
  store<u32>(a, on ? f | bits : f & ~bits);
}

@inline export function prioAddr(v: u32, x: u32): usize {
  return isPrivate(x) ? vcpuRec(v) + R_PRIO + <usize>x : VGIC + VG_PRIO + <usize>x;
}

@inline export function priority(v: u32, x: u32): u32 {
  return load<u8>(prioAddr(v, x));
}

@inline export function routeAddr(x: u32): usize {
  return VGIC + VG_ROUTE + (<usize>x << 2);
}

/** The GIC architecture the VM sees (VGIC_MODEL_V2 or VGIC_MODEL_V3), as vgicInit set it. */
@inline export function vgicModel(): u32 {
  return load<u32>(VGIC + VG_MODEL);
}

/** Does the VM see a GICv2 (SGIs pending per source, SPIs routed by CPU target lists)? */
@inline export function vgicIsV2(): bool {
  return vgicModel() == VGIC_MODEL_V2;
}

/**
 * The vCPU a GICv2 CPU target list (GICD_ITARGETSR byte) sends an SPI to: the lowest-numbered
 * target, since a virtual interrupt goes to one vCPU's list registers (IHI 0048B, "Models for
 * handling interrupts": an interrupt with several targets is taken by one of them). With one
 * vCPU every interrupt targets it (GICD_ITARGETSRn, 4.3.12: RAZ/WI in a uniprocessor GIC).
 */
function targetListVcpu(targets: u32): u32 {
  const n = vgicVcpus();
  if (n == 1) return 0;
  const m = targets & ((1 << n) - 1);
  return m == 0 ? VGIC_NO_VCPU : <u32>ctz<u32>(m);
}

/**
 * The vCPU an SPI is routed to. GICv3: Aff0 of its route when Aff1..Aff3 are 0 and the vCPU
 * exists. GICv2: the lowest-numbered vCPU of its target list.
 */
export function spiTarget(x: u32): u32 {
  const r = load<u32>(routeAddr(x));
  if (vgicIsV2()) return targetListVcpu(r);
  if ((r & ~ROUTE_AFF0_MASK) != 0 || r >= vgicVcpus()) return VGIC_NO_VCPU;
  return r;
}

/** Set the route of SPI `x` (GICv3 IROUTER, GICv2 target list) and re-evaluate where it goes. */
export function setRoute(x: u32, route: u32): void {
  const a = routeAddr(x);
  if (load<u32>(a) == route) return;
  store<u32>(a, route);
  touch(0, x);
}

@inline function ownerAddr(x: u32): usize {
  return VGIC + VG_OWNER + <usize>x;
}

/** Record which vCPU's list register holds SPI `x` (VGIC_NO_VCPU: none). */
export function setSpiOwner(x: u32, v: u32): void {
  store<u8>(ownerAddr(x), v == VGIC_NO_VCPU ? 0 : <u8>(v + 1));
}

/** The vCPU whose list register holds `x` (as seen by vCPU `v` for banked INTIDs), or VGIC_NO_VCPU. */
export function listedOn(v: u32, x: u32): u32 {
  if (!getBit(P_LISTED, v, x)) return VGIC_NO_VCPU;
  if (isPrivate(x)) return v;
  return <u32>load<u8>(ownerAddr(x)) - 1;
}

/** Does GICD_CTLR forward the group of `x`? */
@inline export function groupEnabled(v: u32, x: u32): bool {
  const g: u32 = getBit(P_GROUP, v, x) ? 1 : 0;
  return (load<u32>(VGIC + VG_CTLR) & (1 << g)) != 0;
}

/** Pending as the guest sees it when in no list register: the latch, or an asserted level line. */
export function pendingNow(v: u32, x: u32): bool {
  return getBit(P_PEND, v, x) || (!getBit(P_EDGE, v, x) && getBit(P_LINE, v, x));
}

/** Could vCPU `v` be signalled `x` if it were pending: enabled, its group on, routed to `v`? */
export function eligible(v: u32, x: u32): bool {
  if (!getBit(P_ENABLE, v, x) || !groupEnabled(v, x)) return false;
  return isPrivate(x) || spiTarget(x) == v;
}

@inline function pendvAddr(v: u32, x: u32): usize {
  return vcpuRec(v) + R_PENDV + (<usize>(x >> 5) << 2);
}

/**
 * Tell vCPU `w` that its interrupts changed: the current vCPU refills before it resumes;
 * any other is kicked (once until it syncs) so that it leaves its guest and refills.
 * Outside an exit (building, resetting, restoring) nobody runs a guest yet, so nobody
 * needs telling, except while a device fed by the runtime changes a line (VGF_OUTSIDE):
 * then every vCPU concerned is kicked.
 */
export function notify(w: u32): void {
  const cur = vgicCurrent();
  if (w >= vgicVcpus()) return;
  if (cur == VGIC_NO_VCPU && (vgicFlags() & VGF_OUTSIDE) == 0) return;
  if (w == cur) {
    vgicSetFlags(VGF_REFILL, true);
    return;
  }
  if ((vcpuFlags(w) & VRF_KICKED) != 0) return;
  setVcpuFlags(w, VRF_KICKED, true);
  if (wv_vcpu_kick(<i32>w) < 0) setVcpuFlags(w, VRF_KICKED, false);
}

/**
 * Recompute whether `x` belongs in a PENDV bitmap (banked INTIDs: vCPU `v`'s) and notify a
 * vCPU that gains it. An interrupt also active is not signalled until it is deactivated
 * (GICv3 spec 4.1.2, the active and pending state; the highest priority pending interrupt
 * is chosen among those not active). Outside a list register it was made active through
 * the distributor (I/SACTIVER), since an acknowledged one keeps its list register until
 * deactivated: listing it would hold a register that signals nothing, and with every
 * register so held the vCPU's other interrupts could never be delivered. Its
 * deactivation (ICACTIVER, trapped) brings it back here.
 */
export function refresh(v: u32, x: u32): void {
  const b = intidBit(x);
  if (isPrivate(x)) {
    const a = pendvAddr(v, x);
    const old = load<u32>(a);
    const want = pendingNow(v, x) && !getBit(P_LISTED, v, x) && !getBit(P_ACTIVE, v, x) && eligible(v, x);
    store<u32>(a, want ? old | b : old & ~b);
    // A masked level (physicalLevel) may have become one the guest can take: its vCPU
    // looks again at its next flush, and unmasks it if so.
    if ((want && (old & b) == 0) || (physicalLevel(x) && getBit(P_MASKED, v, x))) notify(v);
    return;
  }
  const t = spiTarget(x);
  const want = t != VGIC_NO_VCPU && pendingNow(v, x) && !getBit(P_LISTED, v, x) && !getBit(P_ACTIVE, v, x) && eligible(t, x);
  const n = vgicVcpus();
  for (let w: u32 = 0; w < n; w++) {
    const a = pendvAddr(w, x);
    const old = load<u32>(a);
    if (want && w == t) {
      store<u32>(a, old | b);
      if ((old & b) == 0) notify(w);
    } else if ((old & b) != 0) {
      store<u32>(a, old & ~b);
    }
  }
}

/** `x` changed: keep the PENDV bitmaps exact and make the vCPU whose list register holds it resync. */
export function touch(v: u32, x: u32): void {
  refresh(v, x);
  const o = listedOn(v, x);
  if (o != VGIC_NO_VCPU) notify(o);
}

/** Recompute every PENDV bitmap and notify every vCPU with something pending or listed (GICD_CTLR changes). */
/** GICD_CTLR's group enables (the same bits 0 and 1 in GICv2 and GICv3 with one
 * security state): a change may release or hold back every pending interrupt. */
export function ctlrGroupsWrite(value: u32, mask: u32): void {
  const a = VGIC + VG_CTLR;
  const old = load<u32>(a);
  const now = (old & ~(mask & CTLR_GROUP_BITS)) | (value & mask & CTLR_GROUP_BITS);
  if (now == old) return;
  store<u32>(a, now);
  refreshAll();
}

export function refreshAll(): void {
  const n = vgicVcpus();
  for (let w: u32 = 0; w < n; w++) {
    for (let x: u32 = 0; x < VGIC_PRIVATE_INTIDS; x++) refresh(w, x);
  }
  for (let x: u32 = VGIC_PRIVATE_INTIDS; x < VGIC_NR_INTIDS; x++) touch(0, x);
  for (let w: u32 = 0; w < n; w++) {
    for (let x: u32 = 0; x < VGIC_PRIVATE_INTIDS; x++) {
      if (getBit(P_LISTED, w, x)) { notify(w); break; }
    }
  }
}

/** Has vCPU `v` something pending it could take that is in no list register yet? */
export function pendvAny(v: u32): bool {
  const a = vcpuRec(v) + R_PENDV;
  let any: u32 = 0;
  for (let i: u32 = 0; i < VGIC_WORDS; i++) any |= load<u32>(a + (<usize>i << 2));
  return any != 0;
}

/**
 * The INTID vCPU `v` should be given next: the highest priority (lowest value) in its
 * PENDV bitmap, the lowest INTID among equals (as a GIC picks); -1 when there is none.
 */
export function pickBest(v: u32): i32 {
  const a = vcpuRec(v) + R_PENDV;
  let best: i32 = -1;
  let bestPrio: u32 = PRIO_NONE;
  for (let i: u32 = 0; i < VGIC_WORDS; i++) {
    let bits = load<u32>(a + (<usize>i << 2));
    while (bits != 0) {
      const x = (i << 5) | <u32>ctz<u32>(bits);
      bits &= bits - 1;
      const p = priority(v, x);
      if (p < bestPrio) { bestPrio = p; best = <i32>x; }
    }
  }
  return best;
}

// ---- State changes a guest (or a device) asks for ----

/** Make `x` pending (an edge, a set-pending write, an SGI). */
export function raisePending(v: u32, x: u32): void {
  setBit(P_CLRP, v, x, false);
  setBit(P_PEND, v, x, true);
  touch(v, x);
}

/** Clear the pending latch of `x` (a level line that is still high keeps it pending). */
export function clearPending(v: u32, x: u32): void {
  setBit(P_PEND, v, x, false);
  if (getBit(P_LISTED, v, x)) setBit(P_CLRP, v, x, true);
  touch(v, x);
}

/** Drive the input line of an emulated level-sensitive interrupt (banked INTIDs: vCPU `v`'s). */
export function vgicSetLine(v: u32, x: u32, high: bool): void {
  if (x >= VGIC_NR_INTIDS || (isPrivate(x) && v >= vgicVcpus())) return;
  if (getBit(P_LINE, v, x) == high) return;
  setBit(P_LINE, v, x, high);
  touch(v, x);
}

/** An edge on an emulated interrupt (banked INTIDs: vCPU `v`'s). */
export function vgicRaise(v: u32, x: u32): void {
  if (x >= VGIC_NR_INTIDS || (isPrivate(x) && v >= vgicVcpus())) return;
  raisePending(v, x);
}

/** SGI `x` from a generate-SGI register of `group` (0 or 1) to vCPU `t`: only if `x` is in that group there. */
export function sendSgi(t: u32, x: u32, group: u32): void {
  if ((getBit(P_GROUP, t, x) ? 1 : 0) != group) return;
  raisePending(t, x);
}
