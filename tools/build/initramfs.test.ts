// The guest initramfs: what it holds (busybox, the applets /init runs, the device
// nodes, the mount points, /init), that it is the same bytes for the same inputs,
// and that the busybox setup fetched is a static arm64 binary that has those applets.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CACHE } from "../lib/paths.ts";
import { run } from "../lib/proc.ts";
import { APPLETS, buildInitramfs, INIT_SCRIPT, initramfs, initramfsEntries } from "./initramfs.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-initramfs-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const FAKE_BUSYBOX = Buffer.concat([Buffer.from("\x7fELF", "latin1"), Buffer.alloc(1000, 0x42)]);
const BUSYBOX = join(CACHE, "guest", "busybox", "busybox");

test("entries: busybox, an applet symlink per command /init runs, /dev/console 5:1, /dev/null 1:3, mount points, /init", () => {
  const e = initramfsEntries(FAKE_BUSYBOX, "#!/bin/sh\n");
  const paths = e.map((x) => x.path).sort();
  assert.deepEqual(paths, ["bin", "bin/busybox", ...APPLETS.map((a) => `bin/${a}`), "dev", "dev/console", "dev/null", "etc", "init",
    "proc", "sys", "tmp"].sort());
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
  // Every applet it runs is linked, and every linked applet is run.
  for (const a of APPLETS.filter((x) => x !== "sh")) assert.match(text, new RegExp(`\\b${a}\\b`), `/init runs ${a}`);
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
  if (!existsSync(BUSYBOX)) return t.skip(`${BUSYBOX} not fetched (wasmvisor setup)`);
  const b = readFileSync(BUSYBOX);
  assert.equal(b.toString("latin1", 0, 4), "\x7fELF");
  assert.equal(b[4], 2, "64-bit");
  assert.equal(b.readUInt16LE(18), 183, "e_machine EM_AARCH64");
  const phoff = Number(b.readBigUInt64LE(0x20)), phentsize = b.readUInt16LE(0x36), phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) assert.notEqual(b.readUInt32LE(phoff + i * phentsize), 3, "no PT_INTERP: static");
  for (const a of APPLETS) assert.ok(b.includes(Buffer.from(`\0${a}\0`, "latin1")), `busybox has applet ${a}`);
});
