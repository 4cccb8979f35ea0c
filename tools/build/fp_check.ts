// The EL2 image keeps a guest's FP/SIMD registers in the CPU across its exits
// (runtime-c/arch/fpsimd.c): code outside wasm3 must never touch them. The runtime is
// compiled with -mgeneral-regs-only, but a library function (libgcc's __popcountdi2 counts
// with SIMD CNT) or a new file built without the flag would quietly clobber a guest's
// vector registers. So every image's disassembly is checked: a function that names an
// FP/SIMD register (v, q, d, s, h, b registers, FPSR, FPCR) must come from wasm3, from the
// libm and strtod that only wasm3 calls, or be the save/load code itself.
import { statSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/proc.ts";

const OBJDUMP = "aarch64-linux-gnu-objdump";
const NM = "aarch64-linux-gnu-nm";

/** Functions of arch/fpsimd.S and .c: they save, load and reset the guest's state. */
export const FPSIMD_OWN = ["wv_fpsimd_store", "wv_fpsimd_load", "wv_fpsimd_spill"];
/** Members of wv_lib that serve wasm3 alone (runtime-c/lib/CMakeLists.txt). */
export const WASM3_ONLY_LIB = ["math.c.o", "strto.c.o"];

// An FP/SIMD register operand: v0-v31 (with or without an arrangement), q/d/s/h/b0-31.
const FP_REG = /(^|[\s,[{])(?:[vqdshb](?:[0-9]|[12][0-9]|3[01]))(?=$|[\s,.\]}])/;
const FP_SYSREG = /\b(?:fpsr|fpcr)\b/;

/** Each function of `objdump -d` output that uses FP/SIMD registers, with its first such line. */
export function fpUsers(disassembly: string): Map<string, string> {
  const users = new Map<string, string>();
  let fn = "";
  for (const line of disassembly.split("\n")) {
    const head = /^[0-9a-f]+ <(.+)>:$/.exec(line);
    if (head) { fn = head[1]; continue; }
    const insn = /^\s*[0-9a-f]+:\s+(\S+)\s*(.*)$/.exec(line);
    if (!insn || !fn) continue;
    // Operands only: no symbol names (<...>) or comments (//).
    const ops = insn[2].replace(/<[^>]*>/g, "").replace(/\/\/.*$/, "");
    if ((FP_REG.test(ops) || FP_SYSREG.test(ops)) && !users.has(fn)) users.set(fn, line.trim());
  }
  return users;
}

/** Read once per archive build: every image of a board links the same libraries. */
const definedCache = new Map<string, Set<string>>();

/** Functions defined in the archive (all of its members, or only those named). */
function definedIn(archive: string, members?: string[]): Set<string> {
  const key = `${archive}|${statSync(archive).mtimeMs}|${members?.join(",") ?? ""}`;
  const cached = definedCache.get(key);
  if (cached) return cached;
  const names = readDefined(archive, members);
  definedCache.set(key, names);
  return names;
}

function readDefined(archive: string, members?: string[]): Set<string> {
  const out = run(NM, ["--defined-only", archive]).stdout;
  const names = new Set<string>();
  let member = "";
  for (const line of out.split("\n")) {
    const m = /^(.+):$/.exec(line);
    if (m) { member = m[1]; continue; }
    const sym = /^[0-9a-f]+ [tTwW] (\S+)$/.exec(line);
    if (sym && (!members || members.includes(member))) names.add(sym[1]);
  }
  return names;
}

/** The functions that may use FP/SIMD registers in an image of the CMake build in `cmakeDir`. */
export function fpAllowed(cmakeDir: string): Set<string> {
  return new Set<string>([
    ...FPSIMD_OWN,
    ...definedIn(join(cmakeDir, "libwasm3.a")),
    ...definedIn(join(cmakeDir, "runtime-c", "lib", "libwv_lib.a"), WASM3_ONLY_LIB),
  ]);
}

/** `objdump -d` of an image or object. */
export function disassemble(elf: string): string {
  return run(OBJDUMP, ["-d", "--no-show-raw-insn", elf]).stdout;
}

/** The functions of `disassembly` that use FP/SIMD registers and are not `allowed`: [] when the image is right. */
export function fpViolations(disassembly: string, allowed: Set<string>): string[] {
  return [...fpUsers(disassembly)].filter(([fn]) => !allowed.has(fn)).map(([fn, line]) => `${fn}: ${line}`);
}

/** Images already checked, by path and modification time: an image make did not relink is not read again. */
const checked = new Set<string>();

export function checkFp(elf: string, cmakeDir: string): void {
  const key = `${elf}|${statSync(elf).mtimeMs}`;
  if (checked.has(key)) return;
  const bad = fpViolations(disassemble(elf), fpAllowed(cmakeDir));
  if (bad.length) {
    throw new Error(`${elf}: EL2 code outside wasm3 uses FP/SIMD registers, which hold the guest's ` +
      `across exits (runtime-c/arch/fpsimd.c); build it with -mgeneral-regs-only or keep it out:\n  ` +
      bad.slice(0, 20).join("\n  "));
  }
  checked.add(key);
}
