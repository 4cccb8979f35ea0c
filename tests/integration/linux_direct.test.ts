// The Linux guest without the hypervisor: Debian's kernel and the initramfs the build
// makes, booted straight on QEMU virt (GICv3, 2 CPUs, TCG). Proves the guest software
// on its own: first with QEMU's device tree, then with the one the tools generate for
// vmconfigs/linux.json (handed over by QEMU with -dtb), then with that VM's whole
// layout loaded the way the core loads it (images at their IPAs, x0 = device tree).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { prepareVmSet } from "../../tools/build/image.ts";
import { BUILD, ROOT } from "../../tools/lib/paths.ts";
import { runQemu, type QemuRun } from "../../tools/run/qemu.ts";
import { directBootArgs } from "../../tools/run/direct.ts";
import { tail, noLine } from "./boot.ts";

/** The kernel boots in 2-5 s under TCG; a loaded machine may take much longer. */
const TIMEOUT_MS = 90_000;
const MACHINE = ["-M", "virt,gic-version=3", "-cpu", "cortex-a72", "-smp", "2", "-m", "512"];
const BOOTARGS = "console=ttyAMA0 rdinit=/init wv.workload=counter";
const WANT = ["READY linux", "cpus online 0-1", "count 2"] as const;

/** Boot with `args` until every line of WANT was seen; fails naming what never came. */
async function bootUntilCounting(what: string, elf: string | undefined, machine: string[], extra: string[]): Promise<QemuRun & { readyS: number }> {
  const seen = new Set<string>();
  let readyMs = 0;
  const t0 = Date.now();
  const r = await runQemu({
    elf, machine, extra, timeoutMs: TIMEOUT_MS,
    onLine: (line) => {
      for (const w of WANT) {
        if (!seen.has(w) && line.includes(w)) {
          seen.add(w);
          if (w === "READY linux") readyMs = Date.now() - t0;
        }
      }
      return seen.size === WANT.length || /Kernel panic/.test(line);
    },
  });
  const missing = WANT.filter((w) => !seen.has(w));
  assert.deepEqual(missing, [], `${what}: waited up to ${TIMEOUT_MS / 1000} s for ${WANT.map((w) => `"${w}"`).join(", ")}; ` +
    `never saw ${missing.map((w) => `"${w}"`).join(", ")} (run ended "${r.end}" after ${(r.elapsedMs / 1000).toFixed(1)} s):\n${tail(r.lines, 40)}`);
  noLine(r.lines, /Kernel panic/, `${what}: the kernel did not panic`);
  return { ...r, readyS: readyMs / 1000 };
}

const kernelOf = (p: ReturnType<typeof prepareVmSet>): string => p.set.vms[0]!.linux!.kernel.path;
const initrdOf = (p: ReturnType<typeof prepareVmSet>): string => p.set.vms[0]!.linux!.initrd!.path;

test("Debian's kernel and the initramfs on QEMU's own device tree: READY linux, both CPUs online, counting", async (t) => {
  const p = prepareVmSet("linux");
  const r = await bootUntilCounting("QEMU's device tree", kernelOf(p), MACHINE,
    ["-initrd", initrdOf(p), "-append", BOOTARGS]);
  assert.ok(r.lines.some((l) => /^wasmvisor guest linux: 6\.1\.\S+-arm64, cpus online 0-1$/.test(l)), tail(r.lines));
  t.diagnostic(`READY linux after ${r.readyS.toFixed(1)} s, count 2 after ${(r.elapsedMs / 1000).toFixed(1)} s`);
});

test("the same kernel with the device tree generated for vmconfigs/linux.json (-dtb): GICv3, timer, PL011, PSCI, bootargs", async (t) => {
  const p = prepareVmSet("linux");
  const dtb = p.set.vms[0]!.linux!.dtb.path;
  assert.equal(dtb, join(BUILD, "img", "qemu-virt", "linux", "linux.dtb"));
  // No -append: the command line is the device tree's (QEMU still sets its own memory node and initrd).
  const r = await bootUntilCounting("the generated device tree", kernelOf(p), MACHINE, ["-initrd", initrdOf(p), "-dtb", dtb]);
  const L = r.lines;
  assert.ok(L.some((l) => /Machine model: wasmvisor qemu-virt vm linux$/.test(l)), "booted with our device tree\n" + tail(L));
  assert.ok(L.some((l) => /Kernel command line: console=ttyAMA0 earlycon=pl011,0x09000000 rdinit=\/init wv\.workload=counter$/.test(l)),
    "the bootargs of /chosen\n" + tail(L));
  assert.ok(L.some((l) => /psci: PSCIv\d+\.\d+ detected in firmware/.test(l)), "PSCI through HVC\n" + tail(L));
  assert.ok(L.some((l) => /GICv3: CPU1: found redistributor 1 /.test(l)), "the GICv3 and its second redistributor\n" + tail(L));
  assert.ok(L.some((l) => /arch_timer: cp15 timer\(s\) running at/.test(l)), "the architected timer\n" + tail(L));
  assert.ok(L.some((l) => /ttyAMA0 at MMIO 0x9000000 \(irq = \d+/.test(l)), "the PL011 with its interrupt\n" + tail(L));
  t.diagnostic(`READY linux after ${r.readyS.toFixed(1)} s, count 2 after ${(r.elapsedMs / 1000).toFixed(1)} s`);
});

test("vmconfigs/linux.json's whole layout with ipa = pa, loaded as the core loads it: our memory node, initrd and entry", async (t) => {
  // Without a hypervisor an IPA is a physical address: the variant puts the VM's RAM at its PA (0x50000000, 256 MiB),
  // which lies inside QEMU's 512 MiB and clear of the device tree QEMU itself puts at 0x40000000.
  const dir = join(BUILD, "test-configs");
  mkdirSync(dir, { recursive: true });
  const config = join(dir, "linux-ipa-is-pa.json");
  const data = JSON.parse(readFileSync(join(ROOT, "vmconfigs", "linux.json"), "utf8"));
  data.vms[0].memory[0].ipa = data.vms[0].memory[0].pa;
  writeFileSync(config, JSON.stringify(data, null, 2));
  const p = prepareVmSet(config);
  const vm = p.set.vms[0]!;
  assert.equal(vm.entry, 0x50200000n);
  assert.equal(vm.dtb, 0x50000000n);
  const r = await bootUntilCounting("the VM's own layout", undefined, MACHINE, directBootArgs(vm, p.dir));
  const L = r.lines;
  assert.ok(L.some((l) => /Machine model: wasmvisor qemu-virt vm linux$/.test(l)), tail(L));
  assert.ok(L.some((l) => /earlycon: pl11 at MMIO 0x0000000009000000/.test(l)), "earlycon from the bootargs\n" + tail(L));
  assert.ok(L.some((l) => /Memory: \d+K\/262144K available/.test(l)), "the 256 MiB of the memory node, not QEMU's 512\n" + tail(L));
  assert.ok(L.some((l) => /Freeing initrd memory/.test(l)), "the initrd of /chosen\n" + tail(L));
  t.diagnostic(`READY linux after ${r.readyS.toFixed(1)} s, count 2 after ${(r.elapsedMs / 1000).toFixed(1)} s`);
});
