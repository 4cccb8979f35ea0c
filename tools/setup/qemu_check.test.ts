import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { packageFor, qemuLines } from "./qemu_check.ts";
import { BOARDS_DIR } from "../config/board.ts";

test("QEMU's missing-ROM messages name the Debian package that ships the file", () => {
  assert.equal(packageFor('qemu-system-aarch64: failed to find romfile "efi-virtio.rom"'), "ipxe-qemu");
  assert.equal(packageFor('qemu-system-aarch64: failed to find romfile "pxe-virtio.rom"'), "ipxe-qemu");
  assert.equal(packageFor('qemu-system-aarch64: failed to find romfile "vgabios-stdvga.bin"'), "qemu-system-data");
  assert.equal(packageFor("qemu-system-aarch64: -device nosuch: 'nosuch' is not a valid device model name"), null);
});

test("the checked command lines cover every board, with and without EL2, and every config's extra arguments", () => {
  const lines = qemuLines(41234);
  for (const b of readdirSync(BOARDS_DIR)) {
    const hv = lines.find((l) => l.what === `board ${b}`);
    assert.ok(hv && hv.args.some((a) => /virtualization=on/.test(a)), `board ${b}`);
    const direct = lines.find((l) => l.what === `board ${b} without the hypervisor`);
    assert.ok(direct && !direct.args.some((a) => /virtualization=on/.test(a)), `board ${b} direct`);
  }
  const net = lines.find((l) => l.what === "vmconfigs/mvm-net.json");
  assert.ok(net, lines.map((l) => l.what).join(", "));
  assert.ok(net.args.includes("user,id=n0,hostfwd=tcp:127.0.0.1:41234-:5000"), net.args.join(" "));
  assert.ok(!lines.some((l) => l.args.some((a) => a.includes("{port}"))), "every {port} is filled in");
});
