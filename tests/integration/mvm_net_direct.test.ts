// The guest of vmconfigs/mvm-net.json without the hypervisor: its images loaded at
// their IPAs (which are physical addresses: the VM is identity-mapped) the way the core
// loads them, with the device tree the tools generate and the config's QEMU arguments
// (virtio-net on QEMU's user network, a free 127.0.0.1 port forwarded to port 5000).
// When this passes and mvm_net.test.ts fails, the fault is the hypervisor's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { prepareVmSet } from "../../tools/build/image.ts";
import { directBootArgs } from "../../tools/run/direct.ts";
import { find, tail } from "./boot.ts";
import { bootAndFetch } from "./mvm_net.ts";

const TIMEOUT_MS = 120_000;
/** QEMU virt without EL2, 2 CPUs, 512 MiB: RAM 0x40000000..0x5fffffff holds the VM's 0x50000000..0x5fffffff. */
const MACHINE = ["-M", "virt,gic-version=3", "-cpu", "cortex-a72", "-smp", "2", "-m", "512"];

test("the mvm-net guest on QEMU alone: the virtio-net device of the device tree, DHCP, its page over TCP from 127.0.0.1", async (t) => {
  const p = prepareVmSet("mvm-net");
  const vm = p.set.vms[0]!;
  assert.ok(vm.memory.every((r) => r.ipa === r.pa), "the VM is identity-mapped, so its IPAs are QEMU's addresses");
  const r = await bootAndFetch(p.set, { machine: MACHINE, extra: directBootArgs(vm, p.dir), prefix: "", timeoutMs: TIMEOUT_MS });
  assert.equal(r.problem, "", r.problem);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  assert.ok(L.some((l) => /Machine model: wasmvisor qemu-virt vm mvm$/.test(l)), "booted with the generated device tree" + ctx);
  assert.ok(r.response.includes(`wasmvisor mvm-net ${r.token}`), r.response);
  assert.ok(find(L, /^mvm-net: eth0 10\.0\.2\.15 .*\(DHCP bound\)$/) >= 0, "DHCP" + ctx);
  assert.ok(find(L, /^mvm-net: interrupts \d+: .*\bGICv3\s+79\s+Edge\s+virtio0$/) >= 0, "virtio0 on INTID 79" + ctx);
  t.diagnostic(`READY mvm-net after ${r.readyS.toFixed(1)} s, page from 127.0.0.1:${r.port} ${r.fetchS.toFixed(2)} s later`);
});
