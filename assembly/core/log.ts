// Console output of the core: "[wasmvisor] ..." lines built in a scratch buffer
// without allocating, and written with one console_write import call.
// The scratch buffer is not state: a line is always written out before returning.

import { wv_console_write } from "../abi/imports";
import { STATE, VM_NAME, VM_NAME_LEN } from "./layout";

const LOG_CAP: i32 = 256;
const LOG_BUF: usize = memory.data(LOG_CAP);
let logLen: i32 = 0;

const CHAR_NL: u8 = 0x0a;
const HEX_DIGITS = "0123456789abcdef";

/** Start a line with no prefix. */
export function logStart(): void {
  logLen = 0;
}

/** Start a "[wasmvisor] " line. */
export function logBegin(): void {
  logLen = 0;
  logStr("[wasmvisor] ");
}

/** Start a "[wasmvisor] vm <name>" line. */
export function logBeginVm(): void {
  logBegin();
  logStr("vm ");
  logVmName();
}

export function logByte(b: u8): void {
  if (logLen < LOG_CAP - 1) {
    store<u8>(LOG_BUF + <usize>logLen, b);
    logLen++;
  }
}

/** Append an ASCII string (string literals are static: no allocation). */
export function logStr(s: string): void {
  const n = s.length;
  for (let i = 0; i < n; i++) logByte(<u8>s.charCodeAt(i));
}

export function logBytes(ptr: usize, len: i32): void {
  for (let i = 0; i < len; i++) logByte(load<u8>(ptr + <usize>i));
}

export function logVmName(): void {
  logBytes(STATE + VM_NAME, load<i32>(STATE + VM_NAME_LEN));
}

/** Append `v` as 0x-prefixed lower-case hex without leading zeros. */
export function logHex(v: u64): void {
  logStr("0x");
  let shift: i32 = 60;
  while (shift > 0 && ((v >> <u64>shift) & 0xf) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) logByte(<u8>HEX_DIGITS.charCodeAt(<i32>((v >> <u64>shift) & 0xf)));
}

/** Append `v` in decimal. */
export function logDec(v: u64): void {
  let div: u64 = 1;
  while (v / div >= 10) div *= 10;
  for (; div > 0; div /= 10) logByte(<u8>(0x30 + <u32>((v / div) % 10)));
}

/** End the line with '\n' and write it. */
export function logEnd(): void {
  store<u8>(LOG_BUF + <usize>logLen, CHAR_NL);
  wv_console_write(LOG_BUF, logLen + 1);
  logLen = 0;
}

/**
 * The module's abort handler (built with --use abort=...): reports where the core
 * failed, then traps so the runtime stops the VM ("the core trapped ...").
 */
export function coreAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  logBegin();
  logStr("core abort: ");
  if (message !== null) logStr(message);
  logStr(" at ");
  if (fileName !== null) logStr(fileName);
  logByte(0x3a);
  logDec(line);
  logByte(0x3a);
  logDec(column);
  logEnd();
  unreachable();
}
