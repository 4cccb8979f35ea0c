// The header of an arm64 Linux kernel Image (Documentation/arch/arm64/booting.rst):
//   0x00 u32 code0, u32 code1
//   0x08 u64 text_offset   where the Image goes above a 2 MiB aligned base
//   0x10 u64 image_size    bytes the kernel takes in memory from there (bss included)
//   0x18 u64 flags         bit 0: big-endian; bits 1-2: page size; bit 3: placement
//   0x20 u64 res2, res3, res4
//   0x38 u32 magic         "ARM\x64"
//   0x3c u32 res5          (PE header offset on EFI-capable kernels)
import { closeSync, openSync, readSync } from "node:fs";
import { hex } from "./values.ts";

export const ARM64_HEADER_SIZE = 64;
export const ARM64_MAGIC = 0x644d5241; // "ARM\x64", little-endian
/** The Image goes at a 2 MiB aligned address plus text_offset. */
export const KERNEL_ALIGN = 2n << 20n;

export interface Arm64Image {
  textOffset: bigint;
  imageSize: bigint;
  flags: bigint;
}

/** Parse a header; returns a reason (for "... is not an arm64 Linux Image: <reason>") when it is not one. */
export function parseArm64Header(head: Uint8Array, fileSize: number): Arm64Image | string {
  if (head.length < ARM64_HEADER_SIZE || fileSize < ARM64_HEADER_SIZE) {
    return `it has ${fileSize} bytes, fewer than the ${ARM64_HEADER_SIZE}-byte header`;
  }
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.readUInt32LE(0x38) !== ARM64_MAGIC) {
    const found = b.subarray(0x38, 0x3c).toString("hex").replace(/(..)/g, "$1 ").trim();
    const gz = b[0] === 0x1f && b[1] === 0x8b ? "; it is gzip-compressed (vmlinuz): give the uncompressed Image" : "";
    return `no "ARM\\x64" magic at offset 0x38 (found ${found})${gz}`;
  }
  const textOffset = b.readBigUInt64LE(0x08);
  const imageSize = b.readBigUInt64LE(0x10);
  const flags = b.readBigUInt64LE(0x18);
  if (imageSize === 0n) return "image_size is 0 (a kernel older than Linux 3.17, whose size and placement are unknown)";
  if (imageSize < BigInt(fileSize)) return `image_size ${hex(imageSize)} is smaller than the file (${fileSize} bytes)`;
  if (textOffset >= KERNEL_ALIGN || textOffset % 0x1000n !== 0n) {
    return `text_offset ${hex(textOffset)} is not a 4 KiB multiple below 2 MiB`;
  }
  if ((flags & 1n) !== 0n) return "it is a big-endian kernel (flags bit 0)";
  return { textOffset, imageSize, flags };
}

/** Read and parse the header of the file at `path`. Throws when the file cannot be read. */
export function readArm64Header(path: string, fileSize: number): Arm64Image | string {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(ARM64_HEADER_SIZE);
    const n = readSync(fd, head, 0, ARM64_HEADER_SIZE, 0);
    return parseArm64Header(head.subarray(0, n), fileSize);
  } finally {
    closeSync(fd);
  }
}
