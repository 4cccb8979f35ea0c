// A deliberately altered copy of a trace, for proving that a replay sees a difference
// (tests/integration/replay.test.ts): one byte of the exit record the runtime wrote in
// before one call flipped, the copy ending with the chunk that holds that call (a chunk
// boundary: a well-formed, shorter trace). A replay must report that instance diverging
// at that call, since the core hands back an exit record built from what it was given.
import { calls, parseTrace, TraceError } from "./format.ts";

export interface AlteredTrace {
  bytes: Buffer;
  /** The instance (stream id) and its 1-based call number that were altered. */
  instance: number;
  call: number;
  /** The byte's offset within the 320-byte exit record. */
  offset: number;
}

const EXIT_REC = 320;

/**
 * Flip byte `offset` of the exit record handed to the first `wv_handle_exit` of
 * `instance` at or after call `from`. Throws when there is none.
 */
export function alterExitRecord(file: Buffer, instance: number, from: number, offset: number): AlteredTrace {
  const trace = parseTrace(file);
  const s = trace.streams.find((x) => x.id === instance);
  if (!s) throw new TraceError(`no instance ${instance} in the trace`);
  for (const c of calls(s)) {
    if (c.n < from || c.name !== "wv_handle_exit" || !c.ret) continue;
    const rec = c.memIn.find((r) => r.bytes.length === EXIT_REC);
    if (!rec) continue;
    // The MEMIN record as the file holds it: type, address, length, bytes.
    const head = Buffer.alloc(9);
    head[0] = 3;
    head.writeUInt32LE(rec.addr, 1);
    head.writeUInt32LE(EXIT_REC, 5);
    const needle = Buffer.concat([head, rec.bytes]);
    const at = file.indexOf(needle);
    if (at < 0 || file.indexOf(needle, at + 1) >= 0) continue;     // not found once: try the next call
    const headerLen = file.readUInt32LE(8);
    let end = headerLen;
    while (end <= at) end += 8 + file.readUInt32LE(end + 4);
    const bytes = Buffer.from(file.subarray(0, end));
    bytes[at + 9 + offset] ^= 0xff;
    return { bytes, instance, call: c.n, offset };
  }
  throw new TraceError(`instance ${instance} has no exit record to alter from call ${from} on`);
}
