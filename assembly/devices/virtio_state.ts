// The virtio-console device's state block (devices/virtio_layout.ts): its reset, and the
// check of a block that comes from outside (a saved state to restore).
//
// virtioStateCheck refuses a block whose values could make the device reach outside its
// own block or disagree with itself: unknown status, interrupt or flag bits, a queue size
// that is not one the device takes, ring indices beyond 16 bits, a ready queue whose areas
// are unaligned or wrap around the address space, features accepted (FEATURES_OK) that
// were never offered. Where a ready queue's areas and buffers lie is checked against the
// VM's RAM regions at every use (devices/virtqueue.ts), so a block restored into a VM
// whose RAM is elsewhere puts the device in DEVICE_NEEDS_RESET rather than reaching out;
// virtioStateCheckWith also checks it against the core block a restore brings along.

import { VIRTIO_STATE, VIRTIO_STATE_SIZE, VIRTIO_LAYOUT_VERSION, VIRTIO_QUEUES, VT_VERSION,
  VT_STATUS, VT_DRV_FEAT, VT_DRV_FEAT_HIGH, VT_INT_STATUS, VT_FLAGS, VT_ERROR, VT_QUEUE_OFF, Q_RECORD, Q_NUM, Q_READY,
  Q_LAST_AVAIL, Q_USED_IDX, Q_DESC, Q_DRIVER, Q_DEVICE, VIRTIO_STATUS_ALL, VIRTIO_STATUS_DRIVER_OK,
  VIRTIO_STATUS_FEATURES_OK, VIRTIO_STATUS_NEEDS_RESET, VIRTIO_INT_ALL, VTF_ALL, VIRTIO_ERR_NONE, VIRTIO_ERR_LAST,
  VIRTIO_F_VERSION_1, VIRTIO_DEVICE_FEATURES } from "./virtio_layout";
import { vqRamHoldsIn, vqNumValid, descBytes, availBytes, usedBytes } from "./virtqueue";
import { REGION_R, REGION_W } from "../arch/stage2";

/** Ring indices are 16 bits (virtio 1.2 spec 2.7.6). */
const IDX_MAX: u32 = 0xffff;
// Area alignments of a split virtqueue (spec 2.7); their sizes are virtqueue.ts's.
const DESC_ALIGN: u64 = 16, AVAIL_ALIGN: u64 = 2, USED_ALIGN: u64 = 4;

/** The block as a device has it after a reset: status 0, no features, no queue, nothing pending, no report made. */
export function virtioStateReset(): void {
  memory.fill(VIRTIO_STATE, 0, VIRTIO_STATE_SIZE);
  store<u32>(VIRTIO_STATE + VT_VERSION, VIRTIO_LAYOUT_VERSION);
}

/** Are the features the driver accepted ones the device offered, VIRTIO_F_VERSION_1 among them (spec 6.1)? */
export function virtioFeaturesAcceptable(features: u64, high: u32): bool {
  return high == 0 && (features & ~VIRTIO_DEVICE_FEATURES) == 0 && (features & VIRTIO_F_VERSION_1) != 0;
}

/** Does [addr, addr + len) fit below 2^64 with `addr` aligned to `align`? */
@inline function areaOk(addr: u64, len: u64, align: u64): bool {
  return (addr & (align - 1)) == 0 && addr + len >= addr;
}

function queueOk(r: usize): bool {
  const num = load<u32>(r + Q_NUM);
  if (num != 0 && !vqNumValid(num)) return false;
  if (load<u32>(r + Q_LAST_AVAIL) > IDX_MAX || load<u32>(r + Q_USED_IDX) > IDX_MAX) return false;
  const ready = load<u32>(r + Q_READY);
  if (ready > 1) return false;
  if (ready == 0) return true;
  return num != 0 && areaOk(load<u64>(r + Q_DESC), descBytes(num), DESC_ALIGN)
    && areaOk(load<u64>(r + Q_DRIVER), availBytes(num), AVAIL_ALIGN) && areaOk(load<u64>(r + Q_DEVICE), usedBytes(num), USED_ALIGN);
}

function allZero(p: usize): bool {
  for (let i: usize = 0; i < VIRTIO_STATE_SIZE; i += 4) if (load<u32>(p + i) != 0) return false;
  return true;
}

/** Is the block at `p` (VIRTIO_STATE_SIZE bytes, layout VIRTIO_LAYOUT_VERSION) safe to copy in? */
export function virtioStateCheck(p: usize): bool {
  const version = load<u32>(p + VT_VERSION);
  if (version == 0) return allZero(p);   // a block never used
  if (version != VIRTIO_LAYOUT_VERSION) return false;
  const status = load<u32>(p + VT_STATUS);
  if ((status & ~VIRTIO_STATUS_ALL) != 0) return false;
  const featuresOk = (status & VIRTIO_STATUS_FEATURES_OK) != 0;
  if ((status & VIRTIO_STATUS_DRIVER_OK) != 0 && !featuresOk) return false;
  if (featuresOk && !virtioFeaturesAcceptable(load<u64>(p + VT_DRV_FEAT), load<u32>(p + VT_DRV_FEAT_HIGH))) return false;
  if ((load<u32>(p + VT_INT_STATUS) & ~VIRTIO_INT_ALL) != 0) return false;
  if ((load<u32>(p + VT_FLAGS) & ~VTF_ALL) != 0) return false;
  const err = load<u32>(p + VT_ERROR);
  if (err > VIRTIO_ERR_LAST || (err != VIRTIO_ERR_NONE) != ((status & VIRTIO_STATUS_NEEDS_RESET) != 0)) return false;
  for (let q: u32 = 0; q < VIRTIO_QUEUES; q++) {
    if (!queueOk(p + VT_QUEUE_OFF + <usize>q * Q_RECORD)) return false;
  }
  return true;
}

/**
 * virtioStateCheck, and every ready queue's areas inside one RAM region of the VM whose
 * core state block (core/layout.ts, current layout) is at `core`, with the access the
 * device makes: for a restore that brings the core block along.
 */
export function virtioStateCheckWith(p: usize, core: usize): bool {
  if (!virtioStateCheck(p)) return false;
  for (let q: u32 = 0; q < VIRTIO_QUEUES; q++) {
    const r = p + VT_QUEUE_OFF + <usize>q * Q_RECORD;
    if (load<u32>(r + Q_READY) == 0) continue;
    const num = load<u32>(r + Q_NUM);
    if (!vqRamHoldsIn(core, load<u64>(r + Q_DESC), descBytes(num), REGION_R)
        || !vqRamHoldsIn(core, load<u64>(r + Q_DRIVER), availBytes(num), REGION_R)
        || !vqRamHoldsIn(core, load<u64>(r + Q_DEVICE), usedBytes(num), REGION_R | REGION_W)) return false;
  }
  return true;
}
