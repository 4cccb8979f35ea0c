// WV_HC_BENCH_STAMP (docs/abi.md section 3), for VMs with the bench flag: per vCPU, the
// virtual counter at the hypervisor's vector (the exit record's cntvct) of its last IRQ
// exit for the virtual timer's PPI. A guest that reads its own counter first thing in its
// timer handler then has the hypervisor's share of each tick (vector to handler) apart
// from the time before the vector, in which the CPU had not yet run any hypervisor code
// for that interrupt (under QEMU -icount: another emulated CPU's turn).
//
// The stamps are bench data, not VM state: they live outside the saved state and start
// at 0 in a new instance (a live update, a restore); a guest skips a stamp that is not of
// its tick. Only whether the VM has the flag is state (core/layout.ts, HC_BENCH), so that
// the hypercall keeps answering after an update.

import { exitRecord, EXIT_CNTVCT } from "../abi/exit_record";
import { STATE, HC_BENCH, MAX_VCPUS } from "./layout";
import { PPI_VTIMER } from "../arch/vgic_common";

const STAMPS: usize = memory.data(8 * <i32>MAX_VCPUS, 8);

/** Does the VM have the bench flag (set at wv_init from its config record)? */
@inline export function benchEnabled(): bool {
  return load<u32>(STATE + HC_BENCH) != 0;
}

export function benchSetEnabled(on: bool): void {
  store<u32>(STATE + HC_BENCH, on ? 1 : 0);
}

/** An IRQ exit of vCPU `v` for physical `intid`: the timer's is remembered (bench VMs only). */
@inline export function benchIrqExit(v: u32, intid: u32): void {
  if (intid == PPI_VTIMER && v < MAX_VCPUS && benchEnabled()) {
    store<u64>(STAMPS + (<usize>v << 3), load<u64>(exitRecord + EXIT_CNTVCT));
  }
}

/** vCPU `v`'s stamp: 0 before its first timer IRQ exit on this instance. */
export function benchStamp(v: u32): u64 {
  return v < MAX_VCPUS ? load<u64>(STAMPS + (<usize>v << 3)) : 0;
}

/** Forget every stamp (tests; a new instance starts with none). */
export function benchStampsClear(): void {
  memory.fill(STAMPS, 0, 8 * <usize>MAX_VCPUS);
}
