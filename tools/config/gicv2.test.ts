// The gicv2 device type: its defaults, the board it needs, the fields it takes and
// refuses, its checks (each refused with a message naming the file and the field), and
// its two records in the config blob (kinds 4 and 5).
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadVmConfig, loadBoard, encodeBlob, decodeBlob } from "./index.ts";
import { assertError, blobProblems, configData, errorsOf, sandbox, VMCONFIGS, type Json } from "./test_helpers.ts";

const sb = sandbox();
after(() => sb.cleanup());
const v2 = loadBoard("qemu-virt-gicv2");

/** linux-gicv2.json with `mutate` applied, checked for the GICv2 board. */
function load(mutate: (d: Json) => void = () => {}) {
  const d = configData("linux-gicv2");
  mutate(d);
  return loadVmConfig(sb.write(d), v2, sb.resolve);
}

function rejects(mutate: (d: Json) => void, path: string, pattern: RegExp, base = "linux-gicv2", board = v2): void {
  const d = configData(base);
  mutate(d);
  const file = sb.write(d);
  assertError(errorsOf(() => loadVmConfig(file, board, sb.resolve)), file, path, pattern);
}

describe("gicv2", () => {
  test("linux-gicv2.json: the distributor at 0x08000000 (4 KiB), the CPU interface at 0x08010000 (8 KiB) on the board's GICV", () => {
    const set = loadVmConfig(join(VMCONFIGS, "linux-gicv2.json"), { resolveImage: sb.resolve });
    assert.equal(set.board, "qemu-virt-gicv2");
    assert.deepEqual(set.vms[0]!.devices[0], {
      type: "gicv2", ipa: 0x08000000n, size: 0x1000n, irq: null, cpuif: 0x08010000n, cpuifSize: 0x2000n, gicv: 0x08040000n,
    });
  });

  test("{ \"type\": \"gicv2\" } alone takes QEMU virt's places; ipa and cpuif move it", () => {
    let g = load((d) => { d.vms[0].devices[0] = { type: "gicv2" }; }).vms[0]!.devices[0]!;
    assert.ok(g.type === "gicv2" && g.ipa === 0x08000000n && g.cpuif === 0x08010000n);
    g = load((d) => { d.vms[0].devices[0] = { type: "gicv2", ipa: "0x08100000", cpuif: "0x08200000" }; }).vms[0]!.devices[0]!;
    assert.ok(g.type === "gicv2" && g.ipa === 0x08100000n && g.cpuif === 0x08200000n && g.gicv === 0x08040000n);
  });

  test("the blob holds it as two records: kind 4 (distributor, no pa) and kind 5 (CPU interface, pa = the board's GICV)", () => {
    const set = load();
    const blob = encodeBlob(set);
    assert.deepEqual(decodeBlob(blob).vms[0]!.devices.slice(0, 2), [
      { kind: 4, irq: 0, ipa: 0x08000000n, size: 0x1000n, pa: 0n },
      { kind: 5, irq: 0, ipa: 0x08010000n, size: 0x2000n, pa: 0x08040000n },
    ]);
    assert.equal(blob.readUInt32LE(16 + 32), 3);    // device_count counts records
    assert.deepEqual(blobProblems(blob, v2, 3), []);
    assert.notDeepEqual(blobProblems(blob, sb.board, 3), [], "the same records are wrong for a GICv3 board");
  });

  test("a gicv2 needs a GICv2 board, a gicv3 a GICv3 board: refused on the type", () => {
    rejects(() => {}, "vms[0].devices[0].type",
      /^board qemu-virt has a GICv3: a gicv2 needs a GICv2 board with a GICV frame \(board\.json gic\); use \{ "type": "gicv3" \}$/,
      "linux-gicv2", sb.board);
    rejects(() => {}, "vms[0].devices[0].type",
      /^board qemu-virt-gicv2 has a GICv2, which cannot host a virtual GICv3: use \{ "type": "gicv2" \}$/, "linux", v2);
  });

  test("size, irq and redist are not for a gicv2; cpuif is for nothing else", () => {
    rejects((d) => { d.vms[0].devices[0].size = "4K"; }, "vms[0].devices[0].size",
      /^a gicv2 takes no size: its sizes are fixed \(4 KiB distributor, 8 KiB CPU interface\)$/);
    rejects((d) => { d.vms[0].devices[0].irq = 25; }, "vms[0].devices[0].irq",
      /^a gicv2 takes no irq: the interrupt controller raises no interrupt of its own$/);
    rejects((d) => { d.vms[0].devices[0].redist = "0x080a0000"; }, "vms[0].devices[0].redist",
      /^only a gicv3 has redistributors; remove redist from this device$/);
    rejects((d) => { d.vms[0].devices[1].cpuif = "0x08010000"; }, "vms[0].devices[1].cpuif",
      /^only a gicv2 has a CPU interface \(cpuif\); remove it from this device$/);
    rejects((d) => { d.vms[0].devices[0].cpuif = "0x08010000"; }, "vms[0].devices[0].cpuif",
      /^only a gicv2 has a CPU interface \(cpuif\); remove it from this device$/, "linux", sb.board);
  });

  test("4 KiB aligned distributor and CPU interface, apart from each other and from memory", () => {
    rejects((d) => { d.vms[0].devices[0].ipa = "0x08000800"; }, "vms[0].devices[0].ipa", /^0x8000800 is not 4 KiB aligned \(a GICv2 distributor is\)$/);
    rejects((d) => { d.vms[0].devices[0].cpuif = "0x08010800"; }, "vms[0].devices[0].cpuif",
      /^0x8010800 is not 4 KiB aligned \(stage 2 maps the CPU interface by pages\)$/);
    rejects((d) => { d.vms[0].devices[0].cpuif = "0x08000000"; }, "vms[0].devices[0].cpuif",
      /^the CPU interface 0x8000000\.\.0x8001fff overlaps the distributor \(0x8000000\.\.0x8000fff\)$/);
    rejects((d) => { d.vms[0].devices[0].cpuif = "0x4fffe000"; }, "vms[0].devices[0].cpuif",
      /^GICv2 CPU interface 0x4fffe000\.\.0x4fffffff overlaps vms\[0\]\.memory\[0\] \(0x40000000\.\.0x4fffffff\)$/);
    rejects((d) => { d.vms[0].devices[1].ipa = "0x08011000"; }, "vms[0].devices[1].ipa",
      /^overlaps the CPU interface of vms\[0\]\.devices\[0\] \(0x8010000\.\.0x8011fff\)$/);
  });

  test("one interrupt controller per VM, and a gicv2 counts two records", () => {
    rejects((d) => { d.vms[0].devices.push({ type: "gicv2", ipa: "0x08100000", cpuif: "0x08110000" }); }, "vms[0].devices[2].type",
      /^a VM has one interrupt controller, and vms\[0\]\.devices\[0\] is a gicv2 already$/);
    rejects((d) => {
      for (let k = 0; k < 6; k++) d.vms[0].devices.push({ type: "pl011", ipa: `0x0910${k}000` });
    }, "vms[0].devices", /^8 devices take 9 records in the config blob \(a gicv3 takes two: distributor and redistributors; a gicv2 two: distributor and CPU interface\); a VM has at most 8$/);
  });

  test("Linux takes a gicv2 as its interrupt controller", () => {
    assert.ok(load().vms[0]!.linux);
    rejects((d) => { d.vms[0].devices.shift(); }, "vms[0].linux",
      /^Linux needs an interrupt controller: add \{ "type": "gicv3" \} to vms\[0\]\.devices \(\{ "type": "gicv2" \} on a GICv2 board\)$/);
  });

  test("the demo, which has no GIC, is as good on the GICv2 board", () => {
    const set = loadVmConfig(join(VMCONFIGS, "demo.json"), { resolveImage: sb.resolve, boardOverride: "qemu-virt-gicv2" });
    assert.equal(set.vms.length, 2);
    assert.deepEqual(blobProblems(encodeBlob(set), v2, 2), []);
  });
});
