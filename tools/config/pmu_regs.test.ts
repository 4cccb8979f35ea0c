// The PMU register numbers of the pmu_read / pmu_write imports are written twice, for
// the core (assembly/abi/pmu_regs.ts) and for the runtime (runtime-c/include/wv_pmu.h):
// every number must be the same in both.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../lib/paths.ts";

function cNumbers(): Map<string, bigint> {
  const text = readFileSync(join(ROOT, "runtime-c", "include", "wv_pmu.h"), "utf8");
  const m = new Map<string, bigint>();
  for (const x of text.matchAll(/^#define WV_PMU_(\w+)\s+(?:\(1ull << (\d+)\)|(\d+)u)/gm))
    m.set(x[1], x[2] !== undefined ? 1n << BigInt(x[2]) : BigInt(x[3]));
  return m;
}

function tsNumbers(): Map<string, bigint> {
  const text = readFileSync(join(ROOT, "assembly", "abi", "pmu_regs.ts"), "utf8");
  const m = new Map<string, bigint>();
  for (const x of text.matchAll(/^export const PMU_(\w+): \w+ = (?:1 << (\d+)|(\d+));/gm))
    m.set(x[1], x[2] !== undefined ? 1n << BigInt(x[2]) : BigInt(x[3]));
  return m;
}

test("the core's and the runtime's PMU register numbers agree", () => {
  const c = cNumbers(), ts = tsNumbers();
  assert.ok(ts.size >= 16, `found ${ts.size} numbers in pmu_regs.ts`);
  for (const [name, value] of ts) assert.equal(c.get(name), value, `PMU_${name} / WV_PMU_${name}`);
});
