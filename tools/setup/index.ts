// Everything a build needs, installed when missing (idempotent, quick when present).
import { ensureAptPackages } from "./apt.ts";
import { ensureNpm } from "./npm.ts";
import { ensureWasm3 } from "./wasm3.ts";
import { ensureDebianGuestFiles } from "./debian_guest.ts";

export interface SetupResult { wasm3Dir: string; guestFiles: Record<string, string> }

export function setup(): SetupResult {
  ensureAptPackages();
  ensureNpm();
  return { wasm3Dir: ensureWasm3(), guestFiles: ensureDebianGuestFiles() };
}
