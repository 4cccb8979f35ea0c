// The device tree compiler (Debian's device-tree-compiler, a pinned apt package):
// DTS text -> DTB, and back for tests and debugging.
import { run } from "../lib/proc.ts";

export class DtcError extends Error {
  override readonly name = "DtcError";
}

/** Compile `dtsFile` into `dtbFile`. Returns what dtc warned (empty when nothing); throws DtcError when it fails. */
export function compileDts(dtsFile: string, dtbFile: string): string {
  const r = run("dtc", ["-I", "dts", "-O", "dtb", "-o", dtbFile, dtsFile], { allowFail: true });
  if (r.status !== 0) {
    throw new DtcError(`dtc could not compile ${dtsFile} (exit ${r.status}):\n${(r.stderr || r.stdout).trim()}`);
  }
  return r.stderr.trim();
}

/** `dtc -I dtb -O dts` of `dtbFile`: the tree as dtc reads it back. */
export function decompileDtb(dtbFile: string): string {
  const r = run("dtc", ["-I", "dtb", "-O", "dts", dtbFile], { allowFail: true });
  if (r.status !== 0) throw new DtcError(`dtc could not read ${dtbFile} (exit ${r.status}):\n${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}
