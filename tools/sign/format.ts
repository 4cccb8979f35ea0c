// The signed module file (.wvm, docs/signing.md): header, the core .wasm, optionally
// the module's native part (flag bit 0: u32 length, then its bytes), and an Ed25519
// signature (RFC 8032 5.1.6, pure Ed25519) over every byte before it. The runtime's
// side is runtime-c/core/signature.c.
import { sign, verify, type KeyObject } from "node:crypto";

export const WVM_MAGIC = Buffer.from([0x57, 0x56, 0x4d, 0x4f, 0x44, 0x00, 0x31, 0x0a]);  // "WVMOD\0" "1\n"
export const WVM_HEADER = 16;
export const WVM_SIG_LEN = 64;
/** The largest core module a file may carry (the management protocol's payload limit). */
export const WVM_MAX_WASM = 4 << 20;
/** Flag bit 0: a native part follows the module. No other bit is defined. */
export const WVM_FLAG_NATIVE = 1;
/** The largest native part a file may carry. */
export const WVM_MAX_NATIVE = 4 << 20;
export const WASM_MAGIC = Buffer.from([0x00, 0x61, 0x73, 0x6d]);  // "\0asm"

function checkKey(key: KeyObject, type: "private" | "public"): void {
  if (key.type !== type || key.asymmetricKeyType !== "ed25519") {
    throw new Error(`need an Ed25519 ${type} key, got a ${key.asymmetricKeyType ?? "symmetric"} ${key.type} key`);
  }
}

/**
 * `wasm` (and its native part, when given) as a signed module file: magic, u32 length,
 * u32 flags, wasm, [u32 native length, native part], signature.
 */
export function signModule(wasm: Uint8Array, privateKey: KeyObject, native?: Uint8Array): Buffer {
  checkKey(privateKey, "private");
  if (wasm.length < WASM_MAGIC.length || !WASM_MAGIC.equals(wasm.subarray(0, WASM_MAGIC.length))) {
    throw new Error("not a wasm module (it does not start with \\0asm)");
  }
  if (wasm.length > WVM_MAX_WASM) throw new Error(`module of ${wasm.length} bytes is larger than the 4 MiB limit`);
  if (native && (native.length === 0 || native.length > WVM_MAX_NATIVE)) {
    throw new Error(`native part of ${native.length} bytes: it must have 1 byte to 4 MiB`);
  }
  const head = Buffer.alloc(WVM_HEADER);
  WVM_MAGIC.copy(head, 0);
  head.writeUInt32LE(wasm.length, 8);
  head.writeUInt32LE(native ? WVM_FLAG_NATIVE : 0, 12);
  const parts: Uint8Array[] = [head, wasm];
  if (native) {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(native.length, 0);
    parts.push(len, native);
  }
  const signed = Buffer.concat(parts);
  return Buffer.concat([signed, sign(null, signed, privateKey)]);
}

export interface ModuleFile {
  wasm: Buffer;
  /** The native part, when flag bit 0 is set. */
  native?: Buffer;
  signature: Buffer;
  /** Every byte before the signature: what it signs. */
  signed: Buffer;
}

/** The parts of a module file, or an error naming the field that is wrong. */
export function parseModule(file: Buffer): ModuleFile {
  if (file.length < WVM_HEADER) throw new Error(`module file truncated (${file.length} bytes, the header alone is 16)`);
  if (!WVM_MAGIC.equals(file.subarray(0, 8))) throw new Error("not a module file (bad magic)");
  const n = file.readUInt32LE(8), flags = file.readUInt32LE(12);
  if (n === 0 || n > WVM_MAX_WASM) throw new Error(`wasm length ${n} outside 1..4 MiB`);
  if ((flags & ~WVM_FLAG_NATIVE) !== 0) throw new Error(`unknown flags 0x${(flags >>> 0).toString(16)} (only bit 0, a native part, is defined)`);
  let at = WVM_HEADER + n;
  let native: Buffer | undefined;
  if (flags & WVM_FLAG_NATIVE) {
    if (file.length < at + 4) throw new Error(`module file truncated (${file.length} bytes, its native length is at ${at})`);
    const m = file.readUInt32LE(at);
    if (m === 0 || m > WVM_MAX_NATIVE) throw new Error(`native length ${m} outside 1..4 MiB`);
    at += 4;
    if (file.length < at + m) throw new Error(`module file truncated: native part cut short (${file.length} bytes, it ends at ${at + m})`);
    native = file.subarray(at, at + m);
    at += m;
  }
  const want = at + WVM_SIG_LEN;
  if (file.length < want) throw new Error(`module file truncated (${file.length} bytes; its header says ${want})`);
  if (file.length > want) throw new Error(`module file has bytes after its signature (${file.length} bytes; its header says ${want})`);
  return {
    wasm: file.subarray(WVM_HEADER, WVM_HEADER + n),
    ...(native ? { native } : {}),
    signature: file.subarray(at),
    signed: file.subarray(0, at),
  };
}

/** Is `file` a well-formed module file signed by `publicKey`? */
export function verifyModule(file: Buffer, publicKey: KeyObject): boolean {
  checkKey(publicKey, "public");
  let m: ModuleFile;
  try { m = parseModule(file); } catch { return false; }
  return verify(null, m.signed, publicKey, m.signature);
}
