// Where an exit's instructions go, function by function: QEMU's execution log of the
// micro-benchmark image (`-d in_asm,exec,nochain`: each translation block once with its
// instructions, then one line per block executed) cut into exits, from the lower-EL
// synchronous vector (`lower_sync`) to the first block run at another exception level
// (the guest again), and each block's instructions charged to the function holding it
// (the image's symbols; the native-code area counts as the core). `npx wasmvisor bench
// --profile-exits` prints the breakdown of the most common exits (docs/performance.md).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../lib/proc.ts";
import { runQemu } from "../run/qemu.ts";
import type { BuiltImage } from "../build/image.ts";

export interface Symbol { addr: number; name: string }
/** Executable addresses that are not in the symbol table: the native part's area. */
export interface Region { start: number; end: number; name: string }
export interface ExitKind { instructions: number; count: number; perFunction: [string, number][] }

/** The function holding `pc`. */
export function owner(pc: number, syms: Symbol[], regions: Region[]): string {
  for (const r of regions) if (pc >= r.start && pc < r.end) return r.name;
  let lo = 0, hi = syms.length - 1, best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (syms[mid]!.addr <= pc) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return best < 0 ? "?" : syms[best]!.name;
}

/**
 * The exits of `cpu` in `log`, grouped by their instruction count; the `kinds` most common
 * groups with the mean instructions per function, the costliest first.
 */
export function profileExits(log: string, syms: Symbol[], regions: Region[], vector: number, kinds = 2): ExitKind[] {
  const sorted = [...syms].sort((a, b) => a.addr - b.addr);
  const blocks = new Map<string, number>();   // host address of a translation -> its instructions
  const windows = new Map<number, Map<string, number>>();    // per CPU: the exit being counted
  const el2Flags = new Map<number, string>();
  const exits: Map<string, number>[] = [];
  let pending = -1;
  for (const line of log.split("\n")) {
    if (line.startsWith("IN:")) { pending = 0; continue; }
    if (pending >= 0 && line.startsWith("0x")) { pending++; continue; }
    const t = /^Trace (\d+): (0x[0-9a-f]+) \[[0-9a-f]+\/([0-9a-f]+)\/([0-9a-f]+)\//.exec(line);
    if (!t) continue;
    const cpu = Number(t[1]), host = t[2]!, pc = parseInt(t[3]!, 16), flags = t[4]!;
    if (pending >= 0) { blocks.set(host, pending); pending = -1; }
    const n = blocks.get(host);
    if (n === undefined) continue;
    if (pc === vector) { windows.set(cpu, new Map()); el2Flags.set(cpu, flags); }
    const w = windows.get(cpu);
    if (!w) continue;
    if (flags !== el2Flags.get(cpu)) { exits.push(w); windows.delete(cpu); continue; }
    const f = owner(pc, sorted, regions);
    w.set(f, (w.get(f) ?? 0) + n);
  }
  const groups = new Map<number, Map<string, number>[]>();
  for (const w of exits) {
    const total = [...w.values()].reduce((a, b) => a + b, 0);
    groups.set(total, [...(groups.get(total) ?? []), w]);
  }
  return [...groups.entries()].sort((a, b) => b[1].length - a[1].length).slice(0, kinds).map(([instructions, ws]) => {
    const sum = new Map<string, number>();
    for (const w of ws) for (const [f, n] of w) sum.set(f, (sum.get(f) ?? 0) + n);
    const perFunction = [...sum.entries()].map(([f, n]): [string, number] => [f, n / ws.length]).sort((a, b) => b[1] - a[1]);
    return { instructions, count: ws.length, perFunction };
  });
}

/** The image's functions, from its symbol table. */
export function imageSymbols(elf: string): Symbol[] {
  return run("aarch64-linux-gnu-nm", ["-n", "--defined-only", elf]).stdout.split("\n")
    .map((l) => /^([0-9a-f]+) [tTwW] (\S+)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ addr: parseInt(m[1]!, 16), name: m[2]! }));
}

/** Run the micro-benchmark image under the log and print its two most common exits. */
export async function profileMicro(img: BuiltImage, timeoutMs: number): Promise<ExitKind[]> {
  const dir = mkdtempSync(join(tmpdir(), "wv-exit-profile-"));
  try {
    const logFile = join(dir, "exec.log");
    const r = await runQemu({ elf: img.elf, machine: img.board.qemu, icount: true, timeoutMs,
      extra: ["-d", "in_asm,exec,nochain", "-D", logFile], onLine: (l) => l.includes("BENCH DONE") });
    if (r.end !== "done") throw new Error(`the micro-benchmark image did not finish (${r.end})`);
    const syms = imageSymbols(img.elf);
    const all = run("aarch64-linux-gnu-nm", [img.elf]).stdout;
    const at = (name: string) => { const m = new RegExp(`^([0-9a-f]+) \\S ${name}$`, "m").exec(all); return m ? parseInt(m[1]!, 16) : undefined; };
    const start = at("__native_start"), end = at("__native_end");
    const regions = start !== undefined && end !== undefined ? [{ start, end, name: "core (native code)" }] : [];
    const vector = syms.find((s) => s.name === "lower_sync");
    if (!vector) throw new Error("the image has no lower_sync symbol");
    return profileExits(readFileSync(logFile, "utf8"), syms, regions, vector.addr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
