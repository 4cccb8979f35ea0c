// A conversation with a running machine for tests that go step by step: boot an image
// (with the config's QEMU arguments, {port} a free port of 127.0.0.1), type on the
// console, wait for console lines. Every wait is bounded; a failure names what was
// waited for and shows the console's last lines. stop() ends QEMU.
import { runQemu, type QemuRun } from "../../tools/run/qemu.ts";
import { runArgs } from "../../tools/run/ports.ts";
import type { BuiltImage } from "../../tools/build/image.ts";
import { tail } from "./boot.ts";

export interface Session {
  lines: string[];
  /** The forwarded port of 127.0.0.1 ({port} of the config), or null. */
  port: number | null;
  type(text: string): void;
  /** The index of the first line from `from` on for which `pred` holds; throws after `ms`. */
  waitFor(what: string, pred: (line: string) => boolean, ms: number, from?: number): Promise<number>;
  stop(): Promise<QemuRun>;
}

const FATAL = /^\[wasmvisor\] PANIC|Kernel panic/;

export async function startSession(image: BuiltImage, timeoutMs: number): Promise<Session> {
  const { args, port } = await runArgs(image.set);
  const ac = new AbortController();
  let write: (d: string) => void = () => {};
  let fatal = "";
  const waiters = new Set<() => void>();
  let lines: string[] = [];
  const run = runQemu({
    elf: image.elf, machine: image.board.qemu, extra: args, timeoutMs, signal: ac.signal,
    input: (w) => { write = (d) => w(d); },
    onLine: (line, all) => {
      lines = all;
      if (FATAL.test(line)) fatal = line;
      for (const w of [...waiters]) w();
      return false;
    },
  });
  let ended = "";
  void run.then((r) => { ended = r.end; for (const w of [...waiters]) w(); });
  const waitFor = (what: string, pred: (line: string) => boolean, ms: number, from = 0) =>
    new Promise<number>((resolve, reject) => {
      const check = () => {
        for (let i = from; i < lines.length; i++) if (pred(lines[i]!)) { done(); resolve(i); return; }
        if (fatal || ended) {
          done();
          reject(new Error(`waited for ${what}; ${fatal ? `the machine said: ${fatal}` : `the run ended "${ended}"`}\n${tail(lines, 40)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`waited ${ms / 1000} s for ${what}; it did not come. Last console lines:\n${tail(lines, 40)}`));
      }, ms);
      const done = () => { clearTimeout(timer); waiters.delete(check); };
      waiters.add(check);
      check();
    });
  return {
    get lines() { return lines; },
    port,
    type: (t) => write(t),
    waitFor,
    stop: async () => { ac.abort(); return run; },
  };
}
