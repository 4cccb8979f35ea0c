/* The self-hosted debug and PMU registers of the vCPU a physical CPU runs: MDCR_EL2,
 * which hands them to the guest, and their swap at a vCPU switch (wv_debug.h).
 *
 * Breakpoint, watchpoint and event counter registers are named by number in the
 * instruction, hence the switches over the architectural slots; the counts come from
 * ID_AA64DFR0_EL1.BRPs/WRPs and PMCR_EL0.N, so no slot the CPU lacks is touched. */
#include "wv_debug.h"
#include "wv_arch.h"
#include "wv_pmu.h"

/* ID_AA64DFR0_EL1 (ARM ARM, register description): PMUVer [11:8] (0 none, 0xf an
 * IMPLEMENTATION DEFINED PMU, 4 and up FEAT_PMUv3p1), BRPs [15:12], WRPs [23:20]. */
#define DFR0_PMUVER_SHIFT   8
#define DFR0_BRPS_SHIFT     12
#define DFR0_WRPS_SHIFT     20
#define DFR0_FIELD_MASK     0xfu
#define PMUVER_NONE         0x0u
#define PMUVER_IMPDEF       0xfu
#define PMUVER_V3P1         0x4u
/* PMCR_EL0: E [0], P [1] event counter reset, C [2] cycle counter reset, N [15:11]. */
#define PMCR_P              (1u << 1)
#define PMCR_C              (1u << 2)
#define PMCR_N_SHIFT        11
#define PMCR_N_MASK         0x1fu
/* PMCNTEN*, PMINTEN*, PMOVS*: bit 31 the cycle counter, bits [30:0] event counters. */
#define PMU_ALL_COUNTERS    0xffffffffull
/* OSLSR_EL1.OSLK [1]: the OS lock is locked (written through OSLAR_EL1.OSLK [0]);
 * OSDLR_EL1.DLK [0]: the OS double lock. A cold reset locks the OS lock. */
#define OSLSR_OSLK          (1u << 1)
#define OS_LOCKED           1u
/* MDCR_EL2 (ARM ARM, register description): HPMN [4:0] event counters EL1 may use,
 * TPM [6] PMU accesses from EL0/EL1 trap to EL2, HPMD [17] no counting at EL2
 * (FEAT_PMUv3p1). TDE [8], TDA [9], TDOSA [10], TDRA [11] are left 0: the guest takes
 * its own debug exceptions and uses the debug, OS lock and debug ROM registers itself. */
#define MDCR_TPM            (1u << 6)
#define MDCR_HPMD           (1ull << 17)

#define SLOT_CASES(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define COUNTER_CASES(X) SLOT_CASES(X) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) \
    X(25) X(26) X(27) X(28) X(29) X(30)

static uint32_t dfr0_field(uint32_t shift)
{
    return (uint32_t)(read_sysreg(id_aa64dfr0_el1) >> shift) & DFR0_FIELD_MASK;
}

static uint32_t brps(void) { return dfr0_field(DFR0_BRPS_SHIFT) + 1; }
static uint32_t wrps(void) { return dfr0_field(DFR0_WRPS_SHIFT) + 1; }

static int pmu_present(void)
{
    uint32_t v = dfr0_field(DFR0_PMUVER_SHIFT);
    return v != PMUVER_NONE && v != PMUVER_IMPDEF;
}

uint32_t wv_pmu_counters(void)
{
    return pmu_present() ? ((uint32_t)read_sysreg(pmcr_el0) >> PMCR_N_SHIFT) & PMCR_N_MASK : 0;
}

/* TPM: every PMU access of a guest traps, and the core emulates it with NSH cleared
 * (the only way to keep an ARMv8.0 PMU from counting EL2). HPMN = N: all event counters
 * are the guest's. HPMD as well where there is FEAT_PMUv3p1. */
uint64_t wv_mdcr_el2(void)
{
    if (!pmu_present()) return 0;
    uint64_t v = MDCR_TPM | wv_pmu_counters();
    if (dfr0_field(DFR0_PMUVER_SHIFT) >= PMUVER_V3P1) v |= MDCR_HPMD;
    return v;
}

static void bp_save(const uint32_t n, uint64_t *bvr, uint64_t *bcr)
{
    switch (n) {
#define X(i) case i: *bvr = read_sysreg(dbgbvr##i##_el1); *bcr = read_sysreg(dbgbcr##i##_el1); break;
    SLOT_CASES(X)
#undef X
    }
}

static void bp_load(const uint32_t n, uint64_t bvr, uint64_t bcr)
{
    switch (n) {
#define X(i) case i: write_sysreg(dbgbvr##i##_el1, bvr); write_sysreg(dbgbcr##i##_el1, bcr); break;
    SLOT_CASES(X)
#undef X
    }
}

static void wp_save(const uint32_t n, uint64_t *wvr, uint64_t *wcr)
{
    switch (n) {
#define X(i) case i: *wvr = read_sysreg(dbgwvr##i##_el1); *wcr = read_sysreg(dbgwcr##i##_el1); break;
    SLOT_CASES(X)
#undef X
    }
}

static void wp_load(const uint32_t n, uint64_t wvr, uint64_t wcr)
{
    switch (n) {
#define X(i) case i: write_sysreg(dbgwvr##i##_el1, wvr); write_sysreg(dbgwcr##i##_el1, wcr); break;
    SLOT_CASES(X)
#undef X
    }
}

static void ev_save(const uint32_t n, uint64_t *cnt, uint64_t *type)
{
    switch (n) {
#define X(i) case i: *cnt = read_sysreg(pmevcntr##i##_el0); *type = read_sysreg(pmevtyper##i##_el0); break;
    COUNTER_CASES(X)
#undef X
    }
}

static void ev_load(const uint32_t n, uint64_t cnt, uint64_t type)
{
    switch (n) {
#define X(i) case i: write_sysreg(pmevcntr##i##_el0, cnt); write_sysreg(pmevtyper##i##_el0, type); break;
    COUNTER_CASES(X)
#undef X
    }
}

void wv_debug_save(struct wv_debug_state *s)
{
    /* The double lock first: while it is locked the other registers may not be
     * accessible (ARM ARM, OSDLR_EL1); it is put back by the restore. */
    s->osdlr = read_sysreg(osdlr_el1);
    if (s->osdlr) { write_sysreg(osdlr_el1, 0); isb(); }
    s->oslk = (read_sysreg(oslsr_el1) & OSLSR_OSLK) ? OS_LOCKED : 0;
    s->mdscr = read_sysreg(mdscr_el1);
    s->mdccint = read_sysreg(mdccint_el1);
    for (uint32_t i = 0, n = brps(); i < n; i++) bp_save(i, &s->bvr[i], &s->bcr[i]);
    for (uint32_t i = 0, n = wrps(); i < n; i++) wp_save(i, &s->wvr[i], &s->wcr[i]);
}

void wv_debug_restore(const struct wv_debug_state *s)
{
    /* Under the OS lock while the registers change, so nothing half-loaded fires. */
    write_sysreg(osdlr_el1, 0);
    write_sysreg(oslar_el1, OS_LOCKED);
    isb();
    write_sysreg(mdscr_el1, s->mdscr);
    write_sysreg(mdccint_el1, s->mdccint);
    for (uint32_t i = 0, n = brps(); i < n; i++) bp_load(i, s->bvr[i], s->bcr[i]);
    for (uint32_t i = 0, n = wrps(); i < n; i++) wp_load(i, s->wvr[i], s->wcr[i]);
    write_sysreg(oslar_el1, s->oslk);
    write_sysreg(osdlr_el1, s->osdlr);
    isb();
}

void wv_debug_reset(void)
{
    static const struct wv_debug_state cold = { .oslk = OS_LOCKED };
    wv_debug_restore(&cold);
}

void wv_pmu_save(struct wv_pmu_state *s)
{
    if (!pmu_present()) return;
    uint32_t n = wv_pmu_counters();
    /* Stop every counter first, so the saved values are one consistent moment. */
    s->cnten = read_sysreg(pmcntenset_el0);
    write_sysreg(pmcntenclr_el0, PMU_ALL_COUNTERS);
    isb();
    s->pmcr = read_sysreg(pmcr_el0);
    s->inten = read_sysreg(pmintenset_el1);
    s->ovs = read_sysreg(pmovsset_el0);
    s->selr = read_sysreg(pmselr_el0);
    s->userenr = read_sysreg(pmuserenr_el0);
    s->ccntr = read_sysreg(pmccntr_el0);
    s->ccfiltr = read_sysreg(pmccfiltr_el0);
    for (uint32_t i = 0; i < n && i < WV_PMU_COUNTERS_MAX; i++) ev_save(i, &s->evcntr[i], &s->evtyper[i]);
}

void wv_pmu_restore(const struct wv_pmu_state *s)
{
    if (!pmu_present()) return;
    uint32_t n = wv_pmu_counters();
    write_sysreg(pmcntenclr_el0, PMU_ALL_COUNTERS);
    write_sysreg(pmintenclr_el1, PMU_ALL_COUNTERS);
    write_sysreg(pmovsclr_el0, PMU_ALL_COUNTERS);
    isb();
    /* PMCR_EL0.P and .C read as 0, so writing back what was read resets nothing. */
    write_sysreg(pmcr_el0, s->pmcr);
    for (uint32_t i = 0; i < n && i < WV_PMU_COUNTERS_MAX; i++) ev_load(i, s->evcntr[i], s->evtyper[i]);
    write_sysreg(pmccntr_el0, s->ccntr);
    write_sysreg(pmccfiltr_el0, s->ccfiltr);
    write_sysreg(pmselr_el0, s->selr);
    write_sysreg(pmuserenr_el0, s->userenr);
    write_sysreg(pmovsset_el0, s->ovs);
    write_sysreg(pmintenset_el1, s->inten);
    write_sysreg(pmcntenset_el0, s->cnten);
    isb();
}

void wv_pmu_reset(void)
{
    static const struct wv_pmu_state cold;
    if (!pmu_present()) return;
    wv_pmu_restore(&cold);
    write_sysreg(pmcr_el0, PMCR_P | PMCR_C);    /* E = 0, both kinds of counter zeroed */
    isb();
}

/* One PMU register by its import number (wv_pmu.h), already checked by
 * wv_pmu_access_check: the core's emulation of a trapped access. */
uint64_t wv_pmu_reg_read(uint32_t reg)
{
    uint64_t cnt = 0, type = 0;
    switch (reg) {
    case WV_PMU_PMCR: return read_sysreg(pmcr_el0);
    case WV_PMU_CNTENSET: case WV_PMU_CNTENCLR: return read_sysreg(pmcntenset_el0);
    case WV_PMU_OVSCLR: case WV_PMU_OVSSET: return read_sysreg(pmovsset_el0);
    case WV_PMU_SELR: return read_sysreg(pmselr_el0);
    case WV_PMU_CEID0: return read_sysreg(pmceid0_el0);
    case WV_PMU_CEID1: return read_sysreg(pmceid1_el0);
    case WV_PMU_CCNTR: return read_sysreg(pmccntr_el0);
    case WV_PMU_USERENR: return read_sysreg(pmuserenr_el0);
    case WV_PMU_INTENSET: case WV_PMU_INTENCLR: return read_sysreg(pmintenset_el1);
    case WV_PMU_CCFILTR: return read_sysreg(pmccfiltr_el0);
    }
    if (reg >= WV_PMU_EVTYPER0) { ev_save(reg - WV_PMU_EVTYPER0, &cnt, &type); return type; }
    if (reg >= WV_PMU_EVCNTR0) ev_save(reg - WV_PMU_EVCNTR0, &cnt, &type);
    return cnt;
}

void wv_pmu_reg_write(uint32_t reg, uint64_t v)
{
    uint64_t cnt, type;
    switch (reg) {
    case WV_PMU_PMCR: write_sysreg(pmcr_el0, v); break;
    case WV_PMU_CNTENSET: write_sysreg(pmcntenset_el0, v); break;
    case WV_PMU_CNTENCLR: write_sysreg(pmcntenclr_el0, v); break;
    case WV_PMU_OVSCLR: write_sysreg(pmovsclr_el0, v); break;
    case WV_PMU_SWINC: write_sysreg(pmswinc_el0, v); break;
    case WV_PMU_SELR: write_sysreg(pmselr_el0, v); break;
    case WV_PMU_CCNTR: write_sysreg(pmccntr_el0, v); break;
    case WV_PMU_USERENR: write_sysreg(pmuserenr_el0, v); break;
    case WV_PMU_INTENSET: write_sysreg(pmintenset_el1, v); break;
    case WV_PMU_INTENCLR: write_sysreg(pmintenclr_el1, v); break;
    case WV_PMU_OVSSET: write_sysreg(pmovsset_el0, v); break;
    case WV_PMU_CCFILTR: write_sysreg(pmccfiltr_el0, v); break;
    default:
        /* One half of an event counter pair: read both, change one, write both (nothing
         * counts at EL2, so the count cannot move in between). */
        if (reg >= WV_PMU_EVTYPER0) {
            ev_save(reg - WV_PMU_EVTYPER0, &cnt, &type);
            ev_load(reg - WV_PMU_EVTYPER0, cnt, v);
        } else if (reg >= WV_PMU_EVCNTR0) {
            ev_save(reg - WV_PMU_EVCNTR0, &cnt, &type);
            ev_load(reg - WV_PMU_EVCNTR0, v, type);
        }
    }
    isb();
}
