// The configs in vmconfigs/ load, with the values and defaults the schema documents.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadVmConfig, loadBoard, VmConfigError, vmConfigSchema } from "./index.ts";
import { configData, sandbox, VMCONFIGS, errorsOf, assertError, INITRD_SIZE, KERNEL_IMAGE_SIZE } from "./test_helpers.ts";

const sb = sandbox();
after(() => sb.cleanup());

describe("vmconfigs/ files", () => {
  test("demo.json: two gvms on CPUs 1 and 2, 16 MiB each, PL011, ready and expect lines", () => {
    const set = loadVmConfig(join(VMCONFIGS, "demo.json"), sb.board, sb.resolve);
    assert.equal(set.board, "qemu-virt");
    assert.deepEqual(set.vms.map((v) => v.name), ["basic", "counter"]);
    const [basic, counter] = set.vms;
    assert.ok(basic && counter);
    assert.equal(basic.type, "gvm");
    assert.deepEqual(basic.cpus, [1]);
    assert.deepEqual(counter.cpus, [2]);
    assert.deepEqual(basic.memory, [{ ipa: 0x40000000n, pa: 0x50000000n, size: 16n << 20n, access: { r: true, w: true, x: true } }]);
    assert.equal(counter.memory[0]?.pa, 0x51000000n);
    assert.deepEqual(basic.devices, [{ type: "pl011", ipa: 0x09000000n, size: 0x1000n, irq: null }]);
    assert.equal(basic.images[0]?.file, "guest-fault.bin");
    assert.equal(basic.images[0]?.size, 1536);
    assert.equal(counter.images[0]?.file, "guest-counter.bin");
    assert.equal(basic.entry, 0x40000000n);
    assert.equal(basic.dtb, null);
    assert.equal(basic.ready, "READY basic");
    assert.deepEqual(basic.expect, ["vm basic stopped: data abort at IPA 0x20000000"]);
    assert.equal(counter.ready, "READY counter");
    assert.deepEqual(counter.expect, ["tick 5"]);
  });

  test("bench.json: one VM with defaults for access, entry, dtb, device size and irq", () => {
    const set = loadVmConfig(join(VMCONFIGS, "bench.json"), sb.board, sb.resolve);
    assert.equal(set.vms.length, 1);
    const vm = set.vms[0]!;
    assert.equal(vm.name, "bench");
    assert.deepEqual(vm.cpus, [1]);
    assert.equal(vm.images[0]?.file, "guest-bench.bin");
    assert.equal(vm.ready, "BENCH DONE");
    assert.deepEqual(vm.memory[0]?.access, { r: true, w: true, x: true });
    assert.equal(vm.entry, 0x40000000n);
    assert.equal(vm.dtb, null);
    assert.deepEqual(vm.devices[0], { type: "pl011", ipa: 0x09000000n, size: 0x1000n, irq: null });
    assert.deepEqual(vm.expect, []);
    assert.equal(vm.bench, true);
  });

  test("example.json: an mvm with 2 vCPUs, two identity-mapped regions and a passthrough virtio device, and an rtvm on CPU 3", () => {
    const set = loadVmConfig(join(VMCONFIGS, "example.json"), sb.board, sb.resolve);
    const [linux, rt] = set.vms;
    assert.ok(linux && rt);
    assert.equal(linux.type, "mvm");
    assert.equal(linux.vcpus, 2);
    assert.deepEqual(linux.cpus, [0, 1]);
    assert.equal(linux.memory.length, 2);
    assert.deepEqual(linux.memory[1]?.access, { r: true, w: true, x: false });
    assert.equal(linux.dtb, 0x58000000n);
    assert.deepEqual(linux.devices[2], { type: "passthrough", ipa: 0x0a003000n, pa: 0x0a003000n, size: 0x1000n, irq: 79,
      virtioMmio: [{ offset: 0xe00n, size: 0x200n, irq: 79 }], dma: true });
    assert.deepEqual(set.qemuArgs, ["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:5000", "-device", "virtio-net-device,netdev=n0"]);
    assert.equal(linux.devices[0]?.irq, 33);
    assert.deepEqual(linux.devices[1], { type: "gicv3", ipa: 0x08000000n, size: 0x10000n, irq: null, redist: 0x080a0000n,
      redistSize: 0x40000n });
    assert.deepEqual(linux.images.map((i) => i.file), ["Image", "initramfs.cpio", "linux.dtb"]);
    assert.equal(linux.linux?.kernel, linux.images[0]);
    assert.equal(linux.linux?.bootargs, "console=ttyAMA0 rdinit=/init");
    assert.equal(rt.linux, null);
    assert.equal(rt.type, "rtvm");
    assert.deepEqual(rt.cpus, [3]);
  });

  test("example.json uses every field the schema defines", () => {
    const schema = vmConfigSchema() as any;
    const data = configData("example");
    const defs = schema.$defs.vm.properties;
    // Fields of a device type that example.json's board (a GICv3) cannot have are shown by the config of a board that can.
    const elsewhere: Record<string, string> = { cpuif: "linux-gicv2" };
    const keysOf = (d: any, pick: (vm: any) => any[]): Set<string> =>
      new Set(d.vms.flatMap((vm: any) => pick(vm).flatMap((o: any) => Object.keys(o))));
    const used = (key: string, pick: (vm: any) => any[]): void => {
      const seen = keysOf(data, pick);
      for (const k of Object.keys(defs[key].items.properties)) {
        const other = elsewhere[k];
        if (other && !seen.has(k)) assert.ok(keysOf(configData(other), pick).has(k), `neither example.json nor ${other}.json sets ${key}[].${k}`);
        else assert.ok(seen.has(k), `example.json never sets ${key}[].${k}`);
      }
    };
    for (const k of Object.keys(schema.properties)) assert.ok(k in data, `example.json has no top-level ${k}`);
    // A VM has either linux or kernel; example.json's Linux VM shows the one, qemu-kernel.json the other.
    const vmElsewhere: Record<string, string> = { kernel: "qemu-kernel" };
    for (const k of Object.keys(defs)) {
      const other = vmElsewhere[k];
      const d = other ? configData(other) : data;
      assert.ok(d.vms.some((vm: any) => k in vm), `no VM of ${other ?? "example"}.json sets ${k}`);
    }
    const kernelSeen = new Set(configData("qemu-kernel").vms.flatMap((vm: any) => Object.keys(vm.kernel ?? {})));
    for (const k of Object.keys(defs.kernel.properties)) assert.ok(kernelSeen.has(k), `qemu-kernel.json never sets kernel.${k}`);
    used("memory", (vm) => vm.memory);
    used("devices", (vm) => vm.devices);
    used("images", (vm) => vm.images);
    const linuxSeen = new Set(data.vms.flatMap((vm: any) => Object.keys(vm.linux ?? {})));
    for (const k of Object.keys(defs.linux.properties)) assert.ok(linuxSeen.has(k), `example.json never sets linux.${k}`);
  });

  test("linux.json: Linux on CPUs 1 and 2, laid out by the tools: device tree, kernel 2 MiB in, initrd at the end", () => {
    const set = loadVmConfig(join(VMCONFIGS, "linux.json"), sb.board, sb.resolve);
    assert.equal(set.vms.length, 1);
    const vm = set.vms[0]!;
    assert.equal(vm.name, "linux");
    assert.equal(vm.type, "gvm");
    assert.deepEqual(vm.cpus, [1, 2]);
    assert.equal(vm.vcpus, 2);
    assert.deepEqual(vm.memory, [{ ipa: 0x40000000n, pa: 0x50000000n, size: 256n << 20n, access: { r: true, w: true, x: true } }]);
    assert.deepEqual(vm.devices, [
      { type: "gicv3", ipa: 0x08000000n, size: 0x10000n, irq: null, redist: 0x080a0000n, redistSize: 0x40000n },
      { type: "pl011", ipa: 0x09000000n, size: 0x1000n, irq: 33 },
    ]);
    const l = vm.linux!;
    assert.equal(l.kernel.file, "linux/Image");
    assert.equal(l.kernel.ipa, 0x40200000n);
    assert.equal(l.kernel.extent, KERNEL_IMAGE_SIZE);
    assert.equal(l.initrd?.file, "initramfs.cpio");
    assert.equal(l.initrd?.ipa, (0x50000000n - BigInt(INITRD_SIZE)) & ~0xfffn);
    assert.equal(l.dtb.ipa, 0x40000000n);
    assert.equal(l.dtb.generated, "dtb");
    assert.equal(l.bootargs, "console=ttyAMA0 earlycon=pl011,0x09000000 rdinit=/init wv.workload=counter");
    assert.equal(vm.entry, 0x40200000n);
    assert.equal(vm.dtb, 0x40000000n);
    assert.deepEqual(vm.images.map((i) => i.file), ["linux/Image", "initramfs.cpio", "linux.dtb"]);
    assert.equal(vm.ready, "READY linux");
    assert.deepEqual(vm.expect, ["cpus online 0-1"]);
  });
});

describe("loading", () => {
  test("the options form loads the board the file names", () => {
    const set = loadVmConfig(join(VMCONFIGS, "demo.json"), { resolveImage: sb.resolve });
    assert.equal(set.board, "qemu-virt");
    assert.equal(set.vms.length, 2);
  });

  test("boardOverride checks against another board, and an unknown board is an error on the board field", () => {
    const path = sb.write(configData("demo"));
    const errors = errorsOf(() => loadVmConfig(path, { resolveImage: sb.resolve, boardOverride: "no-such-board" }));
    assertError(errors, path, "board", /board "no-such-board" cannot be used/);
  });

  test("a file for another board is refused when checked against this one", () => {
    const data = configData("demo");
    data.board = "rpi4";
    const path = sb.write(data);
    const errors = errorsOf(() => loadVmConfig(path, sb.board, sb.resolve));
    assertError(errors, path, "board", /this file is for board "rpi4", but it is being checked for "qemu-virt"/);
  });

  test("a file that does not exist", () => {
    const path = join(sb.dir, "absent.json");
    const errors = errorsOf(() => loadVmConfig(path, sb.board, sb.resolve));
    assert.deepEqual(errors, [`${path}: (top level): cannot read the file (ENOENT)`]);
  });

  test("sizes and addresses: numbers, hex strings, K/M/G suffixes", () => {
    const data = configData("demo");
    data.vms[0].memory[0] = { ipa: 0x40000000, pa: "0x50000000", size: 16777216 };
    data.vms[1].memory[0] = { ipa: "0x40000000", pa: 0x51000000, size: "0x1000000" };
    data.vms[1].devices[0].size = "0x1000";
    data.vms.push({ ...configData("demo").vms[1], name: "third", cpus: [3],
      memory: [{ ipa: "0x40000000", pa: "0x60000000", size: "1G" }] });
    const errors = errorsOf(() => loadVmConfig(sb.write(data), sb.board, sb.resolve));
    assert.ok(errors.some((e) => /memory\[0\]\.pa: 0x60000000\.\.0x9fffffff is not inside the RAM/.test(e)), errors.join("\n"));
    data.vms[2].memory[0].size = "4096K";
    const set = loadVmConfig(sb.write(data), sb.board, sb.resolve);
    assert.deepEqual(set.vms.map((v) => v.memory[0]?.size), [16n << 20n, 16n << 20n, 4n << 20n]);
  });

  test("the board is loaded and checked", () => {
    const b = loadBoard("qemu-virt");
    assert.equal(b.cpus, 4);
    assert.deepEqual(b.ram, { base: 0x40000000n, size: 0x40000000n });
    assert.deepEqual(b.hypervisor, { base: 0x40000000n, size: 0x10000000n });
  });

  test("VmConfigError carries every message and the file", () => {
    const data = configData("demo");
    data.vms[0].type = "rtvm";
    data.vms[0].vcpus = 3;
    data.vms[1].memory[0].pa = "0x50000000";
    const path = sb.write(data);
    try {
      loadVmConfig(path, sb.board, sb.resolve);
      assert.fail("accepted");
    } catch (e) {
      assert.ok(e instanceof VmConfigError);
      assert.equal(e.file, path);
      assert.equal(e.errors.length, 2);
      assert.match(e.message, /^2 errors in /);
      assert.equal(e.issues[0]?.path, "vms[0].vcpus");
    }
  });
});
