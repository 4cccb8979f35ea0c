// `wasmvisor bench`: every figure of docs/performance.md, each from QEMU runs under
// -icount shift=0,sleep=off, where 1 ns of virtual time is one instruction, so the
// figures are instruction counts. The runs (runs.ts), two at a time:
//   - vmconfigs/bench.json: the micro-benchmarks (hypercall, MMIO read, host->Wasm call);
//   - vmconfigs/bench-linux.json under the hypervisor, and the same kernel, initramfs and
//     device tree directly on QEMU: Linux boot time up to /init, and their ratio; the same
//     again with quiet on the kernel command line (bench-linux-quiet.json);
//   - guest-rt directly on QEMU, and in the rtvm of vmconfigs/bench-rt-idle.json and
//     bench-rt-load.json beside a Linux VM idle or busy: interrupt latency, jitter, and
//     the virtual interrupt injection cost (rt minimum, idle, minus the direct minimum);
//   - vmconfigs/bench-sgi.json: the SGI round trip between two vCPUs;
//   - guest-cache in vmconfigs/bench-cache.json and directly on QEMU: cache and TLB
//     maintenance, which nothing traps (a figure far above the direct one means it does);
//   - vmconfigs/bench-update.json: live update beside three VMs: each VM's pause, the
//     whole update, and guest-rt's worst latency in rounds with and without an update.
// Every run is on the native tier (the core's native part, the default); the micro-
// benchmarks, the rt runs and the SGI run are taken again on the wasm3 tier (the image
// without the native part) in the same bench, their figures suffixed _wasm3
// (WASM3_FIGURES). Not the update run: its second module carries a native part, so on the
// wasm3 tier it would measure hand-overs between the two tiers, not wasm3's.
// Every run is bounded by a timeout; a figure that could not be taken is named and the
// exit status is 1. Targets are judged in the table; missing one does not fail the run.
import { buildImage, prepareVmSet, type BuiltImage, type PreparedSet, type Tier } from "../build/image.ts";
import { rel } from "../lib/paths.ts";
import { combineRounds, ratio } from "./parse.ts";
import { saveMetrics, table, BENCH_JSON, type Metrics, type Target } from "./results.ts";
import { profileMicro } from "./exit_profile.ts";
import { describeProfile, profileRtRun } from "./rt_profile.ts";
import {
  BenchError, CACHE_CONFIG, directConfig, LINUX_CONFIG, LINUX_QUIET_CONFIG, MICRO_FIGURES, RT_SKIP, RT_TAKE, runCache, runCacheDirect, runLinuxDirect, runLinuxHypervised, runMicro,
  runRtBeside, runRtDirect, runSgi, runUpdate, UPDATE_CONFIG, RT_VM, type RtResult, type UpdateResult,
} from "./runs.ts";
import type { BootTime, SgiResult } from "./parse.ts";

export { parseBench } from "./parse.ts";

/**
 * Wall-clock bounds of each run, and of all of them together (the runs take about a minute
 * on a 2-core host): a run gets its own bound or what is left of the total, whichever is less.
 */
const TIMEOUT_MS = { micro: 60_000, linux: 120_000, rt: 150_000, rtDirect: 30_000, sgi: 60_000, update: 240_000, cache: 60_000 };
const TOTAL_MS = 600_000;
/** QEMU runs at a time: each is one host thread (-icount runs the emulated CPUs in turn). */
const PARALLEL = 2;

const I = "instructions";

export const RT_IDLE_FIGURES = ["rt_latency_min_idle", "rt_latency_avg_idle", "rt_latency_max_idle", "rt_jitter_idle", "rt_entry_delay_max_idle",
  "rt_hyp_latency_min", "rt_hyp_latency_max_idle"] as const;
export const RT_LOADED_FIGURES = ["rt_latency_min_loaded", "rt_latency_avg_loaded", "rt_latency_max_loaded", "rt_jitter_loaded", "rt_entry_delay_max_loaded",
  "rt_hyp_latency_max_loaded"] as const;
export const RT_DIRECT_FIGURES = ["rt_latency_min_direct"] as const;
export const UPDATE_FIGURES = ["update_pause_max", "update_pause_rt", "update_total", "rt_latency_max_during_update", "rt_latency_max_without_update", "rt_entry_delay_max_during_update",
  "rt_hyp_latency_max_during_update"] as const;
/** The hypervisor's share of a tick: its IRQ vector on the RT CPU to the guest's handler. */
const HYP_NOTE = "the hypervisor's IRQ vector on the RT CPU to guest-rt's handler";

/** The figures also taken on the wasm3 tier, as `<name>_wasm3`, to show each tier's cost side by side. */
export const WASM3_FIGURES = ["hypercall_roundtrip", "mmio_read_roundtrip", "host_to_wasm_call", "core_instance_build",
  "virq_injection", "rt_latency_min_idle", "rt_hyp_latency_min", "rt_hyp_latency_max_idle", "rt_hyp_latency_max_loaded",
  "sgi_roundtrip"] as const;
const wasm3Name = (k: string) => `${k}_wasm3`;
/** The wasm3 tier's outcomes, made on first use. */
const w3o = (o: Outcomes): Outcomes => (o.wasm3 ??= {});

/** What the runs gave; undefined where a run failed. */
export interface Outcomes {
  /** The same runs on the wasm3 tier (micro, rt idle and loaded, SGI). */
  wasm3?: Outcomes;
  micro?: Metrics;
  linuxDirect?: BootTime;
  linuxHv?: BootTime;
  linuxQuietDirect?: BootTime;
  linuxQuietHv?: BootTime;
  rtDirect?: RtResult;
  rtIdle?: RtResult;
  rtLoaded?: RtResult;
  sgi?: SgiResult;
  update?: UpdateResult;
  cacheDirect?: number;
  cacheHv?: number;
}

const roundsNote = (r: RtResult, after: string) =>
  `rounds ${RT_SKIP + 1}-${RT_SKIP + RT_TAKE} after ${after}: min ${r.rounds.map((x) => x.min).join("/")}, ` +
  `max ${r.rounds.map((x) => x.max).join("/")}`;

/**
 * The figures, in table order, from what the runs gave; figures whose runs failed are
 * absent. The wasm3 tier's follow, each named `<figure>_wasm3`.
 */
export function figures(o: Outcomes): Metrics {
  const m = tierFigures(o);
  if (o.wasm3) {
    const w = tierFigures({ ...o.wasm3, rtDirect: o.rtDirect });
    for (const k of WASM3_FIGURES) {
      if (w[k]) m[wasm3Name(k)] = { ...w[k]!, note: `wasm3 tier${w[k]!.note ? `: ${w[k]!.note}` : ""}` };
    }
  }
  return m;
}

function tierFigures(o: Outcomes): Metrics {
  const m: Metrics = {};
  if (o.micro) for (const k of MICRO_FIGURES) if (o.micro[k]) m[k] = o.micro[k]!;
  const boot = (direct: BootTime | undefined, hv: BootTime | undefined, sfx: string, cmdline: string) => {
    const clock = (t: BootTime) => `kernel clock at /init (${t.source}), ${cmdline}`;
    if (direct) m[`linux_boot_direct${sfx}`] = { value: direct.ns, unit: "ns (icount)", note: clock(direct) };
    if (hv) m[`linux_boot_wasmvisor${sfx}`] = { value: hv.ns, unit: "ns (icount)", note: clock(hv) };
    if (direct && hv) m[`linux_boot_ratio${sfx}`] = { value: ratio(hv.ns, direct.ns), unit: "ratio", note: "wasmvisor / direct" };
  };
  boot(o.linuxDirect, o.linuxHv, "", "linux.json's command line");
  boot(o.linuxQuietDirect, o.linuxQuietHv, "_quiet", "quiet");
  const rt = (r: RtResult, sfx: string, after: string) => {
    m[`rt_latency_min_${sfx}`] = { value: r.min, unit: I, note: roundsNote(r, after) };
    m[`rt_latency_avg_${sfx}`] = { value: r.avg, unit: I };
    m[`rt_latency_max_${sfx}`] = { value: r.max, unit: I };
    m[`rt_jitter_${sfx}`] = { value: r.max - r.min, unit: I, note: "max - min" };
    if (r.entryMax !== undefined) {
      m[`rt_entry_delay_max_${sfx}`] = { value: r.entryMax, unit: I,
        note: "deadline to the hypervisor's IRQ vector on the RT CPU, worst over the same rounds" };
    }
    if (sfx === "idle" && r.hyp) m.rt_hyp_latency_min = { value: r.hyp.min, unit: I, note: `${HYP_NOTE}, best over the idle run's rounds` };
    if (r.hyp) m[`rt_hyp_latency_max_${sfx}`] = { value: r.hyp.max, unit: I, note: `${HYP_NOTE}, worst over the same rounds` };
  };
  if (o.rtDirect) m.rt_latency_min_direct = { value: o.rtDirect.min, unit: I, note: roundsNote(o.rtDirect, "start") };
  if (o.rtIdle) rt(o.rtIdle, "idle", "READY linux (workload idle)");
  if (o.rtLoaded) rt(o.rtLoaded, "loaded", "READY load (workload load)");
  if (o.rtIdle && o.rtDirect) {
    m.virq_injection = { value: o.rtIdle.min - o.rtDirect.min, unit: I, note: "rt_latency_min_idle - rt_latency_min_direct" };
  }
  if (o.update) {
    const u = o.update;
    const worst = u.updates.reduce((a, b) => (b.pauseMax > a.pauseMax ? b : a));
    const vm = Object.entries(worst.pauses).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    m.update_pause_max = { value: worst.pauseMax, unit: I,
      note: `worst VM pause of ${u.updates.length} hand-overs (vm ${vm}, ${worst.from} -> ${worst.to}), 4 VMs` };
    const rt = u.updates.map((x) => x.pauses[RT_VM]).filter((x): x is number => x !== undefined);
    if (rt.length) m.update_pause_rt = { value: Math.max(...rt), unit: I, note: "the RT VM's own pause, worst of the hand-overs" };
    m.update_total = { value: Math.max(...u.updates.map((x) => x.total)), unit: I,
      note: `request to done, worst of ${u.updates.length}; mean ${Math.round(u.updates.reduce((s, x) => s + x.total, 0) / u.updates.length)}` };
    const during = combineRounds(u.during)!, without = combineRounds(u.without)!;
    m.rt_latency_max_during_update = { value: during.max, unit: I, note: `${u.during.length} rt rounds with an update in them` };
    m.rt_latency_max_without_update = { value: without.max, unit: I, note: `${u.without.length} rt rounds of the same run without` };
    const entry = combineRounds(u.entryDuring);
    if (entry) {
      m.rt_entry_delay_max_during_update = { value: entry.max, unit: I,
        note: "deadline to the hypervisor's IRQ vector on the RT CPU, worst during the updates" };
    }
    m.rt_hyp_latency_max_during_update = { value: u.hypDuring.max, unit: I, note: `${HYP_NOTE}, worst during the updates` };
  }
  if (o.sgi) {
    m.sgi_roundtrip = { value: o.sgi.avg, unit: I, note: `mean of ${o.sgi.count}; min ${o.sgi.min}, max ${o.sgi.max}` };
  }
  const cache = (v: number) => ({ value: v, unit: I,
    note: "guest-cache, every class's timed loops: DC CIVAC/CVAC/IVAC, IC IVAU, IC IALLU, TLBI VMALLE1(IS)" });
  if (o.cacheDirect !== undefined) m.cache_maintenance_direct = cache(o.cacheDirect);
  if (o.cacheHv !== undefined) m.cache_maintenance_wasmvisor = cache(o.cacheHv);
  if (o.cacheDirect !== undefined && o.cacheHv !== undefined) {
    m.cache_maintenance_ratio = { value: ratio(o.cacheHv, o.cacheDirect), unit: "ratio", note: "wasmvisor / direct" };
  }
  return m;
}

/** The targets of docs/performance.md, judged on `m`. */
export function targets(m: Metrics): Record<string, Target> {
  const t: Record<string, Target> = {};
  const v = (k: string) => m[k]?.value;
  // The native tier's targets (docs/performance.md): near a C hypervisor's exits.
  const atMost = (k: string, limit: number) => {
    if (v(k) !== undefined) t[k] = { text: `<= ${limit}`, met: v(k)! <= limit };
  };
  atMost("hypercall_roundtrip", 500);
  atMost("mmio_read_roundtrip", 1000);
  atMost("virq_injection", 1500);
  atMost("core_instance_build", 200_000);
  if (v("linux_boot_ratio") !== undefined) t.linux_boot_ratio = { text: "<= 1.5", met: v("linux_boot_ratio")! <= 1.5 };
  const min = v("rt_latency_min_loaded"), max = v("rt_latency_max_loaded");
  if (min !== undefined && max !== undefined) t.rt_latency_max_loaded = { text: `<= 2 x min (${2 * min})`, met: max <= 2 * min };
  const hmin = v("rt_hyp_latency_min"), hmax = v("rt_hyp_latency_max_loaded");
  if (hmin !== undefined && hmax !== undefined) {
    t.rt_hyp_latency_max_loaded = { text: `<= 1.5 x min (${Math.floor(1.5 * hmin)})`, met: hmax <= 1.5 * hmin };
  }
  const pause = v("update_pause_max");
  if (pause !== undefined) t.update_pause_max = { text: "<= 1000000", met: pause <= 1_000_000 };
  const du = v("rt_latency_max_during_update"), wo = v("rt_latency_max_without_update");
  if (du !== undefined && wo !== undefined) t.rt_latency_max_during_update = { text: `<= 2 x without (${2 * wo})`, met: du <= 2 * wo };
  return t;
}

export interface Job { name: string; figures: readonly string[]; timeoutMs: number; run: (o: Outcomes, timeoutMs: number) => Promise<void> }
export interface Failure { job: string; figures: readonly string[]; error: string; lines: string[] }

/** Runs `jobs`, `parallel` at a time, in order, none past `deadline` (Date.now() time); collects the failures. */
export async function runJobs(jobs: Job[], o: Outcomes, parallel: number, deadline: number): Promise<Failure[]> {
  const failures: Failure[] = [];
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const t0 = Date.now();
      try {
        const left = deadline - t0;
        if (left < 1000) throw new Error("not run: the bench's time limit was reached");
        await job.run(o, Math.min(job.timeoutMs, left));
        process.stderr.write(`[wasmvisor] bench: ${job.name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        failures.push({ job: job.name, figures: job.figures, error, lines: e instanceof BenchError ? e.lines : [] });
        process.stderr.write(`[wasmvisor] bench: ${job.name} FAILED after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${error}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return failures;
}

/**
 * `bench --profile-exits [--tier T]`: the micro-benchmark image under QEMU's execution log,
 * and where its two most common exits (the hypercall loop's and the MMIO loop's) spend
 * their instructions, function by function. Slow (the log holds every block run), so not
 * part of the bench.
 */
export async function profileCommand(tier: Tier): Promise<number> {
  const img = buildImage("bench", { tier });
  const kinds = await profileMicro(img, 300_000);
  for (const k of kinds) {
    process.stdout.write(`exit of ${k.instructions} instructions at EL2 (${k.count} seen):\n`);
    for (const [f, n] of k.perFunction) process.stdout.write(`  ${n.toFixed(1).padStart(8)}  ${f}\n`);
  }
  return kinds.length ? 0 : 1;
}

/**
 * `bench --profile-rt`: guest-rt's ticks beside an idle and a busy Linux, each tick's
 * window from the hypervisor's IRQ vector to the guest's handler split into the RT CPU's
 * own instructions (charged to functions) and the other CPUs' (tools/bench/rt_profile.ts).
 * Two runs per scenario, one with QEMU's execution log (0.7 to 1 GB, read as it streams):
 * a few minutes, so not part of the bench.
 */
export async function profileRtCommand(): Promise<number> {
  let failed = 0;
  for (const [config, ready] of [["bench-rt-idle", "READY linux"], ["bench-rt-load", "READY load"]] as const) {
    try {
      const prof = await profileRtRun(buildImage(config), "linux", ready, TIMEOUT_MS.rt * 3);
      process.stdout.write(describeProfile(`vmconfigs/${config}.json`, prof));
    } catch (e) {
      failed++;
      process.stderr.write(`[wasmvisor] bench --profile-rt: ${config}: ${e instanceof Error ? e.message : String(e)}\n` +
        (e instanceof BenchError ? e.lines.slice(-20).map((l) => `  | ${l}\n`).join("") : ""));
    }
  }
  return failed ? 1 : 0;
}

export async function benchCommand(): Promise<number> {
  const t0 = Date.now();
  // The images first, one after the other: they share one CMake build per board.
  let img: Record<"micro" | "linux" | "linuxQuiet" | "rtIdle" | "rtLoaded" | "sgi" | "update" | "cache", BuiltImage>;
  let w3: Record<"micro" | "rtIdle" | "rtLoaded" | "sgi", BuiltImage>;
  let direct: PreparedSet, directQuiet: PreparedSet;
  try {
    img = {
      micro: buildImage("bench"), linux: buildImage(LINUX_CONFIG), linuxQuiet: buildImage(LINUX_QUIET_CONFIG),
      rtIdle: buildImage("bench-rt-idle"), rtLoaded: buildImage("bench-rt-load"), sgi: buildImage("bench-sgi"),
      update: buildImage(UPDATE_CONFIG), cache: buildImage(CACHE_CONFIG),
    };
    const tier: { tier: Tier } = { tier: "wasm3" };
    w3 = { micro: buildImage("bench", tier), rtIdle: buildImage("bench-rt-idle", tier),
      rtLoaded: buildImage("bench-rt-load", tier), sgi: buildImage("bench-sgi", tier) };
    direct = prepareVmSet(directConfig(LINUX_CONFIG));
    directQuiet = prepareVmSet(directConfig(LINUX_QUIET_CONFIG));
  } catch (e) {
    process.stderr.write(`[wasmvisor] bench failed: cannot build: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  process.stderr.write("[wasmvisor] bench: QEMU -icount shift=0,sleep=off (figures are instructions), " +
    `${PARALLEL} runs at a time\n`);

  // Longest first, so that the two lanes end together.
  const jobs: Job[] = [
    { name: "live update beside three VMs (bench-update)", figures: UPDATE_FIGURES,
      timeoutMs: TIMEOUT_MS.update,
      run: async (o, t) => { o.update = await runUpdate(img.update, t); } },
    { name: "rt beside busy Linux (bench-rt-load)", figures: RT_LOADED_FIGURES,
      timeoutMs: TIMEOUT_MS.rt,
      run: async (o, t) => { o.rtLoaded = await runRtBeside(img.rtLoaded, "linux", "READY load", t); } },
    { name: "rt beside idle Linux (bench-rt-idle)", figures: [...RT_IDLE_FIGURES, "virq_injection"],
      timeoutMs: TIMEOUT_MS.rt,
      run: async (o, t) => { o.rtIdle = await runRtBeside(img.rtIdle, "linux", "READY linux", t); } },
    { name: "Linux boot under wasmvisor (bench-linux)", figures: ["linux_boot_wasmvisor", "linux_boot_ratio"],
      timeoutMs: TIMEOUT_MS.linux,
      run: async (o, t) => { o.linuxHv = await runLinuxHypervised(img.linux, t); } },
    { name: "Linux boot, quiet, under wasmvisor (bench-linux-quiet)", figures: ["linux_boot_wasmvisor_quiet", "linux_boot_ratio_quiet"],
      timeoutMs: TIMEOUT_MS.linux,
      run: async (o, t) => { o.linuxQuietHv = await runLinuxHypervised(img.linuxQuiet, t); } },
    { name: "Linux boot directly on QEMU", figures: ["linux_boot_direct", "linux_boot_ratio"],
      timeoutMs: TIMEOUT_MS.linux,
      run: async (o, t) => { o.linuxDirect = await runLinuxDirect(direct, t); } },
    { name: "Linux boot, quiet, directly on QEMU", figures: ["linux_boot_direct_quiet", "linux_boot_ratio_quiet"],
      timeoutMs: TIMEOUT_MS.linux,
      run: async (o, t) => { o.linuxQuietDirect = await runLinuxDirect(directQuiet, t); } },
    { name: "guest-rt directly on QEMU", figures: [...RT_DIRECT_FIGURES, "virq_injection"],
      timeoutMs: TIMEOUT_MS.rtDirect,
      run: async (o, t) => { o.rtDirect = await runRtDirect(img.micro.board.qemu, t); } },
    { name: "SGI round trip (bench-sgi)", figures: ["sgi_roundtrip"],
      timeoutMs: TIMEOUT_MS.sgi,
      run: async (o, t) => { o.sgi = await runSgi(img.sgi, t); } },
    { name: "cache maintenance under wasmvisor (bench-cache)", figures: ["cache_maintenance_wasmvisor", "cache_maintenance_ratio"],
      timeoutMs: TIMEOUT_MS.cache,
      run: async (o, t) => { o.cacheHv = await runCache(img.cache, t); } },
    { name: "guest-cache directly on QEMU", figures: ["cache_maintenance_direct", "cache_maintenance_ratio"],
      timeoutMs: TIMEOUT_MS.cache,
      run: async (o, t) => { o.cacheDirect = await runCacheDirect(img.micro.board.qemu, t); } },
    { name: "micro-benchmarks (bench)", figures: MICRO_FIGURES,
      timeoutMs: TIMEOUT_MS.micro,
      run: async (o, t) => { o.micro = await runMicro(img.micro, t); } },
    // The wasm3 tier: the same runs from images without the native part.
    { name: "rt beside busy Linux, wasm3 (bench-rt-load)", figures: ["rt_hyp_latency_max_loaded_wasm3"],
      timeoutMs: TIMEOUT_MS.rt,
      run: async (o, t) => { w3o(o).rtLoaded = await runRtBeside(w3.rtLoaded, "linux", "READY load", t); } },
    { name: "rt beside idle Linux, wasm3 (bench-rt-idle)",
      figures: ["virq_injection_wasm3", "rt_latency_min_idle_wasm3", "rt_hyp_latency_min_wasm3", "rt_hyp_latency_max_idle_wasm3"],
      timeoutMs: TIMEOUT_MS.rt,
      run: async (o, t) => { w3o(o).rtIdle = await runRtBeside(w3.rtIdle, "linux", "READY linux", t); } },
    { name: "SGI round trip, wasm3 (bench-sgi)", figures: ["sgi_roundtrip_wasm3"],
      timeoutMs: TIMEOUT_MS.sgi,
      run: async (o, t) => { w3o(o).sgi = await runSgi(w3.sgi, t); } },
    { name: "micro-benchmarks, wasm3 (bench)", figures: MICRO_FIGURES.map(wasm3Name),
      timeoutMs: TIMEOUT_MS.micro,
      run: async (o, t) => { w3o(o).micro = await runMicro(w3.micro, t); } },
  ];
  const outcomes: Outcomes = {};
  const failures = await runJobs(jobs, outcomes, PARALLEL, Date.now() + TOTAL_MS);

  const m = figures(outcomes);
  const failed = [...new Set(failures.flatMap((f) => f.figures))].filter((k) => !m[k]);
  saveMetrics(m, failed);
  process.stdout.write(table(m, targets(m)));
  process.stdout.write(`written to ${rel(BENCH_JSON)} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  if (failures.length === 0) return 0;
  for (const f of failures) {
    process.stderr.write(`[wasmvisor] bench failed: no ${f.figures.filter((k) => !m[k]).join(", ")}: ${f.error}\n` +
      f.lines.slice(-20).map((l) => `  | ${l}\n`).join(""));
  }
  return 1;
}
