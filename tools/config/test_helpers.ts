// Shared by the tests of tools/config: temporary config and image files, error
// assertions, and a check of a blob against docs/abi.md section 1 that reads the
// bytes itself (independent of blob.ts).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadBoard } from "./board.ts";
import { VmConfigError } from "./errors.ts";
import type { BoardDescription, ImageResolver } from "./types.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const VMCONFIGS = join(ROOT, "vmconfigs");

/**
 * An arm64 Linux Image header (Documentation/arch/arm64/booting.rst) on `size` bytes
 * of filler: text_offset at 0x08, image_size at 0x10, flags at 0x18, "ARM\x64" at 0x38.
 */
export function fakeKernel(size: number, imageSize: bigint, textOffset = 0n, flags = 0xan): Buffer {
  const b = Buffer.alloc(size, 0xa5);
  b.fill(0, 0, 64);
  b.writeBigUInt64LE(textOffset, 0x08);
  b.writeBigUInt64LE(imageSize, 0x10);
  b.writeBigUInt64LE(flags, 0x18);
  b.write("ARM\x64", 0x38, "latin1");
  return b;
}

/** Stand-in kernels: 24 MiB files whose image_size (bss included) is 26 MiB. */
export const KERNEL_FILE_SIZE = 24 << 20;
export const KERNEL_IMAGE_SIZE = 26n << 20n;
/** The stand-in initramfs. */
export const INITRD_SIZE = (1 << 20) + 100;

/** The stand-in image files the tests resolve names to: a size (filled with 0xa5) or the bytes. */
export const IMAGE_FILES: Record<string, number | Buffer> = {
  "guest-fault.bin": 1536,
  "guest-counter.bin": 2048,
  "guest-bench.bin": 4100,
  Image: fakeKernel(KERNEL_FILE_SIZE, KERNEL_IMAGE_SIZE),
  "linux/Image": fakeKernel(KERNEL_FILE_SIZE, KERNEL_IMAGE_SIZE),
  "initramfs.cpio": INITRD_SIZE,
  "linux.dtb": 9 << 10,
  "huge.bin": (16 << 20) + 1,
  "empty.bin": 0,
};

/** Sizes of the stand-in image files. */
export const IMAGE_SIZES: Record<string, number> = Object.fromEntries(
  Object.entries(IMAGE_FILES).map(([k, v]) => [k, typeof v === "number" ? v : v.length]));

export interface Sandbox {
  dir: string;
  board: BoardDescription;
  resolve: ImageResolver;
  /** Write `config` (an object, or raw text) to a new file in the sandbox; returns its path. */
  write(config: unknown, name?: string): string;
  cleanup(): void;
}

export function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "wv-config-test-"));
  for (const [name, v] of Object.entries(IMAGE_FILES)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), typeof v === "number" ? Buffer.alloc(v, 0xa5) : v);
  }
  let n = 0;
  return {
    dir,
    board: loadBoard("qemu-virt"),
    resolve: (name) => (name in IMAGE_FILES ? join(dir, name) : null),
    write(config, name) {
      const p = join(dir, name ?? `config-${n++}.json`);
      writeFileSync(p, typeof config === "string" ? config : JSON.stringify(config, null, 2));
      return p;
    },
    cleanup() { rmSync(dir, { recursive: true, force: true }); },
  };
}

/** Config data as a test edits it. */
export type Json = any;

/** A fresh copy of vmconfigs/<name>.json as plain data. */
export function configData(name: string): Json {
  return JSON.parse(readFileSync(join(VMCONFIGS, `${name}.json`), "utf8"));
}

/** The messages of the VmConfigError `fn` throws (fails when it throws anything else or nothing). */
export function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof VmConfigError, `expected a VmConfigError, got ${String(e)}`);
    assert.ok(e.errors.length > 0, "a VmConfigError with no messages");
    return [...e.errors];
  }
  return assert.fail("expected a VmConfigError, but the config was accepted");
}

/** One of `errors` is "<file>: <path>: <message matching pattern>". */
export function assertError(errors: string[], file: string, path: string, pattern: RegExp): void {
  const prefix = `${file}: ${path}: `;
  const hit = errors.some((e) => e.startsWith(prefix) && pattern.test(e.slice(prefix.length)));
  assert.ok(hit, `no error "${prefix}${pattern.source}" among:\n  ${errors.join("\n  ")}`);
}

const NAME_CHAR = /^[a-z0-9_-]$/;
const IPA_LIMIT = 1n << 39n;

/**
 * Every way `blob` breaks docs/abi.md section 1 (and the ownership rules the runtime
 * checks again at boot, for `board`); empty when it is well formed. Reads the bytes
 * at the offsets the document gives.
 */
export function blobProblems(blob: Uint8Array, board: BoardDescription, imageCount = 64): string[] {
  const p: string[] = [];
  const v = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.byteLength < 16) return ["shorter than the header"];
  if (v.getUint32(0, true) !== 0x46435657) p.push("magic");
  if (v.getUint32(4, true) !== 1) p.push("version");
  const count = v.getUint32(8, true);
  if (count < 1 || count > 8) return [...p, `vm_count ${count}`];
  const total = v.getUint32(12, true);
  if (total !== 16 + count * 640 || total !== blob.byteLength) return [...p, `total_size ${total}`];
  const within = (a: bigint, n: bigint, b: bigint, m: bigint): boolean => a >= b && a + n <= b + m;
  const overlap = (a: bigint, n: bigint, b: bigint, m: bigint): boolean => a < b + m && b < a + n;
  const pas: [bigint, bigint, string][] = [];
  const frames: [bigint, bigint, string][] = [];
  for (let i = 0; i < count; i++) {
    const r = 16 + i * 640;
    const u32 = (o: number): number => v.getUint32(r + o, true);
    const u64 = (o: number): bigint => v.getBigUint64(r + o, true);
    const at = `vm ${i}`;
    let len = 0;
    while (len < 16 && blob[r + len] !== 0) len++;
    const name = String.fromCharCode(...blob.subarray(r, r + len));
    if (len < 1 || len > 15 || ![...name].every((c) => NAME_CHAR.test(c))) p.push(`${at}: name`);
    for (let k = len; k < 16; k++) if (blob[r + k] !== 0) p.push(`${at}: name padding`);
    if (u32(16) > 2) p.push(`${at}: type`);
    const vcpus = u32(20), mask = u32(24), nr = u32(28), nd = u32(32), ni = u32(36);
    if (vcpus < 1 || vcpus > 8) p.push(`${at}: vcpu_count`);
    let bits = 0;
    for (let c = 0; c < 32; c++) if (mask & (1 << c)) bits++;
    if (bits < vcpus) p.push(`${at}: pcpu_mask has fewer CPUs than vCPUs`);
    if (mask >>> board.cpus !== 0 && board.cpus < 32) p.push(`${at}: pcpu_mask names a CPU the board lacks`);
    if (nr < 1 || nr > 8) return [...p, `${at}: region_count`];
    if (nd > 8) return [...p, `${at}: device_count`];
    if (ni < 1 || ni > 4) return [...p, `${at}: image_count`];
    if ((u32(56) & ~3) !== 0) p.push(`${at}: flags`);
    const slice = u32(60);
    if (slice !== 0 && (slice < 1000 || slice > 1000000)) p.push(`${at}: slice_us ${slice} outside 1000..1000000`);
    const regions: { ipa: bigint; size: bigint; flags: number }[] = [];
    for (let k = 0; k < 8; k++) {
      const o = 64 + k * 32;
      const ipa = u64(o), pa = u64(o + 8), size = u64(o + 16), flags = u32(o + 24);
      if (k >= nr) {
        if (ipa || pa || size || flags || u32(o + 28)) p.push(`${at}: unused region ${k} not zero`);
        continue;
      }
      if ((ipa | pa | size) & 0xfffn) p.push(`${at}: region ${k} not 4 KiB aligned`);
      if (size === 0n) p.push(`${at}: region ${k} empty`);
      if (ipa + size > IPA_LIMIT) p.push(`${at}: region ${k} beyond 39 bits`);
      if (flags === 0 || (flags & ~7) !== 0) p.push(`${at}: region ${k} flags ${flags}`);
      if (u32(o + 28) !== 0) p.push(`${at}: region ${k} reserved`);
      if (!within(pa, size, board.ram.base, board.ram.size)) p.push(`${at}: region ${k} outside RAM`);
      if (overlap(pa, size, board.hypervisor.base, board.hypervisor.size)) p.push(`${at}: region ${k} in the hypervisor's memory`);
      for (const q of regions) if (overlap(ipa, size, q.ipa, q.size)) p.push(`${at}: region ${k} overlaps in IPA`);
      for (const [qpa, qsize, who] of pas) if (overlap(pa, size, qpa, qsize)) p.push(`${at}: region ${k} shares PA with ${who}`);
      regions.push({ ipa, size, flags });
      pas.push([pa, size, `${at} region ${k}`]);
    }
    const devices: [bigint, bigint][] = [];
    const kinds: number[] = [];
    for (let k = 0; k < 8; k++) {
      const o = 320 + k * 32;
      const kind = u32(o), irq = u32(o + 4), ipa = u64(o + 8), size = u64(o + 16), rsv = u64(o + 24);
      if (k >= nd) {
        if (kind || irq || ipa || size || rsv) p.push(`${at}: unused device ${k} not zero`);
        continue;
      }
      if (kind < 1 || kind > 7) p.push(`${at}: device ${k} kind ${kind}`);
      if (kind === 2 && size !== 0x10000n) p.push(`${at}: device ${k} GICv3 distributor size ${size}`);
      if (kind === 3 && (size === 0n || size !== 0x20000n * BigInt(vcpus))) p.push(`${at}: device ${k} redistributor size ${size}`);
      if ((kind === 2 || kind === 3) && (ipa & 0xffffn) !== 0n) p.push(`${at}: device ${k} GICv3 frame not 64 KiB aligned`);
      if ((kind === 2 || kind === 3) && irq !== 0) p.push(`${at}: device ${k} GICv3 with an irq`);
      // A virtio-console (kind 7, section 6): a 0x200-byte window, 0x200 aligned, with an SPI of the vGIC.
      if (kind === 7 && (size !== 0x200n || (ipa & 0x1ffn) !== 0n)) p.push(`${at}: device ${k} virtio-console window`);
      if (kind === 7 && (irq < 32 || irq > 255)) p.push(`${at}: device ${k} virtio-console irq ${irq} is no SPI of the vGIC`);
      if (kind === 7 && kinds.includes(7)) p.push(`${at}: device ${k} a second virtio-console`);
      if (kind !== 7 && (ipa | size) & 0xfffn) p.push(`${at}: device ${k} not 4 KiB aligned`);
      if (size === 0n) p.push(`${at}: device ${k} empty`);
      if (ipa + size > IPA_LIMIT) p.push(`${at}: device ${k} beyond 39 bits`);
      if (kind !== 6 && kind !== 5 && rsv !== 0n) p.push(`${at}: device ${k} pa of an emulated device`);
      // A GICv2 (kinds 4 and 5): only on a GICv2 board, its CPU interface exactly the board's GICV; a GICv3 only on a GICv3 board.
      if ((kind === 4 || kind === 5) && board.gic.version !== 2) p.push(`${at}: device ${k} GICv2 on a GICv${board.gic.version} board`);
      if ((kind === 2 || kind === 3) && board.gic.version !== 3) p.push(`${at}: device ${k} GICv3 on a GICv${board.gic.version} board`);
      if (kind === 4 && (size !== 0x1000n || irq !== 0)) p.push(`${at}: device ${k} GICv2 distributor size ${size} or irq ${irq}`);
      if (kind === 5 && (size !== 0x2000n || irq !== 0 || rsv !== board.gic.gicv)) p.push(`${at}: device ${k} GICv2 CPU interface is not the board's GICV`);
      if (kind === 6) {
        // A passthrough frame (its pa in the last field): inside the board's window, clear of its reserved devices.
        const w = board.passthrough?.window;
        if (rsv & 0xfffn) p.push(`${at}: device ${k} frame not 4 KiB aligned`);
        if (!w || !within(rsv, size, w.base, w.size)) p.push(`${at}: device ${k} frame outside the passthrough window`);
        for (const r of board.passthrough?.reserved ?? []) if (overlap(rsv, size, r.base, r.size)) p.push(`${at}: device ${k} is ${r.name}`);
        if (irq !== 0 && (irq < 32 || irq > 1019)) p.push(`${at}: device ${k} passthrough irq ${irq} is no SPI`);
        for (const [qpa, qsize, who] of frames) if (overlap(rsv, size, qpa, qsize)) p.push(`${at}: device ${k} frame shared with ${who}`);
        frames.push([rsv, size, `${at} device ${k}`]);
      }
      for (const q of regions) if (overlap(ipa, size, q.ipa, q.size)) p.push(`${at}: device ${k} overlaps a region`);
      for (const [qi, qs] of devices) if (overlap(ipa, size, qi, qs)) p.push(`${at}: device ${k} overlaps a device`);
      devices.push([ipa, size]);
      kinds.push(kind);
    }
    if (kinds.filter((x) => x === 2).length !== kinds.filter((x) => x === 3).length || kinds.filter((x) => x === 2).length > 1) {
      p.push(`${at}: GICv3 records do not come as one distributor and one redistributor range`);
    }
    if (kinds.filter((x) => x === 4).length !== kinds.filter((x) => x === 5).length || kinds.filter((x) => x === 4).length > 1) {
      p.push(`${at}: GICv2 records do not come as one distributor and one CPU interface`);
    }
    const inRegion = (ipa: bigint, n: bigint, flag: number): boolean =>
      regions.some((q) => within(ipa, n, q.ipa, q.size) && (q.flags & flag) === flag);
    for (let k = 0; k < 4; k++) {
      const o = 576 + k * 16;
      const index = u32(o), rsv = u32(o + 4), ipa = u64(o + 8);
      if (k >= ni) {
        if (index || rsv || ipa) p.push(`${at}: unused image ${k} not zero`);
        continue;
      }
      if (index >= imageCount) p.push(`${at}: image ${k} index ${index} past the image table`);
      if (rsv !== 0) p.push(`${at}: image ${k} reserved`);
      if (!inRegion(ipa, 1n, 0)) p.push(`${at}: image ${k} outside the regions`);
    }
    const entry = u64(40), dtb = u64(48);
    if (entry % 4n !== 0n || !inRegion(entry, 4n, 4)) p.push(`${at}: entry`);
    if (dtb !== 0n && !inRegion(dtb, 1n, 1)) p.push(`${at}: dtb`);
  }
  return p;
}

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POOL: unknown[] = [
  0, 1, -1, 8, 9, 31, 32, 33, 4096, 1.5, 2 ** 31, 2 ** 53, 0x40000000, 0x50000000,
  "", "0x0", "0x1000", "0x40000000", "0x40000004", "0x48000000", "0x50000000", "0x51000000", "0x09000000",
  "0x7fffffffff", "0xffffffffffffffff", "4K", "16M", "17M", "1G", "16MB", "rwx", "rw", "r", "x", "wx", "xr",
  "gvm", "mvm", "rtvm", "pl011", "gicv3", "basic", "counter", "Basic", "a-very-long-name-indeed",
  "guest-fault.bin", "guest-counter.bin", "huge.bin", "empty.bin", "missing.bin", "READY", "a\nb", "qemu-virt",
  null, true, false, [], {}, [1], [0, 1, 2, 3], [1, 1], { a: 1 }, { ipa: "0x40000000" },
];
const NUDGES = [1n, -1n, 4n, 0x1000n, -0x1000n, 0x800000n, 0x1000000n, -0x1000000n, 0x7000000000n];

type Slot = { parent: Json; key: string | number };

function slots(node: Json, out: Slot[] = []): Slot[] {
  if (typeof node !== "object" || node === null) return out;
  for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
    out.push({ parent: node, key });
    slots(node[key], out);
  }
  return out;
}

function containers(node: Json, out: Json[] = []): Json[] {
  if (typeof node !== "object" || node === null) return out;
  out.push(node);
  for (const v of Object.values(node)) containers(v, out);
  return out;
}

/** Change `data` (a config) in place in one random way. */
export function mutateOnce(data: Json, rnd: () => number): void {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const all = slots(data);
  if (all.length === 0) return;
  const s = pick(all);
  const v = s.parent[s.key];
  switch (Math.floor(rnd() * 6)) {
    case 0: // replace with something from the pool
      s.parent[s.key] = structuredClone(pick(POOL));
      break;
    case 1: // remove
      if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
      else delete s.parent[s.key];
      break;
    case 2: { // a property nobody defined
      const objs = containers(data).filter((c) => !Array.isArray(c));
      if (objs.length) pick(objs)[pick(["extra", "colour", "irq", "size", "access", "entry"])] = pick(POOL);
      break;
    }
    case 3: // move a number or hex string a little
      if (typeof v === "number" && Number.isSafeInteger(v)) s.parent[s.key] = Number(BigInt(v) + pick(NUDGES));
      else if (typeof v === "string" && /^0x[0-9a-fA-F]+$/.test(v)) {
        const n = BigInt(v) + pick(NUDGES);
        s.parent[s.key] = n < 0n ? v : `0x${n.toString(16)}`;
      } else s.parent[s.key] = structuredClone(pick(POOL));
      break;
    case 4: { // duplicate an element of a list
      const arrays = containers(data).filter((c) => Array.isArray(c) && c.length > 0);
      if (arrays.length) { const a = pick(arrays); a.push(structuredClone(pick(a))); }
      break;
    }
    default: { // copy one value over another
      const other = pick(all);
      s.parent[s.key] = structuredClone(other.parent[other.key]);
    }
  }
}

/** `n` variants of `base` as file text: 1 to 4 changes each, and now and then a damaged text. */
export function mutatedConfigs(base: Json, seed: number, n: number): string[] {
  const rnd = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const data = structuredClone(base);
    const changes = 1 + Math.floor(rnd() * 4);
    for (let k = 0; k < changes; k++) mutateOnce(data, rnd);
    let text = JSON.stringify(data, null, 2) ?? "null";
    if (rnd() < 0.1) {
      const at = Math.floor(rnd() * text.length);
      const r = rnd();
      text = r < 0.33 ? text.slice(0, at) : r < 0.66 ? text.slice(0, at) + text.slice(at + 1)
        : text.slice(0, at) + '{}[],:"0x\\'[Math.floor(rnd() * 10)] + text.slice(at);
    }
    out.push(text);
  }
  return out;
}
