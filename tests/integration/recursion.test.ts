// Deep recursion in a core module is a Wasm trap that stops its VM, not a fault of the
// hypervisor, on either tier: wasm3's call depth is bounded by the instance's Wasm stack,
// native code's by the depth limit its native part declares (checked against the EL2
// stack when it is loaded), and the EL2 stacks are sized so that this bound comes first
// (docs/architecture.md, "The EL2 stacks"; docs/native-tier.md).
import { TIERS } from "../../tools/build/image.ts";
import { test } from "node:test";
import { expectRecursionStopsItsVm } from "./hostile_core.ts";

for (const tier of TIERS) {
  test(`a core module recursing without end gets its VM stopped, naming the recursion, while the other VM runs on (${tier})`, async () => {
    await expectRecursionStopsItsVm("tests/hostile-core/recursion.ts", "recursion", tier);
  });
}
