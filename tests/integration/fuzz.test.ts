// Guest-level fuzzing, bounded: a few seeds of the fuzz guest (tests/guests/fuzz), each
// a few thousand actions of every kind, beside two counters and the RT guest
// (vmconfigs/fuzz.json). No panic, no VM stopped, the fuzz guest reaches its
// `fuzz: done` line, and every neighbour keeps ticking after it. `wasmvisor fuzz` runs
// the same for long (docs/testing.md, "Guest-level fuzzing").
import { test } from "node:test";
import assert from "node:assert/strict";
import { fuzzSeed, seedSummary, TICKS_AFTER_DONE, type FuzzOptions } from "../../tools/fuzz/index.ts";

const SEEDS = [1, 2, 3];
const OPTIONS: FuzzOptions = {
  seed: SEEDS[0]!, seeds: SEEDS.length, exits: 0, actions: 3000, reportEvery: 200,
  skip: [], trace: false, traceFrom: 0, outside: true, reset: false,
  frozenMs: 10_000, maxGapMs: 1000, rtOverruns: false, timeoutMs: 40_000, echo: false,
};
/** Anomalies this test fails on; others (floods, warnings, gaps on a loaded host) are the tool's to report. */
const FATAL = /panic|stopped|frozen|no tick|ticks in|no end within|QEMU ended/;

for (const seed of SEEDS) {
  test(`fuzz seed ${seed}: no panic, the fuzz guest finishes, its neighbours keep ticking`, async () => {
    const s = await fuzzSeed(OPTIONS, seed, 0, true);
    const summary = seedSummary(s) + "\n" + s.anomalies.map((a) => `  ${a.kind}: ${a.line}`).join("\n");
    const fatal = s.anomalies.filter((a) => FATAL.test(a.kind));
    assert.deepEqual(fatal, [], summary);
    assert.ok(s.watch.done, `the fuzz guest reached "fuzz: done": ${summary}`);
    assert.equal(s.watch.actions, OPTIONS.actions, summary);
    for (const n of s.watch.neighbours.values()) assert.ok(n.ticks >= TICKS_AFTER_DONE, `vm ${n.vm} ticked: ${summary}`);
  });
}
