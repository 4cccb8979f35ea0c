// The bench's VM configs and what it needs of the guests' /init: they load, the VMs sit
// where the bench assumes (RAM apart, the rtvm's CPU its own, two CPUs for the SGI VM),
// and the Linux boot configs differ from vmconfigs/linux.json only where they say.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadVmConfig, type VmSet } from "../config/index.ts";
import { sandbox } from "../config/test_helpers.ts";
import { INIT_SCRIPT } from "../build/initramfs.ts";
import { ROOT } from "../lib/paths.ts";
import { directConfig, LINUX_CONFIG, LINUX_QUIET_CONFIG } from "./runs.ts";

const sb = sandbox();
const extra = mkdtempSync(join(tmpdir(), "wv-bench-configs-"));
after(() => { sb.cleanup(); rmSync(extra, { recursive: true, force: true }); });
for (const f of ["guest-rt.bin", "guest-sgi.bin", "guest-cache.bin"]) writeFileSync(join(extra, f), Buffer.alloc(8192, 0x5a));
const resolve = (name: string) => sb.resolve(name) ?? (name.startsWith("guest-") ? join(extra, name) : null);

const load = (name: string): VmSet => loadVmConfig(join(ROOT, "vmconfigs", `${name}.json`), sb.board, resolve);
const json = (name: string) => JSON.parse(readFileSync(join(ROOT, "vmconfigs", `${name}.json`), "utf8"));
const M = 1n << 20n;

test("bench-cache: guest-cache alone in a VM on CPU 1, 16 MiB at IPA 0x40000000, ready at CACHE DONE", () => {
  const set = load("bench-cache");
  assert.equal(set.vms.length, 1);
  const [vm] = set.vms;
  assert.ok(vm);
  assert.equal(vm.name, "cache");
  assert.deepEqual(vm.cpus, [1]);
  assert.equal(vm.vcpus, 1);
  assert.deepEqual(vm.memory.map((r) => [r.ipa, r.size]), [[0x40000000n, 16n * M]]);
  assert.deepEqual(vm.images.map((im) => im.file), ["guest-cache.bin"]);
  assert.equal(vm.ready, "CACHE DONE");
});

test("bench-rt-idle and bench-rt-load: Linux (2 vCPUs, 256 MiB at 0x50000000) beside guest-rt in an rtvm on CPU 3 (16 MiB at 0x70000000)", () => {
  for (const [name, workload, ready] of [["bench-rt-idle", "idle", "READY linux"], ["bench-rt-load", "load", "READY load"]] as const) {
    const set = load(name);
    const [linux, rt] = set.vms;
    assert.ok(linux && rt, name);
    assert.equal(linux.name, "linux");
    assert.equal(linux.vcpus, 2);
    assert.deepEqual(linux.cpus, [1, 2]);
    assert.deepEqual(linux.memory.map((r) => [r.pa, r.size]), [[0x50000000n, 256n * M]]);
    assert.ok(linux.linux?.bootargs.split(" ").includes(`wv.workload=${workload}`), `${name}: ${linux.linux?.bootargs}`);
    assert.equal(linux.ready, ready);
    assert.equal(rt.name, "rt");
    assert.equal(rt.type, "rtvm");
    assert.deepEqual(rt.cpus, [3]);
    assert.deepEqual(rt.memory.map((r) => [r.ipa, r.pa, r.size]), [[0x40000000n, 0x70000000n, 16n * M]]);
    assert.equal(rt.images[0]?.file, "guest-rt.bin");
    assert.deepEqual(rt.devices.map((d) => d.type).sort(), ["gicv3", "pl011"]);
    assert.equal(rt.ready, "READY rt");
  }
  // The two differ only in the workload (and the words about it).
  const a = json("bench-rt-idle"), b = json("bench-rt-load");
  for (const d of [a, b]) {
    delete d.description;
    delete d.vms[0].description;
    delete d.vms[0].ready;
    d.vms[0].linux.bootargs = d.vms[0].linux.bootargs.replace(/wv\.workload=\S+/, "");
  }
  assert.deepEqual(a, b);
});

test("bench-sgi: one VM, 2 vCPUs on 2 physical CPUs, a GICv3, guest-sgi", () => {
  const [vm, ...rest] = load("bench-sgi").vms;
  assert.ok(vm);
  assert.equal(rest.length, 0);
  assert.equal(vm.vcpus, 2);
  assert.equal(new Set(vm.cpus).size, 2);
  assert.ok(vm.devices.some((d) => d.type === "gicv3"));
  assert.equal(vm.images[0]?.file, "guest-sgi.bin");
  assert.equal(vm.ready, "READY sgi");
  assert.deepEqual(vm.expect, ["SGI DONE"]);
});

test("bench-linux and bench-linux-quiet: linux.json's VM with the idle workload, and with quiet", () => {
  const base = json("linux").vms[0];
  const args = (s: string) => s.split(" ").filter((w: string) => !w.startsWith("wv.workload="));
  for (const [name, add] of [[LINUX_CONFIG, []], [LINUX_QUIET_CONFIG, ["quiet"]]] as const) {
    const set = load(name);
    const vm = set.vms[0]!;
    assert.equal(set.vms.length, 1);
    const data = json(name).vms[0];
    for (const k of ["cpus", "vcpus", "memory", "devices"]) assert.deepEqual(data[k], base[k], `${name}: ${k} as in linux.json`);
    assert.equal(data.linux.kernel, base.linux.kernel);
    assert.equal(data.linux.initrd, base.linux.initrd);
    assert.deepEqual(args(vm.linux!.bootargs), [...args(base.linux.bootargs), ...add]);
    assert.ok(vm.linux!.bootargs.includes("wv.workload=idle"));
  }
});

test("directConfig: the same config with each region's IPA at its PA, for a boot without the hypervisor", () => {
  const file = directConfig(LINUX_CONFIG);
  const d = JSON.parse(readFileSync(file, "utf8"));
  const src = json(LINUX_CONFIG);
  assert.deepEqual(d.vms[0].memory, [{ ipa: "0x50000000", pa: "0x50000000", size: "256M" }]);
  assert.deepEqual(d.vms[0].linux, src.vms[0].linux);
  const set = loadVmConfig(file, sb.board, resolve);
  assert.equal(set.vms[0]!.entry, 0x50200000n);
});

test("/init: the boot lines first once /proc is mounted, and a load workload on every CPU", () => {
  const text = readFileSync(INIT_SCRIPT, "utf8");
  assert.equal(spawnSync("sh", ["-n", INIT_SCRIPT]).status, 0);
  const proc = text.indexOf("mount -t proc proc /proc");
  const up = text.indexOf('echo "boot: uptime $boot_up"');
  const ns = text.indexOf('echo "boot: monotonic ${boot_ns:-unknown} ns"');
  assert.ok(proc >= 0 && up > proc && ns > up, "mount /proc, then the two boot lines");
  assert.ok(up < text.indexOf("mount -t sysfs"), "before anything else");
  assert.ok(text.includes("< /proc/timer_list") && text.includes("< /proc/uptime"));
  for (const s of ["  load)", "busybox nproc", "busybox taskset -c $c busybox dd if=/dev/zero of=/dev/null bs=1M",
    "busybox md5sum /tmp/load.bin", 'echo "READY load"']) assert.ok(text.includes(s), s);
});
