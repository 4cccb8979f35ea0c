// The device tree a Linux VM (or a VM with a kernel section) boots with, as DTS text: what QEMU's virt machine would
// describe for the VM's own memory, vCPUs and devices, so an unmodified kernel needs
// nothing else. Nodes: / (linux,dummy-virt), chosen (bootargs, stdout-path, initrd),
// aliases (serialN), memory@ per "rwx" region, cpus (PSCI enable-method), psci (hvc),
// timer (the four architected timer PPIs), the GIC (GICv3 without ITS, or GICv2 as a
// GIC-400: no child nodes, #address-cells 0; gic_node.ts), the 24 MHz apb-pclk,
// one pl011@ per UART, one virtio_mmio@ per virtio-mmio transport of a passthrough
// frame and one for the virtio-console the hypervisor emulates. Node and property order
// is fixed: the same VM gives the same text.
import type { BoardDescription, PassthroughDevice, Pl011Device, VirtioConsoleDevice, Vm } from "../config/index.ts";
import { bootTree } from "../config/index.ts";
import { isLinuxRam } from "../config/linux.ts";
import { gicProperties, ppiFlags, type VmGic } from "./gic_node.ts";

/** GIC interrupt specifier: type (0 SPI, 1 PPI), number, flags (1: rising edge, 4: level high). */
const GIC_SPI = 0, GIC_PPI = 1, IRQ_EDGE_RISING = 1, IRQ_LEVEL_HIGH = 4;
/** The architected timer's PPIs in the order the binding lists them: secure, non-secure physical, virtual, hypervisor. */
export const TIMER_PPIS = [13, 14, 11, 10] as const;
export const APB_PCLK_HZ = 24_000_000;

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/** A 64-bit value as two cells. */
function u64Cells(v: bigint): string {
  return `${hex(v >> 32n)} ${hex(v & 0xffffffffn)}`;
}

/** "<addr size>" with #address-cells = #size-cells = 2. */
function regCells(base: bigint, size: bigint): string {
  return `<${u64Cells(base)} ${u64Cells(size)}>`;
}

/** A DTS string literal. */
export function dtsString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The three cells of a GIC interrupt specifier for INTID `intid` (a PPI 16..31 or an SPI 32..1019). */
export function gicInterrupt(intid: number): string {
  return intid < 32 ? `${GIC_PPI} ${intid - 16} ${IRQ_LEVEL_HIGH}` : `${GIC_SPI} ${intid - 32} ${IRQ_LEVEL_HIGH}`;
}

/** The CPU compatible: the core QEMU emulates for the board ("-cpu cortex-a72"), else the generic one. */
export function cpuCompatible(board: BoardDescription): string {
  const i = board.qemu.indexOf("-cpu");
  const cpu = i >= 0 ? board.qemu[i + 1] ?? "" : "";
  return /^cortex-a[0-9]+$/.test(cpu) ? `arm,${cpu}` : "arm,armv8";
}

const unit = (v: bigint): string => v.toString(16);

/** The DTS text for `vm` (which must have a linux or kernel section and a gicv3 or gicv2) on `board`. */
export function deviceTreeSource(vm: Vm, board: BoardDescription): string {
  const linux = bootTree(vm);
  if (!linux) throw new Error(`vm ${vm.name} has no linux or kernel section: no device tree to make`);
  const gic = vm.devices.find((d): d is VmGic => d.type === "gicv3" || d.type === "gicv2");
  if (!gic) throw new Error(`vm ${vm.name} has no GIC (gicv3 or gicv2): Linux needs one`);
  const uarts = vm.devices.filter((d): d is Pl011Device => d.type === "pl011");
  const uartPath = (u: Pl011Device): string => `/pl011@${unit(u.ipa)}`;

  const out: string[] = [];
  const line = (depth: number, text: string): void => { out.push(text ? `${"\t".repeat(depth)}${text}` : ""); };

  line(0, "/dts-v1/;");
  line(0, "");
  line(0, "/ {");
  line(1, `model = ${dtsString(`wasmvisor ${board.name} vm ${vm.name}`)};`);
  line(1, `compatible = "linux,dummy-virt";`);
  line(1, "#address-cells = <0x2>;");
  line(1, "#size-cells = <0x2>;");
  line(1, "interrupt-parent = <&gic>;");

  line(1, "");
  line(1, "chosen {");
  line(2, `bootargs = ${dtsString(linux.bootargs)};`);
  if (uarts[0]) line(2, `stdout-path = ${dtsString(uartPath(uarts[0]))};`);
  if (linux.initrd) {
    line(2, `linux,initrd-start = <${u64Cells(linux.initrd.ipa)}>;`);
    line(2, `linux,initrd-end = <${u64Cells(linux.initrd.ipa + BigInt(linux.initrd.size))}>;`);
  }
  line(1, "};");

  if (uarts.length) {
    line(1, "");
    line(1, "aliases {");
    uarts.forEach((u, k) => line(2, `serial${k} = ${dtsString(uartPath(u))};`));
    line(1, "};");
  }

  for (const r of vm.memory.filter(isLinuxRam)) {
    line(1, "");
    line(1, `memory@${unit(r.ipa)} {`);
    line(2, `device_type = "memory";`);
    line(2, `reg = ${regCells(r.ipa, r.size)};`);
    line(1, "};");
  }

  line(1, "");
  line(1, "cpus {");
  line(2, "#address-cells = <0x1>;");
  line(2, "#size-cells = <0x0>;");
  for (let n = 0; n < vm.vcpus; n++) {
    line(2, "");
    line(2, `cpu@${n.toString(16)} {`);
    line(3, `device_type = "cpu";`);
    line(3, `compatible = ${dtsString(cpuCompatible(board))};`);
    line(3, `reg = <${hex(n)}>;`);
    line(3, `enable-method = "psci";`);
    line(2, "};");
  }
  line(1, "};");

  line(1, "");
  line(1, "psci {");
  line(2, `compatible = "arm,psci-1.0", "arm,psci-0.2";`);
  line(2, `method = "hvc";`);
  line(1, "};");

  line(1, "");
  line(1, "timer {");
  line(2, `compatible = "arm,armv8-timer";`);
  line(2, `interrupts = ${TIMER_PPIS.map((p) => `<${GIC_PPI} ${p} ${ppiFlags(gic, vm.vcpus)}>`).join(", ")};`);
  line(2, "always-on;");
  line(1, "};");

  line(1, "");
  line(1, `gic: intc@${unit(gic.ipa)} {`);
  for (const p of gicProperties(gic)) line(2, p);
  line(1, "};");

  if (uarts.length) {
    line(1, "");
    line(1, "apb_pclk: apb-pclk {");
    line(2, `compatible = "fixed-clock";`);
    line(2, "#clock-cells = <0x0>;");
    line(2, `clock-frequency = <${APB_PCLK_HZ}>;`);
    line(2, `clock-output-names = "clk24mhz";`);
    line(1, "};");
  }

  for (const u of uarts) {
    line(1, "");
    line(1, `pl011@${unit(u.ipa)} {`);
    line(2, `compatible = "arm,pl011", "arm,primecell";`);
    line(2, `reg = ${regCells(u.ipa, u.size)};`);
    if (u.irq !== null) line(2, `interrupts = <${gicInterrupt(u.irq)}>;`);
    line(2, "clocks = <&apb_pclk>, <&apb_pclk>;");
    line(2, `clock-names = "uartclk", "apb_pclk";`);
    line(1, "};");
  }

  // virtio-mmio transports of passthrough frames, as QEMU virt describes its own (rising edge, DMA coherent).
  for (const d of vm.devices.filter((x): x is PassthroughDevice => x.type === "passthrough")) {
    for (const t of d.virtioMmio) {
      line(1, "");
      line(1, `virtio_mmio@${unit(d.ipa + t.offset)} {`);
      line(2, `compatible = "virtio,mmio";`);
      line(2, `reg = ${regCells(d.ipa + t.offset, t.size)};`);
      line(2, `interrupts = <${GIC_SPI} ${t.irq - 32} ${IRQ_EDGE_RISING}>;`);
      line(2, "dma-coherent;");
      line(1, "};");
    }
  }

  // The virtio-console the core emulates (docs/abi.md section 6): its SPI is a level, high
  // while InterruptStatus is not 0; the device reaches guest memory through the
  // hypervisor, which keeps caches coherent with what the guest sees.
  for (const d of vm.devices.filter((x): x is VirtioConsoleDevice => x.type === "virtio-console")) {
    line(1, "");
    line(1, `virtio_mmio@${unit(d.ipa)} {`);
    line(2, `compatible = "virtio,mmio";`);
    line(2, `reg = ${regCells(d.ipa, d.size)};`);
    line(2, `interrupts = <${gicInterrupt(d.irq)}>;`);
    line(2, "dma-coherent;");
    line(1, "};");
  }

  line(0, "};");
  return out.join("\n") + "\n";
}
