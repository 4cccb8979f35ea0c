// The blobs encodeBlob makes are accepted by the core itself: build/core.wasm
// (built here with the asc CLI when absent) gets each blob through wv_buffer and
// builds every VM of it with wv_init, against fake `wv` imports (docs/abi.md section 2).
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
    sysreg_read: () => 0n,
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


function assertAccepted(set: VmSet, blob: Uint8Array, what: string): void {
  set.vms.forEach((vm, i) => {
    const run = initVm(blob, i);
    assert.equal(run.rc, 0, `${what}: wv_init(${i}) = ${run.rc}; core said:\n${run.console.join("")}`);
  });
}

describe("the core accepts the encoded configs", () => {
  for (const name of ["demo", "bench", "example", "linux", "mvm-net", "overcommit"]) {
    test(`${name}.json: wv_init returns 0 for every VM`, () => {
      const set = loadVmConfig(join(VMCONFIGS, `${name}.json`), sb.board, sb.resolve);
      assertAccepted(set, encodeBlob(set), name);
    });
  }

  test("linux-gicv2.json, on its GICv2 board: wv_init returns 0 (a GICv2 distributor and CPU interface, kinds 4 and 5)", () => {
    const set = loadVmConfig(join(VMCONFIGS, "linux-gicv2.json"), { resolveImage: sb.resolve });
    assertAccepted(set, encodeBlob(set), "linux-gicv2");
  });

  test("linux.json: the core loads kernel, initrd and device tree at their IPAs and enters the kernel with x0 = the device tree", () => {
    const set = loadVmConfig(join(VMCONFIGS, "linux.json"), sb.board, sb.resolve);
    const vm = set.vms[0]!;
    const blob = encodeBlob(set);
    const run = initVm(blob, 0);
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
      assertAccepted(set, encodeBlob(set), `mutation ${i}:\n${text}\n`);
      n++;
    });
    assert.ok(n >= 10, `only ${n} mutations accepted`);
  });
});
