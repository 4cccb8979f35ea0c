// `wasmvisor test`: every suite in turn, then one closing line `N passed, N failed`.
import { setup } from "../setup/index.ts";
import { aspect, coreSmoke, typecheck, tools, host, integration, type Counts } from "./suites.ts";

const SUITES: Record<string, () => Counts | Promise<Counts>> = {
  aspect, "core-smoke": coreSmoke, typecheck, tools, host, integration,
};

export async function testCommand(only?: string): Promise<number> {
  if (only && !SUITES[only]) throw new Error(`unknown suite "${only}" (${Object.keys(SUITES).join(", ")})`);
  setup();
  let passed = 0, failed = 0, skipped = 0;
  for (const [name, suite] of Object.entries(SUITES)) {
    if (only && name !== only) continue;
    const t0 = Date.now();
    process.stdout.write(`[test] ${name} ...\n`);
    let c: Counts;
    try {
      c = await suite();
    } catch (e) {
      c = { passed: 0, failed: 1, skipped: 0, detail: `${name}: ${e instanceof Error ? e.message : String(e)}` };
    }
    passed += c.passed; failed += c.failed; skipped += c.skipped;
    if (c.detail) process.stdout.write(c.detail.trimEnd() + "\n");
    process.stdout.write(`[test] ${name}: ${c.passed} passed, ${c.failed} failed` +
      (c.skipped ? `, ${c.skipped} skipped` : "") + ` (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
  process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
  return failed === 0 ? 0 : 1;
}
