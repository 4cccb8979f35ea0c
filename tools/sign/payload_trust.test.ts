// What the image trusts, as payload.S carries it: assembled with the cross assembler,
// wv_update_pubkey must hold the key's 32 bytes, wv_update_allow_unsigned 0 or 1, and
// wv_core_full_call_depth 1 only where the guard page test asks for it.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../lib/proc.ts";
import { payloadSource } from "../build/payload.ts";
import { rawPublicKey } from "./keys.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-payload-trust-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const core = join(dir, "core.wasm"), blob = join(dir, "vms.bin");
writeFileSync(core, Buffer.from("0061736d01000000", "hex"));
writeFileSync(blob, Buffer.alloc(16, 7));

/** Assemble payload.S and read the bytes at each of `symbols` (from the section's start). */
function assembled(src: string, symbols: Record<string, number>): Record<string, Buffer> {
  const s = join(dir, "payload.S"), o = join(dir, "payload.o"), bin = join(dir, "payload.bin");
  writeFileSync(s, src);
  run("aarch64-linux-gnu-as", [s, "-o", o]);
  run("aarch64-linux-gnu-objcopy", ["-O", "binary", "-j", ".rodata.payload", o, bin]);
  const data = readFileSync(bin);
  const nm = run("aarch64-linux-gnu-nm", ["-g", o]).stdout;
  const out: Record<string, Buffer> = {};
  for (const [name, size] of Object.entries(symbols)) {
    const m = new RegExp(`^([0-9a-f]+) R ${name}$`, "m").exec(nm);
    assert.ok(m, `${name} is not a global read-only symbol of payload.S:\n${nm}`);
    const at = parseInt(m[1]!, 16);
    out[name] = data.subarray(at, at + size);
  }
  return out;
}

for (const allowUnsigned of [false, true]) {
  test(`payload.S carries the update key and allow_unsigned = ${allowUnsigned ? 1 : 0}`, () => {
    const pub = rawPublicKey(generateKeyPairSync("ed25519").publicKey);
    const src = payloadSource({ coreWasm: core, blob, images: [], updatePubkey: pub, allowUnsigned });
    const got = assembled(src, { wv_update_pubkey: 32, wv_update_allow_unsigned: 4 });
    assert.ok(got.wv_update_pubkey!.equals(pub), `wv_update_pubkey ${got.wv_update_pubkey!.toString("hex")} != ${pub.toString("hex")}`);
    assert.equal(got.wv_update_allow_unsigned!.readUInt32LE(0), allowUnsigned ? 1 : 0);
  });
}

for (const fullCallDepth of [undefined, true]) {
  test(`payload.S carries wv_core_full_call_depth = ${fullCallDepth ? 1 : 0}`, () => {
    const pub = rawPublicKey(generateKeyPairSync("ed25519").publicKey);
    const src = payloadSource({ coreWasm: core, blob, images: [], updatePubkey: pub, allowUnsigned: false, fullCallDepth });
    const got = assembled(src, { wv_core_full_call_depth: 4 });
    assert.equal(got.wv_core_full_call_depth!.readUInt32LE(0), fullCallDepth ? 1 : 0);
  });
}

test("payload.S refuses a public key that is not 32 bytes", () => {
  assert.throws(() => payloadSource({ coreWasm: core, blob, images: [], updatePubkey: Buffer.alloc(31), allowUnsigned: false }), /31 bytes/);
});
