// Where guest-rt's `rt_hyp_latency_*` figures go, tick by tick: the hypervisor's IRQ
// vector on the RT CPU (`lower_irq`, where the runtime reads CNTVCT for the exit record)
// to the first instruction of guest-rt's IRQ handler (`irq_vector_spx_irq`,
// tests/guests/common/irq_vectors.S). Under -icount QEMU runs the emulated CPUs in turn
// on one thread and CNTVCT counts the instructions of whichever runs, so the guest's
// figure for a tick is the RT CPU's own instructions plus whatever the other CPUs ran
// when their turn fell inside the window. Two runs of the same image tell them apart:
//   - the path run: QEMU's execution log restricted (-dfilter) to the hypervisor's code
//     and guest-rt's (Linux's addresses are left out, so the log stays small): for each
//     tick the RT CPU's own instructions, charged to functions, and the other CPUs'
//     instructions in the hypervisor's code inside the window;
//   - the stamp run: the CPU's registers logged (-d cpu) at two blocks only: the one
//     after the vector's CNTVCT read (X1: the hypervisor's stamp) and the one after the
//     handler's (X0: the guest's reading), so each tick's whole window in counter ticks,
//     as the guest measures it.
// Under -icount the runs are deterministic (the same image gives the same ticks, log or
// no log); the tool checks it: both runs' consoles must print the same rounds, and each
// round's min/avg/max of the stamp run's windows must be the guest's own line's.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlockLog, readLines, TRACE, type BlockRun } from "./qemu_log.ts";
import { imageSymbols, nativeRegion, owner, section, type Region, type Symbol } from "./symbols.ts";
import type { BuiltImage } from "../build/image.ts";
import { GUEST_DIR } from "../build/guests.ts";
import { rel } from "../lib/paths.ts";
import { hypOfRounds, type LatencyRound } from "./parse.ts";
import { BenchError, runRtBesideLines, RT_VM } from "./runs.ts";

/** One tick's window on the RT CPU, from the execution log. */
export interface PathTick {
  /**
   * The RT CPU's instructions from the vector's first block to the handler's first block
   * (not counted): the hypervisor's, and the guest's own if it ran before it unmasked
   * its IRQs (it sleeps in WFI with them masked, and takes them after it wakes).
   */
  own: number;
  /** Of `own`, the guest's (guest-rt's code before its handler). */
  guest: number;
  /** Instructions of the other CPUs that the log shows inside the window (the hypervisor's code only), per CPU. */
  logged: Record<number, number>;
  /** Synchronous exits of the RT CPU inside the window (a trapped WFI, a hypercall). */
  syncExits: number;
  /** The RT CPU had slept in the hypervisor's WFI (the guest's WFI trapped) since the last tick's handler. */
  fromWfi: boolean;
  /** own, per function (the guest's prefixed with "guest-rt "). */
  perFunction: Map<string, number>;
}

export interface PathAddresses {
  /** The emulated CPU the RT vCPU runs on (its QEMU cpu index). */
  cpu: number;
  /** The hypervisor's IRQ and synchronous vectors from a lower EL (lower_irq, lower_sync). */
  vector: number;
  syncVector: number;
  /** guest-rt's IRQ handler, its first instruction. */
  handler: number;
  /** guest-rt's code. */
  guest: { start: number; end: number };
  /** The function that sleeps for a trapped WFI of a vCPU alone on its CPU. */
  wfi: { start: number; end: number };
}

/**
 * The execution log's reading: the RT CPU's windows from the vector to the handler, in
 * order. A window starts at every IRQ exit of the RT CPU (the last one before the handler
 * is the one whose stamp the guest reads: its timer's) and ends at the handler; an IRQ
 * exit that a later one replaces before any handler is counted in `replaced`.
 */
export class PathLog {
  readonly ticks: PathTick[] = [];
  replaced = 0;
  private open: PathTick | null = null;
  private slept = false;
  private readonly blocks: BlockLog;

  constructor(private readonly a: PathAddresses, private readonly syms: Symbol[], private readonly regions: Region[]) {
    this.blocks = new BlockLog((b) => this.run(b));
  }

  line(l: string): void { this.blocks.line(l); }
  end(): void { this.blocks.flush(); }
  get unknownBlocks(): number { return this.blocks.unknown; }

  private run(b: BlockRun): void {
    const a = this.a;
    if (b.cpu !== a.cpu) {
      const w = this.open;
      if (w) w.logged[b.cpu] = (w.logged[b.cpu] ?? 0) + b.instructions;
      return;
    }
    if (b.pc === a.handler) {
      if (this.open) this.ticks.push(this.open);
      this.open = null;
      this.slept = false;
      return;
    }
    if (b.pc >= a.wfi.start && b.pc < a.wfi.end) this.slept = true;
    if (b.pc === a.vector) {
      if (this.open) this.replaced++;
      this.open = { own: 0, guest: 0, logged: {}, syncExits: 0, fromWfi: this.slept, perFunction: new Map() };
    }
    const w = this.open;
    if (!w) return;
    if (b.pc === a.syncVector) w.syncExits++;
    w.own += b.instructions;
    const inGuest = b.pc >= a.guest.start && b.pc < a.guest.end;
    if (inGuest) w.guest += b.instructions;
    const f = owner(b.pc, this.syms, this.regions);
    w.perFunction.set(inGuest ? `guest-rt ${f}` : f, (w.perFunction.get(inGuest ? `guest-rt ${f}` : f) ?? 0) + b.instructions);
  }
}

/** Registers X<n> of an `-d cpu` dump line, by number. */
const REG = /X(\d\d)=([0-9a-f]{16})/g;

export interface StampAddresses {
  cpu: number;
  /** The vector's block after its CNTVCT read: X1 holds the stamp. */
  afterStamp: number;
  /** The handler's block after its CNTVCT read: X0 holds the guest's reading. */
  afterEntry: number;
}

/**
 * The stamp run's reading (`-d exec,cpu`, filtered to the two blocks): each tick's window
 * in counter ticks, the handler's reading minus the last stamp before it, in order. A
 * block traced twice (its run stopped before it began) gives the same registers; the
 * first handler reading after a stamp is the tick's.
 */
export class StampLog {
  readonly windows: number[] = [];
  private at = -1;                      // the block whose registers follow, 0: after stamp, 1: after entry
  private stamp: bigint | null = null;

  constructor(private readonly a: StampAddresses) {}

  line(l: string): void {
    const t = TRACE.exec(l);
    if (t) {
      const pc = parseInt(t[3]!, 16);
      this.at = Number(t[1]) !== this.a.cpu ? -1 : pc === this.a.afterStamp ? 0 : pc === this.a.afterEntry ? 1 : -1;
      return;
    }
    if (this.at < 0) return;
    for (const m of l.matchAll(REG)) {
      const reg = Number(m[1]), v = BigInt(`0x${m[2]}`);
      if (this.at === 0 && reg === 1) { this.stamp = v; this.at = -1; }
      else if (this.at === 1 && reg === 0) {
        if (this.stamp !== null) this.windows.push(Number(v - this.stamp));
        this.stamp = null;
        this.at = -1;
      }
    }
  }
}

// --- the runs and what they show ----------------------------------------------------------

/** guest-rt's warm-up ticks, not sampled (tests/guests/rt/config.h RT_WARMUP_TICKS), and its round (RT_SAMPLES). */
export const RT_WARMUP_TICKS = 10;
export const RT_ROUND = 1000;
/**
 * The log counts from the vector's first instruction to the handler's first; the two
 * CNTVCT reads the guest subtracts are the vector's second instruction and the handler's
 * fourth (sub, stp, isb, mrs): the guest's window is the log's plus 2.
 */
export const STAMP_OFFSET = 2;

/** One tick as both runs saw it: the RT CPU's own instructions and the rest of the window. */
export interface TickSplit {
  /** Index of the tick (handler entries since boot, from 0). */
  index: number;
  /** The guest's window: its reading minus the hypervisor's stamp (the stamp run). */
  total: number;
  /** The RT CPU's own instructions in that window (the path run, + STAMP_OFFSET). */
  own: number;
  /** total - own: the other CPUs' instructions, of which `logged` ran the hypervisor's code. */
  others: number;
  tick: PathTick;
}

export interface RoundSplit {
  /** The guest's round (its index among the run's rounds) and its own hyp line's min/max. */
  round: number;
  guestMin: number;
  guestMax: number;
  ticks: TickSplit[];
}

/**
 * Ticks of `path` and `windows` (the two runs, tick by tick) split into guest rounds
 * `rounds` (indexes among the run's rounds), checked against the guest's own figures for
 * them (`hyp`: its hyp line per round, in the same order): each round's min and max of the
 * stamp run's windows must be the guest's. Throws when they are not: the runs did not line up.
 */
export function splitRounds(path: PathTick[], windows: number[], rounds: number[], hyp: { min: number; max: number; avg: number }[]): RoundSplit[] {
  return rounds.map((round, i) => {
    const from = RT_WARMUP_TICKS + round * RT_ROUND, to = from + RT_ROUND;
    if (to > path.length || to > windows.length) {
      throw new Error(`round ${round}: ticks ${from}..${to - 1} needed, the path run has ${path.length}, the stamp run ${windows.length}`);
    }
    const ticks: TickSplit[] = [];
    for (let k = from; k < to; k++) {
      const own = path[k]!.own + STAMP_OFFSET, total = windows[k]!;
      if (total < own) throw new Error(`tick ${k}: the guest's window (${total}) is shorter than the RT CPU's own path (${own}): the runs do not line up`);
      ticks.push({ index: k, total, own, others: total - own, tick: path[k]! });
    }
    const g = hyp[i]!, totals = ticks.map((t) => t.total);
    const avg = Math.round(totals.reduce((a, b) => a + b, 0) / totals.length);
    if (Math.min(...totals) !== g.min || Math.max(...totals) !== g.max || Math.abs(avg - g.avg) > 1) {
      throw new Error(`round ${round}: the stamp run gives min ${Math.min(...totals)} avg ${avg} max ${Math.max(...totals)}, ` +
        `the guest printed min ${g.min} avg ${g.avg} max ${g.max}: the runs do not line up`);
    }
    return { round, guestMin: g.min, guestMax: g.max, ticks };
  });
}

/** The tick with the least (or most) of `key`, the first of equals. */
export function pick(ticks: TickSplit[], key: (t: TickSplit) => number, most: boolean): TickSplit {
  return ticks.reduce((a, b) => ((most ? key(b) > key(a) : key(b) < key(a)) ? b : a));
}

/** The emulated CPU (QEMU's cpu index, the physical CPU's number) of the rt VM of `img`: its one CPU in the config. */
export function rtCpu(img: BuiltImage): number {
  const vm = img.set.vms.find((v) => v.name === RT_VM);
  if (!vm) throw new Error(`${rel(img.config)}: no VM ${RT_VM}`);
  if (vm.cpus.length !== 1) throw new Error(`${rel(img.config)}: the ${RT_VM} VM runs on CPUs ${vm.cpus.join(", ")}; the profile follows one`);
  return vm.cpus[0]!;
}

/** The addresses the two runs need, from the hypervisor image's and guest-rt's symbols and sections. */
export function rtAddresses(img: BuiltImage, rtCpu: number): { path: PathAddresses; stamp: StampAddresses; syms: Symbol[]; regions: Region[]; filter: string } {
  const guestElf = join(GUEST_DIR, "guest-rt.elf");
  const hyp = imageSymbols(img.elf), guest = imageSymbols(guestElf);
  const at = (list: Symbol[], name: string) => {
    const s = list.find((x) => x.name === name);
    if (!s) throw new Error(`no symbol ${name}`);
    return s.addr;
  };
  const after = (list: Symbol[], addr: number) => Math.min(...list.filter((s) => s.addr > addr).map((s) => s.addr));
  const text = section(img.elf, ".text"), native = nativeRegion(img.elf), g = section(guestElf, ".text");
  const wfi = at(hyp, "wv_sched_wfi"), vector = at(hyp, "lower_irq"), handler = at(guest, "irq_vector_spx_irq");
  const range = (r: { start: number; end: number }) => `0x${r.start.toString(16)}..0x${(r.end - 1).toString(16)}`;
  return {
    path: { cpu: rtCpu, vector, syncVector: at(hyp, "lower_sync"), handler, guest: g, wfi: { start: wfi, end: after(hyp, wfi) } },
    // The blocks after each CNTVCT read (an I/O read ends a block under -icount): the
    // vector's stp and mrs; the handler's sub, stp, isb (a block), then its mrs alone.
    stamp: { cpu: rtCpu, afterStamp: vector + 8, afterEntry: handler + 16 },
    syms: [...hyp, ...guest].sort((a, b) => a.addr - b.addr),
    regions: [native],
    filter: [g, text, native].map(range).join(","),
  };
}

export interface RtProfile {
  /** The rounds the bench takes (after the ready line, the first skipped), tick by tick. */
  rounds: RoundSplit[];
  /** IRQ exits of the RT CPU replaced by another before any handler; blocks the log never listed. */
  replaced: number;
  unknownBlocks: number;
}

/**
 * guest-rt beside Linux in `img` twice, the path run and the stamp run (header comment),
 * on the rt VM's CPU (rtCpu), each until the bench's rounds are in; their ticks split into the RT CPU's own
 * instructions and the other CPUs'.
 */
export async function profileRtRun(img: BuiltImage, readyVm: string, ready: string, timeoutMs: number): Promise<RtProfile> {
  const a = rtAddresses(img, rtCpu(img));
  const dir = mkdtempSync(join(tmpdir(), "wv-rt-profile-"));
  try {
    const pathLog = join(dir, "path.log"), stampLog = join(dir, "stamp.log");
    const hex = (n: number) => `0x${n.toString(16)}`;
    const [p, s] = await Promise.all([
      runRtBesideLines(img, readyVm, ready, timeoutMs, ["-d", "in_asm,exec,nochain", "-D", pathLog, "-dfilter", a.filter]),
      runRtBesideLines(img, readyVm, ready, timeoutMs,
        ["-d", "exec,cpu", "-D", stampLog, "-dfilter", `${hex(a.stamp.afterStamp)}+4,${hex(a.stamp.afterEntry)}+4`]),
    ]);
    // Both runs print the same rounds, as far as both went.
    const text = (rounds: LatencyRound[]) => rounds.map((r) => `${r.min} ${r.avg} ${r.max}`);
    const pt = text(p.rt.rounds), st = text(s.rt.rounds);
    const n = Math.min(pt.length, st.length);
    if (pt.slice(0, n).some((l, i) => l !== st[i])) {
      throw new BenchError(`${rel(img.config)}: the two runs' rounds differ (not deterministic): ${pt.join("; ")} against ${st.join("; ")}`, s.lines);
    }
    const path = new PathLog(a.path, a.syms, a.regions);
    await readLines(pathLog, (l) => path.line(l));
    path.end();
    const stamps = new StampLog(a.stamp);
    await readLines(stampLog, (l) => stamps.line(l));
    const used = p.result.rounds.map((r) => p.rt.rounds.findIndex((x) => x.at === r.at));
    const hyp = hypOfRounds(p.result.rounds, p.rt.rounds, p.rt.hyp);
    return { rounds: splitRounds(path.ticks, stamps.windows, used, hyp), replaced: path.replaced, unknownBlocks: path.unknownBlocks };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The profile as text: per round the guest's figures and its least and worst ticks, split; the paths seen, how often. */
export function describeProfile(name: string, prof: RtProfile): string {
  const out: string[] = [];
  const top = (t: PathTick, n = 8) => [...t.perFunction.entries()].sort((x, y) => y[1] - x[1]).slice(0, n)
    .map(([f, v]) => `${v} ${f}`).join(", ");
  const show = (what: string, t: TickSplit) => {
    const logged = Object.entries(t.tick.logged).map(([c, v]) => `CPU ${c} ${v}`).join(", ") || "none";
    out.push(`  ${what}: tick ${t.index}: window ${t.total} = RT CPU ${t.own} (guest ${t.tick.guest}${t.tick.fromWfi ? ", after a WFI sleep" : ""}` +
      `${t.tick.syncExits ? `, ${t.tick.syncExits} sync exits` : ""}) + other CPUs ${t.others} (in the hypervisor's code: ${logged})`);
    out.push(`      ${top(t.tick)}`);
  };
  out.push(`${name}:`);
  for (const r of prof.rounds) {
    out.push(` round ${r.round}: the guest's hyp latency min ${r.guestMin} max ${r.guestMax}; RT CPU own min ${Math.min(...r.ticks.map((t) => t.own))} ` +
      `max ${Math.max(...r.ticks.map((t) => t.own))}; other CPUs max ${Math.max(...r.ticks.map((t) => t.others))}, in ${r.ticks.filter((t) => t.others > 0).length} of ${r.ticks.length} ticks`);
    show("least", pick(r.ticks, (t) => t.total, false));
    show("worst", pick(r.ticks, (t) => t.total, true));
    const most = pick(r.ticks, (t) => t.others, true);
    if (most.others > 0) show("most of other CPUs", most);
  }
  const kinds = new Map<string, number>();
  for (const t of prof.rounds.flatMap((r) => r.ticks)) {
    const k = `RT CPU ${t.own}${t.tick.fromWfi ? " after a WFI sleep" : ""}${t.tick.guest ? `, ${t.tick.guest} of them the guest's` : ""}`;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  out.push(" paths:");
  for (const [k, v] of [...kinds.entries()].sort((x, y) => y[1] - x[1])) out.push(`  ${String(v).padStart(5)}  ${k}`);
  if (prof.replaced || prof.unknownBlocks) out.push(` ${prof.replaced} IRQ exits replaced before a handler, ${prof.unknownBlocks} blocks without a listing`);
  return out.join("\n") + "\n";
}
