// The guest hypercall ABI (docs/abi.md section 3): HVC #0, SMCCC fast calls in the
// vendor-specific hypervisor service range (SMCCC, ARM DEN 0028, "Function
// Identifier": bit 31 fast call, bit 30 SMC64, bits [29:24] owning entity 6 =
// vendor specific hypervisor service). Function ID in W0, arguments in x1..x3,
// results in x0..x1.

import { VARIANT_2 } from "../core/variant";

export const WV_HC_NULL: u32 = 0xC6000000;
export const WV_HC_VERSION: u32 = 0xC6000001;
export const WV_HC_PUTC: u32 = 0xC6000002;
export const WV_HC_VM_INFO: u32 = 0xC6000003;
export const WV_HC_REPORT: u32 = 0xC6000004;
/** Variant 2 only (core/variant.ts): x1 = WV_FEATURE_* bits; variant 1 answers NOT_SUPPORTED. */
export const WV_HC_FEATURES: u32 = 0xC6000005;
/** VMs with the bench flag only (core/bench_stamp.ts): x1 = the counter at the vector of the
 * calling vCPU's last virtual timer IRQ exit; others get NOT_SUPPORTED. */
export const WV_HC_BENCH_STAMP: u32 = 0xC6000006;

/** First and last ID of the range above: IDs are dispatched by offset from the first. */
export const WV_HC_BASE: u32 = WV_HC_NULL;
export const WV_HC_COUNT: u32 = 7;

// WV_HC_FEATURES bits: what the core offers a guest.
/** The PL011 receives console input (docs/abi.md section 5). */
export const WV_FEATURE_CONSOLE_INPUT: u64 = 1 << 0;
/** PSCI SYSTEM_RESET restarts the VM from its images. */
export const WV_FEATURE_SYSTEM_RESET: u64 = 1 << 1;
/** The VM's state survives a live update of the core module (docs/abi.md section 2). */
export const WV_FEATURE_LIVE_UPDATE: u64 = 1 << 2;
export const WV_FEATURES: u64 = WV_FEATURE_CONSOLE_INPUT | WV_FEATURE_SYSTEM_RESET | WV_FEATURE_LIVE_UPDATE;

/** The HVC immediate the ABI uses (ESR_EL2.ISS.imm16 of an HVC #0). */
export const WV_HC_IMM: u32 = 0;

// Results, as 32-bit SMCCC return codes in x0 (SMCCC section "Return codes").
export const HC_SUCCESS: u64 = 0;
/** SMCCC NOT_SUPPORTED (-1 as a 32-bit value): unknown function ID. */
export const HC_NOT_SUPPORTED: u64 = 0xFFFFFFFF;
/** SMCCC INVALID_PARAMETER (-3 as a 32-bit value): a known ID with a bad argument. */
export const HC_INVALID_PARAMETER: u64 = 0xFFFFFFFD;

/** ABI version reported by WV_HC_VERSION in x0 (the core module ABI, docs/abi.md 2). */
export const WV_ABI_VERSION: u32 = 3;
/** Core version reported in x1 (and by wv_core_version): major << 16 | minor << 8 | patch. */
export const CORE_VERSION_MAJOR: u32 = 0;
/** 0.1.0 for variant 1, 0.2.0 for variant 2 (core/variant.ts). */
export const CORE_VERSION_MINOR: u32 = VARIANT_2 ? 2 : 1;
export const CORE_VERSION_PATCH: u32 = 0;
export const CORE_VERSION: u32 = (CORE_VERSION_MAJOR << 16) | (CORE_VERSION_MINOR << 8) | CORE_VERSION_PATCH;
