// PSCI SYSTEM_RESET restarts only the VM that asked: vm reset boots three times,
// vm counter beside it is never restarted and never stalls.
import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, tail, noLine } from "./boot.ts";

const TIMEOUT_MS = 60_000;

test("SYSTEM_RESET restarts only the VM that asked for it", async () => {
  const r = await boot("reset", `"[reset] alive 3" and "[counter] tick 10"`, (_l, all) =>
    all.includes("[reset] alive 3") && all.includes("[counter] tick 10"), TIMEOUT_MS);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  for (const n of [1, 2, 3]) assert.ok(L.includes(`[reset] reset guest: boot ${n}`), `boot ${n}` + ctx);
  assert.equal(L.filter((l) => l === "[wasmvisor] vm reset: restarted from its images").length, 2, ctx);
  assert.equal(L.filter((l) => l.startsWith("[counter] hello from vm")).length, 1, "counter never restarted" + ctx);
  const ticks = L.filter((l) => /^\[counter\] tick \d+$/.test(l)).map((l) => Number(l.split(" ")[2]));
  ticks.forEach((t, i) => assert.equal(t, i + 1, "counter ticks in order" + ctx));
  noLine(L, /PANIC|stopped:|ERROR/, "nothing stopped, panicked or reported an error");
});
