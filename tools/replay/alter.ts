// A deliberately altered copy of a trace, for proving that a replay sees a difference
// (tests/integration/replay.test.ts): one byte of the exit record the runtime wrote in
// before one call flipped, the copy ending with the chunk that holds the end of that call
// (a chunk boundary: a well-formed, shorter trace). A replay must report that instance
// diverging at that call, since the core hands back an exit record built from what it was given.
import { calls, fileOffset, parseTrace, TraceError, type Trace } from "./format.ts";
import { EXIT_REC } from "./names.ts";

export interface AlteredTrace {
  bytes: Buffer;
  /** The instance (stream id) and its 1-based call number that were altered. */
  instance: number;
  call: number;
  /** The byte's offset within the exit record. */
  offset: number;
}

/**
 * Flip byte `offset` of the exit record handed to the first `wv_handle_exit` of
 * `instance` at or after call `from`, in `file` (`trace`: the file parsed, when the
 * caller has it). Throws when there is none.
 */
export function alterExitRecord(file: Buffer, instance: number, from: number, offset: number, trace: Trace = parseTrace(file)): AlteredTrace {
  if (!(offset >= 0 && offset < EXIT_REC)) throw new TraceError(`offset ${offset} is outside an exit record (${EXIT_REC} bytes)`);
  const s = trace.streams.find((x) => x.id === instance);
  if (!s) throw new TraceError(`no instance ${instance} in the trace`);
  for (const c of calls(s)) {
    if (c.n < from || c.name !== "wv_handle_exit" || !c.ret) continue;
    const rec = c.memIn.find((r) => r.bytes.length === EXIT_REC);
    if (!rec) continue;
    const at = fileOffset(s, rec.at + offset).at;
    const bytes = Buffer.from(file.subarray(0, fileOffset(s, c.end - 1).chunkEnd));
    bytes[at]! ^= 0xff;
    return { bytes, instance, call: c.n, offset };
  }
  throw new TraceError(`instance ${instance} has no exit record to alter from call ${from} on`);
}
