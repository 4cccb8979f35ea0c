/* The mailbox from the interrupt side (tick handler and tasks) to the background
 * loop. Only the interrupt side writes it, with IRQs masked as they are in any
 * handler; the background loop copies it with IRQs masked too, so it never sees a
 * half-updated round. */
#ifndef RT_EVENTS_H
#define RT_EVENTS_H

#include <stdint.h>

#include "latency.h"

struct rt_round {
    struct latency_stats latency;   /* in counter ticks */
    struct latency_stats hyp;       /* the hypervisor's share of the same ticks (bench VMs) */
    uint64_t overruns;              /* samples a whole period or more late */
    uint64_t spurious;              /* interrupts that were not a due tick */
};

struct rt_events {
    uint64_t ticks;                 /* ticks handled since arming */
    uint64_t heartbeats;            /* seconds since arming, counted by the monitor task */
    uint64_t rounds;                /* rounds completed; `round` is the last one */
    struct rt_round round;
    uint64_t spurious;              /* in the round in progress */
    uint64_t task_faults;           /* monitor checks that found the control task off count */
    uint64_t task_fault_runs;       /* the control runs the last such check counted */
};

extern struct rt_events rt_events;

#endif
