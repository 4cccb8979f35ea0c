// wv_vm_info (docs/abi.md section 2): what management shows of the VM, as one 88-byte
// little-endian record:
//   0  name[16], NUL-padded      16 u32 type (0 mvm, 1 gvm, 2 rtvm)
//   20 u32 state (VM_EMPTY, VM_RUNNING, VM_STOPPED: core/vm.ts)
//   24 u32 vCPUs                 28 u32 vCPUs on (bit n: vCPU n)
//   32 u64 RAM bytes (all its regions)
//   40 u64 exits[6]: data_abort, hvc (SMC included), sysreg, wfx, irq, other
// An instance without a VM gives an all-zero record.

import { STATE, VM_NAME, VM_NAME_SIZE, VM_TYPE, VM_STATE, VM_VCPU_COUNT, VM_VCPU_ON, VM_EXIT_CLASSES, MAX_REGIONS,
  REGIONS_OFF, REGION_RECORD, REGION_SIZE, VM_REGION_COUNT } from "./layout";
import { vmExitCount } from "./exit_counters";
import { STATE_ERR_SPACE, STATE_ERR_RANGE, inMemory } from "./state_format";

export const VM_INFO_SIZE: usize = 88;
export const VI_NAME: usize = 0;
export const VI_TYPE: usize = 16;
export const VI_STATE: usize = 20;
export const VI_VCPUS: usize = 24;
export const VI_VCPU_ON: usize = 28;
export const VI_RAM: usize = 32;
export const VI_EXITS: usize = 40;

/** Bytes of RAM in the VM's regions (at most MAX_REGIONS of them). */
function ramBytes(): u64 {
  let n = load<u32>(STATE + VM_REGION_COUNT);
  if (n > MAX_REGIONS) n = MAX_REGIONS;
  let total: u64 = 0;
  for (let i: u32 = 0; i < n; i++) total += load<u64>(STATE + REGIONS_OFF + <usize>i * REGION_RECORD + REGION_SIZE);
  return total;
}

/** Write the record at `dst` (room for `cap` bytes): VM_INFO_SIZE, or STATE_ERR_SPACE / STATE_ERR_RANGE. */
export function vmInfo(dst: usize, cap: usize): i32 {
  if (cap < VM_INFO_SIZE) return STATE_ERR_SPACE;
  if (!inMemory(dst, VM_INFO_SIZE)) return STATE_ERR_RANGE;
  memory.copy(dst + VI_NAME, STATE + VM_NAME, VM_NAME_SIZE);
  store<u32>(dst + VI_TYPE, load<u32>(STATE + VM_TYPE));
  store<u32>(dst + VI_STATE, load<u32>(STATE + VM_STATE));
  store<u32>(dst + VI_VCPUS, load<u32>(STATE + VM_VCPU_COUNT));
  store<u32>(dst + VI_VCPU_ON, load<u32>(STATE + VM_VCPU_ON));
  store<u64>(dst + VI_RAM, ramBytes());
  for (let c: u32 = 0; c < VM_EXIT_CLASSES; c++) store<u64>(dst + VI_EXITS + (<usize>c << 3), vmExitCount(c));
  return <i32>VM_INFO_SIZE;
}
