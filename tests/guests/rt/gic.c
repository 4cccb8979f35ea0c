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

/* CPU interface (GICv3 spec, "AArch64 System register descriptions"). */
#define ICC_SRE_SRE         (1u << 0)   /* ICC_SRE_EL1: system register interface on */
#define ICC_CTLR_EOIMODE    (1u << 1)   /* ICC_CTLR_EL1: 0 = EOI also deactivates */
#define ICC_IGRPEN1_ENABLE  (1u << 0)
#define ICC_PMR_ALL         0xffu       /* lowest mask: every priority but 0xff is signalled */
#define ICC_BPR1_MIN        0u          /* smallest group priority field (reads back its minimum) */

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
    gic3_report("rt", "ICC_SRE_EL1", sre, "SRE (bit 0) wanted: no GICv3 system register interface");
    return 0;
}

/* ARE is set with both groups disabled, then group 1 enabled: changing ARE while a
 * group is enabled is UNPREDICTABLE, and RWP covers writes to both fields (GICv3
 * spec, GICD_CTLR). */
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
        gic3_report("rt", "GICR_IGROUPR0", group, "the timer PPI is not in group 1");
    uint32_t enabled = mmio_read32(rd + GICR_ISENABLER0);
    if (!(enabled & bit))
        gic3_report("rt", "GICR_ISENABLER0", enabled, "the timer PPI is not enabled");
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
        gic3_report("rt", "ICC_IGRPEN1_EL1", en, "Enable (bit 0) wanted");
    uint64_t ctlr = SYSREG_READ(icc_ctlr_el1);
    if (ctlr & ICC_CTLR_EOIMODE)
        gic3_report("rt", "ICC_CTLR_EL1", ctlr, "EOImode (bit 1) 0 wanted");
}

int gic_init(uint32_t intid, uint8_t priority, uint64_t wait_ticks)
{
    if (!cpu_if_sre_on())
        return 0;
    gic3_dist_enable("rt", wait_ticks);
    gic3_redist_wake("rt", GICR_RD_BASE, wait_ticks);
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
