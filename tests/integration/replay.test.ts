// Three engines agree: a fuzz seed (vmconfigs/fuzz.json, the fuzz guest beside a counter
// sharing its CPU, a counter and the RT guest) runs on an image that records every call
// into each VM's core instance, once with the core native and once in wasm3; each trace
// is replayed in Node on the same core.wasm (tools/replay), which must give every call's
// result, exit record and import sequence exactly as the board did (docs/replay.md). And
// a short one of the demo config, where a VM is stopped by the core.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BUILD } from "../../tools/lib/paths.ts";
import { fuzzSeed, seedSummary, type FuzzOptions } from "../../tools/fuzz/index.ts";
import { buildImage, type Tier } from "../../tools/build/image.ts";
import { runQemu, traceArgs } from "../../tools/run/qemu.ts";
import { parseTrace } from "../../tools/replay/format.ts";
import { replayTrace } from "../../tools/replay/index.ts";
import { tail } from "./boot.ts";

const DIR = join(BUILD, "trace");
/** Over 100,000 recorded exits a tier on this 2-core host, in about 25 s each (docs/replay.md). */
const ACTIONS = 5000;
const FATAL = /panic|stopped|frozen|no tick|ticks in|no end within|QEMU ended/;

/** Replays `file`; the trace is removed when it replays identical (it is large), kept to look at otherwise. */
function replayed(file: string) {
  const r = replayTrace(parseTrace(readFileSync(file)));
  assert.ok(r.identical, `${file}:\n${r.lines.join("\n")}`);
  rmSync(file, { force: true });
  return r;
}

for (const tier of ["native", "wasm3"] as Tier[]) {
  test(`a fuzz seed's trace on the ${tier} tier replays identical in Node`, async (t) => {
    mkdirSync(DIR, { recursive: true });
    const file = join(DIR, `fuzz-${tier}.trace`);
    const o: FuzzOptions = {
      seed: 4, seeds: 1, exits: 0, actions: ACTIONS, reportEvery: 500, skip: [], trace: false, traceFrom: 0,
      outside: true, reset: false, frozenMs: 20_000, maxGapMs: 1000, rtOverruns: false, timeoutMs: 150_000, echo: false,
      tier, record: file,
    };
    const s = await fuzzSeed(o, o.seed, 0, true);
    const summary = seedSummary(s) + "\n" + s.anomalies.map((a) => `  ${a.kind}: ${a.line}`).join("\n");
    assert.deepEqual(s.anomalies.filter((a) => FATAL.test(a.kind)), [], summary);
    assert.ok(s.watch.done, summary);
    const r = replayed(file);
    assert.ok(r.results.every((x) => x.engine === tier), r.lines.join("\n"));
    assert.ok(r.exits >= 50_000, `only ${r.exits} exits recorded:\n${r.lines.join("\n")}`);
    t.diagnostic(r.lines.at(-1)!);
  });
}

test("the demo's trace (a VM the core stops) replays identical in Node", async (t) => {
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, "demo.trace");
  const img = buildImage("demo", { trace: true });
  let ticks = 0;
  const run = await runQemu({
    elf: img.elf, machine: img.board.qemu, timeoutMs: 60_000, extra: traceArgs(file),
    onLine: (l) => /^\[counter\] tick/.test(l) && ++ticks >= 5,
  });
  assert.equal(run.end, "done", `waited for 5 ticks of vm counter:\n${tail(run.lines)}`);
  assert.ok(run.lines.some((l) => l.includes("vm basic stopped: data abort at IPA 0x20000000")), tail(run.lines));
  const r = replayed(file);
  assert.ok(r.exits > 0, r.lines.join("\n"));
  t.diagnostic(r.lines.at(-1)!);
});
