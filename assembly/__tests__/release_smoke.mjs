// Smoke test of the built core module (build/core.wasm) against docs/abi.md section 2:
// its imports are only `wv` functions of the ABI, its exports are exactly the ABI's,
// and a VM built from a one-VM blob answers a null hypercall and prints PL011 output.
// Then the second build variant beside it (core-v2.wasm): it says variant 2 and 0.2.0,
// has the same imports and exports, restores the first variant's state by converting
// it, saves in the first variant's version for a rollback, and the first refuses its own.
// Both restore a blob without the virtio section, as a module with two sections wrote it.
// Run: node assembly/__tests__/release_smoke.mjs [build/core.wasm]
import { existsSync, readFileSync } from "node:fs";
import assert from "node:assert/strict";
import { createFakeHost } from "./fake_host.js";

const ABI_IMPORTS = ["console_write", "now", "counter_freq", "s2_table_new", "s2_set_entry",
  "s2_activate", "guest_read", "guest_write", "image_load", "vcpu_boot", "sysreg_write", "sysreg_read", "vm_stop", "pcpu_of",
  "lr_count", "lr_read", "lr_write", "ich_hcr_write", "ich_status", "vcpu_kick", "irq_set", "chan_send",
  "pmu_read", "pmu_write"];
const ABI_EXPORTS = ["memory", "wv_abi_version", "wv_state_version", "wv_buffer", "wv_init",
  "wv_exit_record", "wv_handle_exit", "wv_nop", "wv_reset", "wv_state_size", "wv_save", "wv_restore",
  "wv_console_input", "wv_chan_buffer", "wv_chan_push", "wv_state_buffer", "wv_save_as", "wv_state_restorable",
  "wv_self_check", "wv_vm_info", "wv_core_version", "wv_variant"];

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
assert.equal(ex.wv_abi_version(), 3);
assert.equal(ex.wv_variant(), 1, "build/core.wasm is variant 1");
assert.equal(ex.wv_core_version(), 0x000100, "variant 1 is 0.1.0");

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

// Saved state, read and rewritten from docs/abi.md section 2 ("Saved state"): format 3, a
// 24-byte header, a table of 24-byte records (id, version, offset, length, checksum), sections
// at 8-byte boundaries.
/** Format 3's checksum: FNV-1a 64-bit steps over little-endian words, then bytes, folded to 32 bits. */
const sum3 = (bytes) => {
  const P = 0x100000001b3n, M = (1n << 64n) - 1n;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let h = 0xcbf29ce484222325n, i = 0;
  for (; i + 8 <= bytes.length; i += 8) h = ((h ^ v.getBigUint64(i, true)) * P) & M;
  for (; i < bytes.length; i++) h = ((h ^ BigInt(bytes[i])) * P) & M;
  return Number((h ^ (h >> 32n)) & 0xffffffffn);
};
/** [id, layout version] of each section of a format 3 blob, in table order. */
function sectionsOf(bytes) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return Array.from({ length: v.getUint32(16, true) },
    (_, k) => [v.getUint32(24 + 24 * k, true), v.getUint32(28 + 24 * k, true)]);
}
/** The format 3 blob `bytes` without section `id`, every offset and checksum made anew. */
function withoutSection(bytes, id) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const parts = [];
  for (let k = 0; k < v.getUint32(16, true); k++) {
    const r = 24 + 24 * k;
    if (v.getUint32(r, true) === id) continue;
    const off = v.getUint32(r + 8, true);
    const data = bytes.slice(off, off + v.getUint32(r + 12, true));
    parts.push({ id: v.getUint32(r, true), version: v.getUint32(r + 4, true), data });
  }
  const align8 = (n) => (n + 7) & ~7;
  let end = 24 + 24 * parts.length;
  const offsets = parts.map((p) => { const o = align8(end); end = o + p.data.length; return o; });
  const out = new Uint8Array(end);
  const w = new DataView(out.buffer);
  w.setUint32(0, 0x54535657, true);
  w.setUint32(4, 3, true);
  w.setUint32(8, end, true);
  w.setUint32(16, parts.length, true);
  parts.forEach((p, k) => {
    const r = 24 + 24 * k;
    out.set(p.data, offsets[k]);
    w.setUint32(r, p.id, true);
    w.setUint32(r + 4, p.version, true);
    w.setUint32(r + 8, offsets[k], true);
    w.setUint32(r + 12, p.data.length, true);
    w.setUint32(r + 16, sum3(p.data), true);
  });
  w.setUint32(12, sum3(out.subarray(16, 24 + 24 * parts.length)), true);
  return out;
}

// Save (into the module's state buffer), then restore into a second, fresh instance.
const version = ex.wv_state_version();
const size = ex.wv_state_size();
const sbuf = ex.wv_state_buffer(size);
assert.ok(sbuf > 0 && ex.wv_state_buffer(1 << 20) === 0);
assert.equal(ex.wv_save(sbuf, size), size);
const saved = new Uint8Array(ex.memory.buffer, sbuf, size).slice();
assert.equal(new DataView(saved.buffer).getUint32(4, true), 3, "saved-state format 3");
assert.equal(version, 0x010203, "variant 1 saves state version 0x010203 (core 3, vGIC 2, virtio 1)");
assert.deepEqual(sectionsOf(saved), [[1, 3], [2, 2], [3, 1]], "the core, vGIC and virtio sections");
const second = new WebAssembly.Instance(module, { wv: host.imports.wv }).exports;
const put = (inst, bytes) => {
  const at = inst.wv_state_buffer(bytes.length);
  new Uint8Array(inst.memory.buffer, at, bytes.length).set(bytes);
  return at;
};
const at2 = put(second, saved);
assert.equal(second.wv_restore(at2, size, version + 1), -204);
assert.equal(second.wv_restore(at2, size, version), 0);
assert.equal(second.wv_self_check(), 0);
assert.equal(second.wv_restore(at2, size, version), 0, "a staged instance takes a second restore");

// A blob of a module with the core and vGIC sections only (state version 0x0203): restored,
// the virtio device from a reset.
const twoSections = withoutSection(saved, 3);
assert.deepEqual(sectionsOf(twoSections), [[1, 3], [2, 2]]);
assert.equal(ex.wv_state_restorable(0x0203), 1);
const third = new WebAssembly.Instance(module, { wv: createFakeHost().imports.wv }).exports;
assert.equal(third.wv_restore(put(third, twoSections), twoSections.length, version), -204,
  "the blob has no virtio section");
assert.equal(third.wv_restore(put(third, twoSections), twoSections.length, 0x0203), 0);
assert.equal(third.wv_self_check(), 0);

// What management sees (the 88-byte VM info record): one HVC, three PL011 writes, one IRQ.
function vmInfo(inst) {
  const at = inst.wv_state_buffer(88);
  assert.equal(inst.wv_vm_info(at, 87), -202);
  assert.equal(inst.wv_vm_info(at, 88), 88);
  const v = new DataView(inst.memory.buffer, at, 88);
  const name = Buffer.from(new Uint8Array(inst.memory.buffer, at, 16)).toString("latin1").replace(/\0+$/, "");
  const exits = [0, 1, 2, 3, 4, 5].map((i) => Number(v.getBigUint64(40 + 8 * i, true)));
  return { name, type: v.getUint32(16, true), state: v.getUint32(20, true), vcpus: v.getUint32(24, true),
    on: v.getUint32(28, true), ram: Number(v.getBigUint64(32, true)), exits };
}
const info = { name: "smoke", type: 1, state: 1, vcpus: 1, on: 1, ram: 0x08000000, exits: [3, 1, 0, 0, 1, 0] };
assert.deepEqual(vmInfo(ex), info);
assert.deepEqual(vmInfo(second), info, "the exit counters survive save and restore");
assert.deepEqual(vmInfo(third), info, "and a restore from a blob without the virtio section");

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
assert.equal(second.wv_restore(at2, size, version), -208, "no restore over an instance that ran an exit");

// ---- The second build variant, built beside this one ----
const path2 = path.replace(/core\.wasm$/, "core-v2.wasm");
assert.ok(path2 !== path && existsSync(path2), `the second variant ${path2} is built beside ${path}`);
assert.notDeepEqual(readFileSync(path2), readFileSync(path), "the two variants are different modules");
const module2 = new WebAssembly.Module(readFileSync(path2));
const names = (list) => list.map((e) => `${e.module ?? ""}.${e.name}`).sort();
assert.deepEqual(names(WebAssembly.Module.imports(module2)).filter((n) => !n.startsWith("wv.")), [], "variant 2 imports only wv");
assert.deepEqual(names(WebAssembly.Module.exports(module2)), names(WebAssembly.Module.exports(module)), "both variants export the same");
const instance2 = () => {
  const h = createFakeHost();
  const i = new WebAssembly.Instance(module2, { wv: h.imports.wv }).exports;
  h.setMemory(i.memory);
  return i;
};
const b = instance2();
assert.equal(b.wv_variant(), 2, `${path2} is variant 2`);
assert.equal(b.wv_core_version(), 0x000200, "variant 2 is 0.2.0");
assert.equal(b.wv_abi_version(), 3);
const version2 = b.wv_state_version();
assert.equal(version2, 0x010204, "variant 2 saves state version 0x010204 (core 4, vGIC 2, virtio 1)");
assert.equal(b.wv_state_restorable(0x0203), 1, "variant 2 restores a blob without the virtio section");
assert.equal(ex.wv_state_restorable(0x0204), 0, "variant 1 does not restore core layout 4");
assert.equal(b.wv_state_restorable(version), 1, "variant 2 restores variant 1's state");
assert.equal(ex.wv_state_restorable(version2), 0, "variant 1 does not restore variant 2's");

// Update: variant 1's state into variant 2, converted (the exit counters widen).
const atB = put(b, saved);
assert.equal(b.wv_restore(atB, size, version), 0);
assert.equal(b.wv_self_check(), 0);
assert.deepEqual(vmInfo(b), info, "the VM as variant 1 left it");
const b2 = instance2();
assert.equal(b2.wv_restore(put(b2, twoSections), twoSections.length, 0x0203), 0);
assert.equal(b2.wv_self_check(), 0);
assert.deepEqual(vmInfo(b2), info, "variant 2 from a blob without the virtio section");

// A hypercall only variant 2 answers: WV_HC_FEATURES (x0 = 0, x1 = feature bits).
function hvc(inst, id) {
  const r = new DataView(inst.memory.buffer, inst.wv_exit_record(), 320);
  for (let i = 0; i < 320; i += 8) r.setBigUint64(i, 0n, true);
  r.setBigUint64(264, (0x16n << 26n) | IL, true);
  r.setBigUint64(0, id, true);
  r.setBigUint64(248, 0x40080000n, true);
  assert.equal(inst.wv_handle_exit(0), 0);
  const after = new DataView(inst.memory.buffer, inst.wv_exit_record(), 320);
  return [after.getBigUint64(0, true), after.getBigUint64(8, true)];
}
const [x0, x1] = hvc(b, 0xc6000005n);
assert.equal(x0, 0n, "variant 2 has WV_HC_FEATURES");
assert.ok(x1 !== 0n, "with some feature bits");
assert.equal(hvc(second, 0xc6000005n)[0], 0xffffffffn, "variant 1 answers NOT_SUPPORTED");
assert.equal(b.wv_restore(atB, size, version), -208, "variant 2 ran an exit: no restore over it");

// Rollback: variant 2 writes variant 1's version; variant 1 takes that, and refuses variant 2's own.
const size2 = b.wv_state_size();
assert.ok(size2 > size, "variant 2's state is larger (64-bit counters)");
const own2 = b.wv_state_buffer(size2);
assert.equal(b.wv_save(own2, size2), size2);
const ownBytes = new Uint8Array(b.memory.buffer, own2, size2).slice();
assert.deepEqual(sectionsOf(ownBytes), [[1, 4], [2, 2], [3, 1]]);
const back = new WebAssembly.Instance(module, { wv: createFakeHost().imports.wv }).exports;
assert.equal(back.wv_restore(put(back, ownBytes), size2, version2), -204, "variant 1 refuses variant 2's version");
assert.equal(b.wv_save_as(own2, size2, version2 + 0x100), -204, "no version this module cannot write");
assert.equal(b.wv_save_as(own2, size2, 0x0203), -204,
  "every section is written: no blob without the virtio section");
const asV1 = b.wv_save_as(own2, size2, version);
assert.equal(asV1, size, "variant 2 saves in variant 1's version, as large as variant 1's own");
const downBytes = new Uint8Array(b.memory.buffer, own2, asV1).slice();
assert.equal(back.wv_restore(put(back, downBytes), asV1, version), 0);
assert.equal(back.wv_self_check(), 0);
assert.deepEqual(vmInfo(back), { ...info, exits: [3, 2, 0, 0, 1, 0] }, "the hypercall variant 2 took is counted");

console.log(`release smoke test passed: ${path} (${exported.length - 1} exports, state ${size} bytes) and ${path2} (variant 2, state ${size2} bytes)`);
