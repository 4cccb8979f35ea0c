// Random hypercalls (docs/abi.md section 3): function IDs in and around the
// 0xC6000000 range and elsewhere, random upper halves of x0, random HVC immediates and
// ISS bits, random x1..x3. Each call is also run through the reference model
// (__tests__/model.ts), which must agree on x0, x1, every other register, the PC and the
// console; on top, x0 is always a result the ID defines, the PC never moves, and the
// unknown-ID warnings of one VM stop after 8 IDs however many unknown calls it makes.

import { handleExit } from "../../arch/exits";
import { exitRecord, EXIT_RECORDS, exitSelect, exitRecordOf, EXIT_X, EXIT_PC, EXIT_SPSR, EXIT_ESR } from "../../abi/exit_record";
import { CORE_VERSION } from "../../abi/hypercalls";
import { STATE, STATE_SIZE, VM_INDEX, MAX_VCPUS } from "../layout";
import { vmResetState, vmInit, vmState, VM_RUNNING } from "../vm";
import { CFG_VM_VCPU_COUNT, CFG_VM_PCPU_MASK } from "../config";
import { makeBlob, vm0, BLOB } from "../../__tests__/blob";
import { fakeReset, consoleCount } from "../../__tests__/fake";
import { fuzzSeed, rnd, below, chance, rndBits, edgy, hx, staticWindowsClear, staticWindow, staticSnap,
  staticChanged } from "../../__tests__/fuzz";
import { findLogBuf, findOutBuf, LOG_BUF_BYTES, OUT_BUF_BYTES } from "../../__tests__/line_buffers";
import { modelBegin, mExit, modelDiff, consoleRaw, M_REC, RESUME, ABI_VERSION, HC_NULL, HC_VERSION, HC_PUTC, HC_VM_INFO,
  HC_REPORT, NOT_SUPPORTED, INVALID_PARAMETER, RECORD_BYTES, mOutsideAbi, outsideAbiDiff, modelResync } from "../../__tests__/model";
import { VGIC, VGIC_SIZE } from "../../arch/vgic_layout";

const VCPUS: u32 = 2;
const WARN_PREFIX = "[wasmvisor] vm linux: unknown hypercall ";
const WARN_MORE = "[wasmvisor] vm linux: more unknown hypercalls, not reported\n";

function buildVm(): void {
  fakeReset();
  vmResetState();
  const len = makeBlob(1);
  store<u32>(vm0() + CFG_VM_VCPU_COUNT, VCPUS);
  store<u32>(vm0() + CFG_VM_PCPU_MASK, 3);
  expect(vmInit(0, BLOB, len)).toBe(0);
  fakeReset();
}

let windowsReady = false;

/** Static memory a hypercall may write: the state block, the exit record, the line buffers. */
function setWindows(): void {
  if (windowsReady) return;
  const logBuf = findLogBuf("fz-probe-log");
  const outBuf = findOutBuf("linux", "fz-probe-out");
  expect(logBuf).toBeGreaterThan(0);
  expect(outBuf).toBeGreaterThan(0);
  staticWindowsClear();
  staticWindow(STATE, STATE_SIZE);
  staticWindow(EXIT_RECORDS, RECORD_BYTES * <usize>MAX_VCPUS);
  staticWindow(VGIC, VGIC_SIZE);   // the vGIC's own state block (arch/vgic_layout.ts)
  staticWindow(<usize>logBuf, LOG_BUF_BYTES);
  staticWindow(<usize>outBuf, OUT_BUF_BYTES);
  windowsReady = true;
}

const OTHER_IDS: StaticArray<u32> = [0x84000000, 0x84000008, 0xc4000003, 0x80000000, 0x80008000, 0x86000000,
  0xc5ffffff, 0xc6ffffff, 0x46000000, 0x06000000, 0xc7000000, 0xffffffff, 0];

function genId(): u32 {
  const r = below(100);
  if (r < 45) return HC_NULL + <u32>below(5);
  if (r < 55) return HC_NULL + <u32>below(0x20);
  if (r < 62) return HC_NULL - 0x10 + <u32>below(0x10);
  if (r < 72) return OTHER_IDS[<i32>below(OTHER_IDS.length)];
  if (r < 85) return HC_NULL | <u32>rndBits(24);
  return <u32>rnd();
}

function genX1(): u64 {
  const r = below(100);
  if (r < 35) return 0x20 + below(0x5f);          // printable
  if (r < 45) return chance(50) ? 0x0a : 0x0d;     // newline, carriage return
  if (r < 65) return below(0x100);
  if (r < 75) return 0x100 + below(0x100);
  return edgy(64);
}

function genHvc(): i32 {
  exitSelect(0);   // built in vCPU 0's record, then moved to the vCPU's own (below)
  for (let n: usize = 2; n < 31; n++) store<u64>(exitRecord + EXIT_X + (n << 3), rnd());
  store<u64>(exitRecord + EXIT_X, (chance(50) ? rnd() << 32 : 0) | <u64>genId());
  store<u64>(exitRecord + EXIT_X + 8, genX1());
  store<u64>(exitRecord + EXIT_X + 16, chance(30) ? edgy(64) : rnd());
  store<u64>(exitRecord + EXIT_X + 24, rnd());
  store<u64>(exitRecord + EXIT_PC, chance(90) ? 0x40080000 + (below(0x100000) << 2) : rnd());
  store<u64>(exitRecord + EXIT_SPSR, rnd());
  const imm: u64 = chance(85) ? 0 : chance(50) ? edgy(16) : 1 + below(0xffff);
  let esr: u64 = (<u64>0x16 << 26) | imm;
  if (chance(90)) esr |= <u64>1 << 25;
  if (chance(10)) esr |= rndBits(9) << 16;   // RES0 ISS bits above imm16
  if (chance(10)) esr |= rnd() << 32;
  store<u64>(exitRecord + EXIT_ESR, esr);
  const vcpu = <u32>below(VCPUS);
  if (vcpu != 0) {
    memory.copy(exitRecordOf(vcpu), exitRecord, RECORD_BYTES);
    exitSelect(vcpu);
  }
  return <i32>vcpu;
}

/** The results docs/abi.md section 3 defines for a call with W0 `id` and HVC immediate `imm`. */
function allowedX0(id: u32, imm: u32, x0: u64): bool {
  if (imm != 0) return x0 == NOT_SUPPORTED;
  if (id == HC_NULL || id == HC_REPORT) return x0 == 0;
  if (id == HC_PUTC) return x0 == 0 || x0 == INVALID_PARAMETER;
  if (id == HC_VERSION) return x0 == ABI_VERSION;
  if (id == HC_VM_INFO) return x0 == <u64>load<u32>(STATE + VM_INDEX);
  return x0 == NOT_SUPPORTED;
}

let total: i32 = 0;
let known: i32 = 0;
let unknown: i32 = 0;
let invalid: i32 = 0;
let maxWarnings: i32 = 0;
let outside: i32 = 0;

/** `lifetimes` VMs, each taking up to `calls` random hypercalls. */
function fuzzHypercalls(seed: u64, lifetimes: i32, calls: i32): string {
  fuzzSeed(seed);
  for (let life = 0; life < lifetimes; life++) {
    buildVm();
    setWindows();
    let warnings = 0, more = 0;
    const n = 1 + <i32>below(<u64>calls);
    for (let i = 0; i < n; i++) {
      const vcpu = genHvc();
      const x0in = load<u64>(exitRecord + EXIT_X);
      const id = <u32>x0in;
      const imm = <u32>(load<u64>(exitRecord + EXIT_ESR) & 0xffff);
      const what = "life " + life.toString() + " call " + i.toString() + ": x0 " + hx(x0in) + ", x1 "
        + hx(load<u64>(exitRecord + EXIT_X + 8)) + ", esr " + hx(load<u64>(exitRecord + EXIT_ESR)) + ": ";
      const lines = consoleCount();
      modelBegin();
      staticSnap();
      const action = handleExit(vcpu);
      const stray = staticChanged();
      if (stray >= 0) return what + "static memory changed at " + hx(<u64>stray);
      if (mOutsideAbi(vcpu)) {
        const o = outsideAbiDiff(action);
        if (o.length > 0) return what + o;
        modelResync();
        outside++;
        if (vmState() != VM_RUNNING) {   // PSCI SYSTEM_OFF or SYSTEM_RESET: a new VM
          if (warnings > maxWarnings) maxWarnings = warnings;
          buildVm();
          warnings = 0;
          more = 0;
        }
        continue;
      }
      if (action != RESUME) return what + "action " + action.toString();
      const x0 = load<u64>(exitRecord + EXIT_X);
      if (!allowedX0(id, imm, x0)) return what + "x0 " + hx(x0) + " is not a result of this ID";
      if (load<u64>(exitRecord + EXIT_PC) != load<u64>(M_REC + EXIT_PC)) return what + "the PC moved";
      for (let r: usize = 2; r < 31; r++) {
        if (load<u64>(exitRecord + EXIT_X + (r << 3)) != load<u64>(M_REC + EXIT_X + (r << 3))) {
          return what + "x" + r.toString() + " changed";
        }
      }
      if (imm == 0 && id == HC_VERSION && load<u64>(exitRecord + EXIT_X + 8) != <u64>CORE_VERSION) return what + "x1 is not the core version";
      const d = modelDiff(action, mExit(vcpu), lines);
      if (d.length > 0) return what + d;
      for (let k = lines; k < consoleCount(); k++) {
        const line = consoleRaw(k);
        if (line.startsWith(WARN_PREFIX)) warnings++;
        else if (line == WARN_MORE) more++;
      }
      if (warnings > 8 || more > 1) return what + "more than 8 IDs reported (" + warnings.toString() + ", " + more.toString() + ")";
      total++;
      if (x0 == NOT_SUPPORTED) unknown++;
      else if (x0 == INVALID_PARAMETER) invalid++;
      else known++;
    }
    if (warnings > maxWarnings) maxWarnings = warnings;
  }
  return "";
}

describe("hypercalls with random IDs and arguments", () => {
  it("a few long-lived VMs (seed 0xca11f00d)", () => {
    expect(fuzzHypercalls(0xca11f00d, 3, 1500)).toBe("");
  });

  it("many short-lived VMs (seed 0xca11f00e)", () => {
    expect(fuzzHypercalls(0xca11f00e, 40, 40)).toBe("");
  });

  it("covered known, unknown and refused calls", () => {
    log<string>("hypercalls: " + total.toString() + " calls, " + known.toString() + " answered, "
      + unknown.toString() + " NOT_SUPPORTED, " + invalid.toString() + " INVALID_PARAMETER, at most "
      + maxWarnings.toString() + " IDs reported per VM, " + outside.toString() + " PSCI/SMCCC-range calls");
    expect(total).toBeGreaterThan(2000);
    expect(known).toBeGreaterThan(500);
    expect(unknown).toBeGreaterThan(500);
    expect(invalid).toBeGreaterThan(50);
    expect(maxWarnings).toBe(8);
  });
});
