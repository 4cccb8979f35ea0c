// The test suites `wasmvisor test` runs, each reduced to counts from its runner's
// own summary (as-pect, node's test runner, ctest). A suite whose runner fails
// without a summary counts as one failure, so a broken suite can never pass silently.
import { join } from "node:path";
import { ROOT, BUILD } from "../lib/paths.ts";
import { run } from "../lib/proc.ts";
import { cmakeBuild } from "../build/cmake.ts";
import { buildCore, corePath, CORE_VARIANTS } from "../build/core.ts";
import { setup } from "../setup/index.ts";
import { globSync } from "./glob.ts";
import { checkQemuLines } from "../setup/qemu_check.ts";
import { freeLoopbackPort } from "../run/ports.ts";

export interface Counts { passed: number; failed: number; skipped: number; detail: string }

const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

function broken(name: string, out: string): Counts {
  return { passed: 0, failed: 1, skipped: 0, detail: `${name}: runner failed without a summary\n${out.split("\n").slice(-30).join("\n")}` };
}

export function aspect(): Counts {
  const r = run("npx", ["asp", "--config", "as-pect.config.js", "--as-config", "assembly/__tests__/as-pect.asconfig.json"],
    { allowFail: true });
  const out = strip(r.stdout + r.stderr);
  const m = /\[Tests\]:\s*(\d+)\s*\/\s*(\d+)/.exec(out);
  if (!m) return broken("as-pect", out);
  const passed = Number(m[1]), total = Number(m[2]);
  const failed = total - passed + (r.status !== 0 && passed === total ? 1 : 0);
  const fails = out.split("\n").filter((l) => /✖|\[Fail\]|FAIL/.test(l)).join("\n");
  return { passed, failed, skipped: 0, detail: failed ? fails || out.slice(-3000) : "" };
}

export function coreSmoke(): Counts {
  const wasm = buildCore();
  const r = run(process.execPath, [join(ROOT, "assembly", "__tests__", "release_smoke.mjs"), wasm], { allowFail: true });
  const ok = r.status === 0;
  return { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, detail: ok ? "" : r.stdout + r.stderr };
}

/** node --test with the TAP reporter; counts from its closing comments. */
export function nodeTests(files: string[], concurrency: number): Counts {
  if (files.length === 0) return broken("node --test", "no test files found");
  const r = run(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap",
    `--test-concurrency=${concurrency}`, ...files], { allowFail: true });
  const out = r.stdout + r.stderr;
  const num = (k: string) => { const m = new RegExp(`^# ${k} (\\d+)$`, "m").exec(out); return m ? Number(m[1]) : -1; };
  const pass = num("pass"), fail = num("fail");
  if (pass < 0 || fail < 0) return broken("node --test", out);
  const skipped = Math.max(0, num("skipped")) + Math.max(0, num("todo"));
  const failed = fail + (r.status !== 0 && fail === 0 ? 1 : 0);
  return { passed: pass, failed, skipped, detail: failed ? failureBlocks(out) : "" };
}

/** The TAP blocks of failed tests (with their diagnostics). */
function failureBlocks(tap: string): string {
  const lines = tap.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*not ok /.test(lines[i])) {
      out.push(lines[i]);
      for (let j = i + 1; j < lines.length && !/^\s*(ok|not ok) /.test(lines[j]); j++) out.push(lines[j]);
    }
  }
  return out.join("\n").slice(0, 20000) || tap.slice(-5000);
}

/** The TypeScript of tools/ and tests/integration type-checks under strict settings. */
export function typecheck(): Counts {
  const r = run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tools/tsconfig.json"],
    { allowFail: true });
  const ok = r.status === 0;
  return { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, detail: ok ? "" : r.stdout + r.stderr };
}

export function tools(): Counts {
  return nodeTests(globSync(join(ROOT, "tools"), /\.test\.ts$/), 2);
}

export function host(): Counts {
  const dir = join(BUILD, "host-tests");
  try {
    // The core modules this build makes go through the module check too (module_check_core).
    buildCore();
    const cores = CORE_VARIANTS.map((v) => corePath(v)).join(";");
    cmakeBuild(join(ROOT, "runtime-c", "tests"), dir, { WV_MONOCYPHER_DIR: setup().monocypherDir, WV_CORE_WASMS: cores }, false);
  } catch (e) {
    return broken("host tests (build)", String(e));
  }
  const r = run("ctest", ["--test-dir", dir, "--output-on-failure"], { allowFail: true });
  const out = r.stdout + r.stderr;
  const m = /(\d+)% tests passed, (\d+) tests? failed out of (\d+)/.exec(out);
  if (!m) return broken("ctest", out);
  const failed = Number(m[2]), total = Number(m[3]);
  return { passed: total - failed, failed, skipped: 0, detail: failed ? out : "" };
}

/**
 * The integration tests boot QEMU: first every machine they use must start (a missing
 * firmware package is then one failure naming the package, not every test failing alike).
 */
export async function integration(): Promise<Counts> {
  try {
    checkQemuLines(await freeLoopbackPort());
  } catch (e) {
    return { passed: 0, failed: 1, skipped: 0, detail: `integration: ${e instanceof Error ? e.message : String(e)}` };
  }
  return nodeTests(globSync(join(ROOT, "tests", "integration"), /\.test\.ts$/), 1);
}
