// `wasmvisor run --headless`: exit 0 once every VM reached its markers, non-zero
// with the missing marker named when one never comes, at once when every VM has stopped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../../tools/lib/paths.ts";

const CLI = join(ROOT, "tools", "bin", "wasmvisor.mjs");

function cli(args: string[], limitS: number) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: limitS * 1000 });
  return { status: r.status, out: (r.stdout ?? "") + (r.stderr ?? "") };
}

test("run demo --headless exits 0 when every VM reached its markers", () => {
  const r = cli(["run", "demo", "--headless", "--timeout", "120"], 180);
  assert.equal(r.status, 0, `waited for exit 0 from the headless demo run; output:\n${r.out.slice(-4000)}`);
  assert.match(r.out, /\[wasmvisor\] run ok: every VM reached its markers/);
  assert.match(r.out, /^\[counter\] READY counter$/m);
  assert.match(r.out, /^\[basic\] READY basic$/m);
});

test("run --headless fails naming the marker that never came", () => {
  const cfg = join(ROOT, "tests", "integration", "fixtures", "never-ready.json");
  const r = cli(["run", cfg, "--headless", "--timeout", "8"], 90);
  assert.equal(r.status, 1, `waited for exit 1 after the 8 s timeout; output:\n${r.out.slice(-3000)}`);
  assert.match(r.out, /run failed: timed out after 8 s; never saw:\n {2}- ready marker "A MARKER THIS GUEST NEVER PRINTS" of vm counter/);
  assert.match(r.out, /^\[counter\] tick 1$/m, "the VM itself ran");
});

test("run --headless ends as soon as every VM has stopped, with the reason", () => {
  const cfg = join(ROOT, "tests", "integration", "fixtures", "stops-at-once.json");
  const timeoutS = 600;
  // The child is killed well before its own timeout: ending at the stop is what is tested.
  const r = cli(["run", cfg, "--headless", "--timeout", String(timeoutS)], 240);
  assert.equal(r.status, 1, `waited for exit 1 once the only VM stopped; output:\n${r.out.slice(-3000)}`);
  assert.match(r.out, /run failed: every VM stopped after [\d.]+ s: basic \(stopped by the core\); never saw:\n {2}- ready marker "A MARKER THIS GUEST NEVER PRINTS" of vm basic/);
  assert.doesNotMatch(r.out, /timed out/);
});

test("run with an unknown option or config says so", () => {
  let r = cli(["run", "--bogus"], 60);
  assert.notEqual(r.status, 0);
  assert.match(r.out, /unknown option --bogus/);
  r = cli(["run", "no-such-config", "--headless"], 120);
  assert.notEqual(r.status, 0);
  assert.match(r.out, /no VM config no-such-config/);
});
