// boards/<name>/board.json is checked before a config is checked against it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseBoard, loadBoard, BoardError } from "./index.ts";

const good = {
  name: "qemu-virt", cpus: 4,
  ram: { base: "0x40000000", size: "0x40000000" },
  hypervisor: { base: "0x40000000", size: "0x10000000" },
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
