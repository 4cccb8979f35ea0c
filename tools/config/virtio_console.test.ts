// virtio-console devices in a config (docs/abi.md section 6, device kind 7):
// vmconfigs/mixed.json as the tools read and encode it, each rule refused with the field
// named, and the core itself (build/core.wasm) accepting the blob.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { decodeBlob, encodeBlob, imageTable, loadVmConfig, vmConfigSchema, type ImageResolver } from "./index.ts";
import { assertError, blobProblems, configData, errorsOf, sandbox, VMCONFIGS, type Json } from "./test_helpers.ts";
import { buildCoreVariant } from "../build/core.ts";

const sb = sandbox();
after(() => sb.cleanup());
// mixed.json's rtvm loads the RT guest, which the sandbox does not have.
writeFileSync(join(sb.dir, "guest-rt.bin"), Buffer.alloc(8192, 0x5a));
const resolve: ImageResolver = (name) => (name === "guest-rt.bin" ? join(sb.dir, name) : sb.resolve(name));
const MIXED = join(VMCONFIGS, "mixed.json");

/** linux.json with a virtio-console beside its GIC and PL011 (devices[2]), changed by `mutate`. */
function linux(mutate: (d: Json) => void = () => {}): Json {
  const d = configData("linux");
  d.vms[0].devices.push({ type: "virtio-console", ipa: "0x0a800000", irq: 80 });
  mutate(d);
  return d;
}
const dev = (d: Json) => d.vms[0].devices[2];
function rejects(mutate: (d: Json) => void, path: string, pattern: RegExp): string[] {
  const p = sb.write(linux(mutate));
  const errors = errorsOf(() => loadVmConfig(p, sb.board, resolve));
  assertError(errors, p, path, pattern);
  return errors;
}

describe("vmconfigs/mixed.json", () => {
  test("the schema accepts it", () => {
    const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(vmConfigSchema());
    assert.ok(validate(configData("mixed")), JSON.stringify(validate.errors));
  });

  test("the mvm and the gvm each have a virtio-console: 0x200 bytes at 0x0a800000, SPIs no passthrough uses", () => {
    const set = loadVmConfig(MIXED, sb.board, resolve);
    const [mvm, gvm, rt] = set.vms;
    assert.deepEqual(mvm!.devices[3], { type: "virtio-console", ipa: 0x0a800000n, size: 0x200n, irq: 80 });
    assert.deepEqual(gvm!.devices[2], { type: "virtio-console", ipa: 0x0a800000n, size: 0x200n, irq: 81 });
    assert.ok(!rt!.devices.some((d) => d.type === "virtio-console"));
    const passSpis = set.vms.flatMap((v) => v.devices.flatMap((d) => (d.type === "passthrough" && d.irq !== null ? [d.irq] : [])));
    const reserved = (sb.board.passthrough?.reserved ?? []).flatMap((r) => (r.intid === undefined ? [] : [r.intid]));
    const virtio = set.vms.flatMap((v) => v.devices.flatMap((d) => (d.type === "virtio-console" ? [d] : [])));
    for (const d of virtio) {
      assert.ok(!passSpis.includes(d.irq) && !reserved.includes(d.irq), `SPI ${d.irq} is a physical device's`);
      const t = sb.board.passthrough?.virtioMmio;
      assert.ok(t && (d.ipa >= t.base + t.size * BigInt(t.count) || d.ipa + d.size <= t.base), "over the board's transports");
    }
  });

  test("encodes device kind 7 with its irq, ipa and 0x200 bytes, no pa (docs/abi.md 1)", () => {
    const set = loadVmConfig(MIXED, sb.board, resolve);
    const blob = encodeBlob(set);
    const vms = decodeBlob(blob).vms;
    assert.deepEqual(vms[0]!.devices.at(-1), { kind: 7, irq: 80, ipa: 0x0a800000n, size: 0x200n, pa: 0n });
    assert.deepEqual(vms[1]!.devices.at(-1), { kind: 7, irq: 81, ipa: 0x0a800000n, size: 0x200n, pa: 0n });
    assert.deepEqual(blobProblems(blob, sb.board, imageTable(set).length), []);
  });
});

describe("the core accepts a virtio-console", () => {
  let module: WebAssembly.Module;
  before(() => { module = new WebAssembly.Module(readFileSync(buildCoreVariant(1))); });

  /** wv_init(vm) of a fresh instance on `blob`, every import answered by a plain fake; its result and lines. */
  function init(blob: Uint8Array, vm: number): { rc: number; console: string } {
    let memory: WebAssembly.Memory | undefined;
    let tables = 0;
    let console = "";
    const fakes: Record<string, (...a: any[]) => unknown> = {
      console_write: (ptr: number, len: number) => { console += Buffer.from(new Uint8Array(memory!.buffer, ptr, len)).toString("latin1"); },
      now: () => 1000n,
      counter_freq: () => 62_500_000n,
      s2_table_new: () => tables++,
      image_load: () => 0x1000n,
      guest_read: () => -2,
      guest_write: () => -2,
      lr_count: () => 4,
      lr_read: () => 0n,
      ich_status: () => 0n,
    };
    const wv: Record<string, unknown> = {};
    for (const imp of WebAssembly.Module.imports(module)) wv[imp.name] = fakes[imp.name] ?? (() => 0);
    const ex = new WebAssembly.Instance(module, { wv } as WebAssembly.Imports).exports as Record<string, any>;
    memory = ex.memory as WebAssembly.Memory;
    const buf = ex.wv_buffer(blob.length) as number;
    new Uint8Array(memory.buffer, buf, blob.length).set(blob);
    const rc = ex.wv_init(vm, buf, blob.length) as number;
    // Without a driver the device takes nothing, and says so with 0.
    if (rc === 0) assert.equal(ex.wv_chan_push(1), 0);
    return { rc, console };
  }

  test("mixed.json: wv_init returns 0 for every VM", () => {
    const set = loadVmConfig(MIXED, sb.board, resolve);
    const blob = encodeBlob(set);
    set.vms.forEach((_, i) => {
      const r = init(blob, i);
      assert.equal(r.rc, 0, `vm ${i}: ${r.console}`);
    });
  });

  test("the core refuses a window the tools would refuse, naming kind 7's rule", () => {
    const set = loadVmConfig(MIXED, sb.board, resolve);
    const blob = encodeBlob(set);
    // vm 0's record 4 (gicv3 is two records, then pl011, passthrough): the virtio-console's size
    blob.writeBigUInt64LE(0x1000n, 16 + 320 + 4 * 32 + 16);
    const r = init(blob, 0);
    assert.equal(r.rc, -1);
    assert.match(r.console, /virtio-console must be one 0x200-byte window, 0x200 aligned, with an SPI 32\.\.255/);
  });
});

describe("a virtio-console's fields", () => {
  test("ipa and irq are required; size, pa and the passthrough fields are not for it", () => {
    rejects((d) => { delete dev(d).ipa; }, "vms[0].devices[2].ipa", /^missing \(a virtio-console needs the address of its 0x200-byte/);
    rejects((d) => { delete dev(d).irq; }, "vms[0].devices[2].irq", /^missing \(a virtio-console needs the SPI it raises, 32\.\.255\)$/);
    rejects((d) => { dev(d).size = "0x200"; }, "vms[0].devices[2].size", /^a virtio-console takes no size: its virtio-mmio window is always 0x200 bytes$/);
    rejects((d) => { dev(d).pa = "0x0a800000"; }, "vms[0].devices[2].pa", /^only a passthrough device has a physical address/);
    rejects((d) => { dev(d).virtio_mmio = []; }, "vms[0].devices[2].virtio_mmio", /^only a passthrough device holds/);
    rejects((d) => { dev(d).type = "virtio-net"; }, "vms[0].devices[2].type", /unknown device type "virtio-net" \(known types: .*virtio-console/);
  });

  test("the window: 0x200 aligned, clear of the VM's memory and other devices, inside the IPA space", () => {
    rejects((d) => { dev(d).ipa = "0x0a800100"; }, "vms[0].devices[2].ipa", /^0xa800100 is not 0x200 aligned/);
    rejects((d) => { dev(d).ipa = "0x09000200"; }, "vms[0].devices[2].ipa",
      /^overlaps vms\[0\]\.devices\[1\] \(0x9000000\.\.0x9000fff\)$/);
    rejects((d) => { dev(d).ipa = "0x40000000"; }, "vms[0].devices[2].ipa", /overlaps vms\[0\]\.memory\[0\]/);
    rejects((d) => { dev(d).ipa = "0x8000000000"; }, "vms[0].devices[2].ipa",
      /^virtio-mmio window 0x8000000000\.\.0x80000001ff reaches past the 39-bit IPA space/);
  });

  test("the irq: an SPI of the virtual GIC no other device of the VM raises", () => {
    rejects((d) => { dev(d).irq = null; }, "vms[0].devices[2].irq", /^null, but a virtio-console raises an interrupt: give it an SPI \(32\.\.255\)/);
    rejects((d) => { dev(d).irq = 27; }, "vms[0].devices[2].irq", /^INTID 27 is no SPI/);
    rejects((d) => { dev(d).irq = 300; }, "vms[0].devices[2].irq", /^INTID 300 is above 255, the last INTID of the virtual GIC$/);
    rejects((d) => { dev(d).irq = 33; }, "vms[0].devices[2].irq", /^INTID 33 is already used by vms\[0\]\.devices\[1\]$/);
  });

  test("one per VM", () => {
    rejects((d) => { d.vms[0].devices.push({ type: "virtio-console", ipa: "0x0a800200", irq: 81 }); }, "vms[0].devices[3].type",
      /^a VM has at most one virtio-console \(its end of the hypervisor channel\), and vms\[0\]\.devices\[2\] is one already$/);
  });
});
