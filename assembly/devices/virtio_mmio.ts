// The virtio-mmio transport, version 2 only (virtio 1.2 spec 4.2.2, "MMIO Device
// Register Layout"), of the VM's virtio-console device (devices/virtio_console.ts).
//
// Registers are 32 bits wide and take aligned 32-bit accesses only (spec 4.2.2.2); any
// other access to them reads 0 and is ignored (reported once). The device-specific
// configuration space at 0x100 takes any width. Feature negotiation (spec 3.1.1): the
// device offers VIRTIO_F_VERSION_1 alone, and keeps FEATURES_OK clear when the driver
// accepted anything else or not VERSION_1. Status 0 resets the device. Queue registers
// act on the queue QueueSel names, and only while it is not ready; QueueReady 1 checks
// the queue's size and areas first (devices/virtqueue.ts).

import { VIRTIO_QUEUES, VIRTIO_QUEUE_NUM_MAX, VT_STATUS, VT_DEV_FEAT_SEL, VT_DRV_FEAT_SEL, VT_DRV_FEAT,
  VT_DRV_FEAT_HIGH, VT_QUEUE_SEL, VT_INT_STATUS, VT_SHM_SEL, Q_NUM, Q_READY, Q_LAST_AVAIL, Q_USED_IDX, Q_DESC,
  Q_DRIVER, Q_DEVICE, VIRTIO_DEVICE_FEATURES, VIRTIO_STATUS_DRIVER_BITS, VIRTIO_STATUS_DRIVER_OK,
  VIRTIO_STATUS_FEATURES_OK, VIRTIO_STATUS_NEEDS_RESET, VIRTIO_ERR_QUEUE_NUM, VIRTIO_STATE, vqRec, vtLoad,
  vtStore } from "./virtio_layout";
import { virtioFeaturesAcceptable } from "./virtio_state";
import { virtioDeviceReset, virtioAck, virtioNeedsReset, virtioWarnWidth } from "./virtio_device";
import { vqNumValid, vqLayoutCheck, vqFail } from "./virtqueue";
import { consoleConfigRead, consoleNotify, VIRTIO_ID_CONSOLE } from "./virtio_console";
import { logBeginVm, logStr, logHex, logEnd } from "../core/log";

// Register offsets (spec 4.2.2).
const MAGIC_VALUE: u32 = 0x000;
const VERSION: u32 = 0x004;
const DEVICE_ID: u32 = 0x008;
const VENDOR_ID: u32 = 0x00c;
const DEVICE_FEATURES: u32 = 0x010;
const DEVICE_FEATURES_SEL: u32 = 0x014;
const DRIVER_FEATURES: u32 = 0x020;
const DRIVER_FEATURES_SEL: u32 = 0x024;
const QUEUE_SEL: u32 = 0x030;
const QUEUE_NUM_MAX: u32 = 0x034;
const QUEUE_NUM: u32 = 0x038;
const QUEUE_READY: u32 = 0x044;
const QUEUE_NOTIFY: u32 = 0x050;
const INTERRUPT_STATUS: u32 = 0x060;
const INTERRUPT_ACK: u32 = 0x064;
const STATUS: u32 = 0x070;
const QUEUE_DESC_LOW: u32 = 0x080;
const QUEUE_DESC_HIGH: u32 = 0x084;
const QUEUE_DRIVER_LOW: u32 = 0x090;
const QUEUE_DRIVER_HIGH: u32 = 0x094;
const QUEUE_DEVICE_LOW: u32 = 0x0a0;
const QUEUE_DEVICE_HIGH: u32 = 0x0a4;
const SHM_SEL: u32 = 0x0ac;
const SHM_LEN_LOW: u32 = 0x0b0;
const SHM_BASE_HIGH: u32 = 0x0bc;
const CONFIG_GENERATION: u32 = 0x0fc;
/** The device-specific configuration space starts here. */
export const VIRTIO_MMIO_CONFIG: u64 = 0x100;
/** The transport's register window (docs/abi.md section 6): registers and configuration space. */
export const VIRTIO_MMIO_WINDOW: u64 = 0x200;

/** MagicValue: "virt" in little-endian. */
export const VIRTIO_MMIO_MAGIC: u32 = 0x74726976;
/** Version 2: the modern (non-legacy) interface. */
export const VIRTIO_MMIO_VERSION: u32 = 2;
/** VendorID: "WV" (any value is allowed; drivers match on DeviceID). */
export const VIRTIO_VENDOR_ID: u32 = 0x5657;
/** SHMLen/SHMBase of a shared memory region that does not exist: -1 (the device has none). */
const SHM_NONE: u32 = 0xffffffff;

const WORD_BYTES: u32 = 4;
const LOW_MASK: u64 = 0xffffffff;

@inline function selectedQueue(): u32 {
  return vtLoad(VT_QUEUE_SEL);
}

function regRead(reg: u32): u32 {
  const sel = selectedQueue();
  switch (reg) {
    case MAGIC_VALUE: return VIRTIO_MMIO_MAGIC;
    case VERSION: return VIRTIO_MMIO_VERSION;
    case DEVICE_ID: return VIRTIO_ID_CONSOLE;
    case VENDOR_ID: return VIRTIO_VENDOR_ID;
    case DEVICE_FEATURES: {
      const fsel = vtLoad(VT_DEV_FEAT_SEL);
      return fsel < 2 ? <u32>(VIRTIO_DEVICE_FEATURES >> (<u64>fsel << 5)) : 0;
    }
    case QUEUE_NUM_MAX: return sel < VIRTIO_QUEUES ? VIRTIO_QUEUE_NUM_MAX : 0;
    case QUEUE_READY: return sel < VIRTIO_QUEUES ? load<u32>(vqRec(sel) + Q_READY) : 0;
    case INTERRUPT_STATUS: return vtLoad(VT_INT_STATUS);
    case STATUS: return vtLoad(VT_STATUS);
    case CONFIG_GENERATION: return 0;   // the configuration space never changes
  }
  if (reg >= SHM_LEN_LOW && reg <= SHM_BASE_HIGH) return SHM_NONE;
  return 0;   // write-only and reserved registers
}

/** The driver accepts features: a 32-bit word of them at DriverFeaturesSel; none once FEATURES_OK is set. */
function driverFeatures(value: u32): void {
  if ((vtLoad(VT_STATUS) & VIRTIO_STATUS_FEATURES_OK) != 0) return;
  const fsel = vtLoad(VT_DRV_FEAT_SEL);
  if (fsel >= 2) {
    vtStore(VT_DRV_FEAT_HIGH, vtLoad(VT_DRV_FEAT_HIGH) | value);
    return;
  }
  const a = VIRTIO_STATE + VT_DRV_FEAT;
  const shift = <u64>fsel << 5;
  store<u64>(a, (load<u64>(a) & ~(LOW_MASK << shift)) | (<u64>value << shift));
}

function refuseFeatures(): void {
  logBeginVm();
  logStr(": virtio-console: FEATURES_OK refused: the driver accepted features ");
  logHex(load<u64>(VIRTIO_STATE + VT_DRV_FEAT));
  if (vtLoad(VT_DRV_FEAT_HIGH) != 0) logStr(" and bits above 63");
  logStr(", but must accept VIRTIO_F_VERSION_1 and only features the device offers (");
  logHex(VIRTIO_DEVICE_FEATURES);
  logStr(")");
  logEnd();
}

/**
 * A write to Status (spec 2.1, 3.1.1): 0 resets the device; otherwise the driver's bits
 * accumulate (a driver never clears one), FEATURES_OK only for features the device
 * accepts, DRIVER_OK only after FEATURES_OK; DEVICE_NEEDS_RESET is the device's to set.
 */
function statusWrite(slot: i32, value: u32): void {
  if (value == 0) {
    virtioDeviceReset(slot);
    return;
  }
  const old = vtLoad(VT_STATUS);
  let s = (old | value) & VIRTIO_STATUS_DRIVER_BITS;
  if ((s & ~old & VIRTIO_STATUS_FEATURES_OK) != 0
      && !virtioFeaturesAcceptable(load<u64>(VIRTIO_STATE + VT_DRV_FEAT), vtLoad(VT_DRV_FEAT_HIGH))) {
    s &= ~VIRTIO_STATUS_FEATURES_OK;
    refuseFeatures();
  }
  if ((s & VIRTIO_STATUS_FEATURES_OK) == 0) s &= ~VIRTIO_STATUS_DRIVER_OK;
  vtStore(VT_STATUS, s | (old & VIRTIO_STATUS_NEEDS_RESET));
}

/** QueueReady: 1 starts the selected queue at ring index 0 once its size and areas pass; 0 stops it. */
function queueReady(slot: i32, q: u32, value: u32): void {
  const r = vqRec(q);
  if (value == 0) {
    store<u32>(r + Q_READY, 0);
    return;
  }
  if (load<u32>(r + Q_READY) != 0) return;
  if (!vqLayoutCheck(q)) {
    virtioNeedsReset(slot, q);
    return;
  }
  store<u32>(r + Q_LAST_AVAIL, 0);
  store<u32>(r + Q_USED_IDX, 0);
  store<u32>(r + Q_READY, 1);
}

/** Half `high` of a queue area's 64-bit address. */
function queueAddress(field: usize, high: bool, value: u32): void {
  const r = vqRec(selectedQueue());
  const shift: u64 = high ? 32 : 0;
  store<u64>(r + field, (load<u64>(r + field) & ~(LOW_MASK << shift)) | (<u64>value << shift));
}

/** A write to one of the selected queue's registers: ignored for a queue that does not exist or is ready. */
function queueWrite(slot: i32, reg: u32, value: u32): void {
  const q = selectedQueue();
  if (q >= VIRTIO_QUEUES) return;
  if (reg == QUEUE_READY) {
    queueReady(slot, q, value);
    return;
  }
  if (load<u32>(vqRec(q) + Q_READY) != 0) return;   // the driver sets a queue up before it is ready (spec 4.2.3.2)
  switch (reg) {
    case QUEUE_NUM:
      if (vqNumValid(value)) store<u32>(vqRec(q) + Q_NUM, value);
      else {
        vqFail(VIRTIO_ERR_QUEUE_NUM, <u64>value, 0);
        virtioNeedsReset(slot, q);
      }
      break;
    case QUEUE_DESC_LOW: queueAddress(Q_DESC, false, value); break;
    case QUEUE_DESC_HIGH: queueAddress(Q_DESC, true, value); break;
    case QUEUE_DRIVER_LOW: queueAddress(Q_DRIVER, false, value); break;
    case QUEUE_DRIVER_HIGH: queueAddress(Q_DRIVER, true, value); break;
    case QUEUE_DEVICE_LOW: queueAddress(Q_DEVICE, false, value); break;
    case QUEUE_DEVICE_HIGH: queueAddress(Q_DEVICE, true, value); break;
  }
}

function regWrite(slot: i32, reg: u32, value: u32): void {
  switch (reg) {
    case DEVICE_FEATURES_SEL: vtStore(VT_DEV_FEAT_SEL, value); return;
    case DRIVER_FEATURES: driverFeatures(value); return;
    case DRIVER_FEATURES_SEL: vtStore(VT_DRV_FEAT_SEL, value); return;
    case QUEUE_SEL: vtStore(VT_QUEUE_SEL, value); return;
    case QUEUE_NOTIFY: consoleNotify(slot, value); return;
    case INTERRUPT_ACK: virtioAck(slot, value); return;
    case STATUS: statusWrite(slot, value); return;
    case SHM_SEL: vtStore(VT_SHM_SEL, value); return;
    case QUEUE_NUM: case QUEUE_READY: case QUEUE_DESC_LOW: case QUEUE_DESC_HIGH: case QUEUE_DRIVER_LOW:
    case QUEUE_DRIVER_HIGH: case QUEUE_DEVICE_LOW: case QUEUE_DEVICE_HIGH:
      queueWrite(slot, reg, value);
      return;
  }
  // Read-only and reserved registers ignore writes.
}

@inline function isRegisterAccess(offset: u64, bytes: u32): bool {
  return bytes == WORD_BYTES && (offset & <u64>(WORD_BYTES - 1)) == 0;
}

/** Read `bytes` (1, 2, 4 or 8) at `offset` into the window of device `slot`; zero-extended. */
export function virtioMmioRead(slot: i32, offset: u64, bytes: u32): u64 {
  if (offset >= VIRTIO_MMIO_WINDOW) return 0;
  if (offset >= VIRTIO_MMIO_CONFIG) return consoleConfigRead(offset - VIRTIO_MMIO_CONFIG, bytes);
  if (!isRegisterAccess(offset, bytes)) {
    virtioWarnWidth(offset, bytes);
    return 0;
  }
  return <u64>regRead(<u32>offset);
}

/** Write the low `bytes` (1, 2, 4 or 8) of `value` at `offset` into the window of device `slot`. */
export function virtioMmioWrite(slot: i32, offset: u64, bytes: u32, value: u64): void {
  if (offset >= VIRTIO_MMIO_CONFIG) return;   // the console's configuration space: emerg_wr is not offered
  if (!isRegisterAccess(offset, bytes)) {
    virtioWarnWidth(offset, bytes);
    return;
  }
  regWrite(slot, <u32>offset, <u32>(value & LOW_MASK));
}
