/* The EL1 virtual timer (CNTV_*), used in its CompareValue form: the timer condition
 * is met while CNTVCT_EL0 - CNTV_CVAL_EL0 >= 0 (ARM ARM, Generic Timer chapter,
 * "Operation of the CompareValue views of the timers"), and the timer asserts its
 * interrupt, a level-sensitive PPI, while the condition is met, ENABLE is 1 and
 * IMASK is 0. Writing a later CVAL removes the condition, and so the interrupt. */
#ifndef RT_VTIMER_H
#define RT_VTIMER_H

#include <stdint.h>

#include "cpu.h"

/* Built with RT_PHYS_TIMER (guest-rt-ptimer), the tick runs on the EL1 physical timer
 * (CNTP_*, its PPI 14 = INTID 30) instead: the same registers and rules, the physical
 * counter (ARM ARM D11.2.4, "The EL1 physical timer"). */
#ifdef RT_PHYS_TIMER
#define RT_TIMER_CTL  cntp_ctl_el0
#define RT_TIMER_CVAL cntp_cval_el0
#else
#define RT_TIMER_CTL  cntv_ctl_el0
#define RT_TIMER_CVAL cntv_cval_el0
#endif
/* One more level, so that the register name above is expanded before SYSREG_* quote it. */
#define RT_TIMER_READ(r)     SYSREG_READ(r)
#define RT_TIMER_WRITE(r, v) SYSREG_WRITE(r, v)

/* CNTV_CTL_EL0 bits (ARM ARM, CNTV_CTL_EL0 description). */
#define CNTV_CTL_ENABLE  (1u << 0)
#define CNTV_CTL_IMASK   (1u << 1)
#define CNTV_CTL_ISTATUS (1u << 2)      /* read-only: the timer condition is met */

/* New absolute deadline; the ISB makes the write (and so the end of the old
 * condition) take effect before what follows, such as the EOI. */
static inline void vtimer_set_deadline(uint64_t cval)
{
    RT_TIMER_WRITE(RT_TIMER_CVAL, cval);
    isb();
}

/* Deadline first, then ENABLE with IMASK clear: the timer never fires on a stale CVAL. */
static inline void vtimer_start(uint64_t cval)
{
    RT_TIMER_WRITE(RT_TIMER_CVAL, cval);
    RT_TIMER_WRITE(RT_TIMER_CTL, CNTV_CTL_ENABLE);
    isb();
}

static inline uint64_t vtimer_ctl(void)
{
    return RT_TIMER_READ(RT_TIMER_CTL);
}

#endif
