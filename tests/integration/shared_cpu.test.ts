// A vCPU waiting in WFI for its own virtual timer shares its physical CPU with a vCPU
// that never waits: the scheduler must wake the sleeper when its deadline passes,
// rather than only when every vCPU of the CPU idles.
import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, find, tail } from "./boot.ts";

const TIMEOUT_MS = 120_000;
/** Heartbeats (one per 1000 timer ticks) the ticker must print beside the spinner. */
const HEARTBEATS = 2;

test("a timer-driven VM keeps ticking beside a VM that never idles on the same CPU", async () => {
  let spinReady = false;
  const r = await boot("shared-cpu", `"[spin] READY spin", then "[ticker] rt heartbeat ${HEARTBEATS}"`, (line) => {
    if (line === "[spin] READY spin") spinReady = true;
    return (spinReady && line === `[ticker] rt heartbeat ${HEARTBEATS}`) || / stopped: |PANIC/.test(line);
  }, TIMEOUT_MS);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  assert.equal(find(L, / stopped: |PANIC/), -1, "no VM stopped, no panic" + ctx);
  assert.ok(find(L, /^\[ticker\] READY rt$/) >= 0, "the ticker got its first ticks" + ctx);
  assert.ok(find(L, /^\[ticker\] rt heartbeat \d+$/) > find(L, /^\[spin\] READY spin$/),
    "the ticker went on ticking after the spinner started its loop" + ctx);
  assert.equal(find(L, /rt: ERROR/), -1, "the ticker reported no error" + ctx);
});
