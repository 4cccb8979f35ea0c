// A guest VM flooding the hypervisor channel with management requests (vmconfigs/
// flood.json): every request is refused, and that must cost nobody else anything. The
// VM sharing its CPU keeps ticking between the flood's rounds, the RT guest keeps
// measuring, and the hypervisor's console gets one refusal line a second at most (by
// the counter both the hypervisor and the neighbour's ticks run on), saying how many
// more it held back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, find, tail, noLine } from "./boot.ts";

const TIMEOUT_MS = 300_000;
/** The neighbour (the counter guest) prints a tick every 20 ms of counter time. */
const TICKS_PER_SECOND = 50;
const ROUND = (n: number) => `[flood] flood: round ${n} written`;
const REFUSAL = /^\[wasmvisor\] vm flood: management request 6 refused \(not the management VM\)(; (\d+) more refused before it)?$/;
const TICK = /^\[neighbour\] tick (\d+)$/;

test("a guest VM flooding the hypervisor channel costs its neighbours and the console nothing", async () => {
  const r = await boot("flood", `"${ROUND(100)}", then a neighbour tick and an RT round after it`, (_line, all) => {
    const at = all.indexOf(ROUND(100));
    return at >= 0 && all.slice(at).some((l) => TICK.test(l)) && all.slice(at).some((l) => l.startsWith("[rt] rt latency ns:"));
  }, TIMEOUT_MS);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  noLine(L, /PANIC| stopped: /, "nothing stopped or panicked");
  const r10 = L.indexOf(ROUND(10)), r100 = L.indexOf(ROUND(100));
  assert.ok(r10 >= 0 && r10 < r100, "rounds 10 and 100 in order" + ctx);
  // 90 rounds of 4096 requests each between the two lines: the neighbour ran meanwhile.
  const ticksBetween = L.slice(r10, r100).filter((l) => TICK.test(l)).length;
  assert.ok(ticksBetween > 0, `the neighbour sharing the CPU ticked while 368,640 requests were refused (${ticksBetween} ticks)` + ctx);
  // Refusal lines: at most one a second of counter time (plus the first), measured by the neighbour's ticks.
  const refusals = L.map((l, i) => [i, REFUSAL.exec(l)] as const).filter(([, m]) => m !== null);
  assert.ok(refusals.length >= 1, "the first refusal is printed" + ctx);
  const first = refusals[0]![0], last = refusals[refusals.length - 1]![0];
  const ticks = L.slice(first, last + 1).map((l) => TICK.exec(l)).filter((m) => m !== null).map((m) => Number(m![1]));
  const seconds = ticks.length ? (ticks[ticks.length - 1]! - ticks[0]!) / TICKS_PER_SECOND : 0;
  assert.ok(refusals.length <= Math.ceil(seconds) + 2,
    `${refusals.length} refusal lines over ${seconds.toFixed(1)} s of the neighbour's time: not rate-limited` + ctx);
  const held = refusals.map(([, m]) => Number(m![2] ?? 0)).reduce((a, b) => a + b, 0);
  const rounds100 = 100 * 4096;
  assert.ok(refusals.length === 1 || held > 0, "a later refusal line says how many were held back" + ctx);
  assert.ok(held + refusals.length <= rounds100 * 2, `held ${held}: no more than were sent`);
  assert.ok(find(L, /^\[rt\] rt latency ns:/) >= 0, "the RT guest measured" + ctx);
});
