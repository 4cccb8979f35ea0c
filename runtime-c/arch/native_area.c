/* The native-code area at EL2 (wv_native_area.h): runs of its pages (core/page_runs.c),
 * mapped through arch/mmu.c's level-3 tables. */
#include "wv_native_area.h"
#include "wv_page_runs.h"
#include "wv_arch.h"

extern char __native_start[];

_Static_assert(WV_NATIVE_AREA_SIZE / WV_PAGE_RUNS_PAGE <= WV_PAGE_RUNS_MAX, "page runs cover the area");

static struct wv_page_runs area;
static volatile uint32_t area_ready;
static wv_spinlock_t area_init_lock;

static struct wv_page_runs *runs(void)
{
    if (!__atomic_load_n(&area_ready, __ATOMIC_ACQUIRE)) {
        wv_lock(&area_init_lock);
        if (!area_ready) {
            wv_page_runs_init(&area, (uintptr_t)__native_start, WV_NATIVE_AREA_SIZE / WV_PAGE_RUNS_PAGE);
            __atomic_store_n(&area_ready, 1, __ATOMIC_RELEASE);
        }
        wv_unlock(&area_init_lock);
    }
    return &area;
}

uint8_t *wv_native_area_alloc(uint32_t pages)
{
    return (uint8_t *)wv_page_runs_alloc(runs(), pages);
}

int wv_native_area_protect(uint8_t *va, uint32_t pages, enum wv_native_prot prot)
{
    return wv_mmu_native_set((uint64_t)va, pages, prot);
}

/* Code written through a read-write mapping, now at [va, va + len) read-only and
 * executable (ARM ARM D7.5, "Cache maintenance", the sequence for instruction
 * modification): clean each D-cache line to the point of unification (DC CVAU, by VA:
 * the page is readable), DSB ISH so the cleaning is done everywhere, invalidate every
 * CPU's instruction cache (IC IALLUIS: also the lines an image freed from these addresses
 * left), DSB ISH, and ISB on this CPU. Another CPU reaches the code only after an
 * exception return or a lock, each a context synchronization event or ordered after it. */
void wv_native_area_sync_code(uint8_t *va, size_t len)
{
    /* CTR_EL0.DminLine: log2 of the smallest D-cache line in words (ARM ARM D17.2.34). */
    uint64_t line = 4ull << ((read_sysreg(ctr_el0) >> 16) & 0xf);
    uint64_t end = (uint64_t)va + len;
    for (uint64_t p = (uint64_t)va & ~(line - 1); p < end; p += line)
        __asm__ volatile("dc cvau, %0" : : "r"(p) : "memory");
    dsb(ish);
    __asm__ volatile("ic ialluis" ::: "memory");
    dsb(ish);
    isb();
}

void wv_native_area_free(uint8_t *va)
{
    struct wv_page_runs *a = runs();
    uint32_t idx = (uint32_t)(((uintptr_t)va - a->base) / WV_PAGE_RUNS_PAGE);
    if ((uintptr_t)va < a->base || idx >= a->pages || !a->run[idx]) return;
    wv_mmu_native_set((uint64_t)va, a->run[idx], WV_NATIVE_PROT_NONE);
    wv_page_runs_free(a, (uintptr_t)va);
}
