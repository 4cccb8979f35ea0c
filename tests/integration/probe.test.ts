// Accesses outside a VM's memory and devices: with "unmapped_access": "external-abort" the
// guest takes a synchronous external abort in its own vector table, as on hardware
// (docs/abi.md section 3, "Faults"), and goes on; with the default the VM is stopped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, find, tail } from "./boot.ts";

const TIMEOUT_MS = 90_000;

test("a probing guest handles its external aborts while a default VM is stopped", async () => {
  const r = await boot("probe", "[probe] probe alive 3 and basic stopped",
    (_line, all) => all.includes("[probe] probe alive 3") && find(all, /^\[wasmvisor\] vm basic stopped:/) >= 0,
    TIMEOUT_MS);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  // EC 0x25 / 0x21: data / instruction abort taken without a change of EL; FSC 0x10:
  // synchronous external abort (ARM ARM D17.2.37); FAR the address, ELR the access.
  const order = [
    "[probe] probe: reading IPA 0x20000000",
    "[probe] probe: data abort EC 0x25 FSC 0x10 FAR 0x20000000 ELR at the access",
    "[probe] probe: calling IPA 0x20000000",
    "[probe] probe: instruction abort EC 0x21 FSC 0x10 FAR 0x20000000 ELR at the access",
    "[probe] probe: 2 aborts handled",
    "[probe] READY probe",
    "[probe] probe alive 1",
  ].map((l) => { const i = L.indexOf(l); assert.ok(i >= 0, `missing "${l}"` + ctx); return i; });
  assert.deepEqual(order, [...order].sort((a, b) => a - b), "lines out of order" + ctx);
  assert.equal(find(L, /vm probe stopped|EXCEPTION|probe: ERROR/), -1, ctx);
  assert.ok(find(L, /^\[wasmvisor\] vm basic stopped: data abort at IPA 0x20000000, ESR 0x9[0-9a-f]{7} \(translation fault level \d\)$/) >= 0, ctx);
  assert.equal(find(L, /still running after the fault/), -1, ctx);
});
