// Deep recursion in a core module is a Wasm trap that stops its VM, not a fault of the
// hypervisor: wasm3's call depth is bounded by the instance's Wasm stack, and the EL2
// stacks are sized so that this bound comes first (docs/architecture.md, "The EL2 stacks").
import { test } from "node:test";
import { expectRecursionStopsItsVm } from "./hostile_core.ts";

test("a core module recursing without end gets its VM stopped, naming the recursion, while the other VM runs on", async () => {
  await expectRecursionStopsItsVm("tests/hostile-core/recursion.ts", "recursion");
});
