// A hostile core module that recurses inside as many nested loops as the module check
// lets through (WV_MODULE_MAX_LOOPS, 16: runtime-c/include/wv_module_check.h): the real
// core (assembly/index.ts) for every VM but VM 0, whose first exit recurses without end
// in a function nesting 16 loops. wasm3 runs each loop in a native frame of its own, so
// each call level here costs 80 + 16 × 48 bytes of EL2 stack, over ten times a plain
// call's. The runtime sizes this module's call-depth limit for that (stack_budget.c):
//  - loop_recursion.test.ts boots it and checks that VM 0 is stopped at the call-depth
//    limit, naming the recursion, while the other VM runs on and nothing panics;
//  - guard.test.ts boots it in an image that gives every module the full call depth
//    (wv_core_full_call_depth) and checks that the overrun ends on the guard page below
//    the CPU's EL2 stack, in the panic naming the CPU.
import * as core from "../../assembly/index";
export * from "./core_exports";

/** The VM whose core recurses. */
const RECURSING_VM: i32 = 0;

let self: i32 = -1;
/** Read by every loop's condition; set at run time (wv_init), so that the optimiser can
 * neither take the loops for endless nor drop them. */
let again: bool = false;

function deeper(): void {
  do { do { do { do {
  do { do { do { do {
  do { do { do { do {
  do { do { do { do {
    deeper();
  } while (again) } while (again) } while (again) } while (again)
  } while (again) } while (again) } while (again) } while (again)
  } while (again) } while (again) } while (again) } while (again)
  } while (again) } while (again) } while (again) } while (again)
}

export function wv_init(vm: i32, blob: i32, len: i32): i32 {
  self = vm;
  again = len > 0;
  return core.wv_init(vm, blob, len);
}

export function wv_handle_exit(vcpu: i32): i32 {
  if (self == RECURSING_VM) deeper();
  return core.wv_handle_exit(vcpu);
}
