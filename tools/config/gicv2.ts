// The gicv2 device type: a virtual GICv2 as a GIC-400 board hosts it. Its distributor
// (4 KiB, emulated by the core) and its CPU interface (8 KiB: the board's GICV frame,
// which stage 2 maps where the guest expects GICC) are two records in the config blob,
// kinds 4 and 5 (docs/abi.md 1). Defaults: QEMU virt's GICD and GICC addresses.
// A board gives its VMs the GIC version it has (board.json "gic"): a gicv2 on a GICv3
// board, or a gicv3 on a GICv2 board, is refused on the device's type.
import type { BoardDescription, GicV2Device } from "./types.ts";
import { hex, overlaps, parseAddress, span } from "./values.ts";

type Address = number | string;
export interface RawGicV2 {
  type: "gicv2";
  ipa?: Address;
  cpuif?: Address;
}

/** A GICv2 as QEMU virt places it; the sizes of a GIC-400's distributor and virtual CPU interface. */
export const GICV2 = {
  ipa: 0x08000000n,
  size: 0x1000n,
  cpuif: 0x08010000n,
  /** GICV: 8 KiB, its second page holding GICV_DIR (offset 0x1000 in the IHI 0048B virtual CPU interface map). */
  cpuifSize: 0x2000n,
  /** The frames are mapped (CPU interface) or trapped (distributor) page by page. */
  align: 0x1000n,
} as const;

type Bad = (path: string, message: string) => void;

/** Refuse a GIC of `type` at `at` that `board`'s interrupt controller cannot host. */
export function checkGicVersion(type: "gicv2" | "gicv3", at: string, board: BoardDescription, bad: Bad): void {
  const want = type === "gicv2" ? 2 : 3;
  if (board.gic.version === want) return;
  bad(`${at}.type`, board.gic.version === 2
    ? `board ${board.name} has a GICv2, which cannot host a virtual GICv3: use { "type": "gicv2" }`
    : `board ${board.name} has a GICv3: a gicv2 needs a GICv2 board with a GICV frame (board.json gic); use { "type": "gicv3" }`);
}

/** Build a gicv2 from its (schema-valid) description `d` at `at`, checking it alone. */
export function buildGicV2(d: RawGicV2, at: string, board: BoardDescription, bad: Bad): GicV2Device {
  checkGicVersion("gicv2", at, board, bad);
  const dev: GicV2Device = {
    type: "gicv2", ipa: d.ipa === undefined ? GICV2.ipa : parseAddress(d.ipa), size: GICV2.size, irq: null,
    cpuif: d.cpuif === undefined ? GICV2.cpuif : parseAddress(d.cpuif), cpuifSize: GICV2.cpuifSize,
    gicv: board.gic.version === 2 ? board.gic.gicv : 0n,
  };
  if (dev.ipa % GICV2.align !== 0n) bad(`${at}.ipa`, `${hex(dev.ipa)} is not 4 KiB aligned (a GICv2 distributor is)`);
  if (dev.cpuif % GICV2.align !== 0n) bad(`${at}.cpuif`, `${hex(dev.cpuif)} is not 4 KiB aligned (stage 2 maps the CPU interface by pages)`);
  if (overlaps(dev.ipa, dev.size, dev.cpuif, dev.cpuifSize)) {
    bad(`${at}.cpuif`, `the CPU interface ${span(dev.cpuif, dev.cpuifSize)} overlaps the distributor (${span(dev.ipa, dev.size)})`);
  }
  return dev;
}
