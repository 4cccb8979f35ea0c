// The device tree of a Linux VM on the GICv2 board (vmconfigs/linux-gicv2.json): a GIC-400
// style "arm,cortex-a15-gic" node with the distributor and the CPU interface, and timer
// PPIs whose flags carry the CPU mask of the VM's vCPUs. Everything else is as on a GICv3.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadBoard, loadVmConfig } from "../config/index.ts";
import { configData, sandbox, type Json } from "../config/test_helpers.ts";
import { buildDeviceTrees } from "./build.ts";
import { decompileDtb } from "./dtc.ts";
import { ppiFlags } from "./gic_node.ts";
import { cellsOf, findNode, parseDts, stringsOf, type DtNode } from "./parse.ts";

const sb = sandbox();
after(() => sb.cleanup());
const v2 = loadBoard("qemu-virt-gicv2");

let n = 0;
function built(mutate: (d: Json) => void = () => {}): { root: DtNode; dts: string } {
  const d = configData("linux-gicv2");
  mutate(d);
  const set = loadVmConfig(sb.write(d), v2, sb.resolve);
  const [out] = buildDeviceTrees(set, v2, join(sb.dir, `dt2-${n++}`));
  assert.ok(out, "no device tree built");
  return { root: parseDts(decompileDtb(out.dtb)), dts: readFileSync(out.dts, "utf8") };
}

const node = (root: DtNode, path: string): DtNode => {
  const found = findNode(root, path);
  assert.ok(found, `no node ${path}`);
  return found;
};
const cells = (nd: DtNode, p: string): number[] => cellsOf(nd.props.get(p));
const u64 = (v: bigint): number[] => [Number(v >> 32n), Number(v & 0xffffffffn)];

describe("the device tree of vmconfigs/linux-gicv2.json", () => {
  const { root, dts } = built();

  test("intc@8000000: arm,cortex-a15-gic, three interrupt cells, the 4 KiB distributor and the 8 KiB CPU interface", () => {
    const g = node(root, "/intc@8000000");
    assert.deepEqual(stringsOf(g.props.get("compatible")), ["arm,cortex-a15-gic"]);
    assert.deepEqual(cells(g, "#interrupt-cells"), [3]);
    assert.deepEqual(cells(g, "#address-cells"), [0]);
    assert.ok(g.props.has("interrupt-controller"));
    assert.deepEqual(cells(g, "reg"), [...u64(0x08000000n), ...u64(0x1000n), ...u64(0x08010000n), ...u64(0x2000n)]);
    assert.deepEqual(g.children, []);
    assert.deepEqual(cells(root, "interrupt-parent"), cells(g, "phandle"));
    assert.match(dts, /\tgic: intc@8000000 \{\n\t\tcompatible = "arm,cortex-a15-gic";\n\t\t#interrupt-cells = <0x3>;\n\t\t#address-cells = <0x0>;\n\t\tinterrupt-controller;\n\t\treg = <0x0 0x8000000 0x0 0x1000>, <0x0 0x8010000 0x0 0x2000>;\n\t\};\n/);
  });

  test("timer: the four PPIs, level high, wired to both vCPUs' CPU interfaces (0x304)", () => {
    assert.deepEqual(cells(node(root, "/timer"), "interrupts"), [1, 13, 0x304, 1, 14, 0x304, 1, 11, 0x304, 1, 10, 0x304]);
    assert.match(dts, /interrupts = <1 13 0x304>, <1 14 0x304>, <1 11 0x304>, <1 10 0x304>;/);
  });

  test("SPIs carry no CPU mask: the UART is <0 1 4>", () => {
    assert.deepEqual(cells(node(root, "/pl011@9000000"), "interrupts"), [0, 1, 4]);
  });

  test("everything else as on a GICv3: the same nodes in the same order", () => {
    assert.deepEqual(root.children.map((c) => c.name),
      ["chosen", "aliases", "memory@40000000", "cpus", "psci", "timer", "intc@8000000", "apb-pclk", "pl011@9000000"]);
  });
});

describe("GICv2 PPI flags", () => {
  const gic = { type: "gicv2", ipa: 0n, size: 0x1000n, irq: null, cpuif: 0x1000n, cpuifSize: 0x2000n, gicv: 0n } as const;
  test("one bit per vCPU above the trigger: 1 vCPU 0x104, 4 vCPUs 0xf04, 8 vCPUs 0xff04; a GICv3 has none", () => {
    assert.equal(ppiFlags(gic, 1), "0x104");
    assert.equal(ppiFlags(gic, 4), "0xf04");
    assert.equal(ppiFlags(gic, 8), "0xff04");
    assert.equal(ppiFlags({ type: "gicv3", ipa: 0n, size: 0x10000n, irq: null, redist: 0n, redistSize: 0x20000n }, 2), "4");
  });

  test("a VM of four vCPUs on the board gets 0xf04", () => {
    const { root } = built((d) => { d.vms[0].cpus = [0, 1, 2, 3]; d.vms[0].vcpus = 4; });
    assert.deepEqual(cells(node(root, "/timer"), "interrupts").filter((_, i) => i % 3 === 2), [0xf04, 0xf04, 0xf04, 0xf04]);
    assert.deepEqual(cells(node(root, "/intc@8000000"), "reg").slice(4), [...u64(0x08010000n), ...u64(0x2000n)]);
  });
});
