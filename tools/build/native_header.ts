// The native part's file (runtime-c/include/wv_native_abi.h): struct wv_native_header,
// reloc_count struct wv_native_reloc entries, then the image bytes. Written by the
// build, read back by the tests.
import { createHash } from "node:crypto";
import type { NativeImage } from "./native_elf.ts";

export const NATIVE_MAGIC = Buffer.from("WVNAT\x001\n", "latin1");
export const NATIVE_ABI_VERSION = 2;
export const NATIVE_CPU_ARMV8A_GPR = 1;
export const NATIVE_HEADER_SIZE = 156;
export const NATIVE_MAX_IMAGE = 4 << 20;
export const NATIVE_MAX_RELOCS = 65536;
const TEXT_FIELD = 32;

export interface NativeHeader {
  coreAbiVersion: number;
  textEnd: number; rodataEnd: number; dataEnd: number; imageSize: number; memSize: number;
  relocCount: number; descriptor: number;
  maxFrameBytes: number; depthLimit: number;
  wasmSha256: Buffer; translator: string; compiler: string;
}

export interface NativePartInputs {
  image: NativeImage; wasm: Uint8Array; coreAbiVersion: number;
  maxFrameBytes: number; depthLimit: number; translator: string; compiler: string;
}

function text(s: string, what: string): Buffer {
  const b = Buffer.alloc(TEXT_FIELD);
  if (Buffer.byteLength(s) >= TEXT_FIELD) throw new Error(`${what} "${s}" does not fit ${TEXT_FIELD - 1} bytes`);
  b.write(s, "utf8");
  return b;
}

/** The native part's bytes: header, relocations, image. */
export function nativePart(p: NativePartInputs): Buffer {
  const im = p.image;
  if (im.memSize > NATIVE_MAX_IMAGE) throw new Error(`the native image takes ${im.memSize} bytes, more than the ${NATIVE_MAX_IMAGE}-byte limit`);
  if (im.relocs.length > NATIVE_MAX_RELOCS) throw new Error(`the native image has ${im.relocs.length} relocations, more than ${NATIVE_MAX_RELOCS}`);
  const h = Buffer.alloc(NATIVE_HEADER_SIZE);
  NATIVE_MAGIC.copy(h, 0);
  const u32 = [NATIVE_HEADER_SIZE, NATIVE_ABI_VERSION, p.coreAbiVersion, NATIVE_CPU_ARMV8A_GPR,
    im.textEnd, im.rodataEnd, im.dataEnd, im.image.length, im.memSize, im.relocs.length, im.descriptor,
    p.maxFrameBytes, p.depthLimit];
  u32.forEach((v, i) => h.writeUInt32LE(v, 8 + 4 * i));
  createHash("sha256").update(p.wasm).digest().copy(h, 60);
  text(p.translator, "translator").copy(h, 92);
  text(p.compiler, "compiler").copy(h, 124);
  const r = Buffer.alloc(8 * im.relocs.length);
  im.relocs.forEach((x, i) => { r.writeUInt32LE(x.where, 8 * i); r.writeUInt32LE(x.target, 8 * i + 4); });
  return Buffer.concat([h, r, im.image]);
}

/** A native part split into its header, relocations and image (for tests and checks). */
export function parseNativePart(b: Buffer): { header: NativeHeader; relocs: { where: number; target: number }[]; image: Buffer } {
  if (b.length < NATIVE_HEADER_SIZE || !NATIVE_MAGIC.equals(b.subarray(0, 8))) throw new Error("not a native part (bad magic)");
  const u = (i: number) => b.readUInt32LE(8 + 4 * i);
  if (u(0) !== NATIVE_HEADER_SIZE || u(1) !== NATIVE_ABI_VERSION) throw new Error(`native part header size ${u(0)}, ABI version ${u(1)}`);
  const str = (at: number) => b.toString("utf8", at, at + TEXT_FIELD).replace(/\0+$/, "");
  const header: NativeHeader = {
    coreAbiVersion: u(2), textEnd: u(4), rodataEnd: u(5), dataEnd: u(6), imageSize: u(7), memSize: u(8),
    relocCount: u(9), descriptor: u(10), maxFrameBytes: u(11), depthLimit: u(12),
    wasmSha256: b.subarray(60, 92), translator: str(92), compiler: str(124),
  };
  const relocs = Array.from({ length: header.relocCount }, (_, i) => ({
    where: b.readUInt32LE(NATIVE_HEADER_SIZE + 8 * i), target: b.readUInt32LE(NATIVE_HEADER_SIZE + 8 * i + 4),
  }));
  const at = NATIVE_HEADER_SIZE + 8 * header.relocCount;
  if (b.length !== at + header.imageSize) throw new Error(`native part of ${b.length} bytes; its header says ${at + header.imageSize}`);
  return { header, relocs, image: b.subarray(at) };
}
