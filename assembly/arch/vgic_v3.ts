// The GICv3 distributor and redistributors a VM sees (GICv3 spec, IHI 0069, chapter 12:
// GICD_* in 12.9, GICR_* in 12.10 and 12.11). One security state (GICD_CTLR.DS = 1),
// affinity routing always on (ARE = 1), no LPIs, no extended INTID ranges. Offsets not
// listed here read as zero and ignore writes: a guest access never traps the core.
//
// Accesses arrive from the MMIO registry as 32-bit words with a byte mask; the 64-bit
// registers (GICD_IROUTER<n>, GICR_TYPER) also take whole 64-bit accesses, and either
// 32-bit half on its own.

import { VGIC, VG_CTLR, VGIC_NR_INTIDS, VGIC_PRIVATE_INTIDS, R_WAKER } from "./vgic_layout";
import { VGIC_NO_VCPU, ctlrGroupsWrite, CTLR_GROUP_BITS, vcpuRec, vgicVcpus, routeAddr, setRoute, refreshAll } from "./vgic_common";
import { bankRead, bankWrite, gicIdRead } from "./vgic_regs";

// ---- Distributor (GICD_*) ----
export const GICD_CTLR: u32 = 0x0000;
export const GICD_TYPER: u32 = 0x0004;
export const GICD_IIDR: u32 = 0x0008;
export const GICD_IROUTER: u32 = 0x6000;      // IROUTER<n> at 0x6000 + 8n, n = 32..1019
const GICD_IROUTER_END: u32 = 0x8000;

/** GICD_CTLR with DS = 1: EnableGrp0 [0], EnableGrp1 [1], ARE [4] (RAO/WI), DS [6] (RAO/WI), RWP [31] = 0. */
export const GICD_CTLR_ARE: u32 = 1 << 4;
export const GICD_CTLR_DS: u32 = 1 << 6;

/**
 * GICD_TYPER: ITLinesNumber [4:0] = INTIDs / 32 - 1; IDbits [23:19] = 10 bits - 1 (no
 * LPIs); No1N [25] = 1 (no 1-of-N routing: IROUTER.IRM is RAZ/WI). CPUNumber [7:5] is
 * 0: it counts PEs for non-affinity routing, which this GIC does not offer.
 */
const TYPER_IDBITS: u32 = 9 << 19;
const TYPER_NO1N: u32 = 1 << 25;
export const GICD_TYPER_VALUE: u32 = (VGIC_NR_INTIDS / 32 - 1) | TYPER_IDBITS | TYPER_NO1N;

/**
 * GICD_IIDR / GICR_IIDR: ProductID [31:24] = 'W', Implementer [11:0] = 0. No JEP106 code
 * of a real GIC maker, so no guest applies a hardware erratum workaround to this one.
 */
export const GIC_IIDR_VALUE: u32 = 0x57 << 24;

// ---- Identification registers (both frames' RD part), from 0xFFD0: PIDR2.ArchRev [7:4] = 3 is GICv3 ----
const GIC_ID_BLOCK: u32 = 0xffd0;
const GIC_ARCH_REV: u32 = 3;

// ---- IROUTER<n>: Aff0 [7:0], Aff1 [15:8], Aff2 [23:16], IRM [31] (RAZ/WI), Aff3 [39:32] ----
const IROUTER_STRIDE_SHIFT: u32 = 3;          // 8 bytes per INTID
const IROUTER_HIGH_WORD: u32 = 4;             // offset of the upper 32 bits
const IROUTER_LOW_AFF: u32 = 0x00ffffff;
const IROUTER_HIGH_AFF: u32 = 0xff;
const ROUTE_AFF3_SHIFT: u32 = 24;

// ---- Redistributor: per vCPU an RD frame and an SGI frame of 64 KiB each ----
export const GICR_FRAME_SHIFT: u32 = 17;             // 128 KiB per vCPU
export const GICR_SGI_FRAME: u32 = 0x10000;
const GICR_FRAME_MASK: u32 = 0x1ffff;
export const GICR_CTLR: u32 = 0x0000;                // no LPIs: EnableLPIs RES0, RWP/UWP 0: RAZ/WI
export const GICR_IIDR: u32 = 0x0004;
export const GICR_TYPER: u32 = 0x0008;               // 64-bit
export const GICR_WAKER: u32 = 0x0014;

/** GICR_TYPER: Processor_Number [23:8], Last [4], Affinity_Value [63:32] (Aff0 = vCPU index). */
const TYPER_PROC_SHIFT: u32 = 8;
export const GICR_TYPER_LAST: u32 = 1 << 4;

/** GICR_WAKER: ProcessorSleep [1] (reset 1), ChildrenAsleep [2] (read-only, follows it here). */
export const WAKER_PROCESSOR_SLEEP: u32 = 1 << 1;
export const WAKER_CHILDREN_ASLEEP: u32 = 1 << 2;

const WORD_MASK: u64 = 0xffffffff;

// ---- Distributor ----

function spiOfIrouter(off: u32): u32 {
  return (off - GICD_IROUTER) >> IROUTER_STRIDE_SHIFT;
}

function idRead(reg: u32): u32 {
  return reg >= GIC_ID_BLOCK ? gicIdRead(reg - GIC_ID_BLOCK, GIC_ARCH_REV) : 0;
}

/** Read the 32-bit GICD register at `reg` (word aligned). */
export function gicdRead(reg: u32): u32 {
  if (reg == GICD_CTLR) return (load<u32>(VGIC + VG_CTLR) & CTLR_GROUP_BITS) | GICD_CTLR_ARE | GICD_CTLR_DS;
  if (reg == GICD_TYPER) return GICD_TYPER_VALUE;
  if (reg == GICD_IIDR) return GIC_IIDR_VALUE;
  if (reg >= GICD_IROUTER && reg < GICD_IROUTER_END) {
    const x = spiOfIrouter(reg);
    if (x < VGIC_PRIVATE_INTIDS || x >= VGIC_NR_INTIDS) return 0;
    const route = load<u32>(routeAddr(x));
    return (reg & IROUTER_HIGH_WORD) == 0 ? route & IROUTER_LOW_AFF : route >> ROUTE_AFF3_SHIFT;
  }
  if (reg >= GIC_ID_BLOCK) return idRead(reg);
  return bankRead(VGIC_NO_VCPU, reg, VGIC_PRIVATE_INTIDS, VGIC_NR_INTIDS);
}

/** Write the bytes of `value` selected by `mask` to the GICD register at `reg` (word aligned). */
export function gicdWrite(reg: u32, value: u32, mask: u32): void {
  if (reg == GICD_CTLR) {
    ctlrGroupsWrite(value, mask);
    return;
  }
  if (reg >= GICD_IROUTER && reg < GICD_IROUTER_END) {
    const x = spiOfIrouter(reg);
    if (x < VGIC_PRIVATE_INTIDS || x >= VGIC_NR_INTIDS) return;
    const route = load<u32>(routeAddr(x));
    if ((reg & IROUTER_HIGH_WORD) == 0) {
      const m = mask & IROUTER_LOW_AFF;
      setRoute(x, (route & ~m) | (value & m));
    } else {
      const m = (mask & IROUTER_HIGH_AFF) << ROUTE_AFF3_SHIFT;
      setRoute(x, (route & ~m) | ((value << ROUTE_AFF3_SHIFT) & m));
    }
    return;
  }
  if (reg >= GIC_ID_BLOCK) return;
  bankWrite(VGIC_NO_VCPU, reg, value, mask, VGIC_PRIVATE_INTIDS, VGIC_NR_INTIDS);
}

/** A 64-bit read at `off` (8-byte aligned): two words (an IROUTER<n>'s halves read independently). */
export function gicdRead64(off: u32): u64 {
  return <u64>gicdRead(off) | (<u64>gicdRead(off + 4) << 32);
}

/** A 64-bit write at `off` (8-byte aligned): IROUTER<n> changes its route once, not half by half. */
export function gicdWrite64(off: u32, value: u64): void {
  if (off >= GICD_IROUTER && off < GICD_IROUTER_END) {
    const x = spiOfIrouter(off);
    if (x < VGIC_PRIVATE_INTIDS || x >= VGIC_NR_INTIDS) return;
    setRoute(x, (<u32>value & IROUTER_LOW_AFF) | (<u32>((value >> 32) & IROUTER_HIGH_AFF) << ROUTE_AFF3_SHIFT));
    return;
  }
  gicdWrite(off, <u32>(value & WORD_MASK), <u32>WORD_MASK);
  gicdWrite(off + 4, <u32>(value >> 32), <u32>WORD_MASK);
}

// ---- Redistributors ----

function typerLow(v: u32): u32 {
  return (v << TYPER_PROC_SHIFT) | (v + 1 == vgicVcpus() ? GICR_TYPER_LAST : 0);
}

function rdRead(v: u32, reg: u32): u32 {
  switch (reg) {
    case GICR_IIDR: return GIC_IIDR_VALUE;
    case GICR_TYPER: return typerLow(v);
    case GICR_TYPER + 4: return v;               // Affinity_Value: Aff0 = vCPU index, Aff1..3 = 0
    case GICR_WAKER: {
      const sleep = load<u32>(vcpuRec(v) + R_WAKER) & WAKER_PROCESSOR_SLEEP;
      return sleep != 0 ? sleep | WAKER_CHILDREN_ASLEEP : 0;
    }
  }
  return idRead(reg);
}

/** Read the 32-bit register at `off` (word aligned) of the redistributor range. */
export function gicrRead(off: u32): u32 {
  const v = off >> GICR_FRAME_SHIFT;
  if (v >= vgicVcpus()) return 0;
  const reg = off & GICR_FRAME_MASK;
  if (reg < GICR_SGI_FRAME) return rdRead(v, reg);
  return bankRead(v, reg - GICR_SGI_FRAME, 0, VGIC_PRIVATE_INTIDS);
}

/** Write the bytes of `value` selected by `mask` to the register at `off` of the redistributor range. */
export function gicrWrite(off: u32, value: u32, mask: u32): void {
  const v = off >> GICR_FRAME_SHIFT;
  if (v >= vgicVcpus()) return;
  const reg = off & GICR_FRAME_MASK;
  if (reg == GICR_WAKER) {
    // ChildrenAsleep follows ProcessorSleep at once: there is nothing to quiesce.
    const a = vcpuRec(v) + R_WAKER;
    const m = mask & WAKER_PROCESSOR_SLEEP;
    store<u32>(a, (load<u32>(a) & ~m) | (value & m));
    return;
  }
  if (reg >= GICR_SGI_FRAME) bankWrite(v, reg - GICR_SGI_FRAME, value, mask, 0, VGIC_PRIVATE_INTIDS);
}

/** A 64-bit read at `off` (8-byte aligned) of the redistributor range: two words (GICR_TYPER's halves are fixed). */
export function gicrRead64(off: u32): u64 {
  return <u64>gicrRead(off) | (<u64>gicrRead(off + 4) << 32);
}

/** A 64-bit write at `off` (8-byte aligned) of the redistributor range: two words (no 64-bit register is writable). */
export function gicrWrite64(off: u32, value: u64): void {
  gicrWrite(off, <u32>(value & WORD_MASK), <u32>WORD_MASK);
  gicrWrite(off + 4, <u32>(value >> 32), <u32>WORD_MASK);
}
