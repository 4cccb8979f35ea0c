// The VM's console: bytes from the emulated PL011 (UARTDR) and WV_HC_PUTC are
// collected into a line, printed as "[name] line" on '\n' or when the line holds
// CONSOLE_LINE_MAX bytes (docs/abi.md section 3, "Emulated devices").

import { wv_console_write } from "../abi/imports";
import { STATE, CONSOLE_LEN, CONSOLE_BYTES, CONSOLE_LINE_MAX, VM_NAME, VM_NAME_LEN } from "./layout";

const CHAR_NL: u8 = 0x0a;
const CHAR_CR: u8 = 0x0d;
const CHAR_SPACE: u8 = 0x20;
const CHAR_LBRACKET: u8 = 0x5b;
const CHAR_RBRACKET: u8 = 0x5d;

// "[" + name (<= 15) + "] " + line + "\n"
const OUT_CAP: usize = 1 + 16 + 2 + <usize>CONSOLE_LINE_MAX + 1;
const OUT_BUF: usize = memory.data(<i32>OUT_CAP);

/** Bytes waiting for the end of their line. */
export function consolePending(): u32 {
  return load<u32>(STATE + CONSOLE_LEN);
}

/** Print the pending line (if any) with the VM prefix and empty the buffer. */
export function consoleFlush(): void {
  const len = load<u32>(STATE + CONSOLE_LEN);
  if (len == 0) return;
  emitLine(len);
}

/** Add one byte from the guest; '\r' is dropped, '\n' ends the line. */
export function consolePutc(b: u8): void {
  if (b == CHAR_CR) return;
  const len = load<u32>(STATE + CONSOLE_LEN);
  if (b == CHAR_NL) {
    emitLine(len);
    return;
  }
  store<u8>(STATE + CONSOLE_BYTES + <usize>len, b);
  if (len + 1 >= CONSOLE_LINE_MAX) emitLine(len + 1);
  else store<u32>(STATE + CONSOLE_LEN, len + 1);
}

/** Write "[name] <len pending bytes>\n" ("[name]\n" for an empty line), then empty the buffer. */
function emitLine(len: u32): void {
  const nameLen = <usize>load<u32>(STATE + VM_NAME_LEN);
  let o: usize = 0;
  store<u8>(OUT_BUF + o++, CHAR_LBRACKET);
  memory.copy(OUT_BUF + o, STATE + VM_NAME, nameLen);
  o += nameLen;
  store<u8>(OUT_BUF + o++, CHAR_RBRACKET);
  if (len > 0) {
    store<u8>(OUT_BUF + o++, CHAR_SPACE);
    memory.copy(OUT_BUF + o, STATE + CONSOLE_BYTES, <usize>len);
    o += <usize>len;
  }
  store<u8>(OUT_BUF + o++, CHAR_NL);
  wv_console_write(OUT_BUF, <i32>o);
  store<u32>(STATE + CONSOLE_LEN, 0);
}
