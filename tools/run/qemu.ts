// QEMU as the board: boots an image, hands every console line to a watcher, and is
// always bounded by a timeout (the watcher decides when a run has seen enough).
import { spawn } from "node:child_process";
import { resolve } from "node:path";

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
  /**
   * Type on the console: called once QEMU has started, with a function that writes bytes to
   * its stdin (the board's UART receives them). For a caller that talks to the guest (a
   * test); not with `interactive`.
   */
  input?: (write: (data: string | Uint8Array) => void) => void;
  extra?: string[];
  /** Ends the run ("done") when aborted: for a caller that decides outside onLine (a test talking to the guest). */
  signal?: AbortSignal;
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

/**
 * QEMU's arguments for an image built with tracing (docs/replay.md): semihosting on, for
 * EL2's HLT #0xF000 to reach the host, and the trace file's absolute path as the
 * semihosting command line, which the runtime reads to open it. Without them the image's
 * first record would be an undefined instruction at EL2.
 */
export function traceArgs(file: string): string[] {
  const path = resolve(file);
  // QEMU's option syntax: a comma inside a value is written twice.
  return ["-semihosting-config", `enable=on,target=native,arg=${path.replace(/,/g, ",,")}`];
}

export function runQemu(o: QemuOptions): Promise<QemuRun> {
  if (o.interactive && o.input) throw new Error("runQemu: input and interactive both take QEMU's stdin; give one");
  return new Promise((resolvePromise) => {
    const t0 = Date.now();
    const child = o.input
      ? spawn("qemu-system-aarch64", qemuArgs(o), { stdio: ["pipe", "pipe", "pipe"] })
      : spawn("qemu-system-aarch64", qemuArgs(o), { stdio: [o.interactive ? "inherit" : "ignore", "pipe", "pipe"] });
    const lines: string[] = [];
    let partial = "";
    let finished = false;
    // QEMU must not outlive this process (it may hold a forwarded port): killed when this
    // process exits or is told to stop, before the signal takes its usual course.
    const killChild = () => { if (child.exitCode === null) child.kill("SIGKILL"); };
    const onSignal = (sig: NodeJS.Signals) => {
      killChild();
      unhook();
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    const unhook = () => {
      process.off("exit", killChild);
      for (const sig of ["SIGTERM", "SIGHUP"] as const) process.off(sig, onSignal);
    };
    process.on("exit", killChild);
    for (const sig of ["SIGTERM", "SIGHUP"] as const) process.on(sig, onSignal);
    const finish = (end: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      unhook();
      killChild();
      if (partial) lines.push(partial);
      resolvePromise({ lines, end, elapsedMs: Date.now() - t0 });
    };
    const timer = setTimeout(() => finish("timeout"), o.timeoutMs);
    if (o.input && child.stdin) {
      const stdin = child.stdin;
      stdin.on("error", () => { /* QEMU gone: the run ends through "exit" */ });
      o.input((data) => { if (!finished && !stdin.destroyed) stdin.write(typeof data === "string" ? Buffer.from(data, "latin1") : data); });
    }
    if (o.signal?.aborted) finish("done");
    o.signal?.addEventListener("abort", () => finish("done"), { once: true });
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
