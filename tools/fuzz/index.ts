// `wasmvisor fuzz`: vmconfigs/fuzz.json run headless with one seed after another; each
// run ends at the fuzz guest's `fuzz: done` line, when the exits asked for are reached,
// or at the first anomaly that ends it (panic, a VM stopped, the fuzz guest frozen).
// Prints per seed and in total: exits (counted by the fuzz guest itself: one per trapping
// instruction it executed on purpose), exits/s, the neighbours' health and every anomaly
// with how to reproduce it. Exit code 1 on any anomaly.
import { buildImage, type Tier } from "../build/image.ts";
import { runQemu, traceArgs } from "../run/qemu.ts";
import { writeRunConfig, type RunConfig } from "./run_config.ts";
import { FLAG_OUTSIDE_MEMORY, FLAG_SYSTEM_RESET, FLAG_TRACE, skipMask } from "./params.ts";
import { FuzzWatch, type Anomaly } from "./watch.ts";

export interface FuzzOptions {
  seed: number; seeds: number;
  /** Stop once the seeds' exits add up to this (0: no such bound). */
  exits: number;
  /** The fuzz guest's bound per seed, in actions (0: endless, then `exits` must bound the run). */
  actions: number;
  reportEvery: number;
  skip: string[];
  trace: boolean; outside: boolean; reset: boolean;
  /** With `trace`: the first action named (0: every one). */
  traceFrom: number;
  /** No progress line for this long: the fuzz guest is frozen. */
  frozenMs: number;
  maxGapMs: number;
  /** RT rounds with overruns count as anomalies (watch.ts). */
  rtOverruns: boolean;
  timeoutMs: number;
  /** Print every console line as it comes. */
  echo: boolean;
  /** The engine of the core (default: native). */
  tier?: Tier;
  /** Record an exit trace of every VM into this file (docs/replay.md): the tracing image. */
  record?: string;
}

export interface SeedResult {
  seed: number; end: string; elapsedMs: number; watch: FuzzWatch; anomalies: Anomaly[];
}

const FROZEN_CHECK_MS = 500;
/** After the fuzz guest's done line, each neighbour must tick this often more: they kept running. */
export const TICKS_AFTER_DONE = 3;

/** The command that runs `seed` again, naming the actions from the last progress line
 * before `actionsSeen` on (earlier ones at full speed). */
export function reproduce(o: FuzzOptions, seed: number, actionsSeen = 0): string {
  const from = Math.max(0, actionsSeen - o.reportEvery);
  return `npx wasmvisor fuzz --seed ${seed} --actions ${o.actions}` + (o.skip.length ? ` --skip ${o.skip.join(",")}` : "") +
    (o.outside ? "" : " --inside-only") + (o.reset ? " --reset" : "") + (o.rtOverruns ? " --rt-overruns" : "") +
    (from > 0 ? ` --trace-from ${from}` : " --trace") + " --echo";
}

/** One seed, headless. `exitsLeft` bounds it too (0: no bound). */
export async function fuzzSeed(o: FuzzOptions, seed: number, exitsLeft: number, quiet = false): Promise<SeedResult> {
  const flags = (o.outside ? FLAG_OUTSIDE_MEMORY : 0) | (o.reset ? FLAG_SYSTEM_RESET : 0) | (o.trace ? FLAG_TRACE : 0);
  const rc: RunConfig = writeRunConfig({
    seed: BigInt(seed), actions: BigInt(o.actions), reportEvery: o.reportEvery, flags, skip: skipMask(o.skip), traceFrom: o.traceFrom,
  });
  const img = buildImage(rc.path, { tier: o.tier, trace: o.record !== undefined });
  const watch = new FuzzWatch({ fuzzVm: rc.fuzzVm, counters: rc.counters, rts: rc.rts, maxGapMs: o.maxGapMs, rtOverruns: o.rtOverruns });
  const ac = new AbortController();
  const t0 = Date.now();
  let end = "";
  const stop = (why: string) => { if (!end) { end = why; ac.abort(); } };
  const timer = setInterval(() => {
    const now = Date.now() - t0;
    if (watch.done && now - watch.doneMs > o.frozenMs) {
      for (const vm of watch.quietSinceDone(TICKS_AFTER_DONE)) {
        watch.anomalies.push({ kind: `vm ${vm}: fewer than ${TICKS_AFTER_DONE} ticks in ${o.frozenMs / 1000} s after the fuzz guest's end`, line: "", atMs: now });
      }
      stop("done");
    }
    if (watch.frozen(now, o.frozenMs)) {
      const at = Date.now() - t0;
      watch.anomalies.push({
        kind: `vm ${rc.fuzzVm}: frozen (no progress line for ${o.frozenMs / 1000} s)`,
        line: `last: actions ${watch.actions} exits ${watch.exits}` + (watch.lastAction ? `, ${watch.lastAction}` : ""), atMs: at,
      });
      stop("frozen");
    }
  }, FROZEN_CHECK_MS);
  const r = await runQemu({
    elf: img.elf, machine: img.board.qemu, timeoutMs: o.timeoutMs, signal: ac.signal, echo: o.echo,
    extra: o.record !== undefined ? traceArgs(o.record) : undefined,
    onLine: (line) => {
      const before = watch.anomalies.length;
      watch.line(line, Date.now() - t0);
      if (!quiet) for (const a of watch.anomalies.slice(before)) process.stderr.write(`[fuzz] seed ${seed}: ANOMALY ${a.kind}: ${a.line}\n`);
      if (watch.anomalies.slice(before).some((a) => /panic|stopped/.test(a.kind))) stop("anomaly");
      if (watch.done && watch.quietSinceDone(TICKS_AFTER_DONE).length === 0) stop("done");
      if (exitsLeft > 0 && watch.exits >= exitsLeft) stop("exits");
      return false;
    },
  });
  clearInterval(timer);
  if (!end) {
    end = r.end;
    watch.anomalies.push({ kind: r.end === "timeout" ? `no end within ${o.timeoutMs / 1000} s` : `QEMU ended (${r.end})`,
      line: r.lines.at(-1) ?? "", atMs: r.elapsedMs });
  }
  for (const n of watch.neighbours.values()) {
    if (n.ticks === 0) watch.anomalies.push({ kind: `vm ${n.vm}: no tick at all`, line: "", atMs: r.elapsedMs });
  }
  return { seed, end, elapsedMs: r.elapsedMs, watch, anomalies: watch.anomalies };
}

export function seedSummary(s: SeedResult): string {
  const w = s.watch;
  const nb = [...w.neighbours.values()].map((n) => `${n.vm} ${n.ticks} ticks, max gap ${n.maxGapMs} ms`).join("; ");
  return `seed ${s.seed}: ${s.end} after ${(s.elapsedMs / 1000).toFixed(1)} s: actions ${w.actions}, exits ${w.exits} ` +
    `(${Math.round(w.exitsPerSecond())} exits/s), aborts ${w.aborts}, undefs ${w.undefs}, irqs ${w.irqs}, cpu_on ${w.cpuOn}; ` +
    `${nb}; rt ${w.rtRounds} rounds, max latency ${w.rtMaxNs} ns, ${w.rtOverruns} overruns (worst round ${w.rtWorstOverruns}); ` +
    `${s.anomalies.length} anomalies`;
}

export async function fuzzCommand(o: FuzzOptions): Promise<number> {
  if (o.actions === 0 && o.exits === 0) throw new Error("an endless guest (--actions 0) needs --exits N to end the run");
  let exits = 0, ms = 0, anomalies = 0;
  const bad: string[] = [];
  for (let k = 0; k < o.seeds; k++) {
    const seed = o.seed + k;
    const left = o.exits > 0 ? o.exits - exits : 0;
    if (o.exits > 0 && left <= 0) break;
    const s = await fuzzSeed(o, seed, left);
    exits += s.watch.exits;
    ms += s.watch.lastProgressMs - s.watch.firstProgressMs;
    anomalies += s.anomalies.length;
    process.stdout.write(`[fuzz] ${seedSummary(s)}\n`);
    for (const a of s.anomalies) bad.push(`seed ${seed} at ${(a.atMs / 1000).toFixed(1)} s: ${a.kind}: ${a.line}\n    reproduce: ${reproduce(o, seed, s.watch.actions)}`);
  }
  process.stdout.write(`[fuzz] total: ${exits} exits in ${(ms / 1000).toFixed(1)} s of fuzzing (${ms > 0 ? Math.round(exits * 1000 / ms) : 0} exits/s), ` +
    `${anomalies} anomalies\n` + bad.map((b) => `  ${b}\n`).join(""));
  return anomalies ? 1 : 0;
}
