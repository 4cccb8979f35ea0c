#include "fuzz.h"
#include "gic.h"
#include "mmio.h"
#include "counter.h"

/* Bounds: a drain stops after this many acknowledgements (a level interrupt that stays
 * asserted would come back forever), and a poll of RWP / ChildrenAsleep after this
 * many counter ticks (the emulation answers at once; a real wait is a defect). */
#define DRAIN_MAX           32u
#define POLL_TICKS          1000000u
#define US_PER_SECOND       1000000u

/* ICC_CTLR_EL1.EOImode, bit 1 (GICv3 spec 12.2.6): 0 = EOI also deactivates. */
#define ICC_CTLR_EOIMODE    (1ull << 1)
/* CNTV_CTL_EL0 (ARM ARM D17.2.30): ENABLE bit 0, IMASK bit 1. */
#define CNTV_CTL_ENABLE     1u

/* GICD_TYPER.ITLinesNumber [4:0] (GICv3 spec 12.9.38): the SPI words are 1..N. */
#define GICD_TYPER          0x0004u
#define GICD_ITLINES_MASK   0x1fu
#define GICD_ICACTIVER      0x0380u
static uint32_t spi_words;

void fuzz_gic_dist_init(void)
{
    gic3_dist_enable(0, POLL_TICKS);
    spi_words = mmio_read32(GICD_BASE + GICD_TYPER) & GICD_ITLINES_MASK;
}

int fuzz_gic_cpu_init(void)
{
    /* ICC_SRE_EL1.SRE (GICv3 spec 12.2.15): the system register interface. */
    SYSREG_WRITE(icc_sre_el1, SYSREG_READ(icc_sre_el1) | 1u);
    isb();
    if (!(SYSREG_READ(icc_sre_el1) & 1u))
        return 0;
    gic3_redist_wake(0, gicr_of(fuzz_cpu()), POLL_TICKS);
    fuzz_gic_tidy();
    return 1;
}

uint32_t fuzz_gic_timer_ready(uint32_t cpu)
{
    uintptr_t rd = gicr_of(cpu);
    uint32_t timer = 1u << GIC_VTIMER_INTID;
    mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
    mmio_write32(rd + GICR_WAKER, 0);
    mmio_write32(rd + GICR_IGROUPR0, mmio_read32(rd + GICR_IGROUPR0) | timer);
    /* GICR_IPRIORITYR<n>: one byte per INTID (GICv3 spec 12.11.14): word 6, byte 3. */
    uintptr_t prio = rd + GICR_IPRIORITYR0 + (GIC_VTIMER_INTID & ~3u);
    uint32_t shift = (GIC_VTIMER_INTID & 3u) * 8u;
    mmio_write32(prio, (mmio_read32(prio) & ~(0xffu << shift)) | (GIC_TIMER_PRIORITY << shift));
    mmio_write32(rd + GICR_ISENABLER0, timer);
    return 7;   /* MMIO: GICD_CTLR, WAKER, IGROUPR0 twice, IPRIORITYR twice, ISENABLER0 */
}

uint32_t fuzz_gic_tidy(void)
{
    uintptr_t rd = gicr_of(fuzz_cpu());
    uint32_t exits = fuzz_gic_timer_ready(fuzz_cpu());
    /* ICC_PMR_EL1 = 0xff lets every priority through; ICC_BPR1_EL1 = 0 (the least
     * preemption grouping, GICv3 spec 12.2.5); group 1 on. */
    SYSREG_WRITE(icc_pmr_el1, 0xffu);
    SYSREG_WRITE(icc_bpr1_el1, 0);
    SYSREG_WRITE(icc_ctlr_el1, SYSREG_READ(icc_ctlr_el1) & ~ICC_CTLR_EOIMODE);
    SYSREG_WRITE(icc_igrpen1_el1, 1u);
    isb();
    fuzz_count.irqs += fuzz_gic_drain(0);
    /* Whatever was acknowledged earlier and never ended: deactivate the SGIs and PPIs
     * (GICR_ICACTIVER0), and drop the active priorities (ICC_AP1R0_EL1, GICv3 spec
     * 12.2.2: 0 when nothing is active). */
    mmio_write32(rd + GICR_ICACTIVER0, 0xffffffffu);
    /* And the SPIs: acknowledged with EOImode 1 and never deactivated, or made active
     * through GICD_ISACTIVER, each would hold one of the hypervisor's list registers
     * (docs/abi.md, "Interrupts"); an OS deactivates what it acknowledged. */
    for (uint32_t w = 1; w <= spi_words; w++)
        mmio_write32(GICD_BASE + GICD_ICACTIVER + w * 4u, 0xffffffffu);
    SYSREG_WRITE(icc_ap1r0_el1, 0);
    isb();
    /* MMIO: ICACTIVER0 and one GICD_ICACTIVER<n> per SPI word. */
    return exits + 1 + spi_words;
}

uint32_t fuzz_gic_drain(int group0)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < DRAIN_MAX; i++) {
        uint32_t iar = group0 ? (uint32_t)SYSREG_READ(icc_iar0_el1) : (uint32_t)SYSREG_READ(icc_iar1_el1);
        uint32_t intid = iar & GIC_INTID_MASK;
        if (intid >= GIC_INTID_SPECIAL_FIRST)
            break;
        /* The timer's level must drop before its deactivation, or it is pending again at
         * once: a level-sensitive PPI (GICv3 spec 4.1.1). */
        if (intid == GIC_VTIMER_INTID)
            fuzz_vtimer_off();
        /* The physical timer too: the sysreg action may have enabled it with a random
         * deadline. Left firing, its level would bring the IRQ back after every EOI and
         * the guest would make no progress, as on hardware. */
        if (intid == GIC_PTIMER_INTID) {
            SYSREG_WRITE(cntp_ctl_el0, 0);
            isb();
        }
        /* An SPI the guest has no driver for (the PL011's, with UARTIMSC set by a random
         * write, stays asserted: TXRIS always is) is disabled, as an OS masks an
         * unhandled interrupt: otherwise it is taken again at once, for ever
         * (GICD_ICENABLER<n>, GICv3 spec 12.9.9). */
        if (intid >= GIC_SPI_FIRST)
            mmio_write32(GICD_BASE + GICD_ICENABLER + (intid / 32u) * 4u, 1u << (intid % 32u));
        if (group0)
            SYSREG_WRITE(icc_eoir0_el1, iar);
        else
            SYSREG_WRITE(icc_eoir1_el1, iar);
        n++;
    }
    isb();
    return n;
}

void fuzz_vtimer_arm(uint64_t us)
{
    uint64_t ticks = counter_freq() * us / US_PER_SECOND;
    SYSREG_WRITE(cntv_cval_el0, counter_ticks() + ticks + 1u);
    SYSREG_WRITE(cntv_ctl_el0, CNTV_CTL_ENABLE);
    isb();
}

void fuzz_vtimer_off(void)
{
    SYSREG_WRITE(cntv_ctl_el0, 0);
    isb();
}
