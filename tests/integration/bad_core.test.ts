// The security story: a core module that tries to break isolation through the
// runtime's imports gets each attempt refused, and the hypervisor stays up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { buildImage, linkImage } from "../../tools/build/image.ts";
import { setup } from "../../tools/setup/index.ts";
import { asc } from "../../tools/build/core.ts";
import { BUILD } from "../../tools/lib/paths.ts";
import { runQemu } from "../../tools/run/qemu.ts";
import { readFileSync } from "node:fs";
import { tail, noLine } from "./boot.ts";

const TIMEOUT_MS = 60_000;

/** Attempt -> the error docs/abi.md 2 says the runtime answers. */
const EXPECTED: [string, number][] = [
  ["root table", 0],
  ["vcpu_boot before stage 2 is active", -5],
  ["map the hypervisor's memory", -2],
  ["level-2 table", 1],
  ["link it", 0],
  ["map the other VM's memory", -2],
  ["page descriptor written as level 3 into the level-1 root", -1],
  ["unlinked table", 2],
  ["write into an unlinked table", -5],
  ["link the root as a child", -1],
  ["link a level-2 table as level 3", -1],
  ["stray descriptor bits", -1],
  ["IPA space of 48 bits", -1],
  ["guest_write outside the VM", -2],
  ["guest_read past Wasm memory", -1],
  ["image_load of a missing image", -1],
  ["image_load outside the VM", -2],
  ["sysreg_write off the allow-list", -4],
  ["sysreg_write of a vCPU it lacks", -1],
  ["image_load of the other VM's image", -2],
  ["activate stage 2", 0],
  ["change an entry of the active stage 2", -5],
  ["sysreg_write of ESR_EL1 outside an exit", -5],
];

test("a hostile core module cannot map, read or write what its VM does not own", async () => {
  const demo = buildImage("demo");
  const { wasm3Dir } = setup();
  const wasm = join(BUILD, "hostile-core.wasm");
  asc(["tests/hostile-core/index.ts", "-O3", "--noAssert", "--runtime", "stub", "--use", "abort=", "--outFile", wasm]);
  const elf = linkImage("hostile", readFileSync(demo.blob), demo.images, wasm3Dir, wasm, demo.board.name);
  const r = await runQemu({ elf, machine: demo.board.qemu, timeoutMs: TIMEOUT_MS,
    onLine: (l) => /vm counter not started/.test(l) || /PANIC/.test(l) });
  const L = r.lines;
  assert.equal(r.end, "done", `waited for "vm counter not started"; the run ended "${r.end}":\n${tail(L)}`);
  for (const vm of [0, 1]) {
    for (const [what, rc] of EXPECTED) {
      const line = `[hostile] vm ${vm} ${what}: ${rc}`;
      assert.ok(L.includes(line), `expected "${line}"\n${tail(L, 60)}`);
    }
  }
  assert.ok(L.some((l) => /import console_write refused/.test(l)), "an out-of-range console write is refused\n" + tail(L));
  assert.ok(L.includes("[wasmvisor] vm basic not started: the core refused the VM (see its message above)"), tail(L));
  noLine(L, /PANIC/, "the hypervisor did not panic");
});
