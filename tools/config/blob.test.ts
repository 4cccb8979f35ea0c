// encodeBlob writes docs/abi.md section 1 byte for byte. The expected bytes are
// built here by hand at the offsets the document gives, not with blob.ts.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadVmConfig, encodeBlob, decodeBlob, imageTable } from "./index.ts";
import { sandbox, VMCONFIGS, blobProblems, INITRD_SIZE } from "./test_helpers.ts";

const sb = sandbox();
after(() => sb.cleanup());
const load = (name: string) => loadVmConfig(join(VMCONFIGS, `${name}.json`), sb.board, sb.resolve);

interface Rec {
  name: string; type: number; vcpus: number; mask: number; entry: bigint; dtb: bigint; flags: number;
  /** slice_us at offset 60; 0 when left out. */
  slice?: number;
  regions: [bigint, bigint, bigint, number][];
  /** kind, irq, ipa, size, and pa for a device frame. */
  devices: ([number, number, bigint, bigint] | [number, number, bigint, bigint, bigint])[];
  images: [number, bigint][];
}

/** A blob written field by field from docs/abi.md section 1. */
function handMade(recs: Rec[]): Buffer {
  const total = 16 + 640 * recs.length;
  const v = new DataView(new ArrayBuffer(total));
  v.setUint32(0, 0x46435657, true);
  v.setUint32(4, 1, true);
  v.setUint32(8, recs.length, true);
  v.setUint32(12, total, true);
  recs.forEach((r, i) => {
    const o = 16 + 640 * i;
    [...r.name].forEach((c, k) => v.setUint8(o + k, c.charCodeAt(0)));
    v.setUint32(o + 16, r.type, true);
    v.setUint32(o + 20, r.vcpus, true);
    v.setUint32(o + 24, r.mask, true);
    v.setUint32(o + 28, r.regions.length, true);
    v.setUint32(o + 32, r.devices.length, true);
    v.setUint32(o + 36, r.images.length, true);
    v.setBigUint64(o + 40, r.entry, true);
    v.setBigUint64(o + 48, r.dtb, true);
    v.setUint32(o + 56, r.flags, true);
    v.setUint32(o + 60, r.slice ?? 0, true);
    r.regions.forEach(([ipa, pa, size, flags], k) => {
      const q = o + 64 + 32 * k;
      v.setBigUint64(q, ipa, true);
      v.setBigUint64(q + 8, pa, true);
      v.setBigUint64(q + 16, size, true);
      v.setUint32(q + 24, flags, true);
    });
    r.devices.forEach(([kind, irq, ipa, size, pa], k) => {
      const q = o + 320 + 32 * k;
      v.setUint32(q, kind, true);
      v.setUint32(q + 4, irq, true);
      v.setBigUint64(q + 8, ipa, true);
      v.setBigUint64(q + 16, size, true);
      v.setBigUint64(q + 24, pa ?? 0n, true);
    });
    r.images.forEach(([index, ipa], k) => {
      const q = o + 576 + 16 * k;
      v.setUint32(q, index, true);
      v.setBigUint64(q + 8, ipa, true);
    });
  });
  return Buffer.from(v.buffer);
}

const PL011: [number, number, bigint, bigint] = [1, 0, 0x09000000n, 0x1000n];
/** A GICv3 at QEMU virt's addresses: distributor (kind 2, 64 KiB), redistributors (kind 3, 128 KiB per vCPU). */
const gicv3 = (vcpus: number): [number, number, bigint, bigint][] =>
  [[2, 0, 0x08000000n, 0x10000n], [3, 0, 0x080a0000n, 0x20000n * BigInt(vcpus)]];
/** Where the stand-in initramfs lands: page aligned at the end of a 256 MiB region at 0x40000000. */
const INITRD_IPA = (0x50000000n - BigInt(INITRD_SIZE)) & ~0xfffn;
/** example.json's first region is identity-mapped at 0x50000000 (256 MiB). */
const EXAMPLE_INITRD_IPA = (0x60000000n - BigInt(INITRD_SIZE)) & ~0xfffn;

test("demo.json encodes byte for byte", () => {
  const set = load("demo");
  const blob = encodeBlob(set);
  const want = handMade([
    { name: "basic", type: 1, vcpus: 1, mask: 0b10, entry: 0x40000000n, dtb: 0n, flags: 0,
      regions: [[0x40000000n, 0x50000000n, 0x1000000n, 7]], devices: [PL011], images: [[0, 0x40000000n]] },
    { name: "counter", type: 1, vcpus: 1, mask: 0b100, entry: 0x40000000n, dtb: 0n, flags: 0,
      regions: [[0x40000000n, 0x51000000n, 0x1000000n, 7]], devices: [PL011], images: [[1, 0x40000000n]] },
  ]);
  assert.equal(blob.length, 16 + 2 * 640);
  assert.ok(blob.equals(want), "blob differs from the hand-made one");
  assert.deepEqual(imageTable(set), ["guest-fault.bin", "guest-counter.bin"]);
  assert.deepEqual(blobProblems(blob, sb.board, 2), []);
});

test("demo.json: single fields read back at their documented offsets", () => {
  const blob = encodeBlob(load("demo"));
  const v = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  assert.equal(blob.subarray(0, 4).toString("latin1"), "WVCF");
  assert.equal(v.getUint32(12, true), 1296);
  const counter = 16 + 640;
  assert.equal(blob.subarray(counter, counter + 16).toString("latin1"), "counter\0\0\0\0\0\0\0\0\0");
  assert.equal(v.getUint32(counter + 24, true), 4);                   // pcpu_mask: CPU 2
  assert.equal(v.getBigUint64(counter + 64 + 8, true), 0x51000000n);  // region 0 pa
  assert.equal(v.getUint32(counter + 64 + 24, true), 7);              // R | W | X
  assert.equal(v.getUint32(counter + 320, true), 1);                  // device 0 kind pl011
  assert.equal(v.getBigUint64(counter + 576 + 8, true), 0x40000000n); // image 0 load_ipa
});

test("example.json: mvm, rtvm, two regions with their access, irq, gicv3, a passthrough frame, dtb, a placed kernel and the initrd", () => {
  const set = load("example");
  const blob = encodeBlob(set);
  const want = handMade([
    { name: "linux", type: 0, vcpus: 2, mask: 0b11, entry: 0x50200000n, dtb: 0x58000000n, flags: 0, slice: 10000,
      regions: [[0x50000000n, 0x50000000n, 0x10000000n, 7], [0x60000000n, 0x60000000n, 0x4000000n, 3]],
      devices: [[1, 33, 0x09000000n, 0x1000n], ...gicv3(2), [6, 79, 0x0a003000n, 0x1000n, 0x0a003000n]],
      images: [[0, 0x50200000n], [1, EXAMPLE_INITRD_IPA], [2, 0x58000000n]] },
    { name: "rt", type: 2, vcpus: 1, mask: 0b1000, entry: 0x40000000n, dtb: 0n, flags: 0,
      regions: [[0x40000000n, 0x70000000n, 0x1000000n, 7]], devices: [PL011], images: [[3, 0x40000000n]] },
  ]);
  assert.ok(blob.equals(want), "blob differs from the hand-made one");
  assert.deepEqual(imageTable(set), ["Image", "initramfs.cpio", "linux.dtb (generated)", "guest-counter.bin"]);
  assert.deepEqual(blobProblems(blob, sb.board, 4), []);
});

test("linux.json: the gicv3 is two records, the linux section three images (kernel, initrd, device tree)", () => {
  const set = load("linux");
  const blob = encodeBlob(set);
  const want = handMade([
    { name: "linux", type: 1, vcpus: 2, mask: 0b110, entry: 0x40200000n, dtb: 0x40000000n, flags: 0,
      regions: [[0x40000000n, 0x50000000n, 0x10000000n, 7]],
      devices: [...gicv3(2), [1, 33, 0x09000000n, 0x1000n]],
      images: [[0, 0x40200000n], [1, INITRD_IPA], [2, 0x40000000n]] },
  ]);
  assert.ok(blob.equals(want), "blob differs from the hand-made one");
  assert.deepEqual(imageTable(set), ["linux/Image", "initramfs.cpio", "linux.dtb (generated)"]);
  assert.deepEqual(blobProblems(blob, sb.board, 3), []);
});

test("bench.json sets the bench flag", () => {
  const blob = encodeBlob(load("bench"));
  const want = handMade([
    { name: "bench", type: 1, vcpus: 1, mask: 0b10, entry: 0x40000000n, dtb: 0n, flags: 1,
      regions: [[0x40000000n, 0x50000000n, 0x1000000n, 7]], devices: [PL011], images: [[0, 0x40000000n]] },
  ]);
  assert.ok(blob.equals(want));
});

test("the caller's image index is written", () => {
  const table = ["x", "guest-counter.bin", "guest-fault.bin"];
  const blob = encodeBlob(load("demo"), (f) => table.indexOf(f));
  const d = decodeBlob(blob);
  assert.deepEqual(d.vms.map((v) => v.images[0]?.index), [2, 1]);
  assert.throws(() => encodeBlob(load("demo"), () => -1), /does not fit in a u32/);
});

test("decodeBlob reads back what encodeBlob wrote", () => {
  const set = load("example");
  const d = decodeBlob(encodeBlob(set));
  assert.equal(d.magic, 0x46435657);
  assert.equal(d.version, 1);
  assert.equal(d.totalSize, 16 + 2 * 640);
  assert.deepEqual(d.vms.map((v) => v.name), ["linux", "rt"]);
  const linux = d.vms[0]!;
  assert.equal(linux.type, 0);
  assert.equal(linux.vcpuCount, 2);
  assert.equal(linux.pcpuMask, 3);
  assert.deepEqual(linux.regions.map((r) => r.flags), [7, 3]);
  assert.deepEqual(linux.devices, [
    { kind: 1, irq: 33, ipa: 0x09000000n, size: 0x1000n, pa: 0n },
    { kind: 2, irq: 0, ipa: 0x08000000n, size: 0x10000n, pa: 0n },
    { kind: 3, irq: 0, ipa: 0x080a0000n, size: 0x40000n, pa: 0n },
    { kind: 6, irq: 79, ipa: 0x0a003000n, size: 0x1000n, pa: 0x0a003000n },
  ]);
  assert.deepEqual(linux.images, [{ index: 0, reserved: 0, ipa: 0x50200000n }, { index: 1, reserved: 0, ipa: EXAMPLE_INITRD_IPA },
    { index: 2, reserved: 0, ipa: 0x58000000n }]);
  assert.throws(() => decodeBlob(new Uint8Array(8)), /shorter than its header/);
  const short = encodeBlob(set).subarray(0, 700);
  assert.throws(() => decodeBlob(short), /too short for 2 VMs/);
});
