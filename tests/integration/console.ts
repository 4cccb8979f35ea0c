// Shared by the console input tests: boot a VM config and hold a conversation with it
// through QEMU's stdin (the board's UART): steps that type something and wait for a
// console line, or watch that some line does not come. The whole run is bounded by a
// hard timeout; a failure names the step that was waiting and what it waited for.
import { buildImage } from "../../tools/build/image.ts";
import { runQemu, type QemuRun } from "../../tools/run/qemu.ts";
import { tail } from "./boot.ts";

export interface Step {
  /** What the step waits for (or watches), for the failure message. */
  what: string;
  /** Typed when the step starts. */
  type?: string;
  /** The step ends at the first console line for which this holds; without it, once typed. */
  until?: (line: string, all: string[]) => boolean;
  /** A console line for which this holds while the step runs fails the conversation. */
  forbid?: (line: string) => boolean;
}

export interface Conversation extends QemuRun {
  /** "" when every step ended as it should; else what went wrong, with the last console lines. */
  problem: string;
}

const CTRL_A = "\x01";
/** The key sequence (docs/abi.md section 5): Ctrl-A then the VM's index selects it. */
export const selectVm = (index: number) => `${CTRL_A}${index}`;
export const LIST_VMS = `${CTRL_A}?`;
/** What a terminal sends for Enter. */
export const ENTER = "\r";

export async function converse(config: string, steps: Step[], timeoutMs: number): Promise<Conversation> {
  const image = buildImage(config);
  const ac = new AbortController();
  let write: (data: string) => void = () => {};
  let current = -1;
  let problem = "";
  const fail = (why: string) => { if (!problem) problem = why; ac.abort(); };
  const start = (i: number) => {
    current = i;
    if (i >= steps.length) { ac.abort(); return; }
    const s = steps[i];
    if (s.type !== undefined) write(s.type);
    // The next step's bytes follow this one's in order on the same input: no wait needed.
    if (!s.until) queueMicrotask(() => start(i + 1));
  };
  const run = await runQemu({
    elf: image.elf, machine: image.board.qemu, timeoutMs, signal: ac.signal,
    input: (w) => { write = (d) => w(d); start(0); },
    onLine: (line, all) => {
      if (line.startsWith("[wasmvisor] PANIC") || / stopped: |not started:/.test(line)) {
        fail(`the hypervisor said: ${line}`);
        return true;
      }
      const s = steps[current];
      if (!s) return false;
      if (s.forbid?.(line)) { fail(`step ${current + 1} (${s.what}): a line that must not come: ${line}`); return true; }
      if (s.until?.(line, all)) start(current + 1);
      return false;
    },
  });
  if (!problem && current < steps.length) {
    problem = `step ${current + 1} of ${steps.length} waited for ${steps[current].what}; the run ended with "${run.end}" ` +
      `after ${(run.elapsedMs / 1000).toFixed(1)} s (limit ${timeoutMs / 1000} s)`;
  }
  return { ...run, problem: problem ? `${problem}. Last console lines:\n${tail(run.lines, 40)}` : "" };
}
