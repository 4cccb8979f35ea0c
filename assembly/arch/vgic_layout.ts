// The layout of the virtual GIC's state (arch/vgic_*.ts), version 2.
//
// The vGIC keeps everything a VM can observe of its interrupt controller in one static
// block of its own (VGIC, below), apart from the core's block (core/layout.ts), so that
// saved state can carry it as a separate, separately versioned part. Any change to an
// offset or size below is a new layout: bump VGIC_LAYOUT_VERSION.
//
// INTIDs 0..31 (SGIs and PPIs) are banked: each vCPU has its own copy in its vCPU
// record. INTIDs 32..VGIC_NR_INTIDS-1 are the VM's SPIs, in the VM-wide part.
// Per-INTID flags are bitmaps, one per property (P_* below), laid out like the GIC's
// own set/clear registers: word n holds INTIDs 32n..32n+31.
//
// Sizes are in bytes; every u64 field is 8-byte aligned.

import { MAX_VCPUS } from "../core/layout";

export const VGIC_LAYOUT_VERSION: u32 = 2;

/** VG_MODEL: the GIC architecture the VM sees (0 only in a block never initialised). */
export const VGIC_MODEL_V2: u32 = 2;
export const VGIC_MODEL_V3: u32 = 3;

/** INTIDs the VM has: 16 SGIs, 16 PPIs, SPIs 32..255 (GICD_TYPER.ITLinesNumber = 7). */
export const VGIC_NR_INTIDS: u32 = 256;
export const VGIC_SGIS: u32 = 16;
export const VGIC_PRIVATE_INTIDS: u32 = 32;
/** Bitmap words that cover every INTID (word 0: the banked INTIDs). */
export const VGIC_WORDS: u32 = VGIC_NR_INTIDS / 32;
/** ICH_VTR_EL2.ListRegs is 4 bits: at most 16 list registers. */
export const VGIC_MAX_LRS: u32 = 16;
/** vCPUs (redistributors) of one VM. */
export const VGIC_MAX_VCPUS: u32 = MAX_VCPUS;
/** Unknown physical INTIDs reported once each (arch/vgic_irq.ts). */
export const VGIC_WARN_MAX: u32 = 8;

// ---- Per-INTID properties: one bit per INTID each ----
/** 1 = Group 1, 0 = Group 0 (IGROUPR). */
export const P_GROUP: u32 = 0;
/** Forwarding enabled (ISENABLER/ICENABLER). */
export const P_ENABLE: u32 = 1;
/**
 * The pending latch. For an INTID held in a list register the list register holds
 * its pending state, and this bit is a pending event not yet merged into it.
 */
export const P_PEND: u32 = 2;
/** Active; for an INTID held in a list register: as of the last sync of that register. */
export const P_ACTIVE: u32 = 3;
/** 1 = edge-triggered, 0 = level-sensitive (ICFGR). */
export const P_EDGE: u32 = 4;
/** The input line of an emulated level-sensitive interrupt: high while the device asserts it. */
export const P_LINE: u32 = 5;
/** A clear-pending (ICPENDR) on an INTID held in a list register, not yet applied to it. */
export const P_CLRP: u32 = 6;
/** A clear-active (ICACTIVER) on an INTID held in a list register, not yet applied to it. */
export const P_CLRA: u32 = 7;
/** A set-active (ISACTIVER) on an INTID held in a list register, not yet applied to it. */
export const P_SETA: u32 = 8;
/** The physical interrupt is masked (irq_set) while the VM handles a virtual copy of it. */
export const P_MASKED: u32 = 9;
/** Held in a list register: of its own vCPU (banked INTIDs) or of VG_OWNER's vCPU (SPIs). */
export const P_LISTED: u32 = 10;
export const P_COUNT: u32 = 11;

// ---- VM-wide part (the distributor) ----
export const VG_VERSION: usize = 0;       // u32 VGIC_LAYOUT_VERSION once initialised
export const VG_CTLR: usize = 4;          // u32 GICD_CTLR group enables: bit 0 Group 0, bit 1 Group 1
export const VG_VCPUS: usize = 8;         // u32 vCPUs, one redistributor each
export const VG_CURRENT: usize = 12;      // u32 vCPU whose exit is being handled (VGIC_NO_VCPU: none)
export const VG_LR_COUNT: usize = 16;     // u32 list registers of the CPU interface (0: not asked yet)
export const VG_FLAGS: usize = 20;        // u32 VGF_* (arch/vgic_common.ts)
export const VG_WARN_COUNT: usize = 24;   // u32 unknown physical INTIDs reported
export const VG_MODEL: usize = 28;        // u32 VGIC_MODEL_V2 or VGIC_MODEL_V3
export const VG_WARN_IDS: usize = 32;     // u32[VGIC_WARN_MAX]
/** SPI bitmaps: P_COUNT properties of VGIC_WORDS words each (word 0 unused: banked INTIDs live per vCPU). */
export const VG_BITS: usize = VG_WARN_IDS + 4 * <usize>VGIC_WARN_MAX;
export const VG_BITS_STRIDE: usize = 4 * <usize>VGIC_WORDS;
/** u8 priority per INTID (IPRIORITYR), indexed by INTID; 0..31 unused. */
export const VG_PRIO: usize = VG_BITS + <usize>P_COUNT * VG_BITS_STRIDE;
/**
 * u32 route per INTID; 0..31 unused. GICv3: IROUTER (IRM = 0) as Aff3 << 24 | Aff2 << 16 |
 * Aff1 << 8 | Aff0. GICv2: the ITARGETSR byte, one bit per target CPU interface.
 */
export const VG_ROUTE: usize = VG_PRIO + <usize>VGIC_NR_INTIDS;
/** u8 per INTID: 1 + the vCPU whose list register holds the SPI, 0 when none; 0..31 unused. */
export const VG_OWNER: usize = VG_ROUTE + 4 * <usize>VGIC_NR_INTIDS;
export const VG_VM_SIZE: usize = VG_OWNER + <usize>VGIC_NR_INTIDS;

// ---- Per-vCPU part (its redistributor and list registers), VGIC_MAX_VCPUS records ----
export const VGIC_VCPU_OFF: usize = VG_VM_SIZE;
export const R_WAKER: usize = 0;          // u32 GICR_WAKER.ProcessorSleep (bit 1); GICv3 only
export const R_LR_USED: usize = 4;        // u32 bit n: the core put an interrupt in list register n
export const R_HCR: usize = 8;            // u32 ICH_HCR_EL2 as last written (VGIC_HCR_UNKNOWN: not yet)
export const R_FLAGS: usize = 12;         // u32 VRF_* (arch/vgic_common.ts)
export const R_BITS: usize = 16;          // u32[P_COUNT] bitmaps of the banked INTIDs 0..31
export const R_PENDV: usize = 64;         // u32[VGIC_WORDS] pending, deliverable to this vCPU, in no list register
export const R_PRIO: usize = R_PENDV + 4 * <usize>VGIC_WORDS;   // u8[32] priorities of INTIDs 0..31
export const R_LR_VAL: usize = R_PRIO + <usize>VGIC_PRIVATE_INTIDS; // u64[VGIC_MAX_LRS] each list register as last written or read
/**
 * u8[VGIC_SGIS], GICv2 only: for SGI n, bit s = pending from source vCPU s and in no list
 * register (a GICv2 SGI is pending per source: IHI 0048B 4.3.17, GICD_SPENDSGIRn).
 */
export const R_SGI_SRC: usize = R_LR_VAL + 8 * <usize>VGIC_MAX_LRS;
export const VGIC_VCPU_RECORD: usize = R_SGI_SRC + <usize>VGIC_SGIS;

export const VGIC_SIZE: usize = VGIC_VCPU_OFF + VGIC_VCPU_RECORD * <usize>VGIC_MAX_VCPUS;

/** The block itself. */
export const VGIC: usize = memory.data(<i32>VGIC_SIZE, 16);

/** Where the vGIC's state block is (for saved state). */
export function vgicStateBlock(): usize {
  return VGIC;
}

/** Bytes of the vGIC's state block. */
export function vgicStateSize(): usize {
  return VGIC_SIZE;
}
