// The interrupt controller of a Linux VM's device tree, and the flags of its PPI
// specifiers. Bindings: Documentation/devicetree/bindings/interrupt-controller/
// arm,gic-v3.yaml ("arm,gic-v3": reg = distributor, redistributor range; no ITS here, so
// no child nodes) and arm,gic.yaml ("arm,cortex-a15-gic", the GIC-400's binding: reg =
// distributor, CPU interface). Both take three interrupt cells: type, number, flags; a
// GICv2 PPI's flags also carry, in bits [15:8], the CPU interfaces it is wired to.
import type { GicV2Device, GicV3Device } from "../config/index.ts";

export type VmGic = GicV3Device | GicV2Device;

/** Flags cell: level-high trigger. */
const IRQ_LEVEL_HIGH = 4;
/** GICv2 PPI flags: bit 8 + n for CPU interface n. */
const PPI_CPU_MASK_SHIFT = 8;
/** A GICv2 has at most 8 CPU interfaces. */
const GICV2_MAX_CPUS = 8;

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/** "<addr size>" with #address-cells = #size-cells = 2. */
function regCells(base: bigint, size: bigint): string {
  const cells = (v: bigint): string => `${hex(v >> 32n)} ${hex(v & 0xffffffffn)}`;
  return `<${cells(base)} ${cells(size)}>`;
}

/**
 * The flags cell of a level-high PPI wired to every vCPU: 4 on a GICv3; on a GICv2 the
 * CPU mask of `vcpus` interfaces too (2 vCPUs: 0x304), as QEMU virt writes its timer.
 */
export function ppiFlags(gic: VmGic, vcpus: number): string {
  if (gic.type === "gicv3") return String(IRQ_LEVEL_HIGH);
  const mask = (1 << Math.min(vcpus, GICV2_MAX_CPUS)) - 1;
  return hex((mask << PPI_CPU_MASK_SHIFT) | IRQ_LEVEL_HIGH);
}

/** The GIC node's properties (after its opening line `gic: intc@<ipa> {`), in a fixed order. */
export function gicProperties(gic: VmGic): string[] {
  const compatible = gic.type === "gicv3" ? "arm,gic-v3" : "arm,cortex-a15-gic";
  const second = gic.type === "gicv3" ? regCells(gic.redist, gic.redistSize) : regCells(gic.cpuif, gic.cpuifSize);
  return [
    `compatible = "${compatible}";`,
    "#interrupt-cells = <0x3>;",
    "#address-cells = <0x0>;",
    "interrupt-controller;",
    `reg = ${regCells(gic.ipa, gic.size)}, ${second};`,
  ];
}
