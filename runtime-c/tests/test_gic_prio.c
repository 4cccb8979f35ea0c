/* Host test of the physical priorities the GIC drivers give the banked INTIDs
 * (wv_gic.h): the scheduler's tick outranks the maintenance interrupt, so a guest that
 * keeps the maintenance interrupt firing cannot keep another VM on the same CPU from
 * being scheduled; everything else keeps the default. */
#include <stdio.h>
#include "wv_gic.h"

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

#define BANKED_INTIDS   32u
#define BYTE_MASK       0xffu

static uint32_t prio_of(uint32_t intid)
{
    uint32_t first = intid - intid % WV_GIC_PRIO_PER_REG;
    return (wv_gic_private_prio_word(first) >> (8 * (intid - first))) & BYTE_MASK;
}

int main(void)
{
    /* Lower is more urgent (GICv3 spec 4.8). */
    CHECK(prio_of(PPI_HYP_TIMER) < prio_of(PPI_MAINTENANCE));
    CHECK(prio_of(PPI_HYP_TIMER) < prio_of(WV_KICK_SGI));
    CHECK(prio_of(PPI_HYP_TIMER) < prio_of(PPI_VTIMER));
    for (uint32_t x = 0; x < BANKED_INTIDS; x++)
        if (x != PPI_HYP_TIMER) CHECK(prio_of(x) == WV_GIC_PRIO_DEFAULT);
    if (failures) return 1;
    printf("test_gic_prio: ok\n");
    return 0;
}
