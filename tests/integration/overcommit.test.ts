// More vCPUs than physical CPUs: a GVM's 4 vCPUs share 2 physical CPUs in turn, and
// every one of them comes online and keeps making progress.
import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, find, tail, noLine } from "./boot.ts";

const TIMEOUT_MS = 240_000;

test("Linux with 4 vCPUs on 2 physical CPUs brings them all online and runs", async () => {
  const r = await boot("overcommit", `"[linux4] count 3"`, (line) =>
    line === "[linux4] count 3" || / stopped: |PANIC/.test(line), TIMEOUT_MS);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  assert.ok(find(L, /^\[linux4\] wasmvisor guest linux: \S+, cpus online 0-3$/) >= 0, "all 4 vCPUs online" + ctx);
  noLine(L, / stopped: |PANIC/, "nothing stopped or panicked");
});
