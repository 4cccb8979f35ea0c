// The exports a core module needs to be loaded and handed a VM's state by a live update
// (docs/abi.md 2), with nothing behind them: what the refused modules of the live-update
// test share. Each entry file sets what goes wrong.

const REC: usize = memory.data(320 * 8, 8);   // one exit record per vCPU index (docs/abi.md 2)
const BUF: usize = memory.data(4096, 8);

export function wv_exit_record(): i32 { return <i32>REC; }
export function wv_handle_exit(vcpu: i32): i32 { return 2; }
export function wv_nop(): void {}
export function wv_init(vm: i32, blob: i32, len: i32): i32 { return -1; }
export function wv_buffer(size: i32): i32 { return size > 0 && size <= 4096 ? <i32>BUF : 0; }
export function wv_core_version(): i32 { return 0x000900; }
export function wv_variant(): i32 { return 9; }
export function wv_state_version(): i32 { return 1; }
export function wv_state_size(): i32 { return 16; }
export function wv_state_buffer(size: i32): i32 { return <i32>BUF; }
export function wv_state_restorable(version: i32): i32 { return 1; }
export function wv_save(dst: i32, cap: i32): i32 { return -1; }
export function wv_self_check(): i32 { return 0; }
