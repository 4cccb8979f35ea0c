// Registry packages for the tools and the core (package-lock.json pins them).
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../lib/paths.ts";
import { run, step } from "../lib/proc.ts";

export function npmReady(): boolean {
  const stamp = join(ROOT, "node_modules", ".package-lock.json");
  if (!existsSync(stamp) || !existsSync(join(ROOT, "node_modules", "tsx"))) return false;
  return statSync(stamp).mtimeMs >= statSync(join(ROOT, "package-lock.json")).mtimeMs;
}

export function ensureNpm(): void {
  if (npmReady()) return;
  step("npm ci");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}
