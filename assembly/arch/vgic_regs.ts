// The interrupt-state registers every GIC version has, at the same offsets: in the
// distributor for SPIs, and (GICv3) in each redistributor's SGI frame for the banked
// SGIs and PPIs. GICv3 spec (IHI 0069) 12.9, GICD_IGROUPR<n>, GICD_ISENABLER<n>,
// GICD_ICENABLER<n>, GICD_ISPENDR<n>, GICD_ICPENDR<n>, GICD_ISACTIVER<n>,
// GICD_ICACTIVER<n>, GICD_IPRIORITYR<n>, GICD_ICFGR<n>; the GICR_*0 forms are the same
// registers for INTIDs 0..31.
//
// A bank serves INTIDs [first, limit); a word outside it reads 0 and ignores writes
// (under affinity routing the distributor's words for INTIDs 0..31 are RAZ/WI).
// Writes carry a byte mask (the MMIO registry's byte lanes): only masked bits count.

import { VGIC_SGIS, VGIC_MAX_LRS, P_GROUP, P_ENABLE, P_PEND, P_ACTIVE, P_EDGE, P_LINE,
  P_CLRP, P_CLRA, P_SETA, P_LISTED, R_LR_USED, R_LR_VAL } from "./vgic_layout";
import { propWord, isPrivate, getBit, setBit, touch, raisePending, clearPending, prioAddr, vcpuRec,
  vgicVcpus } from "./vgic_common";
import { LR_PENDING, LR_ACTIVE, lrIntidOf, vgicFlushCurrent } from "./vgic_lr";

export const REG_IGROUPR: u32 = 0x080;
export const REG_ISENABLER: u32 = 0x100;
export const REG_ICENABLER: u32 = 0x180;
export const REG_ISPENDR: u32 = 0x200;
export const REG_ICPENDR: u32 = 0x280;
export const REG_ISACTIVER: u32 = 0x300;
export const REG_ICACTIVER: u32 = 0x380;
export const REG_IPRIORITYR: u32 = 0x400;
export const REG_ITARGETSR: u32 = 0x800;   // end of IPRIORITYR
export const REG_ICFGR: u32 = 0xc00;
export const REG_IGRPMODR: u32 = 0xd00;    // end of ICFGR

/** Each of the one-bit-per-INTID register arrays spans 0x80 bytes (32 words). */
const BIT_ARRAY_SHIFT: u32 = 7;
const WORD_INDEX_MASK: u32 = 0x7f;

/** Priority bits kept: 5, i.e. 32 levels (unimplemented low bits read as zero, GICD_IPRIORITYR<n>). */
export const PRIO_MASK: u32 = 0xf8;
/** ICFGR: Int_config[1] (bit 2k+1) is 1 for edge-triggered; bit 2k is RES0. */
const ICFGR_EDGE_SGIS: u32 = 0xaaaaaaaa;
const ICFGR_INTIDS: u32 = 16;
const BYTE_MASK: u32 = 0xff;

function inBank(x0: u32, count: u32, first: u32, limit: u32): bool {
  return x0 >= first && x0 + count <= limit;
}

/** INTIDs x0..x0+31 held in a list register, with the given LR state bit, as a word (SPIs: any vCPU's). */
function listedState(v: u32, x0: u32, stateBit: u64): u32 {
  let word: u32 = 0;
  const n = vgicVcpus();
  const from = isPrivate(x0) ? v : 0;
  const to = isPrivate(x0) ? v + 1 : n;
  for (let w = from; w < to; w++) {
    let used = load<u32>(vcpuRec(w) + R_LR_USED);
    while (used != 0) {
      const i = <u32>ctz<u32>(used);
      used &= used - 1;
      if (i >= VGIC_MAX_LRS) break;
      const val = load<u64>(vcpuRec(w) + R_LR_VAL + (<usize>i << 3));
      const x = lrIntidOf(val);
      if ((val & stateBit) != 0 && x - x0 < 32) word |= 1 << (x - x0);
    }
  }
  return word;
}

/** Pending as the guest sees it: latch, asserted level lines, and list registers (less clears not yet applied). */
function pendingWord(v: u32, x0: u32): u32 {
  const latch = load<u32>(propWord(P_PEND, v, x0));
  const lines = load<u32>(propWord(P_LINE, v, x0)) & ~load<u32>(propWord(P_EDGE, v, x0));
  const listed = listedState(v, x0, LR_PENDING) & ~load<u32>(propWord(P_CLRP, v, x0));
  return latch | lines | listed;
}

/** Active as the guest sees it: for INTIDs in list registers, as of their last sync with requests applied. */
function activeWord(v: u32, x0: u32): u32 {
  const listed = load<u32>(propWord(P_LISTED, v, x0));
  const inLr = (listedState(v, x0, LR_ACTIVE) & ~load<u32>(propWord(P_CLRA, v, x0)))
    | load<u32>(propWord(P_SETA, v, x0));
  return (load<u32>(propWord(P_ACTIVE, v, x0)) & ~listed) | (inLr & listed);
}

function readPriorities(v: u32, x0: u32): u32 {
  let word: u32 = 0;
  for (let k: u32 = 0; k < 4; k++) word |= <u32>load<u8>(prioAddr(v, x0 + k)) << (k << 3);
  return word;
}

function readConfig(v: u32, x0: u32): u32 {
  if (x0 < VGIC_SGIS) return ICFGR_EDGE_SGIS;   // SGIs are always edge-triggered
  let word: u32 = 0;
  for (let k: u32 = 0; k < ICFGR_INTIDS; k++) {
    if (getBit(P_EDGE, v, x0 + k)) word |= 2 << (k << 1);
  }
  return word;
}

/** Read the register at `reg` of a bank for INTIDs [first, limit) (banked INTIDs: vCPU `v`'s). */
export function bankRead(v: u32, reg: u32, first: u32, limit: u32): u32 {
  if (reg >= REG_IGROUPR && reg < REG_IPRIORITYR) {
    const x0 = ((reg & WORD_INDEX_MASK) >> 2) << 5;
    if (!inBank(x0, 32, first, limit)) return 0;
    switch ((reg - REG_IGROUPR) >> BIT_ARRAY_SHIFT) {
      case 0: return load<u32>(propWord(P_GROUP, v, x0));
      case 1: case 2: return load<u32>(propWord(P_ENABLE, v, x0));
      case 3: case 4: vgicFlushCurrent(); return pendingWord(v, x0);
      default: vgicFlushCurrent(); return activeWord(v, x0);
    }
  }
  if (reg >= REG_IPRIORITYR && reg < REG_ITARGETSR) {
    const x0 = reg - REG_IPRIORITYR;
    return inBank(x0, 4, first, limit) ? readPriorities(v, x0) : 0;
  }
  if (reg >= REG_ICFGR && reg < REG_IGRPMODR) {
    const x0 = ((reg - REG_ICFGR) >> 2) * ICFGR_INTIDS;
    return inBank(x0, ICFGR_INTIDS, first, limit) ? readConfig(v, x0) : 0;
  }
  return 0;
}

/** Re-evaluate INTID x0 + k for every bit k set in `changed`. */
function touchBits(v: u32, x0: u32, changed: u32): void {
  while (changed != 0) {
    const k = <u32>ctz<u32>(changed);
    changed &= changed - 1;
    touch(v, x0 + k);
  }
}

function writeGroups(v: u32, x0: u32, value: u32, mask: u32): void {
  const a = propWord(P_GROUP, v, x0);
  const old = load<u32>(a);
  const now = (old & ~mask) | (value & mask);
  store<u32>(a, now);
  touchBits(v, x0, old ^ now);
}

function writeEnables(v: u32, x0: u32, bits: u32, on: bool): void {
  const a = propWord(P_ENABLE, v, x0);
  const old = load<u32>(a);
  store<u32>(a, on ? old | bits : old & ~bits);
  touchBits(v, x0, on ? bits & ~old : bits & old);
}

/** ISPENDR/ICPENDR/ISACTIVER/ICACTIVER: one action per set bit. */
function writeState(v: u32, x0: u32, bits: u32, which: u32): void {
  while (bits != 0) {
    const x = x0 + <u32>ctz<u32>(bits);
    bits &= bits - 1;
    switch (which) {
      case REG_ISPENDR: raisePending(v, x); break;
      case REG_ICPENDR: clearPending(v, x); break;
      case REG_ISACTIVER: setActive(v, x, true); break;
      default: setActive(v, x, false);
    }
  }
}

/**
 * Set or clear the active state; for an INTID in a list register, as a request its next
 * sync applies. Like the group and enable writes, only a change is acted on: a guest
 * clearing every INTID of a register (ICACTIVER = ~0) pays for those that were active.
 */
function setActive(v: u32, x: u32, on: bool): void {
  if (getBit(P_LISTED, v, x)) {
    setBit(on ? P_SETA : P_CLRA, v, x, true);
    setBit(on ? P_CLRA : P_SETA, v, x, false);
  } else {
    if (getBit(P_ACTIVE, v, x) == on) return;
    setBit(P_ACTIVE, v, x, on);
  }
  touch(v, x);
}

function writePriorities(v: u32, x0: u32, value: u32, mask: u32): void {
  for (let k: u32 = 0; k < 4; k++) {
    const shift = k << 3;
    if (((mask >> shift) & BYTE_MASK) == 0) continue;
    store<u8>(prioAddr(v, x0 + k), <u8>((value >> shift) & PRIO_MASK));
  }
}

function writeConfig(v: u32, x0: u32, value: u32, mask: u32): void {
  if (x0 < VGIC_SGIS) return;
  for (let k: u32 = 0; k < ICFGR_INTIDS; k++) {
    const bit: u32 = 2 << (k << 1);
    if ((mask & bit) == 0) continue;
    const edge = (value & bit) != 0;
    if (getBit(P_EDGE, v, x0 + k) == edge) continue;
    setBit(P_EDGE, v, x0 + k, edge);
    touch(v, x0 + k);
  }
}

/** Write the bytes of `value` selected by `mask` to the register at `reg` of a bank for INTIDs [first, limit). */
export function bankWrite(v: u32, reg: u32, value: u32, mask: u32, first: u32, limit: u32): void {
  if (reg >= REG_IGROUPR && reg < REG_IPRIORITYR) {
    const x0 = ((reg & WORD_INDEX_MASK) >> 2) << 5;
    if (!inBank(x0, 32, first, limit)) return;
    const base = REG_IGROUPR + (((reg - REG_IGROUPR) >> BIT_ARRAY_SHIFT) << BIT_ARRAY_SHIFT);
    const bits = value & mask;
    switch (base) {
      case REG_IGROUPR: writeGroups(v, x0, value, mask); break;
      case REG_ISENABLER: writeEnables(v, x0, bits, true); break;
      case REG_ICENABLER: writeEnables(v, x0, bits, false); break;
      default: writeState(v, x0, bits, base);
    }
    return;
  }
  if (reg >= REG_IPRIORITYR && reg < REG_ITARGETSR) {
    const x0 = reg - REG_IPRIORITYR;
    if (inBank(x0, 4, first, limit)) writePriorities(v, x0, value, mask);
    return;
  }
  if (reg >= REG_ICFGR && reg < REG_IGRPMODR) {
    const x0 = ((reg - REG_ICFGR) >> 2) * ICFGR_INTIDS;
    if (inBank(x0, ICFGR_INTIDS, first, limit)) writeConfig(v, x0, value, mask);
  }
}

/** A vCPU's banked INTIDs back to reset (GICR_* reset values; IMPLEMENTATION DEFINED ones chosen here). */
export const RESET_PRIVATE_GROUP: u32 = 0xffffffff;   // Group 1: what a GICv3 guest uses
export const RESET_PRIVATE_ENABLE: u32 = 0x0000ffff;  // SGIs enabled (writable), PPIs disabled
export const RESET_PRIVATE_EDGE: u32 = 0x0000ffff;    // SGIs edge; PPIs level until configured

// ---- Identification registers: the last 0x30 bytes of a GIC frame, PIDR4..7, PIDR0..3, CIDR0..3
// (GICv3 spec, GICD_PIDR2 and the CIDRs at 0xFFD0..0xFFFC; GICv2: IHI 0048B 4.3.18, ICPIDRn and
// ICCIDRn at 0xFD0..0xFFC). ----
/** PIDR2 relative to the block: ArchRev [7:4] says which GIC architecture the frame belongs to. */
const ID_PIDR2: u32 = 0x18;
const PIDR2_ARCHREV_SHIFT: u32 = 4;
const ID_CIDR0: u32 = 0x20;
const ID_CIDR_WORDS: u32 = 4;
/** CIDR0..3 = 0x0D, 0xF0, 0x05, 0xB1: the component preamble. */
const ID_CIDR_VALUES: u32 = 0xb105f00d;

/**
 * The identification register at `off` from the start of the block (word aligned): PIDR2
 * with ArchRev `archRev`, the CIDRs, and 0 for the rest (no JEP106 designer code: this GIC
 * claims to be no vendor's part).
 */
export function gicIdRead(off: u32, archRev: u32): u32 {
  if (off == ID_PIDR2) return archRev << PIDR2_ARCHREV_SHIFT;
  if (off >= ID_CIDR0 && off < ID_CIDR0 + ID_CIDR_WORDS * 4) {
    return (ID_CIDR_VALUES >> (((off - ID_CIDR0) >> 2) << 3)) & BYTE_MASK;   // one byte per register
  }
  return 0;
}
