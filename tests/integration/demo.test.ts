// The default demo: two VMs under stage 2, one of which faults on purpose. The fault
// must stop that VM with a message naming it, the address and the syndrome, while
// the other VM keeps printing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, find, tail, noLine } from "./boot.ts";

const TIMEOUT_MS = 120_000;
/** Ticks the counter VM must print after the other VM's fault. */
const TICKS_AFTER_FAULT = 5;

test("demo: basic VM faults cleanly while the counter VM keeps running", async () => {
  let faultAt = -1;
  let tickAtFault = 0;
  const r = await boot("demo", `the fault report of vm basic, then ${TICKS_AFTER_FAULT} more ticks of vm counter`,
    (line, all) => {
      if (faultAt < 0 && line.startsWith("[wasmvisor] vm basic stopped:")) {
        faultAt = all.length - 1;
        const ticks = all.filter((l) => /^\[counter\] tick \d+$/.test(l));
        tickAtFault = ticks.length ? Number(ticks[ticks.length - 1].split(" ")[2]) : 0;
      }
      const m = /^\[counter\] tick (\d+)$/.exec(line);
      return faultAt >= 0 && m !== null && Number(m[1]) >= tickAtFault + TICKS_AFTER_FAULT;
    }, TIMEOUT_MS);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  assert.ok(find(L, /^\[basic\] hello from vm 0, 1 vCPU/) >= 0, "basic said hello with its VM index" + ctx);
  assert.ok(find(L, /^\[basic\] pattern ok/) >= 0, "basic read its memory pattern back" + ctx);
  assert.ok(find(L, /^\[basic\] READY basic/) >= 0, "basic reached its ready marker" + ctx);
  assert.ok(find(L, /^\[counter\] READY counter/) >= 0, "counter reached its ready marker" + ctx);
  assert.match(L[faultAt], /^\[wasmvisor\] vm basic stopped: data abort at IPA 0x20000000, ESR 0x9[0-9a-f]{7} \(translation fault level \d\)$/,
    "the fault report names the VM, the IPA, the syndrome and the reason" + ctx);
  noLine(L, /still running after the fault/, "basic did not run past its fault");
  noLine(L, /PANIC/, "the hypervisor did not panic");
  // After the fault, no line of vm basic appears: it is stopped, not resumed.
  assert.equal(L.slice(faultAt + 1).filter((l) => l.startsWith("[basic] ")).length, 0, "basic printed nothing after it stopped" + ctx);
  // The counter's ticks are consecutive: it never stalled or went back.
  const ticks = L.filter((l) => /^\[counter\] tick \d+$/.test(l)).map((l) => Number(l.split(" ")[2]));
  ticks.forEach((t, i) => assert.equal(t, i + 1, `tick ${i + 1} in order` + ctx));
});
