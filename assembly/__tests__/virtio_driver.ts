// A VM with a virtio-console device (device kind 7) built from the standard blob, and a
// small driver for the specs: it negotiates as Linux's virtio_mmio and virtio_console
// do (virtio 1.2 spec 3.1.1, 4.2.3), lays the split virtqueues out in the fake guest RAM
// (__tests__/fake_host.js) and posts and collects buffers there.

import { makeBlob, vm0, BLOB, RAM_IPA, RAM_SIZE } from "./blob";
import { fakeReset, guestRamAdd, guestPoke, guestPeek, lastConsole } from "./fake";
import { cfgDevice, CFG_VM_DEVICE_COUNT, CFG_D_KIND, CFG_D_IRQ, CFG_D_IPA, CFG_D_SIZE } from "../core/config";
import { vmResetState, vmInit } from "../core/vm";
import { mmioRead, mmioWrite } from "../devices/mmio";
import { virtioSlot } from "../devices/virtio_device";
import { getBit } from "../arch/vgic_common";
import { P_LINE } from "../arch/vgic_layout";

export const VIO_IPA: u64 = 0x0a000000;
export const VIO_IRQ: u32 = 40;
export const VIO_KIND: u32 = 7;

// Register offsets (virtio 1.2 spec 4.2.2).
export const R_MAGIC: u64 = 0x000, R_VERSION: u64 = 0x004, R_DEVICE_ID: u64 = 0x008, R_VENDOR_ID: u64 = 0x00c;
export const R_DEV_FEATURES: u64 = 0x010, R_DEV_FEATURES_SEL: u64 = 0x014;
export const R_DRV_FEATURES: u64 = 0x020, R_DRV_FEATURES_SEL: u64 = 0x024;
export const R_QUEUE_SEL: u64 = 0x030, R_QUEUE_NUM_MAX: u64 = 0x034, R_QUEUE_NUM: u64 = 0x038;
export const R_QUEUE_READY: u64 = 0x044, R_QUEUE_NOTIFY: u64 = 0x050;
export const R_INT_STATUS: u64 = 0x060, R_INT_ACK: u64 = 0x064, R_STATUS: u64 = 0x070;
export const R_DESC_LOW: u64 = 0x080, R_DESC_HIGH: u64 = 0x084, R_DRIVER_LOW: u64 = 0x090, R_DRIVER_HIGH: u64 = 0x094;
export const R_DEVICE_LOW: u64 = 0x0a0, R_DEVICE_HIGH: u64 = 0x0a4;
export const R_SHM_LEN_LOW: u64 = 0x0b0, R_CONFIG_GEN: u64 = 0x0fc, R_CONFIG: u64 = 0x100;

export const S_ACK: u32 = 1, S_DRIVER: u32 = 2, S_DRIVER_OK: u32 = 4, S_FEATURES_OK: u32 = 8, S_NEEDS_RESET: u32 = 64;
export const RXQ: u32 = 0, TXQ: u32 = 1;
export const F_NEXT: u16 = 1, F_WRITE: u16 = 2, F_INDIRECT: u16 = 4;

/** Where the driver puts each queue's areas and buffers (inside the VM's 128 MiB at RAM_IPA). */
export const QNUM: u32 = 8;
export function descAt(q: u32): u64 { return RAM_IPA + 0x100000 + <u64>q * 0x10000; }
export function availAt(q: u32): u64 { return descAt(q) + 0x1000; }
export function usedAt(q: u32): u64 { return descAt(q) + 0x2000; }
/** Buffer `i` of queue `q`: 4 KiB each. */
export function bufAt(q: u32, i: u32): u64 { return RAM_IPA + 0x200000 + <u64>q * 0x100000 + <u64>i * 0x1000; }

/** A VM "linux" with the standard PL011 (slot 0) and a virtio-console (slot 1), its RAM in the fake guest memory. */
export function virtioVm(irq: u32 = VIO_IRQ): i32 {
  fakeReset();
  vmResetState();
  const len = makeBlob(1);
  store<u32>(vm0() + CFG_VM_DEVICE_COUNT, 2);
  const d = cfgDevice(vm0(), 1);
  store<u32>(d + CFG_D_KIND, VIO_KIND);
  store<u32>(d + CFG_D_IRQ, irq);
  store<u64>(d + CFG_D_IPA, VIO_IPA);
  store<u64>(d + CFG_D_SIZE, 0x200);
  const rc = vmInit(0, BLOB, len);
  fakeReset();
  guestRamAdd(RAM_IPA, RAM_SIZE);
  driverForget();
  return rc;
}

export function slot(): i32 { return virtioSlot(); }
export function rd(off: u64): u32 { return <u32>mmioRead(slot(), off, 4); }
export function wr(off: u64, v: u32): void { mmioWrite(slot(), off, 4, <u64>v); }
/** `sub` when the last console line holds it, else that line (a failed expect shows it). */
export function saw(sub: string): string {
  const t = lastConsole();
  return t.includes(sub) ? sub : t;
}

/** Is the device's SPI high at the vGIC? */
export function line(): bool { return getBit(P_LINE, 0, VIO_IRQ); }

// ---- Guest memory as the driver sees it ----
const SCRATCH: usize = memory.data(4096, 8);

export function poke16(ipa: u64, v: u16): void { store<u16>(SCRATCH, v); assert(guestPoke(ipa, SCRATCH, 2) == 0); }
export function poke32(ipa: u64, v: u32): void { store<u32>(SCRATCH, v); assert(guestPoke(ipa, SCRATCH, 4) == 0); }
export function poke64(ipa: u64, v: u64): void { store<u64>(SCRATCH, v); assert(guestPoke(ipa, SCRATCH, 8) == 0); }
export function peek16(ipa: u64): u16 { assert(guestPeek(ipa, SCRATCH, 2) == 0); return load<u16>(SCRATCH); }
export function peek32(ipa: u64): u32 { assert(guestPeek(ipa, SCRATCH, 4) == 0); return load<u32>(SCRATCH); }
export function pokeText(ipa: u64, s: string): void {
  for (let i = 0; i < s.length; i++) store<u8>(SCRATCH + <usize>i, <u8>s.charCodeAt(i));
  assert(guestPoke(ipa, SCRATCH, s.length) == 0);
}
export function peekText(ipa: u64, n: i32): string {
  assert(guestPeek(ipa, SCRATCH, n) == 0);
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(load<u8>(SCRATCH + <usize>i));
  return s;
}

// ---- The driver ----
/** Per queue: the next free descriptor and the driver's available index. */
const nextDesc = new StaticArray<u32>(2);
const availIdx = new StaticArray<u32>(2);

function driverForget(): void {
  for (let q = 0; q < 2; q++) { nextDesc[q] = 0; availIdx[q] = 0; }
}

/** Write descriptor `i` of queue `q`. */
export function putDesc(q: u32, i: u32, addr: u64, len: u32, flags: u16, next: u16): void {
  const d = descAt(q) + <u64>i * 16;
  poke64(d, addr);
  poke32(d + 8, len);
  poke16(d + 12, flags);
  poke16(d + 14, next);
}

/** Make the chain at `head` available in queue `q` (ring entry, then idx: spec 2.7.13). */
export function makeAvailable(q: u32, head: u16): void {
  const n = availIdx[q];
  poke16(availAt(q) + 4 + <u64>((n % QNUM) * 2), head);
  availIdx[q] = (n + 1) & 0xffff;
  poke16(availAt(q) + 2, <u16>availIdx[q]);
}

/** The available index the driver last published. */
export function driverAvailIdx(q: u32): u32 { return availIdx[q]; }
/** Set the available index without posting anything (a broken driver). */
export function setAvailIdx(q: u32, v: u16): void { availIdx[q] = v; poke16(availAt(q) + 2, v); }

/** Take a free descriptor of `q` (they are reused round robin). */
function takeDesc(q: u32): u32 {
  const i = nextDesc[q];
  nextDesc[q] = (i + 1) % QNUM;
  return i;
}

/** Post `text` in one device-readable buffer of the transmitq; returns the descriptor. */
export function postTx(text: string): u32 {
  const i = takeDesc(TXQ);
  pokeText(bufAt(TXQ, i), text);
  putDesc(TXQ, i, bufAt(TXQ, i), text.length, 0, 0);
  makeAvailable(TXQ, <u16>i);
  return i;
}

/** Post one device-writable receive buffer of `len` bytes; returns the descriptor. */
export function postRx(len: u32): u32 {
  const i = takeDesc(RXQ);
  putDesc(RXQ, i, bufAt(RXQ, i), len, F_WRITE, 0);
  makeAvailable(RXQ, <u16>i);
  return i;
}

/** The used ring: its idx and element `n`. */
export function usedIdx(q: u32): u32 { return <u32>peek16(usedAt(q) + 2); }
export function usedId(q: u32, n: u32): u32 { return peek32(usedAt(q) + 4 + <u64>((n % QNUM) * 8)); }
export function usedLen(q: u32, n: u32): u32 { return peek32(usedAt(q) + 8 + <u64>((n % QNUM) * 8)); }

/** Set queue `q` up with `num` entries at its areas and make it ready. */
export function setupQueue(q: u32, num: u32 = QNUM): void {
  wr(R_QUEUE_SEL, q);
  wr(R_QUEUE_NUM, num);
  wr(R_DESC_LOW, <u32>descAt(q)); wr(R_DESC_HIGH, <u32>(descAt(q) >> 32));
  wr(R_DRIVER_LOW, <u32>availAt(q)); wr(R_DRIVER_HIGH, <u32>(availAt(q) >> 32));
  wr(R_DEVICE_LOW, <u32>usedAt(q)); wr(R_DEVICE_HIGH, <u32>(usedAt(q) >> 32));
  wr(R_QUEUE_READY, 1);
}

/** Acknowledge, accept `featuresHigh` (bit 0: VIRTIO_F_VERSION_1) and set FEATURES_OK; the status read back. */
export function negotiate(featuresHigh: u32 = 1, featuresLow: u32 = 0): u32 {
  wr(R_STATUS, 0);
  wr(R_STATUS, S_ACK);
  wr(R_STATUS, S_ACK | S_DRIVER);
  wr(R_DRV_FEATURES_SEL, 0);
  wr(R_DRV_FEATURES, featuresLow);
  wr(R_DRV_FEATURES_SEL, 1);
  wr(R_DRV_FEATURES, featuresHigh);
  wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
  return rd(R_STATUS);
}

/** The whole initialisation of spec 3.1.1: negotiation, both queues, DRIVER_OK. */
export function driverUp(): void {
  driverForget();
  negotiate();
  setupQueue(RXQ);
  setupQueue(TXQ);
  wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}
