// Console input (wv_console_input, docs/abi.md section 2): a byte typed on the physical
// console while this VM has the focus goes into the receive FIFO of the VM's console,
// its first PL011. The runtime calls from outside any exit of this VM, so the vGIC can
// only mark the PL011's interrupt pending and kick the vCPU it is routed to
// (arch/vgic.ts, vgicBeginOutside).

import { vmRunning } from "./vm";
import { mmioFirstOfKind, DEVICE_PL011 } from "../devices/mmio";
import { rxPush, rxUpdateLine } from "../devices/pl011_rx";
import { vgicBeginOutside, vgicEndOutside } from "../arch/vgic";

/** The byte is in the FIFO. */
export const INPUT_TAKEN: i32 = 0;
/** The FIFO is full: the runtime keeps the byte and offers it again later. */
export const INPUT_FULL: i32 = -1;
/** Not a byte (outside 0..255). */
export const INPUT_BAD_BYTE: i32 = -2;
/** Nobody takes input: the VM is not running, or it has no PL011. The runtime drops the byte. */
export const INPUT_NO_CONSOLE: i32 = -5;

const BYTE_MAX: u32 = 0xff;

/** wv_console_input: INPUT_TAKEN, INPUT_FULL, INPUT_BAD_BYTE or INPUT_NO_CONSOLE. */
export function consoleInput(byte: i32): i32 {
  if (<u32>byte > BYTE_MAX) return INPUT_BAD_BYTE;
  const slot = mmioFirstOfKind(DEVICE_PL011);   // the VM's console
  if (!vmRunning() || slot < 0) return INPUT_NO_CONSOLE;
  if (!rxPush(slot, <u8>byte)) return INPUT_FULL;
  vgicBeginOutside();
  rxUpdateLine(slot);
  vgicEndOutside();
  return INPUT_TAKEN;
}
