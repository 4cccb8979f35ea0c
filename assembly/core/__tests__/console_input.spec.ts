// wv_console_input (docs/abi.md section 2): bytes typed on the physical console while the
// VM has the focus. The call comes from outside any exit: it fills the PL011's receive
// FIFO, and its interrupt only becomes pending (no list register is touched) and kicks
// the vCPU the SPI is routed to, whose next exit fills the list registers.

import { wv_console_input } from "../../index";
import { INPUT_TAKEN, INPUT_FULL, INPUT_BAD_BYTE, INPUT_NO_CONSOLE } from "../console_input";
import { STATE, VM_DEVICE_COUNT, MMIO_COUNT } from "../layout";
import { vmStop } from "../vm";
import { freshVm } from "../../__tests__/setup";
import { freshGicVm, gicdW, mmioLoad, mmioStore, irqExit, guestAck, guestEoi, lrFind, lrIntid, lrIsPending,
  UART, UART_SPI } from "../../__tests__/gic";
import { fakeReset, kickCount, kickVcpu, lrWrites, lrReads, statusCalls, setKickResult } from "../../__tests__/fake";
import { pl011Read, UARTDR } from "../../devices/pl011";
import { getBit } from "../../arch/vgic_common";
import { P_LINE } from "../../arch/vgic_layout";

const GICD_CTLR: u64 = 0x0000, GICD_ISENABLER: u64 = 0x0100, GICD_IROUTER: u64 = 0x6000;
const GROUP1: u64 = 2;
const UARTIMSC: u64 = 0x038, UARTMIS: u64 = 0x040;
const RXIM: u64 = 1 << 4, RTIM: u64 = 1 << 6;
const KICK_SGI: u32 = 8, MAINTENANCE: u32 = 25;

/** A 2-vCPU VM whose guest has turned on Group 1, the UART's SPI and UARTIMSC.RXIM/RTIM (as Linux does). */
function guestListening(route: u64 = 0): void {
  expect(freshGicVm(2)).toBe(0);
  gicdW(GICD_CTLR, GROUP1);
  gicdW(GICD_IROUTER + 8 * <u64>UART_SPI, route, 8);
  gicdW(GICD_ISENABLER + 4, 1 << (UART_SPI - 32));
  mmioStore(0, UART + UARTIMSC, 4, RXIM | RTIM);
  fakeReset();
}

describe("wv_console_input", () => {
  it("puts the byte into the console PL011's FIFO, where UARTDR reads it", () => {
    expect(freshVm()).toBe(0);
    expect(wv_console_input(0x68)).toBe(INPUT_TAKEN);
    expect(wv_console_input(0x0d)).toBe(INPUT_TAKEN);
    expect(pl011Read(0, UARTDR)).toBe(0x68);
    expect(pl011Read(0, UARTDR)).toBe(0x0d);
  });

  it("answers FULL once 16 bytes wait, and takes bytes again after the guest read one", () => {
    expect(freshVm()).toBe(0);
    for (let i = 0; i < 16; i++) expect(wv_console_input(0x30 + i)).toBe(INPUT_TAKEN);
    expect(wv_console_input(0x7a)).toBe(INPUT_FULL);
    expect(pl011Read(0, UARTDR)).toBe(0x30);
    expect(wv_console_input(0x7a)).toBe(INPUT_TAKEN);
  });

  it("refuses what is not a byte", () => {
    expect(freshVm()).toBe(0);
    expect(wv_console_input(0x100)).toBe(INPUT_BAD_BYTE);
    expect(wv_console_input(-1)).toBe(INPUT_BAD_BYTE);
    expect(pl011Read(0, UARTDR)).toBe(0);
  });

  it("has nobody to give input to in a stopped VM, an empty instance, or a VM without a PL011", () => {
    expect(freshVm()).toBe(0);
    vmStop();
    expect(wv_console_input(0x41)).toBe(INPUT_NO_CONSOLE);
    expect(freshVm()).toBe(0);
    store<u32>(STATE + MMIO_COUNT, 0);
    store<u32>(STATE + VM_DEVICE_COUNT, 0);
    expect(wv_console_input(0x41)).toBe(INPUT_NO_CONSOLE);
  });

  it("makes the UART's SPI pending and kicks its vCPU without touching a list register", () => {
    guestListening();
    expect(wv_console_input(0x41)).toBe(INPUT_TAKEN);
    expect(getBit(P_LINE, 0, UART_SPI)).toBe(true);
    expect(lrWrites()).toBe(0);
    expect(lrReads()).toBe(0);
    expect(statusCalls()).toBe(0);
    expect(kickCount()).toBe(1);
    expect(kickVcpu(0)).toBe(0);
    // More input before the vCPU exits: no second kick.
    expect(wv_console_input(0x42)).toBe(INPUT_TAKEN);
    expect(kickCount()).toBe(1);
  });

  it("is delivered at the kicked vCPU's next exit and goes away when the guest has read the FIFO", () => {
    guestListening();
    expect(wv_console_input(0x41)).toBe(INPUT_TAKEN);
    irqExit(0, KICK_SGI);
    const lr = lrFind(UART_SPI);
    expect(lr).toBeGreaterThanOrEqual(0);
    expect(lrIsPending(lr)).toBe(true);
    guestAck(lr);
    expect(mmioLoad(0, UART + UARTMIS, 4)).toBe(RXIM | RTIM);
    expect(mmioLoad(0, UART, 4)).toBe(0x41);
    expect(mmioLoad(0, UART + UARTMIS, 4)).toBe(0);
    expect(getBit(P_LINE, 0, UART_SPI)).toBe(false);
    guestEoi(lr);
    irqExit(0, MAINTENANCE);
    expect(lrFind(UART_SPI)).toBe(-1);
    // The next byte kicks again: the vCPU synced meanwhile.
    fakeReset();
    expect(wv_console_input(0x42)).toBe(INPUT_TAKEN);
    expect(kickCount()).toBe(1);
  });

  it("kicks the vCPU the guest routed the SPI to", () => {
    guestListening(1);
    expect(wv_console_input(0x41)).toBe(INPUT_TAKEN);
    expect(kickCount()).toBe(1);
    expect(kickVcpu(0)).toBe(1);
    irqExit(1, KICK_SGI);
    expect(lrIntid(lrFind(UART_SPI))).toBe(UART_SPI);
  });

  it("kicks nobody while the guest keeps the receive interrupts masked", () => {
    guestListening();
    mmioStore(0, UART + UARTIMSC, 4, 0);
    fakeReset();
    expect(wv_console_input(0x41)).toBe(INPUT_TAKEN);
    expect(kickCount()).toBe(0);
    expect(getBit(P_LINE, 0, UART_SPI)).toBe(false);
  });

  it("kicks again after a refused kick", () => {
    guestListening();
    setKickResult(-5);
    expect(wv_console_input(0x41)).toBe(INPUT_TAKEN);
    mmioLoad(0, UART, 4);                 // the guest read it (an exit of vCPU 0 all the same)
    setKickResult(0);
    fakeReset();
    expect(wv_console_input(0x42)).toBe(INPUT_TAKEN);
    expect(kickCount()).toBe(1);
  });
});
