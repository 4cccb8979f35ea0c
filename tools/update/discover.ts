// Which 127.0.0.1 port reaches the management VM's httpd when `wasmvisor update` is
// given no --port: the runner lets the system pick a free port unless told one, so
// the command looks for it where it is set, in the command line of the running QEMU
// (its hostfwd rule to the MVM's TCP port 5000, tools/run/ports.ts).
import { readdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { hostForwards } from "../config/index.ts";

/** The MVM's httpd port (tools/build/guest-init.sh, the mvm workload). */
export const MVM_HTTP_PORT = 5000;

export interface Forward { host: string; port: number; pid: number }

/** The argument lists of the running processes whose program is a qemu-system-*, with their pids. */
export function qemuCommandLines(procDir = "/proc"): { pid: number; argv: string[] }[] {
  const out: { pid: number; argv: string[] }[] = [];
  let entries: string[];
  try { entries = readdirSync(procDir); } catch { return out; }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let raw: string;
    try { raw = readFileSync(`${procDir}/${e}/cmdline`, "latin1"); } catch { continue; } // gone meanwhile, or not ours to read
    const argv = raw.split("\0").filter((a, i, all) => i < all.length - 1 || a !== "");
    if (argv.length > 0 && basename(argv[0]!).startsWith("qemu-system-")) out.push({ pid: Number(e), argv });
  }
  return out;
}

/** The TCP forwards to the guest's port `guestPort` in those command lines. */
export function forwardsTo(lines: readonly { pid: number; argv: string[] }[], guestPort = MVM_HTTP_PORT): Forward[] {
  const out: Forward[] = [];
  for (const l of lines) {
    for (const f of hostForwards(l.argv)) {
      if (f.proto !== "tcp" || Number(f.guestPort) !== guestPort || !/^\d+$/.test(f.hostPort)) continue;
      out.push({ host: f.hostAddr === "" || f.hostAddr === "0.0.0.0" ? "127.0.0.1" : f.hostAddr, port: Number(f.hostPort), pid: l.pid });
    }
  }
  return out;
}

/** The one running QEMU's forward to the MVM's httpd, or an error saying why there is not exactly one. */
export function discoverMvm(lines = qemuCommandLines()): Forward {
  const found = forwardsTo(lines);
  const hint = "the runner prints it as `[wasmvisor] forwarding 127.0.0.1:N -> guest tcp port 5000`";
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw new Error(`no running QEMU forwards a port to the MVM's port ${MVM_HTTP_PORT} (is the demo running? \`npm start\`); ` +
      `or give --port N (${hint})`);
  }
  throw new Error(`${found.length} running QEMUs forward a port to guest port ${MVM_HTTP_PORT} ` +
    `(${found.map((f) => `${f.host}:${f.port} pid ${f.pid}`).join(", ")}): say which with --port N`);
}
