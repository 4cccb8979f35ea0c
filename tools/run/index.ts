// `wasmvisor run`: build the image for a VM config and boot it on QEMU.
import { buildImage, type Tier } from "../build/image.ts";
import { runQemu, traceArgs } from "./qemu.ts";
import { waitsFor, observe, missing, PANIC } from "./markers.ts";
import { describeForwards, runArgs } from "./ports.ts";
import { VmStops } from "./stops.ts";

/** The hypervisor's lines for a VM that does not start: its config refused (all VMs), or its core's wv_init. */
const NOT_STARTED = /^\[wasmvisor\] (built-in VM config rejected: |vm \S+ not started: )/;

export interface RunOptions {
  config: string; headless: boolean; timeoutS: number; icount: boolean;
  /** The port {port} of the config's QEMU arguments becomes (default: a free one). */
  port?: number;
  /** The engine of the core (default: native). */
  tier?: Tier;
  /** Record a trace into this file (docs/replay.md): the tracing image, with semihosting on. */
  trace?: string;
}

export async function runCommand(o: RunOptions): Promise<number> {
  const img = buildImage(o.config, { tier: o.tier, trace: o.trace !== undefined });
  const waits = waitsFor(img.set);
  const extra = await runArgs(img.set, o.port);
  let panic = "", notStarted = "";
  const stops = new VmStops(img.set.vms.map((v) => v.name));
  process.stderr.write(`[wasmvisor] booting ${img.set.vms.length} VM(s) on ${img.board.name}: ` +
    `${img.set.vms.map((v) => v.name).join(", ")}` +
    (o.headless ? ` (headless, timeout ${o.timeoutS} s)\n` : ` (Ctrl-C quits)\n`));
  for (const f of describeForwards(extra.forwards)) process.stderr.write(`[wasmvisor] forwarding ${f}\n`);
  const r = await runQemu({
    elf: img.elf,
    machine: img.board.qemu,
    extra: [...extra.args, ...(o.trace !== undefined ? traceArgs(o.trace) : [])],
    icount: o.icount,
    timeoutMs: o.headless ? o.timeoutS * 1000 : 2 ** 31 - 1,
    echo: true,
    interactive: !o.headless,
    onLine: (line) => {
      if (line.startsWith(PANIC)) { panic = line; return true; }
      // A VM that will never print its marker ends a headless run at once, unless a marker asks for that very line.
      if (o.headless && NOT_STARTED.test(line) && !waits.some((w) => line.includes(w.what))) { notStarted = line; return true; }
      if (!o.headless) return false;
      // Every marker seen ends the run; so does every VM stopped, since nothing more can come.
      return observe(waits, line) || stops.observe(line);
    },
  });
  if (!o.headless) return r.end.startsWith("exit") ? 0 : 1;
  const secs = (r.elapsedMs / 1000).toFixed(1);
  if (panic) {
    process.stderr.write(`[wasmvisor] run failed after ${secs} s: the hypervisor panicked: ${panic}\n`);
    return 1;
  }
  if (notStarted) {
    process.stderr.write(`[wasmvisor] run failed after ${secs} s: ${notStarted.replace(/^\[wasmvisor\] /, "")}\n`);
    return 1;
  }
  const left = missing(waits);
  if (left.length === 0) {
    process.stderr.write(`[wasmvisor] run ok: every VM reached its markers (${waits.length} seen) in ${secs} s\n`);
    return 0;
  }
  const why = stops.allStopped() ? `every VM stopped after ${secs} s: ${stops.describe()}`
    : r.end === "timeout" ? `timed out after ${o.timeoutS} s` : `QEMU ended (${r.end}) after ${secs} s`;
  process.stderr.write(`[wasmvisor] run failed: ${why}; never saw:\n` + left.map((m) => `  - ${m}\n`).join(""));
  return 1;
}
