// The newc writer: read back field by field here (the format as the kernel's
// initramfs unpacker reads it), and by GNU cpio, which lists and extracts it.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../lib/proc.ts";
import { cpioArchive, type CpioEntry } from "./cpio.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-cpio-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Read { name: string; ino: number; mode: number; nlink: number; mtime: number; rdev: [number, number]; data: Buffer; at: number }

/** Every entry of a newc archive, the trailer included. */
function readNewc(b: Buffer): Read[] {
  const out: Read[] = [];
  let p = 0;
  for (;;) {
    assert.equal(p % 4, 0, `entry at ${p} not 4-byte aligned`);
    assert.equal(b.toString("latin1", p, p + 6), "070701", `magic at ${p}`);
    const f = (i: number): number => parseInt(b.toString("latin1", p + 6 + i * 8, p + 14 + i * 8), 16);
    const namesize = f(11), filesize = f(6);
    const name = b.toString("utf8", p + 110, p + 110 + namesize - 1);
    assert.equal(b[p + 110 + namesize - 1], 0, `name of ${name} NUL-terminated`);
    const dataAt = Math.ceil((p + 110 + namesize) / 4) * 4;
    out.push({ name, ino: f(0), mode: f(1), nlink: f(4), mtime: f(5), rdev: [f(9), f(10)], data: b.subarray(dataAt, dataAt + filesize), at: p });
    assert.equal(f(2) + f(3) + f(12), 0, "uid, gid and check are 0");
    p = Math.ceil((dataAt + filesize) / 4) * 4;
    if (name === "TRAILER!!!") break;
  }
  assert.equal(p, b.length, "nothing after the trailer");
  return out;
}

const ENTRIES: CpioEntry[] = [
  { kind: "file", path: "init", data: Buffer.from("#!/bin/sh\necho hi\n"), mode: 0o755 },
  { kind: "dir", path: "bin" },
  { kind: "symlink", path: "bin/sh", target: "busybox" },
  { kind: "file", path: "bin/busybox", data: Buffer.from([1, 2, 3, 4, 5]), mode: 0o755 },
  { kind: "char", path: "dev/console", major: 5, minor: 1 },
  { kind: "dir", path: "dev" },
  { kind: "file", path: "empty", data: Buffer.alloc(0) },
];

test("entries sorted by path with inodes in that order, the header fields, padding and the trailer", () => {
  const a = readNewc(cpioArchive(ENTRIES, { mtime: 1234 }));
  assert.deepEqual(a.map((e) => e.name), ["bin", "bin/busybox", "bin/sh", "dev", "dev/console", "empty", "init", "TRAILER!!!"]);
  assert.deepEqual(a.slice(0, -1).map((e) => e.ino), [1, 2, 3, 4, 5, 6, 7]);
  const by = Object.fromEntries(a.map((e) => [e.name, e]));
  assert.equal(by.bin!.mode, 0o040755);
  assert.equal(by.bin!.nlink, 2);
  assert.equal(by["bin/busybox"]!.mode, 0o100755);
  assert.deepEqual([...by["bin/busybox"]!.data], [1, 2, 3, 4, 5]);
  assert.equal(by["bin/sh"]!.mode, 0o120777);
  assert.equal(by["bin/sh"]!.data.toString(), "busybox");
  assert.equal(by["dev/console"]!.mode, 0o020600);
  assert.deepEqual(by["dev/console"]!.rdev, [5, 1]);
  assert.equal(by.empty!.mode, 0o100644);
  assert.equal(by.init!.mtime, 1234);
});

test("the same entries give the same bytes, whatever their order", () => {
  assert.ok(cpioArchive(ENTRIES).equals(cpioArchive([...ENTRIES].reverse())));
});

test("GNU cpio lists and extracts it", () => {
  const file = join(dir, "a.cpio");
  writeFileSync(file, cpioArchive(ENTRIES));
  const list = run("cpio", ["-itv", "-F", file], { allowFail: true });
  assert.equal(list.status, 0, list.stderr);
  const lines = list.stdout.trim().split("\n");
  assert.match(lines.find((l) => l.endsWith("bin/sh -> busybox")) ?? "", /^lrwxrwxrwx/);
  assert.match(lines.find((l) => l.endsWith("dev/console")) ?? "", /^crw------- .* 5, +1 /);
  const out = join(dir, "x");
  const ex = run("sh", ["-c", `mkdir -p "$1" && cd "$1" && cpio -id --quiet -F "$2" 'bin*' init empty`, "sh", out, file], { allowFail: true });
  assert.equal(ex.status, 0, ex.stderr);
  assert.equal(readFileSync(join(out, "init"), "utf8"), "#!/bin/sh\necho hi\n");
  assert.deepEqual([...readFileSync(join(out, "bin", "busybox"))], [1, 2, 3, 4, 5]);
  assert.equal(readlinkSync(join(out, "bin", "sh")), "busybox");
});

test("bad paths and duplicates are refused", () => {
  for (const path of ["/abs", "a/../b", "", "a//b", "./a"]) {
    assert.throws(() => cpioArchive([{ kind: "dir", path }]), /is not a relative path/, path);
  }
  assert.throws(() => cpioArchive([{ kind: "dir", path: "a" }, { kind: "dir", path: "a" }]), /a is given twice/);
});
