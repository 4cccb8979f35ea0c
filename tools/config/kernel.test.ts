// The kernel section: a program booted as QEMU 7.2's -kernel boots it on virt
// (hw/arm/boot.c), found by its content (ELF, arm64 Image, else raw), and every way
// such a config is refused, each message naming the file and field.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeBlob, loadVmConfig, type ImageResolver } from "./index.ts";
import { assertError, configData, errorsOf, fakeKernel, sandbox, type Json } from "./test_helpers.ts";

const sb = sandbox();
after(() => sb.cleanup());

/** A little-endian ELF-64 executable with the given PT_LOAD segments ([paddr, filesz, memsz]). */
function fakeElf(entry: bigint, segs: [bigint, number, number][], machine = 183): Buffer {
  const phoff = 64, data = phoff + 56 * segs.length;
  const total = data + segs.reduce((n, [, f]) => n + f, 0);
  const b = Buffer.alloc(total, 0xa5);
  b.fill(0, 0, data);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(b, 0);
  b.writeUInt16LE(2, 16); b.writeUInt16LE(machine, 18); b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(entry, 24); b.writeBigUInt64LE(BigInt(phoff), 32);
  b.writeUInt16LE(64, 52); b.writeUInt16LE(56, 54); b.writeUInt16LE(segs.length, 56);
  let off = data;
  segs.forEach(([pa, filesz, memsz], i) => {
    const at = phoff + 56 * i;
    b.writeUInt32LE(1, at); b.writeUInt32LE(7, at + 4); b.writeBigUInt64LE(BigInt(off), at + 8);
    b.writeBigUInt64LE(pa, at + 16); b.writeBigUInt64LE(pa, at + 24);
    b.writeBigUInt64LE(BigInt(filesz), at + 32); b.writeBigUInt64LE(BigInt(memsz), at + 40);
    off += filesz;
  });
  return b;
}

const files: Record<string, string> = {};
const put = (name: string, bytes: Buffer): void => {
  files[name] = join(sb.dir, name.replace(/\//g, "_"));
  writeFileSync(files[name]!, bytes);
};
put("guest-fdt.bin", Buffer.alloc(0x3000, 0xa5));
put("tests/guests/fdt/initrd.txt", Buffer.from("WVINITRD test\n"));
put("guest-fdt-elf.elf", fakeElf(0x40200000n, [[0x40200000n, 0x1000, 0x1000]]));
put("prog.elf", fakeElf(0x40200000n, [[0x40200000n, 0x2000, 0x3000], [0x40300000n, 0x100, 0x100]]));
put("low.elf", fakeElf(0x40000000n, [[0x40000000n, 0x1000, 0x1000]]));
put("close.elf", fakeElf(0x40001000n, [[0x40001000n, 0x1000, 0x1000]]));
put("outside.elf", fakeElf(0x40200000n, [[0x40200000n, 0x1000, 0x1000], [0x60000000n, 0x1000, 0x1000]]));
put("x86.elf", fakeElf(0x40200000n, [[0x40200000n, 0x1000, 0x1000]], 62));
put("cut.elf", fakeElf(0x40200000n, [[0x40200000n, 0x1000, 0x1000]]).subarray(0, 100));
put("Image", fakeKernel(1 << 20, 3n << 20n));
put("Image-80000", fakeKernel(1 << 20, 3n << 20n, 0x80000n));
put("big.bin", Buffer.alloc(70 << 20, 1));
put("big-initrd", Buffer.alloc(100 << 20, 1));
const resolve: ImageResolver = (n) => files[n] ?? sb.resolve(n);

const load = (mutate: (d: Json) => void = () => {}, vm = 0) => {
  const d = configData("qemu-kernel");
  mutate(d);
  return loadVmConfig(sb.write(d), sb.board, resolve).vms[vm]!;
};
function rejects(mutate: (d: Json) => void, path: string, pattern: RegExp): void {
  const d = configData("qemu-kernel");
  mutate(d);
  const file = sb.write(d);
  assertError(errorsOf(() => loadVmConfig(file, sb.board, resolve)), file, path, pattern);
}

describe("placed as QEMU's -kernel places it", () => {
  test("a raw binary at RAM + 0x80000; the initrd at RAM + min(RAM / 2, 128 MiB); the device tree 2 MiB aligned after it, in x0", () => {
    const vm = load();
    const k = vm.kernel!;
    assert.equal(k.kind, "raw");
    assert.equal(vm.entry, 0x40080000n);
    assert.equal(k.parts[0]!.ipa, 0x40080000n);
    assert.equal(k.initrd!.ipa, 0x44000000n);
    assert.equal(k.dtb.ipa, 0x44200000n);
    assert.equal(vm.dtb, 0x44200000n);
    assert.equal(k.bootargs, "console=ttyAMA0 wv.form=raw");
  });

  test("RAM of 256 MiB or more: the initrd 128 MiB in; no initrd: the device tree at the next 2 MiB from there", () => {
    const vm = load((d) => { d.vms[0].memory[0].size = "512M"; d.vms.pop(); });
    assert.equal(vm.kernel!.initrd!.ipa, 0x48000000n);
    const bare = load((d) => { delete d.vms[0].kernel.initrd; });
    assert.equal(bare.kernel!.initrd, null);
    assert.equal(bare.dtb, 0x44000000n);
  });

  test("a kernel reaching past the initrd's place pushes the initrd above its end", () => {
    const vm = load((d) => { d.vms[0].kernel.file = "big.bin"; });
    assert.equal(vm.kernel!.initrd!.ipa, 0x40080000n + (70n << 20n));
    assert.equal(vm.dtb, 0x44800000n);
  });

  test("an arm64 Image at RAM + text_offset, 2 MiB further up when text_offset is below the 4 KiB boot stub", () => {
    const vm = load((d) => { d.vms[0].kernel.file = "Image"; });
    assert.equal(vm.kernel!.kind, "image");
    assert.equal(vm.entry, 0x40200000n);
    assert.equal(vm.kernel!.parts[0]!.extent, 3n << 20n);
    assert.equal(load((d) => { d.vms[0].kernel.file = "Image-80000"; }).entry, 0x40080000n);
  });

  test("an ELF: its segments at their addresses (memsz), entry e_entry, the device tree at the start of RAM, x0 0 in the blob", () => {
    const vm = load((d) => { d.vms[1].kernel.file = "prog.elf"; }, 1);
    const k = vm.kernel!;
    assert.equal(k.kind, "elf");
    assert.deepEqual(k.parts.map((p) => [p.ipa, p.size, p.segment!.filesz]), [[0x40200000n, 0x3000, 0x2000n], [0x40300000n, 0x100, 0x100n]]);
    assert.equal(vm.entry, 0x40200000n);
    assert.equal(k.dtb.ipa, 0x40000000n);
    assert.equal(k.initrd, null);
    assert.equal(vm.dtb, null);
    const d = configData("qemu-kernel");
    d.vms[1].kernel.file = "prog.elf";
    const set = loadVmConfig(sb.write(d), sb.board, resolve);
    const blob = encodeBlob(set, () => 0);
    assert.equal(blob.readBigUInt64LE(16 + 640 + 48), 0n, "dtb_ipa (x0) of the ELF VM");
    assert.equal(blob.readBigUInt64LE(16 + 48), 0x44200000n, "dtb_ipa (x0) of the raw VM");
  });

  test("Linux Image configs keep the linux section's layout", () => {
    const d = configData("linux");
    const vm = loadVmConfig(sb.write(d), sb.board, sb.resolve).vms[0]!;
    assert.equal(vm.kernel, null);
    assert.equal(vm.dtb, 0x40000000n);
  });
});

describe("refused, naming the file and field", () => {
  test("an ELF segment outside the VM's RAM", () => {
    rejects((d) => { d.vms[1].kernel.file = "outside.elf"; }, "vms[1].kernel.file", /^0x60000000 is not inside any memory region of this VM$/);
  });
  test("an ELF over the start of RAM, where its device tree goes", () => {
    rejects((d) => { d.vms[1].kernel.file = "low.elf"; }, "vms[1].kernel.file", /has a segment over the start of vms\[1\]\.memory\[0\]/);
  });
  test("an ELF that is not an AArch64 executable, or is cut short", () => {
    rejects((d) => { d.vms[1].kernel.file = "x86.elf"; }, "vms[1].kernel.file", /is not an AArch64 executable QEMU's loader takes: e_machine is 62, not 183/);
    rejects((d) => { d.vms[1].kernel.file = "cut.elf"; }, "vms[1].kernel.file", /its program headers .* run past the end of the file \(100 bytes\)$/);
  });
  test("an initrd with an ELF (QEMU loads none)", () => {
    rejects((d) => { d.vms[1].kernel.initrd = "tests/guests/fdt/initrd.txt"; }, "vms[1].kernel.initrd", /is an ELF, and QEMU loads an initrd only with a raw binary or an arm64 Image/);
  });
  test("an initrd that does not fit where QEMU puts it; no room left for the device tree", () => {
    rejects((d) => { d.vms[0].kernel.initrd = "big-initrd"; }, "vms[0].kernel.initrd", /does not fit where QEMU puts an initrd for a raw kernel: from 0x44000000/);
    rejects((d) => { d.vms[0].memory[0].size = "66M"; d.vms[0].kernel.file = "big.bin"; delete d.vms[0].kernel.initrd; },
      "vms[0].kernel.file", /takes 73400320 bytes in memory, more than vms\[0\]\.memory\[0\]/);
    rejects((d) => { d.vms[0].memory[0].size = "4M"; }, "vms[0].kernel", /^no room for the device tree: QEMU puts it at the first 2 MiB boundary after the initrd \(0x40400000\)/);
  });
  test("a device tree that does not fit below the ELF", () => {
    // The room below the lowest segment is what the build has for the device tree: 4 KiB here.
    const vm = load((d) => { d.vms[1].kernel.file = "close.elf"; }, 1);
    assert.equal(vm.kernel!.dtb.extent, 0x1000n);
  });
  test("images overlapping the kernel", () => {
    rejects((d) => { d.vms[0].images = [{ file: "guest-fault.bin", ipa: "0x40080000" }]; }, "vms[0].kernel.file",
      /overlaps vms\[0\]\.images\[0\]/);
  });
  test("entry or dtb given; linux beside it; no GIC", () => {
    rejects((d) => { d.vms[0].entry = "0x40080000"; }, "vms[0].entry", /cannot be given with a kernel section/);
    rejects((d) => { d.vms[0].dtb = "0x44200000"; }, "vms[0].dtb", /cannot be given with a kernel section/);
    rejects((d) => { d.vms[0].linux = { kernel: "Image" }; }, "vms[0].kernel", /either a linux section or a kernel section, not both/);
    rejects((d) => { d.vms[0].devices.shift(); }, "vms[0].kernel", /needs an interrupt controller/);
  });
});
