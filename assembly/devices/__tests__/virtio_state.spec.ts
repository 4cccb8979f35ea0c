// The virtio-console device's state block (devices/virtio_layout.ts, virtio_state.ts):
// what virtioStateCheck accepts and refuses, virtioStateReset, and that a block copied in
// whose rings lie outside the VM's RAM only puts the device in DEVICE_NEEDS_RESET.

import { virtioVm, driverUp, postTx, postRx, rd, wr, R_STATUS, R_QUEUE_NOTIFY, S_NEEDS_RESET, TXQ } from "../../__tests__/virtio_driver";
import { guestStray, chanCount } from "../../__tests__/fake";
import { VIRTIO_STATE, VIRTIO_STATE_SIZE, VIRTIO_LAYOUT_VERSION, VT_VERSION, VT_STATUS, VT_DRV_FEAT, VT_DRV_FEAT_HIGH,
  VT_INT_STATUS, VT_FLAGS, VT_ERROR, VT_QUEUE_OFF, Q_RECORD, Q_NUM, Q_READY, Q_LAST_AVAIL, Q_USED_IDX, Q_DESC, Q_DRIVER,
  Q_DEVICE, VIRTIO_ERR_QUEUE_RAM } from "../virtio_layout";
import { virtioStateCheck, virtioStateCheckWith, virtioStateReset } from "../virtio_state";
import { STATE, STATE_SIZE, VM_REGION_COUNT } from "../../core/layout";
import { chanPush } from "../virtio_console";

const COPY: usize = memory.data(<i32>VIRTIO_STATE_SIZE, 16);
const CORE_COPY: usize = memory.data(<i32>STATE_SIZE, 16);

/** COPY: the live block of a driver that set everything up and sent one buffer. */
function live(): void {
  expect(virtioVm()).toBe(0);
  driverUp();
  postTx("x");
  wr(R_QUEUE_NOTIFY, TXQ);
  memory.copy(COPY, VIRTIO_STATE, VIRTIO_STATE_SIZE);
}

function with32(field: usize, value: u32): bool {
  live();
  store<u32>(COPY + field, value);
  return virtioStateCheck(COPY);
}

function with64(field: usize, value: u64): bool {
  live();
  store<u64>(COPY + field, value);
  return virtioStateCheck(COPY);
}

const TX: usize = VT_QUEUE_OFF + Q_RECORD;

describe("virtioStateCheck", () => {
  it("accepts a block never used, a reset block and a driver's live block", () => {
    memory.fill(COPY, 0, VIRTIO_STATE_SIZE);
    expect(virtioStateCheck(COPY)).toBe(true);
    virtioStateReset();
    expect(load<u32>(VIRTIO_STATE + VT_VERSION)).toBe(VIRTIO_LAYOUT_VERSION);
    expect(virtioStateCheck(VIRTIO_STATE)).toBe(true);
    live();
    expect(virtioStateCheck(COPY)).toBe(true);
  });

  it("refuses another layout version, or a block of version 0 with anything in it", () => {
    expect(with32(VT_VERSION, VIRTIO_LAYOUT_VERSION + 1)).toBe(false);
    memory.fill(COPY, 0, VIRTIO_STATE_SIZE);
    store<u32>(COPY + VT_STATUS, 1);
    expect(virtioStateCheck(COPY)).toBe(false);
  });

  it("refuses unknown status, interrupt or flag bits", () => {
    expect(with32(VT_STATUS, 0x10 | 0xf)).toBe(false);
    expect(with32(VT_INT_STATUS, 4)).toBe(false);
    expect(with32(VT_FLAGS, 0x100)).toBe(false);
  });

  it("refuses DRIVER_OK without FEATURES_OK, and FEATURES_OK for features never offered", () => {
    expect(with32(VT_STATUS, 1 | 2 | 4)).toBe(false);
    expect(with64(VT_DRV_FEAT, 0)).toBe(false);
    expect(with64(VT_DRV_FEAT, (<u64>1 << 32) | (1 << 28))).toBe(false);
    expect(with32(VT_DRV_FEAT_HIGH, 1)).toBe(false);
  });

  it("refuses an error without DEVICE_NEEDS_RESET, NEEDS_RESET without one, or an unknown one", () => {
    expect(with32(VT_ERROR, 3)).toBe(false);
    expect(with32(VT_STATUS, 0x4f)).toBe(false);
    live();
    store<u32>(COPY + VT_STATUS, load<u32>(COPY + VT_STATUS) | S_NEEDS_RESET);
    store<u32>(COPY + VT_ERROR, VIRTIO_ERR_QUEUE_RAM);
    expect(virtioStateCheck(COPY)).toBe(true);
    store<u32>(COPY + VT_ERROR, 99);
    expect(virtioStateCheck(COPY)).toBe(false);
  });

  it("refuses queue sizes the device does not take, and ring indices beyond 16 bits", () => {
    expect(with32(TX + Q_NUM, 3)).toBe(false);
    expect(with32(TX + Q_NUM, 128)).toBe(false);
    expect(with32(TX + Q_NUM, 0)).toBe(false);   // ready without a size
    expect(with32(TX + Q_READY, 2)).toBe(false);
    expect(with32(TX + Q_LAST_AVAIL, 0x10000)).toBe(false);
    expect(with32(TX + Q_USED_IDX, 0xffffffff)).toBe(false);
    expect(with32(TX + Q_LAST_AVAIL, 0xffff)).toBe(true);
  });

  it("refuses a ready queue whose areas are unaligned or wrap", () => {
    expect(with64(TX + Q_DESC, 0x40100008)).toBe(false);
    expect(with64(TX + Q_DRIVER, 0x40101001)).toBe(false);
    expect(with64(TX + Q_DEVICE, 0x40102002)).toBe(false);
    expect(with64(TX + Q_DEVICE, 0xfffffffffffffff0)).toBe(false);
    live();
    store<u32>(COPY + TX + Q_READY, 0);
    store<u64>(COPY + TX + Q_DESC, 0xffffffffffffffff);   // not ready: any address
    expect(virtioStateCheck(COPY)).toBe(true);
  });
});

describe("virtioStateCheckWith", () => {
  it("takes ready queues inside the RAM of the core block given, and refuses them outside", () => {
    live();
    expect(virtioStateCheckWith(COPY, STATE)).toBe(true);
    store<u64>(COPY + TX + Q_DRIVER, 0x20000000);
    expect(virtioStateCheck(COPY)).toBe(true);
    expect(virtioStateCheckWith(COPY, STATE)).toBe(false);
  });

  it("checks against the core block given, not the live one", () => {
    live();
    const core = CORE_COPY;
    memory.copy(core, STATE, STATE_SIZE);
    store<u32>(core + VM_REGION_COUNT, 0);
    expect(virtioStateCheckWith(COPY, STATE)).toBe(true);
    expect(virtioStateCheckWith(COPY, core)).toBe(false);
  });
});

describe("a block copied in", () => {
  it("with rings outside the VM's RAM: DEVICE_NEEDS_RESET at first use, nothing read or written there", () => {
    live();
    store<u64>(COPY + TX + Q_DESC, 0x20000000);
    store<u64>(COPY + VT_QUEUE_OFF + Q_DEVICE, 0x7fff0000);   // the receiveq's used ring
    expect(virtioStateCheck(COPY)).toBe(true);
    memory.copy(VIRTIO_STATE, COPY, VIRTIO_STATE_SIZE);
    postTx("y");
    wr(R_QUEUE_NOTIFY, TXQ);
    expect(rd(R_STATUS) & S_NEEDS_RESET).toBe(S_NEEDS_RESET);
    expect(load<u32>(VIRTIO_STATE + VT_ERROR)).toBe(VIRTIO_ERR_QUEUE_RAM);
    postRx(8);
    expect(chanPush(1)).toBe(0);
    expect(guestStray()).toBe(0);
    expect(chanCount()).toBe(1);   // the "x" before
    expect(load<u32>(VIRTIO_STATE + VT_QUEUE_OFF + Q_READY)).toBe(1);
  });
});
