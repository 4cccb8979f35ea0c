// SGIs of a VM that sees a GICv2: a guest sends them by writing GICD_SGIR in the
// emulated distributor (IHI 0048B 4.3.15), and reads or changes their per-source pending
// state with GICD_CPENDSGIRn / GICD_SPENDSGIRn (4.3.16, 4.3.17). Which sources wait, and
// how they reach list registers one at a time, is arch/vgic_sgi_src.ts.
//
// Without the Security Extensions GICD_SGIR.NSATT is ignored and an SGI is forwarded
// whatever its group. A target is a vCPU of this VM: CPU interface n is vCPU n, and
// targets the VM does not have are ignored; nothing outside the VM can be reached.

import { P_CLRP, VGIC_SGIS } from "./vgic_layout";
import { vgicVcpus, setBit, getBit, touch } from "./vgic_common";
import { sgiAddSource, sgiClearSources, sgiSources } from "./vgic_sgi_src";
import { lrHeldValue, lrSourceOf, LR_PENDING, vgicFlushCurrent } from "./vgic_lr";

export const GICD_SGIR: u32 = 0x0f00;
export const GICD_CPENDSGIR: u32 = 0x0f10;    // 4 registers, a byte per SGI, a bit per source CPU
export const GICD_SPENDSGIR: u32 = 0x0f20;
const PENDSGIR_BYTES: u32 = 0x10;

// GICD_SGIR fields.
const SGIR_FILTER_SHIFT: u32 = 24;            // TargetListFilter [25:24]
const SGIR_FILTER_MASK: u32 = 0x3;
const FILTER_LIST: u32 = 0;                   //   0b00: the CPUTargetList
const FILTER_OTHERS: u32 = 1;                 //   0b01: every CPU interface but the sender's
const FILTER_SELF: u32 = 2;                   //   0b10: only the sender's (0b11 is reserved)
const SGIR_TARGETS_SHIFT: u32 = 16;           // CPUTargetList [23:16]
const SGIR_TARGETS_MASK: u32 = 0xff;
const SGIR_INTID_MASK: u32 = 0xf;             // SGIINTID [3:0]
const BYTE_MASK: u32 = 0xff;

/** The VM's CPU interfaces as a target mask. */
@inline function vcpuMask(): u32 {
  return (1 << vgicVcpus()) - 1;
}

/**
 * Is SGI `x` in a list register of vCPU `t` from source `s`? (A new SGI from `s` then
 * merges into that register: it cancels a clear-pending not yet applied to it.)
 */
function heldFrom(t: u32, x: u32, s: u32): bool {
  const val = lrHeldValue(t, x);
  return val != 0 && lrSourceOf(val) == s;
}

/** SGI `x` from vCPU `s` becomes pending at vCPU `t`. */
export function sgiRaiseFrom(t: u32, x: u32, s: u32): void {
  if (heldFrom(t, x, s)) setBit(P_CLRP, t, x, false);
  sgiAddSource(t, x, s);
  touch(t, x);
}

/** vCPU `sender` wrote `value` to GICD_SGIR. */
export function sgirWrite(sender: u32, value: u32): void {
  if (sender >= vgicVcpus()) return;
  let targets: u32;
  switch ((value >> SGIR_FILTER_SHIFT) & SGIR_FILTER_MASK) {
    case FILTER_LIST: targets = (value >> SGIR_TARGETS_SHIFT) & SGIR_TARGETS_MASK; break;
    case FILTER_OTHERS: targets = ~(1 << sender); break;
    case FILTER_SELF: targets = 1 << sender; break;
    default: return;
  }
  targets &= vcpuMask();
  const x = value & SGIR_INTID_MASK;
  while (targets != 0) {
    const t = <u32>ctz<u32>(targets);
    targets &= targets - 1;
    sgiRaiseFrom(t, x, sender);
  }
}

/** Is `reg` one of GICD_CPENDSGIRn / GICD_SPENDSGIRn? */
export function isPendSgiRegister(reg: u32): bool {
  return reg >= GICD_CPENDSGIR && reg < GICD_SPENDSGIR + PENDSGIR_BYTES;
}

/** The sources with SGI `x` pending at vCPU `v`, waiting or in a list register (less a clear not yet applied). */
function pendingSources(v: u32, x: u32): u32 {
  let bits = sgiSources(v, x);
  const val = lrHeldValue(v, x);
  if (val != 0 && (val & LR_PENDING) != 0 && !getBit(P_CLRP, v, x)) bits |= 1 << lrSourceOf(val);
  return bits;
}

/** Read GICD_CPENDSGIRn or GICD_SPENDSGIRn (the same bits) as vCPU `v` sees them. */
export function pendSgiRead(v: u32, reg: u32): u32 {
  vgicFlushCurrent();
  const x0 = (reg - GICD_CPENDSGIR) & (PENDSGIR_BYTES - 1);
  let word: u32 = 0;
  for (let k: u32 = 0; k < 4; k++) word |= (pendingSources(v, x0 + k) & BYTE_MASK) << (k << 3);
  return word;
}

/** Withdraw SGI `x`'s pending state from the sources in `bits` at vCPU `v`. */
function clearFrom(v: u32, x: u32, bits: u32): void {
  sgiClearSources(v, x, bits);
  const val = lrHeldValue(v, x);
  if (val != 0 && (bits & (1 << lrSourceOf(val))) != 0) setBit(P_CLRP, v, x, true);
  touch(v, x);
}

/** vCPU `v` writes the bytes of `value` selected by `mask` to GICD_CPENDSGIRn or GICD_SPENDSGIRn. */
export function pendSgiWrite(v: u32, reg: u32, value: u32, mask: u32): void {
  const set = reg >= GICD_SPENDSGIR;
  const x0 = (reg - GICD_CPENDSGIR) & (PENDSGIR_BYTES - 1);
  for (let k: u32 = 0; k < 4 && x0 + k < VGIC_SGIS; k++) {
    const shift = k << 3;
    let bits = ((value & mask) >> shift) & BYTE_MASK & vcpuMask();
    if (bits == 0) continue;
    if (!set) {
      clearFrom(v, x0 + k, bits);
      continue;
    }
    while (bits != 0) {
      const s = <u32>ctz<u32>(bits);
      bits &= bits - 1;
      sgiRaiseFrom(v, x0 + k, s);
    }
  }
}
