// What a fuzz run watches on the console: the fuzz guest's progress (its own count of
// the exits it caused), the neighbours' health, and anomalies. Pure: lines and the
// host time they came at go in, figures and anomalies come out (watch.test.ts).

/** The hypervisor's lines at boot, which say nothing about the guests' behaviour. */
const BOOT_LINE = /^\[wasmvisor\] (wasmvisor on |core module |core runs native |core runs in wasm3 \(the image has no native part\)|vm \S+: ready, entry |vm \S+ created: |console input -> )/;
/**
 * Notices the ABI documents for what a guest does (docs/abi.md 3, 4, 6; docs/wvctl.md):
 * expected of a hostile guest, once per kind. More than FLOOD_LIMIT lines of one kind
 * (numbers aside) is a flood.
 */
const GUEST_NOTICE = [
  /: unknown hypercall 0x[0-9a-f]+/,
  /: more unknown hypercalls, not reported$/,
  /: unknown SMC function 0x[0-9a-f]+/,
  /: virtio-console/,
  /: channel answers dropped: the guest reads none$/,
  /: restarted from its images$/,
];
/**
 * Notices the hypervisor prints at most once a second, however often the guest causes
 * them (docs/abi.md 6): fine while they keep to that rate, an anomaly when two come
 * closer (a little under a second apart, for the console's own delay).
 */
const RATE_LIMITED = [/^\[wasmvisor\] vm (\S+): management request \d+ refused \(not the management VM\)(; \d+ more refused before it)?$/];
export const RATE_LIMIT_MS = 900;
/** The ABI's own bound on one kind of notice: unknown hypercall IDs, at most 8 reported. */
export const FLOOD_LIMIT = 8;
const PROGRESS = /^fuzz: actions (\d+) exits (\d+) aborts (\d+) undefs (\d+) irqs (\d+) cpu_on (\d+)$/;
const DONE = /^fuzz: done (\d+) actions$/;
const TICK = /^tick (\d+)$/;
const RT_ROUND = /^rt latency ns: min (\d+) avg (\d+) max (\d+)/;
const RT_BAD = /^rt: (\d+) overrun\(s\), (\d+) spurious interrupt\(s\)/;

export interface Anomaly { kind: string; line: string; atMs: number }

export interface Neighbour { vm: string; ticks: number; maxGapMs: number; lastMs: number }

export interface WatchOptions {
  fuzzVm: string; counters: string[]; rts: string[];
  /** A neighbour's tick gap above this is an anomaly (ms of host time: without -icount the virtual counter follows it). */
  maxGapMs: number;
  /**
   * RT rounds with overruns are anomalies only when asked: under QEMU's TCG on a loaded host
   * the RT guest overruns with a fuzz guest that does not trap at all (docs/testing.md).
   * Spurious interrupts and RT errors always are.
   */
  rtOverruns: boolean;
}

export class FuzzWatch {
  readonly anomalies: Anomaly[] = [];
  readonly neighbours = new Map<string, Neighbour>();
  actions = 0; exits = 0; aborts = 0; undefs = 0; irqs = 0; cpuOn = 0;
  done = false;
  rtRounds = 0; rtMaxNs = 0; rtOverruns = 0; rtWorstOverruns = 0;
  /** Host time of the fuzz guest's last progress line (its READY before the first). */
  lastProgressMs = -1;
  firstProgressMs = -1;
  exitsAtFirst = 0;
  lastAction = "";
  doneMs = -1;
  private kinds = new Map<string, number>();
  /** When each rate-limited notice (by kind and VM) was last printed. */
  private rateLast = new Map<string, number>();
  private ticksAtDone = new Map<string, number>();

  /** Neighbours that have not ticked `n` times since the fuzz guest's done line. */
  quietSinceDone(n: number): string[] {
    return [...this.neighbours.values()].filter((v) => v.ticks - (this.ticksAtDone.get(v.vm) ?? 0) < n).map((v) => v.vm);
  }

  constructor(private o: WatchOptions) {
    for (const vm of o.counters) this.neighbours.set(vm, { vm, ticks: 0, maxGapMs: 0, lastMs: -1 });
  }

  private anomaly(kind: string, line: string, atMs: number): void {
    this.anomalies.push({ kind, line, atMs });
  }

  /** One console line at host time `ms` (from the run's start). */
  line(l: string, ms: number): void {
    if (l.startsWith("[wasmvisor] ")) return this.hypervisorLine(l, ms);
    const m = /^\[([a-z0-9_-]+)\] (.*)$/.exec(l);
    if (!m) return;
    const [, vm, text] = m;
    if (vm === this.o.fuzzVm) return this.fuzzLine(text!, l, ms);
    const n = this.neighbours.get(vm!);
    const t = n && TICK.exec(text!);
    if (n && t) {
      if (n.lastMs >= 0) {
        const gap = ms - n.lastMs;
        if (gap > n.maxGapMs) n.maxGapMs = gap;
        if (gap > this.o.maxGapMs) this.anomaly(`vm ${vm}: ${gap} ms between ticks`, l, ms);
      }
      n.ticks++;
      n.lastMs = ms;
      return;
    }
    if (this.o.rts.includes(vm!)) {
      const r = RT_ROUND.exec(text!);
      if (r) { this.rtRounds++; this.rtMaxNs = Math.max(this.rtMaxNs, Number(r[3])); return; }
      const b = RT_BAD.exec(text!);
      if (b) {
        const over = Number(b[1]), spurious = Number(b[2]);
        this.rtOverruns += over;
        this.rtWorstOverruns = Math.max(this.rtWorstOverruns, over);
        if (spurious > 0 || this.o.rtOverruns) this.anomaly(`vm ${vm}: RT round with ${over} overrun(s), ${spurious} spurious interrupt(s)`, l, ms);
        return;
      }
      if (/ERROR/.test(text!)) this.anomaly(`vm ${vm}: RT guest error`, l, ms);
    }
  }

  private fuzzLine(text: string, l: string, ms: number): void {
    const p = PROGRESS.exec(text);
    if (p) {
      [this.actions, this.exits, this.aborts, this.undefs, this.irqs, this.cpuOn] = p.slice(1).map(Number) as
        [number, number, number, number, number, number];
      if (this.firstProgressMs < 0) { this.firstProgressMs = ms; this.exitsAtFirst = this.exits; }
      this.lastProgressMs = ms;
      return;
    }
    if (text === "READY fuzz") { this.lastProgressMs = ms; return; }
    if (text.startsWith("fuzz: action ")) { this.lastAction = text.slice("fuzz: ".length); this.lastProgressMs = ms; return; }
    if (DONE.test(text)) {
      this.done = true;
      this.doneMs = ms;
      for (const n of this.neighbours.values()) this.ticksAtDone.set(n.vm, n.ticks);
      return;
    }
    if (/^fuzz: ERROR|^EXCEPTION: |guest stopped/.test(text)) this.anomaly(`vm ${this.o.fuzzVm}: the guest reports`, l, ms);
  }

  private hypervisorLine(l: string, ms: number): void {
    if (BOOT_LINE.test(l)) return;
    if (l.startsWith("[wasmvisor] PANIC")) return this.anomaly("hypervisor panic", l, ms);
    if (/^\[wasmvisor\] vm \S+ stopped: /.test(l)) return this.anomaly("a VM was stopped", l, ms);
    for (const re of RATE_LIMITED) {
      const m = re.exec(l);
      if (!m) continue;
      const key = `${re.source} ${m[1]}`;
      const last = this.rateLast.get(key);
      if (last !== undefined && ms - last < RATE_LIMIT_MS) this.anomaly(`not rate-limited: ${ms - last} ms after the last line of its kind`, l, ms);
      this.rateLast.set(key, ms);
      return;
    }
    const kind = l.replace(/0x[0-9a-f]+|\d+/g, "N");
    const seen = (this.kinds.get(kind) ?? 0) + 1;
    this.kinds.set(kind, seen);
    if (!GUEST_NOTICE.some((re) => re.test(l))) {
      if (seen === 1) this.anomaly("hypervisor warning", l, ms);
      return;
    }
    if (seen === FLOOD_LIMIT + 1) this.anomaly(`console flood: more than ${FLOOD_LIMIT} lines of one kind`, l, ms);
  }

  /** Checks that need time to pass: the fuzz guest frozen for `frozenMs` of host time at `now`. */
  frozen(now: number, frozenMs: number): boolean {
    return !this.done && this.lastProgressMs >= 0 && now - this.lastProgressMs > frozenMs;
  }

  /** The exits per second between the first and the last progress line (host time). */
  exitsPerSecond(): number {
    const ms = this.lastProgressMs - this.firstProgressMs;
    return ms > 0 ? ((this.exits - this.exitsAtFirst) * 1000) / ms : 0;
  }
}
