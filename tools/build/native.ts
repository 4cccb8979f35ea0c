// The native part of a core module (docs/native-tier.md): build/X.wasm translated by
// the pinned wasm2c into C, compiled with runtime-c/native/ by the project's aarch64
// cross compiler into one position-independent image, checked, and written as
// build/X.native (runtime-c/include/wv_native_abi.h): header, relocations, image.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { BUILD, ROOT, rel } from "../lib/paths.ts";
import { run, step } from "../lib/proc.ts";
import { ensureWasm2c, type Wasm2c } from "../setup/wasm2c.ts";
import { wasmInterface } from "./wasm_interface.ts";
import { bindSource, NativeRefusal } from "./native_bind.ts";
import { nativeImage } from "./native_elf.ts";
import { nativePart, parseNativePart } from "./native_header.ts";

export const CC = "aarch64-linux-gnu-gcc";
const READELF = "aarch64-linux-gnu-readelf";
const NATIVE_DIR = join(ROOT, "runtime-c", "native");
const INCLUDE_DIR = join(ROOT, "runtime-c", "include");
/** wasm2c's -n: the translation's names are Z_coreZ_<export>, its instance Z_core_instance_t. */
export const MODULE_NAME = "core";

/**
 * WASM_RT_MAX_CALL_STACK_DEPTH, the header's depth_limit: nested Wasm calls beyond it
 * trap. The core's deepest call chain is far shallower, and 128 times the largest frame
 * (some 200 bytes for the core) is about 26 KiB, well inside the 64 KiB the native
 * code may take of an EL2 stack, with room left for the frames of the runtime's import
 * functions under the deepest call.
 */
export const NATIVE_DEPTH_LIMIT = 128;
/** The most depth_limit * max_frame_bytes may be: half of the 64 KiB budget, the rest kept for imports and the way in. */
export const NATIVE_STACK_LIMIT = 32 * 1024;

const OPT = "-O2";
/** Every object of the native part (wv_native_abi.h: ARMv8.0-A, general-purpose registers only). */
export function nativeCflags(): string[] {
  return ["-std=gnu11", OPT, "-ffreestanding", "-fPIE", "-fvisibility=hidden", "-mgeneral-regs-only", "-mcpu=cortex-a72",
    "-fno-stack-protector", "-fstack-usage", "-fno-asynchronous-unwind-tables", "-DNDEBUG",
    "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0", `-DWASM_RT_MAX_CALL_STACK_DEPTH=${NATIVE_DEPTH_LIMIT}`,
    "-include", join(NATIVE_DIR, "prelude.h"), "-I", INCLUDE_DIR];
}
/** The project's own C of the native part (bind.c, rt.c) is held to warnings; wasm2c's output is not. */
const STRICT = ["-Wall", "-Wextra", "-Werror"];
/** rt.c's mem* functions must not become calls to themselves. */
const RT_FLAGS = ["-fno-builtin", "-fno-tree-loop-distribute-patterns"];
export const LINK_FLAGS = ["-nostdlib", "-static-pie", "-Wl,--build-id=none", "-Wl,--no-warn-rwx-segments",
  "-Wl,-T," + join(NATIVE_DIR, "image.lds")];

/** Where the native part of build/X.wasm goes: build/X.native. */
export const nativePath = (wasm: string): string => wasm.replace(/\.wasm$/, "") + ".native";

let compilerNameOnce: string | undefined;

/** "gcc 12.2.0 -O2": the compiler the header names (asked once per process: every image link checks its native part). */
export function compilerName(): string {
  compilerNameOnce ??= `gcc ${run(CC, ["-dumpfullversion"]).stdout.trim()} ${OPT}`;
  return compilerNameOnce;
}

/** The largest frame in gcc's -fstack-usage files; refuses a dynamic frame (alloca, a variable-length array). */
export function maxFrame(suFiles: string[]): number {
  let max = 0;
  for (const f of suFiles) {
    for (const line of readFileSync(f, "utf8").split("\n").filter(Boolean)) {
      const [where, bytes, kind] = line.split("\t");
      if (!kind || bytes === undefined || !/^\d+$/.test(bytes)) throw new NativeRefusal(`${basename(f)}: cannot read "${line}"`);
      if (kind !== "static") {
        throw new NativeRefusal(`${where} has a ${kind} stack frame: the native part allows static frames only, ` +
          `whose sizes bound its stack`);
      }
      max = Math.max(max, Number(bytes));
    }
  }
  return max;
}

/** The module's WV_CORE_ABI_VERSION: what its wv_abi_version export answers (instantiated with do-nothing imports). */
export function coreAbiVersion(wasm: Buffer): number {
  const module = new WebAssembly.Module(new Uint8Array(wasm));
  const imports: Record<string, Record<string, () => number>> = {};
  for (const imp of WebAssembly.Module.imports(module)) (imports[imp.module] ??= {})[imp.name] = () => 0;
  const ex = new WebAssembly.Instance(module, imports).exports as Record<string, unknown>;
  if (typeof ex.wv_abi_version !== "function") throw new NativeRefusal("it has no wv_abi_version export: not a core module");
  return (ex.wv_abi_version as () => number)() >>> 0;
}

function compile(src: string, obj: string, extra: string[], what: string): void {
  try {
    run(CC, [...nativeCflags(), ...extra, "-c", src, "-o", obj], { cwd: dirname(obj) });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/general-regs-only/.test(msg)) {
      throw new NativeRefusal(`${what} uses floating point (f32/f64); a native part is compiled -mgeneral-regs-only ` +
        `(no FP/SIMD registers at EL2), so this module cannot have a native part`);
    }
    throw e;
  }
}

/** rt.o must not call the mem* functions it defines (gcc turning a copy loop into memcpy would recurse forever). */
function checkNoSelfCalls(obj: string): void {
  const relocs = run(READELF, ["-rW", obj]).stdout;
  const bad = relocs.split("\n").filter((l) => /R_AARCH64_(CALL|JUMP)26\s+\S+\s+(memcpy|memmove|memset|memcmp|__popcount\w+)\b/.test(l));
  if (bad.length) throw new NativeRefusal(`runtime-c/native/rt.c calls its own mem* functions:\n${bad.join("\n")}`);
}

function inputsDigest(wasm: Buffer, w2c: Wasm2c, compiler: string): string {
  const h = createHash("sha256").update(wasm).update(w2c.translator).update(compiler)
    .update(nativeCflags().join(" ")).update(LINK_FLAGS.join(" "));
  const files = [...readdirSync(NATIVE_DIR).sort().map((f) => join(NATIVE_DIR, f)), join(INCLUDE_DIR, "wv_native_abi.h"),
    ...["native.ts", "native_bind.ts", "native_elf.ts", "native_header.ts", "wasm_interface.ts"].map((f) => join(ROOT, "tools", "build", f))];
  for (const f of files) h.update(f).update(readFileSync(f));
  return h.digest("hex");
}

export interface NativeBuild { out: string; bytes: Buffer; work: string; maxFrameBytes: number; depthLimit: number }

/**
 * Build the native part of `wasm` into `out` (default build/X.native), in `work`
 * (default build/native/X/), unless its inputs are unchanged. Safe to run in several
 * processes at once (the tests run files side by side): each builds in a folder of its
 * own, then puts `out` in place and, last, the work folder with the inputs' digest that
 * says `out` is current. Throws NativeRefusal,
 * naming the module and the reason, for a module it cannot or must not hold.
 */
export function buildNative(wasm: string, opts: { out?: string; work?: string } = {}): NativeBuild {
  const out = opts.out ?? nativePath(wasm);
  const base = basename(wasm).replace(/\.wasm$/, "");
  const work = opts.work ?? join(BUILD, "native", base);
  const bytes = readFileSync(wasm);
  const w2c = ensureWasm2c();
  const compiler = compilerName();
  const digest = inputsDigest(bytes, w2c, compiler);
  const stampFile = join(work, "inputs.sha256");
  if (existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === digest) {
    const part = readFileSync(out);
    const { header } = parseNativePart(part);
    return { out, bytes: part, work, maxFrameBytes: header.maxFrameBytes, depthLimit: header.depthLimit };
  }
  step(`native: ${rel(wasm)} -> ${rel(out)} (${w2c.translator}, ${compiler})`);
  const done = work;
  const mine = `${work}.${process.pid}.tmp`;
  try {
    rmSync(mine, { recursive: true, force: true });
    mkdirSync(mine, { recursive: true });
    const work = mine;
    const iface = wasmInterface(bytes);
    const bind = bindSource(iface, { module: MODULE_NAME, header: `${base}.h` });
    const abi = coreAbiVersion(bytes);
    run(w2c.bin, [wasm, "-n", MODULE_NAME, "-o", join(work, `${base}.c`)]);
    writeFileSync(join(work, "bind.c"), bind);
    const inc = ["-I", w2c.include, "-I", work];
    compile(join(work, `${base}.c`), join(work, `${base}.o`), inc, rel(wasm));
    compile(join(work, "bind.c"), join(work, "bind.o"), [...inc, ...STRICT], rel(wasm));
    compile(join(NATIVE_DIR, "rt.c"), join(work, "rt.o"), [...inc, ...STRICT, ...RT_FLAGS], "runtime-c/native/rt.c");
    checkNoSelfCalls(join(work, "rt.o"));
    const elf = join(work, `${base}.elf`);
    try {
      run(CC, [...LINK_FLAGS, "-o", elf, ...[`${base}.o`, "bind.o", "rt.o"].map((o) => join(work, o))], { cwd: work });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const undef = [...msg.matchAll(/undefined reference to `([^']+)'/g)].map((m) => m[1]);
      if (undef.length) throw new NativeRefusal(`undefined symbol(s): ${[...new Set(undef)].join(", ")} (the native part links against nothing but runtime-c/native/)`);
      throw e;
    }
    const maxFrameBytes = maxFrame(["rt.su", "bind.su", `${base}.su`].map((f) => join(work, f)));
    if (NATIVE_DEPTH_LIMIT * maxFrameBytes > NATIVE_STACK_LIMIT) {
      throw new NativeRefusal(`its largest frame is ${maxFrameBytes} bytes: ${NATIVE_DEPTH_LIMIT} nested calls may take ` +
        `${NATIVE_DEPTH_LIMIT * maxFrameBytes} bytes, more than the ${NATIVE_STACK_LIMIT} the native stack budget allows`);
    }
    const image = nativeImage(readFileSync(elf));
    const part = nativePart({ image, wasm: bytes, coreAbiVersion: abi, maxFrameBytes, depthLimit: NATIVE_DEPTH_LIMIT,
      translator: w2c.translator, compiler });
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, part);
    renameSync(tmp, out);
    writeFileSync(join(work, "inputs.sha256"), digest);
    rmSync(done, { recursive: true, force: true });
    try {
      renameSync(work, done);
    } catch {
      rmSync(work, { recursive: true, force: true });   // another process built the same inputs into place first
    }
    return { out, bytes: part, work: done, maxFrameBytes, depthLimit: NATIVE_DEPTH_LIMIT };
  } catch (e) {
    rmSync(mine, { recursive: true, force: true });
    rmSync(out, { force: true });
    if (e instanceof NativeRefusal) throw new NativeRefusal(`${rel(wasm)} cannot have a native part: ${e.message}`);
    throw e;
  }
}
