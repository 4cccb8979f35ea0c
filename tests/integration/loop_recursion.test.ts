// Nesting in a core module can no longer overrun an EL2 stack (docs/architecture.md, "The
// EL2 stacks"). A module recursing inside as many nested loops as the module check lets
// through gets its VM stopped at the call-depth limit the runtime sized for it, like any
// deep recursion (recursion.test.ts), while the other VM runs on; a module nesting one
// loop more is refused before wasm3 sees it, naming the function and the nesting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { buildImage, linkImage } from "../../tools/build/image.ts";
import { setup } from "../../tools/setup/index.ts";
import { asc } from "../../tools/build/core.ts";
import { BUILD } from "../../tools/lib/paths.ts";
import { runQemu } from "../../tools/run/qemu.ts";
import { tail, noLine } from "./boot.ts";
import { expectRecursionStopsItsVm } from "./hostile_core.ts";

const TIMEOUT_MS = 120_000;

test("a core module recursing inside 16 nested loops gets its VM stopped at the call-depth limit while the other VM runs on", async () => {
  await expectRecursionStopsItsVm("tests/hostile-core/loop_recursion.ts", "loop-recursion");
});

test("a core module nesting 17 loops is refused at boot, naming the function and the nesting", async () => {
  const demo = buildImage("demo");
  const { wasm3Dir } = setup();
  const wasm = join(BUILD, "hostile-deep-loops.wasm");
  asc(["tests/update-modules/deep_loops.ts", "-O3", "--noAssert", "--runtime", "stub", "--use", "abort=", "--outFile", wasm]);
  const elf = linkImage("deep-loops", readFileSync(demo.blob), demo.images, wasm3Dir, wasm, demo.board.name);
  const refused = (vm: string) => new RegExp(`^\\[wasmvisor\\] vm ${vm} not started: core module refused: function \\d+ ` +
    `nests loops 17 deep at offset 0x[0-9a-f]+, over the limit of 16$`);
  const notStarted = (all: string[], vm: string) => all.some((l) => l.startsWith(`[wasmvisor] vm ${vm} not started: `));
  const r = await runQemu({ elf, machine: demo.board.qemu, timeoutMs: TIMEOUT_MS,
    onLine: (line, all) => /PANIC/.test(line) || (notStarted(all, "basic") && notStarted(all, "counter")) });
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  noLine(L, /PANIC/, "the hypervisor did not panic");
  assert.equal(r.end, "done", `waited for "vm basic not started: ..." and the same for vm counter; the run ended "${r.end}"` + ctx);
  for (const vm of ["basic", "counter"]) assert.ok(L.some((l) => refused(vm).test(l)), `vm ${vm} refused for its nesting` + ctx);
});
