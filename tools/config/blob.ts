// The VM config blob, docs/abi.md section 1 (version 1): encodeBlob writes it from a
// checked VmSet, decodeBlob reads one back for tests and debugging.
import type { Device, Image, VmSet, VmType } from "./types.ts";

export const BLOB_MAGIC = 0x46435657; // "WVCF"
export const BLOB_VERSION = 1;
export const HEADER_SIZE = 16;
export const RECORD_SIZE = 640;
export const NAME_SIZE = 16;
export const MAX_VMS = 8;
export const MAX_REGIONS = 8;
export const MAX_DEVICES = 8;
export const MAX_IMAGES = 4;

/** Offsets inside a VM record. */
export const REC = {
  name: 0, type: 16, vcpuCount: 20, pcpuMask: 24, regionCount: 28, deviceCount: 32, imageCount: 36,
  entry: 40, dtb: 48, flags: 56, sliceUs: 60, regions: 64, devices: 320, images: 576,
} as const;
export const REGION_SIZE = 32;   // u64 ipa, u64 pa, u64 size, u32 flags, u32 reserved
export const DEVICE_SIZE = 32;   // u32 kind, u32 irq, u64 ipa, u64 size, u64 pa (0 for emulated kinds)
export const IMAGE_SIZE = 16;    // u32 image_index, u32 reserved, u64 load_ipa

export const VM_TYPE_CODE: Record<VmType, number> = { mvm: 0, gvm: 1, rtvm: 2 };
/**
 * Device kinds (docs/abi.md section 1): a gicv3 is two records, distributor and
 * redistributors; a gicv2 two, distributor and CPU interface (the board's GICV frame).
 */
export const DEVICE_KIND = {
  pl011: 1, gicv3Distributor: 2, gicv3Redistributors: 3, gicv2Distributor: 4, gicv2CpuInterface: 5, passthrough: 6,
  virtioConsole: 7,
} as const;
export const REGION_R = 1, REGION_W = 2, REGION_X = 4;
export const VM_FLAG_BENCH = 1;
/** Flags bit 1: an access outside every region and device gets a synchronous external abort. */
export const VM_FLAG_UNMAPPED_ABORT = 2;

/**
 * An image's name in the image table: its file name (a file named by several VMs is
 * carried once), or "<vm>.dtb (generated)" for the device tree the tools make for a VM.
 */
export function imageKey(im: Image): string {
  return im.generated ? `${im.file} (generated)` : im.file;
}

/** The images of a set, each once (by imageKey), in the order they are first named. */
export function imageTable(set: VmSet): string[] {
  const keys: string[] = [];
  for (const vm of set.vms) for (const im of vm.images) if (!keys.includes(imageKey(im))) keys.push(imageKey(im));
  return keys;
}

/** A device's records in the blob (kind, irq, ipa, size, pa). */
export function deviceRecords(d: Device): { kind: number; irq: number; ipa: bigint; size: bigint; pa: bigint }[] {
  if (d.type === "gicv3") {
    return [
      { kind: DEVICE_KIND.gicv3Distributor, irq: 0, ipa: d.ipa, size: d.size, pa: 0n },
      { kind: DEVICE_KIND.gicv3Redistributors, irq: 0, ipa: d.redist, size: d.redistSize, pa: 0n },
    ];
  }
  if (d.type === "gicv2") {
    return [
      { kind: DEVICE_KIND.gicv2Distributor, irq: 0, ipa: d.ipa, size: d.size, pa: 0n },
      { kind: DEVICE_KIND.gicv2CpuInterface, irq: 0, ipa: d.cpuif, size: d.cpuifSize, pa: d.gicv },
    ];
  }
  if (d.type === "passthrough") return [{ kind: DEVICE_KIND.passthrough, irq: d.irq ?? 0, ipa: d.ipa, size: d.size, pa: d.pa }];
  if (d.type === "virtio-console") return [{ kind: DEVICE_KIND.virtioConsole, irq: d.irq, ipa: d.ipa, size: d.size, pa: 0n }];
  return [{ kind: DEVICE_KIND.pl011, irq: d.irq ?? 0, ipa: d.ipa, size: d.size, pa: 0n }];
}

function u32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`blob: ${what} ${v} does not fit in a u32`);
  return v;
}

function u64(v: bigint, what: string): bigint {
  if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`blob: ${what} ${v} does not fit in a u64`);
  return v;
}

/**
 * Encode `set` (from loadVmConfig). `imageIndex` maps an image (by imageKey, and the
 * image itself) to its place in the image table; by default the order of imageTable(set).
 */
export function encodeBlob(set: VmSet, imageIndex?: (key: string, image: Image) => number): Buffer {
  const table = imageTable(set);
  const index = imageIndex ?? ((key: string) => table.indexOf(key));
  const n = set.vms.length;
  if (n < 1 || n > MAX_VMS) throw new RangeError(`blob: ${n} VMs (1..${MAX_VMS})`);
  const total = HEADER_SIZE + n * RECORD_SIZE;
  const buf = Buffer.alloc(total);
  buf.writeUInt32LE(BLOB_MAGIC, 0);
  buf.writeUInt32LE(BLOB_VERSION, 4);
  buf.writeUInt32LE(n, 8);
  buf.writeUInt32LE(total, 12);
  set.vms.forEach((vm, i) => {
    const at = HEADER_SIZE + i * RECORD_SIZE;
    const what = `vm ${vm.name}`;
    const name = Buffer.from(vm.name, "latin1");
    if (name.length < 1 || name.length >= NAME_SIZE) throw new RangeError(`blob: ${what}: name must be 1..15 bytes`);
    name.copy(buf, at + REC.name);
    const records = vm.devices.flatMap(deviceRecords);
    if (vm.memory.length > MAX_REGIONS || records.length > MAX_DEVICES || vm.images.length > MAX_IMAGES) {
      throw new RangeError(`blob: ${what}: too many regions, devices or images`);
    }
    let mask = 0;
    for (const c of vm.cpus) {
      if (!Number.isInteger(c) || c < 0 || c > 31) throw new RangeError(`blob: ${what}: CPU ${c} outside 0..31`);
      mask |= 1 << c;
    }
    buf.writeUInt32LE(VM_TYPE_CODE[vm.type], at + REC.type);
    buf.writeUInt32LE(u32(vm.vcpus, `${what} vcpus`), at + REC.vcpuCount);
    buf.writeUInt32LE(mask >>> 0, at + REC.pcpuMask);
    buf.writeUInt32LE(vm.memory.length, at + REC.regionCount);
    buf.writeUInt32LE(records.length, at + REC.deviceCount);
    buf.writeUInt32LE(vm.images.length, at + REC.imageCount);
    buf.writeBigUInt64LE(u64(vm.entry, `${what} entry`), at + REC.entry);
    buf.writeBigUInt64LE(u64(vm.dtb ?? 0n, `${what} dtb`), at + REC.dtb);
    const flags = (vm.bench ? VM_FLAG_BENCH : 0) | (vm.unmappedAccess === "external-abort" ? VM_FLAG_UNMAPPED_ABORT : 0);
    buf.writeUInt32LE(flags, at + REC.flags);
    buf.writeUInt32LE(vm.sliceUs, at + REC.sliceUs);
    vm.memory.forEach((r, k) => {
      const o = at + REC.regions + k * REGION_SIZE;
      buf.writeBigUInt64LE(u64(r.ipa, `${what} region ipa`), o);
      buf.writeBigUInt64LE(u64(r.pa, `${what} region pa`), o + 8);
      buf.writeBigUInt64LE(u64(r.size, `${what} region size`), o + 16);
      buf.writeUInt32LE((r.access.r ? REGION_R : 0) | (r.access.w ? REGION_W : 0) | (r.access.x ? REGION_X : 0), o + 24);
    });
    records.forEach((d, k) => {
      const o = at + REC.devices + k * DEVICE_SIZE;
      buf.writeUInt32LE(d.kind, o);
      buf.writeUInt32LE(u32(d.irq, `${what} irq`), o + 4);
      buf.writeBigUInt64LE(u64(d.ipa, `${what} device ipa`), o + 8);
      buf.writeBigUInt64LE(u64(d.size, `${what} device size`), o + 16);
      buf.writeBigUInt64LE(u64(d.pa, `${what} device pa`), o + 24);
    });
    vm.images.forEach((im, k) => {
      const o = at + REC.images + k * IMAGE_SIZE;
      buf.writeUInt32LE(u32(index(imageKey(im), im), `${what} image index of ${imageKey(im)}`), o);
      buf.writeBigUInt64LE(u64(im.ipa, `${what} image ipa`), o + 8);
    });
  });
  return buf;
}

export interface DecodedRegion { ipa: bigint; pa: bigint; size: bigint; flags: number; reserved: number }
export interface DecodedDevice { kind: number; irq: number; ipa: bigint; size: bigint; pa: bigint }
export interface DecodedImage { index: number; reserved: number; ipa: bigint }
export interface DecodedVm {
  name: string;
  type: number;
  vcpuCount: number;
  pcpuMask: number;
  entry: bigint;
  dtb: bigint;
  flags: number;
  sliceUs: number;
  regions: DecodedRegion[];
  devices: DecodedDevice[];
  images: DecodedImage[];
}
export interface DecodedBlob { magic: number; version: number; totalSize: number; vms: DecodedVm[] }

/**
 * Read a blob back field by field. Throws when it is too short for what its
 * header and counts claim; checks nothing else (the values are returned as found).
 */
export function decodeBlob(buf: Uint8Array): DecodedBlob {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < HEADER_SIZE) throw new RangeError(`blob: ${b.length} bytes, shorter than its header`);
  const count = b.readUInt32LE(8);
  if (count > MAX_VMS) throw new RangeError(`blob: vm_count ${count} > ${MAX_VMS}`);
  if (b.length < HEADER_SIZE + count * RECORD_SIZE) throw new RangeError(`blob: ${b.length} bytes, too short for ${count} VMs`);
  const vms: DecodedVm[] = [];
  for (let i = 0; i < count; i++) {
    const at = HEADER_SIZE + i * RECORD_SIZE;
    const nameBytes = b.subarray(at, at + NAME_SIZE);
    const end = nameBytes.indexOf(0);
    const n = (off: number, max: number): number => Math.min(b.readUInt32LE(at + off), max);
    vms.push({
      name: nameBytes.subarray(0, end < 0 ? NAME_SIZE : end).toString("latin1"),
      type: b.readUInt32LE(at + REC.type),
      vcpuCount: b.readUInt32LE(at + REC.vcpuCount),
      pcpuMask: b.readUInt32LE(at + REC.pcpuMask),
      entry: b.readBigUInt64LE(at + REC.entry),
      dtb: b.readBigUInt64LE(at + REC.dtb),
      flags: b.readUInt32LE(at + REC.flags),
      sliceUs: b.readUInt32LE(at + REC.sliceUs),
      regions: Array.from({ length: n(REC.regionCount, MAX_REGIONS) }, (_, k) => {
        const o = at + REC.regions + k * REGION_SIZE;
        return { ipa: b.readBigUInt64LE(o), pa: b.readBigUInt64LE(o + 8), size: b.readBigUInt64LE(o + 16),
                 flags: b.readUInt32LE(o + 24), reserved: b.readUInt32LE(o + 28) };
      }),
      devices: Array.from({ length: n(REC.deviceCount, MAX_DEVICES) }, (_, k) => {
        const o = at + REC.devices + k * DEVICE_SIZE;
        return { kind: b.readUInt32LE(o), irq: b.readUInt32LE(o + 4), ipa: b.readBigUInt64LE(o + 8),
                 size: b.readBigUInt64LE(o + 16), pa: b.readBigUInt64LE(o + 24) };
      }),
      images: Array.from({ length: n(REC.imageCount, MAX_IMAGES) }, (_, k) => {
        const o = at + REC.images + k * IMAGE_SIZE;
        return { index: b.readUInt32LE(o), reserved: b.readUInt32LE(o + 4), ipa: b.readBigUInt64LE(o + 8) };
      }),
    });
  }
  return { magic: b.readUInt32LE(0), version: b.readUInt32LE(4), totalSize: b.readUInt32LE(12), vms };
}
