// A management VM that owns QEMU virt's virtio-net device, passed through (vmconfigs/
// mvm-net.json): the page of virtio-mmio transports mapped as Device memory, its SPI
// (INTID 79) routed to the VM and handed to the guest hardware-mapped, its DMA into the
// identity-mapped RAM. The guest takes an address by DHCP and serves a page on port
// 5000; this machine fetches it through QEMU's forward of a free 127.0.0.1 port. The
// same guest without the hypervisor is mvm_net_direct.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildImage } from "../../tools/build/image.ts";
import { BUILD, ROOT } from "../../tools/lib/paths.ts";
import { find, tail, noLine } from "./boot.ts";
import { bootAndFetch } from "./mvm_net.ts";

/** Linux is up in ~5 s under the hypervisor on an idle machine; a loaded one may take much longer. */
const TIMEOUT_MS = 240_000;
/** Connections after the first: each a DHCP-free round trip of a few frames each way, and interrupts. */
const AGAIN = 20;

test("the MVM drives the passed-through virtio-net: DHCP, then its page over TCP from 127.0.0.1", async (t) => {
  const image = buildImage("mvm-net");
  const r = await bootAndFetch(image.set, { elf: image.elf, machine: image.board.qemu, prefix: "[mvm] ", timeoutMs: TIMEOUT_MS,
    again: AGAIN });
  assert.equal(r.problem, "", r.problem);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  assert.match(r.response, /^HTTP\/1\.[01] 200 OK\r\n/, `the guest's httpd answered 200:\n${r.response}`);
  assert.ok(r.response.endsWith(`\r\n\r\nwasmvisor mvm-net ${r.token}\n`), `the page holds this boot's token ${r.token}:\n${r.response}`);
  assert.ok(find(L, /^\[mvm\] mvm-net: eth0 10\.0\.2\.15 netmask 255\.255\.255\.0 gateway 10\.0\.2\.2 \(DHCP bound\)$/) >= 0,
    "an address from QEMU's DHCP server (frames both ways through the device)" + ctx);
  // The device's SPI reached the guest: its count in /proc/interrupts, under the number the config gives.
  const irq = L.find((l) => /^\[mvm\] mvm-net: interrupts \d+: /.test(l));
  assert.ok(irq && /\bGICv3\s+79\s+Edge\s+virtio0$/.test(irq), `the guest's virtio0 interrupt is SPI INTID 79: ${irq}` + ctx);
  const counts = irq!.replace(/^.*interrupts \d+:\s+/, "").split(/\s+/).filter((w) => /^\d+$/.test(w)).slice(0, 2).map(Number);
  assert.ok(counts.reduce((a, b) => a + b, 0) > 0, `the guest took interrupts of its virtio-net: ${irq}` + ctx);
  assert.equal(r.againOk, AGAIN, `${AGAIN} more connections, one after the other, each brought the page back` + ctx);
  noLine(L, /refused|is not the VM's|PANIC| stopped: /, "no import refused, no stray physical interrupt");
  t.diagnostic(`READY mvm-net after ${r.readyS.toFixed(1)} s, page from 127.0.0.1:${r.port} ${r.fetchS.toFixed(2)} s later, ` +
    `${AGAIN} more in ${r.againS.toFixed(2)} s; ${irq}`);
});

test("the guest moves the device's interrupt to vCPU 1: the physical SPI follows it, DHCP and the page still work", async (t) => {
  // Linux sets the virtual SPI's route (GICD_IROUTER) to vCPU 1; the next interrupt arrives on vCPU 0's CPU,
  // which cannot list it for vCPU 1: the core masks it (irq_set 0), hands vCPU 1 a virtual copy, and unmasks it
  // (irq_set 1) from vCPU 1's exit, which routes the physical SPI to vCPU 1's CPU.
  const dir = join(BUILD, "test-configs");
  mkdirSync(dir, { recursive: true });
  const config = join(dir, "mvm-net-irq-cpu1.json");
  const data = JSON.parse(readFileSync(join(ROOT, "vmconfigs", "mvm-net.json"), "utf8"));
  data.vms[0].linux.bootargs += " wv.net_irq_cpu=1";
  writeFileSync(config, JSON.stringify(data, null, 2));
  const image = buildImage(config);
  const r = await bootAndFetch(image.set, { elf: image.elf, machine: image.board.qemu, prefix: "[mvm] ", timeoutMs: TIMEOUT_MS,
    again: AGAIN });
  assert.equal(r.problem, "", r.problem);
  const L = r.lines;
  const ctx = `\nconsole:\n${tail(L, 40)}`;
  assert.ok(find(L, /^\[mvm\] mvm-net: virtio0 interrupt \(irq \d+\) sent to CPU 1$/) >= 0, "the guest moved it" + ctx);
  const irq = L.find((l) => /^\[mvm\] mvm-net: interrupts \d+: /.test(l)) ?? "";
  const [cpu0, cpu1] = irq.replace(/^.*interrupts \d+:\s+/, "").split(/\s+/).slice(0, 2).map(Number);
  assert.ok((cpu1 ?? 0) > 0, `the DHCP exchange's interrupts were taken on CPU 1: ${irq}` + ctx);
  assert.equal(r.againOk, AGAIN, `${AGAIN} more connections each brought the page back` + ctx);
  noLine(L, /refused|is not the VM's|PANIC| stopped: |cannot mask/, "no import refused");
  t.diagnostic(`READY mvm-net after ${r.readyS.toFixed(1)} s; interrupts on CPU 0/1: ${cpu0}/${cpu1}; ${AGAIN} more pages in ` +
    `${r.againS.toFixed(2)} s`);
});
