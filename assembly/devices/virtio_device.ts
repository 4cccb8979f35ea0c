// The virtio device as a whole, whatever its transport registers: where it is in the
// MMIO registry, whether the driver has it running, its interrupt, its reset, and
// DEVICE_NEEDS_RESET with the one line that says what the guest got wrong.
//
// Interrupt (virtio 1.2 spec 4.2.3.4): the device's SPI (its config record's irq) is a
// level, high while InterruptStatus is not 0; the vGIC samples it (arch/vgic.ts vgicSetLine).
// Error (spec 2.1.1, 2.1.2): a device that finds the driver broke the rules sets
// DEVICE_NEEDS_RESET, sends a configuration change notification and uses no queue until
// the driver resets it (Status 0); the hypervisor and the VM go on.

import { mmioFirstOfKind, mmioIrq, DEVICE_VIRTIO_CONSOLE } from "./mmio";
import { vgicSetLine } from "../arch/vgic";
import { logBeginVm, logStr, logDec, logHex, logEnd } from "../core/log";
import { VIRTIO_LAYOUT_VERSION, VIRTIO_MAX_CHAIN_BYTES, VIRTIO_QUEUE_NUM_MAX, VT_VERSION, VT_STATUS, VT_INT_STATUS,
  VT_FLAGS, VT_ERROR, VIRTIO_STATUS_DRIVER_OK, VIRTIO_STATUS_NEEDS_RESET, VIRTIO_INT_CONFIG, VTF_WIDTH_WARNED,
  VTF_SEND_WARNED, VIRTIO_ERR_NONE, VIRTIO_ERR_QUEUE_NUM, VIRTIO_ERR_QUEUE_ALIGN, VIRTIO_ERR_QUEUE_RAM,
  VIRTIO_ERR_AVAIL_IDX, VIRTIO_ERR_DESC_INDEX, VIRTIO_ERR_LOOP, VIRTIO_ERR_FLAGS, VIRTIO_ERR_DIRECTION,
  VIRTIO_ERR_LENGTH, VIRTIO_ERR_BUFFER_RAM, VIRTIO_ERR_GUEST_ACCESS, vtLoad, vtStore } from "./virtio_layout";
import { virtioStateReset } from "./virtio_state";
import { vqErr, vqErrA, vqErrB, vqErrC, AREA_DESC, AREA_DRIVER } from "./virtqueue";

/** The console's queues (virtio 1.2 spec 5.3.2): port 0's receiveq (device to driver) and transmitq. */
export const VIRTIO_RECEIVEQ: u32 = 0;
export const VIRTIO_TRANSMITQ: u32 = 1;

/** The MMIO slot of the VM's virtio-console device, or -1 when it has none. */
export function virtioSlot(): i32 {
  return mmioFirstOfKind(DEVICE_VIRTIO_CONSOLE);
}

/** May the device use its queues: the driver set DRIVER_OK and the device does not need a reset (spec 3.1.1)? */
export function virtioLive(): bool {
  const s = vtLoad(VT_STATUS);
  return vtLoad(VT_VERSION) == VIRTIO_LAYOUT_VERSION && (s & VIRTIO_STATUS_DRIVER_OK) != 0
    && (s & VIRTIO_STATUS_NEEDS_RESET) == 0;
}

/** Drive the device's SPI from InterruptStatus (none when its irq is 0). */
export function virtioUpdateLine(slot: i32): void {
  const irq = mmioIrq(slot);
  if (irq == 0) return;
  vgicSetLine(0, irq, vtLoad(VT_INT_STATUS) != 0);
}

/** Set InterruptStatus bits (VIRTIO_INT_*): a notification to the driver. */
export function virtioRaise(slot: i32, bits: u32): void {
  vtStore(VT_INT_STATUS, vtLoad(VT_INT_STATUS) | bits);
  virtioUpdateLine(slot);
}

/** InterruptACK: the driver handled the notifications of `bits`. */
export function virtioAck(slot: i32, bits: u32): void {
  vtStore(VT_INT_STATUS, vtLoad(VT_INT_STATUS) & ~bits);
  virtioUpdateLine(slot);
}

/** Device reset (Status 0, the VM's restart, registration): every register back, the line low; the one-time reports stay made. */
export function virtioDeviceReset(slot: i32): void {
  const flags = vtLoad(VT_FLAGS);
  virtioStateReset();
  vtStore(VT_FLAGS, flags);
  virtioUpdateLine(slot);
}

/** The device of a new VM, or of a VM restarted from its images: reset, no report made yet. */
export function virtioConsoleInit(slot: i32): void {
  virtioStateReset();
  virtioUpdateLine(slot);
}

function queueName(q: u32): void {
  logStr(q == VIRTIO_RECEIVEQ ? "receiveq (queue 0)" : "transmitq (queue 1)");
}

function areaName(a: u32): void {
  logStr(a == AREA_DESC ? "descriptor table" : a == AREA_DRIVER ? "available ring (driver area)" : "used ring (device area)");
}

/** The reason vqErr names, for queue `q`. */
function reason(q: u32): void {
  switch (vqErr) {
    case VIRTIO_ERR_QUEUE_NUM:
      logStr("QueueNum "); logDec(vqErrA);
      logStr(" is not a power of 2 from 1 to "); logDec(<u64>VIRTIO_QUEUE_NUM_MAX);
      break;
    case VIRTIO_ERR_QUEUE_ALIGN:
      logStr("the "); areaName(vqErrC); logStr(" at "); logHex(vqErrA);
      logStr(" is not "); logDec(vqErrB); logStr("-byte aligned");
      break;
    case VIRTIO_ERR_QUEUE_RAM:
      logStr("the "); areaName(vqErrC); logStr(" at "); logHex(vqErrA); logStr(" ("); logDec(vqErrB);
      logStr(" bytes) is not inside one RAM region of the VM");
      logStr(vqErrC == AREA_DESC || vqErrC == AREA_DRIVER ? " with read access" : " with read and write access");
      break;
    case VIRTIO_ERR_AVAIL_IDX:
      logStr("the available index "); logDec(vqErrA); logStr(" runs more than the queue size ahead of the device's ");
      logDec(vqErrB);
      break;
    case VIRTIO_ERR_DESC_INDEX:
      logStr("descriptor index "); logDec(vqErrA); logStr(" is outside the queue of "); logDec(vqErrB);
      break;
    case VIRTIO_ERR_LOOP:
      logStr("the descriptor chain from "); logDec(vqErrA); logStr(" is longer than the queue's ");
      logDec(vqErrB); logStr(" descriptors (a loop)");
      break;
    case VIRTIO_ERR_FLAGS:
      logStr("descriptor "); logDec(vqErrA); logStr(" has flags "); logHex(vqErrB);
      logStr(" (only NEXT and WRITE: indirect descriptors were not negotiated)");
      break;
    case VIRTIO_ERR_DIRECTION:
      logStr("descriptor "); logDec(vqErrA);
      logStr(q == VIRTIO_RECEIVEQ ? " is device-readable, but the receiveq takes device-writable buffers"
        : " is device-writable, but the transmitq takes device-readable buffers");
      break;
    case VIRTIO_ERR_LENGTH:
      logStr("the descriptor chain from "); logDec(vqErrA); logStr(" describes more than ");
      logDec(<u64>VIRTIO_MAX_CHAIN_BYTES); logStr(" bytes");
      break;
    case VIRTIO_ERR_BUFFER_RAM:
      logStr("the buffer of descriptor "); logDec(<u64>vqErrC); logStr(" at "); logHex(vqErrA); logStr(" (");
      logDec(vqErrB); logStr(" bytes) is not inside one RAM region of the VM with ");
      logStr(q == VIRTIO_RECEIVEQ ? "write access" : "read access");
      break;
    case VIRTIO_ERR_GUEST_ACCESS:
      logStr("the runtime refused a guest memory access at "); logHex(vqErrA); logStr(" (error -");
      logDec(-vqErrB); logStr(")");
      break;
    default:
      logStr("unknown error");
  }
}

/**
 * Queue `q` failed a check (vqErr says which): set DEVICE_NEEDS_RESET, send a
 * configuration change notification, and say once what was wrong. Later failures before
 * the driver resets the device add nothing.
 */
export function virtioNeedsReset(slot: i32, q: u32): void {
  const s = vtLoad(VT_STATUS);
  if ((s & VIRTIO_STATUS_NEEDS_RESET) != 0) return;
  vtStore(VT_STATUS, s | VIRTIO_STATUS_NEEDS_RESET);
  vtStore(VT_ERROR, vqErr != VIRTIO_ERR_NONE ? vqErr : VIRTIO_ERR_GUEST_ACCESS);
  logBeginVm();
  logStr(": virtio-console ");
  queueName(q);
  logStr(": ");
  reason(q);
  logStr("; the device needs a reset (DEVICE_NEEDS_RESET)");
  logEnd();
  virtioRaise(slot, VIRTIO_INT_CONFIG);
}

/** A register accessed with a width other than 32 bits (spec 4.2.2.2): ignored, said once. */
export function virtioWarnWidth(offset: u64, bytes: u32): void {
  if ((vtLoad(VT_FLAGS) & VTF_WIDTH_WARNED) != 0) return;
  vtStore(VT_FLAGS, vtLoad(VT_FLAGS) | VTF_WIDTH_WARNED);
  logBeginVm();
  logStr(": virtio-console: a "); logDec(<u64>bytes * 8); logStr("-bit access at register offset "); logHex(offset);
  logStr(" ignored (virtio-mmio registers take aligned 32-bit accesses; reported once)");
  logEnd();
}

/** chan_send refused transmitted bytes (they are dropped; the buffer is still completed): said once. */
export function virtioWarnSend(rc: i32, len: u32): void {
  if ((vtLoad(VT_FLAGS) & VTF_SEND_WARNED) != 0) return;
  vtStore(VT_FLAGS, vtLoad(VT_FLAGS) | VTF_SEND_WARNED);
  logBeginVm();
  logStr(": virtio-console: the hypervisor channel refused "); logDec(<u64>len); logStr(" bytes (error -");
  logDec(<u64>(-<i64>rc)); logStr("); what it refuses is dropped (reported once)");
  logEnd();
}
