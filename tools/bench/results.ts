// results/bench.json: {"metrics": {"<name>": {"value": <number>, "unit": "<unit>"}}}.
// Each bench run replaces the metrics it measured and keeps the others.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RESULTS } from "../lib/paths.ts";

export interface Metric { value: number; unit: string; note?: string }
export type Metrics = Record<string, Metric>;

export const BENCH_JSON = join(RESULTS, "bench.json");

export function saveMetrics(m: Metrics): Metrics {
  let all: Metrics = {};
  if (existsSync(BENCH_JSON)) {
    try { all = JSON.parse(readFileSync(BENCH_JSON, "utf8")).metrics ?? {}; } catch { all = {}; }
  }
  Object.assign(all, m);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(BENCH_JSON, JSON.stringify({ metrics: all }, null, 2) + "\n");
  return all;
}

export function table(m: Metrics, targets: Record<string, string> = {}): string {
  const rows = Object.entries(m).map(([k, v]) => [k, String(v.value), v.unit, targets[k] ?? ""]);
  const head = ["metric", "value", "unit", "target"];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 1 ? c.padStart(w[i]) : c.padEnd(w[i]))).join("  ").trimEnd();
  return [fmt(head), w.map((n) => "-".repeat(n)).join("  "), ...rows.map(fmt)].join("\n") + "\n";
}
