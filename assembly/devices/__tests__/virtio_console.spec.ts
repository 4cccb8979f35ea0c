// The virtio-console device (devices/virtio_console.ts, virtqueue.ts, virtio_device.ts)
// driven the way Linux's virtio_console drives it, through the fake guest RAM: transmit
// to chan_send, receive through wv_chan_buffer/wv_chan_push (docs/abi.md section 6),
// the interrupt line, and what a broken driver gets: DEVICE_NEEDS_RESET, one line, no
// access outside the VM's RAM.

import { virtioVm, rd, wr, driverUp, postTx, postRx, putDesc, makeAvailable, setAvailIdx, usedIdx, usedId, usedLen,
  bufAt, pokeText, peekText, line, saw, R_QUEUE_NOTIFY, R_INT_STATUS, R_INT_ACK, R_STATUS, S_NEEDS_RESET, RXQ, TXQ,
  F_NEXT, F_WRITE, F_INDIRECT, QNUM, VIO_IPA, VIO_IRQ, poke16, availAt } from "../../__tests__/virtio_driver";
import { chanCount, chanText, chanRefused, setChanResult, guestStray, consoleCount, kickCount,
  guestRamAdd } from "../../__tests__/fake";
import { STATE, REGIONS_OFF, REGION_RECORD, REGION_IPA, REGION_SIZE, REGION_FLAGS, VM_REGION_COUNT } from "../../core/layout";
import { RAM_IPA, RAM_SIZE } from "../../__tests__/blob";
import { chanBuffer, chanPush, CHAN_IN, CHAN_IN_CAP } from "../virtio_console";
import { VIRTIO_STATE, VT_ERROR, VIRTIO_ERR_AVAIL_IDX, VIRTIO_ERR_DESC_INDEX, VIRTIO_ERR_LOOP, VIRTIO_ERR_FLAGS,
  VIRTIO_ERR_DIRECTION, VIRTIO_ERR_LENGTH, VIRTIO_ERR_BUFFER_RAM } from "../virtio_layout";
import { virtioStateCheck } from "../virtio_state";
import { freshVm } from "../../__tests__/setup";
import { vmStop } from "../../core/vm";
import { vmReset } from "../../core/vm_reset";
import { makeBlob, BLOB, vm0 } from "../../__tests__/blob";
import { cfgDevice, CFG_VM_DEVICE_COUNT, CFG_D_KIND, CFG_D_IRQ, CFG_D_IPA, CFG_D_SIZE } from "../../core/config";
import { handleExit } from "../../arch/exits";
import { gicdWrite } from "../../arch/vgic_v3";
import { exitWith, faultAt, dabtEsr, setReg } from "../../__tests__/exit";
import { irqExit } from "../../__tests__/gic";
import { TX_BUDGET } from "../virtio_console";
import { WV_KICK_SGI } from "../../arch/vgic_irq";

/** Put `text` into the inbound buffer, as the runtime does, and push it. */
function push(text: string): i32 {
  for (let i = 0; i < text.length; i++) store<u8>(CHAN_IN + <usize>i, <u8>text.charCodeAt(i));
  return chanPush(text.length);
}

function notifyTx(): void { wr(R_QUEUE_NOTIFY, TXQ); }
function needsReset(): bool { return (rd(R_STATUS) & S_NEEDS_RESET) != 0; }
function error(): u32 { return load<u32>(VIRTIO_STATE + VT_ERROR); }

describe("virtio-console transmit", () => {
  it("hands each posted buffer to chan_send and completes it with length 0", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    const d0 = postTx("hello ");
    const d1 = postTx("world\n");
    notifyTx();
    expect(chanCount()).toBe(2);
    expect(chanText(0)).toBe("hello ");
    expect(chanText(1)).toBe("world\n");
    expect(usedIdx(TXQ)).toBe(2);
    expect(usedId(TXQ, 0)).toBe(d0);
    expect(usedId(TXQ, 1)).toBe(d1);
    expect(usedLen(TXQ, 0)).toBe(0);
    expect(rd(R_INT_STATUS)).toBe(1);
    expect(line()).toBe(true);
    expect(guestStray()).toBe(0);
  });

  it("goes through the exit path: a store to QueueNotify (STR w2)", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    postTx("via exit");
    exitWith(dabtEsr(1, 2, 0, 2, 0, 1, 0x07));
    faultAt(VIO_IPA + R_QUEUE_NOTIFY);
    setReg(2, TXQ);
    expect(handleExit(0)).toBe(0);
    expect(chanText(-1)).toBe("via exit");
    expect(usedIdx(TXQ)).toBe(1);
  });

  it("hands over at most TX_BUDGET bytes per exit, kicks its vCPU, and goes on at the kick's exit", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    // Three chains of 40 KiB: the first two fill one exit's budget (64 KiB), the third waits.
    const CHAIN: u32 = 40 * 1024;
    for (let i: u32 = 0; i < 3; i++) {
      putDesc(TXQ, i, RAM_IPA + 0x400000 + <u64>i * 0x10000, CHAIN, 0, 0);
      makeAvailable(TXQ, <u16>i);
    }
    const kicks = kickCount();
    exitWith(dabtEsr(1, 2, 0, 2, 0, 1, 0x07));
    faultAt(VIO_IPA + R_QUEUE_NOTIFY);
    setReg(2, TXQ);
    expect(handleExit(0)).toBe(0);
    expect(usedIdx(TXQ)).toBe(2);
    expect(chanCount()).toBe(2 * <i32>(CHAIN / 4096));
    expect(<u32>2 * CHAIN >= TX_BUDGET).toBe(true);
    expect(kickCount()).toBe(kicks + 1);
    // The kick's exit takes the rest and asks for no more.
    expect(irqExit(0, WV_KICK_SGI)).toBe(0);
    expect(usedIdx(TXQ)).toBe(3);
    expect(chanCount()).toBe(3 * <i32>(CHAIN / 4096));
    expect(kickCount()).toBe(kicks + 1);
    expect(needsReset()).toBe(false);
  });

  it("sends a chain buffer by buffer, and a long buffer in 4 KiB pieces", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    pokeText(bufAt(TXQ, 0), "ab");
    pokeText(bufAt(TXQ, 1), "cde");
    putDesc(TXQ, 0, bufAt(TXQ, 0), 2, F_NEXT, 1);
    putDesc(TXQ, 1, bufAt(TXQ, 1), 3, 0, 0);
    makeAvailable(TXQ, 0);
    putDesc(TXQ, 2, RAM_IPA + 0x400000, 10000, 0, 0);   // 10000 bytes of zeros
    makeAvailable(TXQ, 2);
    notifyTx();
    expect(chanCount()).toBe(5);
    expect(chanText(0)).toBe("ab");
    expect(chanText(1)).toBe("cde");
    expect(usedIdx(TXQ)).toBe(2);
    expect(usedId(TXQ, 1)).toBe(2);
  });

  it("keeps going past a full ring: indices wrap at 2^16, slots at the queue size", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    for (let i = 0; i < 3 * <i32>QNUM; i++) {
      postTx("x" + i.toString());
      notifyTx();
    }
    expect(chanCount()).toBe(3 * <i32>QNUM);
    expect(chanText(-1)).toBe("x" + (3 * QNUM - 1).toString());
    expect(usedIdx(TXQ)).toBe(3 * QNUM);
    expect(needsReset()).toBe(false);
  });

  it("completes the buffer when chan_send refuses it, and says so once", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    setChanResult(-4);
    postTx("dropped");
    notifyTx();
    const want = "the hypervisor channel refused 7 bytes (error -4)";
    expect(saw(want)).toBe(want);
    const lines = consoleCount();
    postTx("again");
    notifyTx();
    expect(consoleCount()).toBe(lines);
    expect(chanRefused()).toBe(2);
    expect(chanCount()).toBe(0);
    expect(usedIdx(TXQ)).toBe(2);
    expect(needsReset()).toBe(false);
    setChanResult(0);
    postTx("taken");
    notifyTx();
    expect(chanText(-1)).toBe("taken");
  });

  it("sends nothing before DRIVER_OK, and nothing for a receiveq notification", () => {
    expect(virtioVm()).toBe(0);
    postTx("early");
    notifyTx();
    expect(chanCount()).toBe(0);
    driverUp();
    wr(R_QUEUE_NOTIFY, RXQ);
    wr(R_QUEUE_NOTIFY, 7);
    expect(chanCount()).toBe(0);
    expect(needsReset()).toBe(false);
  });

  it("raises no interrupt when the driver asks for none (VIRTQ_AVAIL_F_NO_INTERRUPT)", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    poke16(availAt(TXQ), 1);
    postTx("quiet");
    notifyTx();
    expect(usedIdx(TXQ)).toBe(1);
    expect(rd(R_INT_STATUS)).toBe(0);
    expect(line()).toBe(false);
  });
});

describe("virtio-console receive", () => {
  it("moves pushed bytes into the posted buffers and raises the used-buffer interrupt", () => {
    expect(virtioVm()).toBe(0);
    expect(chanBuffer()).toBe(CHAN_IN);
    // The guest turned Group 1 and the device's SPI on at the distributor (GICD_CTLR, GICD_ISENABLER1).
    gicdWrite(0x000, 2, 0xffffffff);
    gicdWrite(0x104, 1 << (VIO_IRQ - 32), 0xffffffff);
    driverUp();
    const d = postRx(64);
    expect(push("WVRS reply")).toBe(10);
    expect(usedIdx(RXQ)).toBe(1);
    expect(usedId(RXQ, 0)).toBe(d);
    expect(usedLen(RXQ, 0)).toBe(10);
    expect(peekText(bufAt(RXQ, d), 10)).toBe("WVRS reply");
    expect(rd(R_INT_STATUS)).toBe(1);
    expect(line()).toBe(true);
    expect(kickCount()).toBe(1);   // outside an exit: the vCPU the SPI goes to is kicked
  });

  it("fills a short receive buffer and continues in the next; takes only what fits", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    postRx(4);
    postRx(3);
    expect(push("abcdefghij")).toBe(7);
    expect(usedIdx(RXQ)).toBe(2);
    expect(usedLen(RXQ, 0)).toBe(4);
    expect(usedLen(RXQ, 1)).toBe(3);
    expect(peekText(bufAt(RXQ, 0), 4)).toBe("abcd");
    expect(peekText(bufAt(RXQ, 1), 3)).toBe("efg");
    // The runtime offers the rest again once the driver posted more.
    expect(push("hij")).toBe(0);
    postRx(16);
    expect(push("hij")).toBe(3);
    expect(peekText(bufAt(RXQ, 2), 3)).toBe("hij");
  });

  it("takes nothing without a posted buffer, a device, a running VM or DRIVER_OK", () => {
    expect(virtioVm()).toBe(0);
    expect(push("x")).toBe(0);             // not DRIVER_OK
    driverUp();
    expect(push("x")).toBe(0);             // nothing posted
    expect(rd(R_INT_STATUS)).toBe(0);
    postRx(8);
    vmStop();
    expect(push("x")).toBe(0);             // stopped
    expect(freshVm()).toBe(0);
    expect(chanBuffer()).toBe(0);          // no virtio-console
    expect(chanPush(1)).toBe(0);
  });

  it("refuses a length outside 0..4096", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    postRx(8);
    expect(chanPush(-1)).toBe(-1);
    expect(chanPush(CHAN_IN_CAP + 1)).toBe(-1);
    expect(chanPush(0)).toBe(0);
    expect(usedIdx(RXQ)).toBe(0);
  });

  it("takes a full 4096 bytes into a chain of two buffers", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    for (let i = 0; i < CHAN_IN_CAP; i++) store<u8>(CHAN_IN + <usize>i, <u8>(0x41 + i % 26));
    putDesc(RXQ, 0, bufAt(RXQ, 0), 1000, F_WRITE | F_NEXT, 1);
    putDesc(RXQ, 1, bufAt(RXQ, 1), 4096, F_WRITE, 0);
    makeAvailable(RXQ, 0);
    expect(chanPush(CHAN_IN_CAP)).toBe(CHAN_IN_CAP);
    expect(usedLen(RXQ, 0)).toBe(<u32>CHAN_IN_CAP);
    expect(peekText(bufAt(RXQ, 1), 2)).toBe(String.fromCharCode(0x41 + 1000 % 26) + String.fromCharCode(0x41 + 1001 % 26));
  });
});

describe("virtio-console interrupt line", () => {
  it("is high while InterruptStatus is not 0 and falls with InterruptACK", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    expect(line()).toBe(false);
    postTx("a");
    notifyTx();
    expect(line()).toBe(true);
    wr(R_INT_ACK, 1);
    expect(line()).toBe(false);
    postRx(4);
    push("b");
    expect(line()).toBe(true);
    wr(R_STATUS, 0);
    expect(line()).toBe(false);
  });

  it("goes low when the VM restarts, and the device starts over", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    postTx("a");
    notifyTx();
    expect(line()).toBe(true);
    const len = makeBlob(1);
    store<u32>(vm0() + CFG_VM_DEVICE_COUNT, 2);
    const d = cfgDevice(vm0(), 1);
    store<u32>(d + CFG_D_KIND, 7);
    store<u32>(d + CFG_D_IRQ, 40);
    store<u64>(d + CFG_D_IPA, VIO_IPA);
    store<u64>(d + CFG_D_SIZE, 0x200);
    expect(vmReset(BLOB, len)).toBe(0);
    expect(line()).toBe(false);
    expect(rd(R_STATUS)).toBe(0);
    postRx(8);
    expect(push("old rings are not written")).toBe(0);
  });
});

/** Run one transmit pass over a bad transmitq: NEEDS_RESET with `err`, one line, no stray access, the VM goes on. */
function broken(err: u32, want: string): void {
  const lines = consoleCount();
  notifyTx();
  expect(needsReset()).toBe(true);
  expect(error()).toBe(err);
  expect(consoleCount()).toBe(lines + 1);
  expect(saw(want)).toBe(want);
  expect(rd(R_INT_STATUS) & 2).toBe(2);
  expect(line()).toBe(true);
  expect(guestStray()).toBe(0);
  expect(virtioStateCheck(VIRTIO_STATE)).toBe(true);
  // Nothing more is used until the driver resets the device.
  const sent = chanCount();
  postTx("after");
  notifyTx();
  expect(chanCount()).toBe(sent);
  expect(consoleCount()).toBe(lines + 1);
}

describe("virtio-console with a broken driver", () => {
  it("refuses an available index more than the queue size ahead", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    setAvailIdx(TXQ, <u16>(QNUM + 1));
    broken(VIRTIO_ERR_AVAIL_IDX, "the available index 9 runs more than the queue size ahead of the device's 0");
  });

  it("refuses a head outside the queue", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    makeAvailable(TXQ, <u16>QNUM);
    broken(VIRTIO_ERR_DESC_INDEX, "descriptor index 8 is outside the queue of 8");
  });

  it("refuses a next outside the queue", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    putDesc(TXQ, 0, bufAt(TXQ, 0), 4, F_NEXT, 200);
    makeAvailable(TXQ, 0);
    broken(VIRTIO_ERR_DESC_INDEX, "descriptor index 200 is outside the queue of 8");
  });

  it("refuses a loop, and sends nothing of it", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    putDesc(TXQ, 0, bufAt(TXQ, 0), 4, F_NEXT, 1);
    putDesc(TXQ, 1, bufAt(TXQ, 1), 4, F_NEXT, 0);
    makeAvailable(TXQ, 0);
    broken(VIRTIO_ERR_LOOP, "the descriptor chain from 0 is longer than the queue's 8 descriptors (a loop)");
    expect(chanCount()).toBe(0);
  });

  it("refuses an indirect descriptor (not negotiated)", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    putDesc(TXQ, 0, bufAt(TXQ, 0), 16, F_INDIRECT, 0);
    makeAvailable(TXQ, 0);
    broken(VIRTIO_ERR_FLAGS, "descriptor 0 has flags 0x4 (only NEXT and WRITE");
  });

  it("refuses a device-writable buffer in the transmitq", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    putDesc(TXQ, 0, bufAt(TXQ, 0), 16, F_WRITE, 0);
    makeAvailable(TXQ, 0);
    broken(VIRTIO_ERR_DIRECTION, "descriptor 0 is device-writable, but the transmitq takes device-readable buffers");
  });

  it("refuses a chain longer than 64 KiB", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    putDesc(TXQ, 0, bufAt(TXQ, 0), 0x8000, F_NEXT, 1);
    putDesc(TXQ, 1, bufAt(TXQ, 0), 0x8001, 0, 0);
    makeAvailable(TXQ, 0);
    broken(VIRTIO_ERR_LENGTH, "the descriptor chain from 0 describes more than 65536 bytes");
    expect(chanCount()).toBe(0);
  });

  it("refuses buffers outside the VM's RAM, or running past its end", () => {
    const where: StaticArray<u64> = [0, 0x09000000, RAM_IPA - 1, RAM_IPA + RAM_SIZE - 2, 0xffffffffffffffff];
    for (let i = 0; i < where.length; i++) {
      expect(virtioVm()).toBe(0);
      driverUp();
      putDesc(TXQ, 0, where[i], 4, 0, 0);
      makeAvailable(TXQ, 0);
      broken(VIRTIO_ERR_BUFFER_RAM, "the buffer of descriptor 0 at ");
    }
  });

  it("completes the chains before a bad one, and the driver recovers by a reset", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    postTx("good");
    putDesc(TXQ, 1, 0x1000, 4, 0, 0);
    makeAvailable(TXQ, 1);
    notifyTx();
    expect(chanText(-1)).toBe("good");
    expect(usedIdx(TXQ)).toBe(1);
    expect(needsReset()).toBe(true);
    driverUp();
    expect(needsReset()).toBe(false);
    postTx("again");
    notifyTx();
    expect(chanText(-1)).toBe("again");
  });

  it("refuses a device-readable receive buffer, taking nothing", () => {
    expect(virtioVm()).toBe(0);
    driverUp();
    putDesc(RXQ, 0, bufAt(RXQ, 0), 16, 0, 0);
    makeAvailable(RXQ, 0);
    expect(push("nope")).toBe(0);
    expect(needsReset()).toBe(true);
    expect(error()).toBe(VIRTIO_ERR_DIRECTION);
    const want = "virtio-console receiveq (queue 0): descriptor 0 is device-readable";
    expect(saw(want)).toBe(want);
    expect(usedIdx(RXQ)).toBe(0);
    expect(guestStray()).toBe(0);
  });

  it("refuses a receive buffer in a RAM region the VM may only read", () => {
    expect(virtioVm()).toBe(0);
    // A second, read-only region right above the first.
    const ro = RAM_IPA + RAM_SIZE;
    const r = STATE + REGIONS_OFF + REGION_RECORD;
    store<u64>(r + REGION_IPA, ro);
    store<u64>(r + REGION_SIZE, 0x10000);
    store<u32>(r + REGION_FLAGS, 1);
    store<u32>(STATE + VM_REGION_COUNT, 2);
    guestRamAdd(ro, 0x10000);
    driverUp();
    putDesc(RXQ, 0, ro, 16, F_WRITE, 0);
    makeAvailable(RXQ, 0);
    expect(push("nope")).toBe(0);
    expect(error()).toBe(VIRTIO_ERR_BUFFER_RAM);
    const want = "not inside one RAM region of the VM with write access";
    expect(saw(want)).toBe(want);
  });
});
