import { stateSize, stateSave, stateRestore, stateCheck, STATE_BLOB_SIZE, STATE_HEADER_SIZE,
  STATE_H_VERSION, STATE_H_LENGTH, STATE_H_MAGIC, STATE_H_CHECKSUM, STATE_ERR_SPACE, STATE_ERR_MAGIC,
  STATE_ERR_VERSION, STATE_ERR_LENGTH, STATE_ERR_CHECKSUM, STATE_ERR_CONTENT, STATE_ERR_BUSY,
  STATE_ERR_RANGE, checksum } from "../state";
import { STATE, STATE_SIZE, MMIO_COUNT, CONSOLE_LEN, S2_TABLE_COUNT, VM_NAME, STATE_LAYOUT_VERSION, STATE_SIZE_V1,
  PL011_RX_OFF, PL011_RX_COUNT, PL011_RX_HEAD } from "../layout";
import { consoleInput } from "../console_input";
import { vmResetState, vmState, VM_RUNNING, VM_EMPTY } from "../vm";
import { handleExit, exitCount, EXIT_CLASS_HVC } from "../../arch/exits";
import { s2ChildOf } from "../../arch/stage2";
import { mmioFind } from "../../devices/mmio";
import { pl011Write, pl011Read, UARTCR, UARTDR, UARTFR } from "../../devices/pl011";
import { consolePending } from "../console";
import { freshVm } from "../../__tests__/setup";
import { exitWith, hvcEsr, setReg } from "../../__tests__/exit";
import { lastConsole } from "../../__tests__/fake";
import { wv_save, wv_restore, wv_state_size } from "../../index";

const V: u32 = STATE_LAYOUT_VERSION;
const SAVE_CAP: usize = 16384;
const SAVED: usize = memory.data(<i32>SAVE_CAP, 8);
const COPY: usize = memory.data(<i32>SAVE_CAP, 8);

/** A running VM with some history, saved into SAVED. */
function savedVm(): i32 {
  freshVm();
  exitWith(hvcEsr(0));
  setReg(0, 0xc6000000);
  handleExit(0);
  pl011Write(0, UARTCR, 0x301, 0xffffffff);
  pl011Write(0, UARTDR, 0x6f, 0xff);
  pl011Write(0, UARTDR, 0x6b, 0xff);
  return stateSave(SAVED, SAVE_CAP);
}

/** Re-seal a modified saved blob with a matching checksum. */
function reseal(p: usize): void {
  store<u32>(p + STATE_H_CHECKSUM, checksum(p + STATE_HEADER_SIZE, STATE_SIZE));
}

describe("state save and restore", () => {
  it("saves header and payload in wv_state_size bytes", () => {
    expect(savedVm()).toBe(<i32>STATE_BLOB_SIZE);
    expect(stateSize()).toBe(<i32>STATE_BLOB_SIZE);
    expect(wv_state_size()).toBe(<i32>STATE_BLOB_SIZE);
    expect(load<u32>(SAVED + STATE_H_MAGIC)).toBe(0x54535657);
    expect(load<u32>(SAVED + STATE_H_VERSION)).toBe(V);
    expect(load<u32>(SAVED + STATE_H_LENGTH)).toBe(<u32>STATE_BLOB_SIZE);
  });

  it("restores a VM that carries on where it was saved", () => {
    savedVm();
    vmResetState();
    expect(vmState()).toBe(VM_EMPTY);
    expect(stateRestore(SAVED, STATE_BLOB_SIZE, V)).toBe(0);
    expect(vmState()).toBe(VM_RUNNING);
    expect(exitCount(0, EXIT_CLASS_HVC)).toBe(1);
    expect(mmioFind(0x09000000)).toBe(0);
    expect(pl011Read(0, UARTCR)).toBe(0x301);
    expect(consolePending()).toBe(2);
    expect(s2ChildOf(0, 1)).toBe(1);
    pl011Write(0, UARTDR, 0x0a, 0xff);
    expect(lastConsole()).toBe("[linux] ok\n");
  });

  it("round-trips through the module exports", () => {
    savedVm();
    vmResetState();
    expect(wv_restore(<i32>SAVED, <i32>STATE_BLOB_SIZE, V)).toBe(0);
    expect(wv_save(<i32>COPY, <i32>SAVE_CAP)).toBe(<i32>STATE_BLOB_SIZE);
    expect(memory.compare(SAVED, COPY, STATE_BLOB_SIZE)).toBe(0);
  });

  it("refuses to save into a buffer too small", () => {
    freshVm();
    expect(stateSave(SAVED, STATE_BLOB_SIZE - 1)).toBe(STATE_ERR_SPACE);
  });
});

describe("state restore refusals", () => {
  it("refuses a truncated blob", () => {
    savedVm();
    vmResetState();
    expect(stateRestore(SAVED, STATE_BLOB_SIZE - 1, V)).toBe(STATE_ERR_SPACE);
    expect(stateRestore(SAVED, 8, V)).toBe(STATE_ERR_SPACE);
    expect(vmState()).toBe(VM_EMPTY);
  });

  it("refuses a bad magic", () => {
    savedVm();
    vmResetState();
    store<u32>(SAVED + STATE_H_MAGIC, 0);
    expect(stateRestore(SAVED, STATE_BLOB_SIZE, V)).toBe(STATE_ERR_MAGIC);
  });

  it("refuses a version it does not know, or one other than claimed", () => {
    savedVm();
    vmResetState();
    expect(stateRestore(SAVED, STATE_BLOB_SIZE, V + 1)).toBe(STATE_ERR_VERSION);
    expect(stateRestore(SAVED, STATE_BLOB_SIZE, 1)).toBe(STATE_ERR_VERSION);
    store<u32>(SAVED + STATE_H_VERSION, V + 1);
    expect(stateRestore(SAVED, STATE_BLOB_SIZE, V + 1)).toBe(STATE_ERR_VERSION);
  });

  it("refuses a header length that disagrees with the layout", () => {
    savedVm();
    vmResetState();
    store<u32>(SAVED + STATE_H_LENGTH, 100);
    expect(stateRestore(SAVED, STATE_BLOB_SIZE, V)).toBe(STATE_ERR_LENGTH);
  });

  it("refuses a corrupted payload by its checksum", () => {
    savedVm();
    vmResetState();
    store<u8>(SAVED + STATE_HEADER_SIZE + 200, load<u8>(SAVED + STATE_HEADER_SIZE + 200) ^ 1);
    expect(stateRestore(SAVED, STATE_BLOB_SIZE, V)).toBe(STATE_ERR_CHECKSUM);
    expect(vmState()).toBe(VM_EMPTY);
  });

  it("refuses counts out of range even with a valid checksum", () => {
    savedVm();
    vmResetState();
    store<u32>(SAVED + STATE_HEADER_SIZE + MMIO_COUNT, 9);
    reseal(SAVED);
    expect(stateRestore(SAVED, STATE_BLOB_SIZE, V)).toBe(STATE_ERR_CONTENT);
    savedVm();
    vmResetState();
    store<u32>(SAVED + STATE_HEADER_SIZE + CONSOLE_LEN, 120);
    reseal(SAVED);
    expect(stateCheck(SAVED, STATE_BLOB_SIZE, V)).toBe(STATE_ERR_CONTENT);
    savedVm();
    vmResetState();
    store<u32>(SAVED + STATE_HEADER_SIZE + S2_TABLE_COUNT, 600);
    reseal(SAVED);
    expect(stateCheck(SAVED, STATE_BLOB_SIZE, V)).toBe(STATE_ERR_CONTENT);
  });

  it("refuses a running VM's name that is not a valid name", () => {
    savedVm();
    vmResetState();
    store<u8>(SAVED + STATE_HEADER_SIZE + VM_NAME, 0x41);
    reseal(SAVED);
    expect(stateRestore(SAVED, STATE_BLOB_SIZE, V)).toBe(STATE_ERR_CONTENT);
  });

  it("refuses a blob outside Wasm memory", () => {
    vmResetState();
    expect(stateRestore(<usize>(memory.size() << 16) - 16, STATE_BLOB_SIZE, V)).toBe(STATE_ERR_RANGE);
  });

  it("refuses to restore over a VM already running", () => {
    savedVm();
    expect(stateRestore(SAVED, STATE_BLOB_SIZE, V)).toBe(STATE_ERR_BUSY);
  });
});

describe("state of the PL011 receive FIFO", () => {
  it("carries bytes received but not yet read across save and restore", () => {
    savedVm();
    expect(consoleInput(0x68)).toBe(0);
    expect(consoleInput(0x69)).toBe(0);
    expect(stateSave(SAVED, SAVE_CAP)).toBe(<i32>STATE_BLOB_SIZE);
    vmResetState();
    expect(stateRestore(SAVED, STATE_BLOB_SIZE, V)).toBe(0);
    expect(pl011Read(0, UARTDR)).toBe(0x68);
    expect(pl011Read(0, UARTDR)).toBe(0x69);
    expect(pl011Read(0, UARTFR) & 0x10).toBe(0x10);
  });

  it("restores a version 1 blob (no receive FIFOs) with the FIFOs empty", () => {
    savedVm();
    // A version 1 blob: the payload up to the FIFOs, sealed as version 1.
    store<u32>(SAVED + STATE_H_VERSION, 1);
    store<u32>(SAVED + STATE_H_LENGTH, <u32>(STATE_HEADER_SIZE + STATE_SIZE_V1));
    store<u32>(SAVED + STATE_H_CHECKSUM, checksum(SAVED + STATE_HEADER_SIZE, STATE_SIZE_V1));
    vmResetState();
    store<u32>(STATE + PL011_RX_OFF + PL011_RX_COUNT, 3);   // leftovers a restore must not keep
    expect(stateRestore(SAVED, STATE_HEADER_SIZE + STATE_SIZE_V1, V)).toBe(STATE_ERR_VERSION);
    expect(stateRestore(SAVED, STATE_HEADER_SIZE + STATE_SIZE_V1, 1)).toBe(0);
    expect(vmState()).toBe(VM_RUNNING);
    expect(pl011Read(0, UARTCR)).toBe(0x301);
    expect(load<u32>(STATE + PL011_RX_OFF + PL011_RX_COUNT)).toBe(0);
    expect(pl011Read(0, UARTFR)).toBe(0x90);
    expect(consoleInput(0x7a)).toBe(0);
    expect(pl011Read(0, UARTDR)).toBe(0x7a);
  });

  it("refuses a FIFO count past its 16 entries or a head outside it", () => {
    savedVm();
    vmResetState();
    store<u32>(SAVED + STATE_HEADER_SIZE + PL011_RX_OFF + PL011_RX_COUNT, 17);
    reseal(SAVED);
    expect(stateCheck(SAVED, STATE_BLOB_SIZE, V)).toBe(STATE_ERR_CONTENT);
    savedVm();
    vmResetState();
    store<u32>(SAVED + STATE_HEADER_SIZE + PL011_RX_OFF + PL011_RX_HEAD, 16);
    reseal(SAVED);
    expect(stateCheck(SAVED, STATE_BLOB_SIZE, V)).toBe(STATE_ERR_CONTENT);
  });
});
