// The default demo (`npm start`): a management VM with its network device passed
// through and a shell, a Linux guest VM printing a counter and the real-time VM, all
// reaching their ready markers; the MVM answers on its forwarded port.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../../tools/lib/paths.ts";

test("npm start's demo: mvm, gvm and rtvm all reach their markers (headless run)", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "tools", "bin", "wasmvisor.mjs"), "run", "--headless", "--timeout", "180"],
    { cwd: ROOT, encoding: "utf8", timeout: 240_000 });
  const out = (r.stdout ?? "") + (r.stderr ?? "");
  const ctx = `\noutput:\n${out.split("\n").slice(-40).join("\n")}`;
  assert.equal(r.status, 0, "waited for the headless default run to exit 0" + ctx);
  assert.match(out, /booting 3 VM\(s\) on qemu-virt: mvm, gvm, rt/, ctx);
  assert.match(out, /^\[mvm\] READY mvm-net$/m, ctx);
  assert.match(out, /^\[mvm\] mvm-net: eth0 10\.0\.2\.15 /m, ctx);
  assert.match(out, /^\[gvm\] count 2$/m, ctx);
  assert.match(out, /^\[rt\] rt latency ns: min \d+ avg \d+ max \d+ \(1000 samples\)$/m, ctx);
  assert.doesNotMatch(out, /PANIC| stopped: /, ctx);
});
