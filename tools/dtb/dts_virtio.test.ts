// The device tree node of a virtio-console (docs/abi.md section 6): virtio_mmio@<ipa>,
// "virtio,mmio", its 0x200-byte window, its SPI level-high, dma-coherent; beside the
// passthrough transport of the management VM in vmconfigs/mixed.json. dtc compiles the
// trees without a warning; the checks read the compiled blob back.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadVmConfig, type ImageResolver } from "../config/index.ts";
import { configData, sandbox, VMCONFIGS } from "../config/test_helpers.ts";
import { buildDeviceTrees } from "./build.ts";
import { decompileDtb } from "./dtc.ts";
import { cellsOf, findNode, parseDts, stringsOf, type DtNode } from "./parse.ts";

const sb = sandbox();
after(() => sb.cleanup());
writeFileSync(join(sb.dir, "guest-rt.bin"), Buffer.alloc(8192, 0x5a));
const resolve: ImageResolver = (name) => (name === "guest-rt.bin" ? join(sb.dir, name) : sb.resolve(name));

/** The compiled device trees of the set in `file`, read back, by VM name. */
function trees(file: string, dir: string): Map<string, DtNode> {
  const set = loadVmConfig(file, sb.board, resolve);
  const out = new Map<string, DtNode>();
  for (const t of buildDeviceTrees(set, sb.board, join(sb.dir, dir))) out.set(t.vm, parseDts(decompileDtb(t.dtb)));
  return out;
}

function node(root: DtNode | undefined, path: string): DtNode {
  const n = root ? findNode(root, path) : undefined;
  assert.ok(n, `no node ${path}`);
  return n;
}
/** A 64-bit value as two cells. */
const u64 = (v: bigint): number[] => [Number(v >> 32n), Number(v & 0xffffffffn)];
const GIC_SPI = 0, EDGE_RISING = 1, LEVEL_HIGH = 4;

describe("virtio-console in the device tree", () => {
  const mixed = trees(join(VMCONFIGS, "mixed.json"), "mixed");

  test("mvm: virtio_mmio@a800000, virtio,mmio, 0x200 bytes, SPI 80 - 32 level-high, dma-coherent", () => {
    const n = node(mixed.get("mvm"), "/virtio_mmio@a800000");
    assert.deepEqual(stringsOf(n.props.get("compatible")), ["virtio,mmio"]);
    assert.deepEqual(cellsOf(n.props.get("reg")), [...u64(0x0a800000n), ...u64(0x200n)]);
    assert.deepEqual(cellsOf(n.props.get("interrupts")), [GIC_SPI, 80 - 32, LEVEL_HIGH]);
    assert.ok(n.props.has("dma-coherent"));
    assert.equal(n.props.get("dma-coherent")!.length, 0);
  });

  test("mvm: the passed-through transport keeps its own node, rising edge as QEMU describes it", () => {
    const n = node(mixed.get("mvm"), "/virtio_mmio@a003e00");
    assert.deepEqual(cellsOf(n.props.get("interrupts")), [GIC_SPI, 79 - 32, EDGE_RISING]);
  });

  test("gvm: its own virtio-console, SPI 81; the rtvm has no device tree", () => {
    const n = node(mixed.get("gvm"), "/virtio_mmio@a800000");
    assert.deepEqual(cellsOf(n.props.get("interrupts")), [GIC_SPI, 81 - 32, LEVEL_HIGH]);
    assert.equal(mixed.get("gvm")!.children.filter((c) => c.name.startsWith("virtio_mmio@")).length, 1);
    assert.equal(mixed.has("rt"), false);
  });

  test("a Linux VM without one has no such node", () => {
    const roots = trees(sb.write(configData("linux")), "plain");
    assert.equal([...roots.values()][0]!.children.some((c) => c.name.startsWith("virtio_mmio@")), false);
  });
});
