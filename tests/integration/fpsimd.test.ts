// A guest's FP/SIMD registers survive exits, vCPU switches and live updates
// (docs/abi.md, "FP/SIMD registers"): two guest-fpsimd VMs share CPU 1, each checking
// V0-V31, FPCR and FPSR after every exit, while the management VM updates the core to its
// second build and rolls it back, three times. One boot of vmconfigs/fpsimd.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, find, tail } from "./boot.ts";

const TIMEOUT_MS = 300_000;
const GUESTS = ["fpa", "fpb"];

test("FP/SIMD registers survive exits, vCPU switches and live updates", async () => {
  let updatesDone = false;
  const after = new Set<string>();
  const r = await boot("fpsimd", `"[mvm] READY update-bench", then a rounds line from each fpsimd VM`, (line) => {
    if (line === "[mvm] READY update-bench") updatesDone = true;
    const m = /^\[(\w+)\] fpsimd: rounds \d+ ok$/.exec(line);
    if (updatesDone && m) after.add(m[1]);
    return GUESTS.every((g) => after.has(g)) || /fpsimd: ERROR| stopped: |PANIC|update-bench: (update|rollback) failed/.test(line);
  }, TIMEOUT_MS);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  assert.equal(find(L, /fpsimd: ERROR/), -1, "no FP/SIMD register changed under a guest" + ctx);
  assert.equal(find(L, / stopped: |PANIC/), -1, "no VM stopped, no panic" + ctx);
  assert.equal(find(L, /update-bench: (update|rollback) failed/), -1, "every update and rollback went through" + ctx);
  const handOvers = L.filter((l) => /^\[wasmvisor\] update: core \S+ -> \S+ /.test(l)).length;
  assert.ok(handOvers >= 6, `three updates and three rollbacks handed the VMs over (${handOvers} seen)` + ctx);
  const firstUpdate = find(L, /^\[wasmvisor\] update: core /);
  assert.ok(find(L, /^\[mvm\] READY update-bench$/) >= 0, "the management VM finished its updates" + ctx);
  for (const g of GUESTS) {
    const ready = find(L, new RegExp(`^\\[${g}\\] fpsimd: READY$`));
    assert.ok(ready >= 0 && ready < firstUpdate, `${g} was checking its registers before the first update` + ctx);
    assert.ok(after.has(g), `${g} went on checking after the updates` + ctx);
  }
});
