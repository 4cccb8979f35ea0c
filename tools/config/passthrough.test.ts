// Passthrough devices in a config: vmconfigs/mvm-net.json as the tools read and encode
// it (device kind 6 with its pa and SPI), and each rule refused with the field named:
// the board's window and the hypervisor's own devices, page alignment, the SPI and the
// virtio-mmio transports, DMA only for an identity-mapped management VM, one VM per
// frame and per SPI; the config's QEMU arguments and their {port}.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { decodeBlob, encodeBlob, loadVmConfig, parseBoard, type BoardDescription } from "./index.ts";
import { assertError, blobProblems, configData, errorsOf, sandbox, VMCONFIGS, type Json } from "./test_helpers.ts";
import { checkQemuArgs, expandQemuArgs, hostForwards, usesPort } from "./qemu_args.ts";

const sb = sandbox();
after(() => sb.cleanup());

/** mvm-net.json, changed by `mutate`. */
function mvm(mutate: (d: Json) => void = () => {}): Json {
  const d = configData("mvm-net");
  mutate(d);
  return d;
}
const load = (d: Json, board: BoardDescription = sb.board) => loadVmConfig(sb.write(d), board, sb.resolve);
function rejects(mutate: (d: Json) => void, path: string, pattern: RegExp, board?: BoardDescription): string[] {
  const p = sb.write(mvm(mutate));
  const errors = errorsOf(() => loadVmConfig(p, board ?? sb.board, sb.resolve));
  assertError(errors, p, path, pattern);
  return errors;
}
const dev = (d: Json) => d.vms[0].devices[2];

describe("vmconfigs/mvm-net.json", () => {
  test("loads: an identity-mapped mvm with the virtio-mmio page of QEMU virt, its SPI, one transport; QEMU args with {port}", () => {
    const set = loadVmConfig(join(VMCONFIGS, "mvm-net.json"), sb.board, sb.resolve);
    const vm = set.vms[0]!;
    assert.equal(vm.type, "mvm");
    assert.deepEqual(vm.cpus, [0, 1]);
    assert.deepEqual(vm.memory.map((r) => [r.ipa, r.pa, r.size]), [[0x50000000n, 0x50000000n, 256n << 20n]]);
    assert.deepEqual(vm.devices[2], { type: "passthrough", ipa: 0x0a003000n, pa: 0x0a003000n, size: 0x1000n, irq: 79,
      virtioMmio: [{ offset: 0xe00n, size: 0x200n, irq: 79 }], dma: true });
    assert.equal(vm.linux?.bootargs, "console=ttyAMA0 earlycon=pl011,0x09000000 rdinit=/init wv.workload=mvm");
    assert.equal(vm.ready, "READY mvm-net");
    assert.ok(usesPort(set.qemuArgs));
    assert.deepEqual(hostForwards(set.qemuArgs), [{ proto: "tcp", hostAddr: "127.0.0.1", hostPort: "{port}", guestPort: "5000" }]);
  });

  test("encodes the frame as device kind 6: irq 79, ipa, size, pa (docs/abi.md 1)", () => {
    const set = loadVmConfig(join(VMCONFIGS, "mvm-net.json"), sb.board, sb.resolve);
    const blob = encodeBlob(set);
    const d = decodeBlob(blob).vms[0]!;
    assert.deepEqual(d.devices[3], { kind: 6, irq: 79, ipa: 0x0a003000n, size: 0x1000n, pa: 0x0a003000n });
    assert.deepEqual(d.devices.slice(0, 3).map((x) => x.pa), [0n, 0n, 0n], "emulated devices have no pa");
    assert.deepEqual(blobProblems(blob, sb.board, 3), []);
  });

  test("defaults: ipa = pa, size one page, the transport's irq from the board, dma for virtio", () => {
    const set = load(mvm((d) => { dev(d).ipa = undefined; dev(d).size = undefined; dev(d).virtio_mmio = [{ offset: "0xe00" }]; }));
    assert.deepEqual(set.vms[0]!.devices[2], { type: "passthrough", ipa: 0x0a003000n, pa: 0x0a003000n, size: 0x1000n, irq: 79,
      virtioMmio: [{ offset: 0xe00n, size: 0x200n, irq: 79 }], dma: true });
    const plain = load(mvm((d) => { dev(d).virtio_mmio = undefined; dev(d).irq = null; }));
    assert.equal((plain.vms[0]!.devices[2] as { dma: boolean }).dma, false);
  });
});

describe("the frame against the board", () => {
  test("the hypervisor's own devices are refused by name", () => {
    rejects((d) => { dev(d).pa = "0x09000000"; dev(d).virtio_mmio = []; dev(d).irq = null; }, "vms[0].devices[2].pa",
      /^0x9000000\.\.0x9000fff takes the hypervisor's console \(PL011 UART\) \(0x9000000\.\.0x9000fff\), which the hypervisor keeps for itself$/);
    rejects((d) => { dev(d).pa = "0x08000000"; dev(d).ipa = "0x0a003000"; dev(d).virtio_mmio = []; dev(d).irq = null; },
      "vms[0].devices[2].pa", /takes the GIC distributor \(0x8000000\.\.0x800ffff\)/);
    rejects((d) => { dev(d).pa = "0x080c0000"; dev(d).virtio_mmio = []; dev(d).irq = null; }, "vms[0].devices[2].pa",
      /takes the GIC redistributors/);
    rejects((d) => { dev(d).pa = "0x08080000"; dev(d).virtio_mmio = []; dev(d).irq = null; }, "vms[0].devices[2].pa", /takes the GIC ITS/);
  });

  test("outside the board's passthrough window (RAM is no device)", () => {
    rejects((d) => { dev(d).pa = "0x70000000"; dev(d).virtio_mmio = []; dev(d).irq = null; }, "vms[0].devices[2].pa",
      /^0x70000000\.\.0x70000fff is outside the passthrough window of qemu-virt \(0x0\.\.0x3fffffff\)$/);
  });

  test("a board without a passthrough window lets nothing through", () => {
    const board = parseBoard({ name: "qemu-virt", cpus: 4, ram: { base: "0x40000000", size: "0x40000000" },
      hypervisor: { base: "0x40000000", size: "0x10000000" }, gic: { version: 3 } }, "b.json");
    rejects(() => {}, "vms[0].devices[2].type", /^board qemu-virt lets no device be passed through/, board);
  });

  test("whole pages: pa, ipa and size 4 KiB aligned", () => {
    rejects((d) => { dev(d).pa = "0x0a003e00"; }, "vms[0].devices[2].pa", /^0xa003e00 is not 4 KiB aligned \(stage 2 maps whole pages/);
    rejects((d) => { dev(d).ipa = "0x0a003200"; }, "vms[0].devices[2].ipa", /not 4 KiB aligned/);
    rejects((d) => { dev(d).size = "0x200"; }, "vms[0].devices[2].size", /0x200 is not a multiple of 4 KiB/);
    rejects((d) => { dev(d).size = 0; }, "vms[0].devices[2].size", /must not be 0/);
  });

  test("the frame's ipa is placed like any device: not over the VM's memory or another device", () => {
    rejects((d) => { dev(d).ipa = "0x50000000"; }, "vms[0].devices[2].ipa", /device frame 0x50000000\.\.0x50000fff overlaps vms\[0\]\.memory\[0\]/);
    rejects((d) => { dev(d).ipa = "0x09000000"; }, "vms[0].devices[2].ipa", /overlaps vms\[0\]\.devices\[1\]/);
  });
});

describe("the SPI and the virtio-mmio transports", () => {
  test("irq is required, an SPI the virtual GIC has, not another device's", () => {
    rejects((d) => { delete dev(d).irq; }, "vms[0].devices[2].irq", /^missing \(a passthrough device names the SPI it raises/);
    rejects((d) => { dev(d).irq = 27; dev(d).virtio_mmio = []; }, "vms[0].devices[2].irq", /^INTID 27 is no SPI/);
    rejects((d) => { dev(d).irq = 300; dev(d).virtio_mmio = []; }, "vms[0].devices[2].irq", /above 255, the last INTID of the virtual GIC/);
    rejects((d) => { dev(d).irq = 33; dev(d).virtio_mmio = []; }, "vms[0].devices[2].irq", /INTID 33 is already used by vms\[0\]\.devices\[1\]/);
    rejects((d) => { dev(d).irq = 33; dev(d).virtio_mmio = []; }, "vms[0].devices[2].irq",
      /^INTID 33 is the interrupt of the hypervisor's console \(PL011 UART\), which the hypervisor keeps for itself$/);
  });

  test("a transport's INTID is the board's for it, and must be the frame's SPI", () => {
    rejects((d) => { dev(d).virtio_mmio = [{ offset: "0xe00", irq: 78 }]; }, "vms[0].devices[2].virtio_mmio[0].irq",
      /^INTID 78, but the transport at 0xa003e00 \(transport 31 of qemu-virt\) raises INTID 79$/);
    rejects((d) => { dev(d).irq = 78; }, "vms[0].devices[2].virtio_mmio[0].irq",
      /raises INTID 79, but the transport at 0xa003e00 \(transport 31 of qemu-virt\)|the frame's SPI is 78/);
    rejects((d) => { dev(d).virtio_mmio = [{ offset: "0xe00" }, { offset: "0xc00" }]; }, "vms[0].devices[2].irq",
      /the transport at 0xa003c00 raises INTID 78, but the frame's SPI is 79: a passthrough frame brings one SPI/);
    rejects((d) => { dev(d).irq = null; }, "vms[0].devices[2].irq", /^null, but the frame holds virtio-mmio transports/);
  });

  test("a transport lies inside the frame at a transport boundary of the board", () => {
    rejects((d) => { dev(d).virtio_mmio = [{ offset: "0xe10" }]; }, "vms[0].devices[2].virtio_mmio[0].offset",
      /^0xe10 is not the offset of a 512 bytes transport inside the 4 KiB frame/);
    rejects((d) => { dev(d).virtio_mmio = [{ offset: "0x1000" }]; }, "vms[0].devices[2].virtio_mmio[0].offset", /inside the 4 KiB frame/);
    rejects((d) => { dev(d).pa = "0x0a004000"; dev(d).ipa = "0x0a004000"; }, "vms[0].devices[2].virtio_mmio[0].offset",
      /^0xa004e00 is not a virtio-mmio transport of qemu-virt \(32 of 0x200 bytes from 0xa000000\)$/);
    rejects((d) => { dev(d).virtio_mmio = [{ offset: "0xe00" }, { offset: "0xe00" }]; }, "vms[0].devices[2].virtio_mmio[1].offset",
      /0xe00 is named twice/);
  });

  test("fields of a passthrough device are not for emulated ones, and a passthrough device takes no redist", () => {
    const p = sb.write(mvm((d) => { d.vms[0].devices[1].pa = "0x09000000"; d.vms[0].devices[0].virtio_mmio = []; dev(d).redist = "0x0"; }));
    const errors = errorsOf(() => loadVmConfig(p, sb.board, sb.resolve));
    assertError(errors, p, "vms[0].devices[1].pa", /^only a passthrough device has a physical address/);
    assertError(errors, p, "vms[0].devices[0].virtio_mmio", /^only a passthrough device holds virtio-mmio transports$/);
    assertError(errors, p, "vms[0].devices[2].redist", /^only a gicv3 has redistributors/);
    rejects((d) => { delete dev(d).pa; }, "vms[0].devices[2].pa", /^missing \(a passthrough device needs the physical address of its frame\)$/);
  });
});

describe("DMA: only an identity-mapped management VM", () => {
  test("a gvm may not have a device that does DMA", () => {
    rejects((d) => { d.vms[0].type = "gvm"; }, "vms[0].type",
      /^"gvm", but vms\[0\]\.devices\[2\] is a device that does DMA.*only the management VM \(type "mvm"\) may have it$/);
  });

  test("every region of its VM identity-mapped (ipa = pa)", () => {
    rejects((d) => { d.vms[0].memory[0].ipa = "0x40000000"; }, "vms[0].memory[0].ipa",
      /^0x40000000 is not the region's pa \(0x50000000\), but vms\[0\]\.devices\[2\] is a device that does DMA.*identity-mapped \(ipa = pa\)/);
  });

  test("dma: false is refused for virtio, and lifts the rules for a device that does no DMA", () => {
    rejects((d) => { dev(d).dma = false; }, "vms[0].devices[2].dma", /virtio device always reads and writes its queues in memory by DMA/);
    const set = load(mvm((d) => {
      d.vms[0].type = "gvm";
      d.vms[0].memory[0].ipa = "0x40000000";
      Object.assign(dev(d), { pa: "0x09010000", ipa: "0x09010000", irq: 34, virtio_mmio: undefined, dma: false });
    }));
    assert.equal(set.vms[0]!.devices[2]!.type, "passthrough");
  });
});

describe("between VMs: a frame and its SPI belong to one VM", () => {
  /** mvm-net plus a second VM with a passthrough device. */
  const two = (frame: Json) => (d: Json) => {
    d.vms.push({
      name: "other", type: "gvm", cpus: [2], vcpus: 1,
      memory: [{ ipa: "0x40000000", pa: "0x60000000", size: "16M" }],
      devices: [{ type: "passthrough", irq: null, ...frame }],
      images: [{ file: "guest-counter.bin", ipa: "0x40000000" }], ready: "READY counter",
    });
  };
  test("the same page in two VMs", () => {
    rejects(two({ pa: "0x0a003000" }), "vms[1].devices[0].pa", /overlaps vms\[0\]\.devices\[2\] \("mvm"\) .*a device frame belongs to one VM/);
  });
  test("the same SPI in two VMs", () => {
    rejects(two({ pa: "0x09010000", irq: 79 }), "vms[1].devices[0].irq", /^SPI 79 is already passed to vms\[0\]\.devices\[2\] \("mvm"\)/);
  });
  test("a VM that owns an SPI keeps its CPUs to itself", () => {
    rejects((d) => { two({ pa: "0x09010000" })(d); d.vms[1].cpus = [1]; }, "vms[1].cpus[0]",
      /^CPU 1 is also given to vms\[0\] \("mvm"\), which owns the SPI of vms\[0\]\.devices\[2\]: its CPUs cannot be shared/);
    // A frame without an interrupt does not bind the CPUs.
    const set = load(mvm((d) => {
      two({ pa: "0x09010000" })(d);
      d.vms[1].cpus = [1];
      Object.assign(dev(d), { irq: null, virtio_mmio: undefined, dma: false });
    }));
    assert.equal(set.vms.length, 2);
  });
});

describe("qemu.args", () => {
  test("options the board or the runner sets, unknown placeholders and hostfwd off 127.0.0.1 are refused", () => {
    rejects((d) => { d.qemu.args.push("-kernel", "x"); }, "qemu.args[4]", /^-kernel cannot be given here: the runner loads/);
    rejects((d) => { d.qemu.args.push("-m", "2048"); }, "qemu.args[4]", /^-m cannot be given here/);
    rejects((d) => { d.qemu.args[1] = "user,id=n0,hostfwd=tcp::{port}-:5000"; }, "qemu.args[1]",
      /binds every interface of this machine; forward from 127\.0\.0\.1 only \(hostfwd=tcp:127\.0\.0\.1:\{port\}-:5000\)/);
    rejects((d) => { d.qemu.args[1] = "user,id=n0,hostfwd=tcp:0.0.0.0:8080-:5000"; }, "qemu.args[1]", /binds 0\.0\.0\.0/);
    rejects((d) => { d.qemu.args[1] = "user,id=n0,hostfwd=tcp:127.0.0.1:{prot}-:5000"; }, "qemu.args[1]",
      /^unknown placeholder \{prot\} \(known: \{port\}\)$/);
    rejects((d) => { d.qemu.args = [""]; }, "qemu.args[0]", /must not be empty/);
    rejects((d) => { d.qemu.extra = 1; }, "qemu.extra", /unknown property \(allowed here: args\)/);
  });

  test("expand: {port} everywhere; a missing value is an error; hostfwd rules read back", () => {
    const args = ["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:5000,hostfwd=udp:127.0.0.1:{port}-10.0.2.15:53"];
    const out = expandQemuArgs(args, { port: 4567 });
    assert.deepEqual(out, ["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:4567-:5000,hostfwd=udp:127.0.0.1:4567-10.0.2.15:53"]);
    assert.deepEqual(hostForwards(out), [
      { proto: "tcp", hostAddr: "127.0.0.1", hostPort: "4567", guestPort: "5000" },
      { proto: "udp", hostAddr: "127.0.0.1", hostPort: "4567", guestPort: "53" },
    ]);
    assert.throws(() => expandQemuArgs(args, {}), /needs a value for \{port\}/);
    assert.deepEqual(expandQemuArgs(["-device", "x"], {}), ["-device", "x"]);
    const issues: string[] = [];
    checkQemuArgs(out, "qemu.args", (p, m) => issues.push(`${p}: ${m}`));
    assert.deepEqual(issues, []);
  });
});
