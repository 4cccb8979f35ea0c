// Everything a build needs, installed when missing (idempotent, quick when present).
import { ensureAptPackages } from "./apt.ts";
import { ensureNpm } from "./npm.ts";
import { ensureWasm3 } from "./wasm3.ts";
import { ensureMonocypher } from "./monocypher.ts";
import { ensureDebianGuestFiles } from "./debian_guest.ts";
import { ensureWasm2c } from "./wasm2c.ts";

export interface SetupResult { wasm3Dir: string; monocypherDir: string; guestFiles: Record<string, string> }

let done: SetupResult | undefined;

/** Once per process: every build of a test run or a bench asks, only the first checks. */
export function setup(): SetupResult {
  if (done) return done;
  ensureAptPackages();
  ensureNpm();
  done = { wasm3Dir: ensureWasm3(), monocypherDir: ensureMonocypher(), guestFiles: ensureDebianGuestFiles() };
  // The native parts' translator: fetched here with the rest, asked for by the native build (build/native.ts).
  ensureWasm2c();
  return done;
}
