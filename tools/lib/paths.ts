// Where everything lives: the source tree, the git-ignored cache of fetched
// dependencies, and the build output.
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Fetched and unpacked dependencies (git-ignored); WASMVISOR_CACHE moves it. */
export const CACHE = process.env.WASMVISOR_CACHE ? resolve(process.env.WASMVISOR_CACHE) : join(ROOT, ".cache");
export const BUILD = join(ROOT, "build");
export const RESULTS = join(ROOT, "results");

export const rel = (p: string): string => (p.startsWith(ROOT + "/") ? p.slice(ROOT.length + 1) : p);
