/* The self-hosted debug and PMU registers the debug guests program (ARM ARM: AArch64
 * self-hosted debug, the Performance Monitors Extension, and the register descriptions). Breakpoint and watchpoint registers are
 * named by number in the instruction, so a slot chosen at run time goes through a
 * switch over the 16 architectural slots. */
#ifndef WV_GUEST_DEBUG_REGS_H
#define WV_GUEST_DEBUG_REGS_H

#include <stdint.h>

#define SYSREG_READ(r) ({ uint64_t __v; __asm__ volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define SYSREG_WRITE(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")

static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }

/* ID_AA64DFR0_EL1: BRPs [15:12] and WRPs [23:20] hold the number of slots minus one. */
#define DFR0_BRPS_SHIFT     12
#define DFR0_WRPS_SHIFT     20
#define DFR0_FIELD_MASK     0xfu
/* PMCR_EL0: E [0], P [1] event counter reset, C [2] cycle counter reset, LC [6],
 * N [15:11] the number of event counters. */
#define PMCR_E              (1u << 0)
#define PMCR_P              (1u << 1)
#define PMCR_C              (1u << 2)
#define PMCR_LC             (1u << 6)
#define PMCR_N_SHIFT        11
#define PMCR_N_MASK         0x1fu
/* PMCNTENSET_EL0 / PMCNTENCLR_EL0: bit 31 is the cycle counter, bit n event counter n. */
#define PMCNT_CYCLE         (1u << 31)
/* PMCCFILTR_EL0 / PMEVTYPER<n>_EL0: P [31] no counting at EL1, U [30] none at EL0,
 * NSH [27] counting at EL2; evtCount [15:0] for the event counters. */
#define PMF_P               (1u << 31)
#define PMF_U               (1u << 30)
#define PMF_NSH             (1u << 27)
/* Common event numbers (ARM ARM, Performance Monitors Extension): SW_INCR counts
 * PMSWINC_EL0 writes, CPU_CYCLES counts cycles. */
#define PMU_EV_SW_INCR      0x00u
#define PMU_EV_CPU_CYCLES   0x11u
/* MDSCR_EL1: KDE [13] debug exceptions at the same EL as their target, MDE [15]
 * breakpoint and watchpoint exceptions enabled (ARM ARM D2). */
#define MDSCR_KDE           (1u << 13)
#define MDSCR_MDE           (1u << 15)
/* DBGBCR<n>_EL1: E [0], PMC [2:1] = 0b11 EL1 and EL0, BAS [8:5] = 0b1111 (the only
 * A64 value), BT [23:20] = 0 an unlinked address match. */
#define DBGBCR_EL1_EL0_ADDR ((0xfu << 5) | (3u << 1) | 1u)
/* DBGWCR<n>_EL1: E [0], PAC [2:1] = 0b11 EL1 and EL0, LSC [4:3] = 0b11 loads and
 * stores, BAS [12:5] = 0xff all 8 bytes of the doubleword at DBGWVR. */
#define DBGWCR_EL1_EL0_RW8  ((0xffu << 5) | (3u << 3) | (3u << 1) | 1u)
#define DEBUG_SLOTS_MAX     16u

static inline uint32_t debug_brps(void)
{
    return ((uint32_t)(SYSREG_READ(id_aa64dfr0_el1) >> DFR0_BRPS_SHIFT) & DFR0_FIELD_MASK) + 1;
}

static inline uint32_t debug_wrps(void)
{
    return ((uint32_t)(SYSREG_READ(id_aa64dfr0_el1) >> DFR0_WRPS_SHIFT) & DFR0_FIELD_MASK) + 1;
}

static inline uint32_t pmu_counters(void)
{
    return ((uint32_t)SYSREG_READ(pmcr_el0) >> PMCR_N_SHIFT) & PMCR_N_MASK;
}

#define SLOT_CASES(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

static inline void dbg_set_bp(uint32_t n, uint64_t value, uint64_t control)
{
    switch (n) {
#define X(i) case i: SYSREG_WRITE(dbgbvr##i##_el1, value); SYSREG_WRITE(dbgbcr##i##_el1, control); break;
    SLOT_CASES(X)
#undef X
    }
}

static inline void dbg_set_wp(uint32_t n, uint64_t value, uint64_t control)
{
    switch (n) {
#define X(i) case i: SYSREG_WRITE(dbgwvr##i##_el1, value); SYSREG_WRITE(dbgwcr##i##_el1, control); break;
    SLOT_CASES(X)
#undef X
    }
}

static inline uint64_t dbg_bcr(uint32_t n)
{
    switch (n) {
#define X(i) case i: return SYSREG_READ(dbgbcr##i##_el1);
    SLOT_CASES(X)
#undef X
    }
    return 0;
}

static inline uint64_t dbg_wcr(uint32_t n)
{
    switch (n) {
#define X(i) case i: return SYSREG_READ(dbgwcr##i##_el1);
    SLOT_CASES(X)
#undef X
    }
    return 0;
}

/* Event counter n through PMSELR_EL0 (ARM ARM, PMXEVTYPER_EL0 / PMXEVCNTR_EL0). */
static inline void pmu_set_type(uint32_t n, uint64_t type)
{
    SYSREG_WRITE(pmselr_el0, n);
    isb();
    SYSREG_WRITE(pmxevtyper_el0, type);
}

static inline uint64_t pmu_type(uint32_t n)
{
    SYSREG_WRITE(pmselr_el0, n);
    isb();
    return SYSREG_READ(pmxevtyper_el0);
}

static inline void pmu_set_count(uint32_t n, uint64_t v)
{
    SYSREG_WRITE(pmselr_el0, n);
    isb();
    SYSREG_WRITE(pmxevcntr_el0, v);
}

static inline uint64_t pmu_count(uint32_t n)
{
    SYSREG_WRITE(pmselr_el0, n);
    isb();
    return SYSREG_READ(pmxevcntr_el0);
}

#endif
