// Shared by the tests of vmconfigs/mvm-net.json: boot a machine with the config's QEMU
// arguments ({port} made a free port of 127.0.0.1), wait for the guest's READY line and
// the token it serves, then fetch its page from this machine through QEMU's port
// forward and the virtio-net device, and stop QEMU. Every wait is bounded, and a
// failure says what was waited for, with the console's last lines.
import { connect } from "node:net";
import type { VmSet } from "../../tools/config/index.ts";
import { runQemu, type QemuRun } from "../../tools/run/qemu.ts";
import { runArgs } from "../../tools/run/ports.ts";
import { tail } from "./boot.ts";

export interface NetRun extends QemuRun {
  port: number;
  token: string;
  /** The HTTP response the guest sent, or "" when none came. */
  response: string;
  /** Seconds from QEMU's start to READY mvm-net, and from then to the page. */
  readyS: number;
  fetchS: number;
  /** The further GETs asked for (`again`) that brought the page, and the seconds they took together. */
  againOk: number;
  againS: number;
  /** What went wrong, for the assertion message; "" when the page came. */
  problem: string;
}

/** One HTTP/1.0 GET of `/` from 127.0.0.1:`port`, bounded by `timeoutMs`: the whole response, or an error. */
export function httpGet(port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port });
    let data = "";
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no complete answer within ${timeoutMs} ms (got ${data.length} bytes)`)); },
      timeoutMs);
    s.setEncoding("latin1");
    s.on("connect", () => s.write("GET / HTTP/1.0\r\nHost: mvm\r\n\r\n"));
    s.on("data", (d: string) => { data += d; });
    s.on("end", () => { clearTimeout(timer); resolve(data); });
    s.on("error", (e) => { clearTimeout(timer); reject(e); });
  });
}

/**
 * GET the page until it holds `marker`: up to `attempts` tries, `gapMs` apart, each
 * bounded. QEMU's forward accepts a connection even before the guest listens, so an
 * empty answer is tried again.
 */
export async function fetchMarker(port: number, marker: string, attempts = 10, gapMs = 1000, eachMs = 5000):
  Promise<{ response: string; tries: string[] }> {
  const tries: string[] = [];
  for (let i = 0; i < attempts; i++) {
    try {
      const r = await httpGet(port, eachMs);
      if (r.includes(marker)) return { response: r, tries };
      tries.push(`try ${i + 1}: answer without the marker: ${JSON.stringify(r.slice(0, 200))}`);
    } catch (e) {
      tries.push(`try ${i + 1}: ${e instanceof Error ? e.message : String(e)}`);
    }
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return { response: "", tries };
}

const TOKEN = /mvm-net: httpd serves token ([0-9a-f-]{36}) on tcp port 5000$/;

/**
 * Run QEMU (`machine`, `extra` and the config's own arguments) until the guest serves its
 * page, its token came back over TCP, or `timeoutMs` passed. `prefix` is what the guest's
 * console lines start with ("[mvm] " under the hypervisor, "" directly).
 */
export async function bootAndFetch(set: VmSet, o: {
  elf?: string; machine: string[]; extra?: string[]; prefix: string; timeoutMs: number;
  /** After the first page, GET it this many times more, one after the other (default 0). */
  again?: number;
}): Promise<NetRun> {
  const { args, port } = await runArgs(set);
  if (port === null) throw new Error(`${set.file}: qemu.args have no {port} to forward`);
  const ac = new AbortController();
  let token = "", response = "", problem = "", readyMs = 0, fetchMs = 0, againOk = 0, againMs = 0;
  const t0 = Date.now();
  const fail = (why: string) => { if (!problem) problem = why; ac.abort(); };
  const run = runQemu({
    elf: o.elf, machine: o.machine, extra: [...(o.extra ?? []), ...args], timeoutMs: o.timeoutMs, signal: ac.signal,
    onLine: (line) => {
      if (!line.startsWith(o.prefix)) {
        if (line.startsWith("[wasmvisor] PANIC") || / stopped: |not started:/.test(line)) fail(`the hypervisor said: ${line}`);
        return false;
      }
      const l = line.slice(o.prefix.length);
      const m = TOKEN.exec(l);
      if (m) token = m[1]!;
      if (/Kernel panic/.test(l)) fail(`the guest panicked: ${l}`);
      if (l.startsWith("mvm-net: no eth0") || l.startsWith("mvm-net: httpd did not start")) fail(`the guest said: ${l}`);
      if (l === "READY mvm-net" && !readyMs) {
        readyMs = Date.now() - t0;
        if (!token) { fail("READY mvm-net came without the token line before it"); return false; }
        const marker = `wasmvisor mvm-net ${token}`;
        void fetchMarker(port, marker).then(async ({ response: r, tries }) => {
          fetchMs = Date.now() - t0 - readyMs;
          response = r;
          if (!r) return fail(`no page with the token from 127.0.0.1:${port}:\n  ${tries.join("\n  ")}`);
          const t1 = Date.now();
          for (let i = 0; i < (o.again ?? 0); i++) {
            try { if ((await httpGet(port, 5000)).includes(marker)) againOk++; } catch { /* counted as missing */ }
          }
          againMs = Date.now() - t1;
          fail("");
        });
      }
      return false;
    },
  });
  const r = await run;
  if (!problem && !response) {
    problem = readyMs ? `the page fetch did not end before the run did ("${r.end}")`
      : `waited up to ${o.timeoutMs / 1000} s for "${o.prefix}READY mvm-net"; the run ended "${r.end}" after ${(r.elapsedMs / 1000).toFixed(1)} s`;
  }
  if (problem) problem += `\nconsole:\n${tail(r.lines, 40)}`;
  return { ...r, port, token, response, readyS: readyMs / 1000, fetchS: fetchMs / 1000, againOk, againS: againMs / 1000, problem };
}
