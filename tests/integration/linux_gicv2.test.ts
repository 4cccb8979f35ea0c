// Debian's unmodified arm64 Linux in a VM on the GICv2 board (QEMU virt, gic-version=2:
// a GIC-400 as on the Raspberry Pi 4): 2 vCPUs on a virtual GICv2 whose distributor the
// core emulates and whose CPU interface is the board's GICV frame, the virtual timer,
// PSCI CPU_ON, SGIs through GICD_SGIR, a device tree generated from vmconfigs/linux-gicv2.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, find, tail, noLine } from "./boot.ts";

const TIMEOUT_MS = 240_000;

test("Linux boots SMP in a VM on the virtual GICv2 and runs its init", async () => {
  const r = await boot("linux-gicv2", `"[linux] count 3" (Linux up with 2 CPUs, its timer ticking)`,
    (line) => line === "[linux] count 3" || line.startsWith("[wasmvisor] PANIC") || / stopped: /.test(line),
    TIMEOUT_MS);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  assert.equal(r.image.board.name, "qemu-virt-gicv2");
  assert.ok(find(L, /^\[linux\] \[\s*[\d.]+\] Machine model: wasmvisor qemu-virt-gicv2 vm linux$/) >= 0,
    "Linux booted with the generated device tree" + ctx);
  assert.ok(find(L, /^\[linux\] wasmvisor guest linux: 6\.1\.\S+, cpus online 0-1$/) >= 0,
    "both vCPUs came online (PSCI CPU_ON, GICD_SGIR)" + ctx);
  assert.ok(find(L, /^\[linux\] READY linux$/) >= 0, ctx);
  assert.ok(find(L, /^\[linux\] count 3$/) >= 0, "the timer ticks (virtual timer PPI through the GICV frame)" + ctx);
  noLine(L, /PANIC| stopped: |GIC CPU mask not found|not the VM's/, "nothing stopped, panicked or went astray");
});
