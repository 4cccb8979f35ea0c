// Isolation: VMs that send SGIs to CPUs they do not have, write another VM's RAM or
// read another VM's device are stopped with the address named (or, for SGIs, the
// architectural answer: nothing happens); the other VMs go on, and the RT guest, which
// counts any interrupt that is not its timer, sees none.
import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, find, tail, noLine } from "./boot.ts";

const TIMEOUT_MS = 90_000;

test("a VM cannot reach another VM's memory, device or CPUs", async () => {
  let stops = 0;
  const r = await boot("isolation", "both isolation VMs stopped, then [counter] tick 10 and an [rt] latency round",
    (line, all) => {
      if (/^\[wasmvisor\] vm iso-(write|device) stopped:/.test(line)) stops++;
      return stops === 2 && all.includes("[counter] tick 10") && all.some((l) => l.startsWith("[rt] rt latency ns:"));
    }, TIMEOUT_MS);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  for (const vm of ["iso-write", "iso-device"]) {
    assert.ok(L.includes(`[${vm}] isolation: 64 SGIs to CPUs this VM does not have, still running`), `${vm} survived its SGIs` + ctx);
  }
  assert.ok(find(L, /^\[wasmvisor\] vm iso-write stopped: data abort at IPA 0x50000000, ESR 0x9[0-9a-f]{7} \(translation fault level \d\)$/) >= 0, ctx);
  assert.ok(find(L, /^\[wasmvisor\] vm iso-device stopped: data abort at IPA 0xa003e00, ESR 0x9[0-9a-f]{7} \(translation fault level \d\)$/) >= 0, ctx);
  noLine(L, /still running after touching/, "no isolation VM ran past its forbidden access");
  noLine(L, /[1-9]\d* spurious interrupt|PANIC|\[rt\] rt: ERROR/, "no stray interrupt reached the RT guest");
});
