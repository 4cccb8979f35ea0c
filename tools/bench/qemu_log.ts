// QEMU's execution log (`-d in_asm,exec,nochain`), read line by line: each translation
// block's listing once (`IN:` and one `0x...` line per instruction) when it is
// translated, then one `Trace <cpu>: <host> [<cs_base>/<pc>/<flags>/<cflags>]` line each
// time a CPU enters it. Two lines undo part of the Trace line before them:
//   - `Stopped execution of TB chain before <host> [<pc>]`: the block was not run at all
//     (the CPU's instruction budget ran out at its start, or the CPU was asked to leave
//     its turn); it is entered, and traced, again later;
//   - `cpu_io_recompile: rewound execution of TB to <pc>`: an access in the middle of the
//     block was to a device, so the block ran up to that instruction only, and is
//     retranslated from there (a new listing and Trace line follow).
// BlockLog hands every block actually run to a callback with the number of instructions
// run; the reader does not know what a block means, its callers do. The logs run to
// hundreds of MB: readLines streams them.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

/** One block run: which CPU, where it starts, and how many of its instructions ran. */
export interface BlockRun { cpu: number; pc: number; flags: string; instructions: number }

/** A Trace line: 1 the CPU, 2 the host address of the translation, 3 the guest PC, 4 the flags (the exception level among them). */
export const TRACE = /^Trace (\d+): (0x[0-9a-f]+) \[[0-9a-f]+\/([0-9a-f]+)\/([0-9a-f]+)\//;
const STOPPED = /^Stopped execution of TB chain before /;
const REWOUND = /^cpu_io_recompile: rewound execution of TB to ([0-9a-f]+)/;
/** AArch64 instructions are 4 bytes each. */
const INSN_BYTES = 4;

export class BlockLog {
  private readonly sizes = new Map<string, number>();   // host address of a translation -> its instructions
  private listing = -1;                                 // instructions of the listing being read, or -1
  private last: (BlockRun & { host: string }) | null = null;
  /** Trace lines of blocks whose listing the log never showed (translated before logging began). */
  unknown = 0;

  constructor(private readonly run: (b: BlockRun) => void) {}

  line(line: string): void {
    if (line.startsWith("IN:")) { this.listing = 0; return; }
    if (this.listing >= 0 && line.startsWith("0x")) { this.listing++; return; }
    const t = TRACE.exec(line);
    if (t) {
      this.flush();
      const host = t[2]!;
      if (this.listing >= 0) { this.sizes.set(host, this.listing); this.listing = -1; }
      const n = this.sizes.get(host);
      if (n === undefined) { this.unknown++; return; }
      this.last = { cpu: Number(t[1]), host, pc: parseInt(t[3]!, 16), flags: t[4]!, instructions: n };
      return;
    }
    if (STOPPED.test(line)) { this.last = null; return; }
    const r = REWOUND.exec(line);
    if (r && this.last) {
      const ran = (parseInt(r[1]!, 16) - this.last.pc) / INSN_BYTES;
      if (ran >= 0 && ran < this.last.instructions) this.last.instructions = ran;
    }
  }

  /** The last block's run, once nothing in the log can undo it any more (call at the end). */
  flush(): void {
    if (this.last) {
      const { host: _host, ...b } = this.last;
      this.last = null;
      if (b.instructions > 0) this.run(b);
    }
  }
}

/** Reads `file` line by line into `sink` (never the whole log as one string). */
export async function readLines(file: string, sink: (l: string) => void): Promise<void> {
  const rl = createInterface({ input: createReadStream(file, { encoding: "latin1" }), crlfDelay: Infinity });
  for await (const l of rl) sink(l);
}
