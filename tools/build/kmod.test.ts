// Kernel modules for the initramfs: .modinfo read from the ELF section table, and the
// set and load order that follow from "depends=", on small ELF files made here.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { modinfo, resolveModules } from "./kmod.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-kmod-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An ELF64 LE file with a section table: the null section, .shstrtab and .modinfo holding `info`. */
function fakeModule(info: string[], sectionName = ".modinfo"): Buffer {
  const shstr = Buffer.from(`\0.shstrtab\0${sectionName}\0`, "latin1");
  const body = Buffer.from(info.map((s) => `${s}\0`).join(""), "latin1");
  const shoff = 64 + shstr.length + body.length + 8;
  const b = Buffer.alloc(shoff + 3 * 64);
  b.write("\x7fELF", 0, "latin1");
  b[4] = 2; b[5] = 1; b[6] = 1;
  b.writeUInt16LE(1, 0x10);          // ET_REL
  b.writeUInt16LE(183, 0x12);        // EM_AARCH64
  b.writeBigUInt64LE(BigInt(shoff), 0x28);
  b.writeUInt16LE(64, 0x34);
  b.writeUInt16LE(64, 0x3a);
  b.writeUInt16LE(3, 0x3c);
  b.writeUInt16LE(1, 0x3e);
  shstr.copy(b, 64);
  body.copy(b, 64 + shstr.length);
  const sh = (i: number, name: number, off: number, size: number) => {
    const o = shoff + i * 64;
    b.writeUInt32LE(name, o);
    b.writeBigUInt64LE(BigInt(off), o + 0x18);
    b.writeBigUInt64LE(BigInt(size), o + 0x20);
  };
  sh(1, 1, 64, shstr.length);
  sh(2, 11, 64 + shstr.length, body.length);
  return b;
}

const REL = "6.1.0-test-arm64";
const vermagic = (r = REL) => `vermagic=${r} SMP mod_unload modversions aarch64`;

function tree(name: string, mods: Record<string, string[]>, builtin: string[] = []): string {
  const root = join(dir, name);
  for (const [path, info] of Object.entries(mods)) {
    mkdirSync(join(root, "kernel", path, ".."), { recursive: true });
    writeFileSync(join(root, "kernel", path), fakeModule(info));
  }
  writeFileSync(join(root, "modules.builtin"), builtin.map((b) => `kernel/${b}.ko\n`).join(""));
  return root;
}

test("modinfo: the key=value strings of .modinfo, repeated keys kept", () => {
  const m = modinfo(fakeModule(["name=x", "depends=a,b", "alias=p", "alias=q", vermagic()]));
  assert.deepEqual(m.get("depends"), ["a,b"]);
  assert.deepEqual(m.get("alias"), ["p", "q"]);
  assert.deepEqual(m.get("vermagic"), [`${REL} SMP mod_unload modversions aarch64`]);
  assert.throws(() => modinfo(Buffer.from("not an elf at all, not at all, not at all, not at all, not at all.")), /not a 64-bit/);
  assert.throws(() => modinfo(fakeModule(["x=1"], ".rodata")), /no \.modinfo section/);
});

test("resolveModules: what the wanted modules need, each after its dependencies; built-in ones left out", () => {
  const root = tree("ok", {
    "drivers/net/virtio_net.ko": ["name=virtio_net", "depends=net_failover,virtio_ring", vermagic()],
    "drivers/net/net_failover.ko": ["name=net_failover", "depends=failover", vermagic()],
    "net/core/failover.ko": ["name=failover", "depends=", vermagic()],
    "drivers/virtio/virtio_mmio.ko": ["name=virtio_mmio", "depends=", vermagic()],
    "drivers/other/unused.ko": ["name=unused", "depends=", vermagic()],
  }, ["drivers/virtio/virtio_ring"]);
  const mods = resolveModules(root, REL, ["virtio_mmio", "virtio-net"]);
  assert.deepEqual(mods.map((m) => m.name), ["virtio_mmio", "failover", "net_failover", "virtio_net"]);
  assert.deepEqual(mods[3]!.depends, ["net_failover", "virtio_ring"]);
});

test("resolveModules: a missing module, one built for another kernel, a cycle: each named", () => {
  const root = tree("bad", {
    "a.ko": ["depends=gone", vermagic()],
    "b.ko": ["depends=", vermagic("5.10.0-old")],
    "c.ko": ["depends=d", vermagic()],
    "d.ko": ["depends=c", vermagic()],
  });
  assert.throws(() => resolveModules(root, REL, ["a"]), /kernel module gone \(needed by a\) is not in /);
  assert.throws(() => resolveModules(root, REL, ["b"]), /is built for "5\.10\.0-old SMP.*", not for the guest kernel 6\.1\.0-test-arm64/);
  assert.throws(() => resolveModules(root, REL, ["c"]), /cycle: c -> d -> c/);
});
