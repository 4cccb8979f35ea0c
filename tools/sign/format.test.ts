// The signed module file as tools/sign writes it (docs/signing.md): checked with
// Node's own verify, byte by byte against the layout, and tampered with.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createPrivateKey, generateKeyPairSync, verify } from "node:crypto";
import { parseModule, signModule, verifyModule, WVM_MAX_NATIVE, WVM_MAX_WASM } from "./format.ts";
import { rawPublicKey } from "./keys.ts";

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
/** A small valid module (header and one custom section) with `extra` bytes of payload. */
function wasm(extra: number): Buffer {
  const name = Buffer.from("x", "latin1");
  const body = Buffer.concat([Buffer.from([name.length]), name, Buffer.alloc(extra, 0xa5)]);
  const size = body.length < 128 ? Buffer.from([body.length]) : Buffer.from([(body.length & 0x7f) | 0x80, body.length >> 7]);
  return Buffer.concat([Buffer.from("0061736d01000000", "hex"), Buffer.from([0]), size, body]);
}

test("a signed module verifies with Node's crypto over header and wasm", () => {
  const w = wasm(100);
  const f = signModule(w, privateKey);
  assert.equal(f.length, 16 + w.length + 64);
  assert.ok(verify(null, f.subarray(0, 16 + w.length), publicKey, f.subarray(16 + w.length)));
  assert.ok(verifyModule(f, publicKey));
});

test("the file is laid out byte by byte as the format says", () => {
  const w = wasm(300);
  const f = signModule(w, privateKey);
  assert.deepEqual([...f.subarray(0, 8)], [0x57, 0x56, 0x4d, 0x4f, 0x44, 0x00, 0x31, 0x0a]);
  assert.deepEqual([...f.subarray(8, 12)], [w.length & 0xff, (w.length >> 8) & 0xff, (w.length >> 16) & 0xff, w.length >>> 24]);
  assert.deepEqual([...f.subarray(12, 16)], [0, 0, 0, 0]);
  assert.ok(f.subarray(16, 16 + w.length).equals(w));
  const m = parseModule(f);
  assert.ok(m.wasm.equals(w));
  assert.equal(m.signature.length, 64);
  assert.equal(m.signed.length, 16 + w.length);
  // Ed25519 is deterministic (RFC 8032 5.1.6): the same module and key, the same file.
  assert.ok(signModule(w, privateKey).equals(f));
});

test("a tampered file is refused by Node's verify, wherever the change is", () => {
  const w = wasm(40);
  const f = signModule(w, privateKey);
  for (let i = 0; i < f.length; i++) {
    const t = Buffer.from(f);
    t[i]! ^= 0x01;
    assert.equal(verifyModule(t, publicKey), false, `byte ${i} changed yet the file verified`);
  }
  assert.equal(verifyModule(f.subarray(0, f.length - 1), publicKey), false);
  assert.equal(verifyModule(Buffer.concat([f, Buffer.from([0])]), publicKey), false);
  const other = generateKeyPairSync("ed25519").publicKey;
  assert.equal(verifyModule(f, other), false, "verified with another key");
});

test("signing refuses what is not a module and keys that are not Ed25519", () => {
  assert.throws(() => signModule(Buffer.from("not wasm"), privateKey), /\\0asm/);
  assert.throws(() => signModule(Buffer.alloc(0), privateKey), /\\0asm/);
  const huge = Buffer.alloc(WVM_MAX_WASM + 1);
  Buffer.from("0061736d", "hex").copy(huge);
  assert.throws(() => signModule(huge, privateKey), /4 MiB/);
  const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
  assert.throws(() => signModule(wasm(1), rsa), /Ed25519 private key/);
  assert.throws(() => signModule(wasm(1), publicKey), /Ed25519 private key/);
});

test("parseModule names what is wrong", () => {
  const f = signModule(wasm(8), privateKey);
  assert.throws(() => parseModule(f.subarray(0, 10)), /truncated/);
  const bad = Buffer.from(f); bad[0] = 0x58;
  assert.throws(() => parseModule(bad), /bad magic/);
  const flags = Buffer.from(f); flags.writeUInt32LE(2, 12);
  assert.throws(() => parseModule(flags), /flags/);
  const len = Buffer.from(f); len.writeUInt32LE(0, 8);
  assert.throws(() => parseModule(len), /wasm length 0/);
});

test("a native part follows the module under flag bit 0, and the signature covers it", () => {
  const w = wasm(50), native = Buffer.alloc(333, 0x5a);
  const f = signModule(w, privateKey, native);
  assert.equal(f.length, 16 + w.length + 4 + native.length + 64);
  assert.equal(f.readUInt32LE(12), 1);
  assert.equal(f.readUInt32LE(16 + w.length), native.length);
  assert.ok(f.subarray(20 + w.length, 20 + w.length + native.length).equals(native));
  const m = parseModule(f);
  assert.ok(m.wasm.equals(w) && m.native?.equals(native));
  assert.equal(m.signed.length, f.length - 64);
  assert.ok(verify(null, f.subarray(0, f.length - 64), publicKey, f.subarray(f.length - 64)));
  assert.ok(verifyModule(f, publicKey));
  for (let i = 0; i < f.length; i += 7) {
    const t = Buffer.from(f);
    t[i]! ^= 0x04;
    assert.equal(verifyModule(t, publicKey), false, `byte ${i} changed yet the file verified`);
  }
  // Without a native part the file is the old format, byte for byte.
  assert.equal(parseModule(signModule(w, privateKey)).native, undefined);
  assert.equal(signModule(w, privateKey).readUInt32LE(12), 0);
});

test("a native part of 0 bytes or over 4 MiB is not signed", () => {
  assert.throws(() => signModule(wasm(1), privateKey, Buffer.alloc(0)), /native part of 0 bytes/);
  assert.throws(() => signModule(wasm(1), privateKey, Buffer.alloc(WVM_MAX_NATIVE + 1)), /1 byte to 4 MiB/);
  assert.equal(parseModule(signModule(wasm(1), privateKey, Buffer.alloc(WVM_MAX_NATIVE))).native?.length, WVM_MAX_NATIVE);
});

test("parseModule refuses each malformed native part", () => {
  const w = wasm(8), f = signModule(w, privateKey, Buffer.alloc(100, 1));
  const at = 16 + w.length;
  assert.throws(() => parseModule(f.subarray(0, at + 2)), /truncated/);
  assert.throws(() => parseModule(f.subarray(0, at + 4 + 50)), /native part cut short/);
  assert.throws(() => parseModule(f.subarray(0, f.length - 1)), /truncated/);
  assert.throws(() => parseModule(Buffer.concat([f, Buffer.from([0])])), /bytes after its signature/);
  const zero = Buffer.from(f); zero.writeUInt32LE(0, at);
  assert.throws(() => parseModule(zero), /native length 0 outside/);
  const big = Buffer.from(f); big.writeUInt32LE(WVM_MAX_NATIVE + 1, at);
  assert.throws(() => parseModule(big), /native length 4194305 outside/);
  const unknown = Buffer.from(f); unknown.writeUInt32LE(3, 12);
  assert.throws(() => parseModule(unknown), /unknown flags 0x3/);
  const high = Buffer.from(f); high.writeUInt32LE(0x80000001, 12);
  assert.throws(() => parseModule(high), /unknown flags 0x80000001/);
  const cleared = Buffer.from(f); cleared.writeUInt32LE(0, 12);
  assert.throws(() => parseModule(cleared), /bytes after its signature/);
});

test("the raw public key is the key's 32-byte RFC 8032 encoding", () => {
  // RFC 8032 7.1 TEST 1: its secret key, wrapped in PKCS#8 (RFC 8410 7), and its public key.
  const pkcs8 = Buffer.from("302e020100300506032b657004220420" +
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "hex");
  const key = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  assert.equal(rawPublicKey(key).toString("hex"), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  assert.equal(rawPublicKey(publicKey).length, 32);
});
