/* System registers a hostile guest tries. Some trap to the hypervisor and are emulated
 * there (ACTLR_EL1: HCR_EL2.TACR; the SGI generation registers ICC_SGI1R/ASGI1R/SGI0R_EL1: HCR_EL2.IMO,
 * GICv3 spec 12.1.8), the rest go to the virtual CPU interface (ICV_*, GICv3 spec 12.3)
 * or stay at EL1 (the EL1 physical timer CNTP_*, the guest's own with CNTHCTL_EL2.EL1PCEN
 * = 1 and switched with the vCPU; PMU, debug) and must not disturb the VMs sharing the
 * CPU. */
#include "fuzz.h"
#include "actions.h"

/* ICC_BPR1_EL1 takes 0..7 here: QEMU 7.2 aborts (an assertion in its GICv3 CPU
 * interface emulation, icv_bpr_write) when a guest writes ICV_BPR1_EL1 with a value of
 * 8 or more, which brings the whole machine down instead of testing the hypervisor.
 * BinaryPoint is a 3-bit field (GICv3 spec 12.2.5), so 0..7 covers every value. */
#define BPR_MASK            7u
/* ICC_PMR_EL1.Priority is bits [7:0] (GICv3 spec 12.2.19). */
#define PMR_MASK            0xffu
/* ICC_SGI1R_EL1 fields (GICv3 spec 12.2.24): TargetList [15:0], Aff1 [23:16], INTID
 * [27:24], Aff2 [39:32], IRM [40], RS [47:44], Aff3 [55:48]. Any value is allowed. */

#define TRAP(reg_read) do { (void)SYSREG_READ(reg_read); } while (0)

uint32_t act_sysreg(struct prng *r)
{
    uint64_t v = prng_next(r);
    switch (prng_below(r, 24)) {
    /* Not trapped: the vCPU's own EL1 physical timer. Enabled with a deadline passed, it
     * holds its PPI's level up until fuzz_gic_drain turns it off. */
    case 0:  TRAP(cntp_ctl_el0); return 0;
    case 1:  SYSREG_WRITE(cntp_ctl_el0, v & 3u); return 0;
    case 2:  SYSREG_WRITE(cntp_cval_el0, v); return 0;
    case 3:  TRAP(cntp_tval_el0); return 0;
    case 4:  SYSREG_WRITE(cntp_tval_el0, v); return 0;
    case 5:  TRAP(cntp_cval_el0); return 0;
    /* Trapped, IMPLEMENTATION DEFINED: reads 0, writes ignored. */
    case 6:  TRAP(actlr_el1); return 1;
    case 7:  SYSREG_WRITE(actlr_el1, v); return 1;
    /* Trapped SGI generation with any fields: targets the VM lacks, IRM, Aff1..3, RS. */
    case 8:  SYSREG_WRITE(icc_sgi1r_el1, v); return 1;
    case 9:  SYSREG_WRITE(icc_asgi1r_el1, v); return 1;
    case 10: SYSREG_WRITE(icc_sgi0r_el1, v); return 1;
    case 11: TRAP(s3_0_c12_c11_5); return 1;     /* ICC_SGI1R_EL1 is write-only: a read */
    /* The virtual CPU interface: not trapped. */
    case 12: SYSREG_WRITE(icc_pmr_el1, v & PMR_MASK); return 0;
    case 13: SYSREG_WRITE(icc_bpr1_el1, v & BPR_MASK); return 0;
    case 14: SYSREG_WRITE(icc_ctlr_el1, v); return 0;
    case 15: SYSREG_WRITE(icc_igrpen1_el1, v & 1u); return 0;
    case 16: SYSREG_WRITE(icc_eoir1_el1, v & 0x3ffu); return 0;   /* an INTID never acknowledged */
    case 17: SYSREG_WRITE(icc_dir_el1, v & 0x3ffu); return 0;
    case 18: (void)SYSREG_READ(icc_hppir1_el1); (void)SYSREG_READ(icc_rpr_el1); return 0;
    case 19: SYSREG_WRITE(icc_ap1r0_el1, v & 0xffffffffu); return 0;
    /* PMU and debug: at EL1, untrapped (MDCR_EL2 left as reset), read only or harmless:
     * a breakpoint value with its control's enable bit (E, bit 0) clear. */
    case 20: (void)SYSREG_READ(pmcr_el0); (void)SYSREG_READ(pmccntr_el0); return 0;
    case 21: (void)SYSREG_READ(mdscr_el1); (void)SYSREG_READ(oslsr_el1); return 0;
    case 22: SYSREG_WRITE(dbgbvr0_el1, v & ~3ull); SYSREG_WRITE(dbgbcr0_el1, 0); return 0;
    default: SYSREG_WRITE(dbgwvr0_el1, v & ~7ull); SYSREG_WRITE(dbgwcr0_el1, 0); return 0;
    }
}
