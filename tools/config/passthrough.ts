// Passthrough devices (docs/abi.md 1, device kind 6): a frame of the board's MMIO that
// a VM gets as it is, mapped by stage 2 as Device memory, with its SPI. Stage 2 maps
// whole 4 KiB pages, so a frame is whole pages: passing one 0x200-byte virtio-mmio
// transport of QEMU virt passes the page that holds it, with the other transports in
// that page. Checked here: the frame against the board (inside its passthrough window,
// never one of the hypervisor's own devices), its SPI, the virtio-mmio transports it
// names for the device tree, and, for a device that does DMA, that its VM is the
// management VM and identity-mapped (without an SMMU the device sees physical
// addresses, which are the guest's only when IPA = PA).
import type { BoardDescription, Device, PassthroughDevice, Region, VirtioMmioTransport, Vm } from "./types.ts";
import { PAGE } from "./limits.ts";
import { bytes, hex, inside, overlaps, parseAddress, parseSize, span } from "./values.ts";

type Address = number | string;
export interface RawPassthrough {
  type: "passthrough";
  pa: Address;
  ipa?: Address;
  size?: Address;
  irq: number | null;
  virtio_mmio?: { offset: Address; irq?: number }[];
  dma?: boolean;
}

/** A passthrough frame's default size: one page. */
export const PASSTHROUGH_SIZE = PAGE;
/** A virtio-mmio transport's register window when the board does not say (QEMU's). */
export const VIRTIO_MMIO_SIZE = 0x200n;
/** The virtual GIC has INTIDs 0..255 (docs/abi.md 4): a passed-through SPI keeps its number. */
export const MAX_VGIC_INTID = 255;

type Bad = (path: string, message: string) => void;

/** Build a passthrough device from its (schema-valid) description; `at` is "vms[i].devices[k]". */
export function buildPassthrough(d: RawPassthrough, at: string, board: BoardDescription, bad: Bad): PassthroughDevice {
  const pa = parseAddress(d.pa);
  const dev: PassthroughDevice = {
    type: "passthrough", pa, ipa: d.ipa === undefined ? pa : parseAddress(d.ipa),
    size: d.size === undefined ? PASSTHROUGH_SIZE : parseSize(d.size), irq: d.irq ?? null, virtioMmio: [],
    dma: d.dma ?? (d.virtio_mmio ?? []).length > 0,
  };
  if (dev.pa % PAGE !== 0n) bad(`${at}.pa`, `${hex(dev.pa)} is not 4 KiB aligned (stage 2 maps whole pages: give the page that holds the device)`);
  if (dev.ipa % PAGE !== 0n) bad(`${at}.ipa`, `${hex(dev.ipa)} is not 4 KiB aligned`);
  if (dev.size === 0n) bad(`${at}.size`, `must not be 0`);
  else if (dev.size % PAGE !== 0n) bad(`${at}.size`, `${hex(dev.size)} is not a multiple of 4 KiB (stage 2 maps whole pages)`);
  if (dev.irq !== null && dev.irq < 32) {
    bad(`${at}.irq`, `INTID ${dev.irq} is no SPI: a physical device's interrupt is an SPI (32 and up; QEMU virt's virtio-mmio ` +
      `transport n: 48 + n)`);
  } else if (dev.irq !== null && board.passthrough?.reserved.some((r) => r.intid === dev.irq)) {
    const own = board.passthrough.reserved.find((r) => r.intid === dev.irq)!;
    bad(`${at}.irq`, `INTID ${dev.irq} is the interrupt of ${own.name}, which the hypervisor keeps for itself`);
  } else if (dev.irq !== null && dev.irq > MAX_VGIC_INTID) {
    bad(`${at}.irq`, `INTID ${dev.irq} is above ${MAX_VGIC_INTID}, the last INTID of the virtual GIC (a passed-through SPI keeps its number)`);
  }
  if (d.dma === false && (d.virtio_mmio ?? []).length > 0) {
    bad(`${at}.dma`, `false, but the frame holds virtio-mmio transports, and a virtio device always reads and writes its queues in memory by DMA`);
  }
  checkFrame(dev, at, board, bad);
  dev.virtioMmio = transports(d, dev, at, board, bad);
  return dev;
}

/** The frame against the board: its passthrough window, and not the hypervisor's own devices. */
function checkFrame(dev: PassthroughDevice, at: string, board: BoardDescription, bad: Bad): void {
  const p = board.passthrough;
  if (!p) {
    bad(`${at}.type`, `board ${board.name} lets no device be passed through (its board.json has no "passthrough" window)`);
    return;
  }
  if (dev.size === 0n) return;
  const own = p.reserved.find((r) => overlaps(dev.pa, dev.size, r.base, r.size));
  if (own) {
    bad(`${at}.pa`, `${span(dev.pa, dev.size)} takes ${own.name} (${span(own.base, own.size)}), which the hypervisor keeps for itself`);
  } else if (!inside(dev.pa, dev.size, p.window.base, p.window.size)) {
    bad(`${at}.pa`, `${span(dev.pa, dev.size)} is outside the passthrough window of ${board.name} (${span(p.window.base, p.window.size)})`);
  }
}

/** The virtio-mmio transports a frame holds, checked against the frame, its SPI and the board. */
function transports(d: RawPassthrough, dev: PassthroughDevice, at: string, board: BoardDescription, bad: Bad): VirtioMmioTransport[] {
  const raw = d.virtio_mmio ?? [];
  const layout = board.passthrough?.virtioMmio ?? null;
  const size = layout?.size ?? VIRTIO_MMIO_SIZE;
  const out: VirtioMmioTransport[] = [];
  if (raw.length > 0 && dev.irq === null) {
    bad(`${at}.irq`, `null, but the frame holds virtio-mmio transports: give the SPI of the transport the VM uses`);
  }
  raw.forEach((t, k) => {
    const where = `${at}.virtio_mmio[${k}]`;
    const offset = parseAddress(t.offset);
    if (offset % size !== 0n || offset + size > dev.size) {
      bad(`${where}.offset`, `${hex(offset)} is not the offset of a ${bytes(size)} transport inside the ${bytes(dev.size)} frame ` +
        `(a multiple of ${hex(size)} below ${hex(dev.size)})`);
      return;
    }
    const pa = dev.pa + offset;
    // The board says which INTID each of its transports raises.
    let boardIrq: number | null = null;
    if (layout) {
      const n = (pa - layout.base) / layout.size;
      if (pa < layout.base || (pa - layout.base) % layout.size !== 0n || n >= BigInt(layout.count)) {
        bad(`${where}.offset`, `${hex(pa)} is not a virtio-mmio transport of ${board.name} (${layout.count} of ${hex(layout.size)} ` +
          `bytes from ${hex(layout.base)})`);
        return;
      }
      boardIrq = layout.intid + Number(n);
      if (t.irq !== undefined && t.irq !== boardIrq) {
        bad(`${where}.irq`, `INTID ${t.irq}, but the transport at ${hex(pa)} (transport ${n} of ${board.name}) raises INTID ${boardIrq}`);
        return;
      }
    }
    const irq = t.irq ?? boardIrq ?? dev.irq;
    if (irq === null) return;
    if (dev.irq !== null && irq !== dev.irq) {
      bad(t.irq !== undefined ? `${where}.irq` : `${at}.irq`, `the transport at ${hex(pa)} raises INTID ${irq}, but the frame's ` +
        `SPI is ${dev.irq}: a passthrough frame brings one SPI to its VM, so it can serve only the transport that raises it`);
      return;
    }
    if (out.some((q) => q.offset === offset)) {
      bad(`${where}.offset`, `${hex(offset)} is named twice`);
      return;
    }
    out.push({ offset, size, irq });
  });
  return out;
}

/**
 * A device that does DMA reads and writes physical memory at the addresses its driver
 * gives it, which are guest-physical addresses: without an SMMU that works only when
 * the VM's memory is identity-mapped (IPA = PA), and since it reaches all memory, only
 * the management VM may own one. `at` is "vms[i]".
 */
export function checkDma(type: string, memory: readonly Region[], devices: readonly Device[], at: string, bad: Bad): void {
  const k = devices.findIndex((d) => d.type === "passthrough" && d.dma);
  if (k < 0) return;
  const why = `${at}.devices[${k}] is a device that does DMA (virtio does), with guest-physical addresses and no SMMU`;
  if (type !== "mvm") {
    bad(`${at}.type`, `"${type}", but ${why}: it reaches all physical memory, so only the management VM (type "mvm") may have it`);
  }
  memory.forEach((r, j) => {
    if (r.ipa !== r.pa) {
      bad(`${at}.memory[${j}].ipa`, `${hex(r.ipa)} is not the region's pa (${hex(r.pa)}), but ${why}: the VM's memory must be ` +
        `identity-mapped (ipa = pa) for the device to find it`);
    }
  });
}

/**
 * Between VMs: a device frame, and its SPI, belong to one VM; and a VM that owns an SPI
 * keeps its CPUs to itself, since the SPI arrives on one of them and would otherwise
 * reach whichever VM's vCPU runs there at the time.
 */
export function checkFramesAcross(vms: readonly Vm[], bad: Bad): void {
  const frames = vms.flatMap((v) => v.devices.flatMap((dev, k) => dev.type === "passthrough" ? [{ v, k, dev }] : []));
  frames.forEach((f, n) => {
    for (let m = 0; m < n; m++) {
      const q = frames[m]!;
      if (q.v === f.v) continue;
      const at = `vms[${f.v.index}].devices[${f.k}]`, other = `vms[${q.v.index}].devices[${q.k}] ("${q.v.name}")`;
      if (f.dev.size > 0n && q.dev.size > 0n && overlaps(f.dev.pa, f.dev.size, q.dev.pa, q.dev.size)) {
        bad(`${at}.pa`, `${span(f.dev.pa, f.dev.size)} overlaps ${other} (${span(q.dev.pa, q.dev.size)}): a device frame belongs to one VM`);
      }
      if (f.dev.irq !== null && f.dev.irq === q.dev.irq) {
        bad(`${at}.irq`, `SPI ${f.dev.irq} is already passed to ${other}: a physical interrupt belongs to one VM`);
      }
    }
  });
  for (const owner of vms) {
    const k = owner.devices.findIndex((d) => d.type === "passthrough" && d.irq !== null);
    if (k < 0) continue;
    for (const v of vms) {
      if (v === owner) continue;
      v.cpus.forEach((c, j) => {
        if (!owner.cpus.includes(c)) return;
        bad(`vms[${v.index}].cpus[${j}]`, `CPU ${c} is also given to vms[${owner.index}] ("${owner.name}"), which owns the SPI of ` +
          `vms[${owner.index}].devices[${k}]: its CPUs cannot be shared (the interrupt would reach whichever VM runs there)`);
      });
    }
  }
}
