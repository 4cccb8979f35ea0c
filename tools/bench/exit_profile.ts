// Where an exit's instructions go, function by function: QEMU's execution log of the
// micro-benchmark image (`-d in_asm,exec,nochain`, read by qemu_log.ts: every block run,
// with the instructions that ran) cut into exits, from the lower-EL synchronous vector
// (`lower_sync`) to the first block run at another exception level (the guest again),
// and each block's instructions charged to the function holding it (the image's symbols;
// the native-code area counts as the core). `npx wasmvisor bench --profile-exits` prints
// the breakdown of the most common exits (docs/performance.md).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runQemu } from "../run/qemu.ts";
import type { BuiltImage } from "../build/image.ts";
import { BlockLog, readLines, type BlockRun } from "./qemu_log.ts";
import { imageSymbols, nativeRegion, owner, type Region, type Symbol } from "./symbols.ts";

export interface ExitKind { instructions: number; count: number; perFunction: [string, number][] }

/**
 * The exits in an execution log, fed line by line: per CPU, the blocks from each run of
 * `vector` to the first block at another exception level, charged to their functions.
 */
export class ExitLog {
  /** Each finished exit: function -> its instructions. */
  readonly exits: Map<string, number>[] = [];
  private readonly windows = new Map<number, Map<string, number>>();    // per CPU: the exit being counted
  private readonly el2Flags = new Map<number, string>();
  private readonly syms: Symbol[];
  private readonly blocks = new BlockLog((b) => this.run(b));

  constructor(syms: Symbol[], private readonly regions: Region[], private readonly vector: number) {
    this.syms = [...syms].sort((a, b) => a.addr - b.addr);
  }

  line(l: string): void { this.blocks.line(l); }
  end(): void { this.blocks.flush(); }

  private run(b: BlockRun): void {
    if (b.pc === this.vector) { this.windows.set(b.cpu, new Map()); this.el2Flags.set(b.cpu, b.flags); }
    const w = this.windows.get(b.cpu);
    if (!w) return;
    if (b.flags !== this.el2Flags.get(b.cpu)) { this.exits.push(w); this.windows.delete(b.cpu); return; }
    const f = owner(b.pc, this.syms, this.regions);
    w.set(f, (w.get(f) ?? 0) + b.instructions);
  }

  /** The exits grouped by their instruction count; the `kinds` most common groups with the mean instructions per function, the costliest first. */
  kinds(kinds = 2): ExitKind[] {
    const groups = new Map<number, Map<string, number>[]>();
    for (const w of this.exits) {
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
}

/** The exits of the execution log `logFile` (ExitLog), read as it streams; the `kinds` most common. */
export async function profileExits(logFile: string, syms: Symbol[], regions: Region[], vector: number, kinds = 2): Promise<ExitKind[]> {
  const x = new ExitLog(syms, regions, vector);
  await readLines(logFile, (l) => x.line(l));
  x.end();
  return x.kinds(kinds);
}

/** Run the micro-benchmark image under the log; its two most common exits. */
export async function profileMicro(img: BuiltImage, timeoutMs: number): Promise<ExitKind[]> {
  const dir = mkdtempSync(join(tmpdir(), "wv-exit-profile-"));
  try {
    const logFile = join(dir, "exec.log");
    const r = await runQemu({ elf: img.elf, machine: img.board.qemu, icount: true, timeoutMs,
      extra: ["-d", "in_asm,exec,nochain", "-D", logFile], onLine: (l) => l.includes("BENCH DONE") });
    if (r.end !== "done") throw new Error(`the micro-benchmark image did not finish (${r.end})`);
    const syms = imageSymbols(img.elf);
    const vector = syms.find((s) => s.name === "lower_sync");
    if (!vector) throw new Error("the image has no lower_sync symbol");
    return await profileExits(logFile, syms, [nativeRegion(img.elf)], vector.addr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
