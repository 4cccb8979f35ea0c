/* Self-hosted debug and PMU registers of a vCPU (mechanism only).
 *
 * Guests use the physical breakpoint, watchpoint, OS lock and PMU registers (MDCR_EL2,
 * below); a physical CPU that changes vCPU swaps them with its EL1 state, so vCPUs
 * sharing a CPU each keep their own. A CPU with one vCPU never swaps them. */
#ifndef WV_DEBUG_H
#define WV_DEBUG_H
#include <stdint.h>

/* Architectural maxima: ID_AA64DFR0_EL1.BRPs/WRPs are 4-bit "slots minus one" fields,
 * PMCR_EL0.N is at most 31 (ARM ARM, registers ID_AA64DFR0_EL1 and PMCR_EL0). */
#define WV_DEBUG_SLOTS_MAX  16u
#define WV_PMU_COUNTERS_MAX 31u

struct wv_debug_state {
    uint64_t mdscr, oslk, osdlr, mdccint;
    uint64_t bvr[WV_DEBUG_SLOTS_MAX], bcr[WV_DEBUG_SLOTS_MAX];
    uint64_t wvr[WV_DEBUG_SLOTS_MAX], wcr[WV_DEBUG_SLOTS_MAX];
};

struct wv_pmu_state {
    uint64_t pmcr, cnten, inten, ovs, selr, userenr, ccntr, ccfiltr;
    uint64_t evcntr[WV_PMU_COUNTERS_MAX], evtyper[WV_PMU_COUNTERS_MAX];
};

/* Swap at a vCPU switch (vcpu.c). */
void wv_debug_save(struct wv_debug_state *s);
void wv_debug_restore(const struct wv_debug_state *s);
void wv_pmu_save(struct wv_pmu_state *s);
void wv_pmu_restore(const struct wv_pmu_state *s);
/* A vCPU booted afresh: the registers as a cold reset leaves them, nothing armed,
 * nothing counting (its predecessor's state must not leak into it). */
void wv_debug_reset(void);
void wv_pmu_reset(void);
/* MDCR_EL2 for every vCPU (docs/architecture.md, "Debug and PMU"). */
uint64_t wv_mdcr_el2(void);
/* Event counters (PMCR_EL0.N), 0 without a PMU. */
uint32_t wv_pmu_counters(void);
/* One PMU register by import number (wv_pmu.h); the caller has checked the access. */
uint64_t wv_pmu_reg_read(uint32_t reg);
void wv_pmu_reg_write(uint32_t reg, uint64_t value);

#endif
