// The virtio-mmio transport of the virtio-console device (devices/virtio_mmio.ts,
// virtio 1.2 spec 4.2.2): identification registers, feature negotiation, the status
// state machine with its reset, queue set-up and its checks, access widths, and the
// configuration space.

import { virtioVm, rd, wr, slot, negotiate, setupQueue, driverUp, descAt, availAt, usedAt, line, R_MAGIC, R_VERSION,
  R_DEVICE_ID, R_VENDOR_ID, R_DEV_FEATURES, R_DEV_FEATURES_SEL, R_DRV_FEATURES, R_DRV_FEATURES_SEL, R_QUEUE_SEL,
  R_QUEUE_NUM_MAX, R_QUEUE_NUM, R_QUEUE_READY, R_INT_STATUS, R_INT_ACK, R_STATUS, R_DESC_LOW, R_DESC_HIGH,
  R_DRIVER_LOW, R_DEVICE_LOW, R_SHM_LEN_LOW, R_CONFIG_GEN, R_CONFIG, S_ACK, S_DRIVER, S_DRIVER_OK, S_FEATURES_OK,
  S_NEEDS_RESET, RXQ, TXQ, VIO_IPA, saw } from "../../__tests__/virtio_driver";
import { mmioRead, mmioWrite } from "../mmio";
import { consoleCount } from "../../__tests__/fake";
import { RAM_IPA, RAM_SIZE } from "../../__tests__/blob";
import { VIRTIO_STATE, VT_DRV_FEAT, VT_ERROR, Q_DESC, Q_NUM, Q_READY, vqRec, VIRTIO_ERR_QUEUE_NUM,
  VIRTIO_ERR_QUEUE_ALIGN, VIRTIO_ERR_QUEUE_RAM } from "../virtio_layout";
import { virtioStateCheck } from "../virtio_state";
import { handleExit } from "../../arch/exits";
import { exitWith, faultAt, dabtEsr, setReg, reg } from "../../__tests__/exit";

describe("virtio-mmio identification", () => {
  it("reads magic 'virt', version 2, device ID 3 (console) and a vendor ID", () => {
    expect(virtioVm()).toBe(0);
    expect(rd(R_MAGIC)).toBe(0x74726976);
    expect(rd(R_VERSION)).toBe(2);
    expect(rd(R_DEVICE_ID)).toBe(3);
    expect(rd(R_VENDOR_ID)).toBe(0x5657);
    expect(rd(R_CONFIG_GEN)).toBe(0);
    expect(rd(R_STATUS)).toBe(0);
  });

  it("answers a guest load through the exit path: LDR w5 from MagicValue", () => {
    expect(virtioVm()).toBe(0);
    exitWith(dabtEsr(1, 2, 0, 5, 0, 0, 0x07));
    faultAt(VIO_IPA + R_MAGIC);
    expect(handleExit(0)).toBe(0);
    expect(reg(5)).toBe(0x74726976);
  });

  it("offers VIRTIO_F_VERSION_1 (bit 32) and nothing else", () => {
    expect(virtioVm()).toBe(0);
    wr(R_DEV_FEATURES_SEL, 0);
    expect(rd(R_DEV_FEATURES)).toBe(0);
    wr(R_DEV_FEATURES_SEL, 1);
    expect(rd(R_DEV_FEATURES)).toBe(1);
    wr(R_DEV_FEATURES_SEL, 2);
    expect(rd(R_DEV_FEATURES)).toBe(0);
    wr(R_DEV_FEATURES_SEL, 0xffffffff);
    expect(rd(R_DEV_FEATURES)).toBe(0);
  });

  it("has two queues of 64 entries at most, and no shared memory region", () => {
    expect(virtioVm()).toBe(0);
    wr(R_QUEUE_SEL, RXQ);
    expect(rd(R_QUEUE_NUM_MAX)).toBe(64);
    wr(R_QUEUE_SEL, TXQ);
    expect(rd(R_QUEUE_NUM_MAX)).toBe(64);
    wr(R_QUEUE_SEL, 2);
    expect(rd(R_QUEUE_NUM_MAX)).toBe(0);
    expect(rd(R_QUEUE_READY)).toBe(0);
    expect(rd(R_SHM_LEN_LOW)).toBe(0xffffffff);
  });
});

describe("virtio-mmio feature negotiation", () => {
  it("sets FEATURES_OK for VIRTIO_F_VERSION_1", () => {
    expect(virtioVm()).toBe(0);
    expect(negotiate(1, 0)).toBe(S_ACK | S_DRIVER | S_FEATURES_OK);
    expect(load<u64>(VIRTIO_STATE + VT_DRV_FEAT)).toBe(<u64>1 << 32);
  });

  it("refuses FEATURES_OK without VIRTIO_F_VERSION_1, and says why", () => {
    expect(virtioVm()).toBe(0);
    expect(negotiate(0, 0)).toBe(S_ACK | S_DRIVER);
    const want = "FEATURES_OK refused";
    expect(saw(want)).toBe(want);
  });

  it("refuses FEATURES_OK for a feature never offered (indirect descriptors, bit 28), or one above bit 63", () => {
    expect(virtioVm()).toBe(0);
    expect(negotiate(1, 1 << 28)).toBe(S_ACK | S_DRIVER);
    expect(virtioVm()).toBe(0);
    wr(R_DRV_FEATURES_SEL, 3);
    wr(R_DRV_FEATURES, 1);
    wr(R_DRV_FEATURES_SEL, 1);
    wr(R_DRV_FEATURES, 1);
    wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    expect(rd(R_STATUS)).toBe(S_ACK | S_DRIVER);
  });

  it("keeps the features fixed once FEATURES_OK is set", () => {
    expect(virtioVm()).toBe(0);
    negotiate();
    wr(R_DRV_FEATURES_SEL, 0);
    wr(R_DRV_FEATURES, 0xffffffff);
    expect(load<u64>(VIRTIO_STATE + VT_DRV_FEAT)).toBe(<u64>1 << 32);
  });

  it("takes DRIVER_OK only after FEATURES_OK", () => {
    expect(virtioVm()).toBe(0);
    wr(R_STATUS, S_ACK | S_DRIVER | S_DRIVER_OK);
    expect(rd(R_STATUS)).toBe(S_ACK | S_DRIVER);
    driverUp();
    expect(rd(R_STATUS)).toBe(S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
  });

  it("never lets the driver set DEVICE_NEEDS_RESET", () => {
    expect(virtioVm()).toBe(0);
    wr(R_STATUS, 0xff);
    expect(rd(R_STATUS) & S_NEEDS_RESET).toBe(0);
  });
});

describe("virtio-mmio reset", () => {
  it("Status 0 forgets features, queues, the interrupt and the status", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    wr(R_QUEUE_SEL, TXQ);
    wr(R_QUEUE_NUM, 16);   // ignored: the queue is ready
    wr(R_STATUS, 0);
    expect(rd(R_STATUS)).toBe(0);
    expect(load<u64>(VIRTIO_STATE + VT_DRV_FEAT)).toBe(0);
    for (let q: u32 = 0; q < 2; q++) {
      wr(R_QUEUE_SEL, q);
      expect(rd(R_QUEUE_READY)).toBe(0);
      expect(load<u32>(vqRec(q) + Q_NUM)).toBe(0);
      expect(load<u64>(vqRec(q) + Q_DESC)).toBe(0);
    }
    expect(rd(R_INT_STATUS)).toBe(0);
    expect(line()).toBe(false);
    expect(virtioStateCheck(VIRTIO_STATE)).toBe(true);
  });

  it("clears DEVICE_NEEDS_RESET and its interrupt", () => {
    expect(virtioVm()).toBe(0);
    negotiate();
    wr(R_QUEUE_SEL, RXQ);
    wr(R_QUEUE_NUM, 3);   // not a power of 2
    expect(rd(R_STATUS) & S_NEEDS_RESET).toBe(S_NEEDS_RESET);
    expect(line()).toBe(true);
    wr(R_STATUS, 0);
    expect(rd(R_STATUS)).toBe(0);
    expect(load<u32>(VIRTIO_STATE + VT_ERROR)).toBe(0);
    expect(line()).toBe(false);
  });
});

describe("virtio-mmio queue set-up", () => {
  it("keeps what the driver writes and reads QueueReady back", () => {
    expect(virtioVm()).toBe(0);
    negotiate();
    setupQueue(TXQ, 16);
    wr(R_QUEUE_SEL, TXQ);
    expect(rd(R_QUEUE_READY)).toBe(1);
    expect(load<u32>(vqRec(TXQ) + Q_NUM)).toBe(16);
    expect(load<u64>(vqRec(TXQ) + Q_DESC)).toBe(descAt(TXQ));
    wr(R_QUEUE_READY, 0);
    expect(rd(R_QUEUE_READY)).toBe(0);
    expect(rd(R_STATUS) & S_NEEDS_RESET).toBe(0);
  });

  it("ignores queue registers of a queue that does not exist", () => {
    expect(virtioVm()).toBe(0);
    negotiate();
    wr(R_QUEUE_SEL, 5);
    wr(R_QUEUE_NUM, 3);
    wr(R_QUEUE_READY, 1);
    expect(rd(R_STATUS) & S_NEEDS_RESET).toBe(0);
  });

  it("needs a reset for a QueueNum that is not a power of 2 up to 64", () => {
    const bad: StaticArray<u32> = [0, 3, 96, 128, 0x80000000];
    for (let i = 0; i < bad.length; i++) {
      expect(virtioVm()).toBe(0);
      negotiate();
      wr(R_QUEUE_SEL, TXQ);
      wr(R_QUEUE_NUM, bad[i]);
      expect(rd(R_STATUS) & S_NEEDS_RESET).toBe(S_NEEDS_RESET);
      expect(load<u32>(VIRTIO_STATE + VT_ERROR)).toBe(VIRTIO_ERR_QUEUE_NUM);
      const want = "virtio-console transmitq (queue 1): QueueNum " + bad[i].toString();
      expect(saw(want)).toBe(want);
      expect(virtioStateCheck(VIRTIO_STATE)).toBe(true);
    }
  });

  it("needs a reset when QueueReady finds an area unaligned", () => {
    expect(virtioVm()).toBe(0);
    negotiate();
    wr(R_QUEUE_SEL, RXQ);
    wr(R_QUEUE_NUM, 8);
    wr(R_DESC_LOW, <u32>descAt(RXQ) + 8);
    wr(R_DRIVER_LOW, <u32>availAt(RXQ));
    wr(R_DEVICE_LOW, <u32>usedAt(RXQ));
    wr(R_QUEUE_READY, 1);
    expect(rd(R_QUEUE_READY)).toBe(0);
    expect(load<u32>(VIRTIO_STATE + VT_ERROR)).toBe(VIRTIO_ERR_QUEUE_ALIGN);
    const want = "receiveq (queue 0): the descriptor table at 0x40100008 is not 16-byte aligned";
    expect(saw(want)).toBe(want);
  });

  it("needs a reset when an area lies outside the VM's RAM, wholly or in part", () => {
    const places: StaticArray<u64> = [0x1000, RAM_IPA + RAM_SIZE - 0x40, RAM_IPA + RAM_SIZE, 0xfffffffffffff000];
    for (let i = 0; i < places.length; i++) {
      expect(virtioVm()).toBe(0);
      negotiate();
      wr(R_QUEUE_SEL, TXQ);
      wr(R_QUEUE_NUM, 8);
      wr(R_DESC_LOW, <u32>descAt(TXQ));
      wr(R_DRIVER_LOW, <u32>availAt(TXQ));
      wr(R_DEVICE_LOW, <u32>places[i]);
      wr(R_DEVICE_LOW + 4, <u32>(places[i] >> 32));
      wr(R_QUEUE_READY, 1);
      expect(rd(R_QUEUE_READY)).toBe(0);
      expect(load<u32>(VIRTIO_STATE + VT_ERROR)).toBe(VIRTIO_ERR_QUEUE_RAM);
      const want = "used ring (device area)";
      expect(saw(want)).toBe(want);
    }
  });

  it("prints one line for the first error only, until the driver resets the device", () => {
    expect(virtioVm()).toBe(0);
    negotiate();
    wr(R_QUEUE_SEL, TXQ);
    wr(R_QUEUE_NUM, 3);
    const lines = consoleCount();
    wr(R_QUEUE_NUM, 5);
    wr(R_QUEUE_READY, 1);
    expect(consoleCount()).toBe(lines);
    wr(R_STATUS, 0);
    negotiate();
    wr(R_QUEUE_SEL, TXQ);
    wr(R_QUEUE_NUM, 7);
    expect(consoleCount()).toBe(lines + 1);
  });

  it("takes the high halves of the addresses", () => {
    expect(virtioVm()).toBe(0);
    wr(R_QUEUE_SEL, RXQ);
    wr(R_DESC_LOW, 0x1000);
    wr(R_DESC_HIGH, 0x12);
    expect(load<u64>(vqRec(RXQ) + Q_DESC)).toBe(0x1200001000);
    expect(load<u32>(vqRec(RXQ) + Q_READY)).toBe(0);
  });
});

describe("virtio-mmio access widths", () => {
  it("ignores narrow and wide accesses to registers, and says so once", () => {
    expect(virtioVm()).toBe(0);
    const s = slot();
    const before = consoleCount();
    expect(mmioRead(s, R_MAGIC, 1)).toBe(0);
    expect(mmioRead(s, R_MAGIC, 2)).toBe(0);
    expect(mmioRead(s, R_MAGIC, 8)).toBe(0);
    expect(mmioRead(s, R_MAGIC + 1, 4)).toBe(0);
    expect(consoleCount()).toBe(before + 1);
    const want = "8-bit access at register offset 0x0 ignored";
    expect(saw(want)).toBe(want);
    mmioWrite(s, R_STATUS, 1, S_ACK);
    mmioWrite(s, R_STATUS, 8, S_ACK);
    expect(rd(R_STATUS)).toBe(0);
    expect(consoleCount()).toBe(before + 1);
  });

  it("reads the configuration space at any width: cols 0, rows 0, max_nr_ports 1, emerg_wr 0", () => {
    expect(virtioVm()).toBe(0);
    const s = slot();
    expect(mmioRead(s, R_CONFIG, 2)).toBe(0);
    expect(mmioRead(s, R_CONFIG + 2, 2)).toBe(0);
    expect(mmioRead(s, R_CONFIG + 4, 4)).toBe(1);
    expect(mmioRead(s, R_CONFIG + 4, 1)).toBe(1);
    expect(mmioRead(s, R_CONFIG + 5, 1)).toBe(0);
    expect(mmioRead(s, R_CONFIG, 8)).toBe(<u64>1 << 32);
    expect(mmioRead(s, R_CONFIG + 8, 4)).toBe(0);
    expect(mmioRead(s, R_CONFIG + 0x40, 4)).toBe(0);
    mmioWrite(s, R_CONFIG + 4, 4, 7);   // read-only without MULTIPORT; emerg_wr not offered
    mmioWrite(s, R_CONFIG + 8, 4, 0x41);
    expect(mmioRead(s, R_CONFIG + 4, 4)).toBe(1);
  });

  it("acknowledges interrupts bit by bit", () => {
    expect(virtioVm()).toBe(0);
    negotiate();
    wr(R_QUEUE_SEL, RXQ);
    wr(R_QUEUE_NUM, 3);
    expect(rd(R_INT_STATUS)).toBe(2);
    wr(R_INT_ACK, 1);
    expect(rd(R_INT_STATUS)).toBe(2);
    expect(line()).toBe(true);
    wr(R_INT_ACK, 2);
    expect(rd(R_INT_STATUS)).toBe(0);
    expect(line()).toBe(false);
  });

  it("writes Status through the exit path (STR w7)", () => {
    expect(virtioVm()).toBe(0);
    exitWith(dabtEsr(1, 2, 0, 7, 0, 1, 0x07));
    faultAt(VIO_IPA + R_STATUS);
    setReg(7, S_ACK);
    expect(handleExit(0)).toBe(0);
    expect(rd(R_STATUS)).toBe(S_ACK);
  });
});
