// A hostile core module that recurses without end: the real core (assembly/index.ts) for
// every VM but VM 0, whose first exit recurses until the call depth runs out. The
// integration test recursion.test.ts boots it and checks that the runtime stops VM 0 with
// the recursion named while the other VM runs on: deep Wasm recursion is a Wasm trap,
// never a fault of the hypervisor (docs/architecture.md, "The EL2 stacks").
import * as core from "../../assembly/index";
export * from "./core_exports";

/** The VM whose core recurses. */
const RECURSING_VM: i32 = 0;

let self: i32 = -1;
/** Written at every level, so that the recursion is neither a loop nor dropped. */
let depth: i32 = 0;

function deeper(n: i32): i32 {
  depth = n;
  return deeper(n + 1) + n;
}

export function wv_init(vm: i32, blob: i32, len: i32): i32 {
  self = vm;
  return core.wv_init(vm, blob, len);
}

export function wv_handle_exit(vcpu: i32): i32 {
  if (self == RECURSING_VM) return deeper(0);
  return core.wv_handle_exit(vcpu);
}
