// The emulated PL011 UART (docs/abi.md section 3, "Emulated devices"); register
// offsets from the PrimeCell UART (PL011) Technical Reference Manual (ARM DDI 0183),
// "Summary of registers". UARTDR writes go to the VM's console line; UARTDR reads
// take bytes from the receive FIFO, which the runtime fills with console input
// (devices/pl011_rx.ts: the FIFO, the interrupt status and the interrupt line).

import { STATE, PL011_OFF, PL011_RECORD, PL011_REG_WORDS } from "../core/layout";
import { consolePutc } from "../core/console";
import { rxReset, rxFlags, rxRis, rxMis, rxPop, rxClear, rxUpdateLine, UARTFR_TXFE, UARTFR_RXFE } from "./pl011_rx";

export const UARTDR: u32 = 0x000;
export const UARTRSR: u32 = 0x004;
export const UARTFR: u32 = 0x018;
export const UARTIBRD: u32 = 0x024;
export const UARTFBRD: u32 = 0x028;
export const UARTLCR_H: u32 = 0x02c;
export const UARTCR: u32 = 0x030;
export const UARTIMSC: u32 = 0x038;
export const UARTRIS: u32 = 0x03c;
export const UARTMIS: u32 = 0x040;
export const UARTICR: u32 = 0x044;
export const UARTPERIPHID0: u32 = 0xfe0;

export { UARTFR_TXFE, UARTFR_RXFE, UARTFR_RXFF } from "./pl011_rx";

/** UARTFR with nothing received: TXFE [7] and RXFE [4]; BUSY and TXFF are never set. */
export const UARTFR_VALUE: u32 = UARTFR_TXFE | UARTFR_RXFE;

const DATA_MASK: u32 = 0xff;

// UARTPeriphID0..3 and UARTPCellID0..3 (0xFE0..0xFFC, PL011 TRM identification registers):
// part number 0x011, designer 0x41 (ARM), revision 1; the PrimeCell ID 0xB105F00D.
// Guests (the Linux AMBA bus) read these to identify the device.
const ID_BASE: u32 = 0xfe0;
const ID_WORDS: u32 = 8;
const ID_VALUES: u64 = 0xb105f00d00141011;  // one byte per ID register, ID0 in the low byte

@inline function regAddr(slot: i32, reg: u32): usize {
  return STATE + PL011_OFF + <usize>slot * PL011_RECORD + <usize>reg;
}

/** Registers back to reset: every kept register 0, the receive FIFO empty. */
export function pl011Reset(slot: i32): void {
  memory.fill(regAddr(slot, 0), 0, PL011_RECORD);
  rxReset(slot);
}

function kept(reg: u32): bool {
  return reg < <u32>PL011_REG_WORDS * 4;
}

/** Read the 32-bit register at `reg` (word aligned). */
export function pl011Read(slot: i32, reg: u32): u32 {
  if (reg == UARTDR) {
    const b = rxPop(slot);
    rxUpdateLine(slot);
    return b;
  }
  if (reg == UARTFR) return rxFlags(slot);
  if (reg == UARTRIS) return rxRis(slot);
  if (reg == UARTMIS) return rxMis(slot);
  if (reg == UARTICR) return 0;   // write-only
  if (reg >= ID_BASE && reg < ID_BASE + ID_WORDS * 4) {
    return <u32>((ID_VALUES >> ((<u64>(reg - ID_BASE) >> 2) << 3)) & 0xff);
  }
  if (kept(reg)) return load<u32>(regAddr(slot, reg));
  return 0;
}

/** Write the bytes of `value` selected by `mask` to the register at `reg` (word aligned). */
export function pl011Write(slot: i32, reg: u32, value: u32, mask: u32): void {
  if (reg == UARTDR) {
    if ((mask & DATA_MASK) != 0) consolePutc(<u8>(value & DATA_MASK));
    return;
  }
  if (reg == UARTICR) {
    rxClear(slot, value & mask);
    rxUpdateLine(slot);
    return;
  }
  if (reg == UARTFR || reg == UARTRIS || reg == UARTMIS || !kept(reg)) return;   // read-only
  const a = regAddr(slot, reg);
  store<u32>(a, (load<u32>(a) & ~mask) | (value & mask));
  if (reg == UARTIMSC) rxUpdateLine(slot);
}
