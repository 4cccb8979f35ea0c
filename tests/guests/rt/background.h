/* The lowest-priority task of the real-time guest. */
#ifndef RT_BACKGROUND_H
#define RT_BACKGROUND_H

#include <stdint.h>

/* Runs forever with IRQs unmasked, after tick_start: prints "READY rt", the
 * heartbeats and the latency rounds the interrupt side posts (with `hyp`, each round's
 * hypervisor share too: tick_start's `hyp_stamps`), sends the rounds as WV_HC_REPORT
 * metrics when `reports` is set, and idles in WFI in between. `freq` is CNTFRQ_EL0 and
 * `armed_at` what tick_start returned. */
void background(uint64_t freq, uint64_t armed_at, int reports, int hyp) __attribute__((noreturn));

#endif
