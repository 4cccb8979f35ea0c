// Linux kernel modules for the guest initramfs, taken from the unpacked kernel package
// (lib/modules/<release>/kernel/**.ko): a module's .modinfo section names the modules it
// needs ("depends=a,b") and the kernel it was built for ("vermagic=<release> ..."), so
// the set a guest needs and the order insmod must load it in follow from the files
// alone (the package carries no modules.dep: depmod makes it when it is installed).
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";

/** The NUL-separated key=value strings of an ELF64 little-endian file's .modinfo section. */
export function modinfo(elf: Uint8Array): Map<string, string[]> {
  const b = Buffer.from(elf.buffer, elf.byteOffset, elf.byteLength);
  if (b.length < 64 || b.toString("latin1", 0, 4) !== "\x7fELF" || b[4] !== 2 || b[5] !== 1) {
    throw new Error("not a 64-bit little-endian ELF file");
  }
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a), shnum = b.readUInt16LE(0x3c), shstrndx = b.readUInt16LE(0x3e);
  if (shentsize < 64 || shoff + shnum * shentsize > b.length || shstrndx >= shnum) throw new Error("bad ELF section table");
  const section = (i: number) => {
    const o = shoff + i * shentsize;
    return { name: b.readUInt32LE(o), offset: Number(b.readBigUInt64LE(o + 0x18)), size: Number(b.readBigUInt64LE(o + 0x20)) };
  };
  const names = section(shstrndx);
  const nameOf = (off: number): string => {
    const start = names.offset + off;
    const end = b.indexOf(0, start);
    return b.toString("latin1", start, end < 0 ? b.length : end);
  };
  const out = new Map<string, string[]>();
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (nameOf(s.name) !== ".modinfo") continue;
    if (s.offset + s.size > b.length) throw new Error(".modinfo runs past the end of the file");
    for (const entry of b.toString("latin1", s.offset, s.offset + s.size).split("\0")) {
      const eq = entry.indexOf("=");
      if (eq <= 0) continue;
      const k = entry.slice(0, eq);
      out.set(k, [...(out.get(k) ?? []), entry.slice(eq + 1)]);
    }
    return out;
  }
  throw new Error("no .modinfo section (not a kernel module)");
}

/** A module for the initramfs: its name (as modinfo and insmod know it) and its bytes. */
export interface KernelModule { name: string; path: string; data: Buffer; depends: string[] }

/** Every .ko under `dir`, by module name ("-" and "_" are one to the kernel: keyed with "_"). */
export function indexModules(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ko")) out.set(basename(e.name, ".ko").replace(/-/g, "_"), p);
    }
  };
  walk(dir);
  return out;
}

/**
 * `wanted` and every module they need, from `modulesDir` (lib/modules/<release>), in an
 * order insmod can load them (each after what it depends on). Modules built into the
 * kernel (modules.builtin) are needed by nobody. Throws naming a module that is missing,
 * built for another kernel, or part of a dependency cycle.
 */
export function resolveModules(modulesDir: string, release: string, wanted: readonly string[]): KernelModule[] {
  const index = indexModules(join(modulesDir, "kernel"));
  let builtin = new Set<string>();
  try {
    builtin = new Set(readFileSync(join(modulesDir, "modules.builtin"), "utf8").split("\n")
      .filter(Boolean).map((l) => basename(l, ".ko").replace(/-/g, "_")));
  } catch { /* no list: nothing is known to be built in */ }
  const done: KernelModule[] = [];
  const visiting = new Set<string>();
  const visit = (raw: string, chain: string[]): void => {
    const name = raw.replace(/-/g, "_");
    if (done.some((m) => m.name === name) || builtin.has(name)) return;
    if (visiting.has(name)) throw new Error(`kernel modules depend on each other in a cycle: ${[...chain, name].join(" -> ")}`);
    const path = index.get(name);
    if (!path) {
      throw new Error(`kernel module ${name}${chain.length ? ` (needed by ${chain.join(" -> ")})` : ""} is not in ${modulesDir}`);
    }
    const data = readFileSync(path);
    const info = modinfo(data);
    const vermagic = info.get("vermagic")?.[0] ?? "";
    if (vermagic.split(" ")[0] !== release) {
      throw new Error(`kernel module ${path} is built for "${vermagic}", not for the guest kernel ${release}`);
    }
    const depends = (info.get("depends")?.[0] ?? "").split(",").filter(Boolean).map((d) => d.replace(/-/g, "_"));
    visiting.add(name);
    for (const d of depends) visit(d, [...chain, name]);
    visiting.delete(name);
    done.push({ name, path, data, depends });
  };
  for (const w of wanted) visit(w, []);
  return done;
}
