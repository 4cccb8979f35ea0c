// boards/<name>/board.json is checked before a config is checked against it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseBoard, loadBoard, BoardError } from "./index.ts";

const good = {
  name: "qemu-virt", cpus: 4,
  ram: { base: "0x40000000", size: "0x40000000" },
  hypervisor: { base: "0x40000000", size: "0x10000000" },
  gic: { version: 3 },
};

function boardErrors(data: unknown, name?: string): string[] {
  try {
    parseBoard(data, "boards/x/board.json", name);
  } catch (e) {
    assert.ok(e instanceof BoardError);
    return [...e.errors];
  }
  return assert.fail("accepted");
}

test("qemu-virt loads", () => {
  const b = loadBoard("qemu-virt");
  assert.equal(b.name, "qemu-virt");
  assert.equal(b.file, "boards/qemu-virt/board.json");
  assert.ok(b.qemu.includes("virtualization=on,gic-version=3") || b.qemu.length > 0);
});

test("a board that does not exist, or a name that is not one", () => {
  assert.throws(() => loadBoard("no-such-board"), /no board "no-such-board"/);
  assert.throws(() => loadBoard("../etc"), BoardError);
});

test("bad fields are each named", () => {
  const errors = boardErrors({ ...good, name: "other", cpus: 0, ram: { base: "0x40000000", size: "1G" },
    hypervisor: { base: "0x3ff00000", size: "0x10000000" } }, "qemu-virt");
  assert.deepEqual(errors, [
    'boards/x/board.json: name: is "other" but the file is in boards/qemu-virt/',
    "boards/x/board.json: cpus: must be the number of physical CPUs, 1 to 32, not 0",
    "boards/x/board.json: hypervisor: 0x3ff00000..0x4fefffff is not inside ram (0x40000000..0x7fffffff)",
  ]);
  assert.match(boardErrors({ ...good, ram: { base: "0x40000800", size: "1G" } })[0]!, /ram\.base: "0x40000800" is not 4 KiB aligned/);
  assert.match(boardErrors({ ...good, ram: 5 })[0]!, /ram: must be an object/);
  assert.match(boardErrors([])[0]!, /\(top level\): must be an object/);
});

test("fields other tools use are left alone", () => {
  assert.equal(parseBoard({ ...good, console: { pl011: "0x09000000" } }, "b.json").cpus, 4);
});

test("passthrough: qemu-virt's window, the hypervisor's devices in it by name, its virtio-mmio transports", () => {
  const p = loadBoard("qemu-virt").passthrough;
  assert.ok(p);
  assert.deepEqual(p.window, { base: 0n, size: 0x40000000n });
  assert.deepEqual(p.reserved.map((r) => r.name), ["the GIC distributor", "the GIC ITS", "the GIC redistributors",
    "the hypervisor's console (PL011 UART)"]);
  assert.deepEqual(p.virtioMmio, { base: 0x0a000000n, size: 0x200n, count: 32, intid: 48 });
  assert.equal(p.reserved[3]!.intid, 33, "the console's SPI is the hypervisor's too");
});

test("passthrough: each bad field named; absent means no passthrough", () => {
  const base = { ...good, gic: { version: 3 } };
  assert.equal(parseBoard(base, "b.json").passthrough, null);
  const errors = boardErrors({ ...base, passthrough: {
    window: { base: "0x0", size: "0x40000000" },
    reserved: [{ base: "0x09000000", size: "4K" }, { name: "x", base: "0x123", size: "4K", intid: 7 }],
    virtio_mmio: { base: "0x0a000000", size: "0x200", count: 0, intid: 20 },
    colour: 1,
  } });
  assert.deepEqual(errors, [
    "boards/x/board.json: passthrough.colour: unknown property (allowed: description, window, reserved, virtio_mmio)",
    "boards/x/board.json: passthrough.reserved[0].name: must say what the device is, not nothing",
    'boards/x/board.json: passthrough.reserved[1].base: "0x123" is not 4 KiB aligned',
    "boards/x/board.json: passthrough.reserved[1].intid: must be the SPI the device raises (32..1019), not 7",
    "boards/x/board.json: passthrough.virtio_mmio.count: must be how many transports there are, not 0",
    "boards/x/board.json: passthrough.virtio_mmio.intid: must be the INTID of transport 0, an SPI (32..1019), not 20",
  ]);
  assert.match(boardErrors({ ...base, passthrough: [] })[0]!, /passthrough: must be an object/);
});
