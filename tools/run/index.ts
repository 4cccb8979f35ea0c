// `wasmvisor run`: build the image for a VM config and boot it on QEMU.
import { buildImage } from "../build/image.ts";
import { runQemu } from "./qemu.ts";
import { waitsFor, observe, missing, PANIC } from "./markers.ts";

export interface RunOptions { config: string; headless: boolean; timeoutS: number; icount: boolean }

export async function runCommand(o: RunOptions): Promise<number> {
  const img = buildImage(o.config);
  const waits = waitsFor(img.set);
  let panic = "";
  process.stderr.write(`[wasmvisor] booting ${img.set.vms.length} VM(s) on ${img.board.name}: ` +
    `${img.set.vms.map((v) => v.name).join(", ")}` +
    (o.headless ? ` (headless, timeout ${o.timeoutS} s)\n` : ` (Ctrl-C quits)\n`));
  const r = await runQemu({
    elf: img.elf,
    machine: img.board.qemu,
    icount: o.icount,
    timeoutMs: o.headless ? o.timeoutS * 1000 : 2 ** 31 - 1,
    echo: true,
    interactive: !o.headless,
    onLine: (line) => {
      if (line.startsWith(PANIC)) { panic = line; return true; }
      return o.headless && observe(waits, line);
    },
  });
  if (!o.headless) return r.end.startsWith("exit") ? 0 : 1;
  const secs = (r.elapsedMs / 1000).toFixed(1);
  if (panic) {
    process.stderr.write(`[wasmvisor] run failed after ${secs} s: the hypervisor panicked: ${panic}\n`);
    return 1;
  }
  const left = missing(waits);
  if (left.length === 0) {
    process.stderr.write(`[wasmvisor] run ok: every VM reached its markers (${waits.length} seen) in ${secs} s\n`);
    return 0;
  }
  const why = r.end === "timeout" ? `timed out after ${o.timeoutS} s` : `QEMU ended (${r.end}) after ${secs} s`;
  process.stderr.write(`[wasmvisor] run failed: ${why}; never saw:\n` + left.map((m) => `  - ${m}\n`).join(""));
  return 1;
}
