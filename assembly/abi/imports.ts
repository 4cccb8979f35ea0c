// The `wv` host imports (docs/abi.md section 2, "Imports"). This file is the only
// place the core reaches outside its own memory: every effectful call is checked by
// the runtime against what the VM owns and answers a negative error on refusal.

/** Write `len` bytes at `ptr` to the physical console (the caller adds any prefix). */
@external("wv", "console_write")
export declare function wv_console_write(ptr: usize, len: i32): void;

/** The physical counter, CNTPCT_EL0. */
@external("wv", "now")
export declare function wv_now(): i64;

/** The counter frequency, CNTFRQ_EL0. */
@external("wv", "counter_freq")
export declare function wv_counter_freq(): i64;

/** A new zeroed stage-2 table page; returns its handle (>= 0, the first is the root). */
@external("wv", "s2_table_new")
export declare function wv_s2_table_new(): i32;

/** Write descriptor `index` of table `table` (a table descriptor carries a handle in bits [47:12]). */
@external("wv", "s2_set_entry")
export declare function wv_s2_set_entry(table: i32, index: i32, level: i32, desc: u64): i32;

/** Install the stage-2 tables: VTTBR_EL2/VTCR_EL2 for `ipa_bits` (32..39), start level 1. */
@external("wv", "s2_activate")
export declare function wv_s2_activate(root: i32, ipaBits: i32): i32;

/** Copy `len` bytes of guest memory at `ipa` into Wasm memory at `dst`. */
@external("wv", "guest_read")
export declare function wv_guest_read(ipa: u64, dst: usize, len: i32): i32;

/** Copy `len` bytes of Wasm memory at `src` into guest memory at `ipa`. */
@external("wv", "guest_write")
export declare function wv_guest_write(ipa: u64, src: usize, len: i32): i32;

/** Copy image `image` of the image table to `ipa`; returns its size or a negative error. */
@external("wv", "image_load")
export declare function wv_image_load(image: i32, ipa: u64): i64;

/** Set vCPU `vcpu`'s first PC and x0 and make it runnable. */
@external("wv", "vcpu_boot")
export declare function wv_vcpu_boot(vcpu: i32, pc: u64, x0: u64): i32;

/** Set an allow-listed EL1 register of a vCPU (ids in runtime-c/include/wv_sysregs.h). */
@external("wv", "sysreg_write")
export declare function wv_sysreg_write(vcpu: i32, reg: i32, value: u64): i32;

/** An allow-listed EL1 register of the vCPU whose exit is being handled; 0 when refused. */
@external("wv", "sysreg_read")
export declare function wv_sysreg_read(vcpu: i32, reg: i32): u64;

// Register ids of sysreg_write and sysreg_read (runtime-c/include/wv_sysregs.h).
export const SYSREG_SCTLR_EL1: i32 = 1;
export const SYSREG_VBAR_EL1: i32 = 2;
export const SYSREG_ELR_EL1: i32 = 6;
export const SYSREG_SPSR_EL1: i32 = 7;
export const SYSREG_ESR_EL1: i32 = 8;
export const SYSREG_FAR_EL1: i32 = 9;

/** Park every vCPU of this VM. */
@external("wv", "vm_stop")
export declare function wv_vm_stop(): void;

/** The physical CPU that runs vCPU `vcpu`. */
@external("wv", "pcpu_of")
export declare function wv_pcpu_of(vcpu: i32): i32;

// ---- Interrupts (docs/abi.md section 4) ----
// These act on the physical CPU that runs the exiting vCPU, and only during wv_handle_exit.

/** Number of list registers (ICH_VTR_EL2.ListRegs + 1). */
@external("wv", "lr_count")
export declare function wv_lr_count(): i32;

/** ICH_LR<lr>_EL2 in GICv3 format (GICv3 spec 12.5.8); 0 when refused. */
@external("wv", "lr_read")
export declare function wv_lr_read(lr: i32): u64;

/** Write ICH_LR<lr>_EL2 (GICv3 format); HW = 1 only for a physical INTID the VM owns. */
@external("wv", "lr_write")
export declare function wv_lr_write(lr: i32, value: u64): i32;

/** Write ICH_HCR_EL2: En, UIE, LRENPIE, NPIE only (GICv3 spec 12.5.4). */
@external("wv", "ich_hcr_write")
export declare function wv_ich_hcr_write(value: u32): i32;

/** ICH_ELRSR_EL2 [15:0] | ICH_EISR_EL2 << 16 | ICH_MISR_EL2 << 32. */
@external("wv", "ich_status")
export declare function wv_ich_status(): u64;

/** Make vCPU `vcpu` leave its guest soon (the kick SGI to its physical CPU). */
@external("wv", "vcpu_kick")
export declare function wv_vcpu_kick(vcpu: i32): i32;

/** Enable or disable (mask) a physical interrupt the VM owns. */
@external("wv", "irq_set")
export declare function wv_irq_set(intid: i32, enable: i32): i32;

// ---- PMU (docs/abi.md 2): the registers of the physical CPU handling this VM's exit ----

/** PMU register `reg` (abi/pmu_regs.ts); 0 when refused. */
@external("wv", "pmu_read")
export declare function wv_pmu_read(reg: i32): u64;

/** Write PMU register `reg`; refused (WV_EDENIED) for a filter with NSH set. */
@external("wv", "pmu_write")
export declare function wv_pmu_write(reg: i32, value: u64): i32;

// ---- Hypervisor channel (docs/abi.md section 6) ----

/** Bytes the guest wrote to its virtio-console port: 0 taken, negative WV_E* (the bytes are dropped). */
@external("wv", "chan_send")
export declare function wv_chan_send(ptr: usize, len: i32): i32;

// Error codes the imports answer (docs/abi.md section 2, "Errors").
export const WV_OK: i32 = 0;
export const WV_EINVAL: i32 = -1;
export const WV_ENOTOWNED: i32 = -2;
export const WV_ENOMEM: i32 = -3;
export const WV_EDENIED: i32 = -4;
export const WV_ESTATE: i32 = -5;
