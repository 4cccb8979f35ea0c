// Two VMs on one physical CPU keep their own hardware debug and PMU state: vm debug's
// breakpoint, watchpoint, cycle counter and event counter fire and count as it set
// them in every round, while vm noise, sharing the CPU in 1 ms slices, keeps
// resetting its own; and neither counter can be made to count the hypervisor's cycles.
import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, find, tail } from "./boot.ts";

const TIMEOUT_MS = 120_000;
const CHECKS_PER_ROUND = ["breakpoint", "watchpoint", "cycle counter", "event counter"];
const NSH_CHECKS = [
  "PMCCFILTR_EL0.NSH reads clear",
  "cycle counter with NSH counts no EL2 cycles",
  "PMEVTYPER_EL0.NSH reads clear",
  "event counter with NSH counts no EL2 cycles",
];

test("two VMs sharing a CPU keep their breakpoints, watchpoints and PMU counters", async () => {
  const r = await boot("debug", `"[debug] DEBUG DONE"`, (line) =>
    line.startsWith("[debug] DEBUG DONE") || / stopped: |PANIC/.test(line), TIMEOUT_MS);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  assert.equal(find(L, / stopped: |PANIC|EXCEPTION|ERROR/), -1, ctx);
  const failed = L.filter((l) => l.startsWith("[debug] ") && / FAIL /.test(l));
  assert.deepEqual(failed, [], "failed checks" + ctx);
  for (const c of NSH_CHECKS) assert.ok(L.includes(`[debug] check: ${c} ok`), c + ctx);
  // The summary is found wherever it is: vm noise may print after it before the run ends.
  const doneAt = find(L, /^\[debug\] DEBUG DONE \d+ rounds, \d+ failures$/);
  const done = /^\[debug\] DEBUG DONE (\d+) rounds, (\d+) failures$/.exec(L[doneAt] ?? "");
  assert.ok(done, "summary line" + ctx);
  assert.equal(done[2], "0", ctx);
  const rounds = Number(done[1]);
  for (let n = 1; n <= rounds; n++)
    for (const c of CHECKS_PER_ROUND) assert.ok(L.includes(`[debug] round ${n}: ${c} ok`), `round ${n} ${c}` + ctx);
  // The other VM really shared the CPU during the rounds.
  const first = L.indexOf("[debug] READY debug");
  const noise = L.slice(first).filter((l) => /^\[noise\] noise: \d+ resets$/.test(l)).length;
  assert.ok(noise >= 2, `vm noise ran between the rounds (${noise} lines)` + ctx);
});
