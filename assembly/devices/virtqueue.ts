// Split virtqueues (virtio 1.2 spec 2.7) as the device side sees them: the descriptor
// table, the available ring (driver area) and the used ring (device area), all in guest
// RAM, reached only through the wv_guest_read / wv_guest_write imports.
//
// Nothing the guest wrote is used before it is checked:
// - the rings: QueueNum a power of 2 up to VIRTIO_QUEUE_NUM_MAX, the areas aligned
//   (descriptors 16, available ring 2, used ring 4 bytes: spec 2.7) and each inside one
//   RAM region of the VM, readable (and the used ring writable); checked when the driver
//   sets QueueReady and again at every use, against the VM's regions as they are then;
// - the available index: at most the queue size ahead of the device's (spec 2.7.6);
// - each descriptor chain, walked in a snapshot of the descriptor table taken once per
//   pass (a driver on another vCPU changing the table meanwhile changes nothing this pass
//   uses): descriptor indices inside the queue, no more descriptors than the queue has (a
//   longer chain is a loop), only the NEXT and WRITE flags (indirect descriptors and event
//   suppression are not offered), every buffer of the direction the queue needs, at most
//   VIRTIO_MAX_CHAIN_BYTES in all, each inside one RAM region of the VM with the access
//   the device makes.
// A check that fails returns false (or -1) with the reason in vqErr/vqErrA/vqErrB/vqErrC;
// the caller puts the device in DEVICE_NEEDS_RESET (devices/virtio_device.ts).

import { wv_guest_read, wv_guest_write } from "../abi/imports";
import { STATE, REGIONS_OFF, REGION_IPA, REGION_SIZE, REGION_FLAGS, REGION_RECORD, MAX_REGIONS,
  VM_REGION_COUNT } from "../core/layout";
import { REGION_R, REGION_W } from "../arch/stage2";
import { VIRTIO_QUEUE_NUM_MAX, VIRTIO_MAX_CHAIN_BYTES, Q_NUM, Q_LAST_AVAIL, Q_USED_IDX, Q_DESC, Q_DRIVER, Q_DEVICE,
  VIRTIO_ERR_QUEUE_NUM, VIRTIO_ERR_QUEUE_ALIGN, VIRTIO_ERR_QUEUE_RAM, VIRTIO_ERR_AVAIL_IDX, VIRTIO_ERR_DESC_INDEX,
  VIRTIO_ERR_LOOP, VIRTIO_ERR_FLAGS, VIRTIO_ERR_DIRECTION, VIRTIO_ERR_LENGTH, VIRTIO_ERR_BUFFER_RAM,
  VIRTIO_ERR_GUEST_ACCESS, vqRec } from "./virtio_layout";

// struct virtq_desc (spec 2.7.5): le64 addr, le32 len, le16 flags, le16 next.
const DESC_SIZE: u32 = 16;
const DESC_ADDR: usize = 0;
const DESC_LEN: usize = 8;
const DESC_FLAGS: usize = 12;
const DESC_NEXT: usize = 14;
/** VIRTQ_DESC_F_NEXT: the chain continues at `next`. */
export const VIRTQ_DESC_F_NEXT: u32 = 1;
/** VIRTQ_DESC_F_WRITE: the buffer is device-writable (else device-readable). */
export const VIRTQ_DESC_F_WRITE: u32 = 2;
/** VIRTQ_DESC_F_INDIRECT: only with VIRTIO_F_INDIRECT_DESC, which is not offered. */
export const VIRTQ_DESC_F_INDIRECT: u32 = 4;
const DESC_FLAGS_KNOWN: u32 = VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE;

// struct virtq_avail (spec 2.7.6): le16 flags, le16 idx, le16 ring[N], le16 used_event.
const AVAIL_IDX: u64 = 2;
const AVAIL_RING: u64 = 4;
/** VIRTQ_AVAIL_F_NO_INTERRUPT: the driver asks for no used buffer notification. */
export const VIRTQ_AVAIL_F_NO_INTERRUPT: u32 = 1;

// struct virtq_used (spec 2.7.8): le16 flags, le16 idx, struct virtq_used_elem { le32 id; le32 len; } ring[N], le16 avail_event.
const USED_IDX: u64 = 2;
const USED_RING: u64 = 4;
const USED_ELEM_SIZE: u64 = 8;

/** The areas' alignment (spec 2.7, table "Virtqueue Part Alignment"). */
const DESC_ALIGN: u64 = 16;
const AVAIL_ALIGN: u64 = 2;
const USED_ALIGN: u64 = 4;
/** Ring indices are 16 bits and wrap (spec 2.7.6). */
const IDX_MASK: u32 = 0xffff;

/** Which area a VIRTIO_ERR_QUEUE_* names (vqErrC). */
export const AREA_DESC: u32 = 0;
export const AREA_DRIVER: u32 = 1;
export const AREA_DEVICE: u32 = 2;

// ---- Scratch (not state: rebuilt on every pass) ----
const SCR_DESC: usize = 0;                                                    // the descriptor table snapshot
const SCR_RING: usize = SCR_DESC + <usize>(DESC_SIZE * VIRTIO_QUEUE_NUM_MAX);     // the available ring snapshot
const SCR_CHAIN_ADDR: usize = SCR_RING + 2 * <usize>VIRTIO_QUEUE_NUM_MAX;        // u64 per descriptor of the chain
const SCR_CHAIN_LEN: usize = SCR_CHAIN_ADDR + 8 * <usize>VIRTIO_QUEUE_NUM_MAX;   // u32 per descriptor of the chain
const SCR_IO: usize = SCR_CHAIN_LEN + 4 * <usize>VIRTIO_QUEUE_NUM_MAX;           // ring headers, used elements
export const VQ_SCRATCH_SIZE: usize = SCR_IO + 16;
export const VQ_SCRATCH: usize = memory.data(<i32>VQ_SCRATCH_SIZE, 16);

/** Why the last check failed (VIRTIO_ERR_*), and the values its message names. */
export let vqErr: u32 = 0;
export let vqErrA: u64 = 0;
export let vqErrB: u64 = 0;
export let vqErrC: u32 = 0;   // the area (AREA_*) of a QUEUE_* error, the descriptor of a BUFFER_RAM one

/** The available ring's flags read by the last vqBegin. */
let availFlags: u32 = 0;
/** The chain vqChain walked: its head and how many descriptors it has (their buffers are in the scratch). */
let chainHead: u32 = 0;
let chainCount: u32 = 0;

/** Record why a check failed (for virtio_device.ts's report); false. */
export function vqFail(code: u32, a: u64, b: u64, c: u32 = 0): bool {
  vqErr = code;
  vqErrA = a;
  vqErrB = b;
  vqErrC = c;
  return false;
}

@inline function isPow2(n: u32): bool {
  return n != 0 && (n & (n - 1)) == 0;
}

/**
 * Is [ipa, ipa + len) inside one RAM region with all of `flags` of the VM whose core
 * state block (core/layout.ts) is at `core`?
 */
export function vqRamHoldsIn(core: usize, ipa: u64, len: u64, flags: u32): bool {
  let n = load<u32>(core + VM_REGION_COUNT);
  if (n > MAX_REGIONS) n = MAX_REGIONS;
  for (let i: u32 = 0; i < n; i++) {
    const r = core + REGIONS_OFF + <usize>i * REGION_RECORD;
    const base = load<u64>(r + REGION_IPA), size = load<u64>(r + REGION_SIZE);
    if (ipa >= base && ipa - base < size && len <= size - (ipa - base)
        && (load<u32>(r + REGION_FLAGS) & flags) == flags) return true;
  }
  return false;
}

/** Is [ipa, ipa + len) inside one RAM region of this VM that has all of `flags`? */
export function vqRamHolds(ipa: u64, len: u64, flags: u32): bool {
  return vqRamHoldsIn(STATE, ipa, len, flags);
}

/** Bytes of each area for a queue of `num` entries (spec 2.7: 16 N, 6 + 2 N, 6 + 8 N). */
@inline export function descBytes(num: u32): u64 { return <u64>DESC_SIZE * <u64>num; }
@inline export function availBytes(num: u32): u64 { return 6 + 2 * <u64>num; }
@inline export function usedBytes(num: u32): u64 { return 6 + USED_ELEM_SIZE * <u64>num; }

/** Is `num` a queue size the device takes (QueueNum)? */
export function vqNumValid(num: u32): bool {
  return isPow2(num) && num <= VIRTIO_QUEUE_NUM_MAX;
}

/** Are queue `q`'s size and areas usable: aligned and inside the VM's RAM with the access the device makes? */
export function vqLayoutCheck(q: u32): bool {
  const r = vqRec(q);
  const num = load<u32>(r + Q_NUM);
  if (!vqNumValid(num)) return vqFail(VIRTIO_ERR_QUEUE_NUM, <u64>num, 0);
  const desc = load<u64>(r + Q_DESC), drv = load<u64>(r + Q_DRIVER), dev = load<u64>(r + Q_DEVICE);
  if ((desc & (DESC_ALIGN - 1)) != 0) return vqFail(VIRTIO_ERR_QUEUE_ALIGN, desc, DESC_ALIGN, AREA_DESC);
  if ((drv & (AVAIL_ALIGN - 1)) != 0) return vqFail(VIRTIO_ERR_QUEUE_ALIGN, drv, AVAIL_ALIGN, AREA_DRIVER);
  if ((dev & (USED_ALIGN - 1)) != 0) return vqFail(VIRTIO_ERR_QUEUE_ALIGN, dev, USED_ALIGN, AREA_DEVICE);
  if (!vqRamHolds(desc, descBytes(num), REGION_R)) return vqFail(VIRTIO_ERR_QUEUE_RAM, desc, descBytes(num), AREA_DESC);
  if (!vqRamHolds(drv, availBytes(num), REGION_R)) return vqFail(VIRTIO_ERR_QUEUE_RAM, drv, availBytes(num), AREA_DRIVER);
  if (!vqRamHolds(dev, usedBytes(num), REGION_R | REGION_W)) {
    return vqFail(VIRTIO_ERR_QUEUE_RAM, dev, usedBytes(num), AREA_DEVICE);
  }
  return true;
}

function guestRead(ipa: u64, dst: usize, len: u32): bool {
  const rc = wv_guest_read(ipa, dst, <i32>len);
  return rc == 0 || vqFail(VIRTIO_ERR_GUEST_ACCESS, ipa, <u64><i64>rc);
}

function guestWrite(ipa: u64, src: usize, len: u32): bool {
  const rc = wv_guest_write(ipa, src, <i32>len);
  return rc == 0 || vqFail(VIRTIO_ERR_GUEST_ACCESS, ipa, <u64><i64>rc);
}

/** Copy `len` bytes of guest RAM at `ipa` (inside a buffer vqChain checked) to `dst`. */
export function vqRead(ipa: u64, dst: usize, len: u32): bool {
  return guestRead(ipa, dst, len);
}

/** Copy `len` bytes at `src` into guest RAM at `ipa` (inside a buffer vqChain checked). */
export function vqWrite(ipa: u64, src: usize, len: u32): bool {
  return guestWrite(ipa, src, len);
}

/**
 * Start a pass over queue `q`: check its areas, read the available ring's flags and
 * index, and when chains wait, snapshot the ring and the descriptor table (in that
 * order: the driver writes descriptors and ring entries before it publishes the index).
 * Returns how many chains wait, or -1 (vqErr says why).
 */
export function vqBegin(q: u32): i32 {
  if (!vqLayoutCheck(q)) return -1;
  const r = vqRec(q);
  const num = load<u32>(r + Q_NUM);
  const drv = load<u64>(r + Q_DRIVER);
  if (!guestRead(drv, VQ_SCRATCH + SCR_IO, 4)) return -1;
  availFlags = <u32>load<u16>(VQ_SCRATCH + SCR_IO);
  const idx = <u32>load<u16>(VQ_SCRATCH + SCR_IO + <usize>AVAIL_IDX);
  const last = load<u32>(r + Q_LAST_AVAIL);
  const pending = (idx - last) & IDX_MASK;
  if (pending > num) {
    vqFail(VIRTIO_ERR_AVAIL_IDX, <u64>idx, <u64>last);
    return -1;
  }
  if (pending == 0) return 0;
  if (!guestRead(drv + AVAIL_RING, VQ_SCRATCH + SCR_RING, 2 * num)) return -1;
  if (!guestRead(load<u64>(r + Q_DESC), VQ_SCRATCH + SCR_DESC, DESC_SIZE * num)) return -1;
  return <i32>pending;
}

/** Did the driver ask for no used buffer notification (the flags vqBegin read)? */
export function vqNoInterrupt(): bool {
  return (availFlags & VIRTQ_AVAIL_F_NO_INTERRUPT) != 0;
}

/**
 * Walk the chain at the device's next available entry of queue `q` in the snapshots of
 * vqBegin, and check it: every buffer device-writable when `writable`, else
 * device-readable. True when it can be used (vqChainCount, vqChainAddr, vqChainLen describe it).
 */
export function vqChain(q: u32, writable: bool): bool {
  const r = vqRec(q);
  const num = load<u32>(r + Q_NUM);
  const slot = load<u32>(r + Q_LAST_AVAIL) & (num - 1);
  const head = <u32>load<u16>(VQ_SCRATCH + SCR_RING + (<usize>slot << 1));
  chainHead = head;
  chainCount = 0;
  if (head >= num) return vqFail(VIRTIO_ERR_DESC_INDEX, <u64>head, <u64>num);
  const want: u32 = writable ? VIRTQ_DESC_F_WRITE : 0;
  const access: u32 = writable ? REGION_W : REGION_R;
  let i = head;
  let total: u32 = 0;
  while (chainCount < num) {
    const d = VQ_SCRATCH + SCR_DESC + <usize>(i * DESC_SIZE);
    const addr = load<u64>(d + DESC_ADDR);
    const len = load<u32>(d + DESC_LEN);
    const flags = <u32>load<u16>(d + DESC_FLAGS);
    if ((flags & ~DESC_FLAGS_KNOWN) != 0) return vqFail(VIRTIO_ERR_FLAGS, <u64>i, <u64>flags);
    if ((flags & VIRTQ_DESC_F_WRITE) != want) return vqFail(VIRTIO_ERR_DIRECTION, <u64>i, <u64>flags);
    if (len > VIRTIO_MAX_CHAIN_BYTES - total) return vqFail(VIRTIO_ERR_LENGTH, <u64>head, <u64>total + <u64>len);
    total += len;
    if (len != 0 && !vqRamHolds(addr, <u64>len, access)) return vqFail(VIRTIO_ERR_BUFFER_RAM, addr, <u64>len, i);
    store<u64>(VQ_SCRATCH + SCR_CHAIN_ADDR + (<usize>chainCount << 3), addr);
    store<u32>(VQ_SCRATCH + SCR_CHAIN_LEN + (<usize>chainCount << 2), len);
    chainCount++;
    if ((flags & VIRTQ_DESC_F_NEXT) == 0) return true;
    const next = <u32>load<u16>(d + DESC_NEXT);
    if (next >= num) return vqFail(VIRTIO_ERR_DESC_INDEX, <u64>next, <u64>num);
    i = next;
  }
  return vqFail(VIRTIO_ERR_LOOP, <u64>head, <u64>num);   // more descriptors than the queue has
}

/** Descriptors of the chain vqChain checked. */
export function vqChainCount(): u32 { return chainCount; }
/** Buffer `k` of that chain: its guest address and length. */
export function vqChainAddr(k: u32): u64 { return load<u64>(VQ_SCRATCH + SCR_CHAIN_ADDR + (<usize>k << 3)); }
export function vqChainLen(k: u32): u32 { return load<u32>(VQ_SCRATCH + SCR_CHAIN_LEN + (<usize>k << 2)); }

/**
 * The device is done with the chain vqChain walked, having written `written` bytes into
 * it: its used element goes into the used ring (spec 2.7.8), and the device moves on to
 * the next available entry. The used index is published by vqPublish.
 */
export function vqComplete(q: u32, written: u32): bool {
  const r = vqRec(q);
  const num = load<u32>(r + Q_NUM);
  const used = load<u32>(r + Q_USED_IDX);
  store<u32>(VQ_SCRATCH + SCR_IO, chainHead);
  store<u32>(VQ_SCRATCH + SCR_IO + 4, written);
  const at = load<u64>(r + Q_DEVICE) + USED_RING + USED_ELEM_SIZE * <u64>(used & (num - 1));
  if (!guestWrite(at, VQ_SCRATCH + SCR_IO, <u32>USED_ELEM_SIZE)) return false;
  store<u32>(r + Q_USED_IDX, (used + 1) & IDX_MASK);
  store<u32>(r + Q_LAST_AVAIL, (load<u32>(r + Q_LAST_AVAIL) + 1) & IDX_MASK);
  return true;
}

/** Write the used ring's idx: the driver sees the completed chains (after their elements). */
export function vqPublish(q: u32): bool {
  const r = vqRec(q);
  store<u16>(VQ_SCRATCH + SCR_IO, <u16>load<u32>(r + Q_USED_IDX));
  return guestWrite(load<u64>(r + Q_DEVICE) + USED_IDX, VQ_SCRATCH + SCR_IO, 2);
}
