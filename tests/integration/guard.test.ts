// The guard page below each CPU's EL2 stack: a native stack overflow faults on the guard
// and ends in one clear panic line naming the CPU, printed from the CPU's emergency stack
// (docs/architecture.md, "The EL2 stacks"), not in a loop of faults or another CPU's stack.
//
// No core module can overrun an EL2 stack any more: the module check bounds nesting and
// the runtime sizes each module's call-depth limit from its loop nesting. So this test
// builds the one image where a module can: its payload sets wv_core_full_call_depth
// (runtime-c/include/wv_core.h), which gives every module wasm3's full call depth (8,192
// calls) whatever its loops. tests/hostile-core/loop_recursion.ts, which nests as many
// loops as the check lets through (16) around a recursive call, then needs 8,192 × (80 +
// 16 × 48) bytes, over three times the stack. The same module in an ordinary image is
// stopped at its call-depth limit with nothing harmed (loop_recursion.test.ts).
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
/** vm basic's CPU (vmconfigs/demo.json): its first exit recurses there. */
const BASIC_CPU = 1;

test("an EL2 stack overflow hits the guard page and panics naming the CPU", async () => {
  const demo = buildImage("demo");
  const { wasm3Dir } = setup();
  const wasm = join(BUILD, "hostile-loop-recursion.wasm");
  asc(["tests/hostile-core/loop_recursion.ts", "-O3", "--noAssert", "--runtime", "stub", "--initialMemory", "2",
    "--use", "abort=assembly/core/log/coreAbort", "--outFile", wasm]);
  const elf = linkImage("guard", readFileSync(demo.blob), demo.images, wasm3Dir, wasm, demo.board.name, { fullCallDepth: true });
  const r = await runQemu({ elf, machine: demo.board.qemu, timeoutMs: TIMEOUT_MS, onLine: (l) => /PANIC/.test(l) });
  const L = r.lines;
  assert.equal(r.end, "done", `waited for a PANIC line; the run ended "${r.end}":\n${tail(L)}`);
  const panics = L.filter((l) => /PANIC/.test(l));
  assert.match(panics[0]!, new RegExp(`^\\[wasmvisor\\] PANIC: EL2 stack overflow on CPU ${BASIC_CPU}: the guard page below ` +
    `CPU ${BASIC_CPU}'s stack was hit at FAR 0x[0-9a-f]+, ELR 0x[0-9a-f]+$`), tail(L));
});
