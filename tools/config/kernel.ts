// A VM's `kernel` section: a program built for QEMU's virt machine, booted the way
// QEMU 7.2's `-kernel` boots it on an AArch64 CPU (hw/arm/boot.c), with the device
// tree the tools generate in place of QEMU's. "RAM" below is the VM's first memory
// region: QEMU's loader_start (virt: the base of RAM) and ram_size.
//
// The kind comes from the file's content, in the order QEMU tries them
// (arm_setup_direct_kernel_boot): an ELF, else an arm64 Image (magic "ARM\x64" at
// 0x38, load_aarch64_image), else a raw binary (load_aarch64_image without a header).
//
//   ELF     every PT_LOAD segment at its p_paddr, memsz bytes (the tail past filesz
//           zeroed); entry e_entry (arm_load_elf). The device tree goes at the start
//           of RAM when no segment spans that address, and must end below the
//           lowest segment (arm_setup_direct_kernel_boot's dtb_start and dtb_limit).
//           QEMU treats an ELF as not Linux: it loads no initrd and enters e_entry
//           with every register 0 (do_cpu_reset sets only the PC), so x0 is 0.
//   Image   at RAM + text_offset, or + text_offset + 2 MiB when text_offset is below
//           the 4 KiB boot stub QEMU writes at the base of RAM (load_aarch64_image);
//           it takes image_size bytes. Entry there.
//   raw     at RAM + 0x80000 (KERNEL64_LOAD_ADDR), taking its file size. Entry there.
//
// For an Image or raw binary (both "Linux" to QEMU) the initrd goes page aligned at
// RAM + min(ram_size / 2, 128 MiB), or at the kernel's end if that is higher, and the
// device tree at the next 2 MiB boundary after the initrd (after that initrd address
// when there is none); QEMU's stub enters the kernel with x0 = the device tree, x1..x3 = 0
// (arm_setup_direct_kernel_boot, bootloader_aarch64). The hypervisor enters at the same
// point with the same registers, without a stub.
import type { Image, KernelBoot, KernelKind } from "./types.ts";
import { ARM64_HEADER_SIZE, ARM64_MAGIC, parseArm64Header } from "./arm64_image.ts";
import { hasElfMagic, parseElf, readHead } from "./elf.ts";
import { DTB_ROOM, type BootInputs } from "./linux.ts";
import { LIMITS, PAGE } from "./limits.ts";
import { hex, span } from "./values.ts";
import { readFileSync } from "node:fs";

export interface RawKernel { file: string; initrd?: string; bootargs?: string }

const MiB = 1n << 20n;
/** QEMU's KERNEL64_LOAD_ADDR: a raw AArch64 image goes this far into RAM. */
export const RAW_LOAD_OFFSET = 0x80000n;
/** QEMU's BOOTLOADER_MAX_SIZE: an Image whose text_offset is below it goes 2 MiB further up. */
export const BOOT_STUB_SIZE = 0x1000n;
/** The initrd goes at most this far into RAM (or half of RAM when that is less). */
export const INITRD_OFFSET_MAX = 128n * MiB;
/** The device tree follows the initrd at this alignment (AArch64 kernels map it by 2 MiB blocks). */
export const DTB_ALIGN = 2n * MiB;

const alignUp = (v: bigint, a: bigint): bigint => ((v + a - 1n) / a) * a;
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

export type KernelInputs = BootInputs<RawKernel>;

export interface KernelLayout { kernel: KernelBoot; images: Image[]; entry: bigint; dtb: bigint | null }

/** The kind of a kernel file, by its first bytes, in the order QEMU tries them. */
export function kernelKind(head: Uint8Array): KernelKind {
  if (hasElfMagic(head)) return "elf";
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length >= ARM64_HEADER_SIZE && b.readUInt32LE(0x38) === ARM64_MAGIC) return "image";
  return "raw";
}

/** Lay out a VM with a kernel section; null when the problems found (already reported) leave nothing to lay out. */
export function layoutKernel(x: KernelInputs): KernelLayout | null {
  const { raw, at, bad } = x;
  const field = `${at}.kernel`;
  const ram = x.memory[0]!;
  const ramEnd = ram.ipa + ram.size;
  const ramName = `${at}.memory[0] (${span(ram.ipa, ram.size)})`;
  for (const [k, v] of [["entry", x.entry], ["dtb", x.dtb]] as const) {
    if (v !== undefined) {
      bad(`${at}.${k}`, `cannot be given with a kernel section: the kernel's kind sets it, as QEMU's loader does (leave ${k} out)`);
    }
  }
  if (!x.devices.some((d) => d.type === "gicv3" || d.type === "gicv2")) {
    bad(field, `the generated device tree needs an interrupt controller, as QEMU virt has: add { "type": "gicv3" } to ` +
      `${at}.devices ({ "type": "gicv2" } on a GICv2 board)`);
  }
  const f = x.resolve(raw.file, `${field}.file`);
  if (!f) return null;
  const what = `"${raw.file}" (${f.path})`;
  let head: Buffer;
  try {
    head = readHead(f.path, ARM64_HEADER_SIZE);
  } catch (e) {
    bad(`${field}.file`, `${what} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    return null;
  }
  const kind = kernelKind(head);
  const bootargs = raw.bootargs ?? "";
  const parts: Image[] = [];
  let entry: bigint;
  let dtb: Image;
  let initrd: Image | null = null;
  let x0: bigint | null;

  if (kind === "elf") {
    const elf = parseElf(readFileSync(f.path));
    if (typeof elf === "string") {
      bad(`${field}.file`, `${what} starts with the ELF magic but is not an AArch64 executable QEMU's loader takes: ${elf}`);
      return null;
    }
    if (raw.initrd !== undefined) {
      bad(`${field}.initrd`, `${what} is an ELF, and QEMU loads an initrd only with a raw binary or an arm64 Image ` +
        `(hw/arm/boot.c treats an ELF as not Linux): leave initrd out`);
    }
    for (const s of elf.segments) {
      const im: Image = {
        file: `${raw.file} segment ${s.index}`, path: "", size: Number(s.memsz), ipa: s.paddr, generated: "segment",
        segment: { source: f.path, offset: s.offset, filesz: s.filesz },
      };
      x.place(im, `${field}.file`);
      parts.push(im);
    }
    entry = elf.entry;
    const low = parts.reduce((m, im) => min(m, im.ipa), parts[0]!.ipa);
    const high = parts.reduce((m, im) => max(m, im.ipa + BigInt(im.size)), 0n);
    if (low <= ram.ipa && high > ram.ipa) {
      bad(`${field}.file`, `${what} has a segment over the start of ${ramName}, where QEMU puts the device tree for ` +
        `an ELF; with the start of RAM taken QEMU would give it none: link the program above ${hex(ram.ipa)}`);
      return null;
    }
    const limit = low > ram.ipa ? min(low, ramEnd) : ramEnd;
    dtb = { file: `${x.name}.dtb`, path: "", size: 0, ipa: ram.ipa, extent: min(DTB_ROOM, limit - ram.ipa), generated: "dtb" };
    x0 = null;
  } else {
    let offset = RAW_LOAD_OFFSET;
    let size = BigInt(f.size);
    if (kind === "image") {
      const h = parseArm64Header(head, f.size);
      if (typeof h === "string") {
        bad(`${field}.file`, `${what} has the arm64 Image magic but a header QEMU's loader cannot place: ${h}`);
        return null;
      }
      offset = h.textOffset < BOOT_STUB_SIZE ? h.textOffset + 2n * MiB : h.textOffset;
      size = h.imageSize;
    }
    entry = ram.ipa + offset;
    const kernel: Image = { file: raw.file, path: f.path, size: f.size, ipa: entry, ...(size > BigInt(f.size) ? { extent: size } : {}) };
    if (size > ram.size) {
      bad(`${field}.file`, `${what} takes ${size} bytes in memory, more than ${ramName} has`);
      return null;
    }
    x.place(kernel, `${field}.file`);
    parts.push(kernel);

    const initrdAt = alignUp(max(ram.ipa + min(ram.size / 2n, INITRD_OFFSET_MAX), entry + size), PAGE);
    let initrdEnd = initrdAt;
    if (raw.initrd !== undefined) {
      const g = x.resolve(raw.initrd, `${field}.initrd`);
      if (g) {
        initrdEnd = initrdAt + BigInt(g.size);
        if (initrdEnd > ramEnd) {
          bad(`${field}.initrd`, `"${raw.initrd}" (${g.size} bytes) does not fit where QEMU puts an initrd for a ${kind} ` +
            `kernel: from ${hex(initrdAt)} (the higher of RAM + min(RAM size / 2, 128 MiB) and the kernel's end) it ` +
            `would end at ${hex(initrdEnd - 1n)}, past ${ramName}`);
        } else {
          initrd = { file: raw.initrd, path: g.path, size: g.size, ipa: initrdAt };
        }
      }
    }
    const dtbAt = alignUp(initrdEnd, DTB_ALIGN);
    if (dtbAt >= ramEnd) {
      bad(field, `no room for the device tree: QEMU puts it at the first 2 MiB boundary after the initrd ` +
        `(${hex(dtbAt)}), which is past ${ramName}; give the VM more memory`);
      return null;
    }
    dtb = { file: `${x.name}.dtb`, path: "", size: 0, ipa: dtbAt, extent: min(DTB_ROOM, ramEnd - dtbAt), generated: "dtb" };
    x0 = dtbAt;
  }

  x.place(dtb, field);
  const added = [...parts, ...(initrd ? [initrd] : []), dtb];
  const images = [...x.images, ...added];
  if (images.length > LIMITS.images) {
    bad(x.images.length ? `${at}.images` : `${field}.file`, `${images.length} images with the ${added.length} the kernel ` +
      `section adds (${parts.length > 1 || kind === "elf" ? `${parts.length} ELF segment(s), ` : "the kernel, "}` +
      `${initrd ? "the initrd, " : ""}the device tree); a VM loads at most ${LIMITS.images}`);
  }
  return { kernel: { kind, file: raw.file, parts, initrd, dtb, bootargs, x0 }, images, entry, dtb: x0 };
}
