#include "gicv3.h"
#include "mmio.h"
#include "counter.h"
#include "uart.h"
#include "print.h"

void gic3_report(const char *tag, const char *what, uint64_t value, const char *expected)
{
    if (!tag) return;
    uart_puts(tag);
    uart_puts(": ERROR ");
    uart_puts(what);
    uart_puts(" reads ");
    print_hex(value);
    uart_puts(", ");
    uart_puts(expected);
    uart_putc('\n');
}

uint32_t gic3_wait_clear(uintptr_t addr, uint32_t mask, uint64_t wait_ticks)
{
    uint64_t start = counter_ticks();
    uint32_t v;
    while ((v = mmio_read32(addr)) & mask)
        if (counter_ticks() - start > wait_ticks)
            break;
    return v;
}

int gic3_dist_enable(const char *tag, uint64_t wait_ticks)
{
    uintptr_t ctlr = GICD_BASE + GICD_CTLR;
    static const uint32_t want = GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1;

    mmio_write32(ctlr, GICD_CTLR_ARE);
    uint32_t v = gic3_wait_clear(ctlr, GICD_CTLR_RWP, wait_ticks);
    if (!(v & GICD_CTLR_RWP)) {
        mmio_write32(ctlr, want);
        v = gic3_wait_clear(ctlr, GICD_CTLR_RWP, wait_ticks);
    }
    if (v & GICD_CTLR_RWP) {
        gic3_report(tag, "GICD_CTLR", v, "RWP (bit 31) did not clear");
        return 0;
    }
    if ((v & want) != want) {
        gic3_report(tag, "GICD_CTLR", v, "ARE (bit 4) and EnableGrp1 (bit 1) wanted");
        return 0;
    }
    return 1;
}

/* With two Security states GICR_WAKER may be RAZ/WI to a Non-secure guest:
 * ChildrenAsleep then reads 0 at once. */
int gic3_redist_wake(const char *tag, uintptr_t rd, uint64_t wait_ticks)
{
    uintptr_t waker = rd + GICR_WAKER;
    mmio_write32(waker, mmio_read32(waker) & ~GICR_WAKER_PROCESSOR_SLEEP);
    uint32_t v = gic3_wait_clear(waker, GICR_WAKER_CHILDREN_ASLEEP, wait_ticks);
    if (v & GICR_WAKER_CHILDREN_ASLEEP) {
        gic3_report(tag, "GICR_WAKER", v, "ChildrenAsleep (bit 2) did not clear");
        return 0;
    }
    return 1;
}
