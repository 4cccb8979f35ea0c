// The bench's parsers and the arithmetic on their results, on console lines as the runs
// print them (under the hypervisor with "[vm] " in front, directly on QEMU without).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  combineRounds, findLine, ofVm, parseBench, parseBootTime, parseCacheAll, parseMetricLines, parseRtRounds, parseSgi, parseUpdates, ratio, roundsAfter,
  splitRoundsByUpdate, parseEntryDelays, hypOfRounds, entryOfRounds, RT_HYP_LINE,
} from "./parse.ts";
import { figures, runJobs, targets, type Outcomes } from "./index.ts";
import { BenchError, isFatal, withCounterHz } from "./runs.ts";
import { directMachine } from "../run/direct.ts";
import { saveMetrics, table } from "./results.ts";

const BOARD = ["-M", "virt,virtualization=on,gic-version=3", "-cpu", "cortex-a72", "-smp", "4", "-m", "1024"];

test("parseBench: the guest's metric 1 and 2 lines and the runtime's host->Wasm and instance lines; others ignored", () => {
  const m = parseBench([
    "[wasmvisor] bench host_to_wasm_call 90",
    "[wasmvisor] bench core_instance_build 51234",
    "[bench] hypercall round trip: 1968 ns (246 counter ticks for 2000)",
    "[bench] metric 1 1968",
    "[bench] metric 2 3835",
    "[bench] metric 3 12",
    "[other] metric 1 5",
    "[bench] BENCH DONE",
  ]);
  assert.deepEqual(m, {
    host_to_wasm_call: { value: 90, unit: "instructions" },
    core_instance_build: { value: 51234, unit: "instructions" },
    hypercall_roundtrip: { value: 1968, unit: "instructions" },
    mmio_read_roundtrip: { value: 3835, unit: "instructions" },
  });
});

test("ofVm and findLine: a VM's own lines under the hypervisor, unprefixed lines of a direct boot", () => {
  assert.equal(ofVm("[linux] READY linux", "linux"), "READY linux");
  assert.equal(ofVm("[linux] READY linux", "rt"), null);
  assert.equal(ofVm("[linux] READY linux", null), null);
  assert.equal(ofVm("READY linux", null), "READY linux");
  assert.equal(ofVm("[linuxx] READY linux", "linux"), null);
  const lines = ["[rt] READY rt", "[linux] wasmvisor guest linux: 6.1.0-50-arm64, cpus online 0-1", "[linux] READY linux"];
  assert.equal(findLine(lines, "linux", "READY linux"), 2);
  assert.equal(findLine(lines, "rt", "READY linux"), -1);
});

test("parseBootTime: the ns line of /proc/timer_list first, else /proc/uptime's seconds; null without either", () => {
  const hv = ["[linux] [    1.554] Run /init as init process", "[linux] boot: uptime 1.55", "[linux] boot: monotonic 1554638416 ns"];
  assert.deepEqual(parseBootTime(hv, "linux"), { ns: 1554638416, source: "monotonic" });
  assert.equal(parseBootTime(hv, null), null, "a direct boot's lines have no prefix");
  assert.deepEqual(parseBootTime(["boot: uptime 0.77", "boot: monotonic 777652672 ns"], null), { ns: 777652672, source: "monotonic" });
  // No timer_list in the kernel: the shell prints "unknown", and the uptime counts.
  assert.deepEqual(parseBootTime(["boot: uptime 0.78", "boot: monotonic unknown ns"], null), { ns: 780000000, source: "uptime" });
  assert.deepEqual(parseBootTime(["boot: uptime 12"], null), { ns: 12e9, source: "uptime" });
  assert.equal(parseBootTime(["[    0.000000] Booting Linux on physical CPU 0x0000000000"], null), null);
});

const RT_HV = [
  "[rt] rt: counter 1000000000 Hz, tick 1000 us, 1000 samples",
  "[rt] rt latency ns: min 10412 avg 36049391 max 98890546 (1000 samples)",
  "[rt] metric 10 10412",
  "[rt] rt: 974 overrun(s), 0 spurious interrupt(s) in this round",
  "[linux] READY linux",
  "[rt] rt latency ns: min 10412 avg 11156 max 198362 (1000 samples)",
  "[rt] rt heartbeat 7",
  "[rt] rt latency ns: min 10412 avg 10412 max 10412 (1000 samples)",
  "[rt] rt latency ns: min 10447 avg 10450 max 18327 (1000 samples)",
  "[rt] rt latency ns: min 10430 avg 10431 max 10447 (1000 samples)",
];

test("parseRtRounds: every round line of the VM with where it is; roundsAfter skips the round the marker fell in", () => {
  const rounds = parseRtRounds(RT_HV, "rt");
  assert.equal(rounds.length, 5);
  assert.deepEqual(rounds[0], { min: 10412, avg: 36049391, max: 98890546, samples: 1000, at: 1 });
  assert.deepEqual(parseRtRounds(RT_HV, null), []);
  const ready = findLine(RT_HV, "linux", "READY linux");
  const used = roundsAfter(rounds, ready, 1, 3);
  assert.deepEqual(used.map((r) => r.at), [7, 8, 9]);
  assert.deepEqual(combineRounds(used), { min: 10412, avg: 10431, max: 18327 });
  assert.equal(roundsAfter(rounds, ready, 1, 10).length, 3, "no more than there are");
  assert.equal(combineRounds([]), null);
  const direct = parseRtRounds(["READY rt", "rt heartbeat 1", "rt latency ns: min 5 avg 5 max 5 (1000 samples)"], null);
  assert.deepEqual(direct, [{ min: 5, avg: 5, max: 5, samples: 1000, at: 2 }]);
});

test("parseCacheAll: guest-cache's closing line, under the hypervisor or directly", () => {
  const lines = [
    "[cache] cache: tlbi vmalle1: 20000 ops in 120000 ticks, 120000 ns, 6 ns per op",
    "[cache] metric 36 6",
    "[cache] cache: all 2750000 ticks, 2750000 ns",
    "[cache] CACHE DONE",
  ];
  assert.equal(parseCacheAll(lines, "cache"), 2750000);
  assert.equal(parseCacheAll(lines, null), null);
  assert.equal(parseCacheAll(["cache: all 2749000 ticks, 2749000 ns"], null), 2749000);
  assert.equal(parseCacheAll(["[cache] cache: all ticks"], "cache"), null);
});

test("parseSgi and parseMetricLines: guest-sgi's round-trip line and its reports", () => {
  const lines = [
    "[sgi] READY sgi",
    "[sgi] sgi round trip ns: min 63904 avg 63920 max 63920 (1000 round trips)",
    "[sgi] metric 20 63920",
    "[sgi] metric 21 63904",
    "[sgi] metric 22 63920",
    "[sgi] SGI DONE",
  ];
  assert.deepEqual(parseSgi(lines, "sgi"), { min: 63904, avg: 63920, max: 63920, count: 1000 });
  assert.equal(parseSgi(lines, null), null);
  assert.deepEqual(parseSgi(["sgi round trip ns: min 63 avg 64 max 64 (1000 round trips)"], null), { min: 63, avg: 64, max: 64, count: 1000 });
  assert.deepEqual(parseMetricLines(lines, "sgi"), [{ id: 20, value: 63920 }, { id: 21, value: 63904 }, { id: 22, value: 63920 }]);
});

test("ratio: rounded to 3 decimals; a zero denominator is an error", () => {
  assert.equal(ratio(1468910384, 777652672), 1.889);
  assert.equal(ratio(3, 2, 1), 1.5);
  assert.throws(() => ratio(1, 0), /denominator/);
});

test("withCounterHz and directMachine: the board's QEMU arguments with a 1 GHz counter, without EL2, N CPUs", () => {
  assert.deepEqual(withCounterHz(BOARD, 1e9).slice(2, 4), ["-cpu", "cortex-a72,cntfrq=1000000000"]);
  assert.deepEqual(withCounterHz(withCounterHz(BOARD, 5), 1e9)[3], "cortex-a72,cntfrq=1000000000", "replaced, not added twice");
  assert.throws(() => withCounterHz(["-M", "virt"], 1e9), /no -cpu/);
  assert.deepEqual(directMachine(BOARD, 2), ["-M", "virt,gic-version=3", "-cpu", "cortex-a72", "-smp", "2", "-m", "1024"]);
  assert.deepEqual(directMachine(["-M", "virt", "-cpu", "max"], 1), ["-M", "virt", "-cpu", "max", "-smp", "1"]);
  assert.deepEqual(BOARD[1], "virt,virtualization=on,gic-version=3", "the board's own list is left alone");
});

test("isFatal: a panic, a stopped VM or a kernel panic ends a run", () => {
  assert.ok(isFatal("[wasmvisor] PANIC: unexpected exception"));
  assert.ok(isFatal("[wasmvisor] vm rt stopped: data abort at IPA 0x20000000, ESR 0x93c08006 (translation fault level 1)"));
  assert.ok(isFatal("[linux] [    2.1] Kernel panic - not syncing: VFS: Unable to mount root fs"));
  assert.ok(!isFatal("[linux] READY linux"));
});

const round = (min: number, avg: number, max: number, at: number) => ({ min, avg, max, samples: 1000, at });

test("figures: boot ratio, jitter, the injection cost (idle rt minimum - direct minimum), SGI mean; targets judged", () => {
  const o: Outcomes = {
    micro: parseBench(["[wasmvisor] bench host_to_wasm_call 90", "[bench] metric 1 1968", "[bench] metric 2 3835"]),
    linuxDirect: { ns: 777652672, source: "monotonic" },
    linuxHv: { ns: 1468910384, source: "monotonic" },
    linuxQuietDirect: { ns: 777259680, source: "monotonic" },
    linuxQuietHv: { ns: 902425168, source: "uptime" },
    rtDirect: { rounds: [round(5, 5, 5, 3)], min: 5, avg: 5, max: 5 },
    rtIdle: { rounds: [round(10447, 10450, 18327, 9)], min: 10447, avg: 10450, max: 18327 },
    rtLoaded: { rounds: [round(10447, 1849715, 6711042, 9)], min: 10447, avg: 1849715, max: 6711042 },
    sgi: { min: 63904, avg: 63920, max: 63920, count: 1000 },
  };
  const m = figures(o);
  const v = (k: string) => m[k]?.value;
  assert.equal(v("linux_boot_ratio"), 1.889);
  assert.equal(v("linux_boot_ratio_quiet"), 1.161);
  assert.equal(m.linux_boot_direct?.unit, "ns (icount)");
  assert.equal(v("rt_jitter_idle"), 18327 - 10447);
  assert.equal(v("rt_jitter_loaded"), 6711042 - 10447);
  assert.equal(v("virq_injection"), 10447 - 5);
  assert.equal(v("sgi_roundtrip"), 63920);
  assert.equal(v("hypercall_roundtrip"), 1968);
  assert.deepEqual(Object.keys(m).slice(0, 3), ["hypercall_roundtrip", "mmio_read_roundtrip", "host_to_wasm_call"]);
  const t = targets(m);
  assert.deepEqual(t.hypercall_roundtrip, { text: "<= 500", met: false });
  assert.deepEqual(t.mmio_read_roundtrip, { text: "<= 1000", met: false });
  assert.deepEqual(t.virq_injection, { text: "<= 1500", met: false });
  assert.deepEqual(t.linux_boot_ratio, { text: "<= 1.5", met: false });
  assert.deepEqual(t.rt_latency_max_loaded, { text: "<= 2 x min (20894)", met: false });
  // The wasm3 tier's runs: their figures follow with the suffix, on the same direct rt run.
  const both = figures({ ...o, wasm3: { micro: parseBench(["[bench] metric 1 1500", "[wasmvisor] bench core_instance_build 12000000"]),
    rtIdle: { rounds: [round(10240, 10241, 13105, 9)], min: 10240, avg: 10241, max: 13105 } } });
  assert.equal(both.hypercall_roundtrip?.value, 1968);
  assert.equal(both.hypercall_roundtrip_wasm3?.value, 1500);
  assert.equal(both.core_instance_build_wasm3?.value, 12000000);
  assert.equal(both.virq_injection_wasm3?.value, 10240 - 5);
  assert.equal(both.sgi_roundtrip_wasm3, undefined, "no wasm3 SGI run, no figure");
  assert.match(both.hypercall_roundtrip_wasm3!.note!, /^wasm3 tier/);
  // A run that failed leaves its figures out, and every figure built on them.
  const partial = figures({ ...o, rtDirect: undefined, linuxDirect: undefined });
  assert.equal(partial.virq_injection, undefined);
  assert.equal(partial.linux_boot_ratio, undefined);
  assert.equal(partial.linux_boot_wasmvisor?.value, 1468910384);
  assert.equal(targets(partial).linux_boot_ratio, undefined);
});

test("table: a met column once a target was judged; plain string targets as before", () => {
  const m = { a: { value: 1968, unit: "instructions" }, b: { value: 1.889, unit: "ratio" }, c: { value: 5, unit: "instructions" } };
  const out = table(m, { a: { text: "<= 3000", met: true }, b: { text: "<= 1.5", met: false } }).split("\n");
  assert.deepEqual(out[0]!.split(/\s+/), ["metric", "value", "unit", "target", "met"]);
  assert.match(out[2]!, /^a\s+1968\s+instructions\s+<= 3000\s+yes$/);
  assert.match(out[3]!, /^b\s+1\.889\s+ratio\s+<= 1\.5\s+NO$/);
  assert.match(out[4]!, /^c\s+5\s+instructions$/);
  assert.deepEqual(table(m, { a: "<= 3000" }).split("\n")[0]!.split(/\s+/), ["metric", "value", "unit", "target"]);
});

test("saveMetrics: replaces what it measured, keeps the rest, drops the figures it failed to take", () => {
  const dir = mkdtempSync(join(tmpdir(), "wv-bench-"));
  try {
    const file = join(dir, "sub", "bench.json");
    saveMetrics({ a: { value: 1, unit: "x" }, b: { value: 2, unit: "x" }, c: { value: 3, unit: "x" } }, [], file);
    saveMetrics({ a: { value: 10, unit: "x" } }, ["b"], file);
    assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), { metrics: { a: { value: 10, unit: "x" }, c: { value: 3, unit: "x" } } });
    writeFileSync(file, "not json");
    assert.deepEqual(saveMetrics({ d: { value: 4, unit: "x" } }, [], file), { d: { value: 4, unit: "x" } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("runJobs: every job runs, two at a time; a failure names its figures and keeps its lines; none starts past the limit", async () => {
  const o: Outcomes = {};
  const seen: number[] = [];
  let running = 0, most = 0;
  const job = (i: number, fail?: string) => ({
    name: `job ${i}`, figures: [`f${i}`], timeoutMs: 10_000,
    run: async (out: Outcomes, t: number) => {
      running++; most = Math.max(most, running);
      assert.ok(t <= 10_000);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      seen.push(i);
      if (fail) throw new BenchError(fail, ["last line"]);
      if (i === 0) out.sgi = { min: 1, avg: 2, max: 3, count: 4 };
    },
  });
  const write = process.stderr.write;
  process.stderr.write = () => true;
  try {
    const failures = await runJobs([job(0), job(1, "timed out"), job(2), job(3)], o, 2, Date.now() + 60_000);
    assert.deepEqual(seen.sort(), [0, 1, 2, 3]);
    assert.equal(most, 2);
    assert.deepEqual(failures, [{ job: "job 1", figures: ["f1"], error: "timed out", lines: ["last line"] }]);
    assert.equal(o.sgi?.avg, 2);
    const late = await runJobs([job(4)], {}, 2, Date.now());
    assert.equal(late.length, 1);
    assert.match(late[0]!.error, /time limit/);
  } finally {
    process.stderr.write = write;
  }
});

const UPDATE_LINES = [
  "[rt] rt latency ns: min 10 avg 11 max 20 (1000 samples)",          // 0: before READY
  "[gvm] READY linux",                                                 // 1
  "[rt] rt latency ns: min 10 avg 11 max 21 (1000 samples)",          // 2: skipped
  "[rt] rt latency ns: min 10 avg 11 max 22 (1000 samples)",          // 3: without
  "[wasmvisor] update requested by vm mvm (60945 bytes)",             // 4
  "[wasmvisor] update: core 0.1.0 -> 0.2.0 (variant 2), 2 VMs, pause max 500 ns, total 9000 ns",
  "[wasmvisor] update: vm mvm paused 500 ns",
  "[wasmvisor] update: vm rt paused 400 ns",
  "[rt] rt latency ns: min 10 avg 11 max 900 (1000 samples)",         // 8: during
  "[rt] rt latency ns: min 10 avg 11 max 23 (1000 samples)",          // 9: without
  "[wasmvisor] rollback requested by vm mvm",                         // 10
  "[wasmvisor] update refused: vm rt: the new module refused the saved state (version 0x10203, error -207)",
  "[wasmvisor] update requested by vm mvm (60945 bytes)",             // 12
  "[wasmvisor] update: core 0.2.0 -> 0.1.0 (variant 1), 2 VMs, pause max 700 ns, total 8000 ns",
  "[wasmvisor] update: vm mvm paused 300 ns",
  "[wasmvisor] update: vm rt paused 700 ns",
  "[rt] rt latency ns: min 10 avg 11 max 800 (1000 samples)",         // 16: during
];

test("parseUpdates: each reported hand-over with every VM's pause; a refused request has none", () => {
  const u = parseUpdates(UPDATE_LINES);
  assert.equal(u.length, 2);
  assert.deepEqual(u[0], { from: "0.1.0", to: "0.2.0", pauseMax: 500, total: 9000, pauses: { mvm: 500, rt: 400 }, requestedAt: 4, doneAt: 5 });
  assert.deepEqual(u[1]!.pauses, { mvm: 300, rt: 700 });
  assert.equal(u[1]!.requestedAt, 12);
  assert.equal(u[1]!.pauseMax, 700);
});

test("splitRoundsByUpdate: rounds that closed between a request and the round after its summary", () => {
  const rounds = parseRtRounds(UPDATE_LINES, "rt");
  const s = splitRoundsByUpdate(rounds, parseUpdates(UPDATE_LINES), 1, 1);
  assert.deepEqual(s.during.map((r) => r.at), [8, 16]);
  assert.deepEqual(s.without.map((r) => r.at), [3, 9]);
});

test("figures and targets of the update run", () => {
  const updates = parseUpdates(UPDATE_LINES);
  const split = splitRoundsByUpdate(parseRtRounds(UPDATE_LINES, "rt"), updates, 1, 1);
  const m = figures({ update: { updates, ...split, entryDuring: [], hypDuring: { min: 9000, avg: 9100, max: 9900 } } });
  assert.equal(m.update_pause_max?.value, 700);
  assert.match(m.update_pause_max!.note!, /vm rt/);
  assert.equal(m.update_total?.value, 9000);
  assert.equal(m.update_pause_rt?.value, 700);
  assert.equal(m.rt_latency_max_during_update?.value, 900);
  assert.equal(m.rt_latency_max_without_update?.value, 23);
  assert.equal(m.rt_hyp_latency_max_during_update?.value, 9900);
  const t = targets(m);
  assert.equal(t.update_pause_max?.met, true);
  assert.equal(t.rt_latency_max_during_update?.met, false);
});

test("parseEntryDelays: the runtime's entry delay lines of one VM", () => {
  const lines = [
    "[wasmvisor] bench vm rt timer entry delay max 3125030 ticks (1000 interrupts)",
    "[wasmvisor] bench vm other timer entry delay max 7 ticks (1000 interrupts)",
    "[rt] rt latency ns: min 10714 avg 1452048 max 3139424 (1000 samples)",
    "[wasmvisor] bench vm rt timer entry delay max 184 ticks (1000 interrupts)",
  ];
  const d = parseEntryDelays(lines, "rt");
  assert.deepEqual(d.map((x) => [x.max, x.at, x.samples]), [[3125030, 0, 1000], [184, 3, 1000]]);
});

// guest-rt in a VM with the bench flag: each round's line, its reports, then the
// hypervisor's share of the same ticks on a line of its own (tests/guests/README.md).
const HYP_LINES = [
  "[rt] rt latency ns: min 10047 avg 10422 max 846617 (1000 samples)",      // 0
  "[rt] metric 10 10047",
  "[rt] rt hyp latency ns: min 11400 avg 11800 max 12500 (1000 samples)",   // 2
  "[rt] metric 13 11400",
  "[linux] READY linux",                                                    // 4
  "[rt] rt latency ns: min 10047 avg 10500 max 20000 (1000 samples)",       // 5
  "[wasmvisor] update requested by vm mvm (60945 bytes)",                   // 6: between a round and its share
  "[rt] rt hyp latency ns: min 11390 avg 11700 max 14000 (999 samples)",    // 7
  "[rt] rt latency ns: min 10047 avg 10400 max 30000 (1000 samples)",       // 8: its stamps all skipped
  "[rt] rt hyp latency ns: no samples",                                     // 9
  "[rt] rt latency ns: min 10047 avg 10400 max 40000 (1000 samples)",       // 10
  "[other] rt hyp latency ns: min 1 avg 1 max 1 (1000 samples)",            // 11: another VM's
  "[rt] rt hyp latency ns: min 11395 avg 11600 max 13000 (1000 samples)",   // 12
];

test("parseRtRounds of RT_HYP_LINE: the hypervisor's share lines of one VM; a round with no samples is none", () => {
  const h = parseRtRounds(HYP_LINES, "rt", RT_HYP_LINE);
  assert.deepEqual(h.map((x) => [x.min, x.avg, x.max, x.samples, x.at]),
    [[11400, 11800, 12500, 1000, 2], [11390, 11700, 14000, 999, 7], [11395, 11600, 13000, 1000, 12]]);
  assert.deepEqual(parseRtRounds(HYP_LINES, null, RT_HYP_LINE), []);
  assert.deepEqual(parseRtRounds(["rt hyp latency ns: min 9 avg 9 max 9 (1000 samples)"], null, RT_HYP_LINE).map((x) => x.max), [9]);
});

test("hypOfRounds: each chosen round's own share line, never the next round's", () => {
  const all = parseRtRounds(HYP_LINES, "rt"), hyp = parseRtRounds(HYP_LINES, "rt", RT_HYP_LINE);
  const used = roundsAfter(all, findLine(HYP_LINES, "linux", "READY linux"), 0, 3);
  assert.deepEqual(used.map((r) => r.at), [5, 8, 10]);
  // Round 8 has no share: it is left out, and round 5's is not taken for it.
  assert.deepEqual(hypOfRounds(used, all, hyp).map((h) => h.at), [7, 12]);
  assert.deepEqual(combineRounds(hypOfRounds(used, all, hyp)), { min: 11390, avg: 11650, max: 14000 });
  assert.deepEqual(hypOfRounds([all[0]!], all, hyp).map((h) => h.at), [2]);
  assert.deepEqual(hypOfRounds(used, all, []), []);
});

test("figures and targets of the hypervisor's share: min of the idle run, max of each run, loaded max <= 1.5 x min", () => {
  const rt = (max: number, hyp?: { min: number; avg: number; max: number }) =>
    ({ rounds: [round(10047, 10500, max, 9)], min: 10047, avg: 10500, max, ...(hyp ? { hyp } : {}) });
  const o: Outcomes = {
    rtIdle: rt(846617, { min: 11390, avg: 11600, max: 14000 }),
    rtLoaded: rt(6822805, { min: 11400, avg: 12000, max: 18000 }),
  };
  const m = figures(o);
  assert.equal(m.rt_hyp_latency_min?.value, 11390);
  assert.equal(m.rt_hyp_latency_max_idle?.value, 14000);
  assert.equal(m.rt_hyp_latency_max_loaded?.value, 18000);
  assert.equal(m.rt_hyp_latency_max_loaded?.unit, "instructions");
  assert.equal(m.rt_latency_max_loaded?.value, 6822805, "the guest's own figures stay");
  assert.deepEqual(targets(m).rt_hyp_latency_max_loaded, { text: "<= 1.5 x min (17085)", met: false });
  assert.equal(targets(figures({ ...o, rtLoaded: rt(6822805, { min: 11400, avg: 12000, max: 17085 }) })).rt_hyp_latency_max_loaded?.met, true);
  // Without the share lines (or the idle run) nothing is made up.
  const none = figures({ rtIdle: rt(846617), rtLoaded: rt(6822805) });
  assert.equal(none.rt_hyp_latency_min, undefined);
  assert.equal(none.rt_hyp_latency_max_loaded, undefined);
  assert.equal(targets(figures({ rtLoaded: o.rtLoaded })).rt_hyp_latency_max_loaded, undefined);
});

test("entryOfRounds: the runtime's entry delay line printed just before each round's line", () => {
  const lines = [
    "[wasmvisor] bench vm rt timer entry delay max 11338863 ticks (1000 interrupts)",   // 0
    "[linux] READY linux",                                                              // 1
    "[rt] rt latency ns: min 10265 avg 2111361 max 11351999 (1000 samples)",           // 2
    "[wasmvisor] bench vm rt timer entry delay max 527346 ticks (1000 interrupts)",     // 3
    "[rt] rt latency ns: min 10265 avg 11243 max 537487 (1000 samples)",               // 4
    "[rt] rt hyp latency ns: min 10140 avg 10209 max 13136 (1000 samples)",            // 5
    "[rt] rt latency ns: min 10265 avg 10268 max 12911 (1000 samples)",                // 6: no line of its own
    "[wasmvisor] bench vm rt timer entry delay max 125 ticks (1000 interrupts)",        // 7
    "[rt] rt latency ns: min 10265 avg 10268 max 12911 (1000 samples)",                // 8
  ];
  const all = parseRtRounds(lines, "rt"), entries = parseEntryDelays(lines, "rt");
  const used = roundsAfter(all, 1, 1, 3);
  assert.deepEqual(used.map((r) => r.at), [4, 6, 8]);
  assert.deepEqual(entryOfRounds(used, all, entries).map((e) => [e.at, e.max]), [[3, 527346], [7, 125]]);
  assert.deepEqual(entryOfRounds([all[0]!], all, entries).map((e) => e.at), [0]);
});
