// Where the core's private line buffers sit in static data, for the fuzz specs' static
// windows (__tests__/fuzz.ts staticWindow): core/log.ts LOG_BUF and core/console.ts
// OUT_BUF are not exported, so each is found by the bytes of a probe line written
// through it. Each answer is findStatic's: 0 when not found, -1 when found twice.

import { logBegin, logStr, logEnd } from "../core/log";
import { consolePutc } from "../core/console";
import { findStatic } from "./fuzz";

/** core/log.ts LOG_CAP. */
export const LOG_BUF_BYTES: usize = 256;
/** core/console.ts OUT_CAP: "[" + name (<= 15) + "] " + a line of CONSOLE_LINE_MAX + "\n". */
export const OUT_BUF_BYTES: usize = 140;

/** The log line buffer, found by the log line "[wasmvisor] <probe>\n". */
export function findLogBuf(probe: string): isize {
  logBegin();
  logStr(probe);
  logEnd();
  return findStatic("[wasmvisor] " + probe + "\n");
}

/** The console line buffer, found by the guest line "[<vmName>] <probe>\n" of the VM in the state block. */
export function findOutBuf(vmName: string, probe: string): isize {
  for (let i = 0; i < probe.length; i++) consolePutc(<u8>probe.charCodeAt(i));
  consolePutc(0x0a);
  return findStatic("[" + vmName + "] " + probe + "\n");
}
