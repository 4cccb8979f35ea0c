// The trace format read back (format.ts) and the replay's verdicts (replay.ts), on traces
// made here: the built core.wasm run in Node against the unit tests' fake host, every
// call and import recorded through TraceWriter as the board records them. The replay of
// such a trace is identical; one byte altered in it makes the replay fail naming the call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildCore } from "../build/core.ts";
import { calls, parseTrace, TraceError, TraceWriter, type CallRecord, type ImportCall, type ImportName } from "./format.ts";
import { replayTrace } from "./index.ts";
import { argList, sha256, u64Of } from "./replay.ts";
import { EXIT_REC } from "./names.ts";
import { signature, wasmInterface } from "../build/wasm_interface.ts";
import { alterExitRecord } from "./alter.ts";
import { parseEl2Lines } from "./el2.ts";
// @ts-expect-error: plain JavaScript without declarations (the core's unit tests' fake host)
import { createFakeHost } from "../../assembly/__tests__/fake_host.js";

const MODULE = buildCore();
const WASM = readFileSync(MODULE);
/** The trace's import list: the core module's imports with their signatures, as the board names them. */
const IMPORTS: ImportName[] = wasmInterface(WASM).imports.filter((i) => i.kind === "func")
  .map((i) => ({ name: i.name, sig: signature(i.type!) }));

/** One VM (as assembly/__tests__/release_smoke.mjs builds it): 128 MiB RAM at 0x40000000, a PL011. */
function smokeBlob(): Buffer {
  const b = Buffer.alloc(16 + 640);
  b.writeUInt32LE(0x46435657, 0); b.writeUInt32LE(1, 4); b.writeUInt32LE(1, 8); b.writeUInt32LE(b.length, 12);
  const vm = 16;
  b.write("smoke", vm, "latin1");
  for (const [off, v] of [[16, 1], [20, 1], [24, 1], [28, 1], [32, 1], [36, 1], [88, 7], [320, 1]] as const) b.writeUInt32LE(v, vm + off);
  for (const [off, v] of [[40, 0x40080000n], [48, 0x40000000n], [64, 0x40000000n], [72, 0x48000000n], [80, 0x08000000n],
    [328, 0x09000000n], [336, 0x1000n], [584, 0x40080000n]] as const) b.writeBigUInt64LE(v, vm + off);
  return b;
}

/** A trace of the core run here: set-up, wv_init, null hypercalls and PL011 writes. */
function recordTrace(): { bytes: Buffer; wasm: Buffer } {
  const wasm = WASM;
  const w = new TraceWriter(IMPORTS);
  const host = createFakeHost();
  let pending: ImportCall[] = [];
  let memory: WebAssembly.Memory;
  const wv: Record<string, (...a: unknown[]) => unknown> = {};
  IMPORTS.forEach((imp, index) => {
    const types = argList(imp.sig), rtype = imp.sig[0]!;
    wv[imp.name] = (...a: unknown[]) => {
      const r = host.imports.wv[imp.name](...a);
      const args = [...types].map((t, k) => u64Of(a[k], t));
      const result = rtype === "v" ? 0n : u64Of(r, rtype);
      const out = imp.name === "guest_read"
        ? { addr: a[1] as number, bytes: Buffer.from(new Uint8Array(memory.buffer, a[1] as number, a[2] as number)) } : undefined;
      pending.push({ index, args, result, out });
      return r;
    };
  });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm), { wv });
  const ex = inst.exports as Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
  memory = ex.memory;
  host.setMemory(ex.memory);
  w.start(1, { vm: 0, engine: "native", wasmLen: wasm.length, sha256: sha256(wasm) });
  const mem = () => Buffer.from(memory.buffer);
  const call = (name: string, args: number[], memIn: CallRecord["memIn"] = [], out?: [number, number]) => {
    pending = [];
    const result = ex[name]!(...args);
    const c = { name, args, memIn, imports: pending, memOut: out ? [{ addr: out[0], bytes: Buffer.from(mem().subarray(out[0], out[0] + out[1])) }] : [],
      ret: { trapped: false, hasResult: result !== undefined, result: result ?? 0, error: "" } };
    w.call(1, c);
    return result;
  };
  call("wv_abi_version", []);
  const rec = call("wv_exit_record", []);
  const blob = smokeBlob();
  const buf = call("wv_buffer", [blob.length]);
  mem().set(blob, buf);
  assert.equal(call("wv_init", [0, buf, blob.length], [{ addr: buf, bytes: blob }]), 0);
  const exit = (esr: bigint, x0: bigint, x1 = 0n, hpfar = 0n) => {
    const r = mem().subarray(rec, rec + EXIT_REC);
    r.writeBigUInt64LE(esr, 264); r.writeBigUInt64LE(x0, 0); r.writeBigUInt64LE(x1, 8); r.writeBigUInt64LE(0x40080000n, 248);
    r.writeBigUInt64LE(hpfar, 280);
    call("wv_handle_exit", [0], [{ addr: rec, bytes: Buffer.from(r) }], [rec, EXIT_REC]);
  };
  const IL = 1n << 25n;
  for (let i = 0; i < 3; i++) exit((0x16n << 26n) | IL, 0xc6000000n);
  for (const ch of "ok\n") exit((0x24n << 26n) | IL | (1n << 24n) | (1n << 16n) | (1n << 6n) | 7n, 0n, BigInt(ch.charCodeAt(0)), (0x09000000n >> 12n) << 4n);
  exit((0x16n << 26n) | IL, 0xc6000001n);
  return { bytes: w.bytes(), wasm };
}

const { bytes } = recordTrace();

test("a trace is read back into its instance's calls, each with its imports and memory", () => {
  const t = parseTrace(bytes);
  assert.equal(t.version, 1);
  assert.deepEqual(t.imports, IMPORTS);
  assert.equal(t.streams.length, 1);
  assert.equal(t.streams[0]!.start?.vm, 0);
  const cs = [...calls(t.streams[0]!)];
  assert.deepEqual(cs.map((c) => c.name).slice(0, 4), ["wv_abi_version", "wv_exit_record", "wv_buffer", "wv_init"]);
  assert.equal(cs.filter((c) => c.name === "wv_handle_exit").length, 7);
  const init = cs[3]!;
  assert.equal(init.memIn[0]!.bytes.length, 656);
  assert.ok(init.imports.some((i) => IMPORTS[i.index]!.name === "s2_activate"), "wv_init activated stage 2");
  assert.ok(cs.every((c) => c.ret && !c.ret.trapped));
});

test("a trace cut short keeps its whole chunks; a foreign file is refused", () => {
  const t = parseTrace(bytes.subarray(0, bytes.length - 5));
  assert.ok(t.truncatedBytes > 0);
  assert.equal([...calls(t.streams[0]!)].length, 10, "the last call's chunk is left out");
  assert.throws(() => parseTrace(Buffer.from("not a trace at all")), TraceError);
  const v2 = Buffer.from(bytes); v2.writeUInt32LE(2, 4);
  assert.throws(() => parseTrace(v2), /version 2/);
});

test("replaying the core's own trace is identical", () => {
  const r = replayTrace(parseTrace(bytes), MODULE);
  assert.ok(r.identical, r.lines.join("\n"));
  assert.equal(r.exits, 7);
  assert.match(r.lines.at(-1)!, /^replay: 11 calls, \d+ imports, identical/);
  assert.match(r.lines[0]!, /HVC64 4, data abort \(lower EL\) 3/);
});

/** The stream offset of the last exit's handed-back x0 (its MEMOUT record is the call's last bytes). */
function lastExitX0(b: Buffer): number {
  return b.length - EXIT_REC;
}

test("one byte of an exit record handed back altered: the replay names the call and the register", () => {
  const bad = Buffer.from(bytes);
  bad[lastExitX0(bad)]! ^= 1;
  const r = replayTrace(parseTrace(bad), MODULE);
  assert.equal(r.identical, false);
  assert.match(r.lines.join("\n"), /divergence in instance 1 \(vm 0\) at call 11, wv_handle_exit\(0\): exit record handed back: x0 is 0x\w+ here, 0x\w+ on the board \[HVC64/);
});

test("an import's recorded argument altered: the replay names the import and both argument lists", () => {
  const t = parseTrace(bytes);
  const w = new TraceWriter(IMPORTS);
  w.start(1, t.streams[0]!.start!);
  for (const c of calls(t.streams[0]!)) {
    const k = c.n === 4 ? c.imports.findIndex((i) => IMPORTS[i.index]!.name === "s2_set_entry") : -1;
    const imports = c.imports.map((i, j) => j === k ? { ...i, args: [...i.args.slice(0, 3), i.args[3]! ^ 0x1000n] } : i);
    w.call(1, { ...c, imports });
  }
  const r = replayTrace(parseTrace(w.bytes()), MODULE);
  assert.equal(r.identical, false);
  assert.match(r.lines.join("\n"), /at call 4, wv_init\(0, \d+, 656\): import \d+ of the call: the core called s2_set_entry\(.*\), on the board s2_set_entry\(/);
});

test("a different result on the board: the replay says which call", () => {
  const t = parseTrace(bytes);
  const w = new TraceWriter(IMPORTS);
  w.start(1, t.streams[0]!.start!);
  for (const c of calls(t.streams[0]!)) w.call(1, c.n === 1 ? { ...c, ret: { ...c.ret!, result: 4 } } : c);
  const r = replayTrace(parseTrace(w.bytes()), MODULE);
  assert.match(r.lines.join("\n"), /at call 1, wv_abi_version\(\): result 3 here, 4 on the board/);
});

test("an exit record handed in altered (alter.ts): that call's byte flipped, the copy ending at a chunk boundary after it, diverging there", () => {
  // Calls 5 to 7 hand in the same exit record three times: the one of the call asked for is altered.
  const before = [...calls(parseTrace(bytes).streams[0]!)];
  assert.ok(before[5]!.memIn[0]!.bytes.equals(before[6]!.memIn[0]!.bytes), "calls 6 and 7 are handed the same record");
  const a = alterExitRecord(bytes, 1, 6, 8);
  assert.equal(a.call, 6, "the first exit from call 6 on");
  const t = parseTrace(a.bytes);
  assert.equal(t.truncatedBytes, 0);
  const after = [...calls(t.streams[0]!)];
  assert.equal(after.length, 6, "the copy ends with the altered call");
  assert.equal([...a.bytes.keys()].filter((i) => a.bytes[i] !== bytes[i]).length, 1, "one byte of the copy differs from the trace");
  assert.equal(after[5]!.memIn[0]!.bytes[8], before[5]!.memIn[0]!.bytes[8]! ^ 0xff, "byte 8 of call 6's exit record, flipped");
  const r = replayTrace(t, MODULE);
  assert.equal(r.identical, false);
  assert.match(r.lines.join("\n"), /divergence in instance 1 \(vm 0\) at call 6, wv_handle_exit\(0\)/);
  assert.throws(() => alterExitRecord(bytes, 1, 100, 8), /no exit record to alter/);
  assert.throws(() => alterExitRecord(bytes, 9, 1, 8), /no instance 9/);
});

test("the replay image's lines are read into one verdict per engine (el2.ts)", () => {
  const ok = [
    "[wasmvisor] replay: /t, 10 bytes, on engines native and wasm3",
    "[wasmvisor] replay: native: 5 calls, 3 exits, 2 imports, identical (1 instances)",
    "[wasmvisor] replay: wasm3: 5 calls, 3 exits, 2 imports, identical (1 instances)",
    "[wasmvisor] replay: end: identical on both engines",
  ];
  const r = parseEl2Lines(ok, "exit 0", 1);
  assert.equal(r.identical, true);
  assert.deepEqual(r.engines.map((e) => [e.engine, e.calls, e.exits, e.imports]), [["native", 5, 3, 2], ["wasm3", 5, 3, 2]]);
  // A run that never reached its last line, or ended otherwise, is not identical.
  assert.equal(parseEl2Lines(ok.slice(0, 3), "timeout", 1).identical, false);
  assert.equal(parseEl2Lines(ok, "exit 1", 1).identical, false);
  const bad = [...ok.slice(0, 1),
    "[wasmvisor] replay: wasm3: divergence in instance 1 (vm 0) at call 4, wv_handle_exit(0): result 1 here, 0 in the recording",
    ok[1]!, ok[2]!.replace("identical", "DIVERGED"), "[wasmvisor] replay: end: DIVERGED"];
  const d = parseEl2Lines(bad, "exit 1", 1);
  assert.equal(d.identical, false);
  assert.equal(d.verdict, "DIVERGED");
  assert.equal(d.divergences.length, 1);
});
