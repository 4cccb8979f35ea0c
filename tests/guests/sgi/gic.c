/* GICv3 bring-up for the SGI guest: the distributor once, then per vCPU its own
 * redistributor and CPU interface, in the order of rt/gic.c (which explains each step). */
#include "gic.h"
#include "counter.h"
#include "mmio.h"
#include "print.h"
#include "uart.h"

#define GICD_CTLR               0x0000u
#define GICD_CTLR_ENABLE_GRP1   (1u << 1)
#define GICD_CTLR_ARE           (1u << 4)
#define GICD_CTLR_RWP           (1u << 31)

#define GICR_WAKER                 0x0014u
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_SGI_FRAME             0x10000u
#define GICR_IGROUPR0              (GICR_SGI_FRAME + 0x0080u)
#define GICR_ISENABLER0            (GICR_SGI_FRAME + 0x0100u)
#define GICR_IPRIORITYR0           (GICR_SGI_FRAME + 0x0400u)

#define ICC_SRE_SRE         (1u << 0)
#define ICC_CTLR_EOIMODE    (1u << 1)
#define ICC_IGRPEN1_ENABLE  (1u << 0)

static uint32_t wait_clear(uintptr_t addr, uint32_t mask, uint64_t wait_ticks)
{
    uint64_t start = counter_ticks();
    uint32_t v;
    while ((v = mmio_read32(addr)) & mask)
        if (counter_ticks() - start > wait_ticks)
            break;
    return v;
}

static void error_reg(int verbose, const char *what, uint64_t value, const char *expected)
{
    if (!verbose)
        return;
    uart_puts("sgi: ERROR ");
    uart_puts(what);
    uart_puts(" reads ");
    print_hex(value);
    uart_puts(", ");
    uart_puts(expected);
    uart_putc('\n');
}

void gic_dist_init(uint64_t wait_ticks)
{
    uintptr_t ctlr = GICD_BASE + GICD_CTLR;
    static const uint32_t want = GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1;

    mmio_write32(ctlr, GICD_CTLR_ARE);
    uint32_t v = wait_clear(ctlr, GICD_CTLR_RWP, wait_ticks);
    if (!(v & GICD_CTLR_RWP)) {
        mmio_write32(ctlr, want);
        v = wait_clear(ctlr, GICD_CTLR_RWP, wait_ticks);
    }
    if (v & GICD_CTLR_RWP)
        error_reg(1, "GICD_CTLR", v, "RWP (bit 31) did not clear");
    else if ((v & want) != want)
        error_reg(1, "GICD_CTLR", v, "ARE (bit 4) and EnableGrp1 (bit 1) wanted");
}

int gic_cpu_init(uint32_t intid, uint8_t priority, uint64_t wait_ticks, int verbose, uint32_t *faults)
{
    *faults = 0;
    SYSREG_WRITE(icc_sre_el1, SYSREG_READ(icc_sre_el1) | ICC_SRE_SRE);
    __asm__ volatile("isb" : : : "memory");
    uint64_t sre = SYSREG_READ(icc_sre_el1);
    if (!(sre & ICC_SRE_SRE)) {
        error_reg(verbose, "ICC_SRE_EL1", sre, "SRE (bit 0) wanted: no GICv3 system register interface");
        (*faults)++;
        return 0;
    }

    uintptr_t rd = GICR_BASE + cpu_index() * GICR_STRIDE;
    uintptr_t waker = rd + GICR_WAKER;
    mmio_write32(waker, mmio_read32(waker) & ~GICR_WAKER_PROCESSOR_SLEEP);
    uint32_t v = wait_clear(waker, GICR_WAKER_CHILDREN_ASLEEP, wait_ticks);
    if (v & GICR_WAKER_CHILDREN_ASLEEP) {
        error_reg(verbose, "GICR_WAKER", v, "ChildrenAsleep (bit 2) did not clear");
        (*faults)++;
    }

    uint32_t bit = 1u << intid;
    uintptr_t prio = rd + GICR_IPRIORITYR0 + (intid & ~3u);
    uint32_t shift = (intid & 3u) * 8u;
    mmio_write32(rd + GICR_IGROUPR0, mmio_read32(rd + GICR_IGROUPR0) | bit);
    mmio_write32(prio, (mmio_read32(prio) & ~(0xffu << shift)) | ((uint32_t)priority << shift));
    mmio_write32(rd + GICR_ISENABLER0, bit);
    uint32_t group = mmio_read32(rd + GICR_IGROUPR0);
    if (!(group & bit)) {
        error_reg(verbose, "GICR_IGROUPR0", group, "the SGI is not in group 1");
        (*faults)++;
    }
    uint32_t enabled = mmio_read32(rd + GICR_ISENABLER0);
    if (!(enabled & bit)) {
        error_reg(verbose, "GICR_ISENABLER0", enabled, "the SGI is not enabled");
        (*faults)++;
    }

    SYSREG_WRITE(icc_pmr_el1, 0xffu);
    SYSREG_WRITE(icc_bpr1_el1, 0u);
    SYSREG_WRITE(icc_ctlr_el1, SYSREG_READ(icc_ctlr_el1) & ~(uint64_t)ICC_CTLR_EOIMODE);
    SYSREG_WRITE(icc_igrpen1_el1, ICC_IGRPEN1_ENABLE);
    __asm__ volatile("isb" : : : "memory");
    uint64_t en = SYSREG_READ(icc_igrpen1_el1);
    if (!(en & ICC_IGRPEN1_ENABLE)) {
        error_reg(verbose, "ICC_IGRPEN1_EL1", en, "Enable (bit 0) wanted");
        (*faults)++;
    }
    return 1;
}
