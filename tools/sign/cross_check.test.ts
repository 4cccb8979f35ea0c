// Node signs, the runtime's C verifier checks: runtime-c/core/signature.c with the
// Monocypher the image links, built for the host as runtime-c/tests/wvm_check.c, is
// asked about module files made by signModule with a key made here.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../lib/paths.ts";
import { run } from "../lib/proc.ts";
import { ensureMonocypher } from "../setup/monocypher.ts";
import { signModule } from "./format.ts";
import { rawPublicKey } from "./keys.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-sign-cross-"));
const checker = join(dir, "wvm_check");
after(() => rmSync(dir, { recursive: true, force: true }));

before(() => {
  const mono = ensureMonocypher();
  const rt = join(ROOT, "runtime-c");
  run("cc", ["-std=c11", "-O1", "-Wall", "-Wextra", "-Werror", "-I", join(rt, "include"), "-I", mono, "-I", join(mono, "optional"),
    join(rt, "tests", "wvm_check.c"), join(rt, "core", "signature.c"),
    join(mono, "monocypher.c"), join(mono, "optional", "monocypher-ed25519.c"), "-o", checker]);
});

const { privateKey } = generateKeyPairSync("ed25519");
const pubFile = join(dir, "pub.bin");
writeFileSync(pubFile, rawPublicKey(privateKey));

/** The C verifier's exit code for `file` (0 valid, 1 bad signature, 2 refused, 3 unsigned) and its line. */
function check(file: Buffer, pub = pubFile): { code: number; out: string } {
  const path = join(dir, `m-${randomBytes(4).toString("hex")}.wvm`);
  writeFileSync(path, file);
  const r = spawnSync(checker, [path, pub], { encoding: "utf8" });
  return { code: r.status ?? -1, out: (r.stdout + r.stderr).trim() };
}

/** A module of `n` bytes: the wasm header, then one custom section of random bytes. */
function wasm(n: number): Buffer {
  const body = n - 8 - 1 - 5;
  const size = Buffer.from([(body & 0x7f) | 0x80, ((body >> 7) & 0x7f) | 0x80, ((body >> 14) & 0x7f) | 0x80, ((body >> 21) & 0x7f) | 0x80, body >> 28]);
  return Buffer.concat([Buffer.from("0061736d01000000", "hex"), Buffer.from([0]), size, Buffer.from([0]), randomBytes(body - 1)]);
}

test("the C verifier accepts modules Node signed, small and large", () => {
  for (const n of [16, 1000, 300_000, 4 << 20]) {
    const r = check(signModule(wasm(n), privateKey));
    assert.equal(r.code, 0, `${n}-byte module: ${r.out}`);
    assert.match(r.out, new RegExp(`signed module of ${n} bytes, signature valid`));
  }
});

test("the C verifier refuses a changed module, a changed signature and another key", () => {
  const f = signModule(wasm(5000), privateKey);
  for (const at of [20, 16 + 2500, f.length - 70, f.length - 64, f.length - 33, f.length - 1]) {
    const t = Buffer.from(f);
    t[at]! ^= 0x10;
    assert.equal(check(t).code, 1, `byte ${at} changed, yet: ${check(t).out}`);
  }
  const other = join(dir, "other.bin");
  writeFileSync(other, rawPublicKey(generateKeyPairSync("ed25519").privateKey));
  assert.equal(check(f, other).code, 1);
});

test("the C verifier accepts modules with a native part, and refuses each malformed one", () => {
  const native = randomBytes(2000);
  const f = signModule(wasm(1000), privateKey, native);
  const ok = check(f);
  assert.equal(ok.code, 0, ok.out);
  assert.equal(ok.out, "signed module of 1000 bytes with a native part of 2000 bytes, signature valid");
  const big = check(signModule(wasm(4 << 20), privateKey, randomBytes(4 << 20)));
  assert.equal(big.code, 0, big.out);
  for (const at of [16 + 1000 + 4, 16 + 1000 + 4 + 1000, f.length - 65, f.length - 1]) {   // the native part is signed too
    const t = Buffer.from(f);
    t[at]! ^= 0x08;
    assert.equal(check(t).code, 1, `byte ${at} changed, yet: ${check(t).out}`);
  }
  const at = 16 + 1000;
  const refused = (file: Buffer, why: RegExp) => {
    const r = check(file);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, why);
  };
  refused(f.subarray(0, at + 4 + 1000), /native part cut short/);
  refused(f.subarray(0, at + 2), /truncated/);
  refused(f.subarray(0, f.length - 1), /truncated/);
  refused(Buffer.concat([f, Buffer.from([0])]), /after its signature/);
  const zero = Buffer.from(f); zero.writeUInt32LE(0, at);
  refused(zero, /native length 0/);
  const over = Buffer.from(f); over.writeUInt32LE((4 << 20) + 1, at);
  refused(over, /native part larger than the 4 MiB limit/);
  const flags = Buffer.from(f); flags.writeUInt32LE(3, 12);
  refused(flags, /unknown flags/);
});

test("the C parser refuses what Node's format refuses, and sees a bare module as unsigned", () => {
  const f = signModule(wasm(100), privateKey);
  const magic = Buffer.from(f); magic[1] = 0;
  assert.deepEqual([check(magic).code, check(magic).out], [2, "refused: not a module file (bad magic)"]);
  const flags = Buffer.from(f); flags.writeUInt32LE(2, 12);
  assert.equal(check(flags).code, 2);
  const native = Buffer.from(f); native.writeUInt32LE(1, 12);     // bit 0 set, but no native part follows
  assert.equal(check(native).code, 2);
  assert.equal(check(f.subarray(0, f.length - 1)).code, 2);
  assert.equal(check(Buffer.concat([f, Buffer.from([0])])).code, 2);
  assert.equal(check(wasm(100)).code, 3);
});
