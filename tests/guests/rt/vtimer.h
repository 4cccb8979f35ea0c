/* The EL1 virtual timer (CNTV_*), used in its CompareValue form: the timer condition
 * is met while CNTVCT_EL0 - CNTV_CVAL_EL0 >= 0 (ARM ARM, Generic Timer chapter,
 * "Operation of the CompareValue views of the timers"), and the timer asserts its
 * interrupt, a level-sensitive PPI, while the condition is met, ENABLE is 1 and
 * IMASK is 0. Writing a later CVAL removes the condition, and so the interrupt. */
#ifndef RT_VTIMER_H
#define RT_VTIMER_H

#include <stdint.h>

#include "cpu.h"

/* CNTV_CTL_EL0 bits (ARM ARM, CNTV_CTL_EL0 description). */
#define CNTV_CTL_ENABLE  (1u << 0)
#define CNTV_CTL_IMASK   (1u << 1)
#define CNTV_CTL_ISTATUS (1u << 2)      /* read-only: the timer condition is met */

/* New absolute deadline; the ISB makes the write (and so the end of the old
 * condition) take effect before what follows, such as the EOI. */
static inline void vtimer_set_deadline(uint64_t cval)
{
    SYSREG_WRITE(cntv_cval_el0, cval);
    isb();
}

/* Deadline first, then ENABLE with IMASK clear: the timer never fires on a stale CVAL. */
static inline void vtimer_start(uint64_t cval)
{
    SYSREG_WRITE(cntv_cval_el0, cval);
    SYSREG_WRITE(cntv_ctl_el0, CNTV_CTL_ENABLE);
    isb();
}

static inline uint64_t vtimer_ctl(void)
{
    return SYSREG_READ(cntv_ctl_el0);
}

#endif
