/* The periodic tick: the virtual timer with absolute deadlines, a latency sample per
 * tick, the tasks released from it. */
#ifndef RT_TICK_H
#define RT_TICK_H

#include <stdint.h>

/* Arms the first deadline one period from now; returns the counter value used as
 * "now" (the start of the first-tick timeout). `hyp_stamps`: the hypervisor answers
 * WV_HC_BENCH_STAMP, so each tick also samples the hypervisor's share (hyp_stamp.h). */
uint64_t tick_start(uint64_t period_ticks, int hyp_stamps);

/* The timer's interrupt, acknowledged; `entry_ticks` is CNTVCT_EL0 as read first
 * thing in the vector. */
void tick_isr(uint64_t entry_ticks);

#endif
