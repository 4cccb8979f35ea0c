// The native part's image out of its linked ELF (docs/native-tier.md): the bytes of
// [0, data_end) as image/lds laid them out, the boundaries its symbols mark, the
// descriptor's offset and the R_AARCH64_RELATIVE relocations; and every reason to
// refuse it (an undefined symbol, another kind of relocation, code or data outside
// its place). ELF-64 object file format, version 1.5: "Sections", "Symbol Table",
// "Relocation"; ELF for the Arm 64-bit Architecture (AAELF64) for the relocation code.
import { hasElfMagic } from "../config/elf.ts";
import { NativeRefusal } from "./native_bind.ts";

export const R_AARCH64_RELATIVE = 1027;
const SHT_SYMTAB = 2, SHT_RELA = 4, SHT_NOBITS = 8, SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
const SHN_UNDEF = 0, STB_LOCAL = 0;
const PAGE = 4096;

export interface ElfSection { name: string; type: number; flags: number; addr: number; offset: number; size: number; link: number; entsize: number }
export interface ElfSymbol { name: string; value: number; size: number; shndx: number; bind: number }

export interface NativeImage {
  /** [0, data_end): code, read-only data, data. */
  image: Buffer;
  textEnd: number; rodataEnd: number; dataEnd: number; memSize: number;
  /** Image offset of the struct wv_native_module. */
  descriptor: number;
  relocs: { where: number; target: number }[];
}

function num(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new NativeRefusal(`${what} 0x${v.toString(16)} is out of range`);
  return Number(v);
}

function cstr(b: Buffer, at: number): string {
  const end = b.indexOf(0, at);
  return b.toString("latin1", at, end < 0 ? b.length : end);
}

export function elfSections(b: Buffer): ElfSection[] {
  if (!hasElfMagic(b) || b[4] !== 2 || b[5] !== 1 || b.readUInt16LE(18) !== 183) {
    throw new NativeRefusal("the linked native part is not a 64-bit little-endian AArch64 ELF file");
  }
  const shoff = num(b.readBigUInt64LE(40), "e_shoff"), shentsize = b.readUInt16LE(58);
  const shnum = b.readUInt16LE(60), shstrndx = b.readUInt16LE(62);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return {
      nameOff: b.readUInt32LE(at), type: b.readUInt32LE(at + 4), flags: num(b.readBigUInt64LE(at + 8), "sh_flags"),
      addr: num(b.readBigUInt64LE(at + 16), "sh_addr"), offset: num(b.readBigUInt64LE(at + 24), "sh_offset"),
      size: num(b.readBigUInt64LE(at + 32), "sh_size"), link: b.readUInt32LE(at + 40), entsize: num(b.readBigUInt64LE(at + 56), "sh_entsize"),
    };
  });
  const strtab = raw[shstrndx]!;
  return raw.map((s) => ({ ...s, name: cstr(b, strtab.offset + s.nameOff) }));
}

export function elfSymbols(b: Buffer, sections: ElfSection[]): ElfSymbol[] {
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) throw new NativeRefusal("the linked native part has no symbol table");
  const strtab = sections[symtab.link]!;
  const out: ElfSymbol[] = [];
  for (let at = symtab.offset; at + 24 <= symtab.offset + symtab.size; at += 24) {
    out.push({
      name: cstr(b, strtab.offset + b.readUInt32LE(at)), bind: b[at + 4]! >> 4, shndx: b.readUInt16LE(at + 6),
      value: num(b.readBigUInt64LE(at + 8), "st_value"), size: num(b.readBigUInt64LE(at + 16), "st_size"),
    });
  }
  return out;
}

/** The image of a native part linked with runtime-c/native/image.lds; throws NativeRefusal naming what is wrong. */
export function nativeImage(b: Buffer): NativeImage {
  const sections = elfSections(b);
  const symbols = elfSymbols(b, sections);
  const undefined_ = symbols.filter((s) => s.shndx === SHN_UNDEF && s.bind !== STB_LOCAL && s.name);
  if (undefined_.length) {
    throw new NativeRefusal(`undefined symbol(s) in the native part: ${undefined_.map((s) => s.name).join(", ")} ` +
      `(it links against nothing but runtime-c/native/)`);
  }
  const sym = (name: string): ElfSymbol => {
    const s = symbols.find((x) => x.name === name && x.shndx !== SHN_UNDEF);
    if (!s) throw new NativeRefusal(`the linked native part has no symbol ${name} (runtime-c/native/image.lds, bind.c)`);
    return s;
  };
  const textEnd = sym("__wv_native_text_end").value, rodataEnd = sym("__wv_native_rodata_end").value;
  const dataEnd = sym("__wv_native_data_end").value, memSize = sym("__wv_native_mem_end").value;
  for (const [n, v] of [["text_end", textEnd], ["rodata_end", rodataEnd], ["data_end", dataEnd], ["mem_size", memSize]] as const) {
    if (v % PAGE) throw new NativeRefusal(`${n} 0x${v.toString(16)} is not a multiple of ${PAGE}`);
  }
  if (!(0 < textEnd && textEnd <= rodataEnd && rodataEnd <= dataEnd && dataEnd <= memSize)) {
    throw new NativeRefusal(`the image's boundaries are out of order: text_end ${textEnd}, rodata_end ${rodataEnd}, data_end ${dataEnd}, mem_size ${memSize}`);
  }

  const image = Buffer.alloc(dataEnd);
  for (const s of sections) {
    if (!(s.flags & SHF_ALLOC) || s.size === 0 || s.addr >= memSize) continue;
    const end = s.addr + s.size;
    if (end > memSize) throw new NativeRefusal(`section ${s.name} [0x${s.addr.toString(16)}, 0x${end.toString(16)}) runs past the image`);
    if ((s.flags & SHF_EXECINSTR) && end > textEnd) throw new NativeRefusal(`code section ${s.name} lies outside the text [0, 0x${textEnd.toString(16)})`);
    if (!(s.flags & SHF_EXECINSTR) && s.addr < textEnd) throw new NativeRefusal(`data section ${s.name} lies in the text`);
    if ((s.flags & SHF_WRITE) && s.addr < rodataEnd && !/^\.(data\.rel\.ro|got)/.test(s.name)) {
      throw new NativeRefusal(`writable section ${s.name} lies in the read-only data`);
    }
    if (s.type === SHT_NOBITS) {
      if (s.addr < dataEnd) throw new NativeRefusal(`zero-filled section ${s.name} lies below data_end (bss comes last)`);
      continue;
    }
    if (end > dataEnd) throw new NativeRefusal(`section ${s.name} with bytes lies in the bss`);
    b.copy(image, s.addr, s.offset, s.offset + s.size);
  }

  const relocs: { where: number; target: number }[] = [];
  for (const s of sections.filter((x) => x.type === SHT_RELA)) {
    for (let at = s.offset; at + 24 <= s.offset + s.size; at += 24) {
      const where = num(b.readBigUInt64LE(at), "r_offset"), info = b.readBigUInt64LE(at + 8);
      const type = Number(info & 0xffffffffn), target = b.readBigInt64LE(at + 16);
      if (type !== R_AARCH64_RELATIVE) {
        throw new NativeRefusal(`relocation of type ${type} at 0x${where.toString(16)} (${s.name}): only R_AARCH64_RELATIVE (${R_AARCH64_RELATIVE}) is allowed`);
      }
      if (where % 8 || where < textEnd || where + 8 > dataEnd) {
        throw new NativeRefusal(`relocation at 0x${where.toString(16)} lies outside [text_end, data_end) or is not 8-byte aligned`);
      }
      if (target < 0n || target >= BigInt(memSize)) throw new NativeRefusal(`relocation at 0x${where.toString(16)} points at 0x${target.toString(16)}, outside the image`);
      relocs.push({ where, target: Number(target) });
    }
  }
  relocs.sort((x, y) => x.where - y.where);

  const desc = sym("wv_native_module");
  if (desc.value < textEnd || desc.value + desc.size > rodataEnd || desc.value % 8) {
    throw new NativeRefusal(`the descriptor wv_native_module (0x${desc.value.toString(16)}) does not lie in the read-only data`);
  }
  return { image, textEnd, rodataEnd, dataEnd, memSize, descriptor: desc.value, relocs };
}
