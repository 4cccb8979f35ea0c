// Small wasm modules for tests, written byte by byte (WebAssembly core specification,
// "Binary Format"): types, imported functions from "wv", exported functions, a memory.
const leb = (n: number): number[] => { const o: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const str = (s: string): number[] => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
export const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d;

/** A module: function types, imported functions (name, type), defined functions (type, body) exported by name, a memory exported as "memory". */
export function module(types: [number[], number[]][], imports: [string, number][], funcs: [number, number[], string][], memory = true): Buffer {
  const b = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  b.push(...section(1, vec(types.map(([p, r]) => [0x60, ...vec(p.map((x) => [x])), ...vec(r.map((x) => [x]))]))));
  if (imports.length) b.push(...section(2, vec(imports.map(([n, t]) => [...str("wv"), ...str(n), 0, ...leb(t)]))));
  b.push(...section(3, vec(funcs.map(([t]) => leb(t)))));
  if (memory) b.push(...section(5, vec([[0, 1]])));
  const exps = funcs.map(([, , name], i) => [...str(name), 0, ...leb(imports.length + i)]);
  if (memory) exps.push([...str("memory"), 2, 0]);
  b.push(...section(7, vec(exps)));
  b.push(...section(10, vec(funcs.map(([, body]) => { const f = [0, ...body, 0x0b]; return [...leb(f.length), ...f]; }))));
  return Buffer.from(b);
}

