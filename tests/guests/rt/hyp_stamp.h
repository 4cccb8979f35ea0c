/* The hypervisor's share of a tick's latency, in a VM with the bench flag: from the
 * hypervisor's IRQ vector on this CPU (WV_HC_BENCH_STAMP) to the guest's handler. */
#ifndef RT_HYP_STAMP_H
#define RT_HYP_STAMP_H

#include <stdint.h>

/* Whether the hypervisor answers WV_HC_BENCH_STAMP (asked once, before the tick starts). */
int hyp_stamp_probe(void);

/* For the tick due at `due` whose handler read the counter as `entry`: 1 with *ticks =
 * entry - stamp, or 0 when the stamp is not this tick's and the sample is to be skipped. */
int hyp_stamp_latency(uint64_t due, uint64_t entry, uint64_t *ticks);

#endif
