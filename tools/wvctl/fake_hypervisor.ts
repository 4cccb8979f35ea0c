// A stand-in for the hypervisor's side of the management channel, for host tests of
// wvctl (mvm/wvctl): wvctl, built for this machine, runs with WVCTL_FD=3, a socket
// whose other end is here; each request frame it sends is parsed and handed to the
// test, which answers with whatever bytes it likes (good frames, bad ones, nothing).
import { spawn } from "node:child_process";
import type { Duplex } from "node:stream";

export const REQ_MAGIC = 0x51525657; // "WVRQ"
export const RSP_MAGIC = 0x53525657; // "WVRS"
export const HDR_LEN = 16;

export const CMD = { list: 1, info: 2, stop: 3, start: 4, reset: 5, version: 6, update: 7, rollback: 8, log: 9 } as const;

export interface Request {
  /** Every byte of the frame as it came. */
  raw: Buffer;
  magic: number; command: number; flags: number; len: number; id: number;
  payload: Buffer;
}

/** A frame: the 16-byte header (little-endian) then the payload. */
export function frame(magic: number, command: number, word: number, id: number, payload: Buffer | string): Buffer {
  const p = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  const h = Buffer.alloc(HDR_LEN);
  h.writeUInt32LE(magic, 0);
  h.writeUInt16LE(command, 4);
  h.writeUInt16LE(word, 6);
  h.writeUInt32LE(p.length, 8);
  h.writeUInt32LE(id, 12);
  return Buffer.concat([h, p]);
}

/** The answer to `req`: status (0 ok) and text. */
export function answer(req: Request, status: number, text: string): Buffer {
  return frame(RSP_MAGIC, req.command, status, req.id, text);
}

/** What the test does with a request: write to `ch` (or not), end it (or not). */
export type Handler = (req: Request, ch: Duplex) => void;

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The requests wvctl sent, whole frames only. */
  requests: Request[];
  /** Bytes wvctl sent that make no whole frame. */
  leftover: Buffer;
  ms: number;
}

/** Run `bin args` with the fake on fd 3; `handler` sees each whole request frame. */
export function runWvctl(bin: string, args: string[], handler: Handler, env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(bin, args, {
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", WVCTL_FD: "3", ...env },
    });
    const ch = child.stdio[3] as Duplex;
    const out: Buffer[] = [], err: Buffer[] = [];
    const requests: Request[] = [];
    let buf = Buffer.alloc(0);
    child.stdout!.on("data", (d: Buffer) => out.push(d));
    child.stderr!.on("data", (d: Buffer) => err.push(d));
    ch.on("error", () => { /* wvctl went away first: seen in its exit */ });
    ch.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= HDR_LEN && buf.length >= HDR_LEN + buf.readUInt32LE(8)) {
        const len = buf.readUInt32LE(8);
        const raw = buf.subarray(0, HDR_LEN + len);
        buf = buf.subarray(HDR_LEN + len);
        const req: Request = { raw, magic: raw.readUInt32LE(0), command: raw.readUInt16LE(4), flags: raw.readUInt16LE(6), len,
          id: raw.readUInt32LE(12), payload: raw.subarray(HDR_LEN) };
        requests.push(req);
        handler(req, ch);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      ch.destroy();
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), requests,
        leftover: buf, ms: Date.now() - t0 });
    });
  });
}

/** A handler that answers every request with `status` and `text`. */
export function answering(status: number, text: string): Handler {
  return (req, ch) => { ch.write(answer(req, status, text)); };
}
