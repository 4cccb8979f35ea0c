/* The PMU registers the core reaches through the `pmu_read` / `pmu_write` imports
 * (docs/abi.md 2), by number: mirrored in assembly/abi/pmu_regs.ts. The checks are
 * pure (no hardware access) so they are host-tested (runtime-c/tests/test_validate.c). */
#ifndef WV_PMU_H
#define WV_PMU_H
#include <stdint.h>

#define WV_PMU_PMCR         0u
#define WV_PMU_CNTENSET     1u
#define WV_PMU_CNTENCLR     2u
#define WV_PMU_OVSCLR       3u
#define WV_PMU_SWINC        4u      /* write only */
#define WV_PMU_SELR         5u
#define WV_PMU_CEID0        6u      /* read only */
#define WV_PMU_CEID1        7u      /* read only */
#define WV_PMU_CCNTR        8u
#define WV_PMU_USERENR      9u
#define WV_PMU_INTENSET     10u
#define WV_PMU_INTENCLR     11u
#define WV_PMU_OVSSET       12u
#define WV_PMU_CCFILTR      13u
#define WV_PMU_FIXED_COUNT  14u
#define WV_PMU_EVCNTR0      32u     /* + n: PMEVCNTR<n>_EL0, n < PMCR_EL0.N */
#define WV_PMU_EVTYPER0     64u     /* + n: PMEVTYPER<n>_EL0, n < PMCR_EL0.N */
#define WV_PMU_ID_SPAN      32u

/* PMCCFILTR_EL0.NSH / PMEVTYPER<n>_EL0.NSH [27] (ARM ARM, those register descriptions): counting
 * at EL2 when set. No guest may set it: EL2 is the hypervisor's (on an ARMv8.0 PMU
 * nothing else, not even MDCR_EL2.HPMD, keeps EL2 from being counted). */
#define WV_PMU_FILTER_NSH   (1ull << 27)

/* May the core read (write = 0) or write register `reg` with `value`, on a CPU with
 * `counters` event counters? WV_OK, WV_EINVAL (no such register or counter, or the wrong
 * direction), or WV_EDENIED (a filter that would count EL2). */
int wv_pmu_access_check(uint32_t reg, int write, uint64_t value, uint32_t counters);

#endif
