// Debian's unmodified arm64 Linux in a VM under wasmvisor: 2 vCPUs on a virtual GICv3,
// the virtual timer, PSCI CPU_ON, a device tree generated from vmconfigs/linux.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, find, tail, noLine } from "./boot.ts";

const TIMEOUT_MS = 240_000;

test("Linux boots SMP in a VM on the virtual GICv3 and runs its init", async () => {
  const r = await boot("linux", `"[linux] count 3" (Linux up with 2 CPUs, its timer ticking)`,
    (line) => line === "[linux] count 3" || line.startsWith("[wasmvisor] PANIC") || / stopped: /.test(line),
    TIMEOUT_MS);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  assert.ok(find(L, /^\[linux\] wasmvisor guest linux: 6\.1\.\S+, cpus online 0-1$/) >= 0,
    "both vCPUs came online (PSCI CPU_ON, SGIs)" + ctx);
  assert.ok(find(L, /^\[linux\] READY linux$/) >= 0, ctx);
  noLine(L, /PANIC| stopped: /, "nothing stopped or panicked");
});
