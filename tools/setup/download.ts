// Fetched files are kept in the cache under their own names and checked against
// their pinned sha256 every time they are used.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";

export function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** Does `path` exist with the expected sha256? A file with another hash is removed. */
export function verified(path: string, expect: string): boolean {
  if (!existsSync(path)) return false;
  const got = sha256(path);
  if (got === expect) return true;
  rmSync(path);
  return false;
}

/** Move a fresh download into place after checking its hash. */
export function acceptDownload(tmp: string, dest: string, expect: string, what: string): void {
  const got = sha256(tmp);
  if (got !== expect) {
    rmSync(tmp, { force: true });
    throw new Error(`${what}: sha256 ${got} does not match the pinned ${expect} (tools/setup/pins.json)`);
  }
  renameSync(tmp, dest);
}
