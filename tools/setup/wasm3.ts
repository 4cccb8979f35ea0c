// wasm3's C sources, from the pywasm3 sdist on PyPI (which ships them under wasm3/).
import { ensurePypiSources } from "./pypi.ts";

/** The folder holding wasm3's m3_*.c, fetched and unpacked if needed. */
export function ensureWasm3(): string {
  return ensurePypiSources("pywasm3");
}
