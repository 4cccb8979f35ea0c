// A hostile core module in VM basic of the demo (the other VMs on the real core): what
// the runs of recursion.test.ts and loop_recursion.test.ts share.
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { buildImage, linkImage } from "../../tools/build/image.ts";
import { setup } from "../../tools/setup/index.ts";
import { asc } from "../../tools/build/core.ts";
import type { Tier } from "../../tools/build/image.ts";
import { BUILD } from "../../tools/lib/paths.ts";
import { runQemu } from "../../tools/run/qemu.ts";
import { tail, noLine, find, engineLine } from "./boot.ts";

const TIMEOUT_MS = 120_000;
/** Ticks the counter VM must print after the recursing VM was stopped. */
const TICKS_AFTER_STOP = 5;
/** The trap each engine reports when a core recurses without end. */
const TRAP: Record<Tier, RegExp> = {
  wasm3: /^\[wasmvisor\] vm basic: the core trapped handling an exit \(call depth limit reached: the core recursed too deep\)/,
  native: /^\[wasmvisor\] vm basic: the core trapped handling an exit \(native code trapped: call stack exhausted\)/,
};

/**
 * Build the demo with `source` (tests/hostile-core/) as VM basic's core, run it, and check
 * that the core's recursion ends in a Wasm trap that stops vm basic only: no panic, basic
 * parked and silent after the trap, vm counter ticking on. On the native tier the module
 * is translated and compiled like the real core, and its call-depth limit is what traps.
 */
export async function expectRecursionStopsItsVm(source: string, name: string, tier: Tier = "wasm3"): Promise<void> {
  const demo = buildImage("demo");
  const { wasm3Dir } = setup();
  const wasm = join(BUILD, `hostile-${name}.wasm`);
  asc([source, "-O3", "--noAssert", "--runtime", "stub", "--initialMemory", "2",
    "--use", "abort=assembly/core/log/coreAbort", "--outFile", wasm]);
  const elf = linkImage(`${name}-${tier}`, readFileSync(demo.blob), demo.images, wasm3Dir, wasm, demo.board.name,
    { native: tier === "native" });
  let stopAt = -1;
  let tickAtStop = 0;
  const r = await runQemu({ elf, machine: demo.board.qemu, timeoutMs: TIMEOUT_MS,
    onLine: (line, all) => {
      if (/PANIC/.test(line)) return true;
      if (stopAt < 0 && TRAP[tier].test(line)) {
        stopAt = all.length - 1;
        const ticks = all.filter((l) => /^\[counter\] tick \d+$/.test(l));
        tickAtStop = ticks.length ? Number(ticks[ticks.length - 1]!.split(" ")[2]) : 0;
      }
      const m = /^\[counter\] tick (\d+)$/.exec(line);
      return stopAt >= 0 && m !== null && Number(m[1]) >= tickAtStop + TICKS_AFTER_STOP;
    } });
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  noLine(L, /PANIC/, "the hypervisor did not panic");
  assert.ok(find(L, engineLine(tier)) >= 0, `the core ran on the ${tier} tier` + ctx);
  assert.equal(r.end, "done", `waited for the trap of vm basic's core, then ${TICKS_AFTER_STOP} more ticks of vm counter; ` +
    `the run ended "${r.end}"` + ctx);
  assert.ok(find(L, /^\[wasmvisor\] vm basic: all vCPUs parked \(core trapped\)$/) > stopAt, "vm basic was stopped" + ctx);
  assert.equal(L.slice(stopAt + 1).filter((l) => l.startsWith("[basic] ")).length, 0, "basic printed nothing after it stopped" + ctx);
}
