// The arm64 Image header reader: the fields at their documented offsets, each way a
// file is not an arm64 Image, and the kernel setup fetched (when it is there).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { CACHE } from "../lib/paths.ts";
import { parseArm64Header, readArm64Header } from "./arm64_image.ts";
import { fakeKernel } from "./test_helpers.ts";

test("text_offset at 0x08, image_size at 0x10, flags at 0x18, magic at 0x38", () => {
  const h = fakeKernel(4096, 0x2010000n, 0x80000n, 0xan);
  assert.deepEqual(parseArm64Header(h, 4096), { textOffset: 0x80000n, imageSize: 0x2010000n, flags: 0xan });
});

test("what is not an arm64 Image, and why", () => {
  const ok = fakeKernel(4096, 0x10000n);
  const with_ = (off: number, v: bigint): Buffer => { const b = Buffer.from(ok); b.writeBigUInt64LE(v, off); return b; };
  assert.match(parseArm64Header(ok.subarray(0, 32), 32) as string, /fewer than the 64-byte header/);
  const noMagic = Buffer.from(ok);
  noMagic.write("MZ\0\0", 0x38, "latin1");
  assert.equal(parseArm64Header(noMagic, 4096), 'no "ARM\\x64" magic at offset 0x38 (found 4d 5a 00 00)');
  assert.match(parseArm64Header(with_(0x10, 0n), 4096) as string, /image_size is 0/);
  assert.match(parseArm64Header(with_(0x10, 100n), 4096) as string, /image_size 0x64 is smaller than the file \(4096 bytes\)/);
  assert.match(parseArm64Header(with_(0x08, 2n << 20n), 4096) as string, /text_offset 0x200000 is not a 4 KiB multiple below 2 MiB/);
  assert.match(parseArm64Header(with_(0x08, 0x80010n), 4096) as string, /text_offset 0x80010/);
  assert.match(parseArm64Header(with_(0x18, 0xbn), 4096) as string, /big-endian/);
});

const KERNEL = join(CACHE, "guest", "linux", "Image");

test("Debian's arm64 kernel (tools/setup) is an arm64 Image: text_offset 0, image_size past the file", (t) => {
  assert.ok(existsSync(KERNEL), `${KERNEL} not fetched: wasmvisor setup fetches it before any test runs`);
  const size = statSync(KERNEL).size;
  const h = readArm64Header(KERNEL, size);
  assert.ok(typeof h !== "string", `not an arm64 Image: ${String(h)}`);
  assert.equal(h.textOffset, 0n);
  assert.ok(h.imageSize >= BigInt(size));
  assert.equal(h.flags & 1n, 0n);
});
