// The virtio console device (virtio 1.2 spec 5.3), device ID 3, one port, no
// VIRTIO_CONSOLE_F_MULTIPORT: queue 0 is port 0's receiveq (device to driver), queue 1
// its transmitq (driver to device). Linux's virtio_console driver makes it /dev/hvc0.
//
// It is the VM's end of the hypervisor channel (docs/abi.md section 6):
// - transmit: a QueueNotify of the transmitq hands the buffers the driver posted to the
//   runtime through the chan_send import, one call per buffer (or per 4 KiB of one), and
//   completes each into the used ring whether chan_send took it or not. One exit hands
//   over at most TX_BUDGET bytes: what is left waits for the next exit of the VM, which
//   the device asks for at once (a kick of the notifying vCPU), so no exit runs long and
//   a vCPU sharing the CPU keeps its slices whatever the guest posts;
// - receive: the runtime writes bytes into the inbound buffer (wv_chan_buffer) and calls
//   wv_chan_push, which moves them into the receive buffers the driver posted.

import { wv_chan_send, wv_vcpu_kick, WV_EINVAL } from "../abi/imports";
import { vmRunning } from "../core/vm";
import { vgicBeginOutside, vgicEndOutside } from "../arch/vgic";
import { vgicCurrent, VGIC_NO_VCPU } from "../arch/vgic_common";
import { Q_READY, VIRTIO_INT_USED, vqRec } from "./virtio_layout";
import { virtioSlot, virtioLive, virtioRaise, virtioNeedsReset, virtioWarnSend, VIRTIO_RECEIVEQ,
  VIRTIO_TRANSMITQ } from "./virtio_device";
import { vqBegin, vqChain, vqChainCount, vqChainAddr, vqChainLen, vqComplete, vqPublish, vqNoInterrupt, vqRead,
  vqWrite } from "./virtqueue";

/** Device ID of a console (spec 5, "Device Types"). */
export const VIRTIO_ID_CONSOLE: u32 = 3;

/** The inbound buffer the runtime fills before wv_chan_push (docs/abi.md section 6: CHAN_IN_CAP). */
export const CHAN_IN_CAP: i32 = 4096;
export const CHAN_IN: usize = memory.data(CHAN_IN_CAP, 16);
/** Transmitted bytes go to chan_send from here, at most this many per call. */
export const TX_CHUNK: u32 = 4096;
export const TX_BUF: usize = memory.data(<i32>TX_CHUNK, 16);
/**
 * Bytes one exit hands to chan_send at most: a chain that starts below it is sent
 * whole (chains hold at most VIRTIO_MAX_CHAIN_BYTES), the next waits for another exit.
 */
export const TX_BUDGET: u32 = 64 * 1024;

// struct virtio_console_config (spec 5.3.4): le16 cols, le16 rows, le32 max_nr_ports, le32 emerg_wr.
// cols and rows mean something only with VIRTIO_CONSOLE_F_SIZE, max_nr_ports only with
// MULTIPORT and emerg_wr only with EMERG_WRITE, none of which is offered: cols and rows
// read 0, max_nr_ports 1 (the one port), emerg_wr 0 (it is write-only).
const CONFIG_SIZE: u64 = 12;
const CONFIG_MAX_NR_PORTS: u64 = 4;
const ONE_PORT: u64 = 1;

/** The configuration space, little-endian, as 12 bytes: byte `i`. */
function configByte(i: u64): u64 {
  if (i >= CONFIG_MAX_NR_PORTS && i < CONFIG_MAX_NR_PORTS + 4) return (ONE_PORT >> ((i - CONFIG_MAX_NR_PORTS) << 3)) & 0xff;
  return 0;
}

/** Read `bytes` at `offset` of the configuration space, any width (bytes beyond it read 0). */
export function consoleConfigRead(offset: u64, bytes: u32): u64 {
  let v: u64 = 0;
  for (let i: u32 = 0; i < bytes && i < 8; i++) {
    const at = offset + <u64>i;
    if (at < CONFIG_SIZE) v |= configByte(at) << (<u64>i << 3);
  }
  return v;
}

@inline function queueReady(q: u32): bool {
  return load<u32>(vqRec(q) + Q_READY) != 0;
}

/** The bytes of the chain vqChain checked. */
function chainBytes(): u32 {
  let n: u32 = 0;
  for (let k: u32 = 0; k < vqChainCount(); k++) n += vqChainLen(k);
  return n;
}

/** Send every buffer of the chain vqChain checked to chan_send; false when guest memory could not be read. */
function sendChain(): bool {
  const n = vqChainCount();
  for (let k: u32 = 0; k < n; k++) {
    const addr = vqChainAddr(k), len = vqChainLen(k);
    for (let off: u32 = 0; off < len; off += TX_CHUNK) {
      const chunk = len - off < TX_CHUNK ? len - off : TX_CHUNK;
      if (!vqRead(addr + <u64>off, TX_BUF, chunk)) return false;
      const rc = wv_chan_send(TX_BUF, <i32>chunk);
      if (rc < 0) virtioWarnSend(rc, chunk);
    }
  }
  return true;
}

/**
 * Drain the transmitq, up to TX_BUDGET bytes: what the driver posted goes to the
 * runtime, and back into the used ring. When chains are left, the vCPU whose exit this
 * is gets kicked, so that its next exit comes at once and takes the next part.
 */
function transmit(slot: i32): void {
  if (!virtioLive() || !queueReady(VIRTIO_TRANSMITQ)) return;
  const pending = vqBegin(VIRTIO_TRANSMITQ);
  let ok = pending >= 0;
  let done: i32 = 0;
  let sent: u32 = 0;
  for (let k: i32 = 0; ok && k < pending && sent < TX_BUDGET; k++) {
    ok = vqChain(VIRTIO_TRANSMITQ, false);
    if (ok) sent += chainBytes();
    ok = ok && sendChain() && vqComplete(VIRTIO_TRANSMITQ, 0);
    if (ok) done++;
  }
  finish(slot, VIRTIO_TRANSMITQ, done, ok);
  const cur = vgicCurrent();
  if (ok && done < pending && cur != VGIC_NO_VCPU) wv_vcpu_kick(<i32>cur);
}

/**
 * At an exit of the VM: go on with a transmitq a notify left unfinished (TX_BUDGET),
 * if any. A driver may make buffers available without a notify when it asked for none
 * (VIRTQ_USED_F_NO_NOTIFY is never set here), so taking them now is what a device may
 * do at any time (virtio 1.2 spec 2.7.13).
 */
export function consoleContinue(): void {
  const slot = virtioSlot();
  if (slot >= 0) transmit(slot);
}

/** After a pass over queue `q` that completed `done` chains: publish them, notify, and report a failure. */
function finish(slot: i32, q: u32, done: i32, ok: bool): void {
  if (done > 0) {
    if (!vqPublish(q)) ok = false;
    else if (!vqNoInterrupt()) virtioRaise(slot, VIRTIO_INT_USED);
  }
  if (!ok) virtioNeedsReset(slot, q);
}

/** QueueNotify (spec 4.2.2): the driver made buffers available in queue `q`. */
export function consoleNotify(slot: i32, q: u32): void {
  // Receive buffers wait for input: the runtime offers what it holds after this exit.
  if (q == VIRTIO_TRANSMITQ) transmit(slot);
}

/** Move up to `len` bytes of CHAN_IN into the posted receive buffers; the bytes taken. */
function receive(slot: i32, len: u32): u32 {
  const pending = vqBegin(VIRTIO_RECEIVEQ);
  let ok = pending >= 0;
  let done: i32 = 0;
  let taken: u32 = 0;
  for (let k: i32 = 0; ok && k < pending && taken < len; k++) {
    ok = vqChain(VIRTIO_RECEIVEQ, true);
    let put = taken;
    const n = vqChainCount();
    for (let j: u32 = 0; ok && j < n && put < len; j++) {
      const room = vqChainLen(j);
      const chunk = len - put < room ? len - put : room;
      if (chunk != 0) ok = vqWrite(vqChainAddr(j), CHAN_IN + <usize>put, chunk);
      put += chunk;
    }
    // A chain the driver never sees completed took nothing.
    if (ok) ok = vqComplete(VIRTIO_RECEIVEQ, put - taken);
    if (ok) {
      taken = put;
      done++;
    }
  }
  finish(slot, VIRTIO_RECEIVEQ, done, ok);
  return taken;
}

/** wv_chan_buffer: where the runtime writes inbound bytes; 0 when the VM has no virtio-console device. */
export function chanBuffer(): usize {
  return virtioSlot() < 0 ? 0 : CHAN_IN;
}

/**
 * wv_chan_push: move up to `len` bytes of the inbound buffer into the guest's receive
 * buffers. Returns the bytes taken (0 when the VM is not running, has no device, or the
 * driver has no receive buffer posted), or WV_EINVAL for a `len` outside 0..CHAN_IN_CAP.
 * Called outside any exit of the VM: the interrupt only becomes pending (arch/vgic.ts).
 */
export function chanPush(len: i32): i32 {
  if (len < 0 || len > CHAN_IN_CAP) return WV_EINVAL;
  const slot = virtioSlot();
  if (len == 0 || slot < 0 || !vmRunning() || !virtioLive() || !queueReady(VIRTIO_RECEIVEQ)) return 0;
  vgicBeginOutside();
  const taken = receive(slot, <u32>len);
  vgicEndOutside();
  return <i32>taken;
}
