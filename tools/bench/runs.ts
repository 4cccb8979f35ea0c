// The bench's QEMU runs, each under -icount shift=0,sleep=off and bounded by a timeout.
// A run returns what it measured, or throws a BenchError naming why and carrying the
// console's last lines. index.ts decides the order, combines the figures and reports.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BuiltImage, PreparedSet } from "../build/image.ts";
import { GUEST_DIR } from "../build/guests.ts";
import { BUILD, ROOT, rel } from "../lib/paths.ts";
import { runQemu, type QemuRun } from "../run/qemu.ts";
import { directBootArgs, directMachine } from "../run/direct.ts";
import { PANIC } from "../run/markers.ts";
import {
  combineRounds, entryOfRounds, findLine, hypOfRounds, ofVm, parseBench, parseCacheAll, parseBootTime, parseRtRounds, parseSgi, parseUpdates,
  parseEntryDelays, roundsAfter, RT_HYP_LINE,
  splitRoundsByUpdate, type BootTime, type LatencyRound, type SgiResult, type UpdateReport,
} from "./parse.ts";
import type { Metrics } from "./results.ts";

/** The counter frequency the interrupt runs give the CPUs: one tick per ns, so one per instruction. */
export const COUNTER_HZ = 1_000_000_000;

/** Rounds of guest-rt: the first to close after the ready line began before it, and is skipped. */
export const RT_SKIP = 1;
export const RT_TAKE = 3;

export class BenchError extends Error {
  constructor(message: string, readonly lines: string[] = []) { super(message); }
}

/** `machine` with the CPU's generic counter at `hz` (QEMU's cntfrq property of the Arm CPUs). */
export function withCounterHz(machine: string[], hz: number): string[] {
  const i = machine.indexOf("-cpu");
  if (i < 0 || i + 1 >= machine.length) throw new Error(`no -cpu in the machine arguments ${machine.join(" ")}`);
  const out = [...machine];
  out[i + 1] = `${out[i + 1]!.split(",").filter((p) => !p.startsWith("cntfrq=")).join(",")},cntfrq=${hz}`;
  return out;
}


/** A line that ends any run at once: a hypervisor panic, a stopped VM, a kernel panic. */
export function isFatal(line: string): boolean {
  return line.startsWith(PANIC) || /^\[wasmvisor\] vm \S+ stopped: /.test(line) || /Kernel panic/.test(line);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Runs QEMU until `done` holds; throws a BenchError on a fatal line or when it never does. */
async function runUntil(what: string, o: {
  elf?: string; machine: string[]; extra?: string[]; timeoutMs: number;
  done: (line: string, all: string[]) => boolean; waitingFor: string;
}): Promise<QemuRun> {
  let fatal = "";
  const r = await runQemu({
    elf: o.elf, machine: o.machine, extra: o.extra, icount: true, timeoutMs: o.timeoutMs,
    onLine: (line, all) => {
      if (isFatal(line)) { fatal = line; return true; }
      return o.done(line, all);
    },
  });
  if (fatal) throw new BenchError(`${what}: ${fatal}`, r.lines);
  if (r.end !== "done") {
    const why = r.end === "timeout" ? `timed out after ${seconds(r.elapsedMs)}` : `QEMU ended (${r.end}) after ${seconds(r.elapsedMs)}`;
    throw new BenchError(`${what}: ${why} waiting for ${o.waitingFor}`, r.lines);
  }
  return r;
}

// --- the micro-benchmarks (vmconfigs/bench.json) ---------------------------------------

export const MICRO_FIGURES = ["hypercall_roundtrip", "mmio_read_roundtrip", "host_to_wasm_call", "core_instance_build"] as const;

export async function runMicro(img: BuiltImage, timeoutMs: number): Promise<Metrics> {
  const r = await runUntil("vmconfigs/bench.json", {
    elf: img.elf, machine: img.board.qemu, timeoutMs, waitingFor: "[bench] BENCH DONE",
    done: (l) => l.startsWith("[bench] ") && l.includes("BENCH DONE"),
  });
  const m = parseBench(r.lines);
  const lacking = MICRO_FIGURES.filter((k) => !m[k]);
  if (lacking.length) throw new BenchError(`vmconfigs/bench.json: no figure for ${lacking.join(", ")}`, r.lines);
  return m;
}

// --- Linux boot: under the hypervisor and directly ---------------------------------------

/** The Linux boot configs: the kernel command line of vmconfigs/linux.json, and the same with quiet. */
export const LINUX_CONFIG = "bench-linux";
export const LINUX_QUIET_CONFIG = "bench-linux-quiet";
const LINUX_VM = "linux";

/** The config `name` with every region's IPA at its PA, for booting without the hypervisor. */
export function directConfig(name: string): string {
  const data = JSON.parse(readFileSync(join(ROOT, "vmconfigs", `${name}.json`), "utf8"));
  for (const vm of data.vms) for (const r of vm.memory) r.ipa = r.pa;
  data.$schema = join(ROOT, "vmconfigs", "schema.json");
  const dir = join(BUILD, "bench");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-direct.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + "\n");
  return file;
}

/** /init's last boot line (tools/build/guest-init.sh prints the uptime, then this one). */
const bootLine = (vm: string | null) => (line: string) => /^boot: monotonic /.test(ofVm(line, vm) ?? "");

/** Linux under the hypervisor: the kernel's clock when /init started. */
export async function runLinuxHypervised(img: BuiltImage, timeoutMs: number): Promise<BootTime> {
  const what = `${rel(img.config)} under wasmvisor`;
  const r = await runUntil(what, {
    elf: img.elf, machine: img.board.qemu, timeoutMs, waitingFor: `"[${LINUX_VM}] boot: monotonic ..."`,
    done: bootLine(LINUX_VM),
  });
  const t = parseBootTime(r.lines, LINUX_VM);
  if (!t) throw new BenchError(`${what}: no boot line from /init`, r.lines);
  return t;
}

/**
 * The same kernel, initramfs and device tree straight on QEMU (tools/run/direct.ts) with
 * as many CPUs as the VM has vCPUs; `p` from prepareVmSet(directConfig(...)).
 */
export async function runLinuxDirect(p: PreparedSet, timeoutMs: number): Promise<BootTime> {
  const what = `${rel(p.config).replace(/-direct\.json$/, "")} directly on QEMU`;
  const vm = p.set.vms[0]!;
  const machine = directMachine(p.board.qemu, vm.vcpus);
  const r = await runUntil(what, {
    machine, extra: directBootArgs(vm, p.dir), timeoutMs, waitingFor: `"boot: monotonic ..."`, done: bootLine(null),
  });
  const t = parseBootTime(r.lines, null);
  if (!t) throw new BenchError(`${what}: no boot line from /init`, r.lines);
  return t;
}

// --- guest-rt ----------------------------------------------------------------------------

export const RT_VM = "rt";

export interface RtResult {
  rounds: LatencyRound[]; min: number; avg: number; max: number;
  /** The worst delay from a tick's deadline to the hypervisor's vector over the same stretch (rtvms with the bench flag). */
  entryMax?: number;
  /** The hypervisor's share of the same rounds' ticks, its vector to the guest's handler (rtvms with the bench flag). */
  hyp?: { min: number; avg: number; max: number };
}

/** What a run's console says of the rt VM, each kind of line read once. */
export interface RtLines {
  /** guest-rt's rounds; the hypervisor's share of their ticks (RT_HYP_LINE); the runtime's timer entry delays. */
  rounds: LatencyRound[]; hyp: LatencyRound[]; entries: LatencyRound[];
}

export function rtLines(lines: string[]): RtLines {
  return { rounds: parseRtRounds(lines, RT_VM), hyp: parseRtRounds(lines, RT_VM, RT_HYP_LINE), entries: parseEntryDelays(lines, RT_VM) };
}

/**
 * The hypervisor's share of `rounds` (guest-rt's `rt hyp latency ns` lines): every round
 * must have one, since the VMs of the bench's rt configs have the bench flag.
 */
function hypOf(what: string, rounds: LatencyRound[], rt: RtLines, lines: string[]): { min: number; avg: number; max: number } {
  const hyp = hypOfRounds(rounds, rt.rounds, rt.hyp);
  const c = combineRounds(hyp);
  if (!c || hyp.length < rounds.length) {
    throw new BenchError(`${what}: ${hyp.length} of ${rounds.length} rounds with an "rt hyp latency ns" line`, lines);
  }
  return c;
}

function rtResult(what: string, rounds: LatencyRound[], lines: string[]): RtResult {
  const c = combineRounds(rounds);
  if (!c || rounds.length < RT_TAKE) throw new BenchError(`${what}: ${rounds.length} of ${RT_TAKE} latency rounds`, lines);
  return { rounds, ...c };
}

/**
 * guest-rt in the rtvm of `img`, beside the other VMs: the rounds that close after
 * `ready` appeared on `readyVm`'s console, the first of them skipped.
 */
export async function runRtBeside(img: BuiltImage, readyVm: string, ready: string, timeoutMs: number): Promise<RtResult> {
  return (await runRtBesideLines(img, readyVm, ready, timeoutMs)).result;
}

/** runRtBeside with more QEMU arguments (`extra`), and the console's lines, the rt VM's read (rtLines). */
export async function runRtBesideLines(img: BuiltImage, readyVm: string, ready: string, timeoutMs: number, extra: string[] = []):
  Promise<{ result: RtResult; lines: string[]; rt: RtLines }> {
  const what = rel(img.config);
  let from = -1;
  const r = await runUntil(what, {
    elf: img.elf, machine: withCounterHz(img.board.qemu, COUNTER_HZ), extra, timeoutMs,
    waitingFor: `"[${readyVm}] ${ready}", then ${RT_SKIP + RT_TAKE} rounds of "[${RT_VM}] rt latency ns: ..." ` +
      `with their "rt hyp latency ns" lines`,
    done: (line, all) => {
      if (from < 0 && line.startsWith(`[${readyVm}] `) && line.includes(ready)) from = all.length - 1;
      if (from < 0) return false;
      // The last round's share line comes after the round's own line and its reports.
      const lines = all.slice(from), rounds = parseRtRounds(lines, RT_VM);
      const used = roundsAfter(rounds, 0, RT_SKIP, RT_TAKE);
      return used.length === RT_TAKE && hypOfRounds(used, rounds, parseRtRounds(lines, RT_VM, RT_HYP_LINE)).length === RT_TAKE;
    },
  });
  const start = findLine(r.lines, readyVm, ready);
  const rt = rtLines(r.lines);
  const res = rtResult(what, roundsAfter(rt.rounds, start, RT_SKIP, RT_TAKE), r.lines);
  const entry = combineRounds(entryOfRounds(res.rounds, rt.rounds, rt.entries));
  const hyp = hypOf(what, res.rounds, rt, r.lines);
  return { result: entry ? { ...res, entryMax: entry.max, hyp } : { ...res, hyp }, lines: r.lines, rt };
}

/** guest-rt.elf alone, straight on QEMU's GICv3 (tests/guests/README.md, "Without the hypervisor"). */
export async function runRtDirect(machine: string[], timeoutMs: number): Promise<RtResult> {
  const what = "guest-rt directly on QEMU";
  const r = await runUntil(what, {
    elf: join(GUEST_DIR, "guest-rt.elf"), machine: directMachine(withCounterHz(machine, COUNTER_HZ), 1), timeoutMs,
    waitingFor: `${RT_SKIP + RT_TAKE} rounds of "rt latency ns: ..."`,
    done: (_l, all) => parseRtRounds(all, null).length >= RT_SKIP + RT_TAKE,
  });
  return rtResult(what, roundsAfter(parseRtRounds(r.lines, null), -1, RT_SKIP, RT_TAKE), r.lines);
}

// --- guest-sgi ---------------------------------------------------------------------------

export const SGI_VM = "sgi";

export async function runSgi(img: BuiltImage, timeoutMs: number): Promise<SgiResult> {
  const r = await runUntil("vmconfigs/bench-sgi.json", {
    elf: img.elf, machine: withCounterHz(img.board.qemu, COUNTER_HZ), timeoutMs, waitingFor: `"[${SGI_VM}] SGI DONE"`,
    done: (l) => l === `[${SGI_VM}] SGI DONE`,
  });
  const s = parseSgi(r.lines, SGI_VM);
  if (!s) throw new BenchError("vmconfigs/bench-sgi.json: no \"sgi round trip ns\" line", r.lines);
  return s;
}

// --- guest-cache: cache and TLB maintenance, under the hypervisor and directly -----------

export const CACHE_CONFIG = "bench-cache";
export const CACHE_VM = "cache";

/**
 * guest-cache's loops, all classes together, in counter ticks of a 1 GHz counter: under
 * -icount instructions. `vm` null: directly on QEMU (the ELF, one CPU, no EL2).
 */
async function runCacheOn(what: string, elf: string, machine: string[], vm: string | null, timeoutMs: number): Promise<number> {
  const done = vm === null ? "CACHE DONE" : `[${vm}] CACHE DONE`;
  const r = await runUntil(what, {
    elf, machine: withCounterHz(machine, COUNTER_HZ), timeoutMs, waitingFor: `"${done}"`, done: (l) => l === done,
  });
  const all = parseCacheAll(r.lines, vm);
  if (all === null) throw new BenchError(`${what}: no "cache: all ..." line`, r.lines);
  return all;
}

export const runCache = (img: BuiltImage, timeoutMs: number) =>
  runCacheOn(`vmconfigs/${CACHE_CONFIG}.json`, img.elf, img.board.qemu, CACHE_VM, timeoutMs);

export const runCacheDirect = (machine: string[], timeoutMs: number) =>
  runCacheOn("guest-cache directly on QEMU", join(GUEST_DIR, "guest-cache.elf"), directMachine(machine, 1), null, timeoutMs);

// --- live update (vmconfigs/bench-update.json) -------------------------------------------

export const UPDATE_CONFIG = "bench-update";
const UPDATE_MVM = "mvm";
const UPDATE_READY = "READY update-bench";
/** Updates plus rollbacks the management VM's `update` workload makes (tools/build/guest-init.sh). */
export const UPDATE_COUNT = 6;

export interface UpdateResult {
  updates: UpdateReport[];
  during: LatencyRound[];
  without: LatencyRound[];
  /** The runtime's timer entry delays of the RT VM, split the same way. */
  entryDuring: LatencyRound[];
  /** The hypervisor's share of the ticks of the rounds with an update in them. */
  hypDuring: { min: number; avg: number; max: number };
}

/**
 * Four VMs; the management VM updates the core to its second build and rolls back, three
 * times. Each hand-over's pauses as the hypervisor measured them, and guest-rt's rounds
 * with and without an update in them (after every VM's ready line, the first skipped).
 */
export async function runUpdate(img: BuiltImage, timeoutMs: number): Promise<UpdateResult> {
  const what = rel(img.config);
  const r = await runUntil(what, {
    elf: img.elf, machine: withCounterHz(img.board.qemu, COUNTER_HZ), timeoutMs,
    waitingFor: `"[${UPDATE_MVM}] ${UPDATE_READY}" after ${UPDATE_COUNT} hand-overs`,
    done: (line) => line === `[${UPDATE_MVM}] ${UPDATE_READY}`,
  });
  const failed = r.lines.find((l) => /update refused|update-bench: .* failed/.test(l));
  if (failed) throw new BenchError(`${what}: ${failed}`, r.lines);
  const updates = parseUpdates(r.lines);
  if (updates.length !== UPDATE_COUNT) throw new BenchError(`${what}: ${updates.length} of ${UPDATE_COUNT} hand-overs reported`, r.lines);
  const vms = img.set.vms.map((v) => v.name);
  for (const u of updates) {
    const lacking = vms.filter((v) => u.pauses[v] === undefined);
    if (lacking.length) throw new BenchError(`${what}: no pause reported for ${lacking.join(", ")}`, r.lines);
  }
  const ready = Math.max(...img.set.vms.filter((v) => v.name !== UPDATE_MVM).map((v) => findLine(r.lines, v.name, v.ready)));
  const rt = rtLines(r.lines);
  const split = splitRoundsByUpdate(rt.rounds, updates, ready, RT_SKIP);
  if (split.during.length === 0 || split.without.length === 0) {
    throw new BenchError(`${what}: ${split.during.length} rt rounds with an update, ${split.without.length} without`, r.lines);
  }
  const entryDuring = entryOfRounds(split.during, rt.rounds, rt.entries);
  return { updates, ...split, entryDuring, hypDuring: hypOf(what, split.during, rt, r.lines) };
}

