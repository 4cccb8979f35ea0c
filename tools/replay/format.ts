// The trace file (docs/replay.md): what a tracing image writes through semihosting
// (runtime-c/core/trace_out.c, trace_engine.c), read back into per-instance streams of
// calls; and the same format written, for traces made off the board (the tests).
export const TRACE_MAGIC = "WVTR";
export const TRACE_VERSION = 1;

export const REC = { START: 1, CALL: 2, MEMIN: 3, IMPORT: 4, RET: 5, MEMOUT: 6 } as const;
/** A start record's bytes: its type, then the VM (u32), the engine (u8), the module's length (u32) and SHA-256 (32 bytes). */
export const START_BYTES = 42;
/** What follows a start record's type byte. */
const START_BODY = START_BYTES - 1;

export interface ImportName { name: string; sig: string }

/** A stream's first record: which VM the instance acts for and what runs it. */
export interface Start { vm: number; engine: "wasm3" | "native"; wasmLen: number; sha256: string }

export interface MemRange { addr: number; bytes: Buffer }
/** A range read back from a trace: `at`, where its bytes start in the instance's stream. */
export interface TracedRange extends MemRange { at: number }

export interface ImportCall {
  index: number;
  /** Arguments as unsigned 64-bit values (an i32 zero-extended). */
  args: bigint[];
  /** The result as unsigned 64-bit (0 for none). */
  result: bigint;
  /** Wasm memory the import wrote (guest_read), as it was after it. */
  out?: MemRange;
}

/** A call as the trace holds it (what TraceWriter writes). */
export interface CallRecord {
  name: string;
  /** i32 arguments, as signed numbers. */
  args: number[];
  memIn: MemRange[];
  imports: ImportCall[];
  /** Absent when the trace ends inside the call (the board was stopped then). */
  ret?: { trapped: boolean; hasResult: boolean; result: number; error: string };
  memOut: MemRange[];
}

/** A call read back (calls()): numbered, its memory-in ranges with their places in the stream, and where it ends there. */
export interface Call extends CallRecord {
  /** 1-based, per instance. */
  n: number;
  memIn: TracedRange[];
  /** The stream offset just past the call's last record. */
  end: number;
}

/** One chunk of a stream: its bytes' offset in the file and in the stream, and their length. */
export interface Chunk { file: number; stream: number; length: number }

export interface Stream {
  id: number; start?: Start; bytes: Buffer;
  /** Its chunks, in order: where each part of `bytes` lies in the file. */
  chunks: Chunk[];
}

export interface Trace {
  version: number;
  imports: ImportName[];
  /** In the order their first chunk came. */
  streams: Stream[];
  /** Bytes of a last chunk cut short (the board stopped while writing it); 0 normally. */
  truncatedBytes: number;
}

export class TraceError extends Error {}

export function parseTrace(buf: Buffer): Trace {
  if (buf.length < 16 || buf.subarray(0, 4).toString("latin1") !== TRACE_MAGIC) throw new TraceError("not a wasmvisor trace (no WVTR magic)");
  const version = buf.readUInt32LE(4);
  if (version !== TRACE_VERSION) throw new TraceError(`trace format version ${version}; this replay reads ${TRACE_VERSION}`);
  const headerLen = buf.readUInt32LE(8), count = buf.readUInt32LE(12);
  if (headerLen < 16 || headerLen > buf.length) throw new TraceError(`header length ${headerLen} outside the file (${buf.length} bytes)`);
  const strings = buf.subarray(16, headerLen).toString("latin1").split("\0");
  if (strings.length !== 2 * count + 1) throw new TraceError(`header names ${(strings.length - 1) / 2} imports, says ${count}`);
  const imports: ImportName[] = [];
  for (let i = 0; i < count; i++) imports.push({ name: strings[2 * i]!, sig: strings[2 * i + 1]! });
  const parts = new Map<number, { bufs: Buffer[]; chunks: Chunk[]; length: number }>();
  let at = headerLen, truncatedBytes = 0;
  while (at < buf.length) {
    if (at + 8 > buf.length || at + 8 + buf.readUInt32LE(at + 4) > buf.length) { truncatedBytes = buf.length - at; break; }
    const id = buf.readUInt32LE(at), len = buf.readUInt32LE(at + 4);
    let p = parts.get(id);
    if (!p) parts.set(id, p = { bufs: [], chunks: [], length: 0 });
    p.bufs.push(buf.subarray(at + 8, at + 8 + len));
    p.chunks.push({ file: at + 8, stream: p.length, length: len });
    p.length += len;
    at += 8 + len;
  }
  const streams: Stream[] = [];
  for (const [id, p] of parts) {
    const bytes = p.bufs.length === 1 ? p.bufs[0]! : Buffer.concat(p.bufs);
    streams.push({ id, bytes, chunks: p.chunks, start: bytes[0] === REC.START && bytes.length >= START_BYTES ? readStart(bytes) : undefined });
  }
  return { version, imports, streams, truncatedBytes };
}

function readStart(b: Buffer): Start {
  return { vm: b.readUInt32LE(1), engine: b[5] === 1 ? "native" : "wasm3", wasmLen: b.readUInt32LE(6), sha256: b.subarray(10, START_BYTES).toString("hex") };
}

/** Where byte `at` of stream `s` is in the file, and where the chunk holding it ends there. */
export function fileOffset(s: Stream, at: number): { at: number; chunkEnd: number } {
  let lo = 0, hi = s.chunks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1, c = s.chunks[mid]!;
    if (at < c.stream) hi = mid - 1;
    else if (at >= c.stream + c.length) lo = mid + 1;
    else return { at: c.file + (at - c.stream), chunkEnd: c.file + c.length };
  }
  throw new TraceError(`byte ${at} is outside instance ${s.id}'s stream (${s.bytes.length} bytes)`);
}

/** The calls of a stream, in order; a call the trace ends inside comes last, without `ret`. */
export function* calls(s: Stream): Generator<Call> {
  const b = s.bytes;
  let at = 0, n = 0;
  let cur: Call | undefined;
  const need = (k: number, what: string) => {
    if (at + k > b.length) throw new TraceError(`instance ${s.id}: ${what} record cut short at byte ${at} of its stream`);
  };
  const range = (): TracedRange => {
    need(8, "memory");
    const addr = b.readUInt32LE(at), len = b.readUInt32LE(at + 4);
    need(8 + len, "memory");
    const r = { addr, bytes: b.subarray(at + 8, at + 8 + len), at: at + 8 };
    at += 8 + len;
    return r;
  };
  const inCall = (what: string): Call => {
    if (!cur) throw new TraceError(`instance ${s.id}: ${what} record outside any call at byte ${at - 1} of its stream`);
    return cur;
  };
  while (at < b.length) {
    const type = b[at++];
    switch (type) {
      case REC.START: need(START_BODY, "start"); at += START_BODY; break;
      case REC.CALL: {
        if (cur) { cur.end = at - 1; yield cur; }
        need(1, "call");
        const nl = b[at]!;
        need(2 + nl, "call");
        const name = b.subarray(at + 1, at + 1 + nl).toString("latin1");
        const argc = b[at + 1 + nl]!;
        at += 2 + nl;
        need(4 * argc, "call");
        const args: number[] = [];
        for (let k = 0; k < argc; k++) args.push(b.readInt32LE(at + 4 * k));
        at += 4 * argc;
        cur = { n: ++n, name, args, memIn: [], imports: [], memOut: [], end: at };
        break;
      }
      case REC.MEMIN: inCall("memory-in").memIn.push(range()); break;
      case REC.MEMOUT: inCall("memory-out").memOut.push(range()); break;
      case REC.IMPORT: {
        const c = inCall("import");
        need(3, "import");
        const index = b.readUInt16LE(at), argc = b[at + 2]!;
        at += 3;
        need(8 * argc + 16, "import");
        const args: bigint[] = [];
        for (let k = 0; k < argc; k++) args.push(b.readBigUInt64LE(at + 8 * k));
        at += 8 * argc;
        const result = b.readBigUInt64LE(at);
        at += 8;
        const { addr, bytes } = range();
        c.imports.push({ index, args, result, out: bytes.length ? { addr, bytes } : undefined });
        break;
      }
      case REC.RET: {
        const c = inCall("return");
        need(7, "return");
        const flags = b[at]!, result = b.readInt32LE(at + 1), el = b.readUInt16LE(at + 5);
        at += 7;
        need(el, "return");
        c.ret = { trapped: (flags & 1) !== 0, hasResult: (flags & 2) !== 0, result, error: b.subarray(at, at + el).toString("latin1") };
        at += el;
        break;
      }
      default: throw new TraceError(`instance ${s.id}: unknown record type ${type} at byte ${at - 1} of its stream`);
    }
  }
  if (cur) { cur.end = at; yield cur; }
}

/** Writes a trace in the same format (tests; traces made off the board). */
export class TraceWriter {
  private chunks: Buffer[] = [];
  constructor(imports: ImportName[]) {
    const strings = Buffer.from(imports.map((i) => `${i.name}\0${i.sig}\0`).join(""), "latin1");
    const h = Buffer.alloc(16);
    h.write(TRACE_MAGIC, 0, "latin1");
    h.writeUInt32LE(TRACE_VERSION, 4);
    h.writeUInt32LE(16 + strings.length, 8);
    h.writeUInt32LE(imports.length, 12);
    this.chunks.push(h, strings);
  }
  private chunk(id: number, body: Buffer): void {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(id, 0);
    h.writeUInt32LE(body.length, 4);
    this.chunks.push(h, body);
  }
  start(id: number, s: Start): void {
    const b = Buffer.alloc(START_BYTES);
    b[0] = REC.START; b.writeUInt32LE(s.vm, 1); b[5] = s.engine === "native" ? 1 : 0; b.writeUInt32LE(s.wasmLen, 6);
    Buffer.from(s.sha256, "hex").copy(b, 10);
    this.chunk(id, b);
  }
  /** One whole call as one chunk, as the board writes it. */
  call(id: number, c: CallRecord): void {
    const parts: Buffer[] = [];
    const name = Buffer.from(c.name, "latin1");
    const head = Buffer.alloc(3 + name.length + 4 * c.args.length);
    head[0] = REC.CALL; head[1] = name.length; name.copy(head, 2); head[2 + name.length] = c.args.length;
    c.args.forEach((a, k) => head.writeInt32LE(a | 0, 3 + name.length + 4 * k));
    parts.push(head);
    const mem = (type: number, r: MemRange) => {
      const h = Buffer.alloc(9);
      h[0] = type; h.writeUInt32LE(r.addr, 1); h.writeUInt32LE(r.bytes.length, 5);
      parts.push(h, r.bytes);
    };
    for (const r of c.memIn) mem(REC.MEMIN, r);
    for (const i of c.imports) {
      const h = Buffer.alloc(4 + 8 * i.args.length + 16);
      h[0] = REC.IMPORT; h.writeUInt16LE(i.index, 1); h[3] = i.args.length;
      i.args.forEach((a, k) => h.writeBigUInt64LE(a, 4 + 8 * k));
      const p = 4 + 8 * i.args.length;
      h.writeBigUInt64LE(i.result, p);
      h.writeUInt32LE(i.out?.addr ?? 0, p + 8); h.writeUInt32LE(i.out?.bytes.length ?? 0, p + 12);
      parts.push(h);
      if (i.out) parts.push(i.out.bytes);
    }
    if (c.ret) {
      const err = Buffer.from(c.ret.error, "latin1");
      const r = Buffer.alloc(8);
      r[0] = REC.RET; r[1] = (c.ret.trapped ? 1 : 0) | (c.ret.hasResult ? 2 : 0); r.writeInt32LE(c.ret.result | 0, 2); r.writeUInt16LE(err.length, 6);
      parts.push(r, err);
    }
    for (const r of c.memOut) mem(REC.MEMOUT, r);
    this.chunk(id, Buffer.concat(parts));
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
