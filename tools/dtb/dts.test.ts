// The device tree made for a Linux VM: dtc compiles it without a warning, and read
// back (dtc -I dtb -O dts, parsed here) it has the nodes and properties an unmodified
// kernel needs, with the values of the VM's config. Same config, same bytes.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadVmConfig, type Vm, type VmSet } from "../config/index.ts";
import { configData, sandbox, INITRD_SIZE, type Json } from "../config/test_helpers.ts";
import { buildDeviceTrees } from "./build.ts";
import { decompileDtb } from "./dtc.ts";
import { deviceTreeSource, dtsString, gicInterrupt } from "./dts.ts";
import { cellsOf, findNode, parseDts, stringsOf, type DtNode } from "./parse.ts";

const sb = sandbox();
after(() => sb.cleanup());

let n = 0;
/** linux.json, changed by `mutate`, loaded; its device trees built into a directory of their own. */
function built(mutate: (d: Json) => void = () => {}): { set: VmSet; vm: Vm; root: DtNode; dts: string; dtb: Buffer } {
  const d = configData("linux");
  mutate(d);
  const set = loadVmConfig(sb.write(d), sb.board, sb.resolve);
  const dir = join(sb.dir, `dt-${n++}`);
  const [out] = buildDeviceTrees(set, sb.board, dir);
  assert.ok(out, "no device tree built");
  const vm = set.vms[0]!;
  return { set, vm, root: parseDts(decompileDtb(out.dtb)), dts: readFileSync(out.dts, "utf8"), dtb: readFileSync(out.dtb) };
}

const node = (root: DtNode, path: string): DtNode => {
  const found = findNode(root, path);
  assert.ok(found, `no node ${path}`);
  return found;
};
const strs = (nd: DtNode, p: string): string[] => stringsOf(nd.props.get(p));
const cells = (nd: DtNode, p: string): number[] => cellsOf(nd.props.get(p));
const phandle = (nd: DtNode): number => {
  const [ph] = cells(nd, "phandle");
  assert.ok(ph, `${nd.name} has no phandle`);
  return ph;
};
/** A 64-bit value as two cells. */
const u64 = (v: bigint): number[] => [Number(v >> 32n), Number(v & 0xffffffffn)];

describe("the device tree of vmconfigs/linux.json", () => {
  const { vm, root, dtb } = built();

  test("root: two address and size cells, linux,dummy-virt, the GIC as interrupt parent", () => {
    assert.deepEqual(cells(root, "#address-cells"), [2]);
    assert.deepEqual(cells(root, "#size-cells"), [2]);
    assert.deepEqual(strs(root, "compatible"), ["linux,dummy-virt"]);
    assert.deepEqual(cells(root, "interrupt-parent"), [phandle(node(root, "/intc@8000000"))]);
    assert.deepEqual(strs(root, "model"), ["wasmvisor qemu-virt vm linux"]);
  });

  test("memory@40000000: the VM's 256 MiB at its IPA", () => {
    const m = node(root, "/memory@40000000");
    assert.deepEqual(strs(m, "device_type"), ["memory"]);
    assert.deepEqual(cells(m, "reg"), [...u64(0x40000000n), ...u64(0x10000000n)]);
    assert.equal(root.children.filter((c) => c.name.startsWith("memory@")).length, 1);
  });

  test("cpus: one cpu@N per vCPU, reg N, PSCI", () => {
    const c = node(root, "/cpus");
    assert.deepEqual(cells(c, "#address-cells"), [1]);
    assert.deepEqual(cells(c, "#size-cells"), [0]);
    assert.deepEqual(c.children.map((x) => x.name), ["cpu@0", "cpu@1"]);
    c.children.forEach((cpu, i) => {
      assert.deepEqual(strs(cpu, "device_type"), ["cpu"]);
      assert.deepEqual(strs(cpu, "compatible"), ["arm,cortex-a72"]);
      assert.deepEqual(cells(cpu, "reg"), [i]);
      assert.deepEqual(strs(cpu, "enable-method"), ["psci"]);
    });
  });

  test("psci: 1.0 and 0.2, through HVC", () => {
    const p = node(root, "/psci");
    assert.deepEqual(strs(p, "compatible"), ["arm,psci-1.0", "arm,psci-0.2"]);
    assert.deepEqual(strs(p, "method"), ["hvc"]);
  });

  test("timer: secure, non-secure physical, virtual and hypervisor PPIs, level high, always on", () => {
    const t = node(root, "/timer");
    assert.deepEqual(strs(t, "compatible"), ["arm,armv8-timer"]);
    assert.deepEqual(cells(t, "interrupts"), [1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4]);
    assert.ok(t.props.has("always-on"));
  });

  test("intc@8000000: a GICv3 with its distributor and two vCPUs' redistributors, no ITS", () => {
    const g = node(root, "/intc@8000000");
    assert.deepEqual(strs(g, "compatible"), ["arm,gic-v3"]);
    assert.deepEqual(cells(g, "#interrupt-cells"), [3]);
    assert.ok(g.props.has("interrupt-controller"));
    assert.deepEqual(cells(g, "reg"), [...u64(0x08000000n), ...u64(0x10000n), ...u64(0x080a0000n), ...u64(0x40000n)]);
    assert.deepEqual(g.children, []);
  });

  test("apb-pclk and pl011@9000000: the UART at its IPA, SPI 1 (INTID 33), clocked by the 24 MHz clock", () => {
    const clk = node(root, "/apb-pclk");
    assert.deepEqual(strs(clk, "compatible"), ["fixed-clock"]);
    assert.deepEqual(cells(clk, "#clock-cells"), [0]);
    assert.deepEqual(cells(clk, "clock-frequency"), [24_000_000]);
    const u = node(root, "/pl011@9000000");
    assert.deepEqual(strs(u, "compatible"), ["arm,pl011", "arm,primecell"]);
    assert.deepEqual(cells(u, "reg"), [...u64(0x09000000n), ...u64(0x1000n)]);
    assert.deepEqual(cells(u, "interrupts"), [0, 1, 4]);
    assert.deepEqual(cells(u, "clocks"), [phandle(clk), phandle(clk)]);
    assert.deepEqual(strs(u, "clock-names"), ["uartclk", "apb_pclk"]);
  });

  test("chosen: bootargs, stdout-path to the UART, the initrd's first and after-last byte", () => {
    const c = node(root, "/chosen");
    assert.deepEqual(strs(c, "bootargs"), ["console=ttyAMA0 earlycon=pl011,0x09000000 rdinit=/init wv.workload=counter"]);
    assert.deepEqual(strs(c, "stdout-path"), ["/pl011@9000000"]);
    const initrd = vm.linux!.initrd!;
    assert.equal(initrd.size, INITRD_SIZE);
    assert.deepEqual(cells(c, "linux,initrd-start"), u64(initrd.ipa));
    assert.deepEqual(cells(c, "linux,initrd-end"), u64(initrd.ipa + BigInt(INITRD_SIZE)));
    assert.deepEqual(strs(node(root, "/aliases"), "serial0"), ["/pl011@9000000"]);
  });

  test("nothing else: the nodes are exactly these", () => {
    assert.deepEqual(root.children.map((c) => c.name),
      ["chosen", "aliases", "memory@40000000", "cpus", "psci", "timer", "intc@8000000", "apb-pclk", "pl011@9000000"]);
  });

  test("the VM's generated image is the .dtb, sized, within the room kept for it", () => {
    const im = vm.linux!.dtb;
    assert.equal(im.size, dtb.length);
    assert.ok(BigInt(dtb.length) <= im.extent!);
    assert.equal(dtb.readUInt32BE(0), 0xd00dfeed, "FDT magic");
    assert.ok(vm.images.includes(im));
  });

  test("deterministic: the same config gives the same text and bytes", () => {
    const again = built();
    assert.ok(again.dtb.equals(dtb));
    assert.equal(deviceTreeSource(again.vm, sb.board), deviceTreeSource(vm, sb.board));
  });
});

describe("device trees of other VMs", () => {
  test("4 vCPUs: four cpu nodes and 512 KiB of redistributors", () => {
    const { root } = built((d) => { d.vms[0].cpus = [0, 1, 2, 3]; d.vms[0].vcpus = 4; });
    assert.deepEqual(node(root, "/cpus").children.map((c) => c.name), ["cpu@0", "cpu@1", "cpu@2", "cpu@3"]);
    assert.deepEqual(cells(node(root, "/intc@8000000"), "reg").slice(4), [...u64(0x080a0000n), ...u64(0x80000n)]);
  });

  test("a GIC and a UART elsewhere, a PPI and an SPI, two UARTs: nodes named by address, serialN in order", () => {
    const { root } = built((d) => {
      d.vms[0].devices = [
        { type: "pl011", ipa: "0x09100000", irq: 40 },
        { type: "gicv3", ipa: "0x08100000", redist: "0x08200000" },
        { type: "pl011", ipa: "0x09000000", irq: 23 },
      ];
    });
    assert.deepEqual(cells(node(root, "/pl011@9100000"), "interrupts"), [0, 8, 4]);
    assert.deepEqual(cells(node(root, "/pl011@9000000"), "interrupts"), [1, 7, 4]);
    assert.deepEqual(cells(node(root, "/intc@8100000"), "reg"), [...u64(0x08100000n), ...u64(0x10000n), ...u64(0x08200000n), ...u64(0x40000n)]);
    assert.deepEqual(strs(node(root, "/chosen"), "stdout-path"), ["/pl011@9100000"]);
    assert.deepEqual(strs(node(root, "/aliases"), "serial1"), ["/pl011@9000000"]);
  });

  test("no initrd: no initrd properties; bootargs with quotes and backslashes survive", () => {
    const args = 'console=ttyAMA0 x="a b" y=c\\d';
    const { root } = built((d) => { delete d.vms[0].linux.initrd; d.vms[0].linux.bootargs = args; });
    const c = node(root, "/chosen");
    assert.ok(!c.props.has("linux,initrd-start") && !c.props.has("linux,initrd-end"));
    assert.deepEqual(strs(c, "bootargs"), [args]);
  });

  test("two regions: each rwx one is a memory node; a region Linux cannot execute from is left out", () => {
    const { root } = built((d) => {
      d.vms[0].memory.push({ ipa: "0x80000000", pa: "0x60000000", size: "64M" });
      d.vms[0].memory.push({ ipa: "0xc0000000", pa: "0x64000000", size: "16M", access: "rw" });
    });
    assert.deepEqual(root.children.filter((c) => c.name.startsWith("memory@")).map((c) => c.name), ["memory@40000000", "memory@80000000"]);
    assert.deepEqual(cells(node(root, "/memory@80000000"), "reg"), [...u64(0x80000000n), ...u64(0x4000000n)]);
  });

  test("a board QEMU runs with another CPU gets the generic armv8 compatible", () => {
    const { vm } = built();
    const text = deviceTreeSource(vm, { ...sb.board, qemu: ["-M", "virt", "-cpu", "max"] });
    assert.match(text, /compatible = "arm,armv8";/);
  });
});

test("a passthrough frame's virtio-mmio transport: a virtio_mmio node at the frame's IPA plus its offset, its SPI rising edge, DMA coherent", () => {
  const { root, dts } = built((d) => {
    d.vms[0].type = "mvm";
    d.vms[0].memory[0].ipa = d.vms[0].memory[0].pa;
    d.vms[0].devices.push({ type: "passthrough", pa: "0x0a003000", irq: 79, virtio_mmio: [{ offset: "0xe00" }] });
  });
  const v = node(root, "/virtio_mmio@a003e00");
  assert.deepEqual(strs(v, "compatible"), ["virtio,mmio"]);
  assert.deepEqual(cells(v, "reg"), [...u64(0x0a003e00n), ...u64(0x200n)]);
  assert.deepEqual(cells(v, "interrupts"), [0, 47, 1]);
  assert.equal(v.props.get("dma-coherent")?.length, 0);
  assert.equal(root.children.filter((c) => c.name.startsWith("virtio_mmio@")).length, 1, "one node per transport named, not per page");
  assert.ok(dts.indexOf("virtio_mmio@") > dts.indexOf("pl011@"), "after the UARTs");
  // A frame without transports (no virtio) gets no node: the tools know nothing else to describe.
  const plain = built((d) => { d.vms[0].devices.push({ type: "passthrough", pa: "0x09010000", irq: 34 }); });
  assert.ok(!plain.dts.includes("virtio_mmio@"));
});

test("helpers: DTS strings and GIC interrupt specifiers", () => {
  assert.equal(dtsString('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(gicInterrupt(33), "0 1 4");
  assert.equal(gicInterrupt(16), "1 0 4");
  assert.equal(gicInterrupt(1019), "0 987 4");
});

test("the parser reads what dtc prints: cells, strings, byte lists, empty properties, nested nodes", () => {
  const root = parseDts(`/dts-v1/;\n/memreserve/ 0x0 0x1000;\n/ {\n\ta = <0x01 0x02>;\n\tb = "x\\0y", "z";\n\tc = [00 ff];\n` +
    `\td;\n\tn@1 {\n\t\te = <0x03>;\n\t};\n};\n`);
  assert.deepEqual(cellsOf(root.props.get("a")), [1, 2]);
  assert.deepEqual(stringsOf(root.props.get("b")), ["x", "y", "z"]);
  assert.deepEqual([...root.props.get("c")!], [0, 255]);
  assert.equal(root.props.get("d")!.length, 0);
  assert.deepEqual(cellsOf(findNode(root, "/n@1")!.props.get("e")), [3]);
});
