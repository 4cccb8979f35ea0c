/* The check behind the `pmu_read` / `pmu_write` imports (wv_pmu.h): pure, no hardware. */
#include "wv_pmu.h"
#include "wv_validate.h"

/* Registers with a direction of their own: PMSWINC_EL0 is write-only, PMCEID0/1_EL0
 * read-only (ARM ARM, their register descriptions). */
static int direction_ok(uint32_t reg, int write)
{
    if (reg == WV_PMU_SWINC) return write;
    if (reg == WV_PMU_CEID0 || reg == WV_PMU_CEID1) return !write;
    return 1;
}

static int is_filter(uint32_t reg)
{
    return reg == WV_PMU_CCFILTR || (reg >= WV_PMU_EVTYPER0 && reg < WV_PMU_EVTYPER0 + WV_PMU_ID_SPAN);
}

int wv_pmu_access_check(uint32_t reg, int write, uint64_t value, uint32_t counters)
{
    int fixed = reg < WV_PMU_FIXED_COUNT;
    int counter = (reg >= WV_PMU_EVCNTR0 && reg < WV_PMU_EVCNTR0 + counters)
               || (reg >= WV_PMU_EVTYPER0 && reg < WV_PMU_EVTYPER0 + counters);
    if (!fixed && !counter) return WV_EINVAL;
    if (!direction_ok(reg, write)) return WV_EINVAL;
    if (write && is_filter(reg) && (value & WV_PMU_FILTER_NSH)) return WV_EDENIED;
    return WV_OK;
}
