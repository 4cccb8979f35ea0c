// Configure once, then build: CMake and make keep what is up to date.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../lib/paths.ts";
import { run } from "../lib/proc.ts";

export function cmakeBuild(src: string, dir: string, defs: Record<string, string>, cross: boolean, target?: string): void {
  const d = Object.entries(defs).map(([k, v]) => `-D${k}=${v}`);
  if (cross) d.push(`-DCMAKE_TOOLCHAIN_FILE=${join(ROOT, "runtime-c", "toolchain-aarch64.cmake")}`);
  if (!existsSync(join(dir, "CMakeCache.txt")) || Object.keys(defs).length > 0) {
    run("cmake", ["-S", src, "-B", dir, "-DCMAKE_BUILD_TYPE=Release", ...d]);
  }
  run("cmake", ["--build", dir, "-j", "2", ...(target ? ["--target", target] : [])]);
}
