// The QEMU arguments of a config for one run: its "qemu.args" with {port} replaced by
// a TCP port of 127.0.0.1 (given, or a free one), and the forwards they set up, which
// the runner prints so that a person or a test can reach a guest service.
import { createServer, type AddressInfo } from "node:net";
import type { VmSet } from "../config/index.ts";
import { expandQemuArgs, hostForwards, usesPort, type HostForward } from "../config/index.ts";

/** `v` (a --port flag's value) as a TCP port number, or an error naming the bad value. */
export function portNumber(v: string | number | boolean): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--port needs a TCP port number 1..65535, got "${v}"`);
  return n;
}

/** A TCP port of 127.0.0.1 that nothing listens on now (the system picks it). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunArgs {
  /** The config's extra QEMU arguments, placeholders filled in. */
  args: string[];
  /** The port {port} became, or null when the config has none. */
  port: number | null;
  /** Its host forwards (hostfwd rules), as they will be set up. */
  forwards: HostForward[];
}

/** The extra QEMU arguments of `set` for a run; `port` fixes {port} (default: a free port). */
export async function runArgs(set: VmSet, port?: number): Promise<RunArgs> {
  const p = usesPort(set.qemuArgs) ? port ?? await freeLoopbackPort() : null;
  const args = expandQemuArgs(set.qemuArgs, p === null ? {} : { port: p });
  return { args, port: p, forwards: hostForwards(args) };
}

/** One line per forward: "127.0.0.1:41234 -> guest tcp port 5000". */
export function describeForwards(f: readonly HostForward[]): string[] {
  return f.map((r) => `${r.hostAddr}:${r.hostPort} -> guest ${r.proto} port ${r.guestPort}`);
}
