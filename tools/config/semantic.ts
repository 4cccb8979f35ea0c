// The checks a schema cannot express: the board's CPUs and RAM, alignment,
// overlaps, image files and their sizes, entry and device-tree addresses.
// Works on VMs that already passed the schema; every problem becomes an issue
// naming the field, and all of them are collected.
import { statSync } from "node:fs";
import type { Issue } from "./errors.ts";
import type { Access, BoardDescription, Device, Image, ImageResolver, Region, Vm, VmType } from "./types.ts";
import { bytes, hex, inside, overlaps, parseAddress, parseSize, span } from "./values.ts";

/** Limits of the config blob (docs/abi.md section 1) and of stage 2. */
export const LIMITS = { vms: 8, vcpus: 8, regions: 8, devices: 8, images: 4, ipaBits: 39 } as const;
export const IPA_LIMIT = 1n << BigInt(LIMITS.ipaBits);
const PAGE = 0x1000n;
/** Register window of each device type, the default `size`. */
export const DEVICE_SIZE: Record<string, bigint> = { pl011: 0x1000n };

type Address = number | string;
export interface RawVm {
  name: string;
  type: VmType;
  description?: string;
  cpus: number[];
  vcpus: number;
  memory: { ipa: Address; pa: Address; size: Address; access?: string }[];
  devices?: { type: "pl011"; ipa: Address; size?: Address; irq?: number | null }[];
  images: { file: string; ipa: Address }[];
  entry?: Address;
  dtb?: Address | null;
  ready: string;
  expect?: string[];
  bench?: boolean;
}
export interface RawConfig {
  board: string;
  description?: string;
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
    if (raw.vcpus > raw.cpus.length) {
      this.bad(`${at}.vcpus`, `${raw.vcpus} vCPUs but cpus lists only ${raw.cpus.length} CPU${raw.cpus.length === 1 ? "" : "s"}; ` +
        `each vCPU needs a CPU of its own`);
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

    const devices: Device[] = (raw.devices ?? []).map((d, k) => {
      const dev: Device = {
        type: d.type, ipa: parseAddress(d.ipa),
        size: d.size === undefined ? DEVICE_SIZE[d.type]! : parseSize(d.size), irq: d.irq ?? null,
      };
      this.device(dev, k, at, memory);
      return dev;
    });
    devices.forEach((d, k) => {
      for (let j = 0; j < k; j++) {
        const q = devices[j]!;
        if (d.size > 0n && q.size > 0n && overlaps(d.ipa, d.size, q.ipa, q.size)) {
          this.bad(`${at}.devices[${k}].ipa`, `overlaps ${at}.devices[${j}] (${span(q.ipa, q.size)})`);
        }
        if (d.irq !== null && d.irq === q.irq) {
          this.bad(`${at}.devices[${k}].irq`, `INTID ${d.irq} is already used by ${at}.devices[${j}]`);
        }
      }
    });

    const images = raw.images.map((im, k) => this.image(im.file, parseAddress(im.ipa), `${at}.images[${k}]`, at, memory));
    images.forEach((im, k) => {
      for (let j = 0; j < k; j++) {
        const q = images[j]!;
        if (im.size > 0 && q.size > 0 && overlaps(im.ipa, BigInt(im.size), q.ipa, BigInt(q.size))) {
          this.bad(`${at}.images[${k}].ipa`, `"${im.file}" (${span(im.ipa, BigInt(im.size))}) overlaps ` +
            `${at}.images[${j}] ("${q.file}", ${span(q.ipa, BigInt(q.size))})`);
        }
      }
    });

    const entry = raw.entry === undefined ? parseAddress(raw.images[0]!.ipa) : parseAddress(raw.entry);
    const note = raw.entry === undefined ? ` (entry defaults to images[0].ipa)` : "";
    if (entry % 4n !== 0n) this.bad(`${at}.entry`, `${hex(entry)} is not 4-byte aligned${note}`);
    else if (!memory.some((r) => r.access.x && inside(entry, 4n, r.ipa, r.size))) {
      this.bad(`${at}.entry`, `${hex(entry)} is not inside a memory region of this VM with access x${note}`);
    }

    const dtb = raw.dtb === undefined || raw.dtb === null ? null : parseAddress(raw.dtb);
    if (dtb === 0n) this.bad(`${at}.dtb`, `0 cannot be used: the blob means "no device tree" by 0 (write null for none)`);
    else if (dtb !== null && dtb % 8n !== 0n) this.bad(`${at}.dtb`, `${hex(dtb)} is not 8-byte aligned`);
    else if (dtb !== null && !memory.some((r) => r.access.r && inside(dtb, 1n, r.ipa, r.size))) {
      this.bad(`${at}.dtb`, `${hex(dtb)} is not inside a memory region of this VM with access r`);
    }

    return {
      index: i, name: raw.name, type: raw.type, description: raw.description ?? "", cpus: [...raw.cpus],
      vcpus: raw.vcpus, memory, devices, images, entry, dtb, ready: raw.ready, expect: [...(raw.expect ?? [])],
      bench: raw.bench ?? false,
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

  device(d: Device, k: number, vm: string, memory: Region[]): void {
    const at = `${vm}.devices[${k}]`;
    if (d.ipa % PAGE !== 0n) this.bad(`${at}.ipa`, `${hex(d.ipa)} is not 4 KiB aligned`);
    if (d.size === 0n) this.bad(`${at}.size`, `must not be 0`);
    else if (d.size % PAGE !== 0n) this.bad(`${at}.size`, `${hex(d.size)} is not a multiple of 4 KiB`);
    if (d.size === 0n) return;
    if (d.ipa + d.size > IPA_LIMIT) {
      this.bad(`${at}.ipa`, `device ${span(d.ipa, d.size)} reaches past the ${LIMITS.ipaBits}-bit IPA space (which ends at ${hex(IPA_LIMIT - 1n)})`);
    }
    memory.forEach((r, j) => {
      if (r.size > 0n && overlaps(d.ipa, d.size, r.ipa, r.size)) {
        this.bad(`${at}.ipa`, `device ${span(d.ipa, d.size)} overlaps ${vm}.memory[${j}] (${span(r.ipa, r.size)})`);
      }
    });
  }

  image(file: string, ipa: bigint, at: string, vm: string, memory: Region[]): Image {
    const im: Image = { file, path: "", size: 0, ipa };
    let path: string | null;
    try {
      path = this.resolveImage(file);
    } catch (e) {
      this.bad(`${at}.file`, `looking up "${file}" failed: ${e instanceof Error ? e.message : String(e)}`);
      path = null;
    }
    if (path === null) {
      this.bad(`${at}.file`, `image file "${file}" not found`);
    } else {
      im.path = path;
      try {
        const st = statSync(path);
        if (!st.isFile()) this.bad(`${at}.file`, `"${file}" was found at ${path}, which is not a regular file`);
        else if (st.size === 0) this.bad(`${at}.file`, `"${file}" (${path}) is empty`);
        else im.size = st.size;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? String(e);
        this.bad(`${at}.file`, `"${file}" was found at ${path} but cannot be read (${code})`);
      }
    }
    const k = memory.findIndex((r) => r.size > 0n && inside(ipa, 1n, r.ipa, r.size));
    if (k < 0) {
      this.bad(`${at}.ipa`, `${hex(ipa)} is not inside any memory region of this VM`);
    } else if (im.size > 0) {
      const r = memory[k]!;
      const size = BigInt(im.size);
      if (!inside(ipa, size, r.ipa, r.size)) {
        this.bad(`${at}.file`, `"${file}" (${im.size} bytes) loaded at ${hex(ipa)} does not fit in ${vm}.memory[${k}] ` +
          `(${span(r.ipa, r.size)}, ${bytes(r.size)}): it would end at ${hex(ipa + size - 1n)}`);
      }
    }
    return im;
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

/**
 * Check the VMs of `data` that passed the schema (all but `skip`) against `board`.
 * Returns them (in file order) and every problem found.
 */
export function checkVms(data: RawConfig, file: string, board: BoardDescription, resolveImage: ImageResolver,
                         skip: ReadonlySet<number> = new Set()): { vms: Vm[]; issues: Issue[] } {
  const c = new Checker(file, board, resolveImage);
  const vms: Vm[] = [];
  data.vms.forEach((raw, i) => { if (!skip.has(i)) vms.push(c.vm(raw, i)); });
  c.across(vms);
  return { vms, issues: c.issues };
}

