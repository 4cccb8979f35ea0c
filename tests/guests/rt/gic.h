/* The guest's side of a GICv3 (IHI 0069, "GICv3 spec" below): the distributor and
 * vCPU 0's redistributor by MMIO, the CPU interface through the ICC_* system
 * registers. Only what a single-core tick needs: one PPI, group 1, EOImode 0. */
#ifndef RT_GIC_H
#define RT_GIC_H

#include <stdint.h>
#include "gicv3.h"

#include "cpu.h"

/* QEMU-virt layout of the VM (tests/guests/README.md, "guest-rt"). */
#define GICR_RD_BASE  GICR_BASE         /* vCPU 0's redistributor: RD_base frame */

/* ICC_IAR1_EL1.INTID is bits [23:0]; 1020..1023 are the special INTIDs (1023:
 * nothing pending), which are not acknowledged and so get no EOI (GICv3 spec,
 * ICC_IAR1_EL1 and "Special INTIDs"). */
#define GIC_INTID_MASK          0xffffffu
#define GIC_INTID_SPECIAL_FIRST 1020u
#define GIC_INTID_SPECIAL_LAST  1023u

/* Brings up the distributor, the redistributor and the CPU interface, and enables
 * PPI `intid` at `priority` in group 1. `wait_ticks` bounds each wait for the GIC.
 * Prints an "rt: ERROR ..." line for each step that does not read back as written;
 * returns 0 only when the CPU interface has no system registers (nothing further
 * can work), 1 otherwise. */
int gic_init(uint32_t intid, uint8_t priority, uint64_t wait_ticks);

/* Prints the redistributor's and the CPU interface's view of PPI `intid`
 * (pending, enabled, highest pending): the "no timer interrupt" diagnosis. */
void gic_print_state(uint32_t intid);

/* Acknowledge: the highest-priority pending group 1 interrupt becomes active. */
static inline uint32_t gic_ack(void)
{
    return (uint32_t)SYSREG_READ(icc_iar1_el1);
}

/* End of interrupt with the value gic_ack returned: with ICC_CTLR_EL1.EOImode = 0
 * this drops the running priority and deactivates (GICv3 spec, ICC_EOIR1_EL1). The
 * ERET that ends the handler is the context synchronization event that follows. */
static inline void gic_eoi(uint32_t iar)
{
    SYSREG_WRITE(icc_eoir1_el1, iar);
}

#endif
