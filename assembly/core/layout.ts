// The layout of every piece of mutable core state: the core section of saved state
// (core/state_sections.ts), version 3 (variant 1) or 4 (variant 2). Each version is the
// one before with something added at its end:
//   1  up to the stage-2 bookkeeping (STATE_SIZE_V1)
//   2  + the PL011 receive FIFOs (STATE_SIZE_V2)
//   3  + the VM's exit counters by class, u32 each (STATE_SIZE_V3)
//   4  the same counters as u64 (STATE_SIZE_V4): the second build variant (core/variant.ts)
//
// All state lives in one static block (STATE, below) so that live update can hand
// it from one module to the next with wv_save/wv_restore (core/state.ts). Any
// change to an offset or size below is a new layout version: bump
// STATE_LAYOUT_VERSION and teach core/state_core.ts to convert the previous one.
//
// Sizes are in bytes; every u64 field is 8-byte aligned.

import { VARIANT_2 } from "./variant";

/** The layout of the live block: 3, or 4 in variant 2. */
export const STATE_LAYOUT_VERSION: u32 = VARIANT_2 ? 4 : 3;

// Limits, from the config blob (docs/abi.md section 1).
export const MAX_VMS: u32 = 8;
export const MAX_VCPUS: u32 = 8;
export const MAX_REGIONS: u32 = 8;
export const MAX_DEVICES: u32 = 8;
export const MAX_IMAGES: u32 = 4;
export const VM_NAME_SIZE: u32 = 16;

// ---- VM (core/vm.ts) ----
export const VM_OFF: usize = 0;
export const VM_INDEX: usize = VM_OFF + 0;         // u32 index of the VM in the blob
export const VM_TYPE: usize = VM_OFF + 4;          // u32 0 mvm, 1 gvm, 2 rtvm
export const VM_STATE: usize = VM_OFF + 8;         // u32 VmState
export const VM_VCPU_COUNT: usize = VM_OFF + 12;   // u32
export const VM_REGION_COUNT: usize = VM_OFF + 16; // u32
export const VM_DEVICE_COUNT: usize = VM_OFF + 20; // u32 (mirrors the MMIO registry count)
export const VM_IPA_BITS: usize = VM_OFF + 24;     // u32 stage-2 input size
export const VM_PCPU_MASK: usize = VM_OFF + 28;    // u32
export const VM_NAME: usize = VM_OFF + 32;         // char[16], NUL padded
export const VM_NAME_LEN: usize = VM_OFF + 48;     // u32
export const VM_VCPU_ON: usize = VM_OFF + 52;      // u32 bit n: vCPU n is on (PSCI, arch/psci.ts)
export const VM_ENTRY: usize = VM_OFF + 56;        // u64 entry IPA of vCPU 0
export const VM_DTB: usize = VM_OFF + 64;          // u64 DTB IPA (0 = none)
export const VM_SIZE: usize = 72;

// ---- RAM regions of the VM (core/vm.ts), MAX_REGIONS records ----
export const REGIONS_OFF: usize = VM_OFF + VM_SIZE;
export const REGION_IPA: usize = 0;                // u64
export const REGION_PA: usize = 8;                 // u64
export const REGION_SIZE: usize = 16;              // u64
export const REGION_FLAGS: usize = 24;             // u32 bit0 R, bit1 W, bit2 X
export const REGION_RECORD: usize = 32;
export const REGIONS_SIZE: usize = REGION_RECORD * <usize>MAX_REGIONS;

// ---- MMIO registry (devices/mmio.ts), MAX_DEVICES records ----
export const MMIO_OFF: usize = REGIONS_OFF + REGIONS_SIZE;
export const MMIO_COUNT: usize = MMIO_OFF + 0;     // u32 registered devices
// u32 what an access no region or device covers does: MMIO_UNMAPPED_STOP or _ABORT. The
// word was reserved (always 0) in layouts 1 to 4, and 0 is "stop", the only behaviour
// those modules had: blobs of every layout carry it unchanged, no new layout is needed.
export const MMIO_UNMAPPED: usize = MMIO_OFF + 4;
export const MMIO_UNMAPPED_STOP: u32 = 0;
export const MMIO_UNMAPPED_ABORT: u32 = 1;
export const MMIO_ENTRIES: usize = MMIO_OFF + 8;
export const MMIO_BASE: usize = 0;                 // u64 IPA
export const MMIO_LIMIT: usize = 8;                // u64 size in bytes
export const MMIO_KIND: usize = 16;                // u32 DeviceKind
export const MMIO_IRQ: usize = 20;                 // u32 (0 = none)
export const MMIO_RECORD: usize = 24;
export const MMIO_SIZE: usize = 8 + MMIO_RECORD * <usize>MAX_DEVICES;

// ---- PL011 registers (devices/pl011.ts), one block per MMIO slot ----
export const PL011_OFF: usize = MMIO_OFF + MMIO_SIZE;
export const PL011_REG_WORDS: usize = 20;          // offsets 0x000..0x04C, one u32 each
export const PL011_RECORD: usize = PL011_REG_WORDS * 4;
export const PL011_SIZE: usize = PL011_RECORD * <usize>MAX_DEVICES;

// ---- Console line buffer of the VM (core/console.ts) ----
export const CONSOLE_OFF: usize = PL011_OFF + PL011_SIZE;
export const CONSOLE_LEN: usize = CONSOLE_OFF + 0;  // u32 bytes pending
export const CONSOLE_BYTES: usize = CONSOLE_OFF + 8;
export const CONSOLE_LINE_MAX: u32 = 120;           // a line is flushed at this length
export const CONSOLE_SIZE: usize = 8 + 128;

// ---- Unknown hypercall IDs already reported (core/hypercall.ts) ----
export const HCWARN_OFF: usize = CONSOLE_OFF + CONSOLE_SIZE;
export const HCWARN_COUNT: usize = HCWARN_OFF + 0;  // u32 IDs recorded
// u32 1 when the VM's config has the bench flag (docs/abi.md section 1): WV_HC_BENCH_STAMP
// answers (core/bench_stamp.ts). Kept here so that it survives a live update. The word was
// padding (always 0) in layouts 1 to 4, and 0 is "no bench hypercall", what those modules
// did: blobs of every layout carry it unchanged, no new layout is needed.
export const HC_BENCH: usize = HCWARN_OFF + 4;
export const HCWARN_IDS: usize = HCWARN_OFF + 8;    // u32[HCWARN_MAX]
export const HCWARN_MAX: u32 = 8;
export const HCWARN_SIZE: usize = 8 + 4 * <usize>HCWARN_MAX;

// ---- Exit counters per vCPU and class (arch/exits.ts) ----
export const COUNTERS_OFF: usize = HCWARN_OFF + HCWARN_SIZE;
export const EXIT_CLASSES: u32 = 8;                 // see ExitClass in arch/exits.ts
export const COUNTERS_SIZE: usize = 8 * <usize>(MAX_VCPUS * EXIT_CLASSES);

// ---- Stage-2 table bookkeeping (arch/stage2.ts) ----
export const S2_OFF: usize = COUNTERS_OFF + COUNTERS_SIZE;
export const S2_ROOT: usize = S2_OFF + 0;           // i32 root handle (-1 = none)
export const S2_TABLE_COUNT: usize = S2_OFF + 4;    // u32 next-level tables recorded
export const S2_TABLES: usize = S2_OFF + 8;
export const S2_REC_PARENT: usize = 0;              // i32 handle of the parent table
export const S2_REC_INDEX: usize = 4;               // u32 entry index in the parent (0..511)
export const S2_REC_CHILD: usize = 8;               // i32 handle of the next-level table
export const S2_RECORD: usize = 12;
/** The runtime gives a VM at most 512 table pages (runtime-c/include/wv_vm.h); one is the root. */
export const S2_MAX_CHILD_TABLES: u32 = 511;
export const S2_SIZE: usize = 8 + S2_RECORD * <usize>S2_MAX_CHILD_TABLES + 4;

/** The whole state block of layout version 1 (core/state.ts restores it, with empty receive FIFOs). */
export const STATE_SIZE_V1: usize = S2_OFF + S2_SIZE;

// ---- PL011 receive FIFOs (devices/pl011_rx.ts), one per MMIO slot; since version 2 ----
export const PL011_RX_OFF: usize = STATE_SIZE_V1;
export const PL011_RX_HEAD: usize = 0;              // u32 index of the oldest byte, 0..PL011_RX_DEPTH-1
export const PL011_RX_COUNT: usize = 4;             // u32 bytes held, 0..PL011_RX_DEPTH
export const PL011_RX_RIS: usize = 8;               // u32 latched UARTRIS receive bits (RXRIS, RTRIS)
export const PL011_RX_BYTES: usize = 12;            // u8[PL011_RX_DEPTH], a ring
export const PL011_RX_DEPTH: u32 = 16;              // receive FIFO entries, as a PL011 before r1p5 has (DDI 0183)
export const PL011_RX_RECORD: usize = 32;
export const PL011_RX_SIZE: usize = PL011_RX_RECORD * <usize>MAX_DEVICES;

/** The whole state block of layout version 2. */
export const STATE_SIZE_V2: usize = PL011_RX_OFF + PL011_RX_SIZE;

// ---- Exits of the VM by class (arch/exits.ts, core/exit_counters.ts); since version 3 ----
// For management (wv_vm_info). Version 3 counts in u32 (wrapping), version 4 in u64.
export const VM_EXITS_OFF: usize = STATE_SIZE_V2;
export const VM_EXIT_DATA_ABORT: u32 = 0;           // stage-2 data aborts (MMIO and faults)
export const VM_EXIT_HVC: u32 = 1;                  // HVC and SMC
export const VM_EXIT_SYSREG: u32 = 2;               // trapped MSR/MRS
export const VM_EXIT_WFX: u32 = 3;                  // WFI and WFE
export const VM_EXIT_IRQ: u32 = 4;                  // physical IRQs taken while a vCPU ran
export const VM_EXIT_OTHER: u32 = 5;                // anything else (instruction aborts, unknown classes, bad vCPU)
export const VM_EXIT_CLASSES: u32 = 6;
export const STATE_SIZE_V3: usize = VM_EXITS_OFF + 4 * <usize>VM_EXIT_CLASSES;
export const STATE_SIZE_V4: usize = VM_EXITS_OFF + 8 * <usize>VM_EXIT_CLASSES;

/** Bytes of one exit counter in the live block. */
export const VM_EXIT_BYTES: usize = VARIANT_2 ? 8 : 4;
export const STATE_SIZE: usize = VARIANT_2 ? STATE_SIZE_V4 : STATE_SIZE_V3;

/** The state block itself. */
export const STATE: usize = memory.data(<i32>STATE_SIZE, 16);
