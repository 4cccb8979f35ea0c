/* The generic timer's virtual counter, read from EL1.
 *
 * CNTVCT_EL0 and CNTFRQ_EL0 are always readable at EL1 (CNTKCTL_EL1 only gates
 * EL0). The architecture lets a read of CNTVCT_EL0 happen speculatively and out of
 * order with respect to the surrounding instructions (ARM ARM, Generic Timer
 * chapter, section "The virtual counter"), so the read is fenced with an ISB on
 * both sides: the one before makes earlier instructions complete first, the one
 * after keeps later instructions from starting before the read. */
#ifndef WV_GUEST_COUNTER_H
#define WV_GUEST_COUNTER_H

#include <stdint.h>

static inline uint64_t counter_ticks(void)
{
    uint64_t v;
    __asm__ volatile("isb\n\tmrs %0, cntvct_el0\n\tisb" : "=r"(v) : : "memory");
    return v;
}

/* Ticks per second of the counter. Firmware (or the hypervisor) sets CNTFRQ_EL0;
 * the register itself has no effect on the counter, so 0 means "not set". */
static inline uint64_t counter_freq(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
    return v & 0xffffffffu;         /* bits [63:32] are RES0 */
}

#endif
