// `wasmvisor test`: every suite in turn (every round of --repeat), then one closing line
// `N passed, N failed` that adds up all of them.
import { setup } from "../setup/index.ts";
import { aspect, coreSmoke, typecheck, tools, host, integration, type Counts } from "./suites.ts";

const SUITES: Record<string, () => Counts | Promise<Counts>> = {
  aspect, "core-smoke": coreSmoke, typecheck, tools, host, integration,
};

/** Run one suite, print its failures and its counts; a suite that throws counts as one failure. */
async function runSuite(name: string, suite: () => Counts | Promise<Counts>, tag: string): Promise<Counts> {
  const t0 = Date.now();
  process.stdout.write(`[test] ${name}${tag} ...\n`);
  let c: Counts;
  try {
    c = await suite();
  } catch (e) {
    c = { passed: 0, failed: 1, skipped: 0, detail: `${name}: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (c.detail) process.stdout.write(c.detail.trimEnd() + "\n");
  process.stdout.write(`[test] ${name}${tag}: ${c.passed} passed, ${c.failed} failed` +
    (c.skipped ? `, ${c.skipped} skipped` : "") + ` (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  return c;
}

export async function testCommand(only?: string, repeat = 1): Promise<number> {
  if (only && !SUITES[only]) throw new Error(`unknown suite "${only}" (${Object.keys(SUITES).join(", ")})`);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat needs a whole number of rounds, got ${repeat}`);
  setup();
  const total = { passed: 0, failed: 0, skipped: 0 };
  const rounds: string[] = [];
  for (let round = 1; round <= repeat; round++) {
    const tag = repeat > 1 ? ` (round ${round} of ${repeat})` : "";
    const r = { passed: 0, failed: 0 };
    for (const [name, suite] of Object.entries(SUITES)) {
      if (only && name !== only) continue;
      const c = await runSuite(name, suite, tag);
      r.passed += c.passed; r.failed += c.failed;
      total.passed += c.passed; total.failed += c.failed; total.skipped += c.skipped;
    }
    rounds.push(`round ${round}: ${r.passed} passed, ${r.failed} failed`);
  }
  if (repeat > 1) process.stdout.write(`[test] ${rounds.join("; ")}\n`);
  process.stdout.write(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}\n`);
  return total.failed === 0 ? 0 : 1;
}
