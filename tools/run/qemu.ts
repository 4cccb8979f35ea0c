// QEMU as the board: boots an image, hands every console line to a watcher, and is
// always bounded by a timeout (the watcher decides when a run has seen enough).
import { spawn } from "node:child_process";

export interface QemuRun {
  /** Every console line, in order, without the trailing CR/LF. */
  lines: string[];
  /** Why the run ended: "done" (the watcher said so), "timeout", or "exit <code>". */
  end: string;
  elapsedMs: number;
}

export interface QemuOptions {
  /** What -kernel loads (the hypervisor image, or a Linux Image booted directly); none when absent. */
  elf?: string;
  /** Machine arguments from the board description (boards/<name>/board.json "qemu"). */
  machine: string[];
  /** -icount shift=0: 1 ns of virtual time per instruction (for benchmarks). */
  icount?: boolean;
  timeoutMs: number;
  /** Called per line; return true when the run has seen what it waited for. */
  onLine?: (line: string, all: string[]) => boolean;
  /** Copy the console to this process's stdout as it arrives. */
  echo?: boolean;
  /** Forward this process's stdin to the console (interactive runs). */
  interactive?: boolean;
  extra?: string[];
}

export function qemuArgs(o: QemuOptions): string[] {
  return [
    ...o.machine,
    ...(o.icount ? ["-icount", "shift=0,sleep=off"] : []),
    "-display", "none", "-monitor", "none", "-serial", "stdio",
    ...(o.elf ? ["-kernel", o.elf] : []),
    ...(o.extra ?? []),
  ];
}

export function runQemu(o: QemuOptions): Promise<QemuRun> {
  return new Promise((resolvePromise) => {
    const t0 = Date.now();
    const child = spawn("qemu-system-aarch64", qemuArgs(o), {
      stdio: [o.interactive ? "inherit" : "ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    let partial = "";
    let finished = false;
    const finish = (end: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill("SIGKILL");
      if (partial) lines.push(partial);
      resolvePromise({ lines, end, elapsedMs: Date.now() - t0 });
    };
    const timer = setTimeout(() => finish("timeout"), o.timeoutMs);
    child.stdout.setEncoding("latin1");
    child.stdout.on("data", (chunk: string) => {
      if (o.echo) process.stdout.write(chunk.replace(/\r/g, ""));
      partial += chunk;
      let nl: number;
      while ((nl = partial.indexOf("\n")) >= 0) {
        const line = partial.slice(0, nl).replace(/\r/g, "");
        partial = partial.slice(nl + 1);
        lines.push(line);
        if (!finished && o.onLine && o.onLine(line, lines)) finish("done");
      }
    });
    let err = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c: string) => { err += c; });
    child.on("error", (e) => { lines.push(`qemu: ${e.message}`); finish("exit 127"); });
    child.on("exit", (code) => {
      if (err.trim()) for (const l of err.trim().split("\n")) lines.push(`qemu: ${l}`);
      finish(`exit ${code}`);
    });
  });
}
