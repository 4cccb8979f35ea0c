/* GICv3 bring-up for the SGI guest: the distributor once, then per vCPU its own
 * redistributor and CPU interface, in the order of rt/gic.c (which explains each step). */
#include "gic.h"
#include "counter.h"
#include "mmio.h"
#include "print.h"
#include "uart.h"

#define ICC_SRE_SRE         (1u << 0)
#define ICC_CTLR_EOIMODE    (1u << 1)
#define ICC_IGRPEN1_ENABLE  (1u << 0)

void gic_dist_init(uint64_t wait_ticks)
{
    gic3_dist_enable("sgi", wait_ticks);
}

int gic_cpu_init(uint32_t intid, uint8_t priority, uint64_t wait_ticks, int verbose, uint32_t *faults)
{
    *faults = 0;
    SYSREG_WRITE(icc_sre_el1, SYSREG_READ(icc_sre_el1) | ICC_SRE_SRE);
    __asm__ volatile("isb" : : : "memory");
    uint64_t sre = SYSREG_READ(icc_sre_el1);
    if (!(sre & ICC_SRE_SRE)) {
        gic3_report(verbose ? "sgi" : 0, "ICC_SRE_EL1", sre, "SRE (bit 0) wanted: no GICv3 system register interface");
        (*faults)++;
        return 0;
    }

    uintptr_t rd = GICR_BASE + cpu_index() * GICR_STRIDE;
    if (!gic3_redist_wake(verbose ? "sgi" : 0, rd, wait_ticks)) (*faults)++;

    uint32_t bit = 1u << intid;
    uintptr_t prio = rd + GICR_IPRIORITYR0 + (intid & ~3u);
    uint32_t shift = (intid & 3u) * 8u;
    mmio_write32(rd + GICR_IGROUPR0, mmio_read32(rd + GICR_IGROUPR0) | bit);
    mmio_write32(prio, (mmio_read32(prio) & ~(0xffu << shift)) | ((uint32_t)priority << shift));
    mmio_write32(rd + GICR_ISENABLER0, bit);
    uint32_t group = mmio_read32(rd + GICR_IGROUPR0);
    if (!(group & bit)) {
        gic3_report(verbose ? "sgi" : 0, "GICR_IGROUPR0", group, "the SGI is not in group 1");
        (*faults)++;
    }
    uint32_t enabled = mmio_read32(rd + GICR_ISENABLER0);
    if (!(enabled & bit)) {
        gic3_report(verbose ? "sgi" : 0, "GICR_ISENABLER0", enabled, "the SGI is not enabled");
        (*faults)++;
    }

    SYSREG_WRITE(icc_pmr_el1, 0xffu);
    SYSREG_WRITE(icc_bpr1_el1, 0u);
    SYSREG_WRITE(icc_ctlr_el1, SYSREG_READ(icc_ctlr_el1) & ~(uint64_t)ICC_CTLR_EOIMODE);
    SYSREG_WRITE(icc_igrpen1_el1, ICC_IGRPEN1_ENABLE);
    __asm__ volatile("isb" : : : "memory");
    uint64_t en = SYSREG_READ(icc_igrpen1_el1);
    if (!(en & ICC_IGRPEN1_ENABLE)) {
        gic3_report(verbose ? "sgi" : 0, "ICC_IGRPEN1_EL1", en, "Enable (bit 0) wanted");
        (*faults)++;
    }
    return 1;
}
