// wvctl as the build makes it for the management VM: a static AArch64 Linux executable
// (the initramfs has no C library), rebuilt only when its sources change, carried in
// the initramfs as /bin/wvctl with its CGI script as /www/cgi-bin/wvctl.
import { test } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../lib/proc.ts";
import { initramfs } from "../build/initramfs.ts";
import { buildWvctl, WVCTL_CGI, wvctlEntries } from "../build/wvctl.ts";

test("build/mvm/wvctl: a static AArch64 ELF executable, not rebuilt when nothing changed", () => {
  const out = buildWvctl();
  const b = readFileSync(out);
  assert.equal(b.toString("latin1", 0, 4), "\x7fELF");
  assert.equal(b[4], 2, "64-bit");
  assert.equal(b.readUInt16LE(16), 2, "e_type ET_EXEC");
  assert.equal(b.readUInt16LE(18), 183, "e_machine EM_AARCH64");
  const phoff = Number(b.readBigUInt64LE(0x20)), phentsize = b.readUInt16LE(0x36), phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) assert.notEqual(b.readUInt32LE(phoff + i * phentsize), 3, "no PT_INTERP: static");
  assert.ok(b.includes(Buffer.from("/dev/hvc0\0")), "opens the virtio-console port");
  const mtime = statSync(out).mtimeMs;
  buildWvctl();
  assert.equal(statSync(out).mtimeMs, mtime, "rebuilt although nothing changed");
});

test("the CGI script: sh parses it", () => {
  const r = run("sh", ["-n", WVCTL_CGI], { allowFail: true });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(readFileSync(WVCTL_CGI, "utf8").startsWith("#!/bin/sh\n"));
});

test("the initramfs entries: /bin/wvctl and /www/cgi-bin/wvctl, executable; GNU cpio lists them", () => {
  const program = Buffer.from("\x7fELF wvctl stand-in");
  const e = wvctlEntries(program, "#!/bin/sh\necho cgi\n");
  const file = (p: string) => e.find((x) => x.path === p) as { kind: string; data: Uint8Array; mode?: number };
  assert.equal(file("bin/wvctl").mode, 0o755);
  assert.ok(Buffer.from(file("bin/wvctl").data).equals(program));
  assert.equal(file("www/cgi-bin/wvctl").mode, 0o755);
  assert.equal(Buffer.from(file("www/cgi-bin/wvctl").data).toString(), "#!/bin/sh\necho cgi\n");
  const dir = mkdtempSync(join(tmpdir(), "wv-wvctl-cpio-"));
  try {
    const cpio = join(dir, "initramfs.cpio");
    writeFileSync(cpio, initramfs(Buffer.from("\x7fELF busybox"), "#!/bin/sh\n", [], e));
    const r = run("cpio", ["-itv", "-F", cpio], { allowFail: true });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split("\n");
    for (const p of ["bin/wvctl", "www/cgi-bin/wvctl"]) {
      assert.ok(lines.some((l) => l.startsWith("-rwxr-xr-x") && l.endsWith(` ${p}`)), `${p} executable in:\n${r.stdout}`);
    }
    assert.ok(lines.some((l) => l.startsWith("drwxr-xr-x") && l.endsWith(" www/cgi-bin")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
