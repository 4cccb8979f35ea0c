// Malformed VM configs that get past tools/ (the image is linked from a raw blob)
// must be refused by the runtime or the core with a message naming what is wrong;
// the hypervisor itself must stay up and run the VMs that are fine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildImage, linkImage } from "../../tools/build/image.ts";
import { setup } from "../../tools/setup/index.ts";
import { buildCore } from "../../tools/build/core.ts";
import { runQemu } from "../../tools/run/qemu.ts";
import { tail, noLine } from "./boot.ts";
import { readFileSync } from "node:fs";

const TIMEOUT_MS = 60_000;
const RECORD = 640, HEADER = 16;

async function bootBlob(name: string, mutate: (b: Buffer) => void, until: { test(l: string): boolean }) {
  const demo = buildImage("demo");
  const { wasm3Dir } = setup();
  const blob = readFileSync(demo.blob);
  mutate(blob);
  const elf = linkImage(name, blob, demo.images, wasm3Dir, buildCore(), demo.board.name, { native: true });
  const r = await runQemu({ elf, machine: demo.board.qemu, timeoutMs: TIMEOUT_MS, onLine: (l) => until.test(l) });
  assert.equal(r.end, "done", `waited for a line matching ${until}; run ended "${r.end}":\n${tail(r.lines)}`);
  return r.lines;
}

test("a blob with a bad magic is rejected as a whole and no VM starts", async () => {
  const L = await bootBlob("bad-magic", (b) => b.writeUInt32LE(0xdeadbeef, 0),
    /built-in VM config rejected/);
  assert.ok(L.some((l) => l === "[wasmvisor] built-in VM config rejected: config blob: bad magic; no VM started"), tail(L));
  noLine(L, /PANIC/, "the hypervisor did not panic");
});

test("a VM whose memory overlaps the hypervisor's is refused by name", async () => {
  // vm 1's region 0 PA moved into the hypervisor's own memory (0x40000000..0x4fffffff).
  const L = await bootBlob("bad-pa", (b) => b.writeBigUInt64LE(0x48000000n, HEADER + RECORD + 64 + 8),
    /config rejected|PANIC/);
  assert.ok(L.some((l) => /built-in VM config rejected: config blob: region overlaps the hypervisor's memory/.test(l)), tail(L));
  noLine(L, /PANIC/, "the hypervisor did not panic");
});

test("an entry point outside executable memory stops only that VM, named by the core", async () => {
  // vm 1 (counter): entry_ipa moved outside its RAM. The runtime's ownership parse
  // accepts it (the entry point is policy); the core's validator must refuse it,
  // and vm 0 (basic) must start all the same.
  let refused = false, basicReady = false;
  const L = await bootBlob("bad-entry", (b) => b.writeBigUInt64LE(0x10000000n, HEADER + RECORD + 40), {
    test: (l: string) => {
      if (/vm counter not started/.test(l)) refused = true;
      if (l === "[basic] READY basic") basicReady = true;
      return (refused && basicReady) || /PANIC/.test(l);
    },
  });
  assert.ok(L.some((l) => /\[wasmvisor\] vm config: entry_ipa not 4-byte aligned inside an executable region \(vm 1\)/.test(l)), tail(L));
  assert.ok(L.some((l) => /\[wasmvisor\] vm counter not started/.test(l)), tail(L));
  assert.ok(L.includes("[basic] READY basic"), "vm basic started although vm counter's record is bad\n" + tail(L));
  noLine(L, /PANIC/, "the hypervisor did not panic");
});

test("an SPI passed through to two VMs is refused as a whole: a physical interrupt belongs to one VM", async () => {
  // Each demo VM gets a passthrough frame (device kind 6) of QEMU's virtio-mmio area, both with SPI 79.
  const frame = (b: Buffer, vm: number, pa: bigint) => {
    const rec = HEADER + vm * RECORD;
    const n = b.readUInt32LE(rec + 32);
    const d = rec + 320 + n * 32;
    b.writeUInt32LE(n + 1, rec + 32);
    b.writeUInt32LE(6, d);
    b.writeUInt32LE(79, d + 4);
    b.writeBigUInt64LE(pa, d + 8);
    b.writeBigUInt64LE(0x1000n, d + 16);
    b.writeBigUInt64LE(pa, d + 24);
  };
  // Passthrough is for identity-mapped management VMs only (checked before the SPI): make
  // both VMs so, their RAM at IPA = PA, so that the shared SPI is what is refused.
  const identityMvm = (b: Buffer, vm: number) => {
    const rec = HEADER + vm * RECORD;
    b.writeUInt32LE(0, rec + 16);
    b.writeBigUInt64LE(b.readBigUInt64LE(rec + 64 + 8), rec + 64);
  };
  const L = await bootBlob("shared-spi", (b) => {
    identityMvm(b, 0); identityMvm(b, 1);
    frame(b, 0, 0x0a003000n); frame(b, 1, 0x0a002000n);
  }, /config rejected|PANIC/);
  assert.ok(L.some((l) => l === "[wasmvisor] built-in VM config rejected: config blob: two VMs own the same SPI; no VM started"), tail(L));
  noLine(L, /PANIC/, "the hypervisor did not panic");
});
