// Random damage to saved state (wv_save / wv_restore, docs/abi.md section 2): byte flips
// in the header and the payload, fields set to the edges of their ranges, bad names,
// truncated and extended blobs, other versions, buffers at the end of memory, and the
// checksum recomputed in half of the cases so that the content checks are reached.
// stateRestore must answer 0 or one of -201..-208 that applies to the blob, leave the
// live state byte-identical when it refuses, copy the payload exactly when it accepts,
// and write nothing else. An accepted blob must then drive a VM the reference model
// (__tests__/model.ts) agrees with.

import { stateSave, stateRestore, STATE_BLOB_SIZE, STATE_HEADER_SIZE, STATE_H_MAGIC, STATE_H_VERSION,
  STATE_H_LENGTH, STATE_H_CHECKSUM, STATE_ERR_RANGE, STATE_ERR_SPACE, STATE_ERR_MAGIC, STATE_ERR_VERSION,
  STATE_ERR_LENGTH, STATE_ERR_CHECKSUM, STATE_ERR_CONTENT, STATE_ERR_BUSY } from "../state";
import { STATE, STATE_SIZE, VM_INDEX, VM_TYPE, VM_STATE, VM_VCPU_COUNT, VM_REGION_COUNT, VM_DEVICE_COUNT,
  VM_IPA_BITS, VM_PCPU_MASK, VM_NAME, VM_NAME_LEN, REGIONS_OFF, REGION_IPA, REGION_SIZE, REGION_RECORD,
  MMIO_COUNT, MMIO_ENTRIES, MMIO_RECORD, MMIO_BASE, MMIO_LIMIT, MMIO_KIND, PL011_OFF, CONSOLE_LEN,
  HCWARN_COUNT, COUNTERS_OFF, S2_OFF, S2_ROOT, S2_TABLE_COUNT, S2_TABLES, S2_RECORD, S2_REC_PARENT,
  S2_REC_INDEX, S2_REC_CHILD, STATE_LAYOUT_VERSION, STATE_SIZE_V1, PL011_RX_OFF, PL011_RX_RECORD, PL011_RX_HEAD,
  PL011_RX_COUNT, PL011_RX_RIS } from "../layout";
import { vmResetState, vmInit, vmState } from "../vm";
import { handleExit } from "../../arch/exits";
import { logBegin, logStr, logEnd } from "../log";
import { consolePutc } from "../console";
import { consoleInput } from "../console_input";
import { cfgVm, cfgDevice, CFG_VM_VCPU_COUNT, CFG_VM_PCPU_MASK, CFG_VM_DEVICE_COUNT, CFG_D_KIND, CFG_D_IPA,
  CFG_D_SIZE } from "../config";
import { EXIT_RECORD, EXIT_X, EXIT_PC, EXIT_ESR, EXIT_FAR, EXIT_HPFAR } from "../../abi/exit_record";
import { makeBlob, BLOB } from "../../__tests__/blob";
import { fakeReset, consoleCount } from "../../__tests__/fake";
import { fuzzSeed, rnd, below, chance, rndBits, edgy, hx, staticWindowsClear, staticWindow, staticSnap,
  staticChanged, findStatic } from "../../__tests__/fuzz";
import { modelBegin, mExit, modelDiff, mOutsideAbi, outsideAbiDiff, modelResync, RECORD_BYTES, HC_NULL,
  HC_VERSION, HC_PUTC, HC_VM_INFO, HC_REPORT } from "../../__tests__/model";
import { VGIC, VGIC_SIZE } from "../../arch/vgic_layout";

const CAP: usize = 16384;
const BASE_RUN: usize = memory.data(<i32>CAP, 8);     // saved from a running VM
const BASE_EMPTY: usize = memory.data(<i32>CAP, 8);   // saved from an instance with no VM
const WORK: usize = memory.data(<i32>CAP, 8);
const LIVE_BEFORE: usize = memory.data(<i32>STATE_SIZE, 16);
const RUN_STATE: usize = memory.data(<i32>STATE_SIZE, 16);

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

// ---- the saved states to damage ----

let built = false;
let windowLog: usize = 0;
let windowOut: usize = 0;

function build(): void {
  if (built) return;
  // A running VM with two vCPUs, two PL011s and some history.
  fakeReset();
  vmResetState();
  const len = makeBlob(1);
  const rec = cfgVm(BLOB, 0);
  store<u32>(rec + CFG_VM_VCPU_COUNT, 2);
  store<u32>(rec + CFG_VM_PCPU_MASK, 3);
  store<u32>(rec + CFG_VM_DEVICE_COUNT, 2);
  const d = cfgDevice(rec, 1);
  store<u32>(d + CFG_D_KIND, 1);
  store<u64>(d + CFG_D_IPA, 0x09010000);
  store<u64>(d + CFG_D_SIZE, 0x1000);
  expect(vmInit(0, BLOB, len)).toBe(0);
  expect(vmState()).toBe(1);
  for (let i = 0; i < 3; i++) hvc(0xc6000100 + <u32>i, 0);
  hvc(HC_PUTC, 0, 0x6f);
  hvc(HC_PUTC, 1, 0x6b);
  for (let i = 0; i < 5; i++) hvc(HC_NULL, 1);
  for (let r: usize = 4; r < 0x50; r += 4) store<u32>(STATE + PL011_OFF + r, 0x100 + <u32>r);
  // Console input waiting in the first PL011's receive FIFO: the exits after a restore read it.
  for (let b: i32 = 0x61; b < 0x64; b++) expect(consoleInput(b)).toBe(0);
  expect(vmState()).toBe(1);
  memory.copy(RUN_STATE, STATE, STATE_SIZE);
  expect(stateSave(BASE_RUN, CAP)).toBe(<i32>STATE_BLOB_SIZE);

  // Static memory the exits after a restore may write.
  logBegin();
  logStr("fz-probe-log");
  logEnd();
  const logBuf = findStatic("[wasmvisor] fz-probe-log\n");
  consolePutc(0x0a);   // the pending "ok" goes out first
  const probe = "fz-probe-out\n";
  for (let i = 0; i < probe.length; i++) consolePutc(<u8>probe.charCodeAt(i));
  const outBuf = findStatic("[linux] fz-probe-out\n");
  expect(logBuf).toBeGreaterThan(0);
  expect(outBuf).toBeGreaterThan(0);
  windowLog = <usize>logBuf;
  windowOut = <usize>outBuf;

  vmResetState();
  expect(stateSave(BASE_EMPTY, CAP)).toBe(<i32>STATE_BLOB_SIZE);
  built = true;
}

function hvc(id: u32, vcpu: i32, x1: u64 = 0): i32 {
  memory.fill(EXIT_RECORD, 0, RECORD_BYTES);
  store<u64>(EXIT_RECORD + EXIT_ESR, (<u64>0x16 << 26) | (<u64>1 << 25));
  store<u64>(EXIT_RECORD + EXIT_X, <u64>id);
  store<u64>(EXIT_RECORD + EXIT_X + 8, x1);
  return handleExit(vcpu);
}

// ---- what the blob says: an independent reading of the format and the layout ----

function fnv1a(p: usize, n: usize): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i: usize = 0; i < n; i++) h = (h ^ <u32>load<u8>(p + i)) * 0x01000193;
  return h;
}

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

/** Payload bytes of a saved state of version `v` (1: before the PL011 receive FIFOs); 0 if unknown. */
function payloadBytes(v: u32): usize {
  return v == STATE_LAYOUT_VERSION ? STATE_SIZE : v == 1 ? STATE_SIZE_V1 : 0;
}

/** The first count or index out of its documented range in payload `p` of version `v`; "" if none. */
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
    if (kind < 1 || kind > 4) return "device kind";   // PL011, GICv3 distributor, GICv3 redistributors, GICv2 distributor
    if (size == 0 || base + size < base) return "device range";
  }
  if (load<u32>(p + CONSOLE_LEN) >= CONSOLE_LINE_MAX) return "console length";
  if (load<u32>(p + HCWARN_COUNT) > HCWARN_LIMIT) return "warned ids";
  const tables = load<u32>(p + S2_TABLE_COUNT);
  if (tables > S2_TABLES_MAX) return "stage-2 table count";
  for (let i: u32 = 0; i < tables; i++) {
    if (load<u32>(p + S2_TABLES + <usize>i * S2_RECORD + S2_REC_INDEX) > 511) return "stage-2 entry index";
  }
  if (v == 1) return "";
  for (let i: u32 = 0; i < MAX_DEVICES; i++) {
    const r = p + PL011_RX_OFF + <usize>i * PL011_RX_RECORD;
    if (load<u32>(r + PL011_RX_HEAD) >= 16) return "rx fifo head";
    if (load<u32>(r + PL011_RX_COUNT) > 16) return "rx fifo count";
    if ((load<u32>(r + PL011_RX_RIS) & ~<u32>0x50) != 0) return "rx interrupt status";
  }
  return "";
}

@inline function handleOk(h: i32): bool { return h >= 0 && h < S2_HANDLES; }

/**
 * Fields of a VM's payload that are out of range but that state.ts does not check (so a
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
    if (((base | size) & 0xfff) != 0 || base + size > IPA_LIMIT) return "device range";
  }
  const regions = load<u32>(p + VM_REGION_COUNT);
  for (let i: u32 = 0; i < regions && i < MAX_REGIONS; i++) {
    const r = p + REGIONS_OFF + <usize>i * REGION_RECORD;
    const ipa = load<u64>(r + REGION_IPA), size = load<u64>(r + REGION_SIZE);
    if (((ipa | size) & 0xfff) != 0 || size == 0 || ipa + size < ipa || ipa + size > IPA_LIMIT) return "region range";
  }
  return "";
}

// The errors that apply to a call, as a bit set (bit n: error -200 - n). A refusal must
// be one of them; an acceptance needs an empty set (but see contentOptional).
@inline function bit(err: i32): u32 { return 1 << <u32>(-200 - err); }

function applicable(src: usize, len: usize, version: u32, busy: bool): u32 {
  contentOptional = false;
  let set: u32 = busy ? bit(STATE_ERR_BUSY) : 0;
  const memEnd = <u64>memory.size() << 16;
  if (len < STATE_HEADER_SIZE) set |= bit(STATE_ERR_SPACE);
  if (src == 0 || <u64>src + <u64>len > memEnd) set |= bit(STATE_ERR_RANGE);
  if (len < STATE_HEADER_SIZE || src == 0 || <u64>src + <u64>len > memEnd) return set;   // no header to read
  if (load<u32>(src + STATE_H_MAGIC) != 0x54535657) set |= bit(STATE_ERR_MAGIC);
  const v = load<u32>(src + STATE_H_VERSION);
  const known = payloadBytes(v);
  if (v != version || known == 0) set |= bit(STATE_ERR_VERSION);
  const size = known == 0 ? STATE_SIZE : known;
  if (<usize>load<u32>(src + STATE_H_LENGTH) != STATE_HEADER_SIZE + size) set |= bit(STATE_ERR_LENGTH);
  if (len < STATE_HEADER_SIZE + size) { set |= bit(STATE_ERR_SPACE); return set; }   // no payload to read
  const p = src + STATE_HEADER_SIZE;
  if (fnv1a(p, size) != load<u32>(src + STATE_H_CHECKSUM)) set |= bit(STATE_ERR_CHECKSUM);
  if (contentFault(p, v).length > 0) set |= bit(STATE_ERR_CONTENT);
  else if (uncheckedFault(p).length > 0) { set |= bit(STATE_ERR_CONTENT); contentOptional = true; }
  return set;
}

/** Set by `applicable`: CONTENT applies only through a field state.ts does not check (yet). */
let contentOptional = false;

// ---- damage ----

function reseal(): void {
  store<u32>(WORK + STATE_H_CHECKSUM, fnv1a(WORK + STATE_HEADER_SIZE, STATE_SIZE));
}

/** Payload offsets of the u32 fields with a limit, and values at and around their edges. */
const FIELDS: StaticArray<usize> = [VM_STATE, VM_VCPU_COUNT, VM_REGION_COUNT, VM_DEVICE_COUNT, VM_IPA_BITS,
  VM_NAME_LEN, VM_INDEX, VM_TYPE, VM_PCPU_MASK, VM_WORD_52, MMIO_COUNT, CONSOLE_LEN, HCWARN_COUNT, S2_TABLE_COUNT,
  S2_ROOT, PL011_RX_OFF + PL011_RX_HEAD, PL011_RX_OFF + PL011_RX_COUNT, PL011_RX_OFF + PL011_RX_RIS];
const EDGES: StaticArray<u32> = [0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 31, 32, 39, 40, 119, 120, 510, 511, 512, 0x7fffffff,
  0x80000000, 0xfffffffe, 0xffffffff];

function edgeValue(): u32 {
  return chance(80) ? EDGES[<i32>below(EDGES.length)] : <u32>edgy(32);
}

function payloadOffset(): usize {
  const r = below(100);
  if (r < 55) return <usize>below(<u64>COUNTERS_OFF);                          // VM, regions, registry, PL011, console, warnings
  if (r < 75) return S2_OFF + <usize>below(8 + 4 * <u64>S2_RECORD);            // stage-2 root, count, first records
  return <usize>below(<u64>STATE_SIZE);
}

/** Device bases and sizes: empty, page-sized, wrapping, past the IPA space. */
const WIDE: StaticArray<u64> = [0, 1, 0x1000, 0x09000000, 0x8000000000, 0x100000000, 0x7fffffffffffffff,
  0x8000000000000000, 0xfffffffffffff000, 0xffffffffffffffff];

function mutateOnce(): void {
  const p = WORK + STATE_HEADER_SIZE;
  const r = below(100);
  if (r < 12) {
    const a = WORK + <usize>below(STATE_HEADER_SIZE);
    store<u8>(a, load<u8>(a) ^ <u8>(1 + below(255)));
  } else if (r < 42) {
    store<u32>(p + FIELDS[<i32>below(FIELDS.length)], edgeValue());
  } else if (r < 52) {
    // A registry entry (one past the count included) or a stage-2 record.
    if (chance(50)) {
      const e = p + MMIO_ENTRIES + (chance(80) ? <usize>below(2) : <usize>below(MAX_DEVICES + 1)) * MMIO_RECORD;
      const f = below(3);
      if (f == 0) store<u32>(e + MMIO_KIND, <u32>below(4));
      else store<u64>(e + (f == 1 ? MMIO_BASE : MMIO_LIMIT), WIDE[<i32>below(WIDE.length)]);
    } else {
      const i = chance(80) ? <usize>below(3) : <usize>below(S2_TABLES_MAX + 1);
      const fields: StaticArray<usize> = [S2_REC_PARENT, S2_REC_INDEX, S2_REC_CHILD];
      store<u32>(p + S2_TABLES + i * S2_RECORD + fields[<i32>below(3)], edgeValue());
    }
  } else if (r < 60) {
    const chars: StaticArray<u8> = [0x61, 0x7a, 0x30, 0x5f, 0x2d, 0, 0x41, 0x20, 0x2f, 0x80, 0xff];
    store<u8>(p + VM_NAME + <usize>below(16), chars[<i32>below(chars.length)]);
  } else if (r < 88) {
    const a = p + payloadOffset();
    store<u8>(a, load<u8>(a) ^ <u8>(1 << <u8>below(8)));
  } else {
    store<u32>(p + (payloadOffset() & ~<usize>3), <u32>rnd());
  }
}

// ---- after an accepted blob: the VM must still behave ----

const HC_IDS: StaticArray<u32> = [HC_NULL, HC_VERSION, HC_PUTC, HC_VM_INFO, HC_REPORT, 0xc6000077];

function genExit(): i32 {
  for (let n: usize = 0; n < 31; n++) store<u64>(EXIT_RECORD + EXIT_X + (n << 3), rnd());
  store<u64>(EXIT_RECORD + EXIT_PC, 0x40080000);
  const r = below(100);
  let esr: u64;
  if (r < 40) {
    esr = (<u64>0x16 << 26) | (<u64>1 << 25);
    store<u64>(EXIT_RECORD + EXIT_X, <u64>HC_IDS[<i32>below(HC_IDS.length)]);
    store<u64>(EXIT_RECORD + EXIT_X + 8, below(0x180));
  } else if (r < 85) {
    // An access to a registered device (or wherever a damaged registry says one is).
    const n = load<u32>(STATE + MMIO_COUNT);
    const ipa = n > 0 && n <= MAX_DEVICES && chance(85)
      ? load<u64>(STATE + MMIO_ENTRIES + <usize>below(<u64>n) * MMIO_RECORD + MMIO_BASE) + below(0x1000)
      : rndBits(39);
    store<u64>(EXIT_RECORD + EXIT_HPFAR, (ipa >> 12) << 4);
    store<u64>(EXIT_RECORD + EXIT_FAR, ipa & 0xfff);
    esr = (<u64>0x24 << 26) | (<u64>1 << 25) | (<u64>1 << 24) | (below(4) << 22) | (below(2) << 21)
      | (below(32) << 16) | (below(2) << 15) | (below(2) << 6) | 0x07;
  } else {
    esr = (<u64>0x01 << 26) | (<u64>1 << 25) | below(2);
  }
  store<u64>(EXIT_RECORD + EXIT_ESR, esr);
  return chance(90) ? <i32>below(<u64>load<u32>(STATE + VM_VCPU_COUNT) + 1) : <i32>rnd();
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
    const what = "exit " + i.toString() + " (esr " + hx(load<u64>(EXIT_RECORD + EXIT_ESR)) + ", vcpu "
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
let contentRefused: i32 = 0;
let drove: i32 = 0;
let rebuilt: i32 = 0;
const refusals = new StaticArray<i32>(9);
/** Accepted blobs with a field out of range that state.ts does not check, by field. */
const uncheckedNames: string[] = [];
const uncheckedCounts: i32[] = [];

function noteUnchecked(what: string): void {
  const i = uncheckedNames.indexOf(what);
  if (i >= 0) { uncheckedCounts[i]++; return; }
  uncheckedNames.push(what);
  uncheckedCounts.push(1);
}

function oneCase(i: i32): string {
  const base = chance(80) ? BASE_RUN : BASE_EMPTY;
  memory.copy(WORK, base, STATE_BLOB_SIZE);
  for (let a: usize = STATE_BLOB_SIZE; a < STATE_BLOB_SIZE + 64; a++) store<u8>(WORK + a, <u8>rnd());
  const intact = chance(8);
  if (!intact) {
    const k = 1 + <i32>below(3);
    for (let j = 0; j < k; j++) mutateOnce();
    if (chance(50)) reseal();
  }
  let len = STATE_BLOB_SIZE;
  let version: u32 = STATE_LAYOUT_VERSION;
  let src = WORK;
  if (!intact) {
    const l = below(100);
    if (l < 6) len = <usize>below(STATE_HEADER_SIZE);
    else if (l < 12) len = <usize>below(STATE_BLOB_SIZE);
    else if (l < 18) len = STATE_BLOB_SIZE + 1 + <usize>below(64);
    if (chance(6)) version = chance(50) ? <u32>below(4) : <u32>rnd();
    const s = below(100);
    if (s < 2) src = 0;
    else if (s < 5) src = <usize>(<u64>memory.size() << 16) - <usize>below(<u64>STATE_BLOB_SIZE + 32);
  }
  // The instance: fresh (empty, sometimes with leftovers in the block), or running / stopped a VM.
  const live = below(100);
  vmResetState();
  if (live < 15) {
    for (let a: usize = 0; a < STATE_SIZE; a += 8) store<u64>(STATE + a, rnd());
    store<u32>(STATE + VM_STATE, 0);
  } else if (live < 23) {
    memory.copy(STATE, RUN_STATE, STATE_SIZE);
    if (chance(40)) store<u32>(STATE + VM_STATE, chance(50) ? 2 : <u32>rnd() | 1);
  }
  const busy = load<u32>(STATE + VM_STATE) != 0;
  memory.copy(LIVE_BEFORE, STATE, STATE_SIZE);

  const set = applicable(src, len, version, busy);
  staticWindowsClear();
  staticWindow(STATE, STATE_SIZE);
  staticSnap();
  const rc = stateRestore(src, len, version);
  const stray = staticChanged();
  restoreWindows();

  const what = "case " + i.toString() + " (len " + len.toString() + ", version " + version.toString() + ", src "
    + hx(<u64>src) + (busy ? ", busy" : "") + "): rc " + rc.toString() + ": ";
  if (stray >= 0) return what + "static memory changed at " + hx(<u64>stray);
  if (rc != 0 && (rc < STATE_ERR_BUSY || rc > STATE_ERR_RANGE)) return what + "not a documented error";
  if (rc != 0) {
    refusals[-200 - rc]++;
    if (memory.compare(STATE, LIVE_BEFORE, STATE_SIZE) != 0) return what + "refused, but the live state changed";
    if ((set & bit(rc)) == 0) return what + "an error that does not apply (applicable set " + hx(<u64>set) + ")";
    if (rc == STATE_ERR_CONTENT) contentRefused++;
    cases++;
    return "";
  }
  accepted++;
  const size = payloadBytes(version);
  if (memory.compare(STATE, src + STATE_HEADER_SIZE, size) != 0) return what + "accepted, but the state is not the payload";
  for (let a = size; a < STATE_SIZE; a++) {
    if (load<u8>(STATE + a) != 0) return what + "accepted an older version, but what it lacks is not at reset";
  }
  const required = contentOptional ? set & ~bit(STATE_ERR_CONTENT) : set;
  if (required != 0) {
    return what + "accepted a blob with " + hx(<u64>required) + " (" + contentFault(src + STATE_HEADER_SIZE) + ")";
  }
  const unchecked = uncheckedFault(src + STATE_HEADER_SIZE);
  if (unchecked.length > 0) noteUnchecked(unchecked);
  if (vmState() == 1) {
    fakeReset();
    const d = driveRestored();
    if (d.length > 0) return what + d;
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

function restoreWindows(): void {
  staticWindowsClear();
  staticWindow(STATE, STATE_SIZE);
  staticWindow(VGIC, VGIC_SIZE);   // the vGIC's own state block (arch/vgic_layout.ts)
  staticWindow(EXIT_RECORD, RECORD_BYTES);
  staticWindow(windowLog, 256);
  staticWindow(windowOut, 140);
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
  it("restores the undamaged blobs", () => {
    build();
    vmResetState();
    expect(applicable(BASE_RUN, STATE_BLOB_SIZE, STATE_LAYOUT_VERSION, false)).toBe(0);
    expect(stateRestore(BASE_RUN, STATE_BLOB_SIZE, STATE_LAYOUT_VERSION)).toBe(0);
    expect(vmState()).toBe(1);
    vmResetState();
    expect(applicable(BASE_EMPTY, STATE_BLOB_SIZE, STATE_LAYOUT_VERSION, false)).toBe(0);
    expect(stateRestore(BASE_EMPTY, STATE_BLOB_SIZE, STATE_LAYOUT_VERSION)).toBe(0);
    expect(vmState()).toBe(0);
  });

  it("refuses or restores exactly (seed 0x57a7e001)", () => {
    expect(fuzzRestore(0x57a7e001, 1500)).toBe("");
  });

  it("refuses or restores exactly (seed 0x57a7e002)", () => {
    expect(fuzzRestore(0x57a7e002, 1500)).toBe("");
  });

  it("covered every refusal, acceptances and the content checks", () => {
    let s = "state: " + cases.toString() + " cases, " + accepted.toString() + " accepted (" + drove.toString()
      + " VMs driven after, " + rebuilt.toString() + " empty instances built after); refusals";
    for (let k = 1; k <= 8; k++) s += " -" + (200 + k).toString() + ":" + refusals[k].toString();
    s += "; accepted with unchecked fields out of range:";
    for (let k = 0; k < uncheckedNames.length; k++) s += " " + uncheckedNames[k] + " " + uncheckedCounts[k].toString();
    log<string>(s);
    expect(cases).toBe(3000);
    for (let k = 1; k <= 8; k++) expect(refusals[k]).toBeGreaterThan(10);
    expect(accepted).toBeGreaterThan(200);
    expect(contentRefused).toBeGreaterThan(200);
    expect(drove).toBeGreaterThan(50);
  });
});

// ---- regressions ----

/** BASE_RUN with the u32 at payload offset `off` set to `v`, resealed, into a fresh instance. */
function restoreWith(off: usize, v: u32): i32 {
  build();
  memory.copy(WORK, BASE_RUN, STATE_BLOB_SIZE);
  store<u32>(WORK + STATE_HEADER_SIZE + off, v);
  reseal();
  vmResetState();
  return stateRestore(WORK, STATE_BLOB_SIZE, STATE_LAYOUT_VERSION);
}

describe("regressions found by the state fuzz", () => {
  // Found with seeds 0x57a7e001/2 (a flipped byte in VM_INDEX, checksum recomputed):
  // contentValid in core/state.ts does not bound VM_INDEX by MAX_VMS, so the blob is
  // accepted and WV_HC_VM_INFO then answers the guest x0 = 8, or 0xFFFFFFFF, which a
  // guest cannot tell from SMCCC NOT_SUPPORTED.
  it("refuses a running VM's index past the VM table", () => {
    expect(restoreWith(VM_INDEX, MAX_VMS)).toBe(STATE_ERR_CONTENT);
    expect(restoreWith(VM_INDEX, 0xffffffff)).toBe(STATE_ERR_CONTENT);
  });

  // Found with the same seeds: contentValid checks S2_TABLE_COUNT and each record's entry
  // index, but not the table handles (S2_ROOT, S2_REC_PARENT, S2_REC_CHILD), which name
  // runtime table pages (at most 512 per VM): s2ChildOf would hand back a child handle of
  // 512 as the next-level table, a root of -1 says the VM has no tables.
  it("refuses stage-2 table handles outside the runtime's 512 tables", () => {
    expect(restoreWith(S2_TABLES + S2_REC_CHILD, 512)).toBe(STATE_ERR_CONTENT);
    expect(restoreWith(S2_TABLES + S2_REC_PARENT, 0xfffffff9)).toBe(STATE_ERR_CONTENT);
    expect(restoreWith(S2_ROOT, 0xffffffff)).toBe(STATE_ERR_CONTENT);
  });
});
