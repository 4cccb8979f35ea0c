// The receive side of the emulated PL011 (docs/abi.md section 3, "Emulated devices"):
// a 16-entry receive FIFO per MMIO slot in the state block, the receive interrupt
// status, and the device's interrupt line. Bytes come from the runtime
// (wv_console_input, core/console_input.ts); the guest takes them through UARTDR.
// Register and bit rules: PrimeCell UART (PL011) Technical Reference Manual, ARM DDI 0183.

import { STATE, PL011_OFF, PL011_RECORD, PL011_RX_OFF, PL011_RX_RECORD, PL011_RX_HEAD, PL011_RX_COUNT,
  PL011_RX_RIS, PL011_RX_BYTES, PL011_RX_DEPTH } from "../core/layout";
import { mmioIrq } from "./mmio";
import { vgicSetLine } from "../arch/vgic";

/** UARTIMSC (0x038), the one register of the kept block the line depends on. */
const UARTIMSC_OFF: usize = 0x038;

// UARTRIS / UARTMIS / UARTIMSC / UARTICR bits (DDI 0183, the register descriptions).
/** RTRIS [6]: receive timeout. */
export const INT_RT: u32 = 1 << 6;
/** TXRIS [5]: the transmit FIFO is at or below its trigger level. */
export const INT_TX: u32 = 1 << 5;
/** RXRIS [4]: the receive FIFO reached its trigger level. */
export const INT_RX: u32 = 1 << 4;
/** The receive bits this model latches. */
export const INT_RX_BITS: u32 = INT_RX | INT_RT;

// UARTFR bits (DDI 0183, "Flag Register, UARTFR").
/** TXFE [7]: transmit FIFO empty. */
export const UARTFR_TXFE: u32 = 1 << 7;
/** RXFF [6]: receive FIFO full. */
export const UARTFR_RXFF: u32 = 1 << 6;
/** RXFE [4]: receive FIFO empty. */
export const UARTFR_RXFE: u32 = 1 << 4;

@inline function rx(slot: i32): usize {
  return STATE + PL011_RX_OFF + <usize>slot * PL011_RX_RECORD;
}

/** Bytes in the receive FIFO of `slot`. */
export function rxCount(slot: i32): u32 {
  return load<u32>(rx(slot) + PL011_RX_COUNT);
}

/** Empty the receive FIFO and its interrupt status (reset). The line is the vGIC's to reset. */
export function rxReset(slot: i32): void {
  memory.fill(rx(slot), 0, PL011_RX_RECORD);
}

/**
 * UARTRIS. The transmit FIFO is never full and is emptied at once, so TXRIS is always
 * set (UARTTXINTR is asserted while the FIFO is at or below its trigger level); Linux's
 * amba-pl011 driver only enables TXIM while it has characters left to write. RXRIS and
 * RTRIS are set when a byte arrives and stay set until UARTICR clears them or the FIFO
 * empties (reading the data until it is empty clears both: UARTRXINTR, UARTRTINTR).
 */
export function rxRis(slot: i32): u32 {
  return INT_TX | load<u32>(rx(slot) + PL011_RX_RIS);
}

/** UARTMIS = UARTRIS & UARTIMSC ("Masked Interrupt Status Register, UARTMIS"). */
export function rxMis(slot: i32): u32 {
  const imsc = load<u32>(STATE + PL011_OFF + <usize>slot * PL011_RECORD + UARTIMSC_OFF);
  return rxRis(slot) & imsc;
}

/** The UARTFR bits of the FIFOs: TXFE always; RXFE when empty, RXFF when full. */
export function rxFlags(slot: i32): u32 {
  const n = rxCount(slot);
  return UARTFR_TXFE | (n == 0 ? UARTFR_RXFE : 0) | (n >= PL011_RX_DEPTH ? UARTFR_RXFF : 0);
}

/**
 * Drive the device's interrupt (its config `irq`; none when 0) from UARTMIS: the PL011's
 * UARTINTR is the OR of the masked interrupts (DDI 0183, "UARTINTR"), a level the vGIC samples. An SPI
 * goes to the vCPU its route names (vgicSetLine picks; the vCPU argument is for banked
 * INTIDs only).
 */
export function rxUpdateLine(slot: i32): void {
  const irq = mmioIrq(slot);
  if (irq == 0) return;
  vgicSetLine(0, irq, rxMis(slot) != 0);
}

/** Append `b` to the FIFO: false when it is full (the byte is not taken). */
export function rxPush(slot: i32, b: u8): bool {
  const r = rx(slot);
  const n = load<u32>(r + PL011_RX_COUNT);
  if (n >= PL011_RX_DEPTH) return false;
  const head = load<u32>(r + PL011_RX_HEAD);
  store<u8>(r + PL011_RX_BYTES + <usize>((head + n) % PL011_RX_DEPTH), b);
  store<u32>(r + PL011_RX_COUNT, n + 1);
  store<u32>(r + PL011_RX_RIS, load<u32>(r + PL011_RX_RIS) | INT_RX_BITS);
  return true;
}

/**
 * Take the oldest byte (a UARTDR read): the data in bits [7:0], no error flags in
 * [11:8] ("Data Register, UARTDR"). An empty FIFO reads 0. When the FIFO empties, the receive
 * interrupts clear.
 */
export function rxPop(slot: i32): u32 {
  const r = rx(slot);
  const n = load<u32>(r + PL011_RX_COUNT);
  if (n == 0) return 0;
  const head = load<u32>(r + PL011_RX_HEAD);
  const b = <u32>load<u8>(r + PL011_RX_BYTES + <usize>head);
  store<u32>(r + PL011_RX_HEAD, (head + 1) % PL011_RX_DEPTH);
  store<u32>(r + PL011_RX_COUNT, n - 1);
  if (n == 1) store<u32>(r + PL011_RX_RIS, 0);
  return b;
}

/** A UARTICR write: clear the latched receive interrupts of `bits` (TXRIS stays: see rxRis). */
export function rxClear(slot: i32, bits: u32): void {
  const a = rx(slot) + PL011_RX_RIS;
  store<u32>(a, load<u32>(a) & ~(bits & INT_RX_BITS));
}

/** Is the FIFO record of `slot` in a saved state consistent (core/state.ts)? */
export function rxRecordValid(p: usize): bool {
  return load<u32>(p + PL011_RX_HEAD) < PL011_RX_DEPTH && load<u32>(p + PL011_RX_COUNT) <= PL011_RX_DEPTH
    && (load<u32>(p + PL011_RX_RIS) & ~INT_RX_BITS) == 0;
}
