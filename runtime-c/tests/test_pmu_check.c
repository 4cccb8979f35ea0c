/* wv_pmu_access_check: what the core may do to the PMU through pmu_read / pmu_write. */
#include <stdio.h>
#include "wv_pmu.h"
#include "wv_validate.h"

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

#define COUNTERS 6u

static void test_filters_never_count_el2(void)
{
    CHECK(wv_pmu_access_check(WV_PMU_CCFILTR, 1, WV_PMU_FILTER_NSH, COUNTERS) == WV_EDENIED);
    CHECK(wv_pmu_access_check(WV_PMU_CCFILTR, 1, ~0ull, COUNTERS) == WV_EDENIED);
    CHECK(wv_pmu_access_check(WV_PMU_EVTYPER0 + 5, 1, WV_PMU_FILTER_NSH | 0x11, COUNTERS) == WV_EDENIED);
    CHECK(wv_pmu_access_check(WV_PMU_CCFILTR, 1, ~WV_PMU_FILTER_NSH, COUNTERS) == WV_OK);
    CHECK(wv_pmu_access_check(WV_PMU_EVTYPER0, 1, 0x11, COUNTERS) == WV_OK);
    /* NSH is bit 27 of filters only: a counter value with bit 27 set is just a count. */
    CHECK(wv_pmu_access_check(WV_PMU_CCNTR, 1, WV_PMU_FILTER_NSH, COUNTERS) == WV_OK);
    CHECK(wv_pmu_access_check(WV_PMU_EVCNTR0 + 1, 1, WV_PMU_FILTER_NSH, COUNTERS) == WV_OK);
    CHECK(wv_pmu_access_check(WV_PMU_CCFILTR, 0, 0, COUNTERS) == WV_OK);
}

static void test_counters_the_cpu_has(void)
{
    CHECK(wv_pmu_access_check(WV_PMU_EVCNTR0 + COUNTERS - 1, 0, 0, COUNTERS) == WV_OK);
    CHECK(wv_pmu_access_check(WV_PMU_EVCNTR0 + COUNTERS, 0, 0, COUNTERS) == WV_EINVAL);
    CHECK(wv_pmu_access_check(WV_PMU_EVTYPER0 + COUNTERS, 1, 0, COUNTERS) == WV_EINVAL);
    CHECK(wv_pmu_access_check(WV_PMU_EVCNTR0, 0, 0, 0) == WV_EINVAL);
    CHECK(wv_pmu_access_check(WV_PMU_EVTYPER0 + 31, 1, 0, 31) == WV_EINVAL);
}

static void test_registers_and_directions(void)
{
    CHECK(wv_pmu_access_check(WV_PMU_FIXED_COUNT, 0, 0, COUNTERS) == WV_EINVAL);
    CHECK(wv_pmu_access_check(WV_PMU_EVCNTR0 - 1, 0, 0, COUNTERS) == WV_EINVAL);
    CHECK(wv_pmu_access_check(0xffffffffu, 1, 0, COUNTERS) == WV_EINVAL);
    CHECK(wv_pmu_access_check(WV_PMU_SWINC, 1, 1, COUNTERS) == WV_OK);
    CHECK(wv_pmu_access_check(WV_PMU_SWINC, 0, 0, COUNTERS) == WV_EINVAL);
    CHECK(wv_pmu_access_check(WV_PMU_CEID0, 0, 0, COUNTERS) == WV_OK);
    CHECK(wv_pmu_access_check(WV_PMU_CEID1, 1, 0, COUNTERS) == WV_EINVAL);
    CHECK(wv_pmu_access_check(WV_PMU_PMCR, 1, ~0ull, COUNTERS) == WV_OK);
}

int main(void)
{
    test_filters_never_count_el2();
    test_counters_the_cpu_has();
    test_registers_and_directions();
    printf("test_pmu_check: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
