// What a .wasm module imports and exports, read from its binary (WebAssembly core
// specification, "Binary Format", sections 1 type, 2 import, 3 function, 7 export),
// with function signatures written as wasm3 writes them (wv_native_abi.h): result
// then parameters, i = i32, I = i64, f = f32, F = f64, v = none; "i(iI)".

export type ValType = "i" | "I" | "f" | "F";
export interface FuncType { params: ValType[]; results: ValType[] }
export interface WasmImport { module: string; name: string; kind: "func" | "table" | "memory" | "global"; type?: FuncType }
export interface WasmExport { name: string; kind: "func" | "table" | "memory" | "global"; index: number; type?: FuncType }
export interface WasmInterface { imports: WasmImport[]; exports: WasmExport[] }

const KINDS = ["func", "table", "memory", "global"] as const;
const VALTYPES: Record<number, ValType> = { 0x7f: "i", 0x7e: "I", 0x7d: "f", 0x7c: "F" };

class Reader {
  constructor(private b: Uint8Array, public at: number, private end: number) {}
  byte(): number {
    if (this.at >= this.end) throw new Error(`the module ends inside a section (offset ${this.at})`);
    return this.b[this.at++]!;
  }
  u32(): number {
    let v = 0, shift = 0;
    for (;;) {
      const c = this.byte();
      v += (c & 0x7f) * 2 ** shift;
      if (!(c & 0x80)) break;
      shift += 7;
      if (shift > 28) throw new Error(`LEB128 longer than 5 bytes at offset ${this.at}`);
    }
    if (v > 0xffffffff) throw new Error(`u32 out of range at offset ${this.at}`);
    return v;
  }
  name(): string {
    const n = this.u32();
    if (this.at + n > this.end) throw new Error(`a name runs past its section (offset ${this.at})`);
    const s = Buffer.from(this.b.subarray(this.at, this.at + n)).toString("utf8");
    this.at += n;
    return s;
  }
  limits(): void {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
  valtype(): ValType {
    const t = this.byte();
    const v = VALTYPES[t];
    if (!v) throw new Error(`value type 0x${t.toString(16)} (only i32, i64, f32, f64 are handled)`);
    return v;
  }
}

/** The signature of `t` in wasm3's notation: "i(iI)", "v()". */
export function signature(t: FuncType): string {
  if (t.results.length > 1) throw new Error(`a function with ${t.results.length} results (multi-value) has no wasm3 signature`);
  return `${t.results[0] ?? "v"}(${t.params.join("")})`;
}

/** The imports (in the module's order) and exports of a binary module, with the types of its functions. */
export function wasmInterface(wasm: Uint8Array): WasmInterface {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new Error("not a wasm module (it does not start with \\0asm)");
  }
  const types: FuncType[] = [];
  const imports: WasmImport[] = [];
  const funcTypes: number[] = [];      // type index of every function: imported ones first
  const rawExports: { name: string; kind: WasmExport["kind"]; index: number }[] = [];
  let at = 8;
  while (at < wasm.length) {
    const head = new Reader(wasm, at, wasm.length);
    const id = head.byte(), size = head.u32();
    const end = head.at + size;
    if (end > wasm.length) throw new Error(`section ${id} runs past the end of the module`);
    const r = new Reader(wasm, head.at, end);
    if (id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        const form = r.byte();
        if (form !== 0x60) throw new Error(`type form 0x${form.toString(16)} is not a function type`);
        const params = Array.from({ length: r.u32() }, () => r.valtype());
        const results = Array.from({ length: r.u32() }, () => r.valtype());
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        const module = r.name(), name = r.name(), k = r.byte();
        const kind = KINDS[k];
        if (!kind) throw new Error(`import ${module}.${name} has kind ${k}`);
        const imp: WasmImport = { module, name, kind };
        if (kind === "func") {
          const ti = r.u32();
          imp.type = types[ti];
          if (!imp.type) throw new Error(`import ${module}.${name} names type ${ti}, which does not exist`);
          funcTypes.push(ti);
        } else if (kind === "table") { r.byte(); r.limits(); }
        else if (kind === "memory") r.limits();
        else { r.byte(); r.byte(); }
        imports.push(imp);
      }
    } else if (id === 3) {
      for (let n = r.u32(); n > 0; n--) funcTypes.push(r.u32());
    } else if (id === 7) {
      for (let n = r.u32(); n > 0; n--) {
        const name = r.name(), k = r.byte();
        const kind = KINDS[k];
        if (!kind) throw new Error(`export ${name} has kind ${k}`);
        rawExports.push({ name, kind, index: r.u32() });
      }
    }
    at = end;
  }
  const exports: WasmExport[] = rawExports.map((e) => {
    if (e.kind !== "func") return e;
    const ti = funcTypes[e.index];
    const type = ti === undefined ? undefined : types[ti];
    if (!type) throw new Error(`export ${e.name} names function ${e.index}, which does not exist`);
    return { ...e, type };
  });
  return { imports, exports };
}
