// The GICv2 distributor a VM sees (IHI 0048B, GICv2 architecture specification, 4.3:
// Distributor register descriptions), 4 KiB as on a GIC-400. A GICv2 without the
// Security Extensions: both interrupt groups, GICD_CTLR.EnableGrp0 [0] and EnableGrp1 [1]
// (every INTID resets to Group 0, which a GICv2 guest enables with GICC_CTLR bit 0).
// The guest's CPU interface is the board's real GICV frame, mapped by stage 2 (device
// kind 5): nothing of it is emulated here.
//
// What differs from the GICv3 distributor (arch/vgic_v3.ts): the registers of INTIDs
// 0..31 are banked per vCPU here (the accessing vCPU's copy, the one whose exit this is),
// SPIs are routed by CPU target lists (GICD_ITARGETSRn) instead of affinities, and SGIs
// are sent through GICD_SGIR, pending per source (arch/vgic_v2_sgi.ts). The
// IGROUPR..ICFGR banks are the shared ones (arch/vgic_regs.ts). Offsets not listed read
// as zero and ignore writes: a guest access never stops the VM.

import { VGIC, VG_CTLR, VGIC_NR_INTIDS, VGIC_PRIVATE_INTIDS, VGIC_SGIS } from "./vgic_layout";
import { ctlrGroupsWrite, CTLR_GROUP_BITS, vgicVcpus, vgicCurrent, routeAddr, setRoute, refreshAll } from "./vgic_common";
import { bankRead, bankWrite, gicIdRead, REG_ISPENDR, REG_ICPENDR } from "./vgic_regs";
import { GIC_IIDR_VALUE } from "./vgic_v3";
import { GICD_SGIR, sgirWrite, isPendSgiRegister, pendSgiRead, pendSgiWrite } from "./vgic_v2_sgi";

export const GICD_CTLR: u32 = 0x000;
export const GICD_TYPER: u32 = 0x004;
export const GICD_IIDR: u32 = 0x008;
export const GICD_ITARGETSR: u32 = 0x800;      // a byte per INTID
const GICD_ITARGETSR_END: u32 = 0xc00;
/** The identification registers ICPIDR4..7, ICPIDR0..3, ICCIDR0..3 (4.3.18). */
const GICD_ID_BLOCK: u32 = 0xfd0;
/** ICPIDR2.ArchRev [7:4] = 2: GICv2. */
const GIC_ARCH_REV: u32 = 2;

/** GICD_TYPER (4.3.2): ITLinesNumber [4:0] = INTIDs / 32 - 1, CPUNumber [7:5] = CPU interfaces - 1, SecurityExtn [10] = 0. */
const TYPER_CPUS_SHIFT: u32 = 5;
const TYPER_IT_LINES: u32 = VGIC_NR_INTIDS / 32 - 1;

/** The SGI bits of GICD_ISPENDR0 / GICD_ICPENDR0: read-only, writes ignored (4.3.7, 4.3.8: GICD_[CS]PENDSGIRn set them). */
const SGI_PEND_BITS: u32 = (1 << VGIC_SGIS) - 1;
const WORD_MASK: u32 = 0xffffffff;
const BYTE_MASK: u32 = 0xff;
/** One CPU target per byte, the same in each byte of a word. */
const BYTE_REPEAT: u32 = 0x01010101;

/** The vCPU whose banked registers an access reaches: the one whose exit this is (vCPU 0 outside an exit). */
function accessor(): u32 {
  const v = vgicCurrent();
  return v < vgicVcpus() ? v : 0;
}

/** The VM's CPU interfaces as a target mask. */
@inline function vcpuMask(): u32 {
  return (1 << vgicVcpus()) - 1;
}

/**
 * GICD_ITARGETSRn (4.3.12) word at `reg`. With one vCPU they are RAZ/WI (every interrupt
 * targets it). Those of INTIDs 0..31 read as the reading CPU interface in each byte;
 * an SPI's byte is its target list.
 */
function targetsRead(v: u32, reg: u32): u32 {
  const x0 = reg - GICD_ITARGETSR;
  if (vgicVcpus() == 1 || x0 >= VGIC_NR_INTIDS) return 0;
  if (x0 < VGIC_PRIVATE_INTIDS) return (1 << v) * BYTE_REPEAT;
  let word: u32 = 0;
  for (let k: u32 = 0; k < 4; k++) word |= (load<u32>(routeAddr(x0 + k)) & BYTE_MASK) << (k << 3);
  return word;
}

/** Write the bytes selected by `mask`: each SPI's target list (bits of CPUs the VM lacks are RAZ/WI). */
function targetsWrite(reg: u32, value: u32, mask: u32): void {
  const x0 = reg - GICD_ITARGETSR;
  if (vgicVcpus() == 1 || x0 < VGIC_PRIVATE_INTIDS || x0 >= VGIC_NR_INTIDS) return;
  for (let k: u32 = 0; k < 4; k++) {
    const shift = k << 3;
    if (((mask >> shift) & BYTE_MASK) == 0) continue;
    setRoute(x0 + k, (value >> shift) & vcpuMask());
  }
}

/** Read the 32-bit distributor register at `reg` (word aligned). */
export function gicdV2Read(reg: u32): u32 {
  const v = accessor();
  if (reg == GICD_CTLR) return load<u32>(VGIC + VG_CTLR) & CTLR_GROUP_BITS;
  if (reg == GICD_TYPER) return TYPER_IT_LINES | ((vgicVcpus() - 1) << TYPER_CPUS_SHIFT);
  if (reg == GICD_IIDR) return GIC_IIDR_VALUE;
  if (reg >= GICD_ITARGETSR && reg < GICD_ITARGETSR_END) return targetsRead(v, reg);
  if (isPendSgiRegister(reg)) return pendSgiRead(v, reg);
  if (reg >= GICD_ID_BLOCK) return gicIdRead(reg - GICD_ID_BLOCK, GIC_ARCH_REV);
  return bankRead(v, reg, 0, VGIC_NR_INTIDS);   // GICD_SGIR is write-only: bankRead gives 0
}

/** Write the bytes of `value` selected by `mask` to the distributor register at `reg` (word aligned). */
export function gicdV2Write(reg: u32, value: u32, mask: u32): void {
  const v = accessor();
  if (reg == GICD_CTLR) {
    ctlrGroupsWrite(value, mask);
    return;
  }
  if (reg >= GICD_ITARGETSR && reg < GICD_ITARGETSR_END) {
    targetsWrite(reg, value, mask);
    return;
  }
  if (reg == GICD_SGIR) {
    if (mask == WORD_MASK) sgirWrite(vgicCurrent(), value);   // a 32-bit register: narrower writes do nothing
    return;
  }
  if (isPendSgiRegister(reg)) {
    pendSgiWrite(v, reg, value, mask);
    return;
  }
  if (reg >= GICD_ID_BLOCK) return;
  if (reg == REG_ISPENDR || reg == REG_ICPENDR) mask &= ~SGI_PEND_BITS;
  bankWrite(v, reg, value, mask, 0, VGIC_NR_INTIDS);
}
