// GICv2 SGIs are pending per source: SGI n sent to a CPU by two different CPUs is two
// pending interrupts, each acknowledged with its source CPU ID (IHI 0048B 4.3.17,
// GICD_SPENDSGIRn; 4.4.4, GICC_IAR.CPUID). A list register carries one source
// (GICH_LR.CPUID, IHI 0048B 5.3.11), so the vGIC keeps, per target vCPU and SGI, the
// sources whose SGI is pending and in no list register (R_SGI_SRC), and lists them one
// at a time, lowest source first.
//
// The rest of the vGIC sees an SGI through P_PEND, "pending and not yet listed": for a
// GICv2 SGI it is kept equal to "some source is waiting" by every function here. A GICv3
// SGI has no source (R_SGI_SRC stays 0) and none of this applies to it.

import { VGIC_SGIS, R_SGI_SRC, P_PEND } from "./vgic_layout";
import { vcpuRec, vgicIsV2, setBit } from "./vgic_common";

/** Source CPU IDs a GICv2 SGI can carry: 3 bits (GICD_SGIR, GICC_IAR.CPUID). */
export const SGI_SOURCE_MASK: u32 = 0x7;

@inline function srcAddr(v: u32, x: u32): usize {
  return vcpuRec(v) + R_SGI_SRC + <usize>x;
}

/** Is `x` an SGI whose pending state is per source (the VM sees a GICv2)? */
@inline export function sgiBySource(x: u32): bool {
  return x < VGIC_SGIS && vgicIsV2();
}

/** The sources (bit s = vCPU s) with SGI `x` pending at vCPU `v` and in no list register. */
@inline export function sgiSources(v: u32, x: u32): u32 {
  return load<u8>(srcAddr(v, x));
}

function setSources(v: u32, x: u32, bits: u32): void {
  store<u8>(srcAddr(v, x), <u8>bits);
  setBit(P_PEND, v, x, bits != 0);
}

/** SGI `x` from source `s` becomes pending at vCPU `v` (the caller tells whoever must know). */
export function sgiAddSource(v: u32, x: u32, s: u32): void {
  setSources(v, x, sgiSources(v, x) | (1 << (s & SGI_SOURCE_MASK)));
}

/** Withdraw the pending SGI `x` of the sources in `bits` (GICD_CPENDSGIRn). */
export function sgiClearSources(v: u32, x: u32, bits: u32): void {
  setSources(v, x, sgiSources(v, x) & ~bits);
}

/** The source to put in a list register for SGI `x` at vCPU `v`: the lowest one waiting, now taken (0 if none). */
export function sgiTakeLowest(v: u32, x: u32): u32 {
  const bits = sgiSources(v, x);
  if (bits == 0) {
    setBit(P_PEND, v, x, false);
    return 0;
  }
  const s = <u32>ctz<u32>(bits);
  setSources(v, x, bits & (bits - 1));
  return s;
}

/** Take source `s` of SGI `x` (sent again while a list register holds it from `s`): was it waiting? */
export function sgiTakeSource(v: u32, x: u32, s: u32): bool {
  const bits = sgiSources(v, x);
  const b: u32 = 1 << (s & SGI_SOURCE_MASK);
  if ((bits & b) == 0) return false;
  setSources(v, x, bits & ~b);
  return true;
}
