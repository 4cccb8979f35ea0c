/* AArch64 system register access and barriers used by the runtime. */
#ifndef WV_ARCH_H
#define WV_ARCH_H
#include <stdint.h>
#include "wv_native_area.h"

#define read_sysreg(r) ({ uint64_t __v; __asm__ volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)))
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(o) __asm__ volatile("dsb " #o ::: "memory")
#define wfi() __asm__ volatile("wfi" ::: "memory")
#define wfe() __asm__ volatile("wfe" ::: "memory")
#define sev() __asm__ volatile("sev" ::: "memory")

static inline uint32_t wv_cpu_index(void)
{
    return (uint32_t)(read_sysreg(mpidr_el1) & 0xff);
}

/* Counter ticks (CNTPCT, CNTVCT) in nanoseconds at CNTFRQ_EL0. */
static inline uint64_t wv_ticks_to_ns(uint64_t ticks)
{
    uint64_t f = read_sysreg(cntfrq_el0);
    return f ? (uint64_t)((__uint128_t)ticks * 1000000000u / f) : 0;
}

/* Cache maintenance by VA to the point of coherency (ARM ARM D7.5.9): the runtime
 * writes guest memory through cacheable mappings while a guest with its MMU off
 * reads it uncached. */
void wv_dcache_clean_inval(uint64_t va, uint64_t len);
void wv_icache_inval_all(void);

void wv_mmu_enable_cpu(uint32_t cpu);
void wv_mmu_build(void);
/* Map pages of the native-code area with a protection of wv_native_area.h (arch/mmu.c): 0, or -1 when they are not the area's. */
int wv_mmu_native_set(uint64_t va, uint64_t pages, enum wv_native_prot prot);
/* The CPU whose stack guard page holds `va`, or -1 (arch/stack_guard.c). */
int wv_stack_guard_cpu(uint64_t va);

/* HCR_EL2 for a running guest (ARM ARM D17.2.48). */
#define HCR_VM      (1ull << 0)     /* stage-2 translation on */
#define HCR_SWIO    (1ull << 1)
#define HCR_FMO     (1ull << 3)
#define HCR_IMO     (1ull << 4)
#define HCR_AMO     (1ull << 5)
#define HCR_FB      (1ull << 9)     /* force broadcast: not set, vcpu.c says why */
#define HCR_BSU_IS  (1ull << 10)    /* barrier shareability upgrade: not set */
#define HCR_TWI     (1ull << 13)    /* trap WFI */
#define HCR_TWE     (1ull << 14)    /* trap WFE */
#define HCR_TSC     (1ull << 19)    /* trap SMC */
#define HCR_TACR    (1ull << 21)    /* trap ACTLR_EL1 accesses */
#define HCR_RW      (1ull << 31)    /* EL1 is AArch64 */
/* CNTHCTL_EL2 without VHE (ARM ARM D17.2.25): EL1 may read the physical counter, and
 * use the EL1 physical timer, without trapping. */
#define CNTHCTL_EL1PCTEN    (1ull << 0)
#define CNTHCTL_EL1PCEN     (1ull << 1)

#endif
