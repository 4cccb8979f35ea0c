// What a headless run waits for: every VM's ready marker on its own console lines
// ("[name] ..."), plus the further lines its config expects anywhere on the console.
// A hypervisor panic ends the wait at once.
import type { VmSet } from "../config/index.ts";

export interface Wait {
  vm: string;
  what: string;
  /** "ready": must appear in a "[vm] " line; "expect": in any line. */
  kind: "ready" | "expect";
  seen: boolean;
}

export function waitsFor(set: VmSet): Wait[] {
  const w: Wait[] = [];
  for (const vm of set.vms) {
    w.push({ vm: vm.name, what: vm.ready, kind: "ready", seen: false });
    for (const e of vm.expect ?? []) w.push({ vm: vm.name, what: e, kind: "expect", seen: false });
  }
  return w;
}

export const PANIC = "[wasmvisor] PANIC";

/** Mark what `line` satisfies; true when everything has been seen. */
export function observe(waits: Wait[], line: string): boolean {
  for (const w of waits) {
    if (w.seen) continue;
    if (w.kind === "ready" ? line.startsWith(`[${w.vm}] `) && line.includes(w.what) : line.includes(w.what)) {
      w.seen = true;
    }
  }
  return waits.every((w) => w.seen);
}

export function missing(waits: Wait[]): string[] {
  return waits.filter((w) => !w.seen).map((w) => `${w.kind === "ready" ? "ready marker" : "expected line"} ` +
    `"${w.what}" of vm ${w.vm}`);
}
