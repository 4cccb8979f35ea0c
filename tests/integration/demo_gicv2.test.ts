// The default demo (vmconfigs/demo.json) on the GICv2 board: the same two bare-metal VMs,
// which use no interrupt controller, run unchanged when the hypervisor drives a GICv2
// (QEMU virt, gic-version=2) instead of a GICv3. The fault still stops only its own VM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, find, tail, noLine } from "./boot.ts";

const TIMEOUT_MS = 120_000;
const BOARD = "qemu-virt-gicv2";
/** Ticks the counter VM must print after the other VM's fault. */
const TICKS_AFTER_FAULT = 5;

test("demo on the GICv2 board: basic VM faults cleanly while the counter VM keeps running", async () => {
  let faulted = false;
  let ticksAfter = 0;
  const r = await boot("demo", `the fault report of vm basic, then ${TICKS_AFTER_FAULT} more ticks of vm counter`,
    (line) => {
      if (line.startsWith("[wasmvisor] vm basic stopped:")) faulted = true;
      else if (faulted && /^\[counter\] tick \d+$/.test(line)) ticksAfter++;
      return ticksAfter >= TICKS_AFTER_FAULT || line.startsWith("[wasmvisor] PANIC");
    }, TIMEOUT_MS, false, BOARD);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  assert.equal(r.image.board.name, BOARD);
  assert.ok(find(L, new RegExp(`^\\[wasmvisor\\] wasmvisor on ${BOARD}, EL2`)) >= 0, "the runtime came up on the GICv2 board" + ctx);
  assert.ok(find(L, /^\[basic\] READY basic/) >= 0, "basic reached its ready marker" + ctx);
  assert.ok(find(L, /^\[counter\] READY counter/) >= 0, "counter reached its ready marker" + ctx);
  assert.ok(find(L, /^\[wasmvisor\] vm basic stopped: data abort at IPA 0x20000000, ESR 0x9[0-9a-f]{7} \(translation fault level \d\)$/) >= 0,
    "the fault report names the VM, the IPA, the syndrome and the reason" + ctx);
  noLine(L, /PANIC/, "the hypervisor did not panic");
  const ticks = L.filter((l) => /^\[counter\] tick \d+$/.test(l)).map((l) => Number(l.split(" ")[2]));
  ticks.forEach((t, i) => assert.equal(t, i + 1, `tick ${i + 1} in order` + ctx));
});
