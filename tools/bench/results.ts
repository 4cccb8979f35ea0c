// results/bench.json: {"metrics": {"<name>": {"value": <number>, "unit": "<unit>"}}}.
// Each bench run replaces the metrics it measured and keeps the others, except those it
// tried and failed to measure, which it removes (an old figure must not pass for new).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RESULTS } from "../lib/paths.ts";

export interface Metric { value: number; unit: string; note?: string }
export type Metrics = Record<string, Metric>;

/** A figure's target: its text, and whether this run met it (undefined: not judged). */
export interface Target { text: string; met?: boolean }

export const BENCH_JSON = join(RESULTS, "bench.json");

export function saveMetrics(m: Metrics, drop: readonly string[] = [], file: string = BENCH_JSON): Metrics {
  let all: Metrics = {};
  if (existsSync(file)) {
    try { all = JSON.parse(readFileSync(file, "utf8")).metrics ?? {}; } catch { all = {}; }
  }
  for (const k of drop) delete all[k];
  Object.assign(all, m);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, JSON.stringify({ metrics: all }, null, 2) + "\n");
  return all;
}

/** A text table of `m` in its order; a "met" column appears when some target was judged. */
export function table(m: Metrics, targets: Record<string, string | Target> = {}): string {
  const t = (k: string): Target | undefined => {
    const v = targets[k];
    return typeof v === "string" ? { text: v } : v;
  };
  const judged = Object.keys(m).some((k) => t(k)?.met !== undefined);
  const rows = Object.entries(m).map(([k, v]) => {
    const target = t(k);
    const row = [k, String(v.value), v.unit, target?.text ?? ""];
    if (judged) row.push(target?.met === undefined ? "" : target.met ? "yes" : "NO");
    return row;
  });
  const head = ["metric", "value", "unit", "target", ...(judged ? ["met"] : [])];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 1 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join("  ").trimEnd();
  return [fmt(head), w.map((n) => "-".repeat(n)).join("  "), ...rows.map(fmt)].join("\n") + "\n";
}
