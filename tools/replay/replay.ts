// The host engine: a trace's instances run again in Node on the same core.wasm, every
// `wv` import answered from the trace and checked against it (the import the core calls
// must be the recorded one, with the recorded arguments, in order), every call's result
// and the memory the runtime read back compared (docs/replay.md). The module is
// instantiated through @assemblyscript/loader, as the core's own tools load it.
import { createHash } from "node:crypto";
import { instantiateSync } from "@assemblyscript/loader";
import { calls, type Call, type ImportName, type Stream, type Trace } from "./format.ts";
import { describeExit, EXIT_REC, exitClass, hex, recordField } from "./names.ts";

/** Where the replay of an instance first differed from the board. */
export interface Divergence {
  instance: number; vm: number; call: number; export: string; what: string;
}

export interface StreamResult {
  instance: number; vm: number; engine: string;
  calls: number; imports: number; exits: number;
  /** Exits by class (exitClass). */
  classes: Map<string, number>;
  /** A call the trace ends inside: not replayed. */
  cutShort: boolean;
  divergence?: Divergence;
}

class Diverged extends Error {}

/** An import's argument or result of type `type` ("i", "I") as the trace holds it: unsigned 64-bit. */
export function u64Of(v: unknown, type: string): bigint {
  return type === "I" ? BigInt.asUintN(64, v as bigint) : BigInt((v as number) >>> 0);
}

/** The parameter types of signature `sig`: "iiI" of "i(iiI)". */
export function argList(sig: string): string {
  const m = /^\w\((\w*)\)$/.exec(sig);
  return m ? m[1]! : "";
}

function showArgs(imp: ImportName, args: bigint[]): string {
  return `${imp.name}(${args.map((a) => hex(a)).join(", ")})`;
}

/** The module's SHA-256, as the start record gives it. */
export function sha256(wasm: Buffer): string {
  return createHash("sha256").update(wasm).digest("hex");
}

/** Replay one instance's stream on `wasm`. */
export function replayStream(trace: Trace, s: Stream, wasm: Buffer): StreamResult {
  const vm = s.start?.vm ?? -1;
  const res: StreamResult = {
    instance: s.id, vm, engine: s.start?.engine ?? "?", calls: 0, imports: 0, exits: 0, classes: new Map(), cutShort: false,
  };
  if (!s.start) {
    res.divergence = { instance: s.id, vm, call: 0, export: "-", what: "the stream has no start record" };
    return res;
  }
  if (s.start.sha256 !== sha256(wasm)) {
    res.divergence = { instance: s.id, vm, call: 0, export: "-",
      what: `the board ran another module (SHA-256 ${s.start.sha256.slice(0, 16)}..., ${s.start.wasmLen} bytes); give it with --module` };
    return res;
  }
  let cur: Call | undefined, next = 0;
  let memory: WebAssembly.Memory | undefined;
  const mem = () => new Uint8Array(memory!.buffer);
  const imports: Record<string, (...a: unknown[]) => unknown> = {};
  trace.imports.forEach((imp, index) => {
    const types = argList(imp.sig), rtype = imp.sig[0];
    imports[imp.name] = (...a: unknown[]) => {
      const args = [...types].map((t, k) => u64Of(a[k], t));
      const want = cur!.imports[next];
      if (!want) throw new Diverged(`the core called ${showArgs(imp, args)}, the board's core made no more imports in this call`);
      const wantImp = trace.imports[want.index];
      if (want.index !== index || want.args.length !== args.length || want.args.some((v, k) => v !== args[k]))
        throw new Diverged(`import ${next + 1} of the call: the core called ${showArgs(imp, args)}, on the board ` +
          `${wantImp ? showArgs(wantImp, want.args) : `import #${want.index}`}`);
      next++;
      if (want.out) mem().set(want.out.bytes, want.out.addr);
      if (rtype === "I") return BigInt.asIntN(64, want.result);
      if (rtype === "i") return Number(BigInt.asIntN(32, want.result));
      return undefined;
    };
  });
  const { exports } = instantiateSync(wasm, { wv: imports } as never);
  const ex = exports as unknown as Record<string, unknown>;
  memory = ex.memory as WebAssembly.Memory;
  for (const c of calls(s)) {
    if (!c.ret) { res.cutShort = true; break; }
    const fail = (what: string) => ({ instance: s.id, vm, call: c.n, export: `${c.name}(${c.args.join(", ")})`, what });
    const f = ex[c.name];
    if (typeof f !== "function") { res.divergence = fail(`the module exports no ${c.name}`); break; }
    const isExit = c.name === "wv_handle_exit";
    const exitIn = isExit ? c.memIn.find((r) => r.bytes.length === EXIT_REC)?.bytes : undefined;
    const about = exitIn ? ` [${describeExit(exitIn)}]` : "";
    for (const r of c.memIn) mem().set(r.bytes, r.addr);
    cur = c; next = 0;
    let result: unknown, trapped = false, why = "";
    try {
      result = (f as (...a: number[]) => unknown)(...c.args);
    } catch (e) {
      if (e instanceof Diverged) { res.divergence = fail(e.message + about); break; }
      trapped = true; why = (e as Error).message;
    }
    res.calls++;
    res.imports += next;
    if (exitIn) {
      res.exits++;
      const k = exitClass(exitIn);
      res.classes.set(k, (res.classes.get(k) ?? 0) + 1);
    }
    if (trapped !== c.ret.trapped) {
      res.divergence = fail(trapped ? `the core trapped here (${why}), not on the board${about}` : `the core trapped on the board (${c.ret.error}), not here${about}`);
      break;
    }
    if (next < c.imports.length) {
      const w = c.imports[next]!, imp = trace.imports[w.index];
      res.divergence = fail(`the core made ${next} imports, the board's ${c.imports.length}: the next was ` +
        `${imp ? showArgs(imp, w.args) : `import #${w.index}`}${about}`);
      break;
    }
    if (!trapped && c.ret.hasResult && ((result as number) | 0) !== c.ret.result) {
      res.divergence = fail(`result ${(result as number) | 0} here, ${c.ret.result} on the board${about}`);
      break;
    }
    if (!trapped) {
      const m = mem();
      const bad = c.memOut.map((r) => {
        const here = Buffer.from(m.subarray(r.addr, r.addr + r.bytes.length));
        const i = here.findIndex((v, k) => v !== r.bytes[k]);
        return i < 0 && here.length === r.bytes.length ? undefined : { r, here, i: i < 0 ? here.length : i };
      }).find((d) => d);
      if (bad) {
        if (isExit && bad.r.bytes.length === EXIT_REC) {
          const fld = recordField(bad.i);
          const val = (b: Buffer) => fld.size === 8 ? hex(b.readBigUInt64LE(fld.at)) : hex(b.readUInt32LE(fld.at));
          res.divergence = fail(`exit record handed back: ${fld.name} is ${val(bad.here)} here, ${val(bad.r.bytes)} on the board${about}`);
        } else {
          res.divergence = fail(`memory the runtime reads back (${bad.r.bytes.length} bytes at ${hex(bad.r.addr)}) differs ` +
            `at byte ${bad.i}: ${hex(bad.here[bad.i] ?? 0)} here, ${hex(bad.r.bytes[bad.i] ?? 0)} on the board${about}`);
        }
        break;
      }
    }
  }
  return res;
}

export function describeDivergence(d: Divergence): string {
  return `replay: divergence in instance ${d.instance} (vm ${d.vm}) at call ${d.call}, ${d.export}: ${d.what}`;
}
