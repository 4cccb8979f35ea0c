// The two build variants of the core (docs/abi.md section 2, "Variants"): asc's arguments
// for each, and the modules they make, compiled here into a scratch directory and asked
// which variant and version they are.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asc, ascArgs, corePath, CORE_VARIANTS, type CoreVariant } from "./core.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-core-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface CoreExports {
  wv_variant(): number; wv_core_version(): number; wv_abi_version(): number; wv_state_version(): number;
  wv_state_restorable(v: number): number;
}

/** Compile variant `v` into the scratch directory and instantiate it with do-nothing imports. */
function built(v: CoreVariant): { bytes: Buffer; ex: CoreExports } {
  const out = corePath(v, dir);
  asc(ascArgs(v, out));
  const bytes = readFileSync(out);
  const module = new WebAssembly.Module(bytes);
  const wv: Record<string, () => number> = {};
  for (const imp of WebAssembly.Module.imports(module)) wv[imp.name] = () => 0;
  const ex = new WebAssembly.Instance(module, { wv }).exports as unknown as CoreExports;
  return { bytes, ex };
}

test("variant 1 is build/core.wasm, variant 2 build/core-v2.wasm; only variant 2 sets WV_VARIANT", () => {
  assert.deepEqual([...CORE_VARIANTS], [1, 2]);
  assert.match(corePath(1), /build\/core\.wasm$/);
  assert.match(corePath(2), /build\/core-v2\.wasm$/);
  const a1 = ascArgs(1, "/x/core.wasm"), a2 = ascArgs(2, "/x/core-v2.wasm");
  assert.ok(!a1.includes("--use"), "variant 1 is the default build");
  assert.deepEqual(a2.slice(a2.indexOf("--use"), a2.indexOf("--use") + 2), ["--use", "WV_VARIANT=2"]);
  assert.equal(a2[a2.indexOf("--outFile") + 1], "/x/core-v2.wasm");
  assert.equal(a2[a2.indexOf("--textFile") + 1], "/x/core-v2.wat");
});

test("the two variants are different modules that say which they are", () => {
  const one = built(1), two = built(2);
  assert.notDeepEqual(one.bytes, two.bytes);
  assert.equal(one.ex.wv_variant(), 1);
  assert.equal(two.ex.wv_variant(), 2);
  assert.equal(one.ex.wv_core_version(), 0x000100, "0.1.0");
  assert.equal(two.ex.wv_core_version(), 0x000200, "0.2.0");
  assert.equal(one.ex.wv_abi_version(), 3);
  assert.equal(two.ex.wv_abi_version(), 3);
  const s1 = one.ex.wv_state_version(), s2 = two.ex.wv_state_version();
  assert.notEqual(s1, s2);
  assert.equal(two.ex.wv_state_restorable(s1), 1, "variant 2 restores variant 1's state");
  assert.equal(one.ex.wv_state_restorable(s2), 0, "variant 1 refuses variant 2's");
});
