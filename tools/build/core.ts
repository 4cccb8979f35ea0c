// The core module: AssemblyScript compiled by asc (binaryen optimises at -O3).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { BUILD, ROOT } from "../lib/paths.ts";
import { run, step } from "../lib/proc.ts";

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "__tests__") continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** build/core.wasm, rebuilt when any assembly/ source or asconfig.json is newer. */
export function buildCore(): string {
  const out = join(BUILD, "core.wasm");
  const src = Math.max(newestMtime(join(ROOT, "assembly")), statSync(join(ROOT, "asconfig.json")).mtimeMs);
  if (existsSync(out) && statSync(out).mtimeMs >= src) return out;
  step("asc: assembly/ -> build/core.wasm");
  run(process.execPath, [join(ROOT, "node_modules", "assemblyscript", "bin", "asc.js"),
    "assembly/index.ts", "--config", "asconfig.json", "--target", "release"]);
  return out;
}
