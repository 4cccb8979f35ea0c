// The build's part of module signing (docs/signing.md): the signed core modules
// (build/core.wvm, build/core-v2.wvm, each with its native part build/core.native,
// build/core-v2.native) and what the image trusts (payload.S's wv_update_pubkey and
// wv_update_allow_unsigned).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUILD, rel } from "../lib/paths.ts";
import { step } from "../lib/proc.ts";
import { buildNative } from "../build/native.ts";
import { parseNativePart } from "../build/native_header.ts";
import { signModule } from "./format.ts";
import { rawPublicKey, signingKey } from "./keys.ts";

/** Set to 1 to build a development image, which also accepts unsigned (bare .wasm) modules. */
export const DEV_UNSIGNED_ENV = "WASMVISOR_DEV_UNSIGNED";

/** The core modules the build signs, when they exist: the default build and the second variant. */
export const CORE_MODULES = ["core", "core-v2"];

export function devUnsigned(): boolean {
  const v = process.env[DEV_UNSIGNED_ENV];
  if (v === undefined || v === "" || v === "0") return false;
  if (v === "1") return true;
  throw new Error(`${DEV_UNSIGNED_ENV}="${v}": set it to 1 (development image: unsigned modules accepted) or 0`);
}

/** What the image trusts: the signing key's public half, and whether it takes unsigned modules. */
export function updateTrust(): { updatePubkey: Buffer; allowUnsigned: boolean } {
  return { updatePubkey: rawPublicKey(signingKey().key), allowUnsigned: devUnsigned() };
}

/** Replace `path` by `data` in one rename (a concurrent reader sees the old or the new file), if it differs. */
function writeAtomic(path: string, data: Buffer): void {
  if (existsSync(path) && readFileSync(path).equals(data)) return;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** The native part of `wasm` (its build/<name>.native), checked to be the translation of these very bytes. */
export function nativeFor(wasm: Buffer, nativeFile: string): Buffer {
  const native = readFileSync(nativeFile);
  let sha: Buffer;
  try {
    sha = parseNativePart(native).header.wasmSha256;
  } catch (e) {
    throw new Error(`${rel(nativeFile)}: ${e instanceof Error ? e.message : String(e)}: build it again`);
  }
  if (!sha.equals(createHash("sha256").update(wasm).digest())) {
    throw new Error(`${rel(nativeFile)} was not translated from this module (its wasm_sha256 differs): build it again`);
  }
  return native;
}

/**
 * build/<name>.wvm for every build/<name>.wasm of CORE_MODULES, with its native part
 * build/<name>.native (built here when missing or out of date); a .wvm whose .wasm is gone is removed.
 */
export function signCoreModules(): string[] {
  const { key, path } = signingKey();
  const out: string[] = [];
  for (const name of CORE_MODULES) {
    const wasm = join(BUILD, `${name}.wasm`), wvm = join(BUILD, `${name}.wvm`);
    if (!existsSync(wasm)) { rmSync(wvm, { force: true }); continue; }
    const bytes = readFileSync(wasm);
    const nativeFile = buildNative(wasm).out;
    const signed = signModule(bytes, key, nativeFor(bytes, nativeFile));
    if (!existsSync(wvm) || !readFileSync(wvm).equals(signed)) {
      step(`sign: ${rel(wasm)} + ${rel(nativeFile)} -> ${rel(wvm)} (key ${rel(path)})`);
    }
    writeAtomic(wvm, signed);
    out.push(wvm);
  }
  return out;
}
