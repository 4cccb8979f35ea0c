// The guard page below each CPU's EL2 stack: a native stack overflow that got past the
// bound on wasm3's call depth (tests/hostile-core/loop_recursion.ts: recursion inside
// nested loops) faults on the guard and ends in one clear panic line naming the CPU,
// printed from the CPU's emergency stack (docs/architecture.md, "The EL2 stacks").
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { buildImage, linkImage } from "../../tools/build/image.ts";
import { setup } from "../../tools/setup/index.ts";
import { asc } from "../../tools/build/core.ts";
import { BUILD } from "../../tools/lib/paths.ts";
import { runQemu } from "../../tools/run/qemu.ts";
import { tail } from "./boot.ts";

const TIMEOUT_MS = 60_000;
/** The VMs are created on the boot CPU, so wv_init's recursion runs there. */
const BOOT_CPU = 0;

test("an EL2 stack overflow hits the guard page and panics naming the CPU", async () => {
  const demo = buildImage("demo");
  const { wasm3Dir } = setup();
  const wasm = join(BUILD, "hostile-loop-recursion.wasm");
  asc(["tests/hostile-core/loop_recursion.ts", "--optimizeLevel", "0", "--runtime", "stub", "--use", "abort=", "--outFile", wasm]);
  const elf = linkImage("guard", readFileSync(demo.blob), demo.images, wasm3Dir, wasm, demo.board.name);
  const r = await runQemu({ elf, machine: demo.board.qemu, timeoutMs: TIMEOUT_MS, onLine: (l) => /PANIC/.test(l) });
  const L = r.lines;
  assert.equal(r.end, "done", `waited for a PANIC line; the run ended "${r.end}":\n${tail(L)}`);
  const panics = L.filter((l) => /PANIC/.test(l));
  assert.match(panics[0]!, new RegExp(`^\\[wasmvisor\\] PANIC: EL2 stack overflow on CPU ${BOOT_CPU}: the guard page below ` +
    `CPU ${BOOT_CPU}'s stack was hit at FAR 0x[0-9a-f]+, ELR 0x[0-9a-f]+$`), tail(L));
});
