// The signing key: the development pair made once on first use (also when several
// builds start at once), a key of one's own through WASMVISOR_SIGNING_KEY, and what
// the image is told to trust.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../lib/paths.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-keys-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Run `code` (TypeScript, may import tools/sign/*) in a fresh process with `env`; its stdout, trimmed. */
function inChild(code: string, env: Record<string, string | undefined>): Promise<{ status: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const e = { ...process.env, ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete e[k];
    const p = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { cwd: ROOT, env: e });
    let out = "", err = "";
    p.stdout.on("data", (d) => { out += d; });
    p.stderr.on("data", (d) => { err += d; });
    p.on("close", (status) => resolve({ status: status ?? 1, out: out.trim(), err }));
  });
}

const PRINT_TRUST = `import { updateTrust } from "./tools/sign/build.ts";
const start = Number(process.env.WV_TEST_START ?? 0);
while (Date.now() < start) { /* every child asks for the key at the same moment */ }
const t = updateTrust(); console.log(t.updatePubkey.toString("hex"), t.allowUnsigned);`;

test("the development key is made once, even by builds starting together, and kept private", async () => {
  const cache = join(dir, "cache-race");
  const env = { WASMVISOR_CACHE: cache, WASMVISOR_SIGNING_KEY: undefined, WASMVISOR_DEV_UNSIGNED: undefined };
  const start = { WV_TEST_START: String(Date.now() + 4000) };
  const runs = await Promise.all([1, 2, 3].map(() => inChild(PRINT_TRUST, { ...env, ...start })));
  for (const r of runs) assert.equal(r.status, 0, r.err);
  const keys = new Set(runs.map((r) => r.out.split(" ")[0]));
  assert.equal(keys.size, 1, `three builds trusted different keys: ${[...keys].join(", ")}`);
  const pem = join(cache, "keys", "update-dev.key.pem");
  assert.equal(statSync(pem).mode & 0o077, 0, "the private key is readable by others");
  const pub = createPublicKey(readFileSync(join(cache, "keys", "update-dev.pub.pem")));
  assert.equal(Buffer.from(pub.export({ format: "jwk" }).x!, "base64url").toString("hex"), [...keys][0]);
  const again = await inChild(PRINT_TRUST, env);
  assert.equal(again.out.split(" ")[0], [...keys][0], "a second build made a new key");
  assert.equal(again.out.split(" ")[1], "false", "an image is a development one by default");
});

test("WASMVISOR_SIGNING_KEY: the image trusts that key, and a wrong key file is named", async () => {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const own = join(dir, "own.pem");
  writeFileSync(own, privateKey.export({ type: "pkcs8", format: "pem" }));
  const cache = join(dir, "cache-own");
  const r = await inChild(PRINT_TRUST, { WASMVISOR_CACHE: cache, WASMVISOR_SIGNING_KEY: own });
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out.split(" ")[0], Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url").toString("hex"));
  const rsa = join(dir, "rsa.pem");
  writeFileSync(rsa, generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }));
  const bad = await inChild(PRINT_TRUST, { WASMVISOR_CACHE: cache, WASMVISOR_SIGNING_KEY: rsa });
  assert.notEqual(bad.status, 0);
  assert.match(bad.err, /rsa\.pem holds a rsa key/);
  const missing = await inChild(PRINT_TRUST, { WASMVISOR_CACHE: cache, WASMVISOR_SIGNING_KEY: join(dir, "none.pem") });
  assert.match(missing.err, /cannot read the signing key .*none\.pem/);
});

test("WASMVISOR_DEV_UNSIGNED=1 makes a development image; other values are refused", async () => {
  const cache = join(dir, "cache-dev");
  const on = await inChild(PRINT_TRUST, { WASMVISOR_CACHE: cache, WASMVISOR_DEV_UNSIGNED: "1" });
  assert.equal(on.out.split(" ")[1], "true", on.err);
  const off = await inChild(PRINT_TRUST, { WASMVISOR_CACHE: cache, WASMVISOR_DEV_UNSIGNED: "0" });
  assert.equal(off.out.split(" ")[1], "false", off.err);
  const odd = await inChild(PRINT_TRUST, { WASMVISOR_CACHE: cache, WASMVISOR_DEV_UNSIGNED: "yes" });
  assert.notEqual(odd.status, 0);
  assert.match(odd.err, /WASMVISOR_DEV_UNSIGNED="yes"/);
});
