// Guest hypercalls (docs/abi.md section 3): a switch over the function ID, one
// small function per call. Unknown IDs answer SMCCC NOT_SUPPORTED and are reported
// once per ID (up to HCWARN_MAX IDs, so a looping guest cannot flood the console).

import { exitRecord, EXIT_X, ACTION_RESUME, exitReadReg, exitWriteReg, exitEsr } from "../abi/exit_record";
import { WV_HC_BASE, WV_HC_NULL, WV_HC_VERSION, WV_HC_PUTC, WV_HC_VM_INFO, WV_HC_REPORT, WV_HC_FEATURES,
  WV_HC_BENCH_STAMP, WV_HC_IMM, HC_SUCCESS, HC_NOT_SUPPORTED, HC_INVALID_PARAMETER, WV_ABI_VERSION, CORE_VERSION,
  WV_FEATURES } from "../abi/hypercalls";
import { VARIANT_2 } from "./variant";
import { hvcImm16 } from "../arch/esr";
import { psciOwns, psciCall } from "../arch/psci";
import { STATE, HCWARN_COUNT, HCWARN_IDS, HCWARN_MAX } from "./layout";
import { vmIndex, vmVcpuCount } from "./vm";
import { consolePutc } from "./console";
import { benchEnabled, benchStamp } from "./bench_stamp";
import { logStart, logBeginVm, logByte, logStr, logVmName, logDec, logHex, logEnd } from "./log";

const REG_X1: u32 = 1;
const REG_X2: u32 = 2;
const BYTE_MAX: u64 = 0xff;

@inline function setX0(v: u64): void { store<u64>(exitRecord + EXIT_X, v); }

function hcVersion(): void {
  setX0(<u64>WV_ABI_VERSION);
  exitWriteReg(REG_X1, <u64>CORE_VERSION);
}

function hcPutc(): void {
  const b = exitReadReg(REG_X1);
  if (b > BYTE_MAX) { setX0(HC_INVALID_PARAMETER); return; }
  consolePutc(<u8>b);
  setX0(HC_SUCCESS);
}

function hcVmInfo(): void {
  setX0(<u64>vmIndex());
  exitWriteReg(REG_X1, <u64>vmVcpuCount());
}

/** Prints "[name] metric <id> <value>" (decimal), for benchmarks run inside guests. */
function hcReport(): void {
  logStart();
  logByte(0x5b);  // '['
  logVmName();
  logStr("] metric ");
  logDec(exitReadReg(REG_X1));
  logByte(0x20);
  logDec(exitReadReg(REG_X2));
  logEnd();
  setX0(HC_SUCCESS);
}

/** WV_HC_FEATURES (variant 2): x0 = SUCCESS, x1 = the WV_FEATURE_* bits. */
function hcFeatures(): void {
  setX0(HC_SUCCESS);
  exitWriteReg(REG_X1, WV_FEATURES);
}

/**
 * WV_HC_BENCH_STAMP: x0 = SUCCESS, x1 = the calling vCPU's stamp (core/bench_stamp.ts).
 * A VM without the bench flag gets NOT_SUPPORTED without the unknown-hypercall line: the
 * ID is known, and a guest that probes for it (guest-rt does, once) must not add a line
 * to a console that is not a bench's.
 */
function hcBenchStamp(vcpu: u32): void {
  if (!benchEnabled()) { setX0(HC_NOT_SUPPORTED); return; }
  setX0(HC_SUCCESS);
  exitWriteReg(REG_X1, benchStamp(vcpu));
}

/** Has `id` been reported already? Records it if there is room. */
function firstReport(id: u32): bool {
  const n = load<u32>(STATE + HCWARN_COUNT);
  const known = n < HCWARN_MAX ? n : HCWARN_MAX;
  for (let i: u32 = 0; i < known; i++) {
    if (load<u32>(STATE + HCWARN_IDS + <usize>i * 4) == id) return false;
  }
  if (n < HCWARN_MAX) {
    store<u32>(STATE + HCWARN_IDS + <usize>n * 4, id);
    store<u32>(STATE + HCWARN_COUNT, n + 1);
    return true;
  }
  if (n == HCWARN_MAX) {
    store<u32>(STATE + HCWARN_COUNT, n + 1);
    logBeginVm();
    logStr(": more unknown hypercalls, not reported");
    logEnd();
  }
  return false;
}

/** Answer NOT_SUPPORTED to call `id`, saying so the first time (`what`: ": unknown hypercall " ...). */
function notSupported(what: string, id: u32, imm: u32): void {
  if (firstReport(id)) {
    logBeginVm();
    logStr(what);
    logHex(<u64>id);
    if (imm != WV_HC_IMM) { logStr(" (HVC #"); logHex(<u64>imm); logStr(")"); }
    logEnd();
  }
  setX0(HC_NOT_SUPPORTED);
}

function hcUnknown(id: u32, imm: u32): void {
  notSupported(": unknown hypercall ", id, imm);
}

/**
 * Handle the HVC now in the exit record. ELR_EL2 already points after the HVC
 * (ARM ARM: the preferred return address of an HVC exception is the next instruction), so the PC is
 * left alone.
 */
export function handleHypercall(vcpu: u32): i32 {
  // SMCCC: the function ID is W0; the upper half of x0 is ignored.
  const id = <u32>load<u64>(exitRecord + EXIT_X);
  const imm = hvcImm16(exitEsr());
  if (imm != WV_HC_IMM) { hcUnknown(id, imm); return ACTION_RESUME; }
  if (psciOwns(id)) return psciCall(id, vcpu);
  switch (id - WV_HC_BASE) {
    case WV_HC_NULL - WV_HC_BASE: setX0(HC_SUCCESS); break;
    case WV_HC_VERSION - WV_HC_BASE: hcVersion(); break;
    case WV_HC_PUTC - WV_HC_BASE: hcPutc(); break;
    case WV_HC_VM_INFO - WV_HC_BASE: hcVmInfo(); break;
    case WV_HC_REPORT - WV_HC_BASE: hcReport(); break;
    case WV_HC_FEATURES - WV_HC_BASE:
      if (VARIANT_2) hcFeatures();
      else hcUnknown(id, imm);   // variant 1 does not have it (core/variant.ts)
      break;
    case WV_HC_BENCH_STAMP - WV_HC_BASE: hcBenchStamp(vcpu); break;
    default: hcUnknown(id, imm);
  }
  return ACTION_RESUME;
}

/**
 * A trapped SMC (HCR_EL2.TSC): PSCI and the SMCCC architecture calls are answered as for
 * HVC; anything else is NOT_SUPPORTED (there is no secure firmware behind a VM).
 * ELR_EL2 of a trapped SMC points at the SMC itself, so the caller steps over it.
 */
export function handleSmc(vcpu: u32): i32 {
  const id = <u32>load<u64>(exitRecord + EXIT_X);
  if (psciOwns(id)) return psciCall(id, vcpu);
  notSupported(": unknown SMC function ", id, WV_HC_IMM);
  return ACTION_RESUME;
}
