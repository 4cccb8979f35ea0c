// The real core's exports but wv_init and wv_handle_exit (assembly/index.ts), for a
// hostile module that wraps those two and is the real core otherwise
// (recursion.ts, loop_recursion.ts): `export * from "./core_exports"`.
export {
  wv_abi_version, wv_state_version, wv_core_version, wv_variant, wv_buffer, wv_exit_record,
  wv_nop, wv_reset, wv_console_input, wv_chan_buffer, wv_chan_push, wv_state_size, wv_save,
  wv_restore, wv_state_buffer, wv_save_as, wv_state_restorable, wv_self_check, wv_vm_info,
} from "../../assembly/index";
