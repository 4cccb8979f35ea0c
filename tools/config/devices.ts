// The devices of one VM: built from their (schema-valid) descriptions with the
// defaults of each type, then checked: alignment, the IPA space, overlaps with the
// VM's memory and with each other, INTIDs, at most one GIC, and the number of
// records they take in the config blob (a GICv3 or a GICv2 takes two). Passthrough
// frames are built and checked against the board in passthrough.ts, a GICv2 in gicv2.ts,
// a virtio-console in virtio_console.ts.
import type { BoardDescription, Device, Region } from "./types.ts";
import { buildPassthrough, type RawPassthrough } from "./passthrough.ts";
import { buildGicV2, checkGicVersion, type RawGicV2 } from "./gicv2.ts";
import { buildVirtioConsole, checkVirtioConsoles, type RawVirtioConsole } from "./virtio_console.ts";
import { IPA_LIMIT, LIMITS, PAGE } from "./limits.ts";
import { bytes, hex, overlaps, parseAddress, parseSize, span } from "./values.ts";

type Address = number | string;
export type RawDevice = {
  type: "pl011" | "gicv3";
  ipa?: Address;
  size?: Address;
  irq?: number | null;
  redist?: Address;
} | RawPassthrough | RawGicV2 | RawVirtioConsole;

/** Register window of a PL011, the default `size`. */
export const PL011_SIZE = 0x1000n;
/** A GICv3 as QEMU virt places it: distributor and redistributors (128 KiB, two 64 KiB frames, per vCPU). */
export const GICV3 = {
  ipa: 0x08000000n,
  size: 0x10000n,
  redist: 0x080a0000n,
  redistPerVcpu: 0x20000n,
  /** GICv3 register frames are 64 KiB aligned. */
  align: 0x10000n,
} as const;

/** INTIDs the GIC itself uses in a VM (PPIs), with what they are. */
export const RESERVED_INTIDS: Record<number, string> = {
  25: "the GIC maintenance interrupt (PPI 9)",
  26: "the hypervisor timer's PPI (PPI 10)",
  27: "the virtual timer's PPI (PPI 11)",
  29: "the secure physical timer's PPI (PPI 13)",
  30: "the non-secure physical timer's PPI (PPI 14)",
};

/** Records a device takes in the config blob. */
export function blobRecords(d: Device): number {
  return d.type === "gicv3" || d.type === "gicv2" ? 2 : 1;
}

/** An address range of a device, and the field that places it. */
export interface Window { field: "ipa" | "redist" | "cpuif"; base: bigint; size: bigint; label: string }

export function windows(d: Device): Window[] {
  if (d.type === "gicv3") {
    return [
      { field: "ipa", base: d.ipa, size: d.size, label: "GICv3 distributor" },
      { field: "redist", base: d.redist, size: d.redistSize, label: "GICv3 redistributor range" },
    ];
  }
  if (d.type === "gicv2") {
    return [
      { field: "ipa", base: d.ipa, size: d.size, label: "GICv2 distributor" },
      { field: "cpuif", base: d.cpuif, size: d.cpuifSize, label: "GICv2 CPU interface" },
    ];
  }
  const label = d.type === "passthrough" ? "device frame" : d.type === "virtio-console" ? "virtio-mmio window" : "device";
  return [{ field: "ipa", base: d.ipa, size: d.size, label }];
}

/** How a window of device `k` is named when another field overlaps it. */
function windowName(vm: string, k: number, w: Window): string {
  if (w.field === "cpuif") return `the CPU interface of ${vm}.devices[${k}]`;
  return w.field === "redist" ? `the redistributors of ${vm}.devices[${k}]` : `${vm}.devices[${k}]`;
}

type Bad = (path: string, message: string) => void;

const isGic = (d: Device): boolean => d.type === "gicv3" || d.type === "gicv2";

/** Build the VM's devices from `raw` and check them; problems go to `bad`. `vm` is "vms[i]". */
export function checkDevices(raw: readonly RawDevice[], vm: string, vcpus: number, memory: readonly Region[], bad: Bad,
  board: BoardDescription): Device[] {
  const devices = raw.map((d, k): Device => {
    const at = `${vm}.devices[${k}]`;
    if (d.type === "passthrough") return buildPassthrough(d, at, board, bad);
    if (d.type === "gicv2") return buildGicV2(d, at, board, bad);
    if (d.type === "virtio-console") return buildVirtioConsole(d, at, bad);
    if (d.type === "gicv3") {
      checkGicVersion("gicv3", at, board, bad);
      const dev: Device = {
        type: "gicv3", ipa: d.ipa === undefined ? GICV3.ipa : parseAddress(d.ipa), size: GICV3.size, irq: null,
        redist: d.redist === undefined ? GICV3.redist : parseAddress(d.redist), redistSize: GICV3.redistPerVcpu * BigInt(vcpus),
      };
      if (dev.ipa % GICV3.align !== 0n) bad(`${at}.ipa`, `${hex(dev.ipa)} is not 64 KiB aligned (a GICv3 distributor is)`);
      if (dev.redist % GICV3.align !== 0n) bad(`${at}.redist`, `${hex(dev.redist)} is not 64 KiB aligned (GICv3 redistributor frames are)`);
      if (overlaps(dev.ipa, dev.size, dev.redist, dev.redistSize)) {
        bad(`${at}.redist`, `redistributors ${span(dev.redist, dev.redistSize)} (${bytes(GICV3.redistPerVcpu)} for each of ` +
          `${vcpus} vCPU${vcpus === 1 ? "" : "s"}) overlap the distributor (${span(dev.ipa, dev.size)})`);
      }
      return dev;
    }
    const dev: Device = {
      type: "pl011", ipa: parseAddress(d.ipa ?? 0), size: d.size === undefined ? PL011_SIZE : parseSize(d.size), irq: d.irq ?? null,
    };
    if (dev.ipa % PAGE !== 0n) bad(`${at}.ipa`, `${hex(dev.ipa)} is not 4 KiB aligned`);
    if (dev.size === 0n) bad(`${at}.size`, `must not be 0`);
    else if (dev.size % PAGE !== 0n) bad(`${at}.size`, `${hex(dev.size)} is not a multiple of 4 KiB`);
    if (dev.irq !== null && RESERVED_INTIDS[dev.irq]) {
      bad(`${at}.irq`, `INTID ${dev.irq} is ${RESERVED_INTIDS[dev.irq]}; give the device an SPI (32 and up; QEMU virt's UART: 33)`);
    }
    return dev;
  });

  devices.forEach((d, k) => {
    const at = `${vm}.devices[${k}]`;
    for (const w of windows(d)) {
      if (w.size === 0n) continue;
      if (w.base + w.size > IPA_LIMIT) {
        bad(`${at}.${w.field}`, `${w.label} ${span(w.base, w.size)} reaches past the ${LIMITS.ipaBits}-bit IPA space ` +
          `(which ends at ${hex(IPA_LIMIT - 1n)})`);
      }
      memory.forEach((r, j) => {
        if (r.size > 0n && overlaps(w.base, w.size, r.ipa, r.size)) {
          bad(`${at}.${w.field}`, `${w.label} ${span(w.base, w.size)} overlaps ${vm}.memory[${j}] (${span(r.ipa, r.size)})`);
        }
      });
      for (let j = 0; j < k; j++) {
        for (const q of windows(devices[j]!)) {
          if (q.size > 0n && overlaps(w.base, w.size, q.base, q.size)) {
            bad(`${at}.${w.field}`, `overlaps ${windowName(vm, j, q)} (${span(q.base, q.size)})`);
          }
        }
      }
    }
    for (let j = 0; j < k; j++) {
      const q = devices[j]!;
      if (d.irq !== null && d.irq === q.irq) bad(`${at}.irq`, `INTID ${d.irq} is already used by ${vm}.devices[${j}]`);
      if (d.type === "gicv3" && q.type === "gicv3") bad(`${at}.type`, `a VM has at most one gicv3, and ${vm}.devices[${j}] is one already`);
      else if (isGic(d) && isGic(q)) bad(`${at}.type`, `a VM has one interrupt controller, and ${vm}.devices[${j}] is a ${q.type} already`);
    }
  });

  checkVirtioConsoles(devices, vm, bad);
  const records = devices.reduce((n, d) => n + blobRecords(d), 0);
  if (records > LIMITS.devices) {
    bad(`${vm}.devices`, `${devices.length} devices take ${records} records in the config blob (a gicv3 takes two: ` +
      `distributor and redistributors; a gicv2 two: distributor and CPU interface); a VM has at most ${LIMITS.devices}`);
  }
  return devices;
}
