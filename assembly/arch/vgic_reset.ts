// The virtual GIC's reset: a fresh block for a VM (vgicInit, once per VM, with the GIC
// architecture the VM sees) and one vCPU's banked interrupts back to reset when PSCI
// CPU_ON starts it again (vgicResetVcpu). What differs between the GIC versions is the
// reset group of every INTID and the GICv3 redistributor's sleep state.
//
// Reset values: GICv3 spec 12.9/12.11 (GICD_*, GICR_* reset values) with DS = 1; GICv2:
// IHI 0048B 4.3 (GICD_IGROUPRn and the enables, pending and active bits reset to 0). The
// IMPLEMENTATION DEFINED ones (SGI enables, PPI trigger) are chosen in arch/vgic_regs.ts.

import { VGIC, VG_VERSION, VG_VCPUS, VG_CURRENT, VG_LR_COUNT, VG_MODEL, VG_BITS, VG_BITS_STRIDE, VGIC_SIZE,
  VGIC_LAYOUT_VERSION, VGIC_MODEL_V2, VGIC_MODEL_V3, VGIC_PRIVATE_INTIDS, VGIC_MAX_VCPUS, VGIC_SGIS, P_GROUP,
  P_ENABLE, P_EDGE, P_COUNT, R_WAKER, R_BITS, R_PENDV, R_PRIO, R_FLAGS, R_SGI_SRC } from "./vgic_layout";
import { VGIC_NO_VCPU, vcpuRec, vgicVcpus, vgicIsV2 } from "./vgic_common";
import { RESET_PRIVATE_GROUP, RESET_PRIVATE_ENABLE, RESET_PRIVATE_EDGE } from "./vgic_regs";
import { WAKER_PROCESSOR_SLEEP } from "./vgic_v3";
import { lrForgetAll } from "./vgic_lr";

/**
 * The group every INTID starts in: Group 1 on a GICv3 (what a GICv3 guest uses), Group 0
 * on a GICv2 (GICD_IGROUPRn reset to 0; a GICv2 guest enables Group 0 in GICC_CTLR).
 */
function resetGroupWord(): u32 {
  return vgicIsV2() ? 0 : RESET_PRIVATE_GROUP;
}

/**
 * The banked INTIDs of vCPU `v` back to their reset state (list register shadows forgotten).
 * The physical-mask bits go too: the runtime unmasks the virtual timer's PPI, the only
 * banked physical INTID the core may mask, when it starts a vCPU afresh (docs/abi.md 4,
 * "What the core relies on"), and a bit left set would make the core believe it still
 * masked and not mask it again when the restarted guest's timer fires unwanted.
 */
function resetPrivate(v: u32): void {
  const r = vcpuRec(v);
  lrForgetAll(v);
  memory.fill(r + R_BITS, 0, 4 * <usize>P_COUNT);
  memory.fill(r + R_PRIO, 0, VGIC_PRIVATE_INTIDS);
  memory.fill(r + R_SGI_SRC, 0, VGIC_SGIS);
  store<u32>(r + R_BITS + (<usize>P_GROUP << 2), resetGroupWord());
  store<u32>(r + R_BITS + (<usize>P_ENABLE << 2), RESET_PRIVATE_ENABLE);
  store<u32>(r + R_BITS + (<usize>P_EDGE << 2), RESET_PRIVATE_EDGE);
  store<u32>(r + R_PENDV, 0);
  store<u32>(r + R_WAKER, vgicIsV2() ? 0 : WAKER_PROCESSOR_SLEEP);
  store<u32>(r + R_FLAGS, 0);
}

/**
 * A fresh vGIC for `vcpus` vCPUs of a VM that sees GIC architecture `model`
 * (VGIC_MODEL_V3 or VGIC_MODEL_V2): everything disabled, every INTID in the model's reset
 * group, SPIs level-sensitive, routed to vCPU 0 (GICv3) or to no CPU interface (GICv2,
 * GICD_ITARGETSRn reset 0; with one vCPU every SPI targets it).
 */
export function vgicInit(vcpus: u32, model: u32 = VGIC_MODEL_V3): void {
  memory.fill(VGIC, 0, VGIC_SIZE);
  store<u32>(VGIC + VG_VERSION, VGIC_LAYOUT_VERSION);
  store<u32>(VGIC + VG_MODEL, model == VGIC_MODEL_V2 ? VGIC_MODEL_V2 : VGIC_MODEL_V3);
  store<u32>(VGIC + VG_VCPUS, vcpus > VGIC_MAX_VCPUS ? VGIC_MAX_VCPUS : vcpus);
  store<u32>(VGIC + VG_CURRENT, VGIC_NO_VCPU);
  store<u32>(VGIC + VG_LR_COUNT, 0);
  memory.fill(VGIC + VG_BITS + <usize>P_GROUP * VG_BITS_STRIDE, vgicIsV2() ? 0 : 0xff, VG_BITS_STRIDE);
  for (let v: u32 = 0; v < VGIC_MAX_VCPUS; v++) resetPrivate(v);
}

/**
 * vCPU `v` is (re)started (PSCI CPU_ON): its banked interrupts are reset (its GICv3
 * redistributor, its GICv2 banked distributor registers) and its list registers are
 * forgotten. The runtime must clear that CPU's list registers (and deactivate the
 * physical interrupts of any hardware-mapped one) before it runs it.
 */
export function vgicResetVcpu(v: u32): void {
  if (v >= vgicVcpus()) return;
  resetPrivate(v);
}
