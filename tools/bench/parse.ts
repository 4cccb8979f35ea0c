// What the bench reads from a console: every parser here takes the run's lines (as
// tools/run/qemu.ts collects them) and returns numbers, or null/empty when the lines do
// not hold them. Under the hypervisor a VM's lines carry "[<vm>] " in front; booted
// directly on QEMU they carry nothing. `vm` picks one VM's lines: a name, or null for
// lines without a prefix (a direct boot).
import type { Metrics } from "./results.ts";

/** Guest metric ids of the micro-benchmarks (tests/guests/basic/main.c, bench mode). */
export const GUEST_METRICS: Record<string, string> = { "1": "hypercall_roundtrip", "2": "mmio_read_roundtrip" };

/** The micro-benchmarks' figures: `[bench] metric <id> <ns>` and the runtime's host->Wasm call line. */
export function parseBench(lines: string[]): Metrics {
  const m: Metrics = {};
  for (const line of lines) {
    let r = /^\[bench\] metric (\d+) (\d+)$/.exec(line);
    if (r && GUEST_METRICS[r[1]!]) m[GUEST_METRICS[r[1]!]!] = { value: Number(r[2]), unit: "instructions" };
    r = /^\[wasmvisor\] bench (host_to_wasm_call|core_instance_build) (\d+)$/.exec(line);
    if (r) m[r[1]!] = { value: Number(r[2]), unit: "instructions" };
  }
  return m;
}

/** The text of `line` if it is one of `vm`'s lines (prefix removed), else null. */
export function ofVm(line: string, vm: string | null): string | null {
  if (vm === null) return line.startsWith("[") ? null : line;
  const p = `[${vm}] `;
  return line.startsWith(p) ? line.slice(p.length) : null;
}

/** Index of the first line of `vm` that contains `text`, or -1. */
export function findLine(lines: string[], vm: string | null, text: string): number {
  return lines.findIndex((l) => ofVm(l, vm)?.includes(text) ?? false);
}

export interface BootTime {
  /** Kernel clock at /init's first reading, in ns. */
  ns: number;
  /** "monotonic": /proc/timer_list's ns clock; "uptime": /proc/uptime, 10 ms steps. */
  source: "monotonic" | "uptime";
}

/**
 * The kernel's clock when /init started (tools/build/guest-init.sh prints
 * `boot: monotonic <ns> ns` and `boot: uptime <seconds>`): the ns line when there is
 * one, else the uptime. Null when neither came.
 */
export function parseBootTime(lines: string[], vm: string | null): BootTime | null {
  let uptime: number | null = null;
  for (const line of lines) {
    const t = ofVm(line, vm);
    if (t === null) continue;
    let r = /^boot: monotonic (\d+) ns$/.exec(t);
    if (r) return { ns: Number(r[1]), source: "monotonic" };
    r = /^boot: uptime (\d+(?:\.\d+)?)$/.exec(t);
    if (r && uptime === null) uptime = Math.round(Number(r[1]) * 1e9);
  }
  return uptime === null ? null : { ns: uptime, source: "uptime" };
}

export interface LatencyRound {
  min: number;
  avg: number;
  max: number;
  samples: number;
  /** Index of the round's line in the run's lines. */
  at: number;
}

/** guest-rt's round line (tests/guests/README.md, guest-rt). */
export const RT_ROUND_LINE = "rt latency ns";
/**
 * The hypervisor's share of a round's ticks, printed after the round's own line (guest-rt in a
 * VM with the bench flag; tests/guests/README.md). A round whose stamps were all skipped
 * prints `rt hyp latency ns: no samples` and has none.
 */
export const RT_HYP_LINE = "rt hyp latency ns";

/** Every `<prefix>: min <a> avg <b> max <c> (<n> samples)` line of `vm` (RT_ROUND_LINE, the default, or RT_HYP_LINE). */
export function parseRtRounds(lines: string[], vm: string | null, prefix: typeof RT_ROUND_LINE | typeof RT_HYP_LINE = RT_ROUND_LINE): LatencyRound[] {
  const re = new RegExp(`^${prefix}: min (\\d+) avg (\\d+) max (\\d+) \\((\\d+) samples\\)$`);
  const out: LatencyRound[] = [];
  lines.forEach((line, at) => {
    const t = ofVm(line, vm);
    const r = t === null ? null : re.exec(t);
    if (r) out.push({ min: Number(r[1]), avg: Number(r[2]), max: Number(r[3]), samples: Number(r[4]), at });
  });
  return out;
}

/**
 * For each of `rounds` (a subset of `all`, every round line of the run, in order), the
 * one of `lines` between the round's line and its neighbour among `all`: `after`, the
 * first after the round's line and before the next round's; `before`, the last after the
 * previous round's line and before the round's own. Rounds without one are left out.
 */
function besideRounds(rounds: LatencyRound[], all: LatencyRound[], lines: LatencyRound[], side: "after" | "before"): LatencyRound[] {
  const out: LatencyRound[] = [];
  for (const r of rounds) {
    const [from, to] = side === "after"
      ? [r.at, all.find((x) => x.at > r.at)?.at ?? Infinity]
      : [all.filter((x) => x.at < r.at).at(-1)?.at ?? -1, r.at];
    const inside = lines.filter((x) => x.at > from && x.at < to);
    const l = side === "after" ? inside[0] : inside.at(-1);
    if (l) out.push(l);
  }
  return out;
}

/**
 * The hypervisor's share of each of `rounds` (`hyp`: the RT_HYP_LINE rounds): the first
 * after the round's line and before the next round's line of the run, so that the figures
 * come from exactly the rounds chosen.
 */
export function hypOfRounds(rounds: LatencyRound[], all: LatencyRound[], hyp: LatencyRound[]): LatencyRound[] {
  return besideRounds(rounds, all, hyp, "after");
}

/**
 * The runtime's entry delay line of each of `rounds`: the last of `entries` after the
 * previous round's line and before the round's own. The runtime counts its 1,000
 * interrupts from the first tick, the guest its rounds from the end of its warm-up, so
 * each runtime line comes just before the round it covers (all but its last few ticks).
 */
export function entryOfRounds(rounds: LatencyRound[], all: LatencyRound[], entries: LatencyRound[]): LatencyRound[] {
  return besideRounds(rounds, all, entries, "before");
}

/**
 * The rounds to use: those after line `from` (-1: all), without the first `skip` of them
 * (a round that closes just after `from` began before it), at most `take`.
 */
export function roundsAfter(rounds: LatencyRound[], from: number, skip: number, take: number): LatencyRound[] {
  return rounds.filter((r) => r.at > from).slice(skip, skip + take);
}

/** Min of the mins, max of the maxes, mean of the means (rounded): the figures of several rounds taken together. */
export function combineRounds(rounds: LatencyRound[]): { min: number; avg: number; max: number } | null {
  if (rounds.length === 0) return null;
  return {
    min: Math.min(...rounds.map((r) => r.min)),
    avg: Math.round(rounds.reduce((s, r) => s + r.avg, 0) / rounds.length),
    max: Math.max(...rounds.map((r) => r.max)),
  };
}

export interface SgiResult { min: number; avg: number; max: number; count: number }

/** guest-sgi's `sgi round trip ns: min <a> avg <b> max <c> (<n> round trips)` line of `vm`, or null. */
export function parseSgi(lines: string[], vm: string | null): SgiResult | null {
  for (const line of lines) {
    const t = ofVm(line, vm);
    const r = t === null ? null : /^sgi round trip ns: min (\d+) avg (\d+) max (\d+) \((\d+) round trips\)$/.exec(t);
    if (r) return { min: Number(r[1]), avg: Number(r[2]), max: Number(r[3]), count: Number(r[4]) };
  }
  return null;
}

/** guest-cache's `cache: all <ticks> ticks, <ns> ns` line of `vm` (every class's timed loops together): the ticks, or null. */
export function parseCacheAll(lines: string[], vm: string | null): number | null {
  for (const line of lines) {
    const t = ofVm(line, vm);
    const r = t === null ? null : /^cache: all (\d+) ticks, \d+ ns$/.exec(t);
    if (r) return Number(r[1]);
  }
  return null;
}

/** `[<vm>] metric <id> <value>` lines (WV_HC_REPORT) of `vm`, in order. */
export function parseMetricLines(lines: string[], vm: string): { id: number; value: number }[] {
  const out: { id: number; value: number }[] = [];
  for (const line of lines) {
    const t = ofVm(line, vm);
    const r = t === null ? null : /^metric (\d+) (\d+)$/.exec(t);
    if (r) out.push({ id: Number(r[1]), value: Number(r[2]) });
  }
  return out;
}

/** a / b to `digits` decimals. */
export function ratio(a: number, b: number, digits = 3): number {
  if (!(b > 0)) throw new Error(`ratio ${a} / ${b}: the denominator must be positive`);
  const f = 10 ** digits;
  return Math.round((a / b) * f) / f;
}

/** One update or rollback as the hypervisor reported it (runtime-c/core/update.c). */
export interface UpdateReport {
  from: string;
  to: string;
  pauseMax: number;
  total: number;
  /** VM name -> its pause (ns). */
  pauses: Record<string, number>;
  /** Index of the "update requested" / "rollback requested" line, and of the summary line. */
  requestedAt: number;
  doneAt: number;
}

/**
 * The hand-overs of a run: each `[wasmvisor] update requested ...` (or rollback) line,
 * then `[wasmvisor] update: core A -> B (variant N), K VMs, pause max P ns, total T ns`
 * and one `[wasmvisor] update: vm X paused P ns` line per VM. A request without its
 * summary (refused) is skipped.
 */
export function parseUpdates(lines: string[]): UpdateReport[] {
  const out: UpdateReport[] = [];
  let requested = -1;
  let cur: UpdateReport | null = null;
  lines.forEach((line, at) => {
    if (/^\[wasmvisor\] (update|rollback) requested by vm /.test(line)) { requested = at; cur = null; return; }
    const s = /^\[wasmvisor\] update: core (\S+) -> (\S+) \(variant \d+\), \d+ VMs, pause max (\d+) ns, total (\d+) ns$/.exec(line);
    if (s && requested >= 0) {
      cur = { from: s[1]!, to: s[2]!, pauseMax: Number(s[3]), total: Number(s[4]), pauses: {}, requestedAt: requested, doneAt: at };
      out.push(cur);
      requested = -1;
      return;
    }
    const v = /^\[wasmvisor\] update: vm (\S+) paused (\d+) ns$/.exec(line);
    if (v && cur) cur.pauses[v[1]!] = Number(v[2]);
  });
  return out;
}

/**
 * guest-rt rounds with an update in them, and rounds without: a round is "during" when
 * it closed after an update's request and no later than the first round line after
 * that update's summary (the round the update ended in); "without" are the other rounds
 * after line `from`, the first `skip` of them left out.
 */
export function splitRoundsByUpdate(rounds: LatencyRound[], updates: UpdateReport[], from: number, skip: number):
  { during: LatencyRound[]; without: LatencyRound[] } {
  const after = rounds.filter((r) => r.at > from).slice(skip);
  const during = new Set<LatencyRound>();
  for (const u of updates) {
    const ends = after.find((r) => r.at > u.doneAt);
    for (const r of after) if (r.at > u.requestedAt && (!ends || r.at <= ends.at)) during.add(r);
  }
  return { during: after.filter((r) => during.has(r)), without: after.filter((r) => !during.has(r)) };
}

/**
 * The runtime's `[wasmvisor] bench vm <vm> timer entry delay max <n> ticks (<k> interrupts)`
 * lines (VMs with the bench flag: runtime-c/core/trap.c), as rounds with only a max: how
 * long after its deadline the vCPU's timer interrupt reached the hypervisor's vector.
 */
export function parseEntryDelays(lines: string[], vm: string): LatencyRound[] {
  const out: LatencyRound[] = [];
  lines.forEach((line, at) => {
    const r = /^\[wasmvisor\] bench vm (\S+) timer entry delay max (\d+) ticks \((\d+) interrupts\)$/.exec(line);
    if (r && r[1] === vm) out.push({ min: 0, avg: 0, max: Number(r[2]), samples: Number(r[3]), at });
  });
  return out;
}
