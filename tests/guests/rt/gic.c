/* GICv3 bring-up for one PPI, in the order an RTOS does it: CPU interface system
 * registers on, distributor with affinity routing and group 1, redistributor awake,
 * the PPI configured and enabled, then the CPU interface's mask and group enable.
 * A step that does not read back as written is reported and the others still run,
 * so one console log shows everything a virtual GIC got wrong. */
#include "gic.h"
#include "counter.h"
#include "mmio.h"
#include "print.h"
#include "uart.h"

/* Distributor (GICv3 spec, "The GIC Distributor register map"). GICD_CTLR has two
 * layouts that agree on the bits used here: with a single Security state (DS = 1,
 * what a VM normally sees) bit 4 is ARE and bit 1 EnableGrp1; in the Non-secure view
 * of a GIC with two Security states bit 4 is ARE_NS and bit 1 EnableGrp1A, the
 * enable of Non-secure group 1 (GICv3 spec, GICD_CTLR). */
#define GICD_CTLR               0x0000u
#define GICD_CTLR_ENABLE_GRP1   (1u << 1)
#define GICD_CTLR_ARE           (1u << 4)
#define GICD_CTLR_RWP           (1u << 31)      /* a write to CTLR is still in progress */

/* Redistributor: RD_base frame, then the SGI_base frame 64 KiB above it (GICv3
 * spec, "The GIC Redistributor register map"). */
#define GICR_WAKER                 0x0014u
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_SGI_FRAME             0x10000u
#define GICR_IGROUPR0              (GICR_SGI_FRAME + 0x0080u)
#define GICR_ISENABLER0            (GICR_SGI_FRAME + 0x0100u)
#define GICR_ISPENDR0              (GICR_SGI_FRAME + 0x0200u)
#define GICR_IPRIORITYR0           (GICR_SGI_FRAME + 0x0400u)   /* one byte per INTID */

/* CPU interface (GICv3 spec, "AArch64 System register descriptions"). */
#define ICC_SRE_SRE         (1u << 0)   /* ICC_SRE_EL1: system register interface on */
#define ICC_CTLR_EOIMODE    (1u << 1)   /* ICC_CTLR_EL1: 0 = EOI also deactivates */
#define ICC_IGRPEN1_ENABLE  (1u << 0)
#define ICC_PMR_ALL         0xffu       /* lowest mask: every priority but 0xff is signalled */
#define ICC_BPR1_MIN        0u          /* smallest group priority field (reads back its minimum) */

/* Polls `addr` until the bits in `mask` read 0, at most `wait_ticks` counter ticks.
 * Returns the last value read (mask bits still set: timed out). */
static uint32_t wait_clear(uintptr_t addr, uint32_t mask, uint64_t wait_ticks)
{
    uint64_t start = counter_ticks();
    uint32_t v;
    while ((v = mmio_read32(addr)) & mask)
        if (counter_ticks() - start > wait_ticks)
            break;
    return v;
}

static void error_reg(const char *what, uint64_t value, const char *expected)
{
    uart_puts("rt: ERROR ");
    uart_puts(what);
    uart_puts(" reads ");
    print_hex(value);
    uart_puts(", ");
    uart_puts(expected);
    uart_putc('\n');
}

/* ICC_SRE_EL1.SRE = 1 selects the system register interface; until an ISB the other
 * ICC_* registers may still see the old value (GICv3 spec, ICC_SRE_EL1). Under a
 * hypervisor the bit may be fixed at 1 (RAO/WI), which reads back the same. */
static int cpu_if_sre_on(void)
{
    SYSREG_WRITE(icc_sre_el1, SYSREG_READ(icc_sre_el1) | ICC_SRE_SRE);
    isb();
    uint64_t sre = SYSREG_READ(icc_sre_el1);
    if (sre & ICC_SRE_SRE)
        return 1;
    error_reg("ICC_SRE_EL1", sre, "SRE (bit 0) wanted: no GICv3 system register interface");
    return 0;
}

/* ARE is set with both groups disabled, then group 1 enabled: changing ARE while a
 * group is enabled is UNPREDICTABLE, and RWP covers writes to both fields (GICv3
 * spec, GICD_CTLR). */
static void dist_enable(uint64_t wait_ticks)
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
        error_reg("GICD_CTLR", v, "RWP (bit 31) did not clear");
    else if ((v & want) != want)
        error_reg("GICD_CTLR", v, "ARE (bit 4) and EnableGrp1 (bit 1) wanted");
}

/* After power-up software clears ProcessorSleep and waits for ChildrenAsleep to read
 * 0 before using the redistributor (GICv3 spec, GICR_WAKER). With two Security
 * states the register may be RAZ/WI to a Non-secure guest: ChildrenAsleep then
 * reads 0 at once. */
static void redist_wake(uint64_t wait_ticks)
{
    uintptr_t waker = GICR_RD_BASE + GICR_WAKER;

    mmio_write32(waker, mmio_read32(waker) & ~GICR_WAKER_PROCESSOR_SLEEP);
    uint32_t v = wait_clear(waker, GICR_WAKER_CHILDREN_ASLEEP, wait_ticks);
    if (v & GICR_WAKER_CHILDREN_ASLEEP)
        error_reg("GICR_WAKER", v, "ChildrenAsleep (bit 2) did not clear");
}

/* PPI `intid` to group 1 (non-secure group 1 with two Security states, whose
 * GICR_IGRPMODR0 bit a Non-secure guest cannot and need not touch), its priority,
 * then the enable (GICv3 spec, GICR_IGROUPR0, GICR_IPRIORITYR<n>, GICR_ISENABLER0).
 * The priority registers are byte-accessible, but a 32-bit read-modify-write keeps to
 * the one access size the guests' MMIO accessors use. */
static void ppi_enable(uint32_t intid, uint8_t priority)
{
    uintptr_t rd = GICR_RD_BASE;
    uint32_t bit = 1u << intid;
    uintptr_t prio = rd + GICR_IPRIORITYR0 + (intid & ~3u);
    uint32_t shift = (intid & 3u) * 8u;

    mmio_write32(rd + GICR_IGROUPR0, mmio_read32(rd + GICR_IGROUPR0) | bit);
    mmio_write32(prio, (mmio_read32(prio) & ~(0xffu << shift)) | ((uint32_t)priority << shift));
    mmio_write32(rd + GICR_ISENABLER0, bit);   /* write-1-to-set: no read needed */

    uint32_t group = mmio_read32(rd + GICR_IGROUPR0);
    if (!(group & bit))
        error_reg("GICR_IGROUPR0", group, "the timer PPI is not in group 1");
    uint32_t enabled = mmio_read32(rd + GICR_ISENABLER0);
    if (!(enabled & bit))
        error_reg("GICR_ISENABLER0", enabled, "the timer PPI is not enabled");
}

/* Priority mask, binary point, EOImode 0, then the group 1 enable (GICv3 spec,
 * ICC_PMR_EL1, ICC_BPR1_EL1, ICC_CTLR_EL1, ICC_IGRPEN1_EL1). */
static void cpu_if_enable(void)
{
    SYSREG_WRITE(icc_pmr_el1, ICC_PMR_ALL);
    SYSREG_WRITE(icc_bpr1_el1, ICC_BPR1_MIN);
    SYSREG_WRITE(icc_ctlr_el1, SYSREG_READ(icc_ctlr_el1) & ~(uint64_t)ICC_CTLR_EOIMODE);
    SYSREG_WRITE(icc_igrpen1_el1, ICC_IGRPEN1_ENABLE);
    isb();

    uint64_t en = SYSREG_READ(icc_igrpen1_el1);
    if (!(en & ICC_IGRPEN1_ENABLE))
        error_reg("ICC_IGRPEN1_EL1", en, "Enable (bit 0) wanted");
    uint64_t ctlr = SYSREG_READ(icc_ctlr_el1);
    if (ctlr & ICC_CTLR_EOIMODE)
        error_reg("ICC_CTLR_EL1", ctlr, "EOImode (bit 1) 0 wanted");
}

int gic_init(uint32_t intid, uint8_t priority, uint64_t wait_ticks)
{
    if (!cpu_if_sre_on())
        return 0;
    dist_enable(wait_ticks);
    redist_wake(wait_ticks);
    ppi_enable(intid, priority);
    cpu_if_enable();
    return 1;
}

void gic_print_state(uint32_t intid)
{
    uintptr_t rd = GICR_RD_BASE;
    uart_puts("rt: INTID ");
    print_dec(intid);
    uart_puts(": GICR_ISPENDR0 ");
    print_hex(mmio_read32(rd + GICR_ISPENDR0));
    uart_puts(", GICR_ISENABLER0 ");
    print_hex(mmio_read32(rd + GICR_ISENABLER0));
    uart_puts(", ICC_HPPIR1_EL1 ");
    print_hex(SYSREG_READ(icc_hppir1_el1));
    uart_puts(", ICC_PMR_EL1 ");
    print_hex(SYSREG_READ(icc_pmr_el1));
    uart_putc('\n');
}
