// The emulated PL011's receive side (devices/pl011_rx.ts, docs/abi.md section 3): the
// 16-byte FIFO, UARTFR, UARTDR reads, UARTRIS/UARTMIS/UARTICR, and the interrupt line,
// which follows UARTMIS.

import { pl011Read, pl011Write, pl011Reset, UARTDR, UARTFR, UARTIMSC, UARTRIS, UARTMIS, UARTICR } from "../pl011";
import { rxPush, rxCount } from "../pl011_rx";
import { freshVm } from "../../__tests__/setup";
import { getBit } from "../../arch/vgic_common";
import { P_LINE } from "../../arch/vgic_layout";

const TXFE: u32 = 0x80, RXFF: u32 = 0x40, RXFE: u32 = 0x10;
const RTIS: u32 = 0x40, TXIS: u32 = 0x20, RXIS: u32 = 0x10;
const DEPTH: i32 = 16;
const UART_SPI: u32 = 33;   // the PL011's irq in the standard blob (__tests__/blob.ts)

function line(): bool {
  return getBit(P_LINE, 0, UART_SPI);
}

function imsc(bits: u32): void {
  pl011Write(0, UARTIMSC, bits, 0xffffffff);
}

describe("PL011 receive FIFO", () => {
  it("reads UARTDR in the order the bytes came, then 0 when empty", () => {
    expect(freshVm()).toBe(0);
    expect(rxPush(0, 0x61)).toBe(true);
    expect(rxPush(0, 0x62)).toBe(true);
    expect(pl011Read(0, UARTDR)).toBe(0x61);
    expect(pl011Read(0, UARTDR)).toBe(0x62);
    expect(pl011Read(0, UARTDR)).toBe(0);
    expect(rxCount(0)).toBe(0);
  });

  it("holds 16 bytes and refuses the 17th, wrapping around its ring", () => {
    expect(freshVm()).toBe(0);
    for (let i = 0; i < 5; i++) { rxPush(0, <u8>i); pl011Read(0, UARTDR); }   // move the head
    for (let i = 0; i < DEPTH; i++) expect(rxPush(0, <u8>(0x30 + i))).toBe(true);
    expect(rxPush(0, 0x7a)).toBe(false);
    for (let i = 0; i < DEPTH; i++) expect(pl011Read(0, UARTDR)).toBe(<u32>(0x30 + i));
    expect(rxCount(0)).toBe(0);
  });

  it("reports empty and full in UARTFR, never busy or transmit full", () => {
    expect(freshVm()).toBe(0);
    expect(pl011Read(0, UARTFR)).toBe(TXFE | RXFE);
    rxPush(0, 0x41);
    expect(pl011Read(0, UARTFR)).toBe(TXFE);
    for (let i = 1; i < DEPTH; i++) rxPush(0, 0x41);
    expect(pl011Read(0, UARTFR)).toBe(TXFE | RXFF);
    pl011Read(0, UARTDR);
    expect(pl011Read(0, UARTFR)).toBe(TXFE);
  });

  it("empties on reset", () => {
    expect(freshVm()).toBe(0);
    rxPush(0, 0x41);
    pl011Reset(0);
    expect(rxCount(0)).toBe(0);
    expect(pl011Read(0, UARTRIS)).toBe(TXIS);
  });

  it("keeps each PL011's FIFO apart", () => {
    expect(freshVm()).toBe(0);
    rxPush(1, 0x42);
    expect(rxCount(0)).toBe(0);
    expect(pl011Read(0, UARTDR)).toBe(0);
    expect(rxCount(1)).toBe(1);
  });
});

describe("PL011 interrupt status", () => {
  it("raises RXRIS and RTRIS when a byte arrives and clears them when the FIFO empties", () => {
    expect(freshVm()).toBe(0);
    expect(pl011Read(0, UARTRIS)).toBe(TXIS);
    rxPush(0, 0x41);
    rxPush(0, 0x42);
    expect(pl011Read(0, UARTRIS)).toBe(TXIS | RXIS | RTIS);
    pl011Read(0, UARTDR);
    expect(pl011Read(0, UARTRIS)).toBe(TXIS | RXIS | RTIS);
    pl011Read(0, UARTDR);
    expect(pl011Read(0, UARTRIS)).toBe(TXIS);
  });

  it("masks UARTMIS with UARTIMSC", () => {
    expect(freshVm()).toBe(0);
    rxPush(0, 0x41);
    expect(pl011Read(0, UARTMIS)).toBe(0);
    imsc(RXIS);
    expect(pl011Read(0, UARTMIS)).toBe(RXIS);
    imsc(RXIS | RTIS | TXIS);
    expect(pl011Read(0, UARTMIS)).toBe(RXIS | RTIS | TXIS);
  });

  it("clears latched receive interrupts through UARTICR, but not TXRIS, and reads UARTICR as 0", () => {
    expect(freshVm()).toBe(0);
    rxPush(0, 0x41);
    pl011Write(0, UARTICR, RXIS, 0xffffffff);
    expect(pl011Read(0, UARTRIS)).toBe(TXIS | RTIS);
    pl011Write(0, UARTICR, 0x7ff, 0xffffffff);
    expect(pl011Read(0, UARTRIS)).toBe(TXIS);
    expect(pl011Read(0, UARTICR)).toBe(0);
    expect(rxCount(0)).toBe(1);              // the data stays
    rxPush(0, 0x42);                         // a new byte raises them again
    expect(pl011Read(0, UARTRIS)).toBe(TXIS | RXIS | RTIS);
  });

  it("ignores writes to UARTRIS and UARTMIS", () => {
    expect(freshVm()).toBe(0);
    pl011Write(0, UARTRIS, 0x7ff, 0xffffffff);
    pl011Write(0, UARTMIS, 0x7ff, 0xffffffff);
    expect(pl011Read(0, UARTRIS)).toBe(TXIS);
    expect(pl011Read(0, UARTMIS)).toBe(0);
  });
});

describe("PL011 interrupt line", () => {
  it("follows UARTMIS for received data", () => {
    expect(freshVm()).toBe(0);
    imsc(RXIS | RTIS);
    expect(line()).toBe(false);
    rxPush(0, 0x41);
    pl011Write(0, UARTIMSC, RXIS | RTIS, 0xffffffff);   // the line is sampled at register accesses too
    expect(line()).toBe(true);
    pl011Read(0, UARTDR);
    expect(line()).toBe(false);
  });

  it("goes high at once when the transmit interrupt is unmasked (the FIFO is always empty) and low when masked", () => {
    expect(freshVm()).toBe(0);
    imsc(TXIS);
    expect(line()).toBe(true);
    imsc(0);
    expect(line()).toBe(false);
  });

  it("drops when UARTICR clears the receive interrupts, and rises with the next byte", () => {
    expect(freshVm()).toBe(0);
    imsc(RXIS | RTIS);
    rxPush(0, 0x41);
    imsc(RXIS | RTIS);
    expect(line()).toBe(true);
    pl011Write(0, UARTICR, RXIS | RTIS, 0xffffffff);
    expect(line()).toBe(false);
  });
});
