// `wasmvisor replay TRACE [--module core.wasm]`: every instance a trace recorded runs again
// in Node (replay.ts) and is compared with the board; prints one line per instance (VM,
// engine, calls, exits by class), the first divergence if any, and the summary
// `replay: N calls, M imports, identical`. Exit status 1 on a divergence.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BUILD, rel } from "../lib/paths.ts";
import { parseTrace, TraceError, type Trace } from "./format.ts";
import { describeDivergence, replayStream, sha256, type StreamResult } from "./replay.ts";

export interface ReplaySummary {
  results: StreamResult[];
  calls: number; imports: number; exits: number;
  identical: boolean;
  /** The lines the command prints. */
  lines: string[];
}

/** The core modules the build makes: the trace's start records say which one ran. */
const BUILT_MODULES = [join(BUILD, "core.wasm"), join(BUILD, "core-v2.wasm")];

/** The module each stream ran: `module` when given, else the built one whose SHA-256 its start record names. */
function modulesFor(module?: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const files = module ? [module] : BUILT_MODULES.filter((f) => existsSync(f));
  for (const f of files) { const b = readFileSync(f); out.set(module ? "given" : sha256(b), b); }
  return out;
}

export function replayTrace(trace: Trace, module?: string): ReplaySummary {
  const mods = modulesFor(module);
  const fallback = mods.values().next().value as Buffer | undefined;
  const results: StreamResult[] = [];
  const lines: string[] = [];
  for (const s of trace.streams) {
    const wasm = module ? mods.get("given") : mods.get(s.start?.sha256 ?? "") ?? fallback;
    if (!wasm) throw new TraceError(`no core module to replay on (give one with --module)`);
    const r = replayStream(trace, s, wasm);
    results.push(r);
    const classes = [...r.classes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ");
    lines.push(`instance ${r.instance} (vm ${r.vm}, ${r.engine}): ${r.calls} calls, ${r.exits} exits` +
      (classes ? ` (${classes})` : "") + `, ${r.imports} imports` + (r.cutShort ? "; the last call was cut short by the board's end, not replayed" : ""));
    if (r.divergence) { lines.push(describeDivergence(r.divergence)); break; }
  }
  const sum = (k: "calls" | "imports" | "exits") => results.reduce((a, r) => a + r[k], 0);
  const identical = results.every((r) => !r.divergence) && results.length === trace.streams.length;
  if (trace.truncatedBytes) lines.push(`the trace ends inside a chunk (${trace.truncatedBytes} bytes left out)`);
  lines.push(`replay: ${sum("calls")} calls, ${sum("imports")} imports, ${identical ? "identical" : "DIVERGED"}` +
    ` (${sum("exits")} exits, ${results.length} instances)`);
  return { results, calls: sum("calls"), imports: sum("imports"), exits: sum("exits"), identical, lines };
}

export function replayCommand(file: string, module?: string): number {
  let trace: Trace;
  try {
    trace = parseTrace(readFileSync(file));
    const s = replayTrace(trace, module);
    for (const l of s.lines) process.stdout.write(l + "\n");
    return s.identical ? 0 : 1;
  } catch (e) {
    if (e instanceof TraceError) { process.stderr.write(`replay: ${rel(file)}: ${e.message}\n`); return 2; }
    throw e;
  }
}
