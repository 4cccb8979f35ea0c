// The key pair that signs core modules for live update (docs/signing.md). By default a
// development pair, made with Node's crypto on first use into <cache>/keys/ and never
// committed; WASMVISOR_SIGNING_KEY names another private key (PKCS#8 PEM, Ed25519).
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE } from "../lib/paths.ts";
import { step } from "../lib/proc.ts";

export const KEY_DIR = join(CACHE, "keys");
export const DEV_PRIVATE_KEY = join(KEY_DIR, "update-dev.key.pem");
export const DEV_PUBLIC_KEY = join(KEY_DIR, "update-dev.pub.pem");
export const SIGNING_KEY_ENV = "WASMVISOR_SIGNING_KEY";

/** An Ed25519 private key from a PEM file, or an error naming the file and what is wrong. */
export function loadPrivateKey(path: string): KeyObject {
  let pem: Buffer;
  try { pem = readFileSync(path); } catch (e) {
    throw new Error(`cannot read the signing key ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let key: KeyObject;
  try { key = createPrivateKey(pem); } catch (e) {
    throw new Error(`${path} is not a PEM private key (${e instanceof Error ? e.message : String(e)})`);
  }
  if (key.asymmetricKeyType !== "ed25519") {
    throw new Error(`${path} holds a ${key.asymmetricKeyType} key; modules are signed with Ed25519 ` +
      "(make one with: openssl genpkey -algorithm ed25519 -out key.pem)");
  }
  return key;
}

/** The development key, made on first use. Safe when several builds start at once: the
 * first to link its file into place wins and every other one reads that file. */
export function devPrivateKey(): KeyObject {
  if (!existsSync(DEV_PRIVATE_KEY)) {
    mkdirSync(KEY_DIR, { recursive: true, mode: 0o700 });
    const tmp = `${DEV_PRIVATE_KEY}.${process.pid}.tmp`;
    const { privateKey } = generateKeyPairSync("ed25519");
    writeFileSync(tmp, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    try {
      linkSync(tmp, DEV_PRIVATE_KEY);
      step(`made the development signing key ${DEV_PRIVATE_KEY} (docs/signing.md)`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  const key = loadPrivateKey(DEV_PRIVATE_KEY);
  const pub = publicKeyOf(key).export({ type: "spki", format: "pem" });
  if (!existsSync(DEV_PUBLIC_KEY) || readFileSync(DEV_PUBLIC_KEY, "utf8") !== pub) {
    const tmp = `${DEV_PUBLIC_KEY}.${process.pid}.tmp`;
    writeFileSync(tmp, pub);
    renameSync(tmp, DEV_PUBLIC_KEY);
  }
  return key;
}

let loaded: { env: string | undefined; signer: { key: KeyObject; path: string } } | undefined;

/**
 * The key the build signs with: $WASMVISOR_SIGNING_KEY's, else the development key.
 * Read once per process (while the variable stays the same): every image a test run or
 * a bench builds asks for it.
 */
export function signingKey(): { key: KeyObject; path: string } {
  const own = process.env[SIGNING_KEY_ENV];
  if (loaded && loaded.env === own) return loaded.signer;
  const signer = own ? { key: loadPrivateKey(own), path: own } : { key: devPrivateKey(), path: DEV_PRIVATE_KEY };
  loaded = { env: own, signer };
  return signer;
}

export function publicKeyOf(key: KeyObject): KeyObject {
  return key.type === "public" ? key : createPublicKey(key);
}

/** The 32-byte public key (RFC 8032 5.1.5 encoding), as the runtime takes it. */
export function rawPublicKey(key: KeyObject): Buffer {
  const x = publicKeyOf(key).export({ format: "jwk" }).x;
  if (typeof x !== "string") throw new Error("not an Ed25519 key: it has no public point");
  const raw = Buffer.from(x, "base64url");
  if (raw.length !== 32) throw new Error(`an Ed25519 public key has 32 bytes, this one ${raw.length}`);
  return raw;
}
