// A VM's `linux` section: the images and addresses that boot an unmodified arm64
// Linux kernel (Documentation/arch/arm64/booting.rst), laid out in the VM's first
// memory region unless the config places them:
//   device tree  at the start of the region (8-byte aligned; `dtb` places it)
//   kernel       2 MiB in: a 2 MiB aligned base plus the Image's text_offset
//                (an `images` entry naming the kernel file places it); entry = there
//   initramfs    at the end of the region, page aligned, above the kernel's
//                image_size (an `images` entry naming the initrd file places it)
// x0 at entry is the device tree's address (the blob's dtb_ipa).
import type { Device, Image, LinuxBoot, Region } from "./types.ts";
import { readArm64Header, KERNEL_ALIGN } from "./arm64_image.ts";
import { LIMITS, PAGE } from "./limits.ts";
import { hex, inside, parseAddress, span } from "./values.ts";

type Address = number | string;
export interface RawLinux { kernel: string; initrd?: string; bootargs?: string }

/** Room kept for the generated device tree (the build checks the real one fits). */
export const DTB_ROOM = 0x10000n;
/** arm64's COMMAND_LINE_SIZE is 2048 bytes, the NUL included. */
export const BOOTARGS_MAX = 2047;

/** Regions Linux gets as RAM: readable, writable and executable. */
export function isLinuxRam(r: Region): boolean {
  return r.access.r && r.access.w && r.access.x;
}

function accessText(r: Region): string {
  return `${r.access.r ? "r" : ""}${r.access.w ? "w" : ""}${r.access.x ? "x" : ""}`;
}

const alignUp = (v: bigint, a: bigint): bigint => ((v + a - 1n) / a) * a;
const alignDown = (v: bigint, a: bigint): bigint => (v / a) * a;

/** What laying out a VM's boot section needs: its raw section `raw` and the VM around it. */
export interface BootInputs<R> {
  raw: R;
  /** "vms[i]" */
  at: string;
  name: string;
  memory: readonly Region[];
  devices: readonly Device[];
  /** The VM's own `images`, resolved and placed (in order). */
  images: readonly Image[];
  entry: Address | undefined;
  dtb: Address | null | undefined;
  /** Resolve and stat a file (errors go to `path`); null when it cannot be used. */
  resolve(file: string, path: string): { path: string; size: number } | null;
  /** Check that an image (its extent when set) lies in a region of the VM (errors go to `path`). */
  place(im: Image, path: string): void;
  bad(path: string, message: string): void;
}

export type LinuxInputs = BootInputs<RawLinux>;

export interface LinuxLayout { linux: LinuxBoot; images: Image[]; entry: bigint; dtb: bigint }

/** Lay out a Linux VM; null when the problems found (already reported) leave nothing to lay out. */
export function layoutLinux(x: LinuxInputs): LinuxLayout | null {
  const { raw, at, bad } = x;
  const ram = x.memory[0]!;
  const ramName = `${at}.memory[0]`;
  const bootargs = raw.bootargs ?? "";
  if (bootargs.length > BOOTARGS_MAX) {
    bad(`${at}.linux.bootargs`, `${bootargs.length} characters; Linux on arm64 takes at most ${BOOTARGS_MAX}`);
  }
  if (!x.devices.some((d) => d.type === "gicv3" || d.type === "gicv2")) {
    bad(`${at}.linux`, `Linux needs an interrupt controller: add { "type": "gicv3" } to ${at}.devices ` +
      `({ "type": "gicv2" } on a GICv2 board)`);
  }
  x.devices.forEach((d, k) => {
    if (d.type === "pl011" && d.irq === null) {
      bad(`${at}.devices[${k}].irq`, `a Linux VM's pl011 needs its INTID (QEMU virt's UART: 33): ` +
        `Linux cannot open the UART as its console without it`);
    }
  });

  // The kernel: placed by an images entry, or 2 MiB into the first region.
  const added: Image[] = [];
  const k = x.images.findIndex((im) => im.file === raw.kernel);
  let kernel: Image;
  if (k >= 0) {
    kernel = x.images[k]!;
  } else {
    const f = x.resolve(raw.kernel, `${at}.linux.kernel`);
    if (!f) return null;
    kernel = { file: raw.kernel, path: f.path, size: f.size, ipa: 0n };
    added.push(kernel);
  }
  if (!kernel.path || kernel.size === 0) return null;
  let header;
  try {
    header = readArm64Header(kernel.path, kernel.size);
  } catch (e) {
    bad(`${at}.linux.kernel`, `"${raw.kernel}" (${kernel.path}) cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    return null;
  }
  if (typeof header === "string") {
    bad(`${at}.linux.kernel`, `"${raw.kernel}" (${kernel.path}) is not an arm64 Linux Image: ${header}`);
    return null;
  }
  kernel.extent = header.imageSize;
  if (k >= 0) {
    if ((kernel.ipa - header.textOffset) % KERNEL_ALIGN !== 0n) {
      const ok = alignUp(kernel.ipa - header.textOffset, KERNEL_ALIGN) + header.textOffset;
      bad(`${at}.images[${k}].ipa`, `${hex(kernel.ipa)} is not where an arm64 Image can go: a 2 MiB aligned address ` +
        `plus its text_offset (${hex(header.textOffset)}), e.g. ${hex(ok)}`);
    }
    // Its image_size (bss included) must fit where its bytes do.
    const j = x.memory.findIndex((r) => inside(kernel.ipa, BigInt(kernel.size), r.ipa, r.size));
    const r = x.memory[j];
    if (r && !inside(kernel.ipa, header.imageSize, r.ipa, r.size)) {
      bad(`${at}.images[${k}].file`, `"${kernel.file}" takes ${header.imageSize} bytes in memory (its image_size, bss ` +
        `included) from ${hex(kernel.ipa)}, more than ${at}.memory[${j}] (${span(r.ipa, r.size)}) has: it would end at ` +
        `${hex(kernel.ipa + header.imageSize - 1n)}`);
    }
  } else {
    kernel.ipa = alignUp(ram.ipa, KERNEL_ALIGN) + KERNEL_ALIGN + header.textOffset;
    x.place(kernel, `${at}.linux.kernel`);
  }

  const entry = kernel.ipa;
  if (x.entry !== undefined && parseAddress(x.entry) !== entry) {
    bad(`${at}.entry`, `${hex(parseAddress(x.entry))} is not where the kernel is loaded (${hex(entry)}): ` +
      `Linux starts at the first byte of its Image (leave entry out)`);
  }

  // The initramfs: placed by an images entry, or at the end of the first region.
  let initrd: Image | null = null;
  if (raw.initrd !== undefined) {
    const i = x.images.findIndex((im) => im.file === raw.initrd);
    if (i >= 0) {
      initrd = x.images[i]!;
    } else {
      const f = x.resolve(raw.initrd, `${at}.linux.initrd`);
      if (f) {
        const size = BigInt(f.size);
        const ipa = alignDown(ram.ipa + ram.size - size, PAGE);
        const kernelEnd = kernel.ipa + header.imageSize;
        const kernelHere = inside(kernel.ipa, 1n, ram.ipa, ram.size);
        if (size > ram.size || ipa < ram.ipa || (kernelHere && ipa < kernelEnd)) {
          bad(`${at}.linux.initrd`, `"${raw.initrd}" (${f.size} bytes) does not fit at the end of ${ramName} ` +
            `(${span(ram.ipa, ram.size)})` + (kernelHere ? ` above the kernel, which takes up to ${hex(kernelEnd - 1n)}` : "") +
            `; give the VM more memory or place the initrd with an images entry`);
        } else {
          initrd = { file: raw.initrd, path: f.path, size: f.size, ipa };
          added.push(initrd);
        }
      }
    }
  }

  // The device tree: where dtb says, or at the start of the first region.
  let dtbIpa: bigint;
  if (x.dtb === null) {
    bad(`${at}.dtb`, `null cannot be used with a linux section: Linux needs the device tree the tools generate ` +
      `(leave dtb out to put it at the start of ${ramName})`);
    return null;
  } else if (x.dtb === undefined) {
    dtbIpa = alignUp(ram.ipa, 8n);
  } else {
    dtbIpa = parseAddress(x.dtb);
  }
  const dtb: Image = { file: `${x.name}.dtb`, path: "", size: 0, ipa: dtbIpa, extent: DTB_ROOM, generated: "dtb" };
  added.push(dtb);

  // Linux takes only the rwx regions as RAM (dts.ts leaves the others out of the device
  // tree), so what it boots from must lie in one.
  const booted: [Image, string][] = [
    [kernel, k >= 0 ? `${at}.images[${k}].ipa` : `${at}.linux.kernel`],
    [dtb, x.dtb === undefined ? `${at}.linux` : `${at}.dtb`],
  ];
  if (initrd) {
    const i = x.images.indexOf(initrd);
    booted.push([initrd, i >= 0 ? `${at}.images[${i}].ipa` : `${at}.linux.initrd`]);
  }
  for (const [im, path] of booted) {
    const j = x.memory.findIndex((r) => inside(im.ipa, 1n, r.ipa, r.size));
    const r = x.memory[j];
    if (r && !isLinuxRam(r)) {
      const what = im === kernel ? "the kernel" : im === dtb ? "the device tree" : "the initrd";
      bad(path, `${what} at ${hex(im.ipa)} is in ${at}.memory[${j}], whose access is "${accessText(r)}": Linux uses ` +
        `only "rwx" regions as RAM`);
    }
  }

  const images = [...x.images, ...added];
  if (images.length > LIMITS.images) {
    const names = added.map((im) => (im.generated ? "the device tree" : `"${im.file}"`)).join(", ");
    bad(x.images.length ? `${at}.images` : `${at}.linux`, `${images.length} images with the ones the linux section adds ` +
      `(${names}); a VM loads at most ${LIMITS.images}`);
  }
  return {
    linux: { kernel, textOffset: header.textOffset, imageSize: header.imageSize, initrd, dtb, bootargs },
    images, entry, dtb: dtbIpa,
  };
}
