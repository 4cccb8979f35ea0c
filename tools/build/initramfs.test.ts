// The guest initramfs: what it holds (busybox, the applets /init runs, the device
// nodes, the mount points, /init, the DHCP client's script, the network modules and
// their load order), that it is the same bytes for the same inputs, that the busybox
// setup fetched is a static arm64 binary that has those applets, and that the guest
// kernel's package has the modules with everything they need.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CACHE } from "../lib/paths.ts";
import { run } from "../lib/proc.ts";
import { APPLETS, buildInitramfs, GUEST_MODULES, guestKernelModules, INIT_SCRIPT, initramfs, initramfsEntries, LOAD_ORDER,
  NET_MODULES, UDHCPC_SCRIPT } from "./initramfs.ts";
import { resolveModules } from "./kmod.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-initramfs-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const FAKE_BUSYBOX = Buffer.concat([Buffer.from("\x7fELF", "latin1"), Buffer.alloc(1000, 0x42)]);
const BUSYBOX = join(CACHE, "guest", "busybox", "busybox");
const KERNEL = join(CACHE, "guest", "linux", "Image");
const FAKE_MODULES = [{ name: "a", data: Buffer.from("A") }, { name: "b_c", data: Buffer.from("BC") }];

test("entries: busybox, an applet symlink per command /init runs, /dev/console 5:1, /dev/null 1:3, mount points, /init, " +
  "the DHCP script, the modules and their load order", () => {
  const e = initramfsEntries(FAKE_BUSYBOX, "#!/bin/sh\n", FAKE_MODULES, "#!/bin/sh\n# dhcp\n");
  const paths = e.map((x) => x.path).sort();
  assert.deepEqual(paths, ["bin", "bin/busybox", ...APPLETS.map((a) => `bin/${a}`), "dev", "dev/console", "dev/null", "etc",
    "etc/udhcpc.script", "init", "lib", "lib/modules", "lib/modules/a.ko", "lib/modules/b_c.ko", LOAD_ORDER, "proc", "sys",
    "tmp"].sort());
  const file = (p: string) => e.find((x) => x.path === p) as { data: Uint8Array; mode?: number };
  assert.equal(Buffer.from(file(LOAD_ORDER).data).toString(), "a\nb_c\n");
  assert.equal(Buffer.from(file("lib/modules/b_c.ko").data).toString(), "BC");
  assert.equal(file("etc/udhcpc.script").mode, 0o755);
  assert.equal(Buffer.from(file("etc/udhcpc.script").data).toString(), "#!/bin/sh\n# dhcp\n");
  // Without modules the load order is empty: /init loads nothing.
  assert.equal(Buffer.from((initramfsEntries(FAKE_BUSYBOX, "").find((x) => x.path === LOAD_ORDER) as { data: Uint8Array }).data).length, 0);
  for (const a of APPLETS) assert.deepEqual(e.find((x) => x.path === `bin/${a}`), { kind: "symlink", path: `bin/${a}`, target: "busybox" });
  assert.deepEqual(e.find((x) => x.path === "dev/console"), { kind: "char", path: "dev/console", major: 5, minor: 1, mode: 0o600 });
  assert.deepEqual(e.find((x) => x.path === "dev/null"), { kind: "char", path: "dev/null", major: 1, minor: 3, mode: 0o666 });
  assert.equal((e.find((x) => x.path === "init") as { mode?: number }).mode, 0o755);
  assert.throws(() => initramfsEntries(Buffer.from("#!/bin/sh"), ""), /not an ELF executable/);
});

test("/init: a shell script that sh parses, mounts proc, sysfs and devtmpfs, prints the lines tests wait for", () => {
  const text = readFileSync(INIT_SCRIPT, "utf8");
  assert.ok(text.startsWith("#!/bin/sh\n"));
  const r = run("sh", ["-n", INIT_SCRIPT], { allowFail: true });
  assert.equal(r.status, 0, r.stderr);
  for (const m of ["mount -t proc proc /proc", "mount -t sysfs sysfs /sys", "mount -t devtmpfs devtmpfs /dev"]) assert.ok(text.includes(m), m);
  assert.ok(text.includes('echo "wasmvisor guest linux: $(uname -r), cpus online $(cat /sys/devices/system/cpu/online)"'));
  assert.ok(text.includes('echo "READY linux"'));
  assert.ok(text.includes('echo "count $n"'));
  assert.ok(text.includes("wv.workload=*"));
  // The network workload: the modules in their order, DHCP with the script, the page, the marker.
  for (const m of ["mvm)", "$(cat /lib/modules/load-order)", 'insmod "/lib/modules/$m.ko"', "udhcpc -i eth0 -s /etc/udhcpc.script",
    "httpd -p 5000 -h /www", 'echo "READY mvm-net"']) assert.ok(text.includes(m), m);
  // Every applet it (or the DHCP script) runs is linked, and every linked applet is run.
  const both = text + readFileSync(UDHCPC_SCRIPT, "utf8");
  for (const a of APPLETS.filter((x) => x !== "sh")) assert.match(both, new RegExp(`\\b${a}\\b`), `/init runs ${a}`);
});

test("/init loads the modules for every workload, before it picks one, and says when /dev/hvc0 is there", () => {
  const text = readFileSync(INIT_SCRIPT, "utf8");
  const load = text.indexOf('insmod "/lib/modules/$m.ko"');
  assert.ok(load > 0, "no module load");
  assert.equal(text.indexOf('insmod "', load + 1), -1, "modules loaded in more than one place");
  assert.ok(load < text.indexOf('case "$workload" in'), "modules loaded inside one workload only");
  assert.ok(load > text.indexOf("mount -t devtmpfs devtmpfs /dev"), "modules loaded before devtmpfs: /dev/hvc0 would not appear");
  assert.ok(text.includes('if [ -e /dev/hvc0 ]; then echo "hypervisor channel: /dev/hvc0"; fi'));
  assert.deepEqual([...GUEST_MODULES], ["virtio_mmio", "virtio_console", "virtio_net"]);
  for (const m of NET_MODULES) assert.ok((GUEST_MODULES as readonly string[]).includes(m), `${m} among the guest modules`);
});

test("the DHCP client's script: sh parses it; a lease configures the interface and the default route and says so", () => {
  const r = run("sh", ["-n", UDHCPC_SCRIPT], { allowFail: true });
  assert.equal(r.status, 0, r.stderr);
  const text = readFileSync(UDHCPC_SCRIPT, "utf8");
  for (const m of ['ifconfig "$interface" "$ip" netmask', 'route add default gw "$gw" dev "$interface"',
    'echo "mvm-net: $interface $ip netmask']) assert.ok(text.includes(m), m);
});

test("the guest kernel's package has virtio_mmio and virtio_net, with what they need, for this kernel", (t) => {
  const k = existsSync(KERNEL) ? guestKernelModules(KERNEL) : null;
  assert.ok(k, `${KERNEL} or its modules not fetched: wasmvisor setup fetches it before any test runs`);
  assert.match(k.release, /^6\.1\.\S+-arm64$/);
  const mods = resolveModules(k.dir, k.release, NET_MODULES);
  const names = mods.map((m) => m.name);
  for (const m of NET_MODULES) assert.ok(names.includes(m), `${m} resolved`);
  // Each after what it depends on.
  mods.forEach((m, i) => { for (const d of m.depends) assert.ok(names.indexOf(d) >= 0 && names.indexOf(d) < i, `${d} before ${m.name}`); });
  const bytes = mods.reduce((n, m) => n + m.data.length, 0);
  assert.ok(bytes < 512 << 10, `the modules take ${bytes} bytes: only what the network needs`);
  t.diagnostic(`modules in load order: ${names.join(", ")} (${bytes} bytes)`);
});

test("the guest kernel's package has virtio_console for this kernel; with virtio_mmio it needs nothing else", (t) => {
  const k = existsSync(KERNEL) ? guestKernelModules(KERNEL) : null;
  assert.ok(k, `${KERNEL} or its modules not fetched: wasmvisor setup fetches it before any test runs`);
  const mods = resolveModules(k.dir, k.release, GUEST_MODULES);
  const names = mods.map((m) => m.name);
  assert.ok(names.includes("virtio_console"), "virtio_console resolved");
  assert.ok(names.indexOf("virtio_mmio") < names.indexOf("virtio_console"), "the transport first");
  const console = mods.find((m) => m.name === "virtio_console")!;
  for (const d of console.depends) assert.ok(names.indexOf(d) >= 0 && names.indexOf(d) < names.indexOf("virtio_console"), `${d} before it`);
  t.diagnostic(`guest modules in load order: ${names.join(", ")}`);
});

test("the same busybox gives the same bytes; GNU cpio lists the archive", () => {
  const a = initramfs(FAKE_BUSYBOX);
  assert.ok(a.equals(initramfs(FAKE_BUSYBOX)));
  const bb = join(dir, "busybox");
  writeFileSync(bb, FAKE_BUSYBOX);
  const out = buildInitramfs(bb, join(dir, "out"));
  assert.ok(readFileSync(out).equals(a));
  const mtime = statSync(out).mtimeMs;
  buildInitramfs(bb, join(dir, "out"));
  assert.equal(statSync(out).mtimeMs, mtime, "rewritten although nothing changed");
  const list = run("cpio", ["-it", "-F", out], { allowFail: true });
  assert.equal(list.status, 0, list.stderr);
  assert.ok(list.stdout.split("\n").includes("init"));
});

test("the busybox setup fetched: a static AArch64 ELF that has every applet /init runs", (t) => {
  assert.ok(existsSync(BUSYBOX), `${BUSYBOX} not fetched: wasmvisor setup fetches it before any test runs`);
  const b = readFileSync(BUSYBOX);
  assert.equal(b.toString("latin1", 0, 4), "\x7fELF");
  assert.equal(b[4], 2, "64-bit");
  assert.equal(b.readUInt16LE(18), 183, "e_machine EM_AARCH64");
  const phoff = Number(b.readBigUInt64LE(0x20)), phentsize = b.readUInt16LE(0x36), phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) assert.notEqual(b.readUInt32LE(phoff + i * phentsize), 3, "no PT_INTERP: static");
  for (const a of APPLETS) assert.ok(b.includes(Buffer.from(`\0${a}\0`, "latin1")), `busybox has applet ${a}`);
});
