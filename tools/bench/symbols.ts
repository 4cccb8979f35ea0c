// Code addresses named: an image's functions from its symbol table, and the one area of
// executable code that has none, the native part's (the linker script's .native section,
// where the runtime loads the core's native code). The profiles (exit_profile.ts,
// rt_profile.ts) charge each block QEMU ran to the function holding it.
import { run } from "../lib/proc.ts";

export interface Symbol { addr: number; name: string }
/** Executable addresses that are not in the symbol table: the native part's area. */
export interface Region { start: number; end: number; name: string }

/** What the native-code area is charged as. */
export const NATIVE_CODE = "core (native code)";

/** The function holding `pc`: a region's name, else the last symbol at or below it (`syms` sorted by address). */
export function owner(pc: number, syms: Symbol[], regions: Region[]): string {
  for (const r of regions) if (pc >= r.start && pc < r.end) return r.name;
  let lo = 0, hi = syms.length - 1, best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (syms[mid]!.addr <= pc) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return best < 0 ? "?" : syms[best]!.name;
}

/** The functions of `elf`, from its symbol table, by address. */
export function imageSymbols(elf: string): Symbol[] {
  return run("aarch64-linux-gnu-nm", ["-n", "--defined-only", elf]).stdout.split("\n")
    .map((l) => /^([0-9a-f]+) [tTwW] (\S+)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ addr: parseInt(m[1]!, 16), name: m[2]! }));
}

/** The [start, end) of section `name` of `elf`. */
export function section(elf: string, name: string): { start: number; end: number } {
  const m = new RegExp(`\\] ${name.replace(".", "\\.")}\\s+\\S+\\s+([0-9a-f]+) [0-9a-f]+ ([0-9a-f]+)`).exec(run("aarch64-linux-gnu-readelf", ["-SW", elf]).stdout);
  if (!m) throw new Error(`${elf}: no section ${name}`);
  const start = parseInt(m[1]!, 16);
  return { start, end: start + parseInt(m[2]!, 16) };
}

/** The hypervisor image's native-code area (runtime-c/arch/wasmvisor.lds: .native, __native_start to __native_end). */
export function nativeRegion(elf: string): Region {
  return { ...section(elf, ".native"), name: NATIVE_CODE };
}
