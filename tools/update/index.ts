// `wasmvisor update FILE`: hand a core module file to the running demo's hypervisor
// through the management VM (docs/wvctl.md, "From the host"): POSTed to the MVM's
// httpd, which runs `wvctl update` with it; prints what the hypervisor reported.
import { readFileSync, statSync } from "node:fs";
import { postModule, type MvmTarget } from "./client.ts";
import { discoverMvm, type Forward } from "./discover.ts";
import { WASM_MAGIC, WVM_MAGIC } from "../sign/format.ts";
import { portNumber } from "../run/ports.ts";

/** The most a request to the hypervisor carries (docs/wvctl.md, "Protocol"). */
export const MAX_MODULE = 4 << 20;
const DEFAULT_TIMEOUT_S = 60;

/** The file's bytes, or an error saying why it cannot be a module file. */
export function readModule(file: string): Buffer {
  let size: number;
  try { size = statSync(file).size; } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (size === 0 || size > MAX_MODULE) throw new Error(`${file}: ${size} bytes; a module file has 1 to ${MAX_MODULE}`);
  const data = readFileSync(file);
  const starts = (m: Buffer) => data.length >= m.length && data.subarray(0, m.length).equals(m);
  if (!starts(WVM_MAGIC) && !starts(WASM_MAGIC)) {
    throw new Error(`${file}: neither a signed module (.wvm, starts with "WVMOD\\0" "1\\n") nor a Wasm module (\\0asm)`);
  }
  return data;
}

/**
 * Where the MVM's httpd is: --port (and --host, default 127.0.0.1), or without --port
 * the forward of the one running QEMU that has one to the MVM (`discover`).
 */
export function target(flags: Record<string, string | boolean>, discover: () => Forward = discoverMvm): MvmTarget {
  const timeoutMs = (flags.timeout === undefined ? DEFAULT_TIMEOUT_S : Number(flags.timeout)) * 1000;
  if (flags.port === undefined) {
    const f = discover();
    return { host: typeof flags.host === "string" ? flags.host : f.host, port: f.port, timeoutMs };
  }
  const port = portNumber(flags.port);
  return { host: typeof flags.host === "string" ? flags.host : "127.0.0.1", port, timeoutMs };
}

/** Exit code: 0 when the hypervisor took the module; wvctl's code (1 refused, 3 channel) or 1 otherwise. */
export async function updateCommand(args: string[], flags: Record<string, string | boolean>,
  out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  if (args.length !== 1) throw new Error(`update takes one module file, got ${args.length} arguments`);
  const t = target(flags);
  const module = readModule(args[0]!);
  const a = await postModule(t, module);
  const text = a.text.endsWith("\n") || a.text === "" ? a.text : `${a.text}\n`;
  if (a.status === 200) {
    out.write(text);
    return 0;
  }
  err.write(text || `wasmvisor: the MVM answered HTTP ${a.status} with no text\n`);
  if (a.exit === null) err.write(`wasmvisor: HTTP ${a.status} from http://${t.host}:${t.port} (not the MVM's wvctl?)\n`);
  return a.exit !== null && a.exit > 0 ? a.exit : 1;
}
