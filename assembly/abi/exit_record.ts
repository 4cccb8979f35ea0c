// The exit records (docs/abi.md section 2, "Exit record"): 320 bytes each, 8-byte
// aligned, one per vCPU index, in Wasm memory. Where the engine's memory never moves (the
// native tier) they are the vCPUs' register frames themselves: the runtime's exception
// vector saves a vCPU's registers straight into its record and enters the guest from it,
// so nothing is copied on an exit. Else the runtime copies the frame in before each
// wv_handle_exit call and x[], pc and spsr back afterwards. Either way the runtime takes
// only a checked PSTATE from spsr.
import { MAX_VCPUS } from "../core/layout";

export const EXIT_RECORD_SIZE: i32 = 320;
export const EXIT_X: usize = 0;          // u64 x[31], x0..x30
export const EXIT_PC: usize = 248;       // ELR_EL2
export const EXIT_SPSR: usize = 256;     // SPSR_EL2
export const EXIT_ESR: usize = 264;      // ESR_EL2
export const EXIT_FAR: usize = 272;      // FAR_EL2
export const EXIT_HPFAR: usize = 280;    // HPFAR_EL2
export const EXIT_VCPU: usize = 288;     // u32 vCPU index in its VM
export const EXIT_FLAGS: usize = 292;    // u32 EXIT_FLAG_* (docs/abi.md section 4)
export const EXIT_CNTVCT: usize = 296;   // virtual counter at exit
export const EXIT_INTID: usize = 304;    // u32 IRQ exits: the physical INTID (docs/abi.md section 4)

/** flags bit 0: a physical IRQ, not a guest exception (esr is 0, the PC stays). */
export const EXIT_FLAG_IRQ: u32 = 1;

/** Register number 31 in an ISS Rt/SRT field names XZR/WZR for these instructions. */
export const REG_ZR: u32 = 31;

/** The records, vCPU 0's first: static, so their addresses never change (not part of
 * saved state). wv_exit_record answers this address. */
export const EXIT_RECORDS: usize = memory.data(EXIT_RECORD_SIZE * <i32>MAX_VCPUS, 8);

/** vCPU `vcpu`'s record (vcpu < MAX_VCPUS). */
@inline
export function exitRecordOf(vcpu: u32): usize {
  return EXIT_RECORDS + <usize>vcpu * <usize>EXIT_RECORD_SIZE;
}

/** The record of the exit being handled: the accessors below read and write it. */
export let exitRecord: usize = EXIT_RECORDS;

/** Handle vCPU `vcpu`'s exit from here on (vcpu < MAX_VCPUS, checked by the caller). */
@inline
export function exitSelect(vcpu: u32): void {
  exitRecord = exitRecordOf(vcpu);
}

/** x[n] from the record; n = 31 reads as zero (XZR). */
@inline
export function exitReadReg(n: u32): u64 {
  return n == REG_ZR ? 0 : load<u64>(exitRecord + EXIT_X + ((<usize>n) << 3));
}

/** Set x[n] in the record; n = 31 (XZR) discards the value. */
@inline
export function exitWriteReg(n: u32, value: u64): void {
  if (n != REG_ZR) store<u64>(exitRecord + EXIT_X + ((<usize>n) << 3), value);
}

@inline export function exitEsr(): u64 { return load<u64>(exitRecord + EXIT_ESR); }
@inline export function exitFar(): u64 { return load<u64>(exitRecord + EXIT_FAR); }
@inline export function exitHpfar(): u64 { return load<u64>(exitRecord + EXIT_HPFAR); }
@inline export function exitPc(): u64 { return load<u64>(exitRecord + EXIT_PC); }
@inline export function exitSpsr(): u64 { return load<u64>(exitRecord + EXIT_SPSR); }
/** Where the vCPU resumes: the runtime copies the PC back on ACTION_RESUME. */
@inline export function exitSetPc(pc: u64): void { store<u64>(exitRecord + EXIT_PC, pc); }
/** The PSTATE the vCPU resumes with; the runtime takes NZCV, and DAIF and M[3:0] only
 * for a guest mode (EL1h, EL1t, EL0t: docs/abi.md section 2, "Exit record"). */
@inline export function exitSetSpsr(spsr: u64): void { store<u64>(exitRecord + EXIT_SPSR, spsr); }
@inline export function exitIsIrq(): bool { return (load<u32>(exitRecord + EXIT_FLAGS) & EXIT_FLAG_IRQ) != 0; }
@inline export function exitIntid(): u32 { return load<u32>(exitRecord + EXIT_INTID); }

/** Move the guest PC past the trapped instruction of `bytes` bytes. */
@inline
export function exitAdvancePc(bytes: u32): void {
  store<u64>(exitRecord + EXIT_PC, load<u64>(exitRecord + EXIT_PC) + <u64>bytes);
}

// Actions wv_handle_exit returns (docs/abi.md section 2).
export const ACTION_RESUME: i32 = 0;
export const ACTION_IDLE: i32 = 1;
export const ACTION_STOP: i32 = 2;
export const ACTION_YIELD: i32 = 3;
/** The vCPU turned itself off (PSCI CPU_OFF). */
export const ACTION_OFF: i32 = 4;
/** Restart the whole VM from its images (PSCI SYSTEM_RESET): the runtime stops every
 * vCPU of the VM, then calls wv_reset. */
export const ACTION_RESET: i32 = 5;
