// Refused by the module check before wasm3 sees it (runtime-c/include/wv_module_check.h):
// one function nests 17 loops, one more than WV_MODULE_MAX_LOOPS. Otherwise a module a
// live update could load. live_update.test.ts uploads it signed and expects the refusal
// naming the function and the nesting; loop_recursion.test.ts boots an image with it as
// the core and expects each VM not started with the same reason.
export * from "./abi";

/** Set at run time, so that the optimiser keeps every loop. */
let again: bool = false;

export function wv_abi_version(): i32 { return 3; }
export function wv_restore(src: i32, len: i32, version: i32): i32 {
  again = len > 0;
  return 0;
}

export function deep(): void {
  do { do { do { do { do {
  do { do { do { do { do {
  do { do { do { do { do {
  do { do {
    again = !again;
  } while (again) } while (again)
  } while (again) } while (again) } while (again) } while (again) } while (again)
  } while (again) } while (again) } while (again) } while (again) } while (again)
  } while (again) } while (again) } while (again) } while (again) } while (again)
}
