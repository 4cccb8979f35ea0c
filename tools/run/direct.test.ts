// Booting a VM's images without the hypervisor: the entry stub disassembles to what
// it claims (the cross binutils setup installs), it goes where no image is, and the
// QEMU arguments load every image at its IPA.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadVmConfig } from "../config/index.ts";
import { configData, sandbox } from "../config/test_helpers.ts";
import { have, run } from "../lib/proc.ts";
import { directBootArgs, entryStub, stubAddress } from "./direct.ts";

const sb = sandbox();
after(() => sb.cleanup());
const OBJDUMP = "aarch64-linux-gnu-objdump";

test("the entry stub: x0 = the device tree, x1..x3 = 0, then a branch to the entry", (t) => {
  const stub = entryStub(0x40000000n, 0x40200000n);
  assert.equal(stub.readBigUInt64LE(24), 0x40000000n);
  assert.equal(stub.readBigUInt64LE(32), 0x40200000n);
  assert.ok(have(OBJDUMP), `${OBJDUMP} not installed: wasmvisor setup installs binutils-aarch64-linux-gnu before any test runs`);
  const f = join(sb.dir, "stub.bin");
  writeFileSync(f, stub);
  const dis = run(OBJDUMP, ["-D", "-b", "binary", "-m", "aarch64", f]).stdout;
  const ins = dis.split("\n").map((l) => /^\s+[0-9a-f]+:\s+[0-9a-f]{8}\s+(.*)$/.exec(l)?.[1]?.replace(/\s+/g, " ").trim())
    .filter((x): x is string => !!x).slice(0, 6);
  assert.deepEqual(ins, ["ldr x0, 0x18", "mov x1, xzr", "mov x2, xzr", "mov x3, xzr", "ldr x4, 0x20", "br x4"]);
});

test("linux.json with ipa = pa: every image loaded at its IPA, the stub in free RAM, CPU 0 started there", () => {
  const d = configData("linux");
  d.vms[0].memory[0].ipa = d.vms[0].memory[0].pa;
  const vm = loadVmConfig(sb.write(d), sb.board, sb.resolve).vms[0]!;
  vm.linux!.dtb.path = join(sb.dir, "linux.dtb");
  vm.linux!.dtb.size = 2000;
  const at = stubAddress(vm);
  assert.equal(at, 0x50010000n, "right after the 64 KiB kept for the device tree");
  const args = directBootArgs(vm, join(sb.dir, "direct"));
  const loaders = args.filter((a) => a.startsWith("loader,"));
  assert.deepEqual(loaders.slice(0, 3), [
    `loader,file=${vm.images[0]!.path},addr=0x50200000,force-raw=on`,
    `loader,file=${vm.images[1]!.path},addr=0x${vm.linux!.initrd!.ipa.toString(16)},force-raw=on`,
    `loader,file=${join(sb.dir, "linux.dtb")},addr=0x50000000,force-raw=on`,
  ]);
  assert.equal(loaders[3], `loader,file=${join(sb.dir, "direct", "linux-entry-stub.bin")},addr=0x50010000,force-raw=on`);
  assert.equal(loaders[4], "loader,addr=0x50010000,cpu-num=0");
});

test("a VM without a device tree, or with an image not built, cannot be booted directly", () => {
  const demo = loadVmConfig(sb.write(configData("demo")), sb.board, sb.resolve).vms[0]!;
  assert.throws(() => directBootArgs(demo, sb.dir), /has no device tree/);
  const vm = loadVmConfig(sb.write(configData("linux")), sb.board, sb.resolve).vms[0]!;
  assert.throws(() => directBootArgs(vm, sb.dir), /image linux.dtb is not built/);
});
