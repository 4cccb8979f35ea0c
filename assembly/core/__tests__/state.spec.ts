import { stateSize, stateSave, stateSaveAs, stateRestore, stateRestorable, stateCheck, stateSelfCheck, stateVersion,
  stateBuffer, STATE_BUFFER_CAP, STATE_ERR_RANGE, STATE_ERR_SPACE, STATE_ERR_MAGIC, STATE_ERR_VERSION,
  STATE_ERR_LENGTH, STATE_ERR_CHECKSUM, STATE_ERR_CONTENT, STATE_ERR_BUSY, STATE_ERR_TABLE } from "../state";
import { STATE, STATE_SIZE, STATE_SIZE_V1, STATE_SIZE_V2, STATE_SIZE_V3, MMIO_COUNT, CONSOLE_LEN, S2_TABLE_COUNT,
  VM_NAME, STATE_LAYOUT_VERSION, PL011_RX_OFF, PL011_RX_COUNT, PL011_RX_HEAD, VM_EXITS_OFF, VM_EXIT_HVC,
  VM_EXIT_DATA_ABORT } from "../layout";
import { VGIC, VGIC_SIZE, VGIC_LAYOUT_VERSION, VG_VERSION, VG_VCPUS, VG_MODEL, VG_CTLR, VG_CURRENT, VGIC_VCPU_OFF,
  R_LR_USED, VGIC_MODEL_V2, VGIC_MODEL_V3 } from "../../arch/vgic_layout";
import { VGIC_NO_VCPU } from "../../arch/vgic_common";
import { consoleInput } from "../console_input";
import { vmResetState, vmState, VM_RUNNING, VM_EMPTY } from "../vm";
import { vmExitCount } from "../exit_counters";
import { handleExit, exitCount, EXIT_CLASS_HVC } from "../../arch/exits";
import { s2ChildOf } from "../../arch/stage2";
import { mmioFind } from "../../devices/mmio";
import { pl011Write, pl011Read, UARTCR, UARTDR, UARTFR } from "../../devices/pl011";
import { consolePending } from "../console";
import { freshVm } from "../../__tests__/setup";
import { freshGicV2Vm } from "../../__tests__/gicv2";
import { exitWith, hvcEsr, setReg } from "../../__tests__/exit";
import { lastConsole, chanCount, chanText, guestReads, guestWrites, guestStray } from "../../__tests__/fake";
import { MAGIC, FORMAT, HEADER, RECORD, H_FORMAT, H_LENGTH, H_CHECKSUM, H_COUNT, H_RESERVED, R_ID, R_VERSION,
  R_OFFSET, R_LENGTH, R_CHECKSUM, R_RESERVED, ID_CORE, ID_VGIC, ID_VIRTIO, ID_LAST, fnv, sum3, blobBegin, blobPart, blobWrite,
  blobSingle, reseal, resealHeader, recordAt, sectionAt, stateVersionOf } from "../../__tests__/state_blob";
import { VIRTIO_STATE, VIRTIO_STATE_SIZE, VIRTIO_LAYOUT_VERSION, VT_VERSION, VT_STATUS, VT_INT_STATUS, VT_QUEUE_OFF,
  Q_RECORD, Q_NUM, Q_READY, Q_LAST_AVAIL, Q_USED_IDX, Q_DESC, Q_DRIVER, Q_DEVICE, VIRTIO_INT_USED,
  VIRTIO_STATUS_DRIVER_OK } from "../../devices/virtio_layout";
import { chanBuffer, chanPush } from "../../devices/virtio_console";
import { virtioVm, driverUp, postTx, postRx, rd, wr, line, usedIdx, peekText, bufAt, R_STATUS, R_QUEUE_NOTIFY,
  R_QUEUE_SEL, R_QUEUE_READY, R_INT_STATUS, RXQ, TXQ, QNUM } from "../../__tests__/virtio_driver";
import { RAM_IPA } from "../../__tests__/blob";
import { REGIONS_OFF, REGION_IPA } from "../layout";
import { wv_save, wv_save_as, wv_restore, wv_state_size, wv_state_version, wv_state_buffer, wv_state_restorable,
  wv_self_check } from "../../index";

/** The state version this build writes: core layout 3 (variant 1), vGIC layout 2, virtio layout 1. */
const V: u32 = stateVersionOf(STATE_LAYOUT_VERSION, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION);
/** What a module with only the core and vGIC sections wrote (0x0203): no virtio section. */
const V_TWO: u32 = stateVersionOf(STATE_LAYOUT_VERSION, VGIC_LAYOUT_VERSION);
const CAP: usize = 32768;
const SAVED: usize = memory.data(<i32>CAP, 16);
const COPY: usize = memory.data(<i32>CAP, 16);
const CORE_AT_SAVE: usize = memory.data(<i32>STATE_SIZE, 16);
const VGIC_AT_SAVE: usize = memory.data(<i32>VGIC_SIZE, 16);
const VIRTIO_AT_SAVE: usize = memory.data(<i32>VIRTIO_STATE_SIZE, 16);
const LIVE_CORE: usize = memory.data(<i32>STATE_SIZE, 16);
const LIVE_VGIC: usize = memory.data(<i32>VGIC_SIZE, 16);
const LIVE_VIRTIO: usize = memory.data(<i32>VIRTIO_STATE_SIZE, 16);
/** The transmitq's record in a virtio block. */
const TX: usize = VT_QUEUE_OFF + Q_RECORD;
const RX: usize = VT_QUEUE_OFF;

function hvc(id: u64): i32 {
  exitWith(hvcEsr(0));
  setReg(0, id);
  return handleExit(0);
}

/**
 * A running VM with some history, saved into SAVED: bytes written. An SPI pending in its
 * vGIC; a virtio-console (slot 1, SPI 40) whose driver set both queues up, had "hi"
 * transmitted (the transmitq's indices at 1, a used buffer notification pending, the line
 * high) and then posted "yo" to transmit and a receive buffer, neither taken yet.
 */
function savedVm(): i32 {
  expect(virtioVm()).toBe(0);
  driverUp();
  postTx("hi");
  wr(R_QUEUE_NOTIFY, TXQ);
  expect(chanText(-1)).toBe("hi");
  postTx("yo");
  postRx(16);
  expect(line()).toBe(true);
  hvc(0xc6000000);
  pl011Write(0, UARTCR, 0x301, 0xffffffff);
  pl011Write(0, UARTDR, 0x6f, 0xff);
  pl011Write(0, UARTDR, 0x6b, 0xff);
  store<u32>(VGIC + VG_CTLR, 3);
  expect(consoleInput(0x68)).toBe(0);   // the PL011's SPI 33 goes pending in the vGIC
  memory.copy(CORE_AT_SAVE, STATE, STATE_SIZE);
  memory.copy(VGIC_AT_SAVE, VGIC, VGIC_SIZE);
  memory.copy(VIRTIO_AT_SAVE, VIRTIO_STATE, VIRTIO_STATE_SIZE);
  return stateSave(SAVED, CAP);
}

/** A new instance: no VM, an untouched vGIC and virtio block (the guest's RAM stays: it is the runtime's). */
function freshInstance(): void {
  vmResetState();
  memory.fill(VGIC, 0, VGIC_SIZE);
  memory.fill(VIRTIO_STATE, 0, VIRTIO_STATE_SIZE);
}

function snapshot(): void {
  memory.copy(LIVE_CORE, STATE, STATE_SIZE);
  memory.copy(LIVE_VGIC, VGIC, VGIC_SIZE);
  memory.copy(LIVE_VIRTIO, VIRTIO_STATE, VIRTIO_STATE_SIZE);
}

function unchanged(): bool {
  return memory.compare(LIVE_CORE, STATE, STATE_SIZE) == 0 && memory.compare(LIVE_VGIC, VGIC, VGIC_SIZE) == 0
    && memory.compare(LIVE_VIRTIO, VIRTIO_STATE, VIRTIO_STATE_SIZE) == 0;
}

/** Is the live virtio block the one a device reset leaves: layout version 1, all else zero? */
function virtioIsReset(): bool {
  if (load<u32>(VIRTIO_STATE + VT_VERSION) != VIRTIO_LAYOUT_VERSION) return false;
  for (let a: usize = 4; a < VIRTIO_STATE_SIZE; a += 4) if (load<u32>(VIRTIO_STATE + a) != 0) return false;
  return true;
}

/** SAVED, then a fresh instance with its state noted: the refusal specs restore into it. */
function savedIntoFresh(): usize {
  const n = <usize>savedVm();
  freshInstance();
  snapshot();
  return n;
}

/** Restore of `len` bytes at `p` as `version` is refused with `err`, nothing live changed. */
function refused(p: usize, len: usize, version: u32, err: i32): void {
  expect(stateRestore(p, len, version)).toBe(err);
  expect(unchanged()).toBe(true);
}

/** A blob of the given core, vGIC and virtio blocks (pass 0 to leave a section out) into COPY: its length. */
function blobOf(core: usize, coreVersion: u32, coreLen: usize, vgic: usize, virtio: usize): usize {
  blobBegin();
  if (core != 0) blobPart(ID_CORE, coreVersion, core, coreLen);
  if (vgic != 0) blobPart(ID_VGIC, VGIC_LAYOUT_VERSION, vgic, VGIC_SIZE);
  if (virtio != 0) blobPart(ID_VIRTIO, VIRTIO_LAYOUT_VERSION, virtio, VIRTIO_STATE_SIZE);
  return blobWrite(COPY);
}

// The sections of a blob this build writes, by their place in its table.
const SEC_CORE: i32 = 0;
const SEC_VGIC: i32 = 1;
const SEC_VIRTIO: i32 = 2;

/** SAVED with a u64 of section `sec` set, resealed, and a fresh instance to restore into; the blob's length. */
function savedWith64(sec: i32, field: usize, v: u64): usize {
  const n = savedIntoFresh();
  store<u64>(sectionAt(SAVED, sec) + field, v);
  reseal(SAVED);
  return n;
}

/** SAVED with a u32 of section `sec` set, resealed, and a fresh instance to restore into; the blob's length. */
function savedWith32(sec: i32, field: usize, v: u32): usize {
  const n = savedIntoFresh();
  store<u32>(sectionAt(SAVED, sec) + field, v);
  reseal(SAVED);
  return n;
}

/** SAVED with a u32 of record `k` of its section table set, resealed, and a fresh instance; the blob's length. */
function savedWithRecord32(k: i32, field: usize, v: u32): usize {
  const n = savedIntoFresh();
  store<u32>(recordAt(SAVED, k) + field, v);
  reseal(SAVED);
  return n;
}

describe("saved state: format", () => {
  it("is a header, a section table, then the core, vGIC and virtio sections", () => {
    const n = <usize>savedVm();
    expect(<i32>n).toBe(stateSize());
    expect(wv_state_size()).toBe(<i32>n);
    expect(load<u32>(SAVED)).toBe(MAGIC);
    expect(load<u32>(SAVED + H_FORMAT)).toBe(FORMAT);
    expect(<usize>load<u32>(SAVED + H_LENGTH)).toBe(n);
    expect(load<u32>(SAVED + H_COUNT)).toBe(3);
    expect(load<u32>(SAVED + H_RESERVED)).toBe(0);
    expect(load<u32>(SAVED + H_CHECKSUM)).toBe(sum3(SAVED + 16, HEADER + 3 * RECORD - 16));
    const core = recordAt(SAVED, 0), vgic = recordAt(SAVED, 1), virtio = recordAt(SAVED, 2);
    expect(load<u32>(core + R_ID)).toBe(ID_CORE);
    expect(load<u32>(core + R_VERSION)).toBe(STATE_LAYOUT_VERSION);
    expect(load<u32>(core + R_OFFSET)).toBe(<u32>(HEADER + 3 * RECORD));
    expect(<usize>load<u32>(core + R_LENGTH)).toBe(STATE_SIZE);
    expect(load<u32>(vgic + R_ID)).toBe(ID_VGIC);
    expect(load<u32>(vgic + R_VERSION)).toBe(VGIC_LAYOUT_VERSION);
    expect(load<u32>(vgic + R_OFFSET)).toBe((load<u32>(core + R_OFFSET) + <u32>STATE_SIZE + 7) & ~7);
    expect(<usize>load<u32>(vgic + R_LENGTH)).toBe(VGIC_SIZE);
    expect(load<u32>(virtio + R_ID)).toBe(ID_VIRTIO);
    expect(load<u32>(virtio + R_VERSION)).toBe(VIRTIO_LAYOUT_VERSION);
    expect(load<u32>(virtio + R_OFFSET)).toBe((load<u32>(vgic + R_OFFSET) + <u32>VGIC_SIZE + 7) & ~7);
    expect(<usize>load<u32>(virtio + R_LENGTH)).toBe(VIRTIO_STATE_SIZE);
    expect(<usize>load<u32>(virtio + R_OFFSET) + VIRTIO_STATE_SIZE).toBe(n);
    expect(load<u32>(core + R_CHECKSUM)).toBe(sum3(sectionAt(SAVED, 0), STATE_SIZE));
    expect(load<u32>(vgic + R_CHECKSUM)).toBe(sum3(sectionAt(SAVED, 1), VGIC_SIZE));
    expect(load<u32>(virtio + R_CHECKSUM)).toBe(sum3(sectionAt(SAVED, 2), VIRTIO_STATE_SIZE));
    for (let k: u32 = 0; k < 3; k++) {
      expect(load<u32>(recordAt(SAVED, k) + R_RESERVED)).toBe(0);
      const end = <usize>load<u32>(recordAt(SAVED, k) + R_OFFSET) + <usize>load<u32>(recordAt(SAVED, k) + R_LENGTH);
      const next = k < 2 ? <usize>load<u32>(recordAt(SAVED, k + 1) + R_OFFSET) : n;
      for (let a = end; a < next; a++) expect(load<u8>(SAVED + a)).toBe(0);   // padding
    }
    expect(memory.compare(sectionAt(SAVED, 0), CORE_AT_SAVE, STATE_SIZE)).toBe(0);
    expect(memory.compare(sectionAt(SAVED, 1), VGIC_AT_SAVE, VGIC_SIZE)).toBe(0);
    expect(memory.compare(sectionAt(SAVED, 2), VIRTIO_AT_SAVE, VIRTIO_STATE_SIZE)).toBe(0);
    // The virtio section is the device as the driver left it: running, both queues ready.
    const p = sectionAt(SAVED, 2);
    expect(load<u32>(p + VT_STATUS) & VIRTIO_STATUS_DRIVER_OK).toBe(VIRTIO_STATUS_DRIVER_OK);
    expect(load<u32>(p + RX + Q_READY)).toBe(1);
    expect(load<u32>(p + TX + Q_READY)).toBe(1);
    expect(load<u32>(p + TX + Q_LAST_AVAIL)).toBe(1);
    expect(load<u32>(p + VT_INT_STATUS)).toBe(VIRTIO_INT_USED);
  });

  it("names every section's layout in its state version", () => {
    expect(stateVersion()).toBe(V);
    expect(wv_state_version()).toBe(<i32>V);
    expect(V).toBe(0x010203);
    expect(V_TWO).toBe(0x0203);
  });

  it("hands out a state buffer for any blob it writes, and nothing larger than it holds", () => {
    expect(wv_state_buffer(wv_state_size())).toBeGreaterThan(0);
    expect(<usize>wv_state_buffer(<i32>STATE_BUFFER_CAP)).toBe(stateBuffer(1));
    expect(wv_state_buffer(<i32>STATE_BUFFER_CAP + 1)).toBe(0);
    expect(wv_state_buffer(0)).toBe(0);
    expect(wv_state_buffer(-1)).toBe(0);
    expect(stateBuffer(1) & 15).toBe(0);
  });

  it("refuses to save into a buffer too small or outside memory", () => {
    freshVm();
    expect(stateSave(SAVED, <usize>stateSize() - 1)).toBe(STATE_ERR_SPACE);
    expect(stateSave(<usize>(memory.size() << 16) - 64, CAP)).toBe(STATE_ERR_RANGE);
    expect(stateSave(0, CAP)).toBe(STATE_ERR_RANGE);
    expect(wv_save(<i32>SAVED, -1)).toBe(-1);
  });
});

describe("saved state: round trip", () => {
  it("restores a VM that carries on where it was saved", () => {
    const n = savedIntoFresh();
    expect(vmState()).toBe(VM_EMPTY);
    expect(stateRestore(SAVED, n, V)).toBe(0);
    expect(vmState()).toBe(VM_RUNNING);
    expect(exitCount(0, EXIT_CLASS_HVC)).toBe(1);
    expect(vmExitCount(VM_EXIT_HVC)).toBe(1);
    expect(vmExitCount(VM_EXIT_DATA_ABORT)).toBe(0);
    expect(mmioFind(0x09000000)).toBe(0);
    expect(pl011Read(0, UARTCR)).toBe(0x301);
    expect(consolePending()).toBe(2);
    expect(s2ChildOf(0, 1)).toBe(1);
    pl011Write(0, UARTDR, 0x0a, 0xff);
    expect(lastConsole()).toBe("[linux] ok\n");
  });

  it("restores a virtio device that carries on where it was saved", () => {
    const n = savedIntoFresh();
    expect(virtioIsReset()).toBe(false);
    expect(stateRestore(SAVED, n, V)).toBe(0);
    // The notification pending at the save is still pending, its line still high.
    expect(rd(R_INT_STATUS)).toBe(VIRTIO_INT_USED);
    expect(line()).toBe(true);
    expect(rd(R_STATUS) & VIRTIO_STATUS_DRIVER_OK).toBe(VIRTIO_STATUS_DRIVER_OK);
    wr(R_QUEUE_SEL, TXQ);
    expect(rd(R_QUEUE_READY)).toBe(1);
    // The transmitq goes on from index 1: "yo", posted before the save, is sent; "hi" is not sent again.
    const sent = chanCount();
    wr(R_QUEUE_NOTIFY, TXQ);
    expect(chanCount()).toBe(sent + 1);
    expect(chanText(-1)).toBe("yo");
    expect(usedIdx(TXQ)).toBe(2);
    expect(load<u32>(VIRTIO_STATE + TX + Q_LAST_AVAIL)).toBe(2);
    // The receive buffer posted before the save takes input.
    store<u8>(chanBuffer(), 0x61);
    store<u8>(chanBuffer() + 1, 0x62);
    expect(chanPush(2)).toBe(2);
    expect(usedIdx(RXQ)).toBe(1);
    expect(peekText(bufAt(RXQ, 0), 2)).toBe("ab");
    expect(guestStray()).toBe(0);
  });

  it("restores each section exactly: the core block, the vGIC's and the virtio device's", () => {
    const n = savedIntoFresh();
    expect(stateRestore(SAVED, n, V)).toBe(0);
    expect(memory.compare(STATE, CORE_AT_SAVE, STATE_SIZE)).toBe(0);
    expect(memory.compare(VGIC, VGIC_AT_SAVE, VGIC_SIZE)).toBe(0);
    expect(memory.compare(VIRTIO_STATE, VIRTIO_AT_SAVE, VIRTIO_STATE_SIZE)).toBe(0);
    expect(load<u32>(VGIC + VG_CTLR)).toBe(3);
    expect(pl011Read(0, UARTDR)).toBe(0x68);
  });

  it("restores the virtio section without reading or writing guest RAM", () => {
    const n = savedIntoFresh();
    const reads = guestReads(), writes = guestWrites();
    expect(stateRestore(SAVED, n, V)).toBe(0);
    expect(guestReads()).toBe(reads);
    expect(guestWrites()).toBe(writes);
  });

  it("round-trips through the module exports", () => {
    const n = savedIntoFresh();
    expect(wv_restore(<i32>SAVED, <i32>n, <i32>V)).toBe(0);
    expect(wv_save(<i32>COPY, <i32>CAP)).toBe(<i32>n);
    expect(memory.compare(SAVED, COPY, n)).toBe(0);
    expect(wv_save_as(<i32>COPY, <i32>CAP, <i32>V)).toBe(<i32>n);
    expect(memory.compare(SAVED, COPY, n)).toBe(0);
    expect(wv_restore(<i32>SAVED, -1, <i32>V)).toBe(-1);
  });

  it("saves an instance without a VM, and restores it to one that can still build its VM", () => {
    freshInstance();
    const n = stateSave(SAVED, CAP);
    expect(n).toBe(stateSize());
    for (let a: usize = 0; a < VIRTIO_STATE_SIZE; a++) expect(load<u8>(sectionAt(SAVED, 2) + a)).toBe(0);   // never used
    memory.fill(VIRTIO_STATE, 0x5a, VIRTIO_STATE_SIZE);   // leftovers a restore must not keep
    expect(stateRestore(SAVED, <usize>n, V)).toBe(0);
    expect(vmState()).toBe(VM_EMPTY);
    for (let a: usize = 0; a < VIRTIO_STATE_SIZE; a++) expect(load<u8>(VIRTIO_STATE + a)).toBe(0);
    expect(freshVm()).toBe(0);
  });
});

describe("saved state: refusals", () => {
  it("refuses a truncated blob, or one outside memory", () => {
    const n = savedIntoFresh();
    refused(SAVED, n - 1, V, STATE_ERR_SPACE);
    refused(SAVED, 8, V, STATE_ERR_SPACE);
    refused(SAVED, 20, V, STATE_ERR_SPACE);
    refused(<usize>(memory.size() << 16) - 16, n, V, STATE_ERR_RANGE);
    refused(0, n, V, STATE_ERR_RANGE);
  });

  it("refuses a bad magic and a format it does not know", () => {
    const n = savedIntoFresh();
    store<u32>(SAVED, 0x54535656);
    refused(SAVED, n, V, STATE_ERR_MAGIC);
    store<u32>(SAVED, MAGIC);
    store<u32>(SAVED + H_FORMAT, 4);
    refused(SAVED, n, V, STATE_ERR_VERSION);
    store<u32>(SAVED + H_FORMAT, 0);
    refused(SAVED, n, V, STATE_ERR_VERSION);
  });

  it("refuses a state version other than the blob's", () => {
    const n = savedIntoFresh();
    refused(SAVED, n, V + 1, STATE_ERR_VERSION);
    refused(SAVED, n, 2, STATE_ERR_VERSION);
    refused(SAVED, n, STATE_LAYOUT_VERSION, STATE_ERR_VERSION);
    refused(SAVED, n, V_TWO, STATE_ERR_VERSION);                  // the blob has a virtio section
    refused(SAVED, n, V + 0x10000, STATE_ERR_VERSION);            // ... of layout 1
    refused(SAVED, n, V | (1 << 24), STATE_ERR_VERSION);          // and no section 4
  });

  it("refuses a header length that disagrees with the table or the buffer", () => {
    const n = savedIntoFresh();
    store<u32>(SAVED + H_LENGTH, 100);
    refused(SAVED, n, V, STATE_ERR_LENGTH);
    savedIntoFresh();
    store<u32>(SAVED + H_LENGTH, <u32>n - 8);
    refused(SAVED, n, V, STATE_ERR_LENGTH);
    savedIntoFresh();
    store<u32>(SAVED + H_LENGTH, <u32>n + 8);
    refused(SAVED, n + 8, V, STATE_ERR_LENGTH);   // bytes after the last section
    refused(SAVED, n, V, STATE_ERR_SPACE);         // more than the buffer holds
  });

  it("refuses a damaged header or section table by the header's checksum", () => {
    const n = savedIntoFresh();
    store<u8>(recordAt(SAVED, 1) + R_VERSION, 3);
    refused(SAVED, n, V, STATE_ERR_CHECKSUM);
    savedIntoFresh();
    store<u8>(recordAt(SAVED, 2) + R_CHECKSUM, load<u8>(recordAt(SAVED, 2) + R_CHECKSUM) ^ 0x80);
    refused(SAVED, n, V, STATE_ERR_CHECKSUM);
    savedIntoFresh();
    store<u32>(SAVED + H_CHECKSUM, load<u32>(SAVED + H_CHECKSUM) ^ 1);
    refused(SAVED, n, V, STATE_ERR_CHECKSUM);
  });

  it("refuses a damaged section by its own checksum, whichever section it is", () => {
    let n = savedIntoFresh();
    store<u8>(sectionAt(SAVED, 0) + 200, load<u8>(sectionAt(SAVED, 0) + 200) ^ 1);
    refused(SAVED, n, V, STATE_ERR_CHECKSUM);
    n = savedIntoFresh();
    store<u8>(sectionAt(SAVED, 1) + 40, load<u8>(sectionAt(SAVED, 1) + 40) ^ 0x10);
    refused(SAVED, n, V, STATE_ERR_CHECKSUM);
    n = savedIntoFresh();
    store<u8>(sectionAt(SAVED, 2) + TX + Q_DESC, load<u8>(sectionAt(SAVED, 2) + TX + Q_DESC) ^ 0x10);
    refused(SAVED, n, V, STATE_ERR_CHECKSUM);
  });

  it("refuses a section count of none or more than there are IDs", () => {
    const n = savedIntoFresh();
    store<u32>(SAVED + H_COUNT, 0);
    resealHeader(SAVED);
    refused(SAVED, n, V, STATE_ERR_TABLE);
    store<u32>(SAVED + H_COUNT, 5);
    resealHeader(SAVED);
    refused(SAVED, n, V, STATE_ERR_TABLE);
    store<u32>(SAVED + H_COUNT, 2);           // the virtio section is then bytes after the last section
    resealHeader(SAVED);
    refused(SAVED, n, V, STATE_ERR_TABLE);     // ... and those bytes are not zero padding
  });

  it("refuses section IDs outside 1..4, twice the same, and reserved words not 0", () => {
    const n = savedIntoFresh();
    store<u32>(recordAt(SAVED, 1) + R_ID, 0);
    reseal(SAVED);
    refused(SAVED, n, V, STATE_ERR_TABLE);
    store<u32>(recordAt(SAVED, 1) + R_ID, 5);
    reseal(SAVED);
    refused(SAVED, n, V, STATE_ERR_TABLE);
    store<u32>(recordAt(SAVED, 1) + R_ID, ID_CORE);
    reseal(SAVED);
    refused(SAVED, n, V, STATE_ERR_TABLE);
    refused(SAVED, savedWithRecord32(2, R_ID, ID_VGIC), V, STATE_ERR_TABLE);
    refused(SAVED, savedWithRecord32(2, R_RESERVED, 0x100), V, STATE_ERR_TABLE);
    refused(SAVED, savedWithRecord32(0, R_RESERVED, 1), V, STATE_ERR_TABLE);
    savedIntoFresh();
    store<u32>(SAVED + H_RESERVED, 1);
    reseal(SAVED);
    refused(SAVED, n, V, STATE_ERR_TABLE);
  });

  it("refuses sections out of place: misaligned, overlapping, apart, or with padding not 0", () => {
    let n = savedIntoFresh();
    store<u32>(recordAt(SAVED, 1) + R_OFFSET, load<u32>(recordAt(SAVED, 1) + R_OFFSET) - 8);
    reseal(SAVED);
    refused(SAVED, n, V, STATE_ERR_TABLE);
    n = savedIntoFresh();
    store<u32>(recordAt(SAVED, 0) + R_OFFSET, load<u32>(recordAt(SAVED, 0) + R_OFFSET) + 4);
    reseal(SAVED);
    refused(SAVED, n, V, STATE_ERR_TABLE);
    n = savedIntoFresh();
    store<u32>(recordAt(SAVED, 2) + R_OFFSET, load<u32>(recordAt(SAVED, 2) + R_OFFSET) + 8);
    reseal(SAVED);
    refused(SAVED, n, V, STATE_ERR_TABLE);
    // A core section of a size not a multiple of 8 leaves padding before the vGIC's.
    freshInstance();
    snapshot();
    let len = blobOf(CORE_AT_SAVE, 1, STATE_SIZE_V1 - 4, VGIC_AT_SAVE, VIRTIO_AT_SAVE);
    const pad = sectionAt(COPY, 0) + STATE_SIZE_V1 - 4;
    store<u8>(pad, 1);
    reseal(COPY);
    refused(COPY, len, stateVersionOf(1, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION), STATE_ERR_TABLE);
    // And a vGIC section 4 bytes short, padding before the virtio section's.
    blobBegin();
    blobPart(ID_CORE, STATE_LAYOUT_VERSION, CORE_AT_SAVE, STATE_SIZE);
    blobPart(ID_VGIC, VGIC_LAYOUT_VERSION, VGIC_AT_SAVE, VGIC_SIZE - 4);
    blobPart(ID_VIRTIO, VIRTIO_LAYOUT_VERSION, VIRTIO_AT_SAVE, VIRTIO_STATE_SIZE);
    len = blobWrite(COPY);
    store<u8>(sectionAt(COPY, 1) + VGIC_SIZE - 1, 0x80);
    reseal(COPY);
    refused(COPY, len, V, STATE_ERR_TABLE);
  });

  it("refuses a section length that is not its layout's", () => {
    freshInstance();
    snapshot();
    savedVm();
    freshInstance();
    snapshot();
    let len = blobOf(CORE_AT_SAVE, STATE_LAYOUT_VERSION, STATE_SIZE - 8, VGIC_AT_SAVE, VIRTIO_AT_SAVE);
    refused(COPY, len, V, STATE_ERR_LENGTH);
    len = blobOf(CORE_AT_SAVE, 2, STATE_SIZE_V2 + 8, VGIC_AT_SAVE, VIRTIO_AT_SAVE);
    refused(COPY, len, stateVersionOf(2, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION), STATE_ERR_LENGTH);
    blobBegin();
    blobPart(ID_CORE, STATE_LAYOUT_VERSION, CORE_AT_SAVE, STATE_SIZE);
    blobPart(ID_VGIC, VGIC_LAYOUT_VERSION, VGIC_AT_SAVE, VGIC_SIZE);
    blobPart(ID_VIRTIO, VIRTIO_LAYOUT_VERSION, VIRTIO_AT_SAVE, VIRTIO_STATE_SIZE - 8);
    len = blobWrite(COPY);
    refused(COPY, len, V, STATE_ERR_LENGTH);
    blobBegin();
    blobPart(ID_CORE, STATE_LAYOUT_VERSION, CORE_AT_SAVE, STATE_SIZE);
    blobPart(ID_VGIC, VGIC_LAYOUT_VERSION, VGIC_AT_SAVE, VGIC_SIZE);
    blobPart(ID_VIRTIO, VIRTIO_LAYOUT_VERSION, VIRTIO_AT_SAVE, VIRTIO_STATE_SIZE + 8);
    len = blobWrite(COPY);
    refused(COPY, len, V, STATE_ERR_LENGTH);
  });

  it("refuses a section it does not have, or a layout of a section it does not know", () => {
    savedVm();
    freshInstance();
    snapshot();
    blobBegin();
    blobPart(ID_CORE, STATE_LAYOUT_VERSION, CORE_AT_SAVE, STATE_SIZE);
    blobPart(ID_VGIC, VGIC_LAYOUT_VERSION, VGIC_AT_SAVE, VGIC_SIZE);
    blobPart(ID_VIRTIO, VIRTIO_LAYOUT_VERSION, VIRTIO_AT_SAVE, VIRTIO_STATE_SIZE);
    blobPart(ID_LAST, 1, VGIC_AT_SAVE, 64);
    let len = blobWrite(COPY);
    refused(COPY, len, stateVersionOf(STATE_LAYOUT_VERSION, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION, 1),
      STATE_ERR_VERSION);
    len = blobOf(CORE_AT_SAVE, 9, STATE_SIZE, VGIC_AT_SAVE, VIRTIO_AT_SAVE);
    refused(COPY, len, stateVersionOf(9, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION), STATE_ERR_VERSION);
    blobBegin();
    blobPart(ID_CORE, STATE_LAYOUT_VERSION, CORE_AT_SAVE, STATE_SIZE);
    blobPart(ID_VGIC, VGIC_LAYOUT_VERSION + 1, VGIC_AT_SAVE, VGIC_SIZE);
    blobPart(ID_VIRTIO, VIRTIO_LAYOUT_VERSION, VIRTIO_AT_SAVE, VIRTIO_STATE_SIZE);
    len = blobWrite(COPY);
    refused(COPY, len, stateVersionOf(STATE_LAYOUT_VERSION, VGIC_LAYOUT_VERSION + 1, VIRTIO_LAYOUT_VERSION),
      STATE_ERR_VERSION);
    // A virtio layout newer than this module's, or 0.
    for (let v: u32 = 0; v < 3; v += 2) {
      blobBegin();
      blobPart(ID_CORE, STATE_LAYOUT_VERSION, CORE_AT_SAVE, STATE_SIZE);
      blobPart(ID_VGIC, VGIC_LAYOUT_VERSION, VGIC_AT_SAVE, VGIC_SIZE);
      blobPart(ID_VIRTIO, v, VIRTIO_AT_SAVE, VIRTIO_STATE_SIZE);
      len = blobWrite(COPY);
      refused(COPY, len, stateVersionOf(STATE_LAYOUT_VERSION, VGIC_LAYOUT_VERSION, v), STATE_ERR_VERSION);
    }
  });

  it("refuses a blob without the core section", () => {
    savedVm();
    freshInstance();
    snapshot();
    let len = blobOf(0, 0, 0, VGIC_AT_SAVE, 0);
    refused(COPY, len, stateVersionOf(0, VGIC_LAYOUT_VERSION), STATE_ERR_TABLE);
    len = blobOf(0, 0, 0, VGIC_AT_SAVE, VIRTIO_AT_SAVE);
    refused(COPY, len, stateVersionOf(0, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION), STATE_ERR_TABLE);
  });

  it("refuses counts out of range in the core section even with valid checksums", () => {
    refused(SAVED, savedWith32(SEC_CORE, MMIO_COUNT, 9), V, STATE_ERR_CONTENT);
    expect(stateCheck(SAVED, savedWith32(SEC_CORE, CONSOLE_LEN, 120), V)).toBe(STATE_ERR_CONTENT);
    refused(SAVED, savedWith32(SEC_CORE, S2_TABLE_COUNT, 600), V, STATE_ERR_CONTENT);
    const n = savedIntoFresh();
    store<u8>(sectionAt(SAVED, SEC_CORE) + VM_NAME, 0x41);
    reseal(SAVED);
    refused(SAVED, n, V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith32(SEC_CORE, PL011_RX_OFF + PL011_RX_COUNT, 17), V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith32(SEC_CORE, PL011_RX_OFF + PL011_RX_HEAD, 16), V, STATE_ERR_CONTENT);
  });

  it("refuses a vGIC section out of range, or one that does not have the VM's vCPUs", () => {
    refused(SAVED, savedWith32(SEC_VGIC, VG_VCPUS, 2), V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith32(SEC_VGIC, VG_MODEL, 7), V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith32(SEC_VGIC, VGIC_VCPU_OFF + R_LR_USED, 1 << 16), V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith32(SEC_VGIC, VG_VERSION, VGIC_LAYOUT_VERSION + 1), V, STATE_ERR_CONTENT);
  });

  it("refuses a virtio section whose ready queues lie outside the VM's RAM", () => {
    // The VM's RAM: 128 MiB at RAM_IPA (__tests__/blob.ts); the fresh instance has none.
    refused(SAVED, savedWith64(SEC_VIRTIO, TX + Q_DRIVER, 0x20000000), V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith64(SEC_VIRTIO, TX + Q_DESC, RAM_IPA + 0x08000000), V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith64(SEC_VIRTIO, RX + Q_DEVICE, 0x7fff0000), V, STATE_ERR_CONTENT);
    // Straddling the end of RAM: the used ring of 8 entries (6 + 8 * 8 bytes) starts 8 bytes before it.
    refused(SAVED, savedWith64(SEC_VIRTIO, RX + Q_DEVICE, RAM_IPA + 0x08000000 - 8), V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith64(SEC_VIRTIO, TX + Q_DESC, 0xfffffffffffff000), V, STATE_ERR_CONTENT);
    expect(stateCheck(SAVED, savedWith64(SEC_VIRTIO, TX + Q_DEVICE, 0x100000000), V)).toBe(STATE_ERR_CONTENT);
    // At the very end of RAM it fits: accepted.
    const n = savedWith64(SEC_VIRTIO, RX + Q_DEVICE, RAM_IPA + 0x08000000 - (6 + 8 * <u64>QNUM) - 2);
    expect(stateRestore(SAVED, n, V)).toBe(0);
    expect(load<u64>(VIRTIO_STATE + RX + Q_DEVICE)).toBe(RAM_IPA + 0x08000000 - (6 + 8 * <u64>QNUM) - 2);
  });

  it("takes a queue that is not ready wherever its areas are", () => {
    const n = savedWith32(SEC_VIRTIO, TX + Q_READY, 0);
    store<u64>(sectionAt(SAVED, 2) + TX + Q_DESC, 0x20000000);
    reseal(SAVED);
    expect(stateRestore(SAVED, n, V)).toBe(0);
    expect(memory.compare(VIRTIO_STATE, sectionAt(SAVED, 2), VIRTIO_STATE_SIZE)).toBe(0);
  });

  it("checks the virtio section against the VM of the blob, not the instance's", () => {
    // The instance: staged, its VM's RAM at RAM_IPA, where the queues are. The blob moves
    // the VM's RAM to 0x80000000: its queues are then outside it.
    const n = savedIntoFresh();
    expect(stateRestore(SAVED, n, V)).toBe(0);
    snapshot();
    store<u64>(sectionAt(SAVED, 0) + REGIONS_OFF + REGION_IPA, 0x80000000);
    reseal(SAVED);
    refused(SAVED, n, V, STATE_ERR_CONTENT);
    // The same blob with the device reset (no queue ready) is taken.
    memory.fill(sectionAt(SAVED, 2), 0, VIRTIO_STATE_SIZE);
    store<u32>(sectionAt(SAVED, 2) + VT_VERSION, VIRTIO_LAYOUT_VERSION);
    reseal(SAVED);
    expect(stateRestore(SAVED, n, V)).toBe(0);
    expect(load<u64>(STATE + REGIONS_OFF + REGION_IPA)).toBe(0x80000000);
    expect(virtioIsReset()).toBe(true);
  });

  it("refuses a virtio section out of range", () => {
    refused(SAVED, savedWith32(SEC_VIRTIO, VT_VERSION, VIRTIO_LAYOUT_VERSION + 1), V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith32(SEC_VIRTIO, VT_STATUS, 0x10 | 0xf), V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith32(SEC_VIRTIO, VT_STATUS, 1 | 2 | 4), V, STATE_ERR_CONTENT);   // DRIVER_OK without FEATURES_OK
    refused(SAVED, savedWith32(SEC_VIRTIO, VT_INT_STATUS, 4), V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith32(SEC_VIRTIO, TX + Q_NUM, 3), V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith32(SEC_VIRTIO, TX + Q_NUM, 128), V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith32(SEC_VIRTIO, RX + Q_READY, 2), V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith32(SEC_VIRTIO, TX + Q_LAST_AVAIL, 0x10000), V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith32(SEC_VIRTIO, RX + Q_USED_IDX, 0xffffffff), V, STATE_ERR_CONTENT);
    refused(SAVED, savedWith64(SEC_VIRTIO, TX + Q_DESC, RAM_IPA + 0x100008), V, STATE_ERR_CONTENT);   // unaligned
  });

  it("refuses to restore over a VM that was built or has run", () => {
    const n = <usize>savedVm();
    snapshot();
    refused(SAVED, n, V, STATE_ERR_BUSY);
    expect(wv_restore(<i32>SAVED, <i32>n, <i32>V)).toBe(STATE_ERR_BUSY);
  });
});

describe("saved state: a staged instance", () => {
  it("takes a second restore while no exit has run since the first", () => {
    const n = savedIntoFresh();
    expect(stateRestore(SAVED, n, V)).toBe(0);
    store<u32>(STATE + CONSOLE_LEN, 5);        // whatever it holds is replaced
    store<u32>(VIRTIO_STATE + TX + Q_LAST_AVAIL, 7);
    expect(stateRestore(SAVED, n, V)).toBe(0);
    expect(memory.compare(STATE, CORE_AT_SAVE, STATE_SIZE)).toBe(0);
    expect(memory.compare(VIRTIO_STATE, VIRTIO_AT_SAVE, VIRTIO_STATE_SIZE)).toBe(0);
  });

  it("keeps its state when a second restore is refused", () => {
    const n = savedIntoFresh();
    expect(stateRestore(SAVED, n, V)).toBe(0);
    snapshot();
    store<u32>(sectionAt(SAVED, 0) + MMIO_COUNT, 9);
    reseal(SAVED);
    refused(SAVED, n, V, STATE_ERR_CONTENT);
    savedIntoFresh();
    expect(stateRestore(SAVED, n, V)).toBe(0);
    snapshot();
    store<u64>(sectionAt(SAVED, 2) + TX + Q_DRIVER, 0x20000000);
    reseal(SAVED);
    refused(SAVED, n, V, STATE_ERR_CONTENT);
  });

  it("is no longer staged once an exit has run", () => {
    const n = savedIntoFresh();
    expect(stateRestore(SAVED, n, V)).toBe(0);
    hvc(0xc6000000);
    snapshot();
    refused(SAVED, n, V, STATE_ERR_BUSY);
  });
});

describe("saved state: older versions", () => {
  it("restores a single-block blob of layout 2 with zero exit counters and the vGIC from a reset", () => {
    savedVm();
    store<u32>(CORE_AT_SAVE + VM_EXITS_OFF, 77);          // what a layout 2 block does not have
    const len = blobSingle(COPY, 2, CORE_AT_SAVE, STATE_SIZE_V2);
    freshInstance();
    store<u32>(STATE + VM_EXITS_OFF + 4, 5);              // leftovers a restore must not keep
    memory.fill(VIRTIO_STATE, 0x5a, VIRTIO_STATE_SIZE);
    expect(stateRestore(COPY, len, V)).toBe(STATE_ERR_VERSION);
    expect(stateRestore(COPY, len, 2)).toBe(0);
    expect(virtioIsReset()).toBe(true);
    expect(vmState()).toBe(VM_RUNNING);
    expect(memory.compare(STATE, CORE_AT_SAVE, STATE_SIZE_V2)).toBe(0);
    for (let c: u32 = 0; c < 6; c++) expect(vmExitCount(c)).toBe(0);
    expect(pl011Read(0, UARTDR)).toBe(0x68);              // the receive FIFO came along
    expect(load<u32>(VGIC + VG_VERSION)).toBe(VGIC_LAYOUT_VERSION);
    expect(load<u32>(VGIC + VG_VCPUS)).toBe(1);
    expect(load<u32>(VGIC + VG_MODEL)).toBe(VGIC_MODEL_V3);
    expect(load<u32>(VGIC + VG_CTLR)).toBe(0);             // the reset's, not the saved VM's
    expect(load<u32>(VGIC + VG_CURRENT)).toBe(VGIC_NO_VCPU);
    expect(stateSelfCheck()).toBe(0);
    expect(hvc(0xc6000000)).toBe(0);
    expect(vmExitCount(VM_EXIT_HVC)).toBe(1);
  });

  it("restores a single-block blob of layout 1 with the receive FIFOs empty", () => {
    savedVm();
    const len = blobSingle(COPY, 1, CORE_AT_SAVE, STATE_SIZE_V1);
    freshInstance();
    store<u32>(STATE + PL011_RX_OFF + PL011_RX_COUNT, 3);
    expect(stateRestore(COPY, len, 2)).toBe(STATE_ERR_VERSION);
    expect(stateRestore(COPY, len, 1)).toBe(0);
    expect(vmState()).toBe(VM_RUNNING);
    expect(pl011Read(0, UARTCR)).toBe(0x301);
    expect(load<u32>(STATE + PL011_RX_OFF + PL011_RX_COUNT)).toBe(0);
    expect(pl011Read(0, UARTFR)).toBe(0x90);
    expect(consoleInput(0x7a)).toBe(0);
    expect(pl011Read(0, UARTDR)).toBe(0x7a);
    expect(load<u32>(VGIC + VG_VCPUS)).toBe(1);
  });

  it("refuses a single-block blob whose header length, checksum or layout is wrong", () => {
    savedVm();
    let len = blobSingle(COPY, 2, CORE_AT_SAVE, STATE_SIZE_V2);
    freshInstance();
    snapshot();
    refused(COPY, len - 1, 2, STATE_ERR_SPACE);
    store<u32>(COPY + 8, <u32>len + 4);
    refused(COPY, len + 4, 2, STATE_ERR_LENGTH);
    len = blobSingle(COPY, 2, CORE_AT_SAVE, STATE_SIZE_V2);
    store<u8>(COPY + 100, load<u8>(COPY + 100) ^ 4);
    refused(COPY, len, 2, STATE_ERR_CHECKSUM);
    len = blobSingle(COPY, 2, CORE_AT_SAVE, STATE_SIZE_V2);
    store<u32>(COPY + 16 + MMIO_COUNT, 9);
    store<u32>(COPY + 12, fnv(COPY + 16, STATE_SIZE_V2));
    refused(COPY, len, 2, STATE_ERR_CONTENT);
  });

  it("builds a GICv2 VM's vGIC from a reset as a GICv2", () => {
    expect(freshGicV2Vm(2)).toBe(0);
    memory.copy(CORE_AT_SAVE, STATE, STATE_SIZE);
    const len = blobSingle(COPY, 2, CORE_AT_SAVE, STATE_SIZE_V2);
    freshInstance();
    expect(stateRestore(COPY, len, 2)).toBe(0);
    expect(load<u32>(VGIC + VG_MODEL)).toBe(VGIC_MODEL_V2);
    expect(load<u32>(VGIC + VG_VCPUS)).toBe(2);
    expect(stateSelfCheck()).toBe(0);
  });

  it("starts an all-zero vGIC when a blob without a VM lacks the vGIC section", () => {
    freshInstance();
    memory.copy(CORE_AT_SAVE, STATE, STATE_SIZE);
    const len = blobSingle(COPY, 2, CORE_AT_SAVE, STATE_SIZE_V2);
    memory.fill(VGIC, 0xaa, VGIC_SIZE);
    expect(stateRestore(COPY, len, 2)).toBe(0);
    expect(vmState()).toBe(VM_EMPTY);
    for (let a: usize = 0; a < VGIC_SIZE; a += 8) expect(load<u64>(VGIC + a)).toBe(0);
  });

  it("restores a blob of a module with two sections (0x0203): the virtio device from a reset", () => {
    savedVm();
    const len = blobOf(CORE_AT_SAVE, STATE_LAYOUT_VERSION, STATE_SIZE, VGIC_AT_SAVE, 0);
    freshInstance();
    memory.fill(VIRTIO_STATE, 0x5a, VIRTIO_STATE_SIZE);   // leftovers a restore must not keep
    snapshot();
    refused(COPY, len, V, STATE_ERR_VERSION);             // the blob has no virtio section
    expect(stateRestore(COPY, len, V_TWO)).toBe(0);
    expect(memory.compare(STATE, CORE_AT_SAVE, STATE_SIZE)).toBe(0);
    expect(vmState()).toBe(VM_RUNNING);
    expect(virtioIsReset()).toBe(true);
    expect(stateSelfCheck()).toBe(0);
    // The device a reset leaves (virtio 1.2 spec 2.4): status 0, no queue ready, nothing pending.
    expect(rd(R_STATUS)).toBe(0);
    expect(rd(R_INT_STATUS)).toBe(0);
    wr(R_QUEUE_SEL, TXQ);
    expect(rd(R_QUEUE_READY)).toBe(0);
    // It uses none of the rings the old driver set up: a notification reads and sends nothing.
    const sent = chanCount(), reads = guestReads(), writes = guestWrites();
    wr(R_QUEUE_NOTIFY, TXQ);
    store<u8>(chanBuffer(), 0x61);
    expect(chanPush(1)).toBe(0);
    expect(chanCount()).toBe(sent);
    expect(guestReads()).toBe(reads);
    expect(guestWrites()).toBe(writes);
    // The driver can set it up again (spec 3.1.1) and use it.
    driverUp();
    postTx("re");
    wr(R_QUEUE_NOTIFY, TXQ);
    expect(chanText(-1)).toBe("re");
    expect(chanCount()).toBe(sent + 1);
  });

  it("resets the virtio device of a staged instance restored again from a 0x0203 blob", () => {
    const n = savedIntoFresh();
    const len = blobOf(CORE_AT_SAVE, STATE_LAYOUT_VERSION, STATE_SIZE, VGIC_AT_SAVE, 0);
    expect(stateRestore(SAVED, n, V)).toBe(0);
    expect(load<u32>(VIRTIO_STATE + TX + Q_READY)).toBe(1);
    expect(stateRestore(COPY, len, V_TWO)).toBe(0);
    expect(virtioIsReset()).toBe(true);
    expect(memory.compare(VGIC, VGIC_AT_SAVE, VGIC_SIZE)).toBe(0);
  });

  it("restores a sectioned blob without the vGIC section, building the vGIC from a reset", () => {
    savedVm();
    freshInstance();
    let len = blobOf(CORE_AT_SAVE, STATE_LAYOUT_VERSION, STATE_SIZE, 0, 0);
    expect(stateRestore(COPY, len, V)).toBe(STATE_ERR_VERSION);
    expect(stateRestore(COPY, len, STATE_LAYOUT_VERSION)).toBe(0);
    expect(load<u32>(VGIC + VG_VCPUS)).toBe(1);
    expect(load<u32>(VGIC + VG_CTLR)).toBe(0);
    expect(memory.compare(STATE, CORE_AT_SAVE, STATE_SIZE)).toBe(0);
    expect(virtioIsReset()).toBe(true);
    // With the virtio section but not the vGIC's: the device as saved.
    freshInstance();
    len = blobOf(CORE_AT_SAVE, STATE_LAYOUT_VERSION, STATE_SIZE, 0, VIRTIO_AT_SAVE);
    expect(stateRestore(COPY, len, stateVersionOf(STATE_LAYOUT_VERSION, 0, VIRTIO_LAYOUT_VERSION))).toBe(0);
    expect(load<u32>(VGIC + VG_VCPUS)).toBe(1);
    expect(memory.compare(VIRTIO_STATE, VIRTIO_AT_SAVE, VIRTIO_STATE_SIZE)).toBe(0);
  });

  it("restores a sectioned blob of an older core layout, converting it", () => {
    savedVm();
    freshInstance();
    let len = blobOf(CORE_AT_SAVE, 2, STATE_SIZE_V2, VGIC_AT_SAVE, VIRTIO_AT_SAVE);
    expect(stateRestore(COPY, len, stateVersionOf(2, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION))).toBe(0);
    expect(memory.compare(STATE, CORE_AT_SAVE, STATE_SIZE_V2)).toBe(0);
    expect(vmExitCount(VM_EXIT_HVC)).toBe(0);
    expect(memory.compare(VGIC, VGIC_AT_SAVE, VGIC_SIZE)).toBe(0);
    expect(memory.compare(VIRTIO_STATE, VIRTIO_AT_SAVE, VIRTIO_STATE_SIZE)).toBe(0);
    freshInstance();
    len = blobOf(CORE_AT_SAVE, 2, STATE_SIZE_V2, VGIC_AT_SAVE, 0);
    expect(stateRestore(COPY, len, stateVersionOf(2, VGIC_LAYOUT_VERSION))).toBe(0);
    expect(memory.compare(VGIC, VGIC_AT_SAVE, VGIC_SIZE)).toBe(0);
    expect(virtioIsReset()).toBe(true);
  });

  it("refuses the second variant's core layout (4): newer than this build's", () => {
    savedVm();
    freshInstance();
    snapshot();
    let len = blobOf(CORE_AT_SAVE, 4, STATE_SIZE_V3 + 24, VGIC_AT_SAVE, VIRTIO_AT_SAVE);
    refused(COPY, len, stateVersionOf(4, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION), STATE_ERR_VERSION);
    len = blobOf(CORE_AT_SAVE, 4, STATE_SIZE_V3 + 24, VGIC_AT_SAVE, 0);
    refused(COPY, len, stateVersionOf(4, VGIC_LAYOUT_VERSION), STATE_ERR_VERSION);
  });
});

describe("saved state: which versions", () => {
  it("says which state versions it restores", () => {
    expect(stateRestorable(V)).toBe(true);
    expect(stateRestorable(1)).toBe(true);
    expect(stateRestorable(2)).toBe(true);
    expect(stateRestorable(stateVersionOf(STATE_LAYOUT_VERSION, 0))).toBe(true);   // the vGIC and virtio from a reset
    expect(stateRestorable(V_TWO)).toBe(true);                                      // the virtio device from a reset
    expect(stateRestorable(stateVersionOf(STATE_LAYOUT_VERSION, 0, VIRTIO_LAYOUT_VERSION))).toBe(true);
    expect(stateRestorable(stateVersionOf(2, VGIC_LAYOUT_VERSION))).toBe(true);
    expect(stateRestorable(stateVersionOf(2, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION))).toBe(true);
    expect(stateRestorable(stateVersionOf(1, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION))).toBe(true);
    expect(stateRestorable(stateVersionOf(4, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION))).toBe(false);   // variant 2's
    expect(stateRestorable(stateVersionOf(4, VGIC_LAYOUT_VERSION))).toBe(false);
    expect(stateRestorable(stateVersionOf(5, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION))).toBe(false);
    expect(stateRestorable(stateVersionOf(STATE_LAYOUT_VERSION, 1, VIRTIO_LAYOUT_VERSION))).toBe(false);
    expect(stateRestorable(stateVersionOf(STATE_LAYOUT_VERSION, VGIC_LAYOUT_VERSION, 2))).toBe(false);
    expect(stateRestorable(stateVersionOf(0, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION))).toBe(false);   // no core
    expect(stateRestorable(stateVersionOf(STATE_LAYOUT_VERSION, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION, 1)))
      .toBe(false);                                                                 // a section it does not have
    expect(stateRestorable(0)).toBe(false);
    expect(stateRestorable(0xffffffff)).toBe(false);
    expect(wv_state_restorable(<i32>V)).toBe(1);
    expect(wv_state_restorable(0x0203)).toBe(1);
    expect(wv_state_restorable(0x010204)).toBe(0);
    expect(wv_state_restorable(0x0204)).toBe(0);
  });

  it("saves only in versions it writes", () => {
    freshVm();
    expect(stateSaveAs(SAVED, CAP, V)).toBe(stateSize());
    expect(stateSaveAs(SAVED, CAP, stateVersionOf(4, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION))).toBe(STATE_ERR_VERSION);
    expect(stateSaveAs(SAVED, CAP, stateVersionOf(2, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION))).toBe(STATE_ERR_VERSION);
    expect(stateSaveAs(SAVED, CAP, 2)).toBe(STATE_ERR_VERSION);
    expect(stateSaveAs(SAVED, CAP, 1)).toBe(STATE_ERR_VERSION);
    expect(stateSaveAs(SAVED, CAP, stateVersionOf(STATE_LAYOUT_VERSION, 0))).toBe(STATE_ERR_VERSION);
    // Every section is written: no blob without the virtio section (a module with two sections).
    expect(stateSaveAs(SAVED, CAP, V_TWO)).toBe(STATE_ERR_VERSION);
    expect(stateSaveAs(SAVED, CAP, stateVersionOf(STATE_LAYOUT_VERSION, VGIC_LAYOUT_VERSION, 2))).toBe(STATE_ERR_VERSION);
    expect(stateSaveAs(SAVED, CAP, stateVersionOf(STATE_LAYOUT_VERSION, VGIC_LAYOUT_VERSION, VIRTIO_LAYOUT_VERSION, 1)))
      .toBe(STATE_ERR_VERSION);
    expect(wv_save_as(<i32>SAVED, <i32>CAP, 0x010204)).toBe(STATE_ERR_VERSION);
    expect(wv_save_as(<i32>SAVED, <i32>CAP, 0x0203)).toBe(STATE_ERR_VERSION);
    expect(wv_save_as(<i32>SAVED, -1, <i32>V)).toBe(STATE_ERR_SPACE);
  });
});

describe("self check", () => {
  it("passes a restored instance and a fresh one", () => {
    const n = savedIntoFresh();
    expect(stateSelfCheck()).toBe(0);
    expect(stateRestore(SAVED, n, V)).toBe(0);
    expect(wv_self_check()).toBe(0);
  });

  it("finds live state out of range, in the core or the vGIC", () => {
    freshVm();
    store<u32>(STATE + MMIO_COUNT, 9);
    expect(wv_self_check()).toBe(STATE_ERR_CONTENT);
    freshVm();
    store<u32>(VGIC + VG_VCPUS, 3);
    expect(wv_self_check()).toBe(STATE_ERR_CONTENT);
    freshVm();
    expect(wv_self_check()).toBe(0);
  });

  it("finds a live virtio device out of range, or with a ready queue outside the VM's RAM", () => {
    savedVm();
    expect(wv_self_check()).toBe(0);
    store<u32>(VIRTIO_STATE + VT_INT_STATUS, 8);
    expect(wv_self_check()).toBe(STATE_ERR_CONTENT);
    savedVm();
    store<u64>(VIRTIO_STATE + TX + Q_DRIVER, 0x20000000);
    expect(wv_self_check()).toBe(STATE_ERR_CONTENT);
    savedVm();
    expect(wv_self_check()).toBe(0);
  });
});
