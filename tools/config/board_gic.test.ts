// board.json "gic": which interrupt controller a board has, checked with its QEMU arguments.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseBoard, loadBoard, BoardError } from "./index.ts";
import { qemuGicVersion } from "./board_gic.ts";

const base = {
  name: "b", cpus: 4,
  ram: { base: "0x40000000", size: "0x40000000" },
  hypervisor: { base: "0x40000000", size: "0x10000000" },
};

function errors(data: unknown): string[] {
  try {
    parseBoard(data, "boards/b/board.json");
  } catch (e) {
    assert.ok(e instanceof BoardError);
    return [...e.errors];
  }
  return assert.fail("accepted");
}

test("the boards in the tree: qemu-virt has a GICv3, qemu-virt-gicv2 a GICv2 with its GICV frame", () => {
  assert.deepEqual(loadBoard("qemu-virt").gic, { version: 3, gicv: null });
  assert.deepEqual(loadBoard("qemu-virt-gicv2").gic, { version: 2, gicv: 0x08040000n });
});

test("a GICv3 takes no gicv; a GICv2 needs a 4 KiB aligned one", () => {
  assert.deepEqual(parseBoard({ ...base, gic: { version: 3 } }, "b.json").gic, { version: 3, gicv: null });
  assert.deepEqual(parseBoard({ ...base, gic: { version: 2, gicv: "0x08040000" } }, "b.json").gic,
    { version: 2, gicv: 0x08040000n });
  assert.deepEqual(errors({ ...base, gic: { version: 3, gicv: "0x08040000" } }),
    ["boards/b/board.json: gic.gicv: only a GICv2 board has a GICV frame; remove it (or make version 2)"]);
  assert.deepEqual(errors({ ...base, gic: { version: 2 } }),
    ['boards/b/board.json: gic.gicv: must be the address of the GICv2 virtual CPU interface (GICV), { "version": 3 } or ' +
      '{ "version": 2, "gicv": address }, not nothing']);
  assert.deepEqual(errors({ ...base, gic: { version: 2, gicv: "0x08040800" } }),
    ["boards/b/board.json: gic.gicv: 0x8040800 is not 4 KiB aligned (stage 2 maps the GICV frame page by page)"]);
});

test("gic is required, its version is 2 or 3, and unknown fields are named", () => {
  assert.deepEqual(errors(base),
    ['boards/b/board.json: gic: must describe the board\'s interrupt controller, { "version": 3 } or ' +
      '{ "version": 2, "gicv": address }, not nothing']);
  assert.deepEqual(errors({ ...base, gic: { version: 4 } }), ["boards/b/board.json: gic.version: must be 2 or 3 (the GIC architecture), not 4"]);
  assert.deepEqual(errors({ ...base, gic: { version: 3, its: true } }),
    ["boards/b/board.json: gic.its: unknown property (allowed: version, gicv, description)"]);
});

test("the version agrees with the GIC the board's QEMU arguments ask for", () => {
  assert.equal(qemuGicVersion(["-M", "virt,virtualization=on,gic-version=2", "-smp", "4"]), 2);
  assert.equal(qemuGicVersion(["-M", "virt,gic-version=3,virtualization=on"]), 3);
  assert.equal(qemuGicVersion(["-M", "virt"]), null);
  assert.deepEqual(errors({ ...base, gic: { version: 3 }, qemu: ["-M", "virt,virtualization=on,gic-version=2"] }),
    ["boards/b/board.json: gic.version: is 3, but the board's qemu arguments ask for gic-version=2"]);
});
