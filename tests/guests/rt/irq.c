/* One interrupt per vector entry: acknowledge, dispatch, EOI. Another interrupt
 * still pending is taken again as soon as the vector's ERET unmasks IRQs. */
#include "irq.h"
#include "config.h"
#include "events.h"
#include "gic.h"
#include "tick.h"

void guest_irq(uint64_t entry_ticks)
{
    uint32_t iar = gic_ack();
    uint32_t intid = iar & GIC_INTID_MASK;

    /* Special INTID (1023: the interrupt went away before the acknowledge): nothing
     * became active, so there is nothing to end. */
    if (intid >= GIC_INTID_SPECIAL_FIRST && intid <= GIC_INTID_SPECIAL_LAST) {
        rt_events.spurious++;
        return;
    }
    if (intid == RT_VTIMER_INTID)
        tick_isr(entry_ticks);
    else
        rt_events.spurious++;           /* nothing else is enabled */
    gic_eoi(iar);
}
