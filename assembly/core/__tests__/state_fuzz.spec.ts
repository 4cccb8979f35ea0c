// Random damage to saved state (wv_save / wv_restore, docs/abi.md section 2, "Saved
// state"): blobs of format 3 (a header, a section table, the core, vGIC and virtio
// sections) and the single-block blobs of core layouts 1 and 2 still restored, reshaped
// (the virtio section dropped as in a blob of a module with two sections (0x0203), the
// vGIC's dropped, the core in an older layout, a section this module does not have) and
// damaged: byte flips in the header, the table and each section, fields set to the edges
// of their ranges, bad names, virtio queues moved outside the VM's RAM, truncated and
// extended blobs, other versions, buffers at the end of memory, and the checksums
// recomputed in half of the cases so that the content checks are reached. stateRestore
// must answer 0 or one of -201..-209 that applies to the blob (by an independent reading
// of the format below), leave the live state (core, vGIC and virtio blocks) byte-identical
// when it refuses, and when it accepts hold exactly the blob's sections (converted: what
// an older layout lacks at reset, a missing vGIC or virtio device from a reset), writing
// nothing else. An accepted blob must then drive a VM the reference model
// (__tests__/model.ts) agrees with.

import { stateSave, stateRestore, STATE_ERR_RANGE, STATE_ERR_SPACE, STATE_ERR_MAGIC, STATE_ERR_VERSION,
  STATE_ERR_LENGTH, STATE_ERR_CHECKSUM, STATE_ERR_CONTENT, STATE_ERR_BUSY, STATE_ERR_TABLE } from "../state";
import { PARSE_SCRATCH, PARSE_SCRATCH_SIZE } from "../state_format";
import { sectionCount, sectionStage, sectionSize } from "../state_sections";
import { stateStaged } from "../state_staged";
import { STATE, STATE_SIZE, VM_INDEX, VM_TYPE, VM_STATE, VM_VCPU_COUNT, VM_REGION_COUNT, VM_DEVICE_COUNT,
  VM_IPA_BITS, VM_PCPU_MASK, VM_NAME, VM_NAME_LEN, REGIONS_OFF, REGION_IPA, REGION_SIZE, REGION_RECORD,
  REGION_FLAGS, MMIO_COUNT, MMIO_ENTRIES, MMIO_RECORD, MMIO_BASE, MMIO_LIMIT, MMIO_KIND, PL011_OFF, CONSOLE_LEN,
  HCWARN_COUNT, HC_BENCH, COUNTERS_OFF, S2_OFF, S2_ROOT, S2_TABLE_COUNT, S2_TABLES, S2_RECORD, S2_REC_PARENT,
  S2_REC_INDEX, S2_REC_CHILD, STATE_LAYOUT_VERSION, STATE_SIZE_V1, STATE_SIZE_V2, PL011_RX_OFF, PL011_RX_RECORD,
  PL011_RX_HEAD, PL011_RX_COUNT, PL011_RX_RIS, VM_EXITS_OFF } from "../layout";
import { VGIC_CHECK_SCRATCH, VGIC_CHECK_SCRATCH_SIZE } from "../../arch/vgic_state";
import { VIRTIO_STATE, VIRTIO_STATE_SIZE, VT_VERSION, VT_STATUS, VT_DRV_FEAT, VT_DRV_FEAT_HIGH, VT_INT_STATUS,
  VT_FLAGS, VT_ERROR, VT_QUEUE_SEL, VT_QUEUE_OFF, Q_RECORD, Q_NUM, Q_READY, Q_LAST_AVAIL, Q_USED_IDX, Q_DESC,
  Q_DRIVER, Q_DEVICE } from "../../devices/virtio_layout";
import { VGIC, VGIC_SIZE, VGIC_LAYOUT_VERSION, VG_VERSION, VG_CTLR, VG_VCPUS, VG_CURRENT, VG_LR_COUNT, VG_FLAGS,
  VG_WARN_COUNT, VG_MODEL, VG_BITS, VG_PRIO, VG_OWNER, VGIC_VCPU_OFF, VGIC_VCPU_RECORD, R_LR_USED, R_HCR, R_BITS,
  R_PRIO, R_LR_VAL, R_SGI_SRC } from "../../arch/vgic_layout";
import { vmResetState, vmInit, vmState } from "../vm";
import { handleExit } from "../../arch/exits";
import { consolePutc } from "../console";
import { consoleInput } from "../console_input";
import { cfgVm, cfgDevice, CFG_VM_VCPU_COUNT, CFG_VM_PCPU_MASK, CFG_VM_DEVICE_COUNT, CFG_D_KIND, CFG_D_IPA,
  CFG_D_SIZE, CFG_D_IRQ } from "../config";
import { exitRecord, exitSelect, exitRecordOf, EXIT_RECORDS, EXIT_X, EXIT_PC, EXIT_ESR, EXIT_FAR, EXIT_HPFAR } from "../../abi/exit_record";
import { makeBlob, BLOB, RAM_IPA, RAM_SIZE } from "../../__tests__/blob";
import { fakeReset, consoleCount, guestRamAdd, chanText } from "../../__tests__/fake";
import { driverUp, postTx, postRx, wr, R_QUEUE_NOTIFY, TXQ, VIO_IPA, VIO_IRQ,
  VIO_KIND } from "../../__tests__/virtio_driver";
import { fuzzSeed, rnd, below, chance, rndBits, edgy, hx, staticWindowsClear, staticWindow, staticSnap,
  staticChanged } from "../../__tests__/fuzz";
import { findLogBuf, findOutBuf, LOG_BUF_BYTES, OUT_BUF_BYTES } from "../../__tests__/line_buffers";
import { modelBegin, mExit, modelDiff, mOutsideAbi, outsideAbiDiff, modelResync, RECORD_BYTES, HC_NULL,
  HC_VERSION, HC_PUTC, HC_VM_INFO, HC_REPORT } from "../../__tests__/model";
import { fnv, sum3, blobBegin, blobPart, blobWrite, blobSingle, stateVersionOf } from "../../__tests__/state_blob";

const CAP: usize = 32768;
const BASE_RUN: usize = memory.data(<i32>CAP, 16);     // format 3, saved from a running VM
const BASE_EMPTY: usize = memory.data(<i32>CAP, 16);   // format 3, saved from an instance with no VM
const BASE_V2: usize = memory.data(<i32>CAP, 16);      // the running VM as a single-block blob of layout 2
const BASE_V1: usize = memory.data(<i32>CAP, 16);      // ... and of layout 1
const BASE_TWO: usize = memory.data(<i32>CAP, 16);     // ... and as a module with two sections wrote it (0x0203)
const WORK: usize = memory.data(<i32>CAP, 16);
const LIVE_BEFORE: usize = memory.data(<i32>STATE_SIZE, 16);
const VGIC_BEFORE: usize = memory.data(<i32>VGIC_SIZE, 16);
const VIRTIO_BEFORE: usize = memory.data(<i32>VIRTIO_STATE_SIZE, 16);
const RUN_STATE: usize = memory.data(<i32>STATE_SIZE, 16);
const RUN_VGIC: usize = memory.data(<i32>VGIC_SIZE, 16);
const RUN_VIRTIO: usize = memory.data(<i32>VIRTIO_STATE_SIZE, 16);

const MAX_VMS: u32 = 8;
const MAX_VCPUS: u32 = 8;
const MAX_REGIONS: u32 = 8;
const MAX_DEVICES: u32 = 8;
const CONSOLE_LINE_MAX: u32 = 120;
const HCWARN_LIMIT: u32 = 9;         // 8 IDs, then one "more" notice
const S2_TABLES_MAX: u32 = 511;      // next-level tables; the runtime gives a VM 512 pages
const S2_HANDLES: i32 = 512;
const IPA_LIMIT: u64 = <u64>1 << 39;
/** The per-VM word after the name length: reserved 0, or vCPU power state (bit n: vCPU n on). */
const VM_WORD_52: usize = VM_NAME_LEN + 4;

// The format (docs/abi.md section 2, "Saved state").
const MAGIC: u32 = 0x54535657;
const HEADER: usize = 24;
const RECORD: usize = 24;
const ID_CORE: u32 = 1;
const ID_VGIC: u32 = 2;
const ID_VIRTIO: u32 = 3;
const ID_LAST: u32 = 4;
const VGIC_V: u32 = 2;
const VIRTIO_V: u32 = 1;
const V_NOW: u32 = stateVersionOf(STATE_LAYOUT_VERSION, VGIC_V, VIRTIO_V);
/** The state version of a module with only the core and vGIC sections. */
const V_TWO: u32 = stateVersionOf(STATE_LAYOUT_VERSION, VGIC_V);
const NO_VCPU: u32 = 0xffffffff;
const LR_MAX: u32 = 16;
const WARN_LIMIT: u32 = 9;
const GICV2_DIST_KIND: u32 = 4;

@inline function u32at(p: usize): u32 { return load<u32>(p); }
@inline function align8(n: usize): usize { return (n + 7) & ~<usize>7; }

// ---- the saved states to damage ----

let built = false;
let windowLog: usize = 0;
let windowOut: usize = 0;
let runLen: usize = 0;
let emptyLen: usize = 0;
let v2Len: usize = 0;
let v1Len: usize = 0;
let twoLen: usize = 0;

function build(): void {
  if (built) return;
  // A running VM with two vCPUs, two PL011s, a virtio-console and some history.
  fakeReset();
  vmResetState();
  memory.fill(VIRTIO_STATE, 0, VIRTIO_STATE_SIZE);
  const len = makeBlob(1);
  const rec = cfgVm(BLOB, 0);
  store<u32>(rec + CFG_VM_VCPU_COUNT, 2);
  store<u32>(rec + CFG_VM_PCPU_MASK, 3);
  store<u32>(rec + CFG_VM_DEVICE_COUNT, 3);
  const d = cfgDevice(rec, 1);
  store<u32>(d + CFG_D_KIND, 1);
  store<u64>(d + CFG_D_IPA, 0x09010000);
  store<u64>(d + CFG_D_SIZE, 0x1000);
  const vio = cfgDevice(rec, 2);
  store<u32>(vio + CFG_D_KIND, VIO_KIND);
  store<u32>(vio + CFG_D_IRQ, VIO_IRQ);
  store<u64>(vio + CFG_D_IPA, VIO_IPA);
  store<u64>(vio + CFG_D_SIZE, 0x200);
  expect(vmInit(0, BLOB, len)).toBe(0);
  expect(vmState()).toBe(1);
  // The virtio driver sets both queues up in the VM's RAM, has "fz" sent, and posts "zz"
  // and a receive buffer (the device's ring indices, features and a pending notification
  // are then in its section).
  guestRamAdd(RAM_IPA, RAM_SIZE);
  driverUp();
  postTx("fz");
  wr(R_QUEUE_NOTIFY, TXQ);
  expect(chanText(-1)).toBe("fz");
  postTx("zz");
  postRx(8);
  expect(u32at(VIRTIO_STATE + VT_QUEUE_OFF + Q_RECORD + Q_READY)).toBe(1);
  for (let i = 0; i < 3; i++) hvc(0xc6000100 + <u32>i, 0);
  hvc(HC_PUTC, 0, 0x6f);
  hvc(HC_PUTC, 1, 0x6b);
  for (let i = 0; i < 5; i++) hvc(HC_NULL, 1);
  for (let r: usize = 4; r < 0x50; r += 4) store<u32>(STATE + PL011_OFF + r, 0x100 + <u32>r);
  // Console input waiting in the first PL011's receive FIFO (its SPI pending in the vGIC):
  // the exits after a restore read it.
  for (let b: i32 = 0x61; b < 0x64; b++) expect(consoleInput(b)).toBe(0);
  expect(vmState()).toBe(1);
  memory.copy(RUN_STATE, STATE, STATE_SIZE);
  memory.copy(RUN_VGIC, VGIC, VGIC_SIZE);
  memory.copy(RUN_VIRTIO, VIRTIO_STATE, VIRTIO_STATE_SIZE);
  runLen = <usize>stateSave(BASE_RUN, CAP);
  expect(runLen).toBe(align8(align8(HEADER + 3 * RECORD + STATE_SIZE) + VGIC_SIZE) + VIRTIO_STATE_SIZE);
  v2Len = blobSingle(BASE_V2, 2, RUN_STATE, STATE_SIZE_V2);
  v1Len = blobSingle(BASE_V1, 1, RUN_STATE, STATE_SIZE_V1);
  blobBegin();
  blobPart(ID_CORE, STATE_LAYOUT_VERSION, RUN_STATE, STATE_SIZE);
  blobPart(ID_VGIC, VGIC_V, RUN_VGIC, VGIC_SIZE);
  twoLen = blobWrite(BASE_TWO);

  // Static memory the exits after a restore may write.
  const logBuf = findLogBuf("fz-probe-log");
  consolePutc(0x0a);   // the pending "ok" goes out first
  const outBuf = findOutBuf("linux", "fz-probe-out");
  expect(logBuf).toBeGreaterThan(0);
  expect(outBuf).toBeGreaterThan(0);
  windowLog = <usize>logBuf;
  windowOut = <usize>outBuf;

  vmResetState();
  memory.fill(VGIC, 0, VGIC_SIZE);
  memory.fill(VIRTIO_STATE, 0, VIRTIO_STATE_SIZE);
  emptyLen = <usize>stateSave(BASE_EMPTY, CAP);
  expect(emptyLen).toBe(runLen);
  built = true;
}

function hvc(id: u32, vcpu: i32, x1: u64 = 0): i32 {
  exitSelect(<u32>vcpu < MAX_VCPUS ? <u32>vcpu : 0);
  memory.fill(exitRecord, 0, RECORD_BYTES);
  store<u64>(exitRecord + EXIT_ESR, (<u64>0x16 << 26) | (<u64>1 << 25));
  store<u64>(exitRecord + EXIT_X, <u64>id);
  store<u64>(exitRecord + EXIT_X + 8, x1);
  return handleExit(vcpu);
}

// ---- what the blob says: an independent reading of the format and the layouts ----

/** Length of a name of 1..15 chars of [a-z0-9_-], NUL padded to 16 bytes; -1 if not one. */
function nameLength(p: usize): i32 {
  let n = 0;
  while (n < 16 && load<u8>(p + <usize>n) != 0) {
    const c = load<u8>(p + <usize>n);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x5f || c == 0x2d)) return -1;
    n++;
  }
  if (n == 0 || n >= 16) return -1;
  for (let i = n; i < 16; i++) if (load<u8>(p + <usize>i) != 0) return -1;
  return n;
}

/** Bytes of a core section of layout `v` this build reads (1, 2 and its own); 0 if none. */
function coreBytes(v: u32): usize {
  if (v == 1) return STATE_SIZE_V1;
  if (v == 2) return STATE_SIZE_V2;
  return v == STATE_LAYOUT_VERSION ? STATE_SIZE : 0;
}

/** The first count or index out of its documented range in core payload `p` of layout `v`; "" if none. */
function contentFault(p: usize, v: u32 = STATE_LAYOUT_VERSION): string {
  const state = load<u32>(p + VM_STATE);
  if (state > 2) return "vm state";
  const vcpus = load<u32>(p + VM_VCPU_COUNT), regions = load<u32>(p + VM_REGION_COUNT);
  if (vcpus > MAX_VCPUS) return "vcpu count";
  if (regions > MAX_REGIONS) return "region count";
  if (load<u32>(p + VM_DEVICE_COUNT) > MAX_DEVICES) return "vm device count";
  const nameLen = load<u32>(p + VM_NAME_LEN);
  if (nameLen >= 16) return "name length";
  if (state != 0) {
    if (vcpus == 0) return "no vcpu";
    if (regions == 0) return "no region";
    if (<i32>nameLen != nameLength(p + VM_NAME)) return "name";
    const bits = load<u32>(p + VM_IPA_BITS);
    if (bits < 32 || bits > 39) return "ipa bits";
  }
  const devices = load<u32>(p + MMIO_COUNT);
  if (devices > MAX_DEVICES) return "mmio count";
  for (let i: u32 = 0; i < devices; i++) {
    const e = p + MMIO_ENTRIES + <usize>i * MMIO_RECORD;
    const base = load<u64>(e + MMIO_BASE), size = load<u64>(e + MMIO_LIMIT);
    const kind = load<u32>(e + MMIO_KIND);
    // PL011, GICv3 distributor, GICv3 redistributors, GICv2 distributor; virtio-console
    if ((kind < 1 || kind > 4) && kind != 7) return "device kind";
    if (size == 0 || base + size < base) return "device range";
  }
  if (load<u32>(p + CONSOLE_LEN) >= CONSOLE_LINE_MAX) return "console length";
  if (load<u32>(p + HCWARN_COUNT) > HCWARN_LIMIT) return "warned ids";
  if (load<u32>(p + HC_BENCH) > 1) return "bench flag";
  const tables = load<u32>(p + S2_TABLE_COUNT);
  if (tables > S2_TABLES_MAX) return "stage-2 table count";
  for (let i: u32 = 0; i < tables; i++) {
    if (load<u32>(p + S2_TABLES + <usize>i * S2_RECORD + S2_REC_INDEX) > 511) return "stage-2 entry index";
  }
  if (v == 1) return "";   // no receive FIFOs yet
  for (let i: u32 = 0; i < MAX_DEVICES; i++) {
    const r = p + PL011_RX_OFF + <usize>i * PL011_RX_RECORD;
    if (load<u32>(r + PL011_RX_HEAD) >= 16) return "rx fifo head";
    if (load<u32>(r + PL011_RX_COUNT) > 16) return "rx fifo count";
    if ((load<u32>(r + PL011_RX_RIS) & ~<u32>0x50) != 0) return "rx interrupt status";
  }
  return "";   // the exit counters: any value is a count
}

@inline function handleOk(h: i32): bool { return h >= 0 && h < S2_HANDLES; }

/**
 * Fields of a VM's payload that are out of range but that the core does not check (so a
 * refusal is as right as an acceptance). The first two are read by later code: the VM
 * index is answered to the guest by WV_HC_VM_INFO, the stage-2 handles name runtime
 * table pages (s2ChildOf returns a child handle). "" if none.
 */
function uncheckedFault(p: usize): string {
  // The stage-2 records' handles are looked at whatever the VM state (an empty instance's too).
  const tables = load<u32>(p + S2_TABLE_COUNT);
  for (let i: u32 = 0; i < tables && i <= S2_TABLES_MAX; i++) {
    const r = p + S2_TABLES + <usize>i * S2_RECORD;
    if (!handleOk(load<i32>(r + S2_REC_PARENT)) || !handleOk(load<i32>(r + S2_REC_CHILD))) return "stage-2 handle";
  }
  if (load<u32>(p + VM_STATE) == 0) return "";
  const vcpus = load<u32>(p + VM_VCPU_COUNT);
  if (load<u32>(p + VM_INDEX) >= MAX_VMS) return "vm index";
  if (!handleOk(load<i32>(p + S2_ROOT))) return "stage-2 handle";
  if (load<u32>(p + VM_TYPE) > 2) return "vm type";
  if (<u32>popcnt<u32>(load<u32>(p + VM_PCPU_MASK)) < vcpus) return "pcpu mask";
  if (load<u32>(p + VM_DEVICE_COUNT) != load<u32>(p + MMIO_COUNT)) return "vm device count";
  if (vcpus < 32 && (load<u32>(p + VM_WORD_52) >> vcpus) != 0) return "word 52";
  const devices = load<u32>(p + MMIO_COUNT);
  for (let i: u32 = 0; i < devices && i < MAX_DEVICES; i++) {
    const e = p + MMIO_ENTRIES + <usize>i * MMIO_RECORD;
    const base = load<u64>(e + MMIO_BASE), size = load<u64>(e + MMIO_LIMIT);
    // A virtio-console's window is 0x200 bytes, 0x200 aligned; every other device's, whole pages.
    const grain: u64 = u32at(e + MMIO_KIND) == VIO_KIND ? 0x1ff : 0xfff;
    if (((base | size) & grain) != 0 || base + size > IPA_LIMIT) return "device range";
  }
  const regions = load<u32>(p + VM_REGION_COUNT);
  for (let i: u32 = 0; i < regions && i < MAX_REGIONS; i++) {
    const r = p + REGIONS_OFF + <usize>i * REGION_RECORD;
    const ipa = load<u64>(r + REGION_IPA), size = load<u64>(r + REGION_SIZE);
    if (((ipa | size) & 0xfff) != 0 || size == 0 || ipa + size < ipa || ipa + size > IPA_LIMIT) return "region range";
  }
  return "";
}

@inline function vrec(g: usize, v: u32): usize { return g + VGIC_VCPU_OFF + <usize>v * VGIC_VCPU_RECORD; }

/**
 * The first thing in vGIC section `g` that is out of range or disagrees with core payload
 * `core` (docs/abi.md section 4: 256 INTIDs, up to 16 list registers, 8 vCPUs; a list
 * register shadow names one INTID the vGIC has, an SPI in one of them at most, a banked INTID
 * once per vCPU, a source only for a GICv2 SGI); "" if none.
 */
function vgicFault(g: usize, core: usize): string {
  const version = u32at(g + VG_VERSION), vcpus = u32at(g + VG_VCPUS), model = u32at(g + VG_MODEL);
  if (version != VGIC_V && !(version == 0 && vcpus == 0)) return "vgic layout";
  if (vcpus > MAX_VCPUS) return "vgic vcpus";
  if (model != 2 && model != 3 && !(model == 0 && version == 0)) return "vgic model";
  const cur = u32at(g + VG_CURRENT);
  if (cur != NO_VCPU && cur >= MAX_VCPUS) return "vgic current vcpu";
  const lrs = u32at(g + VG_LR_COUNT);
  if (lrs > LR_MAX) return "list register count";
  if (u32at(g + VG_WARN_COUNT) > WARN_LIMIT) return "vgic warned ids";
  const spis = new StaticArray<bool>(256);
  for (let v: u32 = 0; v < MAX_VCPUS; v++) {
    const used = u32at(vrec(g, v) + R_LR_USED);
    if (used >= (1 << LR_MAX) || (v >= vcpus && used != 0) || (lrs != 0 && (used >> lrs) != 0)) return "list registers used";
    let banked: u32 = 0;
    for (let i: u32 = 0; i < LR_MAX; i++) {
      if ((used & (1 << i)) == 0) continue;
      const val = load<u64>(vrec(g, v) + R_LR_VAL + (<usize>i << 3));
      const x = <u32>(val & 0x3ff);
      const extra = (val & 0xffffffff) & ~<u64>0x3ff;
      if (x >= 256) return "list register INTID";
      if (extra != 0 && (model != 2 || x >= 16 || (extra >> 10) >= <u64>vcpus)) return "list register source";
      if (x < 32) {
        if ((banked & (1 << x)) != 0) return "banked INTID listed twice";
        banked |= 1 << x;
      } else {
        if (spis[x]) return "SPI listed twice";
        spis[x] = true;
      }
    }
  }
  for (let x: usize = 0; x < 256; x++) if (<u32>load<u8>(g + VG_OWNER + x) > vcpus) return "SPI owner";
  if (u32at(core + VM_STATE) != 0 && vcpus != u32at(core + VM_VCPU_COUNT)) return "vgic vcpus and the VM's";
  return "";
}

// The virtio device's state (docs/abi.md section 6, "State"; virtio 1.2 spec 2.1, 2.7, 4.2.2).
const VT_STATUS_KNOWN: u32 = 1 | 2 | 4 | 8 | 64 | 128;   // ACKNOWLEDGE DRIVER DRIVER_OK FEATURES_OK NEEDS_RESET FAILED
const VT_DRIVER_OK: u32 = 4;
const VT_FEATURES_OK: u32 = 8;
const VT_NEEDS_RESET: u32 = 64;
const VT_F_VERSION_1: u64 = <u64>1 << 32;                 // the only feature offered
const VT_ERR_LAST: u32 = 11;
const VT_QUEUES: u32 = 2;
const VT_QUEUE_MAX: u32 = 64;
/** Region flags (docs/abi.md section 1): bit 0 read, bit 1 write. */
const RAM_R: u32 = 1;
const RAM_W: u32 = 2;
/** What virtioFault says of a queue that is sound in itself but not inside the VM's RAM. */
const OUTSIDE_RAM = "virtio queue area outside the VM's RAM";

/** Is [ipa, ipa + len) inside one region of core payload `core` that has all of `flags`? */
function inRam(core: usize, ipa: u64, len: u64, flags: u32): bool {
  const n = u32at(core + VM_REGION_COUNT);
  for (let i: u32 = 0; i < n && i < MAX_REGIONS; i++) {
    const r = core + REGIONS_OFF + <usize>i * REGION_RECORD;
    const base = load<u64>(r + REGION_IPA), size = load<u64>(r + REGION_SIZE);
    if ((u32at(r + REGION_FLAGS) & flags) != flags || ipa < base) continue;
    const off = ipa - base;
    if (off <= size && len <= size - off) return true;
  }
  return false;
}

@inline function qrec(p: usize, q: u32): usize { return p + VT_QUEUE_OFF + <usize>q * Q_RECORD; }

/** An area of `len` bytes at `a` aligned to `align` that does not wrap past 2^64. */
@inline function areaSound(a: u64, len: u64, align: u64): bool { return a % align == 0 && a <= ~len; }

/**
 * The first thing in virtio section `p` out of range or inconsistent, or a ready queue
 * whose descriptor table, available ring (both read) or used ring (read and written) is
 * not inside one RAM region of core payload `core` (OUTSIDE_RAM); "" if none.
 */
function virtioFault(p: usize, core: usize): string {
  const version = u32at(p + VT_VERSION);
  if (version == 0) {
    for (let a: usize = 0; a < VIRTIO_STATE_SIZE; a++) {
      if (load<u8>(p + a) != 0) return "virtio block of version 0 not empty";
    }
    return "";
  }
  if (version != VIRTIO_V) return "virtio layout";
  const status = u32at(p + VT_STATUS);
  if ((status & ~VT_STATUS_KNOWN) != 0) return "virtio status bits";
  const featuresOk = (status & VT_FEATURES_OK) != 0;
  if ((status & VT_DRIVER_OK) != 0 && !featuresOk) return "DRIVER_OK without FEATURES_OK";
  if (featuresOk) {
    const f = load<u64>(p + VT_DRV_FEAT);
    if (f != VT_F_VERSION_1 || u32at(p + VT_DRV_FEAT_HIGH) != 0) return "virtio features never offered";
  }
  if (u32at(p + VT_INT_STATUS) > 3) return "virtio interrupt bits";
  if (u32at(p + VT_FLAGS) > 3) return "virtio flags";
  const err = u32at(p + VT_ERROR);
  if (err > VT_ERR_LAST) return "virtio error";
  if ((err == 0) == ((status & VT_NEEDS_RESET) != 0)) return "virtio error and DEVICE_NEEDS_RESET disagree";
  let outside = false;
  for (let q: u32 = 0; q < VT_QUEUES; q++) {
    const r = qrec(p, q);
    const num = u32at(r + Q_NUM), ready = u32at(r + Q_READY);
    if (num != 0 && (num > VT_QUEUE_MAX || popcnt<u32>(num) != 1)) return "virtio queue size";
    if (u32at(r + Q_LAST_AVAIL) > 0xffff || u32at(r + Q_USED_IDX) > 0xffff) return "virtio ring index";
    if (ready > 1) return "virtio queue ready";
    if (ready == 0) continue;
    if (num == 0) return "virtio queue ready without a size";
    const desc = load<u64>(r + Q_DESC), drv = load<u64>(r + Q_DRIVER), dev = load<u64>(r + Q_DEVICE);
    const descLen = 16 * <u64>num, drvLen = 6 + 2 * <u64>num, devLen = 6 + 8 * <u64>num;
    if (!areaSound(desc, descLen, 16) || !areaSound(drv, drvLen, 2) || !areaSound(dev, devLen, 4)) {
      return "virtio queue area unaligned or wrapping";
    }
    if (!inRam(core, desc, descLen, RAM_R) || !inRam(core, drv, drvLen, RAM_R)
        || !inRam(core, dev, devLen, RAM_R | RAM_W)) outside = true;
  }
  return outside ? OUTSIDE_RAM : "";
}

// The errors that apply to a call, as a bit set (bit n: error -200 - n). A refusal must
// be one of them; an acceptance needs an empty set (but see contentOptional).
@inline function bit(err: i32): u32 { return 1 << <u32>(-200 - err); }

/** Set by `applicable`: CONTENT applies only through a field the core does not check (yet). */
let contentOptional = false;
/** Set by `applicable`: the core, vGIC and virtio sections it found (0: none), and the core's layout. */
let rdCore: usize = 0;
let rdCoreV: u32 = 0;
let rdVgic: usize = 0;
let rdVirtio: usize = 0;

function applicable(src: usize, len: usize, version: u32, busy: bool): u32 {
  contentOptional = false;
  rdCore = 0;
  rdVgic = 0;
  rdVirtio = 0;
  let set: u32 = busy ? bit(STATE_ERR_BUSY) : 0;
  const memEnd = <u64>memory.size() << 16;
  const outside = src == 0 || <u64>src + <u64>len > memEnd;
  if (len < 16) set |= bit(STATE_ERR_SPACE);
  if (outside) set |= bit(STATE_ERR_RANGE);
  if (len < 16 || outside) return set;   // no header to read
  if (u32at(src) != MAGIC) set |= bit(STATE_ERR_MAGIC);
  const format = u32at(src + 4);
  if (format == 1 || format == 2) return set | singleBlock(src, len, version, format);
  if (format != 3) return set | bit(STATE_ERR_VERSION);
  return set | sectioned(src, len, version);
}

/** Formats 1 and 2: a 16-byte header and the core block of that layout. */
function singleBlock(src: usize, len: usize, version: u32, format: u32): u32 {
  let set: u32 = 0;
  const size = coreBytes(format);
  if (format != version) set |= bit(STATE_ERR_VERSION);
  if (<usize>u32at(src + 8) != 16 + size) set |= bit(STATE_ERR_LENGTH);
  if (len < 16 + size) return set | bit(STATE_ERR_SPACE);   // no payload to read
  if (fnv(src + 16, size) != u32at(src + 12)) set |= bit(STATE_ERR_CHECKSUM);
  rdCore = src + 16;
  rdCoreV = format;
  return set | contentBits();
}

/** Format 3: header, table framing, what each section is, checksums, then the contents. */
function sectioned(src: usize, len: usize, version: u32): u32 {
  if (len < HEADER) return bit(STATE_ERR_SPACE);
  const length = <usize>u32at(src + 8);
  const count = u32at(src + 16);
  if (count == 0 || count > ID_LAST) return bit(STATE_ERR_TABLE);
  const tableEnd = HEADER + <usize>count * RECORD;
  if (length < tableEnd) return bit(STATE_ERR_LENGTH);
  if (len < length) return bit(STATE_ERR_SPACE);
  let set: u32 = 0;
  if (sum3(src + 16, tableEnd - 16) != u32at(src + 12)) set |= bit(STATE_ERR_CHECKSUM);
  if (u32at(src + 20) != 0) set |= bit(STATE_ERR_TABLE);
  let end = tableEnd;
  let ids: u32 = 0;
  for (let k: usize = 0; k < <usize>count; k++) {
    const r = src + HEADER + k * RECORD;
    const id = u32at(r), off = <usize>u32at(r + 8), n = <usize>u32at(r + 12);
    if (id < 1 || id > ID_LAST || (ids & (1 << id)) != 0 || u32at(r + 20) != 0) set |= bit(STATE_ERR_TABLE);
    if (id >= 1 && id <= ID_LAST) ids |= 1 << id;
    if (off != align8(end)) set |= bit(STATE_ERR_TABLE);
    if (<u64>off + <u64>n > <u64>length) return set | bit(STATE_ERR_LENGTH);   // no section to read
    for (let a = end; a < off; a++) if (load<u8>(src + a) != 0) set |= bit(STATE_ERR_TABLE);
    end = off + n;
  }
  if (end != length) set |= bit(STATE_ERR_LENGTH);
  if ((ids & (1 << ID_CORE)) == 0) set |= bit(STATE_ERR_TABLE);
  let named: u32 = 0;
  let readable = true;
  for (let k: usize = 0; k < <usize>count; k++) {
    const r = src + HEADER + k * RECORD;
    const id = u32at(r), v = u32at(r + 4), n = <usize>u32at(r + 12);
    const bytes: usize = v > 0xff ? 0 : id == ID_CORE ? coreBytes(v) : id == ID_VGIC && v == VGIC_V ? VGIC_SIZE
      : id == ID_VIRTIO && v == VIRTIO_V ? VIRTIO_STATE_SIZE : 0;
    if (bytes == 0) { set |= bit(STATE_ERR_VERSION); readable = false; continue; }
    if (n != bytes) { set |= bit(STATE_ERR_LENGTH); readable = false; continue; }
    named |= v << ((id - 1) << 3);
    if (id == ID_CORE && rdCore == 0) { rdCore = src + <usize>u32at(r + 8); rdCoreV = v; }
    if (id == ID_VGIC && rdVgic == 0) rdVgic = src + <usize>u32at(r + 8);
    if (id == ID_VIRTIO && rdVirtio == 0) rdVirtio = src + <usize>u32at(r + 8);
    if (sum3(src + <usize>u32at(r + 8), n) != u32at(r + 16)) set |= bit(STATE_ERR_CHECKSUM);
  }
  if (named != version) set |= bit(STATE_ERR_VERSION);
  if (!readable || rdCore == 0) return set;
  return set | contentBits();
}

/** CONTENT when the core, vGIC or virtio section found is out of range (optional for unchecked fields). */
function contentBits(): u32 {
  if (contentFault(rdCore, rdCoreV).length > 0) return bit(STATE_ERR_CONTENT);
  if (rdVgic != 0 && vgicFault(rdVgic, rdCore).length > 0) return bit(STATE_ERR_CONTENT);
  if (rdVirtio != 0 && virtioFault(rdVirtio, rdCore).length > 0) return bit(STATE_ERR_CONTENT);
  if (uncheckedFault(rdCore).length > 0) { contentOptional = true; return bit(STATE_ERR_CONTENT); }
  return 0;
}

// ---- reshaping and damage ----

/** Where the current case's core, vGIC and virtio sections are in WORK (0: not there), for the damage. */
let workCore: usize = 0;
let workCoreSize: usize = 0;
let workVgic: usize = 0;
let workVirtio: usize = 0;
let workSectioned = false;
let vgicTouched = false;

/** Section `id` of the format 3 blob in WORK as its table says, or 0. */
function workSection(id: u32): usize {
  const n = u32at(WORK + 16);
  for (let k: usize = 0; k < <usize>n && k < <usize>ID_LAST; k++) {
    const r = WORK + HEADER + k * RECORD;
    if (u32at(r) == id) return WORK + <usize>u32at(r + 8);
  }
  return 0;
}

/** Reshape a format 3 base into WORK: as saved, or rewritten; the state version it then has. */
function reshape(base: usize, baseLen: usize): u32 {
  const core = base + HEADER + 3 * RECORD;
  const vgic = align8(core + STATE_SIZE);
  const virtio = align8(vgic + VGIC_SIZE);
  const r = below(100);
  workSectioned = true;
  blobBegin();
  let version: u32;
  if (r < 60) {
    memory.copy(WORK, base, baseLen);
    version = V_NOW;
  } else if (r < 70) {                 // no virtio section (a module with two sections): the device from a reset
    blobPart(ID_CORE, STATE_LAYOUT_VERSION, core, STATE_SIZE);
    blobPart(ID_VGIC, VGIC_V, vgic, VGIC_SIZE);
    version = V_TWO;
  } else if (r < 77) {                 // the core alone: the vGIC and the virtio device from a reset
    blobPart(ID_CORE, STATE_LAYOUT_VERSION, core, STATE_SIZE);
    version = STATE_LAYOUT_VERSION;
  } else if (r < 80) {                 // no vGIC section, the virtio device's
    blobPart(ID_CORE, STATE_LAYOUT_VERSION, core, STATE_SIZE);
    blobPart(ID_VIRTIO, VIRTIO_V, virtio, VIRTIO_STATE_SIZE);
    version = stateVersionOf(STATE_LAYOUT_VERSION, 0, VIRTIO_V);
  } else if (r < 95) {                 // the core in an older layout, with or without the virtio section
    const v: u32 = r < 90 ? 2 : 1;
    const withVirtio = chance(70);
    blobPart(ID_CORE, v, core, coreBytes(v));
    blobPart(ID_VGIC, VGIC_V, vgic, VGIC_SIZE);
    if (withVirtio) blobPart(ID_VIRTIO, VIRTIO_V, virtio, VIRTIO_STATE_SIZE);
    version = stateVersionOf(v, VGIC_V, withVirtio ? VIRTIO_V : 0);
  } else {                             // a section this module does not have
    blobPart(ID_CORE, STATE_LAYOUT_VERSION, core, STATE_SIZE);
    blobPart(ID_VGIC, VGIC_V, vgic, VGIC_SIZE);
    blobPart(ID_VIRTIO, VIRTIO_V, virtio, VIRTIO_STATE_SIZE);
    blobPart(ID_LAST, 1, vgic, 64);
    version = stateVersionOf(STATE_LAYOUT_VERSION, VGIC_V, VIRTIO_V, 1);
  }
  if (r >= 60) blobWrite(WORK);
  workCore = WORK + <usize>u32at(WORK + HEADER + 8);
  workCoreSize = <usize>u32at(WORK + HEADER + 12);
  workVgic = workSection(ID_VGIC);
  workVirtio = workSection(ID_VIRTIO);
  return version;
}

/** Blob length as WORK's header says (bounded by CAP). */
function workLength(): usize {
  const n = <usize>u32at(WORK + 8);
  return n > CAP - 64 ? CAP - 64 : n;
}

function reseal(): void {
  if (!workSectioned) {
    store<u32>(WORK + 12, fnv(WORK + 16, workCoreSize));
    return;
  }
  let count = <usize>u32at(WORK + 16);
  if (count > ID_LAST) count = ID_LAST;
  for (let k: usize = 0; k < count; k++) {
    const r = WORK + HEADER + k * RECORD;
    const off = <usize>u32at(r + 8), n = <usize>u32at(r + 12);
    if (<u64>off + <u64>n <= <u64>CAP) store<u32>(r + 16, sum3(WORK + off, n));
  }
  store<u32>(WORK + 12, sum3(WORK + 16, HEADER + count * RECORD - 16));
}

/** Core payload offsets of the u32 fields with a limit, and values at and around their edges. */
const FIELDS: StaticArray<usize> = [VM_STATE, VM_VCPU_COUNT, VM_REGION_COUNT, VM_DEVICE_COUNT, VM_IPA_BITS,
  VM_NAME_LEN, VM_INDEX, VM_TYPE, VM_PCPU_MASK, VM_WORD_52, MMIO_COUNT, CONSOLE_LEN, HCWARN_COUNT, HC_BENCH,
  S2_TABLE_COUNT, S2_ROOT, PL011_RX_OFF + PL011_RX_HEAD, PL011_RX_OFF + PL011_RX_COUNT, PL011_RX_OFF + PL011_RX_RIS, VM_EXITS_OFF];
/** vGIC fields with a limit. */
const VGIC_FIELDS: StaticArray<usize> = [VG_VERSION, VG_VCPUS, VG_CURRENT, VG_LR_COUNT, VG_WARN_COUNT, VG_MODEL,
  VG_CTLR, VG_FLAGS, VGIC_VCPU_OFF + R_LR_USED, VGIC_VCPU_OFF + VGIC_VCPU_RECORD + R_LR_USED, VGIC_VCPU_OFF + R_HCR];
const EDGES: StaticArray<u32> = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 39, 40, 119, 120, 255, 256, 510, 511,
  512, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

function edgeValue(): u32 {
  return chance(80) ? EDGES[<i32>below(EDGES.length)] : <u32>edgy(32);
}

function coreOffset(): usize {
  const r = below(100);
  if (r < 55) return <usize>below(<u64>COUNTERS_OFF);                          // VM, regions, registry, PL011, console, warnings
  if (r < 75) return S2_OFF + <usize>below(8 + 4 * <u64>S2_RECORD);            // stage-2 root, count, first records
  return <usize>below(<u64>workCoreSize);
}

/** Virtio fields with a limit (u32), per queue too. */
const VIRTIO_FIELDS: StaticArray<usize> = [VT_VERSION, VT_STATUS, VT_DRV_FEAT_HIGH, VT_INT_STATUS, VT_FLAGS, VT_ERROR,
  VT_QUEUE_SEL, VT_DRV_FEAT + 4, VT_QUEUE_OFF + Q_NUM, VT_QUEUE_OFF + Q_READY, VT_QUEUE_OFF + Q_LAST_AVAIL,
  VT_QUEUE_OFF + Q_USED_IDX, VT_QUEUE_OFF + Q_RECORD + Q_NUM, VT_QUEUE_OFF + Q_RECORD + Q_READY,
  VT_QUEUE_OFF + Q_RECORD + Q_LAST_AVAIL, VT_QUEUE_OFF + Q_RECORD + Q_USED_IDX];
const VIRTIO_AREAS: StaticArray<usize> = [Q_DESC, Q_DRIVER, Q_DEVICE];

/** A queue area: inside the RAM, at its very end, straddling it, outside it, unaligned, wrapping. */
function virtioAddress(): u64 {
  const k = below(12);
  if (k == 0) return RAM_IPA + (below(<u64>RAM_SIZE) & ~<u64>15);
  if (k == 1) return RAM_IPA + RAM_SIZE - (16 << below(10));
  if (k <= 3) return RAM_IPA + RAM_SIZE - 8 * below(4);
  if (k == 4) return RAM_IPA - 16 * (1 + below(4));
  if (k == 5) return 0x20000000 + (below(0x1000) << 4);
  if (k == 6) return RAM_IPA + RAM_SIZE + 16 * below(4);
  if (k == 7) return 0;
  if (k == 8) return RAM_IPA + RAM_SIZE * (1 + below(3));
  if (k == 9) return RAM_IPA + 0x100000 + 1 + below(15);
  if (k == 10) return 0xfffffffffffffff0 - (below(4) << 4);
  return rnd();
}

/** Device bases and sizes: empty, page-sized, wrapping, past the IPA space. */
const WIDE: StaticArray<u64> = [0, 1, 0x1000, 0x09000000, 0x8000000000, 0x100000000, 0x7fffffffffffffff,
  0x8000000000000000, 0xfffffffffffff000, 0xffffffffffffffff];

function mutateOnce(): void {
  const p = workCore;
  const r = below(100);
  if (r < 8) {
    const a = WORK + <usize>below(workSectioned ? HEADER : 16);
    store<u8>(a, load<u8>(a) ^ <u8>(1 + below(255)));
  } else if (r < 16 && workSectioned) {
    // A section record: a byte, or a field at an edge.
    const rec = WORK + HEADER + <usize>below(<u64>ID_LAST + 1) * RECORD;   // one past the table too
    const f = rec + <usize>below(6) * 4;
    if (chance(40)) store<u8>(rec + <usize>below(RECORD), <u8>rnd());
    else store<u32>(f, chance(50) ? edgeValue() : u32at(f) + <u32>below(17) - 8);
  } else if (r < 40) {
    const off = FIELDS[<i32>below(FIELDS.length)];
    if (off + 4 <= workCoreSize) store<u32>(p + off, edgeValue());
  } else if (r < 48) {
    // A registry entry (one past the count included) or a stage-2 record.
    if (chance(50)) {
      const e = p + MMIO_ENTRIES + (chance(80) ? <usize>below(2) : <usize>below(MAX_DEVICES + 1)) * MMIO_RECORD;
      const f = below(3);
      if (f == 0) store<u32>(e + MMIO_KIND, <u32>below(8));
      else store<u64>(e + (f == 1 ? MMIO_BASE : MMIO_LIMIT), WIDE[<i32>below(WIDE.length)]);
    } else {
      const i = chance(80) ? <usize>below(3) : <usize>below(S2_TABLES_MAX + 1);
      const fields: StaticArray<usize> = [S2_REC_PARENT, S2_REC_INDEX, S2_REC_CHILD];
      store<u32>(p + S2_TABLES + i * S2_RECORD + fields[<i32>below(3)], edgeValue());
    }
  } else if (r < 54) {
    const chars: StaticArray<u8> = [0x61, 0x7a, 0x30, 0x5f, 0x2d, 0, 0x41, 0x20, 0x2f, 0x80, 0xff];
    store<u8>(p + VM_NAME + <usize>below(16), chars[<i32>below(chars.length)]);
  } else if (r >= 85 && workVirtio != 0) {
    // The virtio section: a field at an edge, a queue area anywhere, a byte.
    const v = workVirtio;
    const k = below(100);
    if (k < 30) {
      store<u32>(v + VIRTIO_FIELDS[<i32>below(VIRTIO_FIELDS.length)], edgeValue());
    } else if (k < 80) {
      store<u64>(qrec(v, <u32>below(2)) + VIRTIO_AREAS[<i32>below(3)], virtioAddress());
    } else if (k < 88) {
      store<u64>(v + VT_DRV_FEAT, chance(50) ? <u64>1 << below(64) : rnd());
    } else {
      const a = v + <usize>below(VIRTIO_STATE_SIZE);
      store<u8>(a, load<u8>(a) ^ <u8>(1 << <u8>below(8)));
    }
  } else if (r < 70 || workVgic == 0) {
    if (chance(70)) {
      const a = p + coreOffset();
      store<u8>(a, load<u8>(a) ^ <u8>(1 << <u8>below(8)));
    } else {
      store<u32>(p + (coreOffset() & ~<usize>3), <u32>rnd());
    }
  } else {
    // The vGIC section: a field at an edge, a list register shadow, an SPI's owner, a byte.
    vgicTouched = true;
    const g = workVgic;
    const k = below(100);
    if (k < 40) {
      store<u32>(g + VGIC_FIELDS[<i32>below(VGIC_FIELDS.length)], edgeValue());
    } else if (k < 60) {
      const v = <u32>below(3);
      const i = <usize>below(LR_MAX);
      const vals: StaticArray<u64> = [27, 33, 40, 255, 256, 0x3ff, 5 | (1 << 10), 5 | (3 << 10), 40 | (1 << 10), 0x10000001];
      store<u64>(vrec(g, v) + R_LR_VAL + (i << 3), chance(70) ? vals[<i32>below(vals.length)] : rnd());
      if (chance(70)) store<u32>(vrec(g, v) + R_LR_USED, u32at(vrec(g, v) + R_LR_USED) | (1 << <u32>i));
    } else if (k < 70) {
      store<u8>(g + VG_OWNER + 32 + <usize>below(224), <u8>below(4));
    } else {
      const a = g + <usize>below(VGIC_SIZE);
      store<u8>(a, load<u8>(a) ^ <u8>(1 << <u8>below(8)));
    }
  }
}

// ---- after an accepted blob: the state must be the blob's, and the VM must still behave ----

/** The live core block is the section found, converted: "" or what differs. */
function coreAsBlob(): string {
  const size = coreBytes(rdCoreV);
  if (memory.compare(STATE, rdCore, size) != 0) return "the core block is not the section";
  for (let a = size; a < STATE_SIZE; a++) {
    if (load<u8>(STATE + a) != 0) return "the core block of an older layout has more than zero past its end (+" + hx(<u64>a) + ")";
  }
  return "";
}

/**
 * The live vGIC block: the section (but for what a restore recomputes: the LISTED bits,
 * SPI owners, pending bitmaps, GICv2 SGI latches, kick flags), or from a reset when the blob
 * had none: all zero without a VM, else the VM's vCPUs and GIC model, everything off.
 */
function vgicAsBlob(): string {
  if (rdVgic != 0) {
    if (memory.compare(VGIC, rdVgic, VG_BITS) != 0) return "vGIC distributor words differ from the section";
    if (memory.compare(VGIC + VG_PRIO, rdVgic + VG_PRIO, VG_OWNER - VG_PRIO) != 0) return "vGIC priorities or routes differ";
    for (let v: u32 = 0; v < MAX_VCPUS; v++) {
      if (memory.compare(vrec(VGIC, v), vrec(rdVgic, v), R_BITS - 4) != 0) return "vGIC vCPU words differ";
      if (memory.compare(vrec(VGIC, v) + R_PRIO, vrec(rdVgic, v) + R_PRIO, R_SGI_SRC - R_PRIO) != 0) {
        return "vGIC list register shadows differ";
      }
    }
    return "";
  }
  if (u32at(rdCore + VM_STATE) == 0) {
    for (let a: usize = 0; a < VGIC_SIZE; a++) if (load<u8>(VGIC + a) != 0) return "vGIC without a VM not all zero";
    return "";
  }
  let model: u32 = 3;
  const n = u32at(rdCore + MMIO_COUNT);
  for (let i: u32 = 0; i < n; i++) if (u32at(rdCore + MMIO_ENTRIES + <usize>i * MMIO_RECORD + MMIO_KIND) == GICV2_DIST_KIND) model = 2;
  if (u32at(VGIC + VG_VERSION) != VGIC_V || u32at(VGIC + VG_VCPUS) != u32at(rdCore + VM_VCPU_COUNT)
      || u32at(VGIC + VG_MODEL) != model || u32at(VGIC + VG_CTLR) != 0 || u32at(VGIC + VG_CURRENT) != NO_VCPU) {
    return "vGIC from a reset has the wrong vCPUs, model or enables";
  }
  return "";
}

/** The live virtio block: the section, or the block a device reset leaves when the blob had none. */
function virtioAsBlob(): string {
  if (rdVirtio != 0) {
    return memory.compare(VIRTIO_STATE, rdVirtio, VIRTIO_STATE_SIZE) != 0 ? "the virtio block is not the section" : "";
  }
  if (u32at(VIRTIO_STATE + VT_VERSION) != VIRTIO_V) return "the virtio device from a reset is not of layout 1";
  for (let a: usize = 4; a < VIRTIO_STATE_SIZE; a++) {
    if (load<u8>(VIRTIO_STATE + a) != 0) return "the virtio device from a reset has more than zero (+" + hx(<u64>a) + ")";
  }
  return "";
}

/** The kind of the first device of the live registry whose window holds `ipa` (as the core looks it up), or 0. */
function kindAt(ipa: u64): u32 {
  const n = load<u32>(STATE + MMIO_COUNT);
  for (let i: u32 = 0; i < n && i < MAX_DEVICES; i++) {
    const e = STATE + MMIO_ENTRIES + <usize>i * MMIO_RECORD;
    const base = load<u64>(e + MMIO_BASE);
    if (ipa >= base && ipa - base < load<u64>(e + MMIO_LIMIT)) return load<u32>(e + MMIO_KIND);
  }
  return 0;
}

/** A random registered PL011 (device kind 1) of the live registry, or -1: the model knows no other device. */
function pl011Slot(): i32 {
  const n = load<u32>(STATE + MMIO_COUNT);
  if (n == 0 || n > MAX_DEVICES) return -1;
  const first = <u32>below(<u64>n);
  for (let k: u32 = 0; k < n; k++) {
    const i = (first + k) % n;
    if (load<u32>(STATE + MMIO_ENTRIES + <usize>i * MMIO_RECORD + MMIO_KIND) == 1) return <i32>i;
  }
  return -1;
}

const HC_IDS: StaticArray<u32> = [HC_NULL, HC_VERSION, HC_PUTC, HC_VM_INFO, HC_REPORT, 0xc6000077];

function genExit(): i32 {
  exitSelect(0);   // built in vCPU 0's record, then moved to the vCPU's own (below)
  for (let n: usize = 0; n < 31; n++) store<u64>(exitRecord + EXIT_X + (n << 3), rnd());
  store<u64>(exitRecord + EXIT_PC, 0x40080000);
  const r = below(100);
  let esr: u64;
  if (r < 40) {
    esr = (<u64>0x16 << 26) | (<u64>1 << 25);
    store<u64>(exitRecord + EXIT_X, <u64>HC_IDS[<i32>below(HC_IDS.length)]);
    store<u64>(exitRecord + EXIT_X + 8, below(0x180));
  } else if (r < 85) {
    // An access to a registered PL011 (or wherever a damaged registry says one is).
    const slot = pl011Slot();
    const ipa = slot >= 0 && chance(85)
      ? load<u64>(STATE + MMIO_ENTRIES + <usize>slot * MMIO_RECORD + MMIO_BASE) + below(0x1000)
      : rndBits(39);
    store<u64>(exitRecord + EXIT_HPFAR, (ipa >> 12) << 4);
    store<u64>(exitRecord + EXIT_FAR, ipa & 0xfff);
    esr = (<u64>0x24 << 26) | (<u64>1 << 25) | (<u64>1 << 24) | (below(4) << 22) | (below(2) << 21)
      | (below(32) << 16) | (below(2) << 15) | (below(2) << 6) | 0x07;
    // A device the model does not know (a GIC, the virtio-console): a WFE instead.
    const kind = kindAt(ipa);
    if (kind != 0 && kind != 1) esr = (<u64>0x01 << 26) | (<u64>1 << 25) | 1;
  } else {
    // WFI or WFE; only WFE after a damaged vGIC (what WFI answers depends on the vGIC,
    // which the model leaves to the vGIC's own specs).
    esr = (<u64>0x01 << 26) | (<u64>1 << 25) | (vgicTouched ? 1 : below(2));
  }
  store<u64>(exitRecord + EXIT_ESR, esr);
  const vcpu = chance(90) ? <i32>below(<u64>load<u32>(STATE + VM_VCPU_COUNT) + 1) : <i32>rnd();
  // The record of the vCPU the exit names; one the VM does not have is refused unread.
  if (<u32>vcpu < MAX_VCPUS && vcpu != 0) {
    memory.copy(exitRecordOf(<u32>vcpu), exitRecord, RECORD_BYTES);
    exitSelect(<u32>vcpu);
  }
  return vcpu;
}

/** A few exits on the restored VM, each checked against the model. */
function driveRestored(): string {
  for (let i = 0; i < 6 && vmState() == 1; i++) {
    const vcpu = genExit();
    const lines = consoleCount();
    modelBegin();
    staticSnap();
    const action = handleExit(vcpu);
    const stray = staticChanged();
    const what = "exit " + i.toString() + " (esr " + hx(load<u64>(exitRecord + EXIT_ESR)) + ", vcpu "
      + vcpu.toString() + ") after the restore: ";
    if (stray >= 0) return what + "static memory changed at " + hx(<u64>stray);
    if (mOutsideAbi(vcpu)) {
      const o = outsideAbiDiff(action);
      if (o.length > 0) return what + o;
      modelResync();
      continue;
    }
    const d = modelDiff(action, mExit(vcpu), lines);
    if (d.length > 0) return what + d;
  }
  return "";
}

// ---- the fuzz loop ----

let cases: i32 = 0;
let accepted: i32 = 0;
let acceptedOlder: i32 = 0;
let acceptedNoVgic: i32 = 0;
let acceptedNoVirtio: i32 = 0;
let acceptedReadyQueue: i32 = 0;
let contentRefused: i32 = 0;
/** CONTENT refusals whose only fault is in the virtio section, and those of a queue outside the VM's RAM. */
let virtioRefused: i32 = 0;
let outsideRamRefused: i32 = 0;
let drove: i32 = 0;
let rebuilt: i32 = 0;
let restagedOk: i32 = 0;
const refusals = new StaticArray<i32>(10);
/** Accepted blobs with a field out of range that the core does not check, by field. */
const uncheckedNames: string[] = [];
const uncheckedCounts: i32[] = [];

function noteUnchecked(what: string): void {
  const i = uncheckedNames.indexOf(what);
  if (i >= 0) { uncheckedCounts[i]++; return; }
  uncheckedNames.push(what);
  uncheckedCounts.push(1);
}

/** The blob to damage, into WORK: the state version it is saved as. */
function pickBase(): u32 {
  vgicTouched = false;
  const r = below(100);
  if (r < 15) {
    workSectioned = false;
    const v1 = r < 5;
    memory.copy(WORK, v1 ? BASE_V1 : BASE_V2, v1 ? v1Len : v2Len);
    workCore = WORK + 16;
    workCoreSize = v1 ? STATE_SIZE_V1 : STATE_SIZE_V2;
    workVgic = 0;
    workVirtio = 0;
    return v1 ? 1 : 2;
  }
  return r < 32 ? reshape(BASE_EMPTY, emptyLen) : reshape(BASE_RUN, runLen);
}

/** The restore's windows in static memory: the live blocks, the stages and the parse scratch. */
function restoreCallWindows(): void {
  staticWindowsClear();
  staticWindow(STATE, STATE_SIZE);
  staticWindow(VGIC, VGIC_SIZE);
  staticWindow(VIRTIO_STATE, VIRTIO_STATE_SIZE);
  for (let i = 0; i < sectionCount(); i++) staticWindow(sectionStage(i), sectionSize(i));
  staticWindow(PARSE_SCRATCH, PARSE_SCRATCH_SIZE);
  staticWindow(VGIC_CHECK_SCRATCH, VGIC_CHECK_SCRATCH_SIZE);
}

function oneCase(i: i32): string {
  let version = pickBase();
  let len = workLength();
  for (let a: usize = len; a < len + 64; a++) store<u8>(WORK + a, <u8>rnd());
  const intact = chance(8);
  if (!intact) {
    const k = 1 + <i32>below(3);
    for (let j = 0; j < k; j++) mutateOnce();
    if (chance(50)) reseal();
  }
  let src = WORK;
  if (!intact) {
    const l = below(100);
    if (l < 6) len = <usize>below(24);
    else if (l < 12) len = <usize>below(<u64>len);
    else if (l < 18) len = len + 1 + <usize>below(64);
    if (chance(6)) version = chance(50) ? <u32>below(0x400) : <u32>rnd();
    const s = below(100);
    if (s < 2) src = 0;
    else if (s < 5) src = <usize>(<u64>memory.size() << 16) - <usize>below(<u64>len + 32);
  }
  // The instance: fresh (empty, sometimes with leftovers in its blocks), running or stopped
  // a VM, or staged (restored, no exit since: a restore over it is allowed).
  const live = below(100);
  vmResetState();
  memory.copy(VGIC, RUN_VGIC, VGIC_SIZE);
  memory.copy(VIRTIO_STATE, RUN_VIRTIO, VIRTIO_STATE_SIZE);
  if (live < 15) {
    for (let a: usize = 0; a < STATE_SIZE; a += 8) store<u64>(STATE + a, rnd());
    store<u32>(STATE + VM_STATE, 0);
    for (let a: usize = 0; a < VGIC_SIZE; a += 8) store<u64>(VGIC + a, rnd());
    for (let a: usize = 0; a < VIRTIO_STATE_SIZE; a += 8) store<u64>(VIRTIO_STATE + a, rnd());
  } else if (live < 23) {
    memory.copy(STATE, RUN_STATE, STATE_SIZE);
    if (chance(40)) store<u32>(STATE + VM_STATE, chance(50) ? 2 : <u32>rnd() | 1);
  } else if (live < 30) {
    expect(stateRestore(BASE_RUN, runLen, V_NOW)).toBe(0);
  }
  const staged = live >= 23 && live < 30;
  expect(stateStaged()).toBe(staged);
  const busy = load<u32>(STATE + VM_STATE) != 0 && !staged;
  memory.copy(LIVE_BEFORE, STATE, STATE_SIZE);
  memory.copy(VGIC_BEFORE, VGIC, VGIC_SIZE);
  memory.copy(VIRTIO_BEFORE, VIRTIO_STATE, VIRTIO_STATE_SIZE);

  const set = applicable(src, len, version, busy);
  // What the independent reading found wrong in the virtio section alone (read now: the
  // blob may lie in the instance's own memory the restore writes).
  const virtioOnly = rdCore != 0 && rdVirtio != 0 && contentFault(rdCore, rdCoreV).length == 0
    && (rdVgic == 0 || vgicFault(rdVgic, rdCore).length == 0) ? virtioFault(rdVirtio, rdCore) : "";
  const readyQueue = rdVirtio != 0 && (u32at(qrec(rdVirtio, 0) + Q_READY) | u32at(qrec(rdVirtio, 1) + Q_READY)) != 0;
  restoreCallWindows();
  staticSnap();
  const rc = stateRestore(src, len, version);
  const stray = staticChanged();
  driveWindows();

  const what = "case " + i.toString() + " (len " + len.toString() + ", version " + hx(<u64>version) + ", src "
    + hx(<u64>src) + (busy ? ", busy" : "") + (staged ? ", staged" : "") + "): rc " + rc.toString() + ": ";
  if (stray >= 0) return what + "static memory changed at " + hx(<u64>stray);
  if (rc != 0 && (rc < STATE_ERR_TABLE || rc > STATE_ERR_RANGE)) return what + "not a documented error";
  if (rc != 0) {
    refusals[-200 - rc]++;
    if (memory.compare(STATE, LIVE_BEFORE, STATE_SIZE) != 0) return what + "refused, but the live core block changed";
    if (memory.compare(VGIC, VGIC_BEFORE, VGIC_SIZE) != 0) return what + "refused, but the live vGIC block changed";
    if (memory.compare(VIRTIO_STATE, VIRTIO_BEFORE, VIRTIO_STATE_SIZE) != 0) {
      return what + "refused, but the live virtio block changed";
    }
    if ((set & bit(rc)) == 0) return what + "an error that does not apply (applicable set " + hx(<u64>set) + ")";
    if (rc == STATE_ERR_CONTENT) contentRefused++;
    if (rc == STATE_ERR_CONTENT && virtioOnly.length > 0) virtioRefused++;
    if (rc == STATE_ERR_CONTENT && virtioOnly == OUTSIDE_RAM) outsideRamRefused++;
    cases++;
    return "";
  }
  accepted++;
  if (staged) restagedOk++;
  const required = contentOptional ? set & ~bit(STATE_ERR_CONTENT) : set;
  if (required != 0) {
    const vg = rdVgic != 0 ? vgicFault(rdVgic, rdCore) : "";
    const vt = rdVirtio != 0 ? virtioFault(rdVirtio, rdCore) : "";
    return what + "accepted a blob with " + hx(<u64>required) + " (" + contentFault(rdCore, rdCoreV) + vg + vt + ")";
  }
  if (rdCoreV != STATE_LAYOUT_VERSION) acceptedOlder++;
  if (rdVgic == 0) acceptedNoVgic++;
  if (rdVirtio == 0) acceptedNoVirtio++;
  if (readyQueue) acceptedReadyQueue++;
  let d = coreAsBlob();
  if (d.length == 0) d = vgicAsBlob();
  if (d.length == 0) d = virtioAsBlob();
  if (d.length > 0) return what + "accepted, but " + d;
  const unchecked = uncheckedFault(rdCore);
  if (unchecked.length > 0) noteUnchecked(unchecked);
  if (vmState() == 1) {
    fakeReset();
    const e = driveRestored();
    if (e.length > 0) return what + e;
    drove++;
  } else if (vmState() == 0 && chance(25)) {
    // An empty instance restored: it can still build its VM.
    fakeReset();
    const n = makeBlob(1);
    if (vmInit(0, BLOB, n) != 0) return what + "wv_init failed after restoring an empty instance";
    rebuilt++;
  }
  cases++;
  return "";
}

/** What the exits after a restore may write. */
function driveWindows(): void {
  staticWindowsClear();
  staticWindow(STATE, STATE_SIZE);
  staticWindow(VGIC, VGIC_SIZE);   // the vGIC's own state block (arch/vgic_layout.ts)
  staticWindow(EXIT_RECORDS, RECORD_BYTES * <usize>MAX_VCPUS);
  staticWindow(windowLog, LOG_BUF_BYTES);
  staticWindow(windowOut, OUT_BUF_BYTES);
}

function fuzzRestore(seed: u64, n: i32): string {
  build();
  fuzzSeed(seed);
  for (let i = 0; i < n; i++) {
    const d = oneCase(i);
    if (d.length > 0) return d;
  }
  return "";
}

describe("stateRestore of damaged saved state", () => {
  it("restores the undamaged blobs, of every format", () => {
    build();
    vmResetState();
    expect(applicable(BASE_RUN, runLen, V_NOW, false)).toBe(0);
    expect(stateRestore(BASE_RUN, runLen, V_NOW)).toBe(0);
    expect(vmState()).toBe(1);
    vmResetState();
    expect(applicable(BASE_EMPTY, emptyLen, V_NOW, false)).toBe(0);
    expect(stateRestore(BASE_EMPTY, emptyLen, V_NOW)).toBe(0);
    expect(vmState()).toBe(0);
    vmResetState();
    expect(applicable(BASE_V2, v2Len, 2, false)).toBe(0);
    expect(stateRestore(BASE_V2, v2Len, 2)).toBe(0);
    expect(vmState()).toBe(1);
    vmResetState();
    expect(applicable(BASE_V1, v1Len, 1, false)).toBe(0);
    expect(stateRestore(BASE_V1, v1Len, 1)).toBe(0);
    expect(vmState()).toBe(1);
    vmResetState();
    expect(applicable(BASE_TWO, twoLen, V_TWO, false)).toBe(0);
    expect(rdVirtio).toBe(0);
    expect(stateRestore(BASE_TWO, twoLen, V_TWO)).toBe(0);
    expect(vmState()).toBe(1);
    expect(virtioAsBlob()).toBe("");
    // The running VM's virtio section: ready queues inside its RAM, found sound by the independent reading.
    expect(applicable(BASE_RUN, runLen, V_NOW, false)).toBe(0);
    expect(rdVirtio).toBeGreaterThan(0);
    expect(virtioFault(rdVirtio, rdCore)).toBe("");
    expect(u32at(qrec(rdVirtio, 1) + Q_READY)).toBe(1);
    store<u64>(qrec(RUN_VIRTIO, 1) + Q_DRIVER, 0x20000000);
    expect(virtioFault(RUN_VIRTIO, rdCore)).toBe(OUTSIDE_RAM);
    store<u64>(qrec(RUN_VIRTIO, 1) + Q_DRIVER, load<u64>(qrec(rdVirtio, 1) + Q_DRIVER));
  });

  it("refuses or restores exactly (seed 0x57a7e001)", () => {
    expect(fuzzRestore(0x57a7e001, 1500)).toBe("");
  });

  it("refuses or restores exactly (seed 0x57a7e002)", () => {
    expect(fuzzRestore(0x57a7e002, 1500)).toBe("");
  });

  it("covered every refusal, acceptances of every shape and the content checks", () => {
    let s = "state: " + cases.toString() + " cases, " + accepted.toString() + " accepted (" + acceptedOlder.toString()
      + " of an older core layout, " + acceptedNoVgic.toString() + " without a vGIC section, "
      + acceptedNoVirtio.toString() + " without a virtio section, " + acceptedReadyQueue.toString()
      + " with a ready virtio queue, " + restagedOk.toString() + " over a staged instance, " + drove.toString()
      + " VMs driven after, " + rebuilt.toString() + " empty instances built after); refusals";
    for (let k = 1; k <= 9; k++) s += " -" + (200 + k).toString() + ":" + refusals[k].toString();
    s += "; -207 for the virtio section alone: " + virtioRefused.toString() + " (" + outsideRamRefused.toString()
      + " a queue outside the VM's RAM)";
    s += "; accepted with unchecked fields out of range:";
    for (let k = 0; k < uncheckedNames.length; k++) s += " " + uncheckedNames[k] + " " + uncheckedCounts[k].toString();
    log<string>(s);
    expect(cases).toBe(3000);
    for (let k = 1; k <= 9; k++) expect(refusals[k]).toBeGreaterThan(10);
    expect(accepted).toBeGreaterThan(200);
    expect(acceptedOlder).toBeGreaterThan(20);
    expect(acceptedNoVgic).toBeGreaterThan(20);
    expect(acceptedNoVirtio).toBeGreaterThan(20);
    expect(acceptedReadyQueue).toBeGreaterThan(50);
    expect(restagedOk).toBeGreaterThan(5);
    expect(contentRefused).toBeGreaterThan(200);
    expect(virtioRefused).toBeGreaterThan(20);
    expect(outsideRamRefused).toBeGreaterThan(10);
    expect(drove).toBeGreaterThan(50);
  });
});

// ---- regressions ----

/** BASE_RUN with the u32 at core offset `off` set to `v`, resealed, into a fresh instance. */
function restoreWith(off: usize, v: u32): i32 {
  build();
  memory.copy(WORK, BASE_RUN, runLen);
  workSectioned = true;
  workCore = WORK + HEADER + 3 * RECORD;
  expect(workSection(ID_CORE)).toBe(workCore);
  store<u32>(workCore + off, v);
  reseal();
  vmResetState();
  return stateRestore(WORK, runLen, V_NOW);
}

describe("regressions found by the state fuzz", () => {
  // Found with seeds 0x57a7e001/2 (a flipped byte in VM_INDEX, checksum recomputed):
  // the content check did not bound VM_INDEX by MAX_VMS, so the blob was accepted and
  // WV_HC_VM_INFO then answered the guest x0 = 8, or 0xFFFFFFFF, which a guest cannot
  // tell from SMCCC NOT_SUPPORTED.
  it("refuses a running VM's index past the VM table", () => {
    expect(restoreWith(VM_INDEX, MAX_VMS)).toBe(STATE_ERR_CONTENT);
    expect(restoreWith(VM_INDEX, 0xffffffff)).toBe(STATE_ERR_CONTENT);
  });

  // Found with the same seeds: the content check looked at S2_TABLE_COUNT and each record's
  // entry index, but not the table handles (S2_ROOT, S2_REC_PARENT, S2_REC_CHILD), which name
  // runtime table pages (at most 512 per VM): s2ChildOf would hand back a child handle of
  // 512 as the next-level table, a root of -1 says the VM has no tables.
  it("refuses stage-2 table handles outside the runtime's 512 tables", () => {
    expect(restoreWith(S2_TABLES + S2_REC_CHILD, 512)).toBe(STATE_ERR_CONTENT);
    expect(restoreWith(S2_TABLES + S2_REC_PARENT, 0xfffffff9)).toBe(STATE_ERR_CONTENT);
    expect(restoreWith(S2_ROOT, 0xffffffff)).toBe(STATE_ERR_CONTENT);
  });
});
