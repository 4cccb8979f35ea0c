// The linux section: the layout the tools make (device tree at the start of the first
// region, kernel 2 MiB in at text_offset, initrd at the end), what the config may
// place itself, and every way it is refused, each message naming the file and field.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadVmConfig, type ImageResolver } from "./index.ts";
import {
  assertError, configData, errorsOf, fakeKernel, sandbox, INITRD_SIZE, KERNEL_FILE_SIZE, KERNEL_IMAGE_SIZE, type Json,
} from "./test_helpers.ts";

const sb = sandbox();
after(() => sb.cleanup());

/** More stand-ins: a kernel with text_offset 0x80000, a gzip-compressed one, a big-endian one, one with image_size 0. */
const extra: Record<string, string> = {};
const put = (name: string, bytes: Buffer): void => {
  extra[name] = join(sb.dir, name.replace(/\//g, "_"));
  writeFileSync(extra[name]!, bytes);
};
put("old/Image", fakeKernel(1 << 20, 3n << 20n, 0x80000n));
put("vmlinuz", Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0]), Buffer.alloc(1 << 16, 7)]));
put("be/Image", fakeKernel(1 << 20, 2n << 20n, 0n, 1n));
put("ancient/Image", fakeKernel(1 << 20, 0n));
put("tiny", Buffer.alloc(16, 1));
const resolve: ImageResolver = (n) => extra[n] ?? sb.resolve(n);

function load(mutate: (d: Json) => void = () => {}) {
  const d = configData("linux");
  mutate(d);
  return loadVmConfig(sb.write(d), sb.board, resolve).vms[0]!;
}

function rejects(mutate: (d: Json) => void, path: string, pattern: RegExp): string[] {
  const d = configData("linux");
  mutate(d);
  const file = sb.write(d);
  const errors = errorsOf(() => loadVmConfig(file, sb.board, resolve));
  assertError(errors, file, path, pattern);
  return errors;
}

const INITRD_AT_END = (end: bigint) => (end - BigInt(INITRD_SIZE)) & ~0xfffn;

describe("the layout the tools make", () => {
  test("device tree at the start of RAM, kernel 2 MiB in, initrd page aligned at the end; entry the kernel, dtb x0", () => {
    const vm = load();
    const l = vm.linux!;
    assert.equal(l.dtb.ipa, 0x40000000n);
    assert.equal(l.kernel.ipa, 0x40200000n);
    assert.equal(l.kernel.size, KERNEL_FILE_SIZE);
    assert.equal(l.kernel.extent, KERNEL_IMAGE_SIZE);
    assert.equal(l.textOffset, 0n);
    assert.equal(l.imageSize, KERNEL_IMAGE_SIZE);
    assert.equal(l.initrd!.ipa, INITRD_AT_END(0x50000000n));
    assert.equal(l.initrd!.ipa % 0x1000n, 0n);
    assert.equal(vm.entry, 0x40200000n);
    assert.equal(vm.dtb, 0x40000000n);
    assert.deepEqual(vm.images, [l.kernel, l.initrd, l.dtb]);
  });

  test("the kernel goes at a 2 MiB aligned base plus its text_offset", () => {
    const vm = load((d) => { d.vms[0].linux.kernel = "old/Image"; });
    assert.equal(vm.linux!.textOffset, 0x80000n);
    assert.equal(vm.entry, 0x40280000n);
  });

  test("RAM that does not start on 2 MiB: the kernel base is rounded up", () => {
    const vm = load((d) => { d.vms[0].memory[0] = { ipa: "0x40100000", pa: "0x50000000", size: "256M" }; });
    assert.equal(vm.dtb, 0x40100000n);
    assert.equal(vm.entry, 0x40400000n);
  });

  test("no initrd: kernel and device tree only; bootargs default to empty", () => {
    const vm = load((d) => { delete d.vms[0].linux.initrd; delete d.vms[0].linux.bootargs; });
    assert.equal(vm.linux!.initrd, null);
    assert.equal(vm.linux!.bootargs, "");
    assert.deepEqual(vm.images.map((i) => i.file), ["linux/Image", "linux.dtb"]);
  });

  test("images entries naming the kernel or initrd place them; dtb places the device tree", () => {
    const vm = load((d) => {
      d.vms[0].images = [{ file: "initramfs.cpio", ipa: "0x48000000" }, { file: "linux/Image", ipa: "0x40400000" }];
      d.vms[0].dtb = "0x47ff0000";
    });
    assert.equal(vm.linux!.kernel.ipa, 0x40400000n);
    assert.equal(vm.linux!.kernel.extent, KERNEL_IMAGE_SIZE);
    assert.equal(vm.linux!.initrd!.ipa, 0x48000000n);
    assert.equal(vm.dtb, 0x47ff0000n);
    assert.equal(vm.entry, 0x40400000n);
    assert.deepEqual(vm.images.map((i) => i.file), ["initramfs.cpio", "linux/Image", "linux.dtb"]);
  });

  test("an entry equal to the kernel's address is accepted; a further image is loaded too", () => {
    const vm = load((d) => { d.vms[0].entry = "0x40200000"; d.vms[0].images = [{ file: "guest-fault.bin", ipa: "0x48000000" }]; });
    assert.deepEqual(vm.images.map((i) => i.file), ["guest-fault.bin", "linux/Image", "initramfs.cpio", "linux.dtb"]);
  });
});

describe("refused", () => {
  test("a kernel that is not an arm64 Image", () => {
    rejects((d) => { d.vms[0].linux.kernel = "guest-fault.bin"; }, "vms[0].linux.kernel",
      /^"guest-fault.bin" \(.*guest-fault.bin\) is not an arm64 Linux Image: no "ARM\\x64" magic at offset 0x38 \(found a5 a5 a5 a5\)$/);
    rejects((d) => { d.vms[0].linux.kernel = "vmlinuz"; }, "vms[0].linux.kernel",
      /is not an arm64 Linux Image: no "ARM\\x64" magic .*; it is gzip-compressed \(vmlinuz\): give the uncompressed Image$/);
    rejects((d) => { d.vms[0].linux.kernel = "be/Image"; }, "vms[0].linux.kernel", /: it is a big-endian kernel \(flags bit 0\)$/);
    rejects((d) => { d.vms[0].linux.kernel = "ancient/Image"; }, "vms[0].linux.kernel", /: image_size is 0 \(a kernel older than Linux 3\.17/);
    rejects((d) => { d.vms[0].linux.kernel = "tiny"; }, "vms[0].linux.kernel", /: it has 16 bytes, fewer than the 64-byte header$/);
  });

  test("a kernel or initrd file that does not exist", () => {
    rejects((d) => { d.vms[0].linux.kernel = "linux/Nope"; }, "vms[0].linux.kernel", /^image file "linux\/Nope" not found$/);
    rejects((d) => { d.vms[0].linux.initrd = "nope.cpio"; }, "vms[0].linux.initrd", /^image file "nope.cpio" not found$/);
  });

  test("no gicv3; a pl011 without its INTID", () => {
    rejects((d) => { d.vms[0].devices.shift(); }, "vms[0].linux",
      /^Linux needs an interrupt controller: add \{ "type": "gicv3" \} to vms\[0\]\.devices \(\{ "type": "gicv2" \} on a GICv2 board\)$/);
    rejects((d) => { d.vms[0].devices[1].irq = null; }, "vms[0].devices[1].irq",
      /^a Linux VM's pl011 needs its INTID \(QEMU virt's UART: 33\): Linux cannot open the UART as its console without it$/);
  });

  test("an entry other than the kernel's address; a null dtb", () => {
    rejects((d) => { d.vms[0].entry = "0x40000000"; }, "vms[0].entry",
      /^0x40000000 is not where the kernel is loaded \(0x40200000\): Linux starts at the first byte of its Image \(leave entry out\)$/);
    rejects((d) => { d.vms[0].dtb = null; }, "vms[0].dtb",
      /^null cannot be used with a linux section: Linux needs the device tree the tools generate \(leave dtb out to put it at the start of vms\[0\]\.memory\[0\]\)$/);
  });

  test("a kernel placed off its 2 MiB + text_offset spot", () => {
    rejects((d) => { d.vms[0].images = [{ file: "linux/Image", ipa: "0x40201000" }]; }, "vms[0].images[0].ipa",
      /^0x40201000 is not where an arm64 Image can go: a 2 MiB aligned address plus its text_offset \(0x0\), e\.g\. 0x40400000$/);
  });

  test("a kernel that does not fit, counting its bss (image_size)", () => {
    rejects((d) => { d.vms[0].memory[0].size = "16M"; }, "vms[0].linux.kernel",
      /^"linux\/Image" \(27262976 bytes in memory: its image_size\) loaded at 0x40200000 does not fit in vms\[0\]\.memory\[0\] \(0x40000000\.\.0x40ffffff, 16 MiB\): it would end at 0x41bfffff$/);
    rejects((d) => {
      d.vms[0].memory[0].size = "64M";
      d.vms[0].images = [{ file: "linux/Image", ipa: "0x42800000" }];
    }, "vms[0].images[0].file",
    /^"linux\/Image" takes 27262976 bytes in memory \(its image_size, bss included\) from 0x42800000, more than vms\[0\]\.memory\[0\] \(0x40000000\.\.0x43ffffff\) has: it would end at 0x441fffff$/);
  });

  test("an initrd with no room above the kernel", () => {
    rejects((d) => { d.vms[0].memory[0].size = "29M"; }, "vms[0].linux.initrd",
      /^"initramfs.cpio" \(1048676 bytes\) does not fit at the end of vms\[0\]\.memory\[0\] \(0x40000000\.\.0x41cfffff\) above the kernel, which takes up to 0x41bfffff; give the VM more memory or place the initrd with an images entry$/);
  });

  test("a device tree placed over the kernel, or where it does not fit", () => {
    rejects((d) => { d.vms[0].dtb = "0x41000000"; }, "vms[0].dtb",
      /^the device tree \(0x41000000\.\.0x4100ffff\) overlaps the kernel of vms\[0\]\.linux \("linux\/Image", 0x40200000\.\.0x41bfffff\)$/);
    rejects((d) => { d.vms[0].dtb = "0x4fff8000"; delete d.vms[0].linux.initrd; }, "vms[0].dtb",
      /^the device tree at 0x4fff8000 needs 64 KiB, which run past the end of its memory region \(0x40000000\.\.0x4fffffff\)$/);
    rejects((d) => { d.vms[0].dtb = "0x40000004"; }, "vms[0].dtb", /^0x40000004 is not 8-byte aligned$/);
  });

  test("more than 4 images with the linux section's", () => {
    rejects((d) => {
      d.vms[0].images = [{ file: "guest-fault.bin", ipa: "0x48000000" }, { file: "guest-counter.bin", ipa: "0x48100000" }];
    }, "vms[0].images",
    /^5 images with the ones the linux section adds \("linux\/Image", "initramfs.cpio", the device tree\); a VM loads at most 4$/);
  });

  test("kernel, initrd and device tree in RAM Linux can use (rwx)", () => {
    rejects((d) => { d.vms[0].memory[0].access = "rwx"; d.vms[0].memory.push({ ipa: "0x80000000", pa: "0x60000000", size: "16M", access: "rw" });
      d.vms[0].images = [{ file: "initramfs.cpio", ipa: "0x80000000" }]; }, "vms[0].images[0].ipa",
    /^the initrd at 0x80000000 is in vms\[0\]\.memory\[1\], whose access is "rw": Linux uses only "rwx" regions as RAM$/);
  });

  test("bootargs: one line, at most 2047 characters", () => {
    rejects((d) => { d.vms[0].linux.bootargs = "console=ttyAMA0\ninit=/bin/sh"; }, "vms[0].linux.bootargs",
      /^must be one line of printable text \(no line breaks, tabs or other control characters\), not "console=ttyAMA0\\ninit/);
    rejects((d) => { d.vms[0].linux.bootargs = "x".repeat(2048); }, "vms[0].linux.bootargs",
      /^2048 characters; Linux on arm64 takes at most 2047$/);
  });

  test("the section's own fields; images are required only without it", () => {
    rejects((d) => { delete d.vms[0].linux.kernel; }, "vms[0].linux.kernel", /^missing \(this field is required\)$/);
    rejects((d) => { d.vms[0].linux.cmdline = "x"; }, "vms[0].linux.cmdline", /^unknown property \(allowed here: kernel, initrd, bootargs\)$/);
    rejects((d) => { d.vms[0].linux.kernel = ""; }, "vms[0].linux.kernel", /^must not be empty$/);
    rejects((d) => { delete d.vms[0].linux; }, "vms[0].images", /^missing \(this field is required unless the VM has a linux or a kernel section\)$/);
  });
});
