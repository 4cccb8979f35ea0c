// The parts of an ELF file a loader needs: the header (ELF-64 object file format,
// version 1.5, "File header") and the program headers of its PT_LOAD segments
// ("Program header"). Only what QEMU's ELF loader takes for an AArch64 CPU is
// accepted: 64-bit, little-endian, e_machine EM_AARCH64.
import { closeSync, openSync, readSync } from "node:fs";
import { hex } from "./values.ts";

export const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]); // "\x7fELF"
const EI_CLASS = 4, EI_DATA = 5, ELFCLASS64 = 2, ELFDATA2LSB = 1;
const ET_EXEC = 2, EM_AARCH64 = 183, PT_LOAD = 1, PF_X = 1;
const EHDR_SIZE = 64, PHDR_SIZE = 56;
/** More program headers than this is not a small program: refuse rather than read a huge table. */
const MAX_PHNUM = 64;

export interface ElfSegment {
  /** Where the bytes are in the file. */
  offset: bigint;
  filesz: bigint;
  /** Bytes in memory: filesz, then zeros. */
  memsz: bigint;
  /** The load address: p_paddr, as QEMU's loader uses it (include/hw/elf_ops.h, load_elf). */
  paddr: bigint;
  executable: boolean;
  /** Its index among the program headers (for messages). */
  index: number;
}

export interface Elf { entry: bigint; segments: ElfSegment[] }

export function hasElfMagic(head: Uint8Array): boolean {
  return head.length >= 4 && ELF_MAGIC.equals(Buffer.from(head.buffer, head.byteOffset, 4));
}

/** Parse an ELF file's bytes; returns a reason (for "... is not an AArch64 ELF executable: <reason>") when it cannot be loaded. */
export function parseElf(b: Buffer): Elf | string {
  if (b.length < EHDR_SIZE) return `it has ${b.length} bytes, fewer than the ${EHDR_SIZE}-byte ELF-64 header`;
  if (b[EI_CLASS] !== ELFCLASS64) return `EI_CLASS is ${b[EI_CLASS]}, not 2 (64-bit)`;
  if (b[EI_DATA] !== ELFDATA2LSB) return `EI_DATA is ${b[EI_DATA]}, not 1 (little-endian)`;
  const type = b.readUInt16LE(16), machine = b.readUInt16LE(18);
  if (type !== ET_EXEC) return `e_type is ${type}, not 2 (ET_EXEC: an executable linked at fixed addresses)`;
  if (machine !== EM_AARCH64) return `e_machine is ${machine}, not ${EM_AARCH64} (EM_AARCH64)`;
  const entry = b.readBigUInt64LE(24), phoff = b.readBigUInt64LE(32);
  const phentsize = b.readUInt16LE(54), phnum = b.readUInt16LE(56);
  if (phnum === 0) return "it has no program headers (e_phnum is 0)";
  if (phentsize !== PHDR_SIZE) return `e_phentsize is ${phentsize}, not ${PHDR_SIZE}`;
  if (phnum > MAX_PHNUM) return `e_phnum is ${phnum}, more than ${MAX_PHNUM}`;
  if (phoff + BigInt(phnum * PHDR_SIZE) > BigInt(b.length)) {
    return `its program headers (e_phoff ${hex(phoff)}, ${phnum} of ${PHDR_SIZE} bytes) run past the end of the file (${b.length} bytes)`;
  }
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = Number(phoff) + i * PHDR_SIZE;
    if (b.readUInt32LE(at) !== PT_LOAD) continue;
    const s: ElfSegment = {
      offset: b.readBigUInt64LE(at + 8), paddr: b.readBigUInt64LE(at + 24),
      filesz: b.readBigUInt64LE(at + 32), memsz: b.readBigUInt64LE(at + 40),
      executable: (b.readUInt32LE(at + 4) & PF_X) !== 0, index: i,
    };
    if (s.memsz === 0n) continue;
    if (s.filesz > s.memsz) return `program header ${i}: p_filesz ${hex(s.filesz)} is larger than p_memsz ${hex(s.memsz)}`;
    if (s.offset + s.filesz > BigInt(b.length)) {
      return `program header ${i}: its bytes (p_offset ${hex(s.offset)}, p_filesz ${hex(s.filesz)}) run past the end of the file (${b.length} bytes)`;
    }
    if (s.paddr + s.memsz > 1n << 64n) return `program header ${i}: p_paddr ${hex(s.paddr)} + p_memsz ${hex(s.memsz)} wraps around`;
    segments.push(s);
  }
  if (segments.length === 0) return "it has no PT_LOAD segment with bytes in memory";
  return { entry, segments };
}

/** The first `n` bytes of a file (fewer when it is shorter). Throws when it cannot be read. */
export function readHead(path: string, n: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(n);
    return head.subarray(0, readSync(fd, head, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}
