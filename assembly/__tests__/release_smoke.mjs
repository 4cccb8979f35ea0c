// Smoke test of the built core module (build/core.wasm) against docs/abi.md section 2:
// its imports are only `wv` functions of the ABI, its exports are exactly the ABI's,
// and a VM built from a one-VM blob answers a null hypercall and prints PL011 output.
// Run: node assembly/__tests__/release_smoke.mjs [build/core.wasm]
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import { createFakeHost } from "./fake_host.js";

const ABI_IMPORTS = ["console_write", "now", "counter_freq", "s2_table_new", "s2_set_entry",
  "s2_activate", "guest_read", "guest_write", "image_load", "vcpu_boot", "sysreg_write", "vm_stop", "pcpu_of",
  "lr_count", "lr_read", "lr_write", "ich_hcr_write", "ich_status", "vcpu_kick", "irq_set"];
const ABI_EXPORTS = ["memory", "wv_abi_version", "wv_state_version", "wv_buffer", "wv_init",
  "wv_exit_record", "wv_handle_exit", "wv_nop", "wv_reset", "wv_state_size", "wv_save", "wv_restore",
  "wv_console_input"];

const path = process.argv[2] ?? "build/core.wasm";
const module = new WebAssembly.Module(readFileSync(path));

for (const imp of WebAssembly.Module.imports(module)) {
  assert.equal(imp.module, "wv", `import ${imp.module}.${imp.name} is outside the wv module`);
  assert.ok(ABI_IMPORTS.includes(imp.name), `import wv.${imp.name} is not in the ABI`);
}
const exported = WebAssembly.Module.exports(module).map((e) => e.name).sort();
assert.deepEqual(exported, [...ABI_EXPORTS].sort(), "exports differ from the ABI");

const host = createFakeHost();
const instance = new WebAssembly.Instance(module, { wv: host.imports.wv });
const ex = instance.exports;
host.setMemory(ex.memory);
const fake = host.imports.wvfake;
assert.equal(ex.wv_abi_version(), 1);

// One VM "smoke": 128 MiB RWX RAM at IPA 0x40000000, PL011 at 0x09000000.
const blob = new DataView(new ArrayBuffer(16 + 640));
blob.setUint32(0, 0x46435657, true);
blob.setUint32(4, 1, true);
blob.setUint32(8, 1, true);
blob.setUint32(12, 16 + 640, true);
const vm = 16;
"smoke".split("").forEach((c, i) => blob.setUint8(vm + i, c.charCodeAt(0)));
blob.setUint32(vm + 16, 1, true);           // type gvm
blob.setUint32(vm + 20, 1, true);           // vcpu_count
blob.setUint32(vm + 24, 1, true);           // pcpu_mask
blob.setUint32(vm + 28, 1, true);           // region_count
blob.setUint32(vm + 32, 1, true);           // device_count
blob.setUint32(vm + 36, 1, true);           // image_count
blob.setBigUint64(vm + 40, 0x40080000n, true);
blob.setBigUint64(vm + 48, 0x40000000n, true);
blob.setBigUint64(vm + 64, 0x40000000n, true);
blob.setBigUint64(vm + 72, 0x48000000n, true);
blob.setBigUint64(vm + 80, 0x08000000n, true);
blob.setUint32(vm + 88, 7, true);
blob.setUint32(vm + 320, 1, true);
blob.setBigUint64(vm + 328, 0x09000000n, true);
blob.setBigUint64(vm + 336, 0x1000n, true);
blob.setBigUint64(vm + 584, 0x40080000n, true);

const buf = ex.wv_buffer(blob.byteLength);
assert.ok(buf > 0);
new Uint8Array(ex.memory.buffer, buf, blob.byteLength).set(new Uint8Array(blob.buffer));
assert.equal(ex.wv_init(0, buf, blob.byteLength), 0);

const rec = ex.wv_exit_record();
const view = () => new DataView(ex.memory.buffer, rec, 320);
const IL = 1n << 25n;

// HVC #0 with WV_HC_NULL: x0 becomes 0, PC unchanged.
view().setBigUint64(264, (0x16n << 26n) | IL, true);
view().setBigUint64(0, 0xc6000000n, true);
view().setBigUint64(248, 0x40080000n, true);
assert.equal(ex.wv_handle_exit(0), 0);
assert.equal(view().getBigUint64(0, true), 0n);
assert.equal(view().getBigUint64(248, true), 0x40080000n);

// STRB w1, [UARTDR] for "ok\n": ISV, SAS 0, SRT 1, WnR.
for (const ch of "ok\n") {
  view().setBigUint64(264, (0x24n << 26n) | IL | (1n << 24n) | (1n << 16n) | (1n << 6n) | 7n, true);
  view().setBigUint64(280, (0x09000000n >> 12n) << 4n, true);
  view().setBigUint64(272, 0n, true);
  view().setBigUint64(8, BigInt(ch.charCodeAt(0)), true);
  assert.equal(ex.wv_handle_exit(0), 0);
}
// An IRQ exit for the kick SGI (flags bit 0, INTID at 304; ESR left from the last exit on
// purpose: only the flag makes it an IRQ exit): resume, PC unchanged, nothing stopped.
view().setBigUint64(264, (0x16n << 26n) | IL, true);
view().setUint32(292, 1, true);
view().setUint32(304, 8, true);
view().setBigUint64(248, 0x40080000n, true);
view().setBigUint64(0, 0xc6000001n, true);
assert.equal(ex.wv_handle_exit(0), 0);
assert.equal(view().getBigUint64(248, true), 0x40080000n);
assert.equal(view().getBigUint64(0, true), 0xc6000001n, "an IRQ exit is not a hypercall");
assert.equal(fake.stop_count(), 0);
view().setUint32(292, 0, true);

const out = new Uint8Array(ex.memory.buffer);
const lines = [];
for (let i = 0; i < fake.console_count(); i++) {
  const n = fake.console_get(i, 60000, 512);
  lines.push(Buffer.from(out.slice(60000, 60000 + n)).toString("latin1"));
}
assert.equal(lines.at(-1), "[smoke] ok\n");

// Save, then restore into a second, fresh instance.
const size = ex.wv_state_size();
const saved = new Uint8Array(ex.memory.buffer, 32768, size);
assert.equal(ex.wv_save(32768, size), size);
const second = new WebAssembly.Instance(module, { wv: host.imports.wv }).exports;
new Uint8Array(second.memory.buffer, 32768, size).set(saved);
assert.equal(second.wv_restore(32768, size, 3), -204);
assert.equal(second.wv_restore(32768, size, 2), 0);

// Console input: into the PL011's receive FIFO, read back through UARTDR (LDR w1, [UARTDR]).
assert.equal(second.wv_console_input(0x41), 0);
assert.equal(second.wv_console_input(0x100), -2);
const rec2 = second.wv_exit_record();
const view2 = new DataView(second.memory.buffer, rec2, 320);
view2.setBigUint64(264, (0x24n << 26n) | IL | (1n << 24n) | (2n << 22n) | (1n << 16n) | 7n, true);
view2.setBigUint64(280, (0x09000000n >> 12n) << 4n, true);
view2.setBigUint64(272, 0n, true);
view2.setUint32(292, 0, true);
assert.equal(second.wv_handle_exit(0), 0);
assert.equal(new DataView(second.memory.buffer, rec2, 320).getBigUint64(8, true), 0x41n, "UARTDR gives the byte typed");

console.log(`release smoke test passed: ${path} (${exported.length - 1} exports, state ${size} bytes)`);
