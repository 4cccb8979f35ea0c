/* The fuzz guest's own use of its virtual GICv3 (IHI 0069, "GICv3 spec"): bringing a
 * vCPU's CPU interface up, putting back what the random actions may have broken before
 * it waits (so that a wait can always end), and ending what is pending or active. */
#ifndef FUZZ_GIC_H
#define FUZZ_GIC_H
#include <stdint.h>
#include "gicv3.h"

#define GIC_INTID_MASK          0xffffffu
#define GIC_INTID_SPECIAL_FIRST 1020u       /* 1020..1023: nothing to acknowledge */
#define GIC_VTIMER_INTID        27u         /* EL1 virtual timer PPI (BSA / QEMU virt) */
#define GIC_PTIMER_INTID        30u         /* EL1 physical timer PPI (BSA / QEMU virt) */
#define GIC_SGI_COUNT           16u
#define GIC_SPI_FIRST           32u
#define GICD_ICENABLER          0x0180u
#define GICR_ICENABLER0         (GICR_SGI_FRAME + 0x0180u)
#define GICR_ICPENDR0           (GICR_SGI_FRAME + 0x0280u)
#define GICR_ISACTIVER0         (GICR_SGI_FRAME + 0x0300u)
#define GICR_ICACTIVER0         (GICR_SGI_FRAME + 0x0380u)
#define GICD_SIZE               0x10000ul
#define GICR_FRAME_SIZE         GICR_STRIDE
#define GIC_TIMER_PRIORITY      0x80u

/* The redistributor (RD_base) of vCPU `cpu`. */
static inline uintptr_t gicr_of(uint32_t cpu)
{
    return GICR_BASE + (uintptr_t)cpu * GICR_STRIDE;
}

/* vCPU 0 only: the distributor with affinity routing and group 1 on. */
void fuzz_gic_dist_init(void);
/* This vCPU's interface and redistributor; 0 without the system register interface. */
int fuzz_gic_cpu_init(void);
/* Put back what the guest itself needs to wake from a wait: the distributor's group 1,
 * its redistributor awake, the timer PPI in group 1, enabled, at a priority the mask
 * lets through, EOImode 0, group 1 on; then end whatever is active or pending
 * (acknowledged and ended, or deactivated through GICR_ICACTIVER0). Returns the exits. */
uint32_t fuzz_gic_tidy(void);
/* The distributor and vCPU `cpu`'s redistributor part of that: its timer PPI in group 1,
 * enabled, at a priority the mask lets through, the redistributor awake. For another
 * vCPU too, whose redistributor the device action may have changed while it waits.
 * Returns the exits. */
uint32_t fuzz_gic_timer_ready(uint32_t cpu);
/* Acknowledge and end until nothing is left (at most a bound): group 0 when `group0`.
 * Returns how many INTIDs were acknowledged. */
uint32_t fuzz_gic_drain(int group0);
/* The virtual timer: fire `us` microseconds from now / off. */
void fuzz_vtimer_arm(uint64_t us);
void fuzz_vtimer_off(void);

#endif
