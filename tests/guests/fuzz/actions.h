/* The fuzz guest's actions: each draws what it does from the PRNG and returns how many
 * exits it caused on purpose (trapping instructions executed; fuzz.h). */
#ifndef FUZZ_ACTIONS_H
#define FUZZ_ACTIONS_H
#include <stdint.h>
#include "prng.h"

/* calls.c: hypercalls, PSCI and other SMCCC calls by HVC and SMC, wild arguments. */
uint32_t act_call(struct prng *r);
/* calls.c: PSCI CPU_SUSPEND, a wait bounded by the guest's own timer. */
uint32_t act_suspend(struct prng *r);
/* sysregs.c: trapped and untrapped system registers a hostile guest tries. */
uint32_t act_sysreg(struct prng *r);
/* mmio.c: random-width accesses to the GIC frames, the PL011 and the virtio window. */
uint32_t act_device(struct prng *r);
/* mmio.c: accesses at the edges of the VM's memory (outside only with the flag). */
uint32_t act_memory_edge(struct prng *r);
/* cache.c: DC CIVAC / CVAC / IVAC and IC IVAU on odd addresses. */
uint32_t act_cache(struct prng *r);
/* wait.c: WFI / WFE storms, each wait bounded by the guest's own virtual timer. */
uint32_t act_wait(struct prng *r);
/* wait.c: a short window with IRQs unmasked. */
uint32_t act_irq_window(struct prng *r);
/* sgi.c: SGIs to itself and to CPUs it lacks, SGIs made active by hand, nested
 * acknowledgements ended in any order or not at all. */
uint32_t act_sgi(struct prng *r);
/* cpu1.c: CPU_OFF / CPU_ON cycles of vCPU 1, and CPU_ON with bad targets and entries. */
uint32_t act_cpu_cycle(struct prng *r);
/* virtio.c: management requests sent on the virtio-console (refused: not an mvm). */
uint32_t act_mgmt_flood(struct prng *r);

#endif
