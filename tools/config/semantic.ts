// The checks a schema cannot express: the board's CPUs and RAM, alignment,
// overlaps, image files and their sizes, entry and device-tree addresses, and the
// layout of a Linux VM (linux.ts) and of a VM booting a kernel as QEMU would (kernel.ts). Works on VMs that already passed the schema;
// every problem becomes an issue naming the field, and all of them are collected.
import { statSync } from "node:fs";
import type { Issue } from "./errors.ts";
import type { Access, BoardDescription, Image, ImageResolver, KernelBoot, LinuxBoot, Region, UnmappedAccess, Vm, VmType } from "./types.ts";
import { checkDevices, PL011_SIZE, type RawDevice } from "./devices.ts";
import { layoutLinux, type RawLinux } from "./linux.ts";
import { layoutKernel, type RawKernel } from "./kernel.ts";
import { checkDma, checkFramesAcross } from "./passthrough.ts";
import { checkQemuArgs } from "./qemu_args.ts";
import { IPA_LIMIT, LIMITS, PAGE } from "./limits.ts";
import { bytes, hex, inside, overlaps, parseAddress, parseSize, span } from "./values.ts";

export { LIMITS, IPA_LIMIT } from "./limits.ts";
/** Register window of each device type with a size of its own, the default `size`. */
export const DEVICE_SIZE: Record<string, bigint> = { pl011: PL011_SIZE };

type Address = number | string;
export interface RawVm {
  name: string;
  type: VmType;
  description?: string;
  cpus: number[];
  vcpus: number;
  memory: { ipa: Address; pa: Address; size: Address; access?: string }[];
  devices?: RawDevice[];
  /** Required unless `linux` or `kernel` is given. */
  images?: { file: string; ipa: Address }[];
  entry?: Address;
  dtb?: Address | null;
  ready: string;
  expect?: string[];
  bench?: boolean;
  unmapped_access?: UnmappedAccess;
  slice_us?: number;
  linux?: RawLinux;
  kernel?: RawKernel;
}
export interface RawConfig {
  board: string;
  description?: string;
  /** Extra QEMU arguments for this config (qemu_args.ts). */
  qemu?: { args?: string[] };
  vms: RawVm[];
}

function access(s: string | undefined): Access {
  const a = s ?? "rwx";
  return { r: a.includes("r"), w: a.includes("w"), x: a.includes("x") };
}

class Checker {
  readonly issues: Issue[] = [];

  constructor(readonly file: string, readonly board: BoardDescription, readonly resolveImage: ImageResolver) {}

  bad(path: string, message: string): void {
    this.issues.push({ file: this.file, path, message });
  }

  /** Build VM `i` from its (schema-valid) description, checking everything about it alone. */
  vm(raw: RawVm, i: number): Vm {
    const at = `vms[${i}]`;
    const b = this.board;
    // A GVM or MVM may have more vCPUs than CPUs: they take turns (runtime-c/core/sched.c).
    // An RTVM's vCPUs each have a CPU of their own, with no tick.
    if (raw.type === "rtvm" && raw.vcpus > raw.cpus.length) {
      this.bad(`${at}.vcpus`, `${raw.vcpus} vCPUs but cpus lists only ${raw.cpus.length} CPU${raw.cpus.length === 1 ? "" : "s"}; ` +
        `each vCPU of an rtvm needs a CPU of its own`);
    }
    raw.cpus.forEach((c, k) => {
      if (c >= b.cpus) this.bad(`${at}.cpus[${k}]`, `CPU ${c} does not exist on ${b.name} (it has CPUs 0..${b.cpus - 1})`);
    });

    const memory: Region[] = raw.memory.map((r, k) => {
      const reg = { ipa: parseAddress(r.ipa), pa: parseAddress(r.pa), size: parseSize(r.size), access: access(r.access) };
      this.region(reg, `${at}.memory[${k}]`);
      return reg;
    });
    memory.forEach((r, k) => {
      for (let j = 0; j < k; j++) {
        const q = memory[j]!;
        if (r.size > 0n && q.size > 0n && overlaps(r.ipa, r.size, q.ipa, q.size)) {
          this.bad(`${at}.memory[${k}].ipa`, `overlaps ${at}.memory[${j}] (${span(q.ipa, q.size)})`);
        }
      }
    });

    const devices = checkDevices(raw.devices ?? [], at, raw.vcpus, memory, (p, m) => this.bad(p, m), b);
    checkDma(raw.type, memory, devices, at, (p, m) => this.bad(p, m));

    let images = (raw.images ?? []).map((im, k) => {
      const image = this.image(im.file, parseAddress(im.ipa), `${at}.images[${k}].file`);
      this.place(image, `${at}.images[${k}]`, at, memory);
      return image;
    });
    let linux: LinuxBoot | null = null;
    let kernel: KernelBoot | null = null;
    let entry: bigint;
    let dtb: bigint | null;
    let entryNote = "";
    const resolve = (file: string, path: string): { path: string; size: number } | null => {
      const im = this.image(file, 0n, path);
      return im.size > 0 ? { path: im.path, size: im.size } : null;
    };
    if (raw.linux && raw.kernel) {
      this.bad(`${at}.kernel`, `a VM boots either a linux section or a kernel section, not both`);
    }
    if (raw.kernel && !raw.linux) {
      const laid = layoutKernel({
        raw: raw.kernel, at, name: raw.name, memory, devices, images, entry: raw.entry, dtb: raw.dtb, resolve,
        place: (im, path) => this.place(im, path, at, memory),
        bad: (p, m) => this.bad(p, m),
      });
      if (laid) ({ kernel, images, entry, dtb } = laid);
      else {
        entry = 0n;
        dtb = null;
      }
    } else if (raw.linux) {
      const laid = layoutLinux({
        raw: raw.linux, at, name: raw.name, memory, devices, images, entry: raw.entry, dtb: raw.dtb,
        resolve,
        place: (im, path) => this.place(im, path, at, memory),
        bad: (p, m) => this.bad(p, m),
      });
      if (laid) ({ linux, images, entry, dtb } = laid);
      else {
        entry = raw.entry === undefined ? 0n : parseAddress(raw.entry);
        dtb = null;
      }
    } else {
      entry = raw.entry === undefined ? parseAddress(raw.images![0]!.ipa) : parseAddress(raw.entry);
      entryNote = raw.entry === undefined ? ` (entry defaults to images[0].ipa)` : "";
      dtb = raw.dtb === undefined || raw.dtb === null ? null : parseAddress(raw.dtb);
    }

    images.forEach((im, k) => {
      for (let j = 0; j < k; j++) {
        const q = images[j]!;
        const a = extent(im), b = extent(q);
        if (a > 0n && b > 0n && overlaps(im.ipa, a, q.ipa, b)) {
          this.bad(this.imagePath(raw, at, im, k), `${describe(im)} (${span(im.ipa, a)}) overlaps ${this.imageName(raw, at, q, j)} ` +
            `(${describe(q)}, ${span(q.ipa, b)})`);
        }
      }
    });

    if (!(raw.linux && linux === null) && !(raw.kernel && kernel === null)) {
      if (entry % 4n !== 0n) this.bad(`${at}.entry`, `${hex(entry)} is not 4-byte aligned${entryNote}`);
      else if (!memory.some((r) => r.access.x && inside(entry, 4n, r.ipa, r.size))) {
        this.bad(`${at}.entry`, `${hex(entry)} is not inside a memory region of this VM with access x${entryNote}`);
      }
    }

    const dtbField = raw.kernel && !raw.linux ? `${at}.kernel` : raw.linux && raw.dtb === undefined ? `${at}.linux` : `${at}.dtb`;
    const dtbNote = raw.linux && raw.dtb === undefined ? ` (the device tree's place by default, the start of ${at}.memory[0])` : "";
    if (dtb === 0n) this.bad(dtbField, `0 cannot be used: the blob means "no device tree" by 0 (write null for none)`);
    else if (dtb !== null && dtb % 8n !== 0n) this.bad(dtbField, `${hex(dtb)} is not 8-byte aligned`);
    else if (dtb !== null && !memory.some((r) => r.access.r && inside(dtb, 1n, r.ipa, r.size))) {
      this.bad(dtbField, `${hex(dtb)} is not inside a memory region of this VM with access r${dtbNote}`);
    } else if (linux) {
      const r = memory.find((q) => inside(dtb!, 1n, q.ipa, q.size))!;
      if (!inside(dtb!, extent(linux.dtb), r.ipa, r.size)) {
        this.bad(dtbField, `the device tree at ${hex(dtb!)} needs ${bytes(extent(linux.dtb))}, which run past the end of its ` +
          `memory region (${span(r.ipa, r.size)})${dtbNote}`);
      }
    }

    return {
      index: i, name: raw.name, type: raw.type, description: raw.description ?? "", cpus: [...raw.cpus],
      vcpus: raw.vcpus, memory, devices, images, entry, dtb, ready: raw.ready, expect: [...(raw.expect ?? [])],
      bench: raw.bench ?? false, unmappedAccess: raw.unmapped_access ?? "stop", sliceUs: raw.slice_us ?? 0, linux,
      kernel,
    };
  }

  region(r: Region, at: string): void {
    const b = this.board;
    if (r.ipa % PAGE !== 0n) this.bad(`${at}.ipa`, `${hex(r.ipa)} is not 4 KiB aligned`);
    if (r.pa % PAGE !== 0n) this.bad(`${at}.pa`, `${hex(r.pa)} is not 4 KiB aligned`);
    if (r.size === 0n) this.bad(`${at}.size`, `must not be 0`);
    else if (r.size % PAGE !== 0n) this.bad(`${at}.size`, `${hex(r.size)} is not a multiple of 4 KiB`);
    if (r.size === 0n) return;
    if (r.ipa + r.size > IPA_LIMIT) {
      this.bad(`${at}.ipa`, `region ${span(r.ipa, r.size)} reaches past the ${LIMITS.ipaBits}-bit IPA space (which ends at ${hex(IPA_LIMIT - 1n)})`);
    }
    if (!inside(r.pa, r.size, b.ram.base, b.ram.size)) {
      this.bad(`${at}.pa`, `${span(r.pa, r.size)} is not inside the RAM of ${b.name} (${span(b.ram.base, b.ram.size)})`);
    } else if (overlaps(r.pa, r.size, b.hypervisor.base, b.hypervisor.size)) {
      this.bad(`${at}.pa`, `${span(r.pa, r.size)} overlaps the memory the hypervisor keeps (${span(b.hypervisor.base, b.hypervisor.size)})`);
    }
  }

  /** Resolve and stat an image file (problems go to `path`); size 0 when it cannot be used. */
  image(file: string, ipa: bigint, path: string): Image {
    const im: Image = { file, path: "", size: 0, ipa };
    let found: string | null;
    try {
      found = this.resolveImage(file);
    } catch (e) {
      this.bad(path, `looking up "${file}" failed: ${e instanceof Error ? e.message : String(e)}`);
      return im;
    }
    if (found === null) {
      this.bad(path, `image file "${file}" not found`);
      return im;
    }
    im.path = found;
    try {
      const st = statSync(found);
      if (!st.isFile()) this.bad(path, `"${file}" was found at ${found}, which is not a regular file`);
      else if (st.size === 0) this.bad(path, `"${file}" (${found}) is empty`);
      else im.size = st.size;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      this.bad(path, `"${file}" was found at ${found} but cannot be read (${code})`);
    }
    return im;
  }

  /**
   * Check that `im` starts inside a memory region of VM `vm` and that it (its extent
   * when set) fits there. `at` is the image's field: "<at>.ipa" and "<at>.file" get
   * the errors, or `at` itself when it is not an images entry.
   */
  place(im: Image, at: string, vm: string, memory: Region[]): void {
    const entry = /\.images\[\d+\]$/.test(at);
    const k = memory.findIndex((r) => r.size > 0n && inside(im.ipa, 1n, r.ipa, r.size));
    if (k < 0) {
      this.bad(entry ? `${at}.ipa` : at, `${hex(im.ipa)} is not inside any memory region of this VM`);
      return;
    }
    const r = memory[k]!;
    const need = extent(im);
    if (need > 0n && !inside(im.ipa, need, r.ipa, r.size)) {
      this.bad(entry ? `${at}.file` : at, `${describe(im, true)} loaded at ${hex(im.ipa)} does not fit in ${vm}.memory[${k}] ` +
        `(${span(r.ipa, r.size)}, ${bytes(r.size)}): it would end at ${hex(im.ipa + need - 1n)}`);
    }
  }

  /** The field an image's overlap is reported on. */
  imagePath(raw: RawVm, at: string, im: Image, k: number): string {
    const own = raw.images?.length ?? 0;
    if (k < own) return `${at}.images[${k}].ipa`;
    if (raw.kernel) {
      if (im.generated === "dtb") return `${at}.kernel`;
      return im.file === raw.kernel.initrd ? `${at}.kernel.initrd` : `${at}.kernel.file`;
    }
    if (im.generated) return raw.dtb === undefined ? `${at}.linux` : `${at}.dtb`;
    return im.file === raw.linux?.kernel ? `${at}.linux.kernel` : `${at}.linux.initrd`;
  }

  /** How another image is named in an overlap message. */
  imageName(raw: RawVm, at: string, im: Image, k: number): string {
    const own = raw.images?.length ?? 0;
    if (k < own) return `${at}.images[${k}]`;
    if (im.generated === "dtb") return `the device tree`;
    if (raw.kernel) return im.file === raw.kernel.initrd ? `the initrd of ${at}.kernel` : `"${im.file}" of ${at}.kernel`;
    return im.file === raw.linux?.kernel ? `the kernel of ${at}.linux` : `the initrd of ${at}.linux`;
  }

  /** Checks between VMs: names, CPUs of RTVMs, physical memory. */
  across(vms: Vm[]): void {
    vms.forEach((v, n) => {
      for (let m = 0; m < n; m++) {
        const u = vms[m]!;
        if (u.name === v.name) this.bad(`vms[${v.index}].name`, `"${v.name}" is already the name of vms[${u.index}]`);
        if (u.type !== "rtvm" && v.type !== "rtvm") continue;
        v.cpus.forEach((c, k) => {
          if (!u.cpus.includes(c)) return;
          const rt = v.type === "rtvm" ? `vms[${v.index}] is an rtvm` : `vms[${u.index}] is an rtvm`;
          this.bad(`vms[${v.index}].cpus[${k}]`, `CPU ${c} is also given to vms[${u.index}] ("${u.name}"), ` +
            `but ${rt} and its CPUs cannot be shared`);
        });
      }
    });
    checkFramesAcross(vms, (p, m) => this.bad(p, m));
    const all = vms.flatMap((v) => v.memory.map((r, k) => ({ r, at: `vms[${v.index}].memory[${k}]` })));
    all.forEach(({ r, at }, n) => {
      for (let m = 0; m < n; m++) {
        const q = all[m]!;
        if (r.size > 0n && q.r.size > 0n && overlaps(r.pa, r.size, q.r.pa, q.r.size)) {
          this.bad(`${at}.pa`, `overlaps ${q.at} (${span(q.r.pa, q.r.size)})`);
        }
      }
    });
  }
}

/** Bytes of guest memory an image takes. */
function extent(im: Image): bigint {
  return im.extent ?? BigInt(im.size);
}

/** An image as messages name it. */
function describe(im: Image, withSize = false): string {
  if (im.generated === "dtb") return withSize ? `the device tree (${bytes(extent(im))} kept for it)` : "the device tree";
  if (!withSize) return `"${im.file}"`;
  return im.extent !== undefined ? `"${im.file}" (${im.extent} bytes in memory: its image_size)` : `"${im.file}" (${im.size} bytes)`;
}

/**
 * Check the VMs of `data` that passed the schema (all but `skip`) against `board`.
 * Returns them (in file order) and every problem found.
 */
export function checkVms(data: RawConfig, file: string, board: BoardDescription, resolveImage: ImageResolver,
                         skip: ReadonlySet<number> = new Set()): { vms: Vm[]; qemuArgs: string[]; issues: Issue[] } {
  const c = new Checker(file, board, resolveImage);
  const vms: Vm[] = [];
  data.vms.forEach((raw, i) => { if (!skip.has(i)) vms.push(c.vm(raw, i)); });
  c.across(vms);
  const qemuArgs = data.qemu?.args ?? [];
  checkQemuArgs(qemuArgs, "qemu.args", (p, m) => c.bad(p, m));
  return { vms, qemuArgs, issues: c.issues };
}

