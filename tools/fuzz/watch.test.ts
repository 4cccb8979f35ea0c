import { test } from "node:test";
import assert from "node:assert/strict";
import { FuzzWatch, FLOOD_LIMIT, RATE_LIMIT_MS } from "./watch.ts";

const opts = { fuzzVm: "fuzz", counters: ["counter"], rts: ["rt"], maxGapMs: 1000, rtOverruns: false };

test("progress lines give actions, exits and exits per second", () => {
  const w = new FuzzWatch(opts);
  w.line("[fuzz] fuzz: actions 100 exits 1000 aborts 1 undefs 2 irqs 3 cpu_on 4", 1000);
  w.line("[fuzz] fuzz: actions 200 exits 3000 aborts 1 undefs 2 irqs 3 cpu_on 5", 2000);
  assert.equal(w.exits, 3000);
  assert.equal(w.cpuOn, 5);
  assert.equal(w.exitsPerSecond(), 2000);
  assert.equal(w.anomalies.length, 0);
});

test("a tick gap above the bound, a panic and a stopped VM are anomalies", () => {
  const w = new FuzzWatch(opts);
  w.line("[counter] tick 1", 0);
  w.line("[counter] tick 2", 1500);
  w.line("[wasmvisor] PANIC: something", 1600);
  w.line("[wasmvisor] vm fuzz stopped: data abort at IPA 0x0", 1700);
  assert.deepEqual(w.anomalies.map((a) => a.kind), ["vm counter: 1500 ms between ticks", "hypervisor panic", "a VM was stopped"]);
  assert.equal(w.neighbours.get("counter")!.maxGapMs, 1500);
});

test("documented notices pass once per kind, a flood of one kind does not", () => {
  const w = new FuzzWatch(opts);
  for (let i = 0; i < FLOOD_LIMIT; i++) w.line(`[wasmvisor] vm fuzz: unknown hypercall 0x${(0xc000 + i).toString(16)}`, i);
  assert.equal(w.anomalies.length, 0);
  w.line("[wasmvisor] vm fuzz: unknown hypercall 0xc100", 99);
  assert.equal(w.anomalies.length, 1);
  assert.match(w.anomalies[0]!.kind, /console flood/);
  w.line("[wasmvisor] vm fuzz: something undocumented", 100);
  assert.equal(w.anomalies[1]!.kind, "hypervisor warning");
});

test("the engine's boot line passes; a native part refused at boot is an anomaly", () => {
  const w = new FuzzWatch(opts);
  w.line("[wasmvisor] core runs native (116 KiB of code)", 0);
  w.line("[wasmvisor] core runs in wasm3 (the image has no native part)", 1);
  assert.equal(w.anomalies.length, 0);
  w.line("[wasmvisor] core runs in wasm3: native part refused: bad magic (not a native part)", 2);
  assert.equal(w.anomalies[0]!.kind, "hypervisor warning");
});

test("a rate-limited notice is fine once a second, an anomaly when two come closer", () => {
  const w = new FuzzWatch(opts);
  w.line("[wasmvisor] vm fuzz: management request 6 refused (not the management VM)", 0);
  for (let s = 1; s <= 20; s++) {
    w.line(`[wasmvisor] vm fuzz: management request 6 refused (not the management VM); ${s * 100} more refused before it`, s * 1000);
  }
  assert.equal(w.anomalies.length, 0);
  w.line("[wasmvisor] vm fuzz: management request 3 refused (not the management VM); 5 more refused before it", 20_000 + RATE_LIMIT_MS - 1);
  assert.equal(w.anomalies.length, 1);
  assert.match(w.anomalies[0]!.kind, /not rate-limited/);
});

test("RT spurious interrupts are anomalies, overruns only when asked", () => {
  const w = new FuzzWatch(opts);
  w.line("[rt] rt: 5 overrun(s), 0 spurious interrupt(s) in this round", 0);
  assert.equal(w.anomalies.length, 0);
  assert.equal(w.rtOverruns, 5);
  w.line("[rt] rt: 0 overrun(s), 2 spurious interrupt(s) in this round", 1);
  assert.equal(w.anomalies.length, 1);
  const strict = new FuzzWatch({ ...opts, rtOverruns: true });
  strict.line("[rt] rt: 5 overrun(s), 0 spurious interrupt(s) in this round", 0);
  assert.equal(strict.anomalies.length, 1);
});

test("frozen: no progress for the bound after READY, never after done", () => {
  const w = new FuzzWatch(opts);
  assert.equal(w.frozen(100_000, 1000), false, "not before the guest is ready");
  w.line("[fuzz] READY fuzz", 0);
  assert.equal(w.frozen(500, 1000), false);
  assert.equal(w.frozen(1500, 1000), true);
  w.line("[counter] tick 1", 1600);
  w.line("[fuzz] fuzz: done 10 actions", 1600);
  assert.equal(w.frozen(5000, 1000), false);
  assert.deepEqual(w.quietSinceDone(1), ["counter"]);
  w.line("[counter] tick 2", 1700);
  assert.deepEqual(w.quietSinceDone(1), []);
});
