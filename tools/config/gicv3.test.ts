// The gicv3 device type: its defaults, the fields it takes and refuses, its checks
// (each refused with a message naming the file and the field), and its two records
// in the config blob.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadVmConfig, encodeBlob, decodeBlob } from "./index.ts";
import { assertError, blobProblems, configData, errorsOf, sandbox, type Json } from "./test_helpers.ts";

const sb = sandbox();
after(() => sb.cleanup());

/** demo.json with `mutate` applied. */
function load(mutate: (d: Json) => void) {
  const d = configData("demo");
  mutate(d);
  return loadVmConfig(sb.write(d), sb.board, sb.resolve);
}

function rejects(mutate: (d: Json) => void, path: string, pattern: RegExp): string[] {
  const d = configData("demo");
  mutate(d);
  const file = sb.write(d);
  const errors = errorsOf(() => loadVmConfig(file, sb.board, sb.resolve));
  assertError(errors, file, path, pattern);
  return errors;
}

const addGic = (gic: Json = { type: "gicv3" }) => (d: Json) => { d.vms[0].devices.push(gic); };

describe("gicv3", () => {
  test("defaults: distributor at 0x08000000 (64 KiB), redistributors at 0x080a0000, 128 KiB per vCPU", () => {
    const set = load(addGic());
    assert.deepEqual(set.vms[0]!.devices[1], {
      type: "gicv3", ipa: 0x08000000n, size: 0x10000n, irq: null, redist: 0x080a0000n, redistSize: 0x20000n,
    });
  });

  test("ipa and redist move it; the redistributor range grows with the vCPUs", () => {
    const set = load((d) => {
      d.vms[0].cpus = [1, 3];
      d.vms[0].vcpus = 2;
      d.vms[0].devices.unshift({ type: "gicv3", ipa: "0x08100000", redist: "0x08200000" });
    });
    const g = set.vms[0]!.devices[0]!;
    assert.equal(g.ipa, 0x08100000n);
    assert.ok(g.type === "gicv3" && g.redist === 0x08200000n && g.redistSize === 0x40000n);
  });

  test("the blob holds it as two records: kind 2 (distributor) and kind 3 (redistributors), no irq", () => {
    const set = load((d) => { d.vms[1].devices.unshift({ type: "gicv3" }); });
    const blob = encodeBlob(set);
    const d = decodeBlob(blob).vms[1]!;
    assert.deepEqual(d.devices, [
      { kind: 2, irq: 0, ipa: 0x08000000n, size: 0x10000n, pa: 0n },
      { kind: 3, irq: 0, ipa: 0x080a0000n, size: 0x20000n, pa: 0n },
      { kind: 1, irq: 0, ipa: 0x09000000n, size: 0x1000n, pa: 0n },
    ]);
    // device_count counts records, not config entries.
    assert.equal(blob.readUInt32LE(16 + 640 + 32), 3);
    assert.deepEqual(blobProblems(blob, sb.board, 2), []);
  });

  test("size and irq are not for a gicv3; redist is not for a pl011; a pl011 needs its ipa", () => {
    rejects(addGic({ type: "gicv3", size: "64K" }), "vms[0].devices[1].size",
      /^a gicv3 takes no size: its sizes are fixed \(64 KiB distributor, 128 KiB of redistributors per vCPU\)$/);
    rejects(addGic({ type: "gicv3", irq: 25 }), "vms[0].devices[1].irq",
      /^a gicv3 takes no irq: the interrupt controller raises no interrupt of its own$/);
    rejects((d) => { d.vms[0].devices[0].redist = "0x080a0000"; }, "vms[0].devices[0].redist",
      /^only a gicv3 has redistributors; remove redist from this device$/);
    rejects((d) => { delete d.vms[0].devices[0].ipa; }, "vms[0].devices[0].ipa", /^missing \(a pl011 needs the address of its registers\)$/);
    rejects(addGic({ type: "gicv3", base: 0 }), "vms[0].devices[1].base", /^unknown property \(allowed here: type, ipa, size, irq, redist, cpuif, pa, virtio_mmio, dma\)$/);
  });

  test("64 KiB aligned distributor and redistributors", () => {
    rejects(addGic({ type: "gicv3", ipa: "0x08001000" }), "vms[0].devices[1].ipa", /^0x8001000 is not 64 KiB aligned \(a GICv3 distributor is\)$/);
    rejects(addGic({ type: "gicv3", redist: "0x080a8000" }), "vms[0].devices[1].redist",
      /^0x80a8000 is not 64 KiB aligned \(GICv3 redistributor frames are\)$/);
  });

  test("the redistributors do not overlap the distributor", () => {
    rejects(addGic({ type: "gicv3", ipa: "0x08000000", redist: "0x07ff0000" }), "vms[0].devices[1].redist",
      /^redistributors 0x7ff0000\.\.0x800ffff \(128 KiB for each of 1 vCPU\) overlap the distributor \(0x8000000\.\.0x800ffff\)$/);
  });

  test("neither range overlaps memory or another device", () => {
    rejects(addGic({ type: "gicv3", ipa: "0x40ff0000" }), "vms[0].devices[1].ipa",
      /^GICv3 distributor 0x40ff0000\.\.0x40ffffff overlaps vms\[0\]\.memory\[0\] \(0x40000000\.\.0x40ffffff\)$/);
    rejects(addGic({ type: "gicv3", redist: "0x40000000" }), "vms[0].devices[1].redist",
      /^GICv3 redistributor range 0x40000000\.\.0x4001ffff overlaps vms\[0\]\.memory\[0\]/);
    rejects(addGic({ type: "gicv3", redist: "0x08ff0000" }), "vms[0].devices[1].redist",
      /^overlaps vms\[0\]\.devices\[0\] \(0x9000000\.\.0x9000fff\)$/);
    rejects((d) => { d.vms[0].devices.unshift({ type: "gicv3", redist: "0x08ff0000" }); }, "vms[0].devices[1].ipa",
      /^overlaps the redistributors of vms\[0\]\.devices\[0\] \(0x8ff0000\.\.0x900ffff\)$/);
  });

  test("within 39 bits", () => {
    rejects(addGic({ type: "gicv3", redist: "0x7fffff0000" }), "vms[0].devices[1].redist",
      /^GICv3 redistributor range 0x7fffff0000\.\.0x800000ffff reaches past the 39-bit IPA space \(which ends at 0x7fffffffff\)$/);
    rejects(addGic({ type: "gicv3", ipa: "0x8000000000" }), "vms[0].devices[1].ipa",
      /^GICv3 distributor 0x8000000000\.\.0x800000ffff reaches past the 39-bit IPA space/);
  });

  test("at most one per VM", () => {
    rejects((d) => {
      d.vms[0].devices.push({ type: "gicv3" }, { type: "gicv3", ipa: "0x08100000", redist: "0x08200000" });
    }, "vms[0].devices[2].type", /^a VM has at most one gicv3, and vms\[0\]\.devices\[1\] is one already$/);
  });

  test("it takes two of the 8 device records", () => {
    const pl011s = (n: number) => Array.from({ length: n }, (_, k) => ({ type: "pl011", ipa: 0x09000000 + k * 0x1000 }));
    rejects((d) => { d.vms[0].devices = [{ type: "gicv3" }, ...pl011s(7)]; }, "vms[0].devices",
      /^8 devices take 9 records in the config blob \(a gicv3 takes two: distributor and redistributors; a gicv2 two: distributor and CPU interface\); a VM has at most 8$/);
    const set = load((d) => { d.vms[0].devices = [{ type: "gicv3" }, ...pl011s(6)]; });
    assert.equal(decodeBlob(encodeBlob(set)).vms[0]!.devices.length, 8);
  });

  test("a device's INTID is not one of the GIC's own PPIs", () => {
    rejects((d) => { d.vms[0].devices[0].irq = 27; }, "vms[0].devices[0].irq",
      /^INTID 27 is the virtual timer's PPI \(PPI 11\); give the device an SPI \(32 and up; QEMU virt's UART: 33\)$/);
    rejects((d) => { d.vms[0].devices[0].irq = 25; }, "vms[0].devices[0].irq", /GIC maintenance interrupt/);
    assert.equal(load((d) => { d.vms[0].devices[0].irq = 33; }).vms[0]!.devices[0]!.irq, 33);
  });
});
