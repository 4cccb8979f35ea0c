// The layout of the virtio-console device's state (devices/virtio_*.ts), version 1.
//
// Everything a guest can observe of the device (its virtio-mmio registers, the
// negotiated features, the status, each queue's configuration and ring positions)
// lives in one static block of its own (VIRTIO_STATE, below), apart from the core's
// block (core/layout.ts) and the vGIC's (arch/vgic_layout.ts), so that saved state can
// carry it as a separate, separately versioned part. Any change to an offset or size
// below is a new layout: bump VIRTIO_LAYOUT_VERSION.
//
// A VM has at most one virtio-console device (core/config.ts): one block per core
// instance. The device finds its MMIO slot, and so its SPI, in the registry
// (devices/mmio.ts). Sizes are in bytes; every u64 field is 8-byte aligned.

export const VIRTIO_LAYOUT_VERSION: u32 = 1;

/** Queues of a console without VIRTIO_CONSOLE_F_MULTIPORT: receiveq 0 and transmitq 1 (virtio 1.2 spec 5.3.2). */
export const VIRTIO_QUEUES: u32 = 2;
/** QueueNumMax of both queues: a split virtqueue's size is a power of 2 (virtio 1.2 spec 2.7). */
export const VIRTIO_QUEUE_NUM_MAX: u32 = 64;
/** The most bytes one descriptor chain may describe (a Linux receive buffer is one page, up to 64 KiB). */
export const VIRTIO_MAX_CHAIN_BYTES: u32 = 0x10000;

// ---- Device-wide part ----
export const VT_VERSION: usize = 0;        // u32 VIRTIO_LAYOUT_VERSION once reset; 0 only in a block never used
export const VT_STATUS: usize = 4;         // u32 device status (virtio 1.2 spec 2.1), VIRTIO_STATUS_* bits
export const VT_DEV_FEAT_SEL: usize = 8;   // u32 DeviceFeaturesSel
export const VT_DRV_FEAT_SEL: usize = 12;  // u32 DriverFeaturesSel
export const VT_DRV_FEAT: usize = 16;      // u64 driver features 0..63 (DriverFeatures at selectors 0 and 1)
export const VT_DRV_FEAT_HIGH: usize = 24; // u32 OR of what DriverFeatures got at selectors >= 2 (never offered)
export const VT_QUEUE_SEL: usize = 28;     // u32 QueueSel
export const VT_INT_STATUS: usize = 32;    // u32 InterruptStatus, VIRTIO_INT_* bits
export const VT_FLAGS: usize = 36;         // u32 VTF_* (below)
export const VT_ERROR: usize = 40;         // u32 VIRTIO_ERR_* that set DEVICE_NEEDS_RESET; 0 none
export const VT_SHM_SEL: usize = 44;       // u32 SHMSel
export const VT_QUEUE_OFF: usize = 48;

// ---- Per-queue part, VIRTIO_QUEUES records ----
export const Q_NUM: usize = 0;             // u32 QueueNum: 0 or a power of 2 up to VIRTIO_QUEUE_NUM_MAX
export const Q_READY: usize = 4;           // u32 QueueReady: 0 or 1
export const Q_LAST_AVAIL: usize = 8;      // u32 the next available ring index the device takes (16 bits)
export const Q_USED_IDX: usize = 12;       // u32 the used ring's idx as the device last wrote it (16 bits)
export const Q_DESC: usize = 16;           // u64 QueueDescLow/High: the descriptor table
export const Q_DRIVER: usize = 24;         // u64 QueueDriverLow/High: the available ring
export const Q_DEVICE: usize = 32;         // u64 QueueDeviceLow/High: the used ring
export const Q_RECORD: usize = 40;

export const VIRTIO_STATE_SIZE: usize = VT_QUEUE_OFF + Q_RECORD * <usize>VIRTIO_QUEUES;

/** The block itself. */
export const VIRTIO_STATE: usize = memory.data(<i32>VIRTIO_STATE_SIZE, 16);

// Feature bits (virtio 1.2 spec 6): the device offers VIRTIO_F_VERSION_1 and nothing else
// (no indirect descriptors, no event index, no console features such as MULTIPORT).
export const VIRTIO_F_VERSION_1: u64 = <u64>1 << 32;
export const VIRTIO_DEVICE_FEATURES: u64 = VIRTIO_F_VERSION_1;

// Device status bits (virtio 1.2 spec 2.1).
export const VIRTIO_STATUS_ACKNOWLEDGE: u32 = 1;
export const VIRTIO_STATUS_DRIVER: u32 = 2;
export const VIRTIO_STATUS_DRIVER_OK: u32 = 4;
export const VIRTIO_STATUS_FEATURES_OK: u32 = 8;
export const VIRTIO_STATUS_NEEDS_RESET: u32 = 64;
export const VIRTIO_STATUS_FAILED: u32 = 128;
/** The bits the driver sets; DEVICE_NEEDS_RESET is the device's. */
export const VIRTIO_STATUS_DRIVER_BITS: u32 = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK
  | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_FAILED;
export const VIRTIO_STATUS_ALL: u32 = VIRTIO_STATUS_DRIVER_BITS | VIRTIO_STATUS_NEEDS_RESET;

// InterruptStatus bits (virtio 1.2 spec 4.2.2).
/** A used buffer notification: the device used a buffer of some queue. */
export const VIRTIO_INT_USED: u32 = 1;
/** A configuration change notification (also sent when DEVICE_NEEDS_RESET is set, spec 2.1.2). */
export const VIRTIO_INT_CONFIG: u32 = 2;
export const VIRTIO_INT_ALL: u32 = VIRTIO_INT_USED | VIRTIO_INT_CONFIG;

// VT_FLAGS bits: one-time reports, not cleared by a device reset.
/** An access of the wrong width to a register was reported. */
export const VTF_WIDTH_WARNED: u32 = 1 << 0;
/** A refusal of chan_send was reported. */
export const VTF_SEND_WARNED: u32 = 1 << 1;
export const VTF_ALL: u32 = VTF_WIDTH_WARNED | VTF_SEND_WARNED;

// VT_ERROR: why the device needs a reset (devices/virtio_mmio.ts names each).
export const VIRTIO_ERR_NONE: u32 = 0;
export const VIRTIO_ERR_QUEUE_NUM: u32 = 1;
export const VIRTIO_ERR_QUEUE_ALIGN: u32 = 2;
export const VIRTIO_ERR_QUEUE_RAM: u32 = 3;
export const VIRTIO_ERR_AVAIL_IDX: u32 = 4;
export const VIRTIO_ERR_DESC_INDEX: u32 = 5;
export const VIRTIO_ERR_LOOP: u32 = 6;
export const VIRTIO_ERR_FLAGS: u32 = 7;
export const VIRTIO_ERR_DIRECTION: u32 = 8;
export const VIRTIO_ERR_LENGTH: u32 = 9;
export const VIRTIO_ERR_BUFFER_RAM: u32 = 10;
export const VIRTIO_ERR_GUEST_ACCESS: u32 = 11;
export const VIRTIO_ERR_LAST: u32 = VIRTIO_ERR_GUEST_ACCESS;

/** The record of queue `q` (0 or 1) in the live block. */
@inline export function vqRec(q: u32): usize {
  return VIRTIO_STATE + VT_QUEUE_OFF + <usize>q * Q_RECORD;
}

@inline export function vtLoad(field: usize): u32 {
  return load<u32>(VIRTIO_STATE + field);
}

@inline export function vtStore(field: usize, v: u32): void {
  store<u32>(VIRTIO_STATE + field, v);
}
