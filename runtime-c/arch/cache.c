#include "wv_arch.h"

void wv_dcache_clean_inval(uint64_t va, uint64_t len)
{
    /* CTR_EL0.DminLine: log2 of the smallest D-cache line in words (ARM ARM D17.2.34). */
    uint64_t line = 4ull << ((read_sysreg(ctr_el0) >> 16) & 0xf);
    uint64_t end = va + len;
    for (uint64_t p = va & ~(line - 1); p < end; p += line)
        __asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
    dsb(ish);
}

void wv_icache_inval_all(void)
{
    __asm__ volatile("ic ialluis" ::: "memory");
    dsb(ish);
    isb();
}
