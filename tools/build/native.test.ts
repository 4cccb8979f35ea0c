// The native part of the real core module (docs/native-tier.md): the build's
// build/core.native of build/core.wasm (built when out of date), read back against
// runtime-c/include/wv_native_abi.h: the header's fields, the relocations, the
// descriptor and its tables in the image. Also a module with a float operation, refused.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../lib/paths.ts";
import { run } from "../lib/proc.ts";
import { buildCore } from "./core.ts";
import { buildNative, maxFrame, NATIVE_DEPTH_LIMIT, NATIVE_STACK_LIMIT } from "./native.ts";
import { NATIVE_HEADER_SIZE, parseNativePart } from "./native_header.ts";
import { NativeRefusal } from "./native_bind.ts";
import { signature, wasmInterface } from "./wasm_interface.ts";
import { payloadSource } from "./payload.ts";
import { I32, module } from "./wasm_test_module.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-native-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const PAGE = 4096;
let wasm: Buffer;
let part: ReturnType<typeof parseNativePart>;
let bytes: Buffer;

before(() => {
  const core = buildCore();
  wasm = readFileSync(core);
  bytes = buildNative(core).bytes;
  part = parseNativePart(bytes);
});

/** The u64 the loader writes at image offset `where`: the relocation's target there. */
function pointer(where: number): number {
  const r = part.relocs.find((x) => x.where === where);
  assert.ok(r, `no relocation at 0x${where.toString(16)}`);
  return r.target;
}
const cstr = (at: number): string => part.image.toString("latin1", at, part.image.indexOf(0, at));

test("the header's fields are consistent: page-aligned parts, image within 4 MiB, the module's hash and ABI", () => {
  const h = part.header;
  for (const v of [h.textEnd, h.rodataEnd, h.dataEnd, h.memSize]) assert.equal(v % PAGE, 0, `0x${v.toString(16)} is not page-aligned`);
  assert.ok(0 < h.textEnd && h.textEnd <= h.rodataEnd && h.rodataEnd <= h.dataEnd && h.dataEnd <= h.imageSize && h.imageSize <= h.memSize);
  assert.equal(h.imageSize, h.dataEnd);
  assert.ok(h.memSize <= 4 << 20);
  assert.equal(bytes.length, NATIVE_HEADER_SIZE + 8 * h.relocCount + h.imageSize);
  assert.ok(h.wasmSha256.equals(createHash("sha256").update(wasm).digest()));
  const coreAbi = Number(/#define WV_CORE_ABI_VERSION (\d+)/.exec(readFileSync(join(ROOT, "runtime-c", "include", "wv_core.h"), "utf8"))![1]);
  assert.equal(h.coreAbiVersion, coreAbi);
  assert.equal(h.translator, "wasm2c 1.0.32-1");
  assert.equal(h.compiler, `gcc ${run("aarch64-linux-gnu-gcc", ["-dumpfullversion"]).stdout.trim()} -O2`);
  assert.equal(h.depthLimit, NATIVE_DEPTH_LIMIT);
  assert.ok(h.maxFrameBytes > 0 && h.depthLimit * h.maxFrameBytes <= NATIVE_STACK_LIMIT);
  assert.equal(bytes.readUInt32LE(20), 1, "cpu_baseline: ARMv8.0-A, general-purpose registers");
});

test("relocations: R_AARCH64_RELATIVE only, 8-byte aligned, inside [text_end, data_end), targets inside the image", () => {
  const h = part.header;
  assert.ok(part.relocs.length > 0 && part.relocs.length <= 65536);
  for (const r of part.relocs) {
    assert.ok(r.where % 8 === 0 && r.where >= h.textEnd && r.where + 8 <= h.dataEnd, `reloc at 0x${r.where.toString(16)}`);
    assert.ok(r.target < h.memSize, `reloc target 0x${r.target.toString(16)}`);
  }
  assert.equal(new Set(part.relocs.map((r) => r.where)).size, part.relocs.length);
});

test("the descriptor lies in rodata and its tables name the module's exports and imports, in order", () => {
  const h = part.header, d = h.descriptor, im = part.image;
  assert.ok(d >= h.textEnd && d + 80 <= h.rodataEnd && d % 8 === 0);
  const iface = wasmInterface(wasm);
  const funcs = iface.exports.filter((e) => e.kind === "func"), imports = iface.imports;
  assert.ok(im.readUInt32LE(d) > 0, "instance_size");
  assert.deepEqual([im.readUInt32LE(d + 4), im.readUInt32LE(d + 8)], [funcs.length, imports.length]);
  const exportsAt = pointer(d + 16), importsAt = pointer(d + 24), slots = pointer(d + 32), rt = pointer(d + 40);
  funcs.forEach((e, k) => {
    const at = exportsAt + 24 * k;
    assert.equal(cstr(pointer(at)), e.name);
    assert.equal(cstr(pointer(at + 8)), signature(e.type!));
    assert.ok(pointer(at + 16) < h.textEnd, `${e.name}'s trampoline is code`);
  });
  imports.forEach((i, k) => {
    assert.equal(cstr(pointer(importsAt + 16 * k)), i.name);
    assert.equal(cstr(pointer(importsAt + 16 * k + 8)), signature(i.type!));
  });
  assert.ok(slots >= h.rodataEnd && slots + 8 * imports.length <= h.memSize, "import slots are writable");
  assert.ok(rt >= h.rodataEnd && rt < h.memSize, "the rt pointer is writable");
  for (const off of [48, 56, 64, 72]) assert.ok(pointer(d + off) < h.textEnd, `descriptor field at +${off} points at code`);
});

test("wv_native_abi.h's header and reloc layout is the one written here", () => {
  const src = join(dir, "layout.c");
  writeFileSync(src, `#include <stdio.h>
#include "wv_native_abi.h"
#define O(f) printf("%zu ", offsetof(struct wv_native_header, f))
int main(void) { O(header_size); O(abi_version); O(core_abi_version); O(cpu_baseline); O(text_end); O(mem_size);
  O(reloc_count); O(descriptor); O(max_frame_bytes); O(depth_limit); O(wasm_sha256); O(translator); O(compiler);
  printf("%zu %zu %zu %zu\\n", sizeof(struct wv_native_header), sizeof(struct wv_native_reloc),
    sizeof(struct wv_native_module), sizeof(struct wv_native_export)); return 0; }\n`);
  run("cc", ["-std=c11", "-I", join(ROOT, "runtime-c", "include"), src, "-o", join(dir, "layout")]);
  assert.equal(run(join(dir, "layout"), []).stdout.trim(), `8 12 16 20 24 40 44 48 52 56 60 92 124 ${NATIVE_HEADER_SIZE} 8 80 24`);
});

test("a module with a float operation is refused with a clear message", () => {
  // (func (param i32) (result i32) local.get 0; f32.convert_i32_s; i32.trunc_f32_s)
  const f = join(dir, "float.wasm");
  writeFileSync(f, module([[[], [I32]], [[I32], [I32]]], [], [[0, [0x41, 2], "wv_abi_version"], [1, [0x20, 0, 0xb2, 0xa8], "f"]]));
  assert.throws(() => buildNative(f, { out: join(dir, "float.native"), work: join(dir, "float") }),
    (e: unknown) => e instanceof NativeRefusal && /float\.wasm cannot have a native part: .* uses floating point \(f32\/f64\); a native part is compiled -mgeneral-regs-only/.test(e.message));
});

test("dynamic stack frames are refused", () => {
  const su = join(dir, "x.su");
  writeFileSync(su, "a.c:1:1:f\t32\tstatic\na.c:2:1:g\t48\tdynamic,bounded\n");
  assert.throws(() => maxFrame([su]), /a\.c:2:1:g has a dynamic,bounded stack frame/);
  writeFileSync(su, "a.c:1:1:f\t32\tstatic\na.c:2:1:g\t48\tstatic\n");
  assert.equal(maxFrame([su]), 48);
});

test("the payload carries the native part between wv_core_native_start and _end, or nothing", () => {
  const base = { coreWasm: "/b/core.wasm", blob: "/b/vms.bin", images: [], updatePubkey: Buffer.alloc(32), allowUnsigned: false };
  const blob = join(dir, "vms.bin"), core = join(dir, "core.wasm"), native = join(dir, "core.native");
  writeFileSync(blob, "x");
  writeFileSync(core, wasm);
  writeFileSync(native, bytes);
  const withPart = payloadSource({ ...base, coreWasm: core, blob, coreNative: native });
  assert.match(withPart, new RegExp(`wv_core_native_start:\\n {4}\\.incbin "${native}"\\nwv_core_native_end:`));
  const without = payloadSource({ ...base, coreWasm: core, blob });
  assert.match(without, /wv_core_native_start:\nwv_core_native_end:/);
  assert.notEqual(withPart.split("\n")[0], without.split("\n")[0], "the inputs digest covers the native part");
});
