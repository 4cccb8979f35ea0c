// The core module's exports (docs/abi.md section 2, ABI version 2). Nothing else is
// exported: every function here is part of the contract with runtime-c.

import { WV_ABI_VERSION, CORE_VERSION } from "./abi/hypercalls";
import { EXIT_RECORDS } from "./abi/exit_record";
import { MAX_VMS } from "./core/layout";
import { CFG_HEADER_SIZE, CFG_VM_RECORD_SIZE } from "./core/config";
import { vmInit } from "./core/vm";
import { vmReset } from "./core/vm_reset";
import { handleExit } from "./arch/exits";
import { stateSize, stateSave, stateSaveAs, stateRestore, stateRestorable, stateVersion, stateBuffer,
  stateSelfCheck, STATE_ERR_SPACE } from "./core/state";
import { vmInfo } from "./core/vm_info";
import { CORE_VARIANT } from "./core/variant";
import { consoleInput } from "./core/console_input";
import { chanBuffer, chanPush } from "./devices/virtio_console";

/** The config blob buffer: the largest valid blob (8 VM records). */
const CONFIG_CAP: usize = CFG_HEADER_SIZE + <usize>MAX_VMS * CFG_VM_RECORD_SIZE;
const CONFIG_BUF: usize = memory.data(<i32>CONFIG_CAP, 8);

export function wv_abi_version(): i32 {
  return <i32>WV_ABI_VERSION;
}

export function wv_state_version(): i32 {
  return <i32>stateVersion();
}

export function wv_core_version(): i32 {
  return <i32>CORE_VERSION;
}

export function wv_variant(): i32 {
  return CORE_VARIANT;
}

export function wv_buffer(size: i32): i32 {
  if (size <= 0 || <usize>size > CONFIG_CAP) return 0;
  return <i32>CONFIG_BUF;
}

export function wv_init(vm: i32, blob: i32, len: i32): i32 {
  if (len < 0) return -1;
  return vmInit(vm, <usize>blob, <usize>len);
}

export function wv_exit_record(): i32 {
  return <i32>EXIT_RECORDS;
}

export function wv_handle_exit(vcpu: i32): i32 {
  return handleExit(vcpu);
}

export function wv_nop(): void {}

export function wv_reset(blob: i32, len: i32): i32 {
  if (len < 0) return -1;
  return vmReset(<usize>blob, <usize>len);
}

export function wv_console_input(byte: i32): i32 {
  return consoleInput(byte);
}

export function wv_chan_buffer(): i32 {
  return <i32>chanBuffer();
}

export function wv_chan_push(len: i32): i32 {
  return chanPush(len);
}

export function wv_state_size(): i32 {
  return stateSize();
}

export function wv_save(dst: i32, cap: i32): i32 {
  if (cap < 0) return -1;
  return stateSave(<usize>dst, <usize>cap);
}

export function wv_restore(src: i32, len: i32, version: i32): i32 {
  if (len < 0) return -1;
  return stateRestore(<usize>src, <usize>len, <u32>version);
}

export function wv_state_buffer(size: i32): i32 {
  return <i32>stateBuffer(size);
}

export function wv_save_as(dst: i32, cap: i32, version: i32): i32 {
  if (cap < 0) return STATE_ERR_SPACE;
  return stateSaveAs(<usize>dst, <usize>cap, <u32>version);
}

export function wv_state_restorable(version: i32): i32 {
  return stateRestorable(<u32>version) ? 1 : 0;
}

export function wv_self_check(): i32 {
  return stateSelfCheck();
}

export function wv_vm_info(dst: i32, cap: i32): i32 {
  if (cap < 0) return STATE_ERR_SPACE;
  return vmInfo(<usize>dst, <usize>cap);
}
