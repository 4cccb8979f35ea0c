// `wasmvisor replay TRACE --at-el2`: the trace replayed at EL2 on both engines, the core's
// native part and wasm3 (docs/replay.md, "Replay at EL2"). Boots the replay image
// (buildReplayImage: the built core module, no VM) under QEMU with the trace file as the
// semihosting command line (traceArgs); the runtime reads the file, replays every instance
// on both engines, prints per instance and per engine, and ends QEMU with its verdict:
// status 0 identical, 1 diverged, 2 the trace could not be replayed.
import { existsSync } from "node:fs";
import { buildReplayImage } from "../build/image.ts";
import { runQemu, traceArgs } from "../run/qemu.ts";

/** One engine's summary line: `[wasmvisor] replay: native: N calls, M exits, K imports, identical (I instances)`. */
export interface EngineTally {
  engine: string; calls: number; exits: number; imports: number; identical: boolean; instances: number;
}

export interface El2Replay {
  /** The runtime's `[wasmvisor] replay:` lines, in order. */
  lines: string[];
  /** Every console line (QEMU's own included), for a failure's tail. */
  all: string[];
  /** Per engine (native, wasm3), when the runtime got as far as its summary. */
  engines: EngineTally[];
  /** The divergence lines, each naming engine, instance, call and what differed. */
  divergences: string[];
  /** The last line's verdict: "identical on both engines", "DIVERGED", ...; "" when it never came. */
  verdict: string;
  identical: boolean;
  /** How QEMU ended ("exit 0", "timeout", ...). */
  end: string;
  elapsedMs: number;
}

const SUMMARY = /^\[wasmvisor\] replay: (native|wasm3): (\d+) calls, (\d+) exits, (\d+) imports, (identical|DIVERGED) \((\d+) instances\)$/;
const END = /^\[wasmvisor\] replay: end: (.*)$/;

/** Parse the replay image's console. */
export function parseEl2Lines(all: string[], end: string, elapsedMs: number): El2Replay {
  const lines = all.filter((l) => l.startsWith("[wasmvisor] replay:"));
  const engines: EngineTally[] = [];
  for (const l of lines) {
    const m = SUMMARY.exec(l);
    if (m) engines.push({ engine: m[1]!, calls: +m[2]!, exits: +m[3]!, imports: +m[4]!, identical: m[5] === "identical", instances: +m[6]! });
  }
  const verdict = lines.map((l) => END.exec(l)?.[1]).filter((v) => v !== undefined).at(-1) ?? "";
  const divergences = lines.filter((l) => / divergence in instance | not loaded: /.test(l));
  const identical = verdict === "identical on both engines" && end === "exit 0" && engines.length === 2
    && engines.every((e) => e.identical) && divergences.length === 0;
  return { lines, all, engines, divergences, verdict, identical, end, elapsedMs };
}

/** Replay `file` at EL2; `timeoutMs` bounds the run (it ends by itself at the runtime's last line). */
export async function replayAtEl2(file: string, o: { timeoutMs?: number; echo?: boolean } = {}): Promise<El2Replay> {
  if (!existsSync(file)) throw new Error(`no trace file ${file}`);
  const img = buildReplayImage();
  const run = await runQemu({
    elf: img.elf, machine: img.board.qemu, timeoutMs: o.timeoutMs ?? 1_800_000, extra: traceArgs(file), echo: o.echo,
  });
  return parseEl2Lines(run.lines, run.end, run.elapsedMs);
}

/**
 * The CLI's run: the console as it comes (QEMU's own messages, which are not the console,
 * after it on stderr); exit status 0 identical, 1 diverged, 2 otherwise.
 */
export async function replayAtEl2Command(file: string, timeoutMs?: number): Promise<number> {
  const r = await replayAtEl2(file, { timeoutMs, echo: true });
  for (const l of r.all) if (l.startsWith("qemu: ")) process.stderr.write(l + "\n");
  if (r.identical) return 0;
  if (!r.verdict) process.stderr.write(`replay --at-el2: the replay image ended (${r.end}) without its last line\n`);
  return r.verdict === "DIVERGED" ? 1 : 2;
}
