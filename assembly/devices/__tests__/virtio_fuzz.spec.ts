// Seeded random inputs for the virtio-console device: accesses of every width to every
// offset of its window with values a driver would and would not write, random descriptor
// tables, available rings and indices in the fake guest RAM, and random pushes from the
// runtime. After every step: nothing trapped, no guest_read/guest_write outside the VM's
// RAM (the fake refuses and counts those), the state block passes virtioStateCheck (a
// valid state, or DEVICE_NEEDS_RESET), the interrupt line follows InterruptStatus, and
// nothing in static memory changed outside the core's, the vGIC's and the device's own
// blocks, the device's scratch and the log line.

import { virtioVm, rd, wr, slot, line, driverUp, descAt, availAt, usedAt, bufAt, postTx, postRx, poke16, poke32, poke64,
  R_STATUS, R_QUEUE_NOTIFY, R_INT_STATUS, R_QUEUE_SEL, R_QUEUE_NUM, R_QUEUE_READY, R_DESC_LOW, R_DESC_HIGH,
  R_DRIVER_LOW, R_DRIVER_HIGH, R_DEVICE_LOW, R_DEVICE_HIGH, R_DRV_FEATURES, R_DRV_FEATURES_SEL, R_DEV_FEATURES_SEL,
  R_INT_ACK, R_CONFIG, S_NEEDS_RESET, TXQ, RXQ, QNUM } from "../../__tests__/virtio_driver";
import { guestStray, guestRamAdd, chanCount, setChanResult } from "../../__tests__/fake";
import { RAM_IPA, RAM_SIZE } from "../../__tests__/blob";
import { mmioRead, mmioWrite } from "../mmio";
import { chanPush, CHAN_IN, CHAN_IN_CAP, TX_BUF, TX_CHUNK } from "../virtio_console";
import { VQ_SCRATCH, VQ_SCRATCH_SIZE } from "../virtqueue";
import { VIRTIO_STATE, VIRTIO_STATE_SIZE, VT_ERROR, VIRTIO_ERR_LAST, Q_LAST_AVAIL, vqRec } from "../virtio_layout";
import { virtioStateCheck } from "../virtio_state";
import { STATE, STATE_SIZE, REGIONS_OFF, REGION_RECORD, REGION_IPA, REGION_PA, REGION_SIZE, REGION_FLAGS,
  VM_REGION_COUNT } from "../../core/layout";
import { VGIC, VGIC_SIZE } from "../../arch/vgic_layout";
import { fuzzSeed, rnd, below, chance, edgy, hx, staticWindowsClear, staticWindow, staticSnap,
  staticChanged } from "../../__tests__/fuzz";
import { findLogBuf, LOG_BUF_BYTES } from "../../__tests__/line_buffers";

/** A read-only second region right above the first: buffers that run from one into the other are refused. */
const RO_IPA: u64 = RAM_IPA + RAM_SIZE;
const RO_SIZE: u64 = 0x100000;

/** The VM, with the second region, and the static windows a step may change. */
function setup(): void {
  expect(virtioVm()).toBe(0);
  const r = STATE + REGIONS_OFF + REGION_RECORD;
  store<u64>(r + REGION_IPA, RO_IPA);
  store<u64>(r + REGION_PA, 0x60000000);
  store<u64>(r + REGION_SIZE, RO_SIZE);
  store<u32>(r + REGION_FLAGS, 1);
  store<u32>(STATE + VM_REGION_COUNT, 2);
  guestRamAdd(RO_IPA, RO_SIZE);
  const logBuf = findLogBuf("vfz-probe");
  expect(logBuf).toBeGreaterThan(0);
  staticWindowsClear();
  staticWindow(STATE, STATE_SIZE);
  staticWindow(VGIC, VGIC_SIZE);
  staticWindow(VIRTIO_STATE, VIRTIO_STATE_SIZE);
  staticWindow(VQ_SCRATCH, VQ_SCRATCH_SIZE);
  staticWindow(TX_BUF, <usize>TX_CHUNK);
  staticWindow(<usize>logBuf, LOG_BUF_BYTES);
}

// ---- Values ----

/** An address: mostly inside the RAM, often at an edge of a region, sometimes anywhere. */
function addr(): u64 {
  switch (<i32>below(10)) {
    case 0: return RAM_IPA + below(RAM_SIZE);
    case 1: return RAM_IPA + RAM_SIZE - below(0x100);                  // the end of the first region
    case 2: return RO_IPA + below(RO_SIZE + 0x40);                      // the read-only region and past it
    case 3: return RAM_IPA - below(0x100);                              // just below the RAM
    case 4: return edgy(64);
    case 5: return rnd();
    default: return bufAt(<u32>below(2), <u32>below(QNUM)) + (chance(80) ? 0 : below(0x1000));
  }
}

function length(): u32 {
  switch (<i32>below(8)) {
    case 0: return 0;
    case 1: return <u32>edgy(32);
    case 2: return 0x8000 + <u32>below(0x10000);
    default: return 1 + <u32>below(chance(50) ? 64 : 0x1800);
  }
}

const FLAG_CHOICES: StaticArray<u16> = [0, 1, 2, 3, 0, 2, 4, 5, 6, 0x80, 0x8000, 0xffff];

/** A random descriptor table, ring entries and available index for queue `q` of the driver's layout. */
function scramble(q: u32): void {
  const n = chance(80) ? QNUM : <u32>below(QNUM + 1);
  for (let i: u32 = 0; i < n; i++) {
    const d = descAt(q) + <u64>i * 16;
    poke64(d, addr());
    poke32(d + 8, length());
    poke16(d + 12, chance(60) ? (q == RXQ ? 2 : 0) | (chance(40) ? 1 : 0) : FLAG_CHOICES[<i32>below(FLAG_CHOICES.length)]);
    poke16(d + 14, <u16>(chance(85) ? below(QNUM) : chance(50) ? below(QNUM + 4) : rnd()));
  }
  for (let i: u32 = 0; i < QNUM; i++) {
    poke16(availAt(q) + 4 + <u64>i * 2, <u16>(chance(90) ? below(QNUM) : rnd()));
  }
  poke16(availAt(q), <u16>(chance(80) ? 0 : below(4)));
  const now = chance(70) ? load<u32>(vqRec(q) + Q_LAST_AVAIL) : <u32>(rnd() & 0xffff);
  poke16(availAt(q) + 2, <u16>(chance(70) ? now + <u32>below(QNUM + 1) : chance(50) ? now + QNUM + 1 + <u32>below(8) : <u32>rnd()));
}

// ---- Steps ----

const REGS: StaticArray<u64> = [R_STATUS, R_QUEUE_NOTIFY, R_INT_STATUS, R_QUEUE_SEL, R_QUEUE_NUM, R_QUEUE_READY, R_DESC_LOW,
  R_DESC_HIGH, R_DRIVER_LOW, R_DRIVER_HIGH, R_DEVICE_LOW, R_DEVICE_HIGH, R_DRV_FEATURES, R_DRV_FEATURES_SEL,
  R_DEV_FEATURES_SEL, R_INT_ACK, 0x000, 0x010, 0x034, 0x0ac, 0x0b0, 0x0c0, 0x0fc];
const SIZES: StaticArray<u32> = [1, 2, 4, 8];

function regValue(reg: u64): u64 {
  if (reg == R_STATUS) return chance(20) ? 0 : chance(70) ? <u64>(1 | 2 | 8 | (chance(60) ? 4 : 0)) : below(256);
  if (reg == R_QUEUE_SEL || reg == R_QUEUE_NOTIFY) return chance(85) ? below(2) : edgy(32);
  if (reg == R_QUEUE_NUM) return chance(70) ? <u64>1 << below(8) : edgy(32);
  if (reg == R_QUEUE_READY) return chance(80) ? below(2) : edgy(32);
  if (reg == R_DRV_FEATURES_SEL || reg == R_DEV_FEATURES_SEL) return chance(80) ? below(2) : edgy(32);
  if (reg == R_DRV_FEATURES) return chance(70) ? below(2) : edgy(32);
  if (reg >= R_DESC_LOW && reg <= R_DEVICE_HIGH) {
    const a = chance(60) ? (RAM_IPA + below(RAM_SIZE)) & ~<u64>15 : addr();
    return (reg & 4) != 0 ? a >> 32 : a & 0xffffffff;
  }
  return chance(50) ? below(4) : edgy(32);
}

let steps: i32 = 0;
let sent: i32 = 0;
let pushed: i32 = 0;
let resets: i32 = 0;
const errorsSeen = new StaticArray<i32>(<i32>VIRTIO_ERR_LAST + 1);

/** A queue area's address: its Low register, then High. */
function setArea(low: u64, a: u64): void {
  wr(low, <u32>a);
  wr(low + 4, <u32>(a >> 32));
}

const OP_NOTIFY = 0, OP_PUSH = 1, OP_REG_WRITE = 2, OP_REG_READ = 3, OP_WRITE = 4, OP_READ = 5, OP_UP = 6, OP_UP_ONE = 7,
  OP_RESET = 8;

/** One step; "" or what went wrong. Everything but the step itself happens outside the static-memory snapshot. */
function step(i: i32, descriptors: bool): string {
  const s = slot();
  // The runtime's inbound bytes are written before the snapshot: only the device's work is checked.
  const pushLen = chance(70) ? <i32>below(64) : chance(80) ? <i32>below(CHAN_IN_CAP + 1) : <i32>edgy(32);
  for (let k = 0; k < 64; k++) store<u8>(CHAN_IN + <usize>k, <u8>(0x20 + k));
  const r = below(100);
  let what = "";
  if (descriptors && r < 25) {
    const q = <u32>below(2);
    scramble(q);
    what = "scramble queue " + q.toString() + " and ";
  } else if (descriptors && chance(50)) {
    // A well-behaved driver in between: buffers posted the way Linux posts them.
    if (chance(50)) postTx("fz" + i.toString());
    else postRx(1 + <u32>below(64));
  }
  let op = OP_RESET;
  let off: u64 = 0, v: u64 = 0;
  let bytes: u32 = 4;
  if (descriptors ? r < 55 : r < 10) op = OP_NOTIFY;
  else if (descriptors ? r < 85 : r < 20) op = OP_PUSH;
  else if (!descriptors && r < 70) {
    off = REGS[<i32>below(REGS.length)];
    v = regValue(off);
    op = chance(80) ? OP_REG_WRITE : OP_REG_READ;
  } else if (!descriptors && r < 85) {
    off = chance(50) ? R_CONFIG + below(0x110) : below(0x210);
    bytes = SIZES[<i32>below(4)];
    v = rnd();
    op = chance(50) ? OP_WRITE : OP_READ;
  } else if (r < 93) op = chance(50) ? OP_UP : OP_UP_ONE;
  const q = <u32>below(2), num = <u32>1 << <u32>below(7);
  what += "op " + op.toString() + " at " + hx(off) + " width " + bytes.toString() + " value " + hx(v) + " push "
    + pushLen.toString();
  const sentBefore = chanCount();
  let got: i32 = 0;
  staticSnap();
  switch (op) {
    case OP_NOTIFY: wr(R_QUEUE_NOTIFY, TXQ); break;
    case OP_PUSH: got = chanPush(pushLen); break;
    case OP_REG_WRITE: mmioWrite(s, off, 4, v); break;
    case OP_REG_READ: mmioRead(s, off, 4); break;
    case OP_WRITE: mmioWrite(s, off, bytes, v); break;
    case OP_READ: mmioRead(s, off, bytes); break;
    case OP_UP: driverUp(); break;
    case OP_UP_ONE:
      // Only one queue set up, of a random size.
      wr(R_STATUS, 0); wr(R_STATUS, 1 | 2); wr(R_DRV_FEATURES_SEL, 1); wr(R_DRV_FEATURES, 1); wr(R_STATUS, 1 | 2 | 8);
      wr(R_QUEUE_SEL, q);
      wr(R_QUEUE_NUM, num);
      setArea(R_DESC_LOW, chance(80) ? descAt(q) : addr());
      setArea(R_DRIVER_LOW, chance(80) ? availAt(q) : addr());
      setArea(R_DEVICE_LOW, chance(80) ? usedAt(q) : addr());
      wr(R_QUEUE_READY, 1);
      wr(R_STATUS, 1 | 2 | 8 | 4);
      break;
    default: wr(R_STATUS, 0);
  }
  const stray = staticChanged();
  const at = "step " + i.toString() + ", " + what + ": ";
  if (stray >= 0) return at + "static memory changed at " + hx(<u64>stray);
  if (op == OP_PUSH) {
    if (pushLen >= 0 && pushLen <= CHAN_IN_CAP ? got < 0 || got > pushLen : got != -1) return at + "push returned " + got.toString();
    if (got > 0) pushed++;
  }
  if (op == OP_RESET) resets++;
  sent += chanCount() - sentBefore;
  if (guestStray() != 0) return at + "guest memory reached outside the VM's RAM";
  if (!virtioStateCheck(VIRTIO_STATE)) return at + "state block not valid";
  if (line() != (rd(R_INT_STATUS) != 0)) return at + "line disagrees with InterruptStatus";
  const err = load<u32>(VIRTIO_STATE + VT_ERROR);
  if (err > VIRTIO_ERR_LAST) return at + "error " + err.toString();
  if ((rd(R_STATUS) & S_NEEDS_RESET) != 0) {
    errorsSeen[<i32>err]++;
    if (chance(60)) driverUp();   // a driver that notices resets the device
  }
  steps++;
  return "";
}

function run(seed: u64, n: i32, descriptors: bool): string {
  fuzzSeed(seed);
  setup();
  if (descriptors) driverUp();
  for (let i = 0; i < n; i++) {
    if (chance(2)) setChanResult(chance(50) ? -4 : 0);
    const d = step(i, descriptors);
    if (d.length > 0) return d;
  }
  return "";
}

describe("virtio-console, random inputs", () => {
  it("random register and configuration accesses (seed 0x71a10001)", () => {
    expect(run(0x71a10001, 4000, false)).toBe("");
  });

  it("random descriptor tables, rings and indices (seed 0x71a10002)", () => {
    expect(run(0x71a10002, 4000, true)).toBe("");
  });

  it("random descriptor tables, rings and indices (seed 0x71a10003)", () => {
    expect(run(0x71a10003, 4000, true)).toBe("");
  });

  it("covered transmits, receives, resets and most errors", () => {
    let kinds = 0;
    let counts = "";
    for (let e = 1; e <= <i32>VIRTIO_ERR_LAST; e++) {
      if (errorsSeen[e] > 0) kinds++;
      counts += " " + e.toString() + ":" + errorsSeen[e].toString();
    }
    log<string>("virtio fuzz: " + steps.toString() + " steps, " + sent.toString() + " chan_send calls, " + pushed.toString()
      + " pushes taken, " + resets.toString() + " resets; errors by kind" + counts);
    expect(steps).toBe(12000);
    expect(sent).toBeGreaterThan(100);
    expect(pushed).toBeGreaterThan(50);
    expect(kinds).toBeGreaterThanOrEqual(8);
  });
});
