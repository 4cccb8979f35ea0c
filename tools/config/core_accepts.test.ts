// The blobs encodeBlob makes are accepted by the core itself: build/core.wasm
// (built here with the asc CLI when absent) gets each blob through wv_buffer and
// builds every VM of it with wv_init, against fake `wv` imports (docs/abi.md section 2).
// Device kinds 2 and 3 (a GICv3's distributor and redistributors) are accepted by a
// core that has the virtual GIC; a core without it must refuse them as an unknown
// device kind, and the tests of configs with a gicv3 are then skipped, saying so.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadVmConfig, encodeBlob, VmConfigError, type VmSet } from "./index.ts";
import { configData, mutatedConfigs, ROOT, sandbox, VMCONFIGS } from "./test_helpers.ts";

const CORE = join(ROOT, "build", "core.wasm");
const sb = sandbox();
let module: WebAssembly.Module;

before(() => {
  if (!existsSync(CORE)) {
    execFileSync(join(ROOT, "node_modules", ".bin", "asc"),
      ["assembly/index.ts", "--config", "asconfig.json", "--target", "release"], { cwd: ROOT, stdio: "inherit" });
  }
  module = new WebAssembly.Module(readFileSync(CORE));
});
after(() => sb.cleanup());

interface Run {
  rc: number;
  console: string[];
  images: [number, bigint][];
  boots: [number, bigint, bigint][];
  activated: boolean;
}

/** A fresh core instance with fake imports; wv_init(vm) on `blob`. */
function initVm(blob: Uint8Array, vm: number): Run {
  const run: Run = { rc: NaN, console: [], images: [], boots: [], activated: false };
  let memory: WebAssembly.Memory | undefined;
  let tables = 0;
  const text = (ptr: number, len: number): string =>
    Buffer.from(new Uint8Array(memory!.buffer, ptr, len)).toString("latin1");
  const fakes: Record<string, (...a: any[]) => unknown> = {
    console_write: (ptr: number, len: number) => { run.console.push(text(ptr, len)); },
    now: () => 1000n,
    counter_freq: () => 62_500_000n,
    s2_table_new: () => tables++,
    s2_set_entry: (t: number, i: number) => (t >= 0 && t < tables && i >= 0 && i < 512 ? 0 : -1),
    s2_activate: () => { run.activated = true; return 0; },
    guest_read: () => -1,
    guest_write: () => -1,
    image_load: (index: number, ipa: bigint) => { run.images.push([index, BigInt.asUintN(64, ipa)]); return 0x1000n; },
    vcpu_boot: (vcpu: number, pc: bigint, x0: bigint) => {
      run.boots.push([vcpu, BigInt.asUintN(64, pc), BigInt.asUintN(64, x0)]);
      return 0;
    },
    sysreg_write: () => 0,
    vm_stop: () => undefined,
    pcpu_of: () => 0,
  };
  const wv: Record<string, unknown> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    assert.equal(imp.module, "wv", `core imports ${imp.module}.${imp.name}`);
    wv[imp.name] = fakes[imp.name] ?? (() => 0);
  }
  const ex = new WebAssembly.Instance(module, { wv } as WebAssembly.Imports).exports as Record<string, any>;
  memory = ex.memory as WebAssembly.Memory;
  const buf = ex.wv_buffer(blob.length) as number;
  assert.ok(buf > 0, `wv_buffer(${blob.length}) refused`);
  new Uint8Array(memory.buffer, buf, blob.length).set(blob);
  run.rc = ex.wv_init(vm, buf, blob.length) as number;
  return run;
}

const hasGic = (set: VmSet): boolean => set.vms.some((vm) => vm.devices.some((d) => d.type === "gicv3"));
const NO_GIC = "build/core.wasm does not accept device kinds 2 and 3 (GICv3) yet";
let gicSupport: boolean | undefined;

/**
 * Does this core accept a GICv3? Probed with demo.json's blob plus a distributor and
 * a redistributor record for vm 0. A refusal for any reason but the device kind fails.
 */
function coreAcceptsGic(): boolean {
  if (gicSupport !== undefined) return gicSupport;
  const blob = encodeBlob(loadVmConfig(join(VMCONFIGS, "demo.json"), sb.board, sb.resolve));
  const rec = 16 + 320;  // vm 0's devices; its device_count is at 16 + 32
  blob.writeUInt32LE(3, 16 + 32);
  blob.writeUInt32LE(2, rec + 32);
  blob.writeBigUInt64LE(0x08000000n, rec + 32 + 8);
  blob.writeBigUInt64LE(0x10000n, rec + 32 + 16);
  blob.writeUInt32LE(3, rec + 64);
  blob.writeBigUInt64LE(0x080a0000n, rec + 64 + 8);
  blob.writeBigUInt64LE(0x20000n, rec + 64 + 16);
  const run = initVm(blob, 0);
  if (run.rc !== 0) {
    assert.match(run.console.join(""), /unknown device kind/,
      `the core refused a GICv3 for another reason than its device kind (rc ${run.rc}):\n${run.console.join("")}`);
  }
  gicSupport = run.rc === 0;
  return gicSupport;
}

/** `blob` with every VM's GICv3 records (kinds 2 and 3) taken out. */
function withoutGic(blob: Buffer): Buffer {
  const b = Buffer.from(blob);
  for (let i = 0; i < b.readUInt32LE(8); i++) {
    const rec = 16 + i * 640;
    const n = b.readUInt32LE(rec + 32);
    const keep: Buffer[] = [];
    for (let k = 0; k < n; k++) {
      const d = b.subarray(rec + 320 + k * 32, rec + 320 + (k + 1) * 32);
      if (d.readUInt32LE(0) !== 2 && d.readUInt32LE(0) !== 3) keep.push(Buffer.from(d));
    }
    b.fill(0, rec + 320, rec + 576);
    keep.forEach((d, k) => d.copy(b, rec + 320 + k * 32));
    b.writeUInt32LE(keep.length, rec + 32);
  }
  return b;
}

function assertAccepted(set: VmSet, blob: Uint8Array, what: string): void {
  set.vms.forEach((vm, i) => {
    const run = initVm(blob, i);
    assert.equal(run.rc, 0, `${what}: wv_init(${i}) = ${run.rc}; core said:\n${run.console.join("")}`);
  });
}

describe("the core accepts the encoded configs", () => {
  for (const name of ["demo", "bench", "example", "linux", "mvm-net"]) {
    test(`${name}.json: wv_init returns 0 for every VM`, (t) => {
      const set = loadVmConfig(join(VMCONFIGS, `${name}.json`), sb.board, sb.resolve);
      const blob = encodeBlob(set);
      if (hasGic(set) && !coreAcceptsGic()) {
        assertAccepted(set, withoutGic(blob), `${name} without its GICv3 records`);
        return t.skip(`${NO_GIC}: accepted with its GICv3 records left out`);
      }
      assertAccepted(set, blob, name);
    });
  }

  test("linux-gicv2.json, on its GICv2 board: wv_init returns 0 (a GICv2 distributor and CPU interface, kinds 4 and 5)", () => {
    const set = loadVmConfig(join(VMCONFIGS, "linux-gicv2.json"), { resolveImage: sb.resolve });
    assertAccepted(set, encodeBlob(set), "linux-gicv2");
  });

  test("a core without the virtual GIC refuses a GICv3 by its device kind, naming the record", (t) => {
    if (coreAcceptsGic()) return t.skip("build/core.wasm accepts a GICv3");
    const set = loadVmConfig(join(VMCONFIGS, "linux.json"), sb.board, sb.resolve);
    const run = initVm(encodeBlob(set), 0);
    assert.equal(run.rc, -1);
    assert.match(run.console.join(""), /vm config: unknown device kind \(vm 0, item 0\)/);
  });

  test("linux.json: the core loads kernel, initrd and device tree at their IPAs and enters the kernel with x0 = the device tree", () => {
    const set = loadVmConfig(join(VMCONFIGS, "linux.json"), sb.board, sb.resolve);
    const vm = set.vms[0]!;
    const blob = encodeBlob(set);
    const run = initVm(coreAcceptsGic() ? blob : withoutGic(blob), 0);
    assert.equal(run.rc, 0, run.console.join(""));
    assert.deepEqual(run.images, vm.images.map((im, i) => [i, im.ipa]));
    assert.deepEqual(run.boots, [[0, 0x40200000n, 0x40000000n]]);
  });

  test("demo.json: the core loads each VM's image at its ipa and boots vCPU 0 at its entry", () => {
    const set = loadVmConfig(join(VMCONFIGS, "demo.json"), sb.board, sb.resolve);
    const blob = encodeBlob(set);
    set.vms.forEach((vm, i) => {
      const run = initVm(blob, i);
      assert.equal(run.rc, 0);
      assert.ok(run.activated, "stage 2 not activated");
      assert.deepEqual(run.images, [[i, 0x40000000n]]);
      assert.deepEqual(run.boots, [[0, vm.entry, 0n]]);
    });
  });

  test("the harness does see a refusal: a blob whose VMs share PA is refused", () => {
    const set = loadVmConfig(join(VMCONFIGS, "demo.json"), sb.board, sb.resolve);
    const blob = encodeBlob(set);
    blob.writeBigUInt64LE(0x50000000n, 16 + 640 + 64 + 8); // counter's region 0 pa := basic's
    const run = initVm(blob, 0);
    assert.equal(run.rc, -1);
    assert.match(run.console.join(""), /vm config: regions of two VMs overlap in PA space/);
  });

  test("every mutated demo.json the tools accept is accepted by the core", () => {
    let n = 0;
    mutatedConfigs(configData("demo"), 0xc0de, 300).forEach((text, i) => {
      let set: VmSet;
      try {
        set = loadVmConfig(sb.write(text, `core-fuzz-${i}.json`), sb.board, sb.resolve);
      } catch (e) {
        assert.ok(e instanceof VmConfigError, String(e));
        return;
      }
      if (hasGic(set) && !coreAcceptsGic()) return;
      assertAccepted(set, encodeBlob(set), `mutation ${i}:\n${text}\n`);
      n++;
    });
    assert.ok(n >= 10, `only ${n} mutations accepted`);
  });
});
