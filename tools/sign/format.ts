// The signed module file (.wvm, docs/signing.md): header, the core .wasm, and an
// Ed25519 signature (RFC 8032 5.1.6, pure Ed25519) over header and wasm. The runtime's
// side is runtime-c/core/signature.c.
import { sign, verify, type KeyObject } from "node:crypto";

export const WVM_MAGIC = Buffer.from([0x57, 0x56, 0x4d, 0x4f, 0x44, 0x00, 0x31, 0x0a]);  // "WVMOD\0" "1\n"
export const WVM_HEADER = 16;
export const WVM_SIG_LEN = 64;
/** The largest core module a file may carry (the management protocol's payload limit). */
export const WVM_MAX_WASM = 4 << 20;
export const WASM_MAGIC = Buffer.from([0x00, 0x61, 0x73, 0x6d]);  // "\0asm"

function checkKey(key: KeyObject, type: "private" | "public"): void {
  if (key.type !== type || key.asymmetricKeyType !== "ed25519") {
    throw new Error(`need an Ed25519 ${type} key, got a ${key.asymmetricKeyType ?? "symmetric"} ${key.type} key`);
  }
}

/** `wasm` as a signed module file: magic, u32 length, u32 flags 0, wasm, signature. */
export function signModule(wasm: Uint8Array, privateKey: KeyObject): Buffer {
  checkKey(privateKey, "private");
  if (wasm.length < WASM_MAGIC.length || !WASM_MAGIC.equals(wasm.subarray(0, WASM_MAGIC.length))) {
    throw new Error("not a wasm module (it does not start with \\0asm)");
  }
  if (wasm.length > WVM_MAX_WASM) throw new Error(`module of ${wasm.length} bytes is larger than the 4 MiB limit`);
  const head = Buffer.alloc(WVM_HEADER);
  WVM_MAGIC.copy(head, 0);
  head.writeUInt32LE(wasm.length, 8);
  head.writeUInt32LE(0, 12);
  const signed = Buffer.concat([head, wasm]);
  return Buffer.concat([signed, sign(null, signed, privateKey)]);
}

export interface ModuleFile { wasm: Buffer; signature: Buffer; signed: Buffer }

/** The parts of a module file, or an error naming the field that is wrong. */
export function parseModule(file: Buffer): ModuleFile {
  if (file.length < WVM_HEADER) throw new Error(`module file truncated (${file.length} bytes, the header alone is 16)`);
  if (!WVM_MAGIC.equals(file.subarray(0, 8))) throw new Error("not a module file (bad magic)");
  const n = file.readUInt32LE(8), flags = file.readUInt32LE(12);
  if (n === 0 || n > WVM_MAX_WASM) throw new Error(`wasm length ${n} outside 1..4 MiB`);
  if (flags !== 0) throw new Error(`flags 0x${flags.toString(16)} (must be 0)`);
  const want = WVM_HEADER + n + WVM_SIG_LEN;
  if (file.length !== want) throw new Error(`module file of ${file.length} bytes; its header says ${want}`);
  return {
    wasm: file.subarray(WVM_HEADER, WVM_HEADER + n),
    signature: file.subarray(WVM_HEADER + n),
    signed: file.subarray(0, WVM_HEADER + n),
  };
}

/** Is `file` a well-formed module file signed by `publicKey`? */
export function verifyModule(file: Buffer, publicKey: KeyObject): boolean {
  checkKey(publicKey, "public");
  let m: ModuleFile;
  try { m = parseModule(file); } catch { return false; }
  return verify(null, m.signed, publicKey, m.signature);
}
