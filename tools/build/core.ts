// The core module: AssemblyScript compiled by asc (binaryen optimises at -O3), in its two
// build variants (docs/abi.md section 2, "Variants"): build/core.wasm (variant 1, the
// default) and build/core-v2.wasm (variant 2), the same sources with the variant chosen
// at compile time by asc's `--use WV_VARIANT=2` (assembly/core/variant.ts). Their native
// parts, build/core.native and build/core-v2.native (native.ts), are built where they are
// used: an image's payload and the signed modules (image.ts, sign/build.ts).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { BUILD, ROOT, rel } from "../lib/paths.ts";
import { run, step } from "../lib/proc.ts";

export type CoreVariant = 1 | 2;
export const CORE_VARIANTS: readonly CoreVariant[] = [1, 2];

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "__tests__") continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Where variant `variant` of the core is built. */
export function corePath(variant: CoreVariant, buildDir: string = BUILD): string {
  return join(buildDir, variant === 1 ? "core.wasm" : `core-v${variant}.wasm`);
}

/** The asc arguments that build variant `variant` into `out` (its text form beside it). */
export function ascArgs(variant: CoreVariant, out: string): string[] {
  const args = ["assembly/index.ts", "--config", "asconfig.json", "--target", "release",
    "--outFile", out, "--textFile", out.replace(/\.wasm$/, ".wat")];
  // asconfig.json's own "use" (the abort handler) stays: asc adds command-line aliases to it.
  if (variant !== 1) args.push("--use", `WV_VARIANT=${variant}`);
  return args;
}

/** Run the AssemblyScript compiler (asc) of node_modules with `args`, from the repository root. */
export function asc(args: readonly string[]): void {
  run(process.execPath, [join(ROOT, "node_modules", "assemblyscript", "bin", "asc.js"), ...args]);
}

/** Build variant `variant` when any assembly/ source or asconfig.json is newer; the module's path. */
export function buildCoreVariant(variant: CoreVariant): string {
  const out = corePath(variant);
  const src = Math.max(newestMtime(join(ROOT, "assembly")), statSync(join(ROOT, "asconfig.json")).mtimeMs);
  if (!existsSync(out) || statSync(out).mtimeMs < src) {
    step(`asc: assembly/ -> ${rel(out)} (variant ${variant})`);
    asc(ascArgs(variant, out));
  }
  return out;
}

let coreBuilt = false;

/**
 * Both variants; the path of build/core.wasm (variant 1, the one images boot). Checked
 * once per process: a test run or a bench builds many images, each of which asks.
 */
export function buildCore(): string {
  if (!coreBuilt) {
    for (const v of CORE_VARIANTS) buildCoreVariant(v);
    coreBuilt = true;
  }
  return corePath(1);
}
