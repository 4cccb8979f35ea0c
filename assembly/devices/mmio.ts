// The MMIO device registry of the VM: IPA ranges of emulated devices, looked up
// on a stage-2 data abort, and the access dispatch to each device's model. Device
// frames (the GICv2 CPU interface, passthrough) are mapped by stage 2, not emulated,
// and are not registered here.
// Devices model 32-bit registers; narrower accesses use byte lanes of the word.
// A 64-bit access at an 8-byte aligned offset goes whole to a model that has 64-bit
// registers (the GICv3 frames: GICD_IROUTER<n>, GICR_TYPER); otherwise it is split
// in two words (little-endian).

import { STATE, MMIO_COUNT, MMIO_UNMAPPED, MMIO_UNMAPPED_STOP, MMIO_UNMAPPED_ABORT, MMIO_ENTRIES, MMIO_BASE, MMIO_LIMIT, MMIO_KIND, MMIO_IRQ,
  MMIO_RECORD, MAX_DEVICES } from "../core/layout";
import { WV_EINVAL, WV_ENOMEM } from "../abi/imports";
import { pl011Reset, pl011Read, pl011Write } from "./pl011";
import { gicdRead, gicdWrite, gicdRead64, gicdWrite64, gicrRead, gicrWrite, gicrRead64,
  gicrWrite64 } from "../arch/vgic_v3";
import { gicdV2Read, gicdV2Write } from "../arch/vgic_v2";
import { virtioMmioRead, virtioMmioWrite } from "./virtio_mmio";
import { virtioConsoleInit } from "./virtio_device";

/** Device kinds of the config blob (docs/abi.md section 1, device.kind). */
export const DEVICE_PL011: u32 = 1;
/** GICv3 distributor, 64 KiB (docs/abi.md section 4). */
export const DEVICE_GICV3_DIST: u32 = 2;
/** GICv3 redistributors, 128 KiB per vCPU (docs/abi.md section 4). */
export const DEVICE_GICV3_REDIST: u32 = 3;
/** GICv2 distributor, 4 KiB (docs/abi.md section 4). */
export const DEVICE_GICV2_DIST: u32 = 4;
/** virtio-console behind a virtio-mmio transport, 0x200 bytes (docs/abi.md section 6). Kinds 5 and 6 are frames (core/config.ts). */
export const DEVICE_VIRTIO_CONSOLE: u32 = 7;

export const MMIO_NONE: i32 = -1;

const WORD_BYTES: u64 = 4;
const DWORD_BYTES: u64 = 8;
const WORD_MASK: u64 = 0xffffffff;
/** Register offsets are 32-bit: larger offsets of a huge window reach no register. */
const MAX_REG_OFFSET: u64 = 0xfffffff8;

@inline function entry(slot: i32): usize {
  return STATE + MMIO_ENTRIES + <usize>slot * MMIO_RECORD;
}

export function mmioCount(): i32 {
  return load<i32>(STATE + MMIO_COUNT);
}

export function mmioReset(): void {
  memory.fill(STATE + MMIO_COUNT, 0, 8 + MMIO_RECORD * <usize>MAX_DEVICES);
}

/** Does an access no region or device covers get a synchronous external abort (else the VM stops)? */
export function mmioUnmappedAborts(): bool {
  return load<u32>(STATE + MMIO_UNMAPPED) == MMIO_UNMAPPED_ABORT;
}

export function mmioSetUnmappedAborts(abort: bool): void {
  store<u32>(STATE + MMIO_UNMAPPED, abort ? MMIO_UNMAPPED_ABORT : MMIO_UNMAPPED_STOP);
}

/** Is `kind` a device the registry emulates? */
export function mmioKnownKind(kind: u32): bool {
  return (kind >= DEVICE_PL011 && kind <= DEVICE_GICV2_DIST) || kind == DEVICE_VIRTIO_CONSOLE;
}

/**
 * Register a device at [base, base + size). Returns its slot, or WV_EINVAL for an
 * empty, wrapping, unknown-kind or overlapping range, WV_ENOMEM when full.
 */
export function mmioRegister(base: u64, size: u64, kind: u32, irq: u32): i32 {
  if (size == 0 || base + size < base || !mmioKnownKind(kind)) return WV_EINVAL;
  const n = mmioCount();
  if (<u32>n >= MAX_DEVICES) return WV_ENOMEM;
  for (let i = 0; i < n; i++) {
    const b = load<u64>(entry(i) + MMIO_BASE);
    const s = load<u64>(entry(i) + MMIO_LIMIT);
    if (base < b + s && b < base + size) return WV_EINVAL;
  }
  const e = entry(n);
  store<u64>(e + MMIO_BASE, base);
  store<u64>(e + MMIO_LIMIT, size);
  store<u32>(e + MMIO_KIND, kind);
  store<u32>(e + MMIO_IRQ, irq);
  store<i32>(STATE + MMIO_COUNT, n + 1);
  mmioDeviceReset(n);
  return n;
}

/**
 * Device `slot`'s model back to reset (at registration and at the VM's restart). The
 * vGIC frames keep their state in the vGIC block, which arch/vgic_reset.ts resets.
 */
export function mmioDeviceReset(slot: i32): void {
  const kind = mmioKind(slot);
  if (kind == DEVICE_PL011) pl011Reset(slot);
  else if (kind == DEVICE_VIRTIO_CONSOLE) virtioConsoleInit(slot);   // no ring of the old guest is written again
}

/** The slot of the device holding `ipa`, or MMIO_NONE. */
export function mmioFind(ipa: u64): i32 {
  const n = mmioCount();
  for (let i = 0; i < n; i++) {
    const e = entry(i);
    if (ipa - load<u64>(e + MMIO_BASE) < load<u64>(e + MMIO_LIMIT)) return i;
  }
  return MMIO_NONE;
}

/** The slot of the first device of `kind` (the VM's console is its first PL011), or MMIO_NONE. */
export function mmioFirstOfKind(kind: u32): i32 {
  const n = mmioCount();
  for (let i = 0; i < n; i++) if (mmioKind(i) == kind) return i;
  return MMIO_NONE;
}

export function mmioBase(slot: i32): u64 { return load<u64>(entry(slot) + MMIO_BASE); }
export function mmioSize(slot: i32): u64 { return load<u64>(entry(slot) + MMIO_LIMIT); }
export function mmioKind(slot: i32): u32 { return load<u32>(entry(slot) + MMIO_KIND); }
/** The device's interrupt (INTID; 0 = none). */
export function mmioIrq(slot: i32): u32 { return load<u32>(entry(slot) + MMIO_IRQ); }

function deviceRead(slot: i32, reg: u32): u32 {
  switch (mmioKind(slot)) {
    case DEVICE_PL011: return pl011Read(slot, reg);
    case DEVICE_GICV3_DIST: return gicdRead(reg);
    case DEVICE_GICV3_REDIST: return gicrRead(reg);
    case DEVICE_GICV2_DIST: return gicdV2Read(reg);
  }
  return 0;
}

function deviceWrite(slot: i32, reg: u32, value: u32, mask: u32): void {
  switch (mmioKind(slot)) {
    case DEVICE_PL011: pl011Write(slot, reg, value, mask); break;
    case DEVICE_GICV3_DIST: gicdWrite(reg, value, mask); break;
    case DEVICE_GICV3_REDIST: gicrWrite(reg, value, mask); break;
    case DEVICE_GICV2_DIST: gicdV2Write(reg, value, mask); break;
  }
}

/** Does the device have 64-bit registers, so that an aligned 64-bit access goes to it whole? (The GICv3 frames.) */
@inline function has64(slot: i32, offset: u64): bool {
  const kind = mmioKind(slot);
  return (offset & (DWORD_BYTES - 1)) == 0 && (kind == DEVICE_GICV3_DIST || kind == DEVICE_GICV3_REDIST);
}

@inline function sizeMask(bytes: u32): u64 {
  return bytes >= 8 ? <u64>-1 : ((<u64>1 << (<u64>bytes << 3)) - 1);
}

/** Read `bytes` (1, 2, 4 or 8) at `offset` into device `slot`; zero-extended. */
export function mmioRead(slot: i32, offset: u64, bytes: u32): u64 {
  if (offset > MAX_REG_OFFSET) return 0;   // no device has registers past 4 GiB
  if (mmioKind(slot) == DEVICE_VIRTIO_CONSOLE) return virtioMmioRead(slot, offset, bytes);   // its own width rules
  const reg = <u32>(offset & ~(WORD_BYTES - 1));
  if (bytes == 8) {
    if (has64(slot, offset)) {
      return mmioKind(slot) == DEVICE_GICV3_DIST ? gicdRead64(reg) : gicrRead64(reg);
    }
    return <u64>deviceRead(slot, reg) | (<u64>deviceRead(slot, reg + 4) << 32);
  }
  const lane = (offset & (WORD_BYTES - 1)) << 3;
  return (<u64>deviceRead(slot, reg) >> lane) & sizeMask(bytes);
}

/** Write the low `bytes` (1, 2, 4 or 8) of `value` at `offset` into device `slot`. */
export function mmioWrite(slot: i32, offset: u64, bytes: u32, value: u64): void {
  if (offset > MAX_REG_OFFSET) return;
  if (mmioKind(slot) == DEVICE_VIRTIO_CONSOLE) { virtioMmioWrite(slot, offset, bytes, value); return; }
  const reg = <u32>(offset & ~(WORD_BYTES - 1));
  if (bytes == 8) {
    if (has64(slot, offset)) {
      if (mmioKind(slot) == DEVICE_GICV3_DIST) gicdWrite64(reg, value);
      else gicrWrite64(reg, value);
      return;
    }
    deviceWrite(slot, reg, <u32>value, <u32>WORD_MASK);
    deviceWrite(slot, reg + 4, <u32>(value >> 32), <u32>WORD_MASK);
    return;
  }
  const lane = (offset & (WORD_BYTES - 1)) << 3;
  const mask = (sizeMask(bytes) << lane) & WORD_MASK;
  deviceWrite(slot, reg, <u32>((value << lane) & mask), <u32>mask);
}
