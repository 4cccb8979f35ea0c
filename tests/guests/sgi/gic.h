/* The guest's side of a GICv3 (IHI 0069, "GICv3 spec" below) for SGIs between two
 * vCPUs: the distributor, each vCPU's own redistributor, the CPU interface through the
 * ICC_* system registers, SGIs through ICC_SGI1R_EL1. Group 1, EOImode 0. */
#ifndef SGI_GIC_H
#define SGI_GIC_H

#include <stdint.h>
#include "gicv3.h"

#define SYSREG_READ(r) ({ uint64_t v_; __asm__ volatile("mrs %0, " #r : "=r"(v_) : : "memory"); v_; })
#define SYSREG_WRITE(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")

/* QEMU-virt layout of the VM: the distributor, then one 128 KiB redistributor (RD_base
 * frame, SGI_base frame 64 KiB above) per vCPU, vCPU 0's first. */

#define GIC_INTID_MASK          0xffffffu
#define GIC_INTID_SPECIAL_FIRST 1020u

/* This vCPU's index: MPIDR_EL1.Aff0 (a wasmvisor VM's vCPU n has Aff0 = n, Aff1..3 = 0). */
static inline uint32_t cpu_index(void)
{
    return (uint32_t)(SYSREG_READ(mpidr_el1) & 0xffu);
}

/* The distributor with affinity routing and group 1 on (vCPU 0 does it, once).
 * Prints "sgi: ERROR ..." for what does not read back as written. */
void gic_dist_init(uint64_t wait_ticks);

/* This vCPU's part: the system register interface on, its redistributor awake, SGI
 * `intid` in group 1 at `priority` and enabled, then the CPU interface's priority mask
 * and group 1 enable. Returns 0 when there is no system register interface (nothing
 * further can work), 1 otherwise. Prints only when `verbose` (vCPU 0: a second vCPU
 * printing would interleave its lines with the first's). Returns the number of steps
 * that did not read back in *faults. */
int gic_cpu_init(uint32_t intid, uint8_t priority, uint64_t wait_ticks, int verbose, uint32_t *faults);

/* Group 1 SGI `intid` to vCPU `target` (0..15) of this VM: ICC_SGI1R_EL1 with Aff3..1 = 0,
 * RS = 0, TargetList bit `target`, IRM = 0 (GICv3 spec, ICC_SGI1R_EL1). */
static inline void gic_send_sgi(uint32_t intid, uint32_t target)
{
    uint64_t v = ((uint64_t)(intid & 0xfu) << 24) | (1ull << (target & 0xfu));
    __asm__ volatile("dsb ishst" : : : "memory");     /* earlier stores visible first */
    SYSREG_WRITE(icc_sgi1r_el1, v);
    __asm__ volatile("isb" : : : "memory");
}

static inline uint32_t gic_ack(void)
{
    return (uint32_t)SYSREG_READ(icc_iar1_el1);
}

static inline void gic_eoi(uint32_t iar)
{
    SYSREG_WRITE(icc_eoir1_el1, iar);
}

#endif
