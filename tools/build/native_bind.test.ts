// bind.c of the native part against a module's import and export lists: the interface
// read from the binary, wasm2c's name mangling, the tables in the module's order, and
// refusals for what a native part cannot carry. Small modules made byte by byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import { signature, wasmInterface } from "./wasm_interface.ts";
import { bindSource, mangle, wasm2cSymbol } from "./native_bind.ts";

import { F32, I32, I64, module } from "./wasm_test_module.ts";

const sample = module(
  [[[I32, I64], [I32]], [[], []], [[], [I32]], [[I64, I32, I32], [I64]]],
  [["zeta", 0], ["alpha", 1], ["mid", 3]],
  [[2, [0x41, 7], "wv_abi_version"], [1, [], "wv_nop"], [3, [0x20, 0], "wv-odd Zname"]]);

test("the interface is read from the binary in the module's order, signatures as wasm3 writes them", () => {
  const i = wasmInterface(sample);
  assert.deepEqual(i.imports.map((x) => [x.module, x.name, signature(x.type!)]),
    [["wv", "zeta", "i(iI)"], ["wv", "alpha", "v()"], ["wv", "mid", "I(Iii)"]]);
  assert.deepEqual(i.exports.map((x) => [x.name, x.kind, x.type ? signature(x.type) : ""]),
    [["wv_abi_version", "func", "i()"], ["wv_nop", "func", "v()"], ["wv-odd Zname", "func", "I(Iii)"], ["memory", "memory", ""]]);
  assert.throws(() => wasmInterface(Buffer.from("not a module")), /\\0asm/);
  assert.throws(() => wasmInterface(sample.subarray(0, 20)), /section|ends/);
});

test("names are mangled as wasm2c 1.0.32 does", () => {
  assert.equal(wasm2cSymbol("core", "wv_init"), "Z_coreZ_wv_init", "an export of the module translated with -n core");
  assert.equal(wasm2cSymbol("wv", "guest_read"), "Z_wvZ_guest_read", "an import from module wv");
  assert.equal(mangle("wv-odd Zname"), "Z_wvZ2DoddZ20Z5Aname");
});

test("bind.c: imports in the module's order, called through their slots; one trampoline per exported function", () => {
  const src = bindSource(wasmInterface(sample), { module: "core", header: "m.h" });
  assert.match(src, /#include "m\.h"/);
  const imports = [...src.matchAll(/^ {4}\{ "([^"]+)", "([^"]+)" \},$/gm)].map((m) => [m[1], m[2]]);
  assert.deepEqual(imports, [["zeta", "i(iI)"], ["alpha", "v()"], ["mid", "I(Iii)"]]);
  assert.match(src, /static void \*import_slots\[3\];/);
  assert.match(src, /^uint32_t Z_wvZ_zeta\(struct Z_wv_instance_t \*ctx, uint32_t a0, uint64_t a1\)\n\{\n {4}return \(\(uint32_t \(\*\)\(struct Z_wv_instance_t \*, uint32_t, uint64_t\)\)import_slots\[0\]\)\(ctx, a0, a1\);/m);
  assert.match(src, /^void Z_wvZ_alpha\(struct Z_wv_instance_t \*ctx\)\n\{\n {4}\(\(void \(\*\)\(struct Z_wv_instance_t \*\)\)import_slots\[1\]\)\(ctx\);/m);
  assert.match(src, /import_slots\[2\]\)\(ctx, a0, a1, a2\)/);
  const exports = [...src.matchAll(/^ {4}\{ "([^"]+)", "([^"]+)", call_(\d+) \},$/gm)].map((m) => [m[1], m[2], Number(m[3])]);
  assert.deepEqual(exports, [["wv_abi_version", "i()", 0], ["wv_nop", "v()", 1], ["wv-odd Zname", "I(Iii)", 2]]);
  assert.match(src, /return \(uint64_t\)Z_coreZ_wv_abi_version\(\(Z_core_instance_t \*\)instance\);/);
  assert.match(src, /Z_coreZ_wv_nop\(\(Z_core_instance_t \*\)instance\);\n {4}return 0;/);
  assert.match(src, /Z_coreZ_wvZ2DoddZ20Z5Aname\(\(Z_core_instance_t \*\)instance, \(uint64_t\)args\[0\], \(uint32_t\)args\[1\], \(uint32_t\)args\[2\]\)/);
  assert.match(src, /Z_coreZ_memory\(\(Z_core_instance_t \*\)instance\)/);
  assert.match(src, /\.export_count = 3,\n {4}\.import_count = 3,/);
  assert.match(src, /const struct wv_native_module wv_native_module = \{/);
});

test("a module with floating point in an import or export, or imports of another kind, gets no bind.c", () => {
  const f32Export = module([[[F32], [I32]]], [], [[0, [0x41, 0], "f"]]);
  assert.throws(() => bindSource(wasmInterface(f32Export), { module: "core", header: "m.h" }), /export f uses floating point \(f32\).*cannot have one/);
  const f32Import = module([[[], [F32]], [[], []]], [["g", 0]], [[1, [], "h"]]);
  assert.throws(() => bindSource(wasmInterface(f32Import), { module: "core", header: "m.h" }), /import wv\.g uses floating point/);
  const iface = wasmInterface(sample);
  iface.imports[0] = { ...iface.imports[0]!, module: "env" };
  assert.throws(() => bindSource(iface, { module: "core", header: "m.h" }), /imports from "wv" only/);
  const quoted = wasmInterface(module([[[], []]], [], [[0, [], 'a"b']]));
  assert.throws(() => bindSource(quoted, { module: "core", header: "m.h" }), /printable ASCII only/);
});

test("a module without a memory export answers an empty memory", () => {
  const src = bindSource(wasmInterface(module([[[], []]], [], [[0, [], "f"]], false)), { module: "core", header: "m.h" });
  assert.match(src, /\*size = 0;\n {4}return 0;/);
});
