// A guest's FP/SIMD registers survive exits, vCPU switches and live updates
// (docs/abi.md, "FP/SIMD registers"): two guest-fpsimd VMs share CPU 1, each checking
// V0-V31, FPCR and FPSR after every exit, while the management VM updates the core to its
// second build and rolls it back, three times. One boot of vmconfigs/fpsimd.json per tier:
// natively (nothing at EL2 touches the registers), and with the built-in core in wasm3,
// which spills them first (there the updates go to the second build's native part and
// back: both engines, one after the other, under the same guests).
import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, engineLine, find, tail } from "./boot.ts";
import { TIERS } from "../../tools/build/image.ts";

const TIMEOUT_MS = 300_000;
const GUESTS = ["fpa", "fpb"];

for (const tier of TIERS) test(`FP/SIMD registers survive exits, vCPU switches and live updates (${tier})`, async () => {
  let updatesDone = false;
  const after = new Set<string>();
  const r = await boot("fpsimd", `"[mvm] READY update-bench", then a rounds line from each fpsimd VM`, (line) => {
    if (line === "[mvm] READY update-bench") updatesDone = true;
    const m = /^\[(\w+)\] fpsimd: rounds \d+ ok$/.exec(line);
    if (updatesDone && m) after.add(m[1]);
    return GUESTS.every((g) => after.has(g)) || /fpsimd: ERROR| stopped: |PANIC|update-bench: (update|rollback) failed/.test(line);
  }, TIMEOUT_MS, false, undefined, tier);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  assert.ok(find(L, engineLine(tier)) >= 0, `the built-in core ran on the ${tier} tier` + ctx);
  assert.equal(find(L, /fpsimd: ERROR/), -1, "no FP/SIMD register changed under a guest" + ctx);
  assert.equal(find(L, / stopped: |PANIC/), -1, "no VM stopped, no panic" + ctx);
  assert.equal(find(L, /update-bench: (update|rollback) failed/), -1, "every update and rollback went through" + ctx);
  const handOvers = L.filter((l) => /^\[wasmvisor\] update: core \S+ -> \S+ /.test(l)).length;
  assert.ok(handOvers >= 6, `three updates and three rollbacks handed the VMs over (${handOvers} seen)` + ctx);
  const firstUpdate = find(L, /^\[wasmvisor\] update: core /);
  const engines = new Set(L.map((l) => /^\[wasmvisor\] update: the new instances run on the (\w+) engine$/.exec(l)?.[1]).filter((e) => e));
  // The second build comes with its native part; the built-in one runs on the image's tier.
  assert.deepEqual([...engines].sort(), tier === "native" ? ["native"] : ["native", "wasm3"],
    "the hand-overs went to the engines the modules run on" + ctx);
  assert.ok(find(L, /^\[mvm\] READY update-bench$/) >= 0, "the management VM finished its updates" + ctx);
  for (const g of GUESTS) {
    const ready = find(L, new RegExp(`^\\[${g}\\] fpsimd: READY$`));
    assert.ok(ready >= 0 && ready < firstUpdate, `${g} was checking its registers before the first update` + ctx);
    assert.ok(after.has(g), `${g} went on checking after the updates` + ctx);
  }
});
