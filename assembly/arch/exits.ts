// Dispatch of a VM exit by exception class (ESR_EL2.EC, ARM ARM D17.2.37), with
// counters of exits by class in the state block: per vCPU (EXIT_CLASS_*) and for the
// whole VM in the classes management shows (VM_EXIT_*, core/exit_counters.ts).

import { ACTION_RESUME, ACTION_IDLE, ACTION_STOP, ACTION_YIELD, exitEsr, exitFar,
  exitHpfar, exitPc, exitReadReg, exitWriteReg, exitAdvancePc, exitIsIrq, exitIntid, exitSelect } from "../abi/exit_record";
import { EC_WFX, EC_HVC64, EC_SMC64, EC_SYSREG, EC_IABT_LOW, EC_DABT_LOW, esrEc, esrInstrBytes, wfxIsWfe,
  dabtIsv, dabtAccessBytes, dabtSse, dabtSrt, dabtSf, abortS1ptw, dabtIsWrite, abortFsc, fscKind, FaultKind,
  fscHasLevel, fscLevel, faultKindName, sysregKey, sysregIsRead, sysregRt, sysregOp0, sysregOp1,
  sysregCrn, sysregCrm, sysregOp2, SYSREG_ACTLR_EL1 } from "./esr";
import { STATE, COUNTERS_OFF, EXIT_CLASSES, MAX_VCPUS, VM_EXIT_DATA_ABORT, VM_EXIT_HVC, VM_EXIT_SYSREG, VM_EXIT_WFX,
  VM_EXIT_IRQ, VM_EXIT_OTHER } from "../core/layout";
import { vmCountExit } from "../core/exit_counters";
import { stateSetStaged } from "../core/state_staged";
import { vmRunning, vmVcpuCount, vmStop, vmRegionOf } from "../core/vm";
import { handleHypercall, handleSmc } from "../core/hypercall";
import { benchIrqExit } from "../core/bench_stamp";
import { consoleFlush } from "../core/console";
import { mmioFind, mmioBase, mmioRead, mmioWrite, mmioUnmappedAborts } from "../devices/mmio";
import { injectExternalAbort, INJECTED, INJECT_BAD_MODE } from "./inject";
import { logBeginVm, logStr, logHex, logDec, logEnd } from "../core/log";
import { vgicBeginExit, vgicEndExit, vgicIrqExit, vgicWfiResumes, vgicOwnsSysreg, vgicSysreg } from "./vgic";
import { WV_KICK_SGI } from "./vgic_irq";
import { consoleContinue } from "../devices/virtio_console";
import { isPmuRegister, pmuRead, pmuWrite } from "./pmu";

/** Exit classes counted per vCPU (EXIT_CLASSES slots in the state layout). */
export const EXIT_CLASS_HVC: u32 = 0;
export const EXIT_CLASS_MMIO: u32 = 1;
export const EXIT_CLASS_IABT: u32 = 2;
export const EXIT_CLASS_WFI: u32 = 3;
export const EXIT_CLASS_WFE: u32 = 4;
export const EXIT_CLASS_SYSREG: u32 = 5;
export const EXIT_CLASS_OTHER: u32 = 6;
/** Physical IRQs taken while the vCPU ran (not guest exceptions: nothing is emulated for them). */
export const EXIT_CLASS_IRQ: u32 = 7;

/** HPFAR_EL2.FIPA [43:4] holds IPA[51:12] of a stage-2 fault (ARM ARM, register HPFAR_EL2). */
const HPFAR_FIPA_SHIFT: u64 = 4;
const HPFAR_FIPA_MASK: u64 = 0xffffffffff;   // 40 bits
const PAGE_SHIFT: u64 = 12;
const PAGE_OFFSET_MASK: u64 = 0xfff;
const W_REG_MASK: u64 = 0xffffffff;
/** A trapped SMC returns to the SMC itself (ARM ARM, "preferred return address"): step over its 4 bytes. */
const SMC_BYTES: u32 = 4;

@inline function counter(vcpu: u32, cls: u32): usize {
  return STATE + COUNTERS_OFF + ((<usize>(vcpu * EXIT_CLASSES + cls)) << 3);
}

/** One more exit of class `cls` for vCPU `vcpu`, and of class `vmCls` (VM_EXIT_*) for the VM. */
@inline function count(vcpu: u32, cls: u32, vmCls: u32): void {
  const a = counter(vcpu, cls);
  store<u64>(a, load<u64>(a) + 1);
  vmCountExit(vmCls);
}

/** Exits of class `cls` that vCPU `vcpu` took. */
export function exitCount(vcpu: u32, cls: u32): u64 {
  if (vcpu >= MAX_VCPUS || cls >= EXIT_CLASSES) return 0;
  return load<u64>(counter(vcpu, cls));
}

/** The faulting IPA of a stage-2 abort: HPFAR_EL2.FIPA and the page offset from FAR_EL2. */
export function faultIpa(): u64 {
  return (((exitHpfar() >> HPFAR_FIPA_SHIFT) & HPFAR_FIPA_MASK) << PAGE_SHIFT) | (exitFar() & PAGE_OFFSET_MASK);
}

/** Print "[wasmvisor] vm <name> stopped: ..." up to the reason, which the caller adds. */
function stopLine(): void {
  consoleFlush();   // the guest's last words come before the reason it was stopped
  logBeginVm();
  logStr(" stopped: ");
}

/** Stop the VM after an abort: docs/abi.md section 3, "Faults". `s1ptw`: the abort came
 * on the guest's own stage-1 table walk (ISS.S1PTW), not on the access it was making. */
function stopOnAbort(data: bool, ipa: u64, esr: u64, reason: string, fsc: i32, s1ptw: bool): i32 {
  stopLine();
  logStr(data ? "data" : "instruction");
  logStr(" abort at IPA ");
  logHex(ipa);
  logStr(", ESR ");
  logHex(esr);
  logStr(" (");
  logStr(reason);
  if (fsc >= 0 && fscHasLevel(<u32>fsc)) { logStr(" level "); logDec(<u64>fscLevel(<u32>fsc)); }
  if (s1ptw) logStr(", on a stage-1 table walk");
  logStr(")");
  logEnd();
  vmStop();
  return ACTION_STOP;
}

/**
 * An abort no emulated device answers. An access to an IPA outside every region and
 * device (a stage-2 translation fault) gets a synchronous external abort, as hardware
 * gives one, when the VM's config asks for it (docs/abi.md section 3, "Faults"); anything
 * else, and an abort on the guest's stage-1 table walk, stops the VM.
 */
function unhandledAbort(data: bool, esr: u64, v: u32): i32 {
  const ipa = faultIpa();
  const fsc = abortFsc(esr);
  const s1ptw = abortS1ptw(esr);
  const outside = fscKind(fsc) == FaultKind.Translation && vmRegionOf(ipa) < 0 && mmioFind(ipa) < 0;
  if (!s1ptw && outside && mmioUnmappedAborts()) {
    const rc = injectExternalAbort(v, data, esr, exitFar());
    if (rc == INJECTED) return ACTION_RESUME;
    const why = rc == INJECT_BAD_MODE ? "no external abort for a vCPU in AArch32 or an unknown mode"
      : "the runtime refused the external abort's EL1 registers";
    return stopOnAbort(data, ipa, esr, why, -1, false);
  }
  return stopOnAbort(data, ipa, esr, faultKindName(fscKind(fsc)), <i32>fsc, s1ptw);
}

/** Sign-extend the low `bits` of `v` to 64 bits. */
@inline export function signExtend(v: u64, bits: u32): u64 {
  const shift = <u64>(64 - bits);
  return <u64>((<i64>(v << shift)) >> shift);
}

function handleDataAbort(esr: u64, v: u32): i32 {
  const ipa = faultIpa();
  const fsc = abortFsc(esr);
  const slot = mmioFind(ipa);
  if (slot < 0 || abortS1ptw(esr)) return unhandledAbort(true, esr, v);
  if (!dabtIsv(esr)) return stopOnAbort(true, ipa, esr, "no instruction syndrome, ISV=0", -1, false);
  const bytes = dabtAccessBytes(esr);
  const offset = ipa - mmioBase(slot);
  const rt = dabtSrt(esr);
  if (dabtIsWrite(esr)) {
    mmioWrite(slot, offset, bytes, exitReadReg(rt));
    vgicEndExit(v);   // a GIC register write may have made something pending for this vCPU
  } else {
    let v = mmioRead(slot, offset, bytes);
    if (dabtSse(esr) && bytes < 8) v = signExtend(v, bytes << 3);
    if (!dabtSf(esr)) v &= W_REG_MASK;   // a W register: the upper half reads as zero
    exitWriteReg(rt, v);
  }
  exitAdvancePc(esrInstrBytes(esr));
  return ACTION_RESUME;
}

function handleSysreg(esr: u64, v: u32): i32 {
  const key = sysregKey(esr);
  if (key == SYSREG_ACTLR_EL1) {
    // ACTLR_EL1 is IMPLEMENTATION DEFINED: reads as 0, writes are ignored.
    if (sysregIsRead(esr)) exitWriteReg(sysregRt(esr), 0);
    exitAdvancePc(esrInstrBytes(esr));
    return ACTION_RESUME;
  }
  const gic = vgicOwnsSysreg(key);
  if (gic) {
    const rt = sysregRt(esr);
    const read = sysregIsRead(esr);
    const value = vgicSysreg(v, key, read, exitReadReg(rt));
    if (read) exitWriteReg(rt, value);
    exitAdvancePc(esrInstrBytes(esr));
    return ACTION_RESUME;
  }
  if (isPmuRegister(key)) return handlePmu(esr, key);
  stopLine();
  logStr("unknown system register S");
  logDec(<u64>sysregOp0(esr)); logStr("_");
  logDec(<u64>sysregOp1(esr)); logStr("_C");
  logDec(<u64>sysregCrn(esr)); logStr("_C");
  logDec(<u64>sysregCrm(esr)); logStr("_");
  logDec(<u64>sysregOp2(esr));
  logStr(sysregIsRead(esr) ? " (read)" : " (write)");
  return stopWithSyndrome(esr);
}

/** A trapped PMU register access (MDCR_EL2.TPM): emulated by arch/pmu.ts. */
function handlePmu(esr: u64, key: u32): i32 {
  const rt = sysregRt(esr);
  if (sysregIsRead(esr)) exitWriteReg(rt, pmuRead(key));
  else if (!pmuWrite(key, exitReadReg(rt))) {
    stopLine();
    logStr("the runtime refused a PMU register write");
    return stopWithSyndrome(esr);
  }
  exitAdvancePc(esrInstrBytes(esr));
  return ACTION_RESUME;
}

function handleOther(esr: u64): i32 {
  stopLine();
  logStr("unhandled exception class ");
  logHex(<u64>esrEc(esr));
  return stopWithSyndrome(esr);
}

/** End a stop line with ", ESR <esr>, PC <pc>", then stop the VM. */
function stopWithSyndrome(esr: u64): i32 {
  logStr(", ESR ");
  logHex(esr);
  logStr(", PC ");
  logHex(exitPc());
  logEnd();
  vmStop();
  return ACTION_STOP;
}

/** wv_handle_exit: handle the exit now in the record for vCPU `vcpu`; returns an action. */
export function handleExit(vcpu: i32): i32 {
  stateSetStaged(false);   // the runtime acts on this instance now: no restore over it any more
  if (!vmRunning()) return ACTION_STOP;
  if (<u32>vcpu >= vmVcpuCount()) {
    vmCountExit(VM_EXIT_OTHER);
    stopLine();
    logStr("exit for vCPU ");
    logDec(<u64><u32>vcpu);
    logStr(", which it does not have");
    logEnd();
    vmStop();
    return ACTION_STOP;
  }
  const v = <u32>vcpu;
  exitSelect(v);
  // The vGIC must know whose list registers the imports reach, whatever the exit (a PSCI
  // call by HVC can reset another vCPU's interrupts).
  vgicBeginExit(v);
  // An IRQ exit first: its ESR is not a syndrome of this exit (ESR_EL2 keeps the last
  // synchronous exception's), so only the flag tells it apart from a guest exception.
  if (exitIsIrq()) {
    count(v, EXIT_CLASS_IRQ, VM_EXIT_IRQ);
    const intid = exitIntid();
    benchIrqExit(v, intid);
    vgicIrqExit(v, intid);
    // A kick may be the device's own request to go on with a transmitq (devices/virtio_console.ts).
    if (intid == WV_KICK_SGI) {
      consoleContinue();
      vgicEndExit(v);
    }
    return ACTION_RESUME;
  }
  const esr = exitEsr();
  const ec = esrEc(esr);
  // The hypercall path next and short: it is the one benchmarks measure.
  if (ec == EC_HVC64) {
    count(v, EXIT_CLASS_HVC, VM_EXIT_HVC);
    return handleHypercall(v);
  }
  switch (ec) {
    case EC_DABT_LOW:
      count(v, EXIT_CLASS_MMIO, VM_EXIT_DATA_ABORT);
      return handleDataAbort(esr, v);
    case EC_SMC64:
      count(v, EXIT_CLASS_HVC, VM_EXIT_HVC);
      exitAdvancePc(SMC_BYTES);
      return handleSmc(v);
    case EC_WFX:
      exitAdvancePc(esrInstrBytes(esr));
      if (wfxIsWfe(esr)) { count(v, EXIT_CLASS_WFE, VM_EXIT_WFX); return ACTION_YIELD; }
      count(v, EXIT_CLASS_WFI, VM_EXIT_WFX);
      return vgicWfiResumes(v) ? ACTION_RESUME : ACTION_IDLE;
    case EC_SYSREG:
      count(v, EXIT_CLASS_SYSREG, VM_EXIT_SYSREG);
      return handleSysreg(esr, v);
    case EC_IABT_LOW:
      count(v, EXIT_CLASS_IABT, VM_EXIT_OTHER);
      return unhandledAbort(false, esr, v);
    default:
      count(v, EXIT_CLASS_OTHER, VM_EXIT_OTHER);
      return handleOther(esr);
  }
}
