/* The native-code area for host tests (wv_native_area.h): a 4 MiB mmap'd arena whose
 * pages get their protections from mprotect, so that a loader writing where it has made
 * a page read-only, or running what is not executable, faults here as it would at EL2.
 * Runs come from the real page-run allocator (core/page_runs.c). The test reads back what
 * each page was given (native_area_stub_prot) and how many runs are live. */
#include "wv_native_area.h"
#include "wv_page_runs.h"
#include "native_area_stub.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static struct wv_page_runs runs;
static uint8_t *arena;
static enum wv_native_prot prots[WV_NATIVE_AREA_SIZE / WV_PAGE_RUNS_PAGE];
int native_area_stub_live_runs, native_area_stub_syncs;

void native_area_stub_init(void)
{
    if (!arena) {
        /* Twice the size, to cut a 2 MiB-aligned area out of it as at EL2. */
        uint8_t *m = mmap(0, 2 * WV_NATIVE_AREA_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) { perror("mmap"); exit(1); }
        arena = (uint8_t *)(((uintptr_t)m + 0x1fffff) & ~(uintptr_t)0x1fffff);
    }
    wv_page_runs_init(&runs, (uintptr_t)arena, WV_NATIVE_AREA_SIZE / WV_PAGE_RUNS_PAGE);
    /* Garbage everywhere, so that a bss left unzeroed shows. */
    mprotect(arena, WV_NATIVE_AREA_SIZE, PROT_READ | PROT_WRITE);
    memset(arena, 0xa5, WV_NATIVE_AREA_SIZE);
    mprotect(arena, WV_NATIVE_AREA_SIZE, PROT_NONE);
    memset(prots, 0, sizeof prots);
    native_area_stub_live_runs = 0;
    native_area_stub_syncs = 0;
}

uint8_t *native_area_stub_base(void) { return arena; }

enum wv_native_prot native_area_stub_prot(const uint8_t *va)
{
    return prots[(va - arena) / WV_PAGE_RUNS_PAGE];
}

uint8_t *wv_native_area_alloc(uint32_t pages)
{
    uint8_t *va = (uint8_t *)wv_page_runs_alloc(&runs, pages);
    if (va) native_area_stub_live_runs++;
    return va;
}

int wv_native_area_protect(uint8_t *va, uint32_t pages, enum wv_native_prot prot)
{
    static const int host[] = { [WV_NATIVE_PROT_NONE] = PROT_NONE, [WV_NATIVE_PROT_RW] = PROT_READ | PROT_WRITE,
                                [WV_NATIVE_PROT_RX] = PROT_READ | PROT_EXEC, [WV_NATIVE_PROT_R] = PROT_READ };
    if (va < arena || (va - arena) % WV_PAGE_RUNS_PAGE || pages > (size_t)(arena + WV_NATIVE_AREA_SIZE - va) / WV_PAGE_RUNS_PAGE)
        return -1;
    if (pages && mprotect(va, (size_t)pages * WV_PAGE_RUNS_PAGE, host[prot])) { perror("mprotect"); exit(1); }
    for (uint32_t k = 0; k < pages; k++) prots[(va - arena) / WV_PAGE_RUNS_PAGE + k] = prot;
    return 0;
}

void wv_native_area_sync_code(uint8_t *va, size_t len)
{
    __builtin___clear_cache((char *)va, (char *)va + len);
    native_area_stub_syncs++;
}

void wv_native_area_free(uint8_t *va)
{
    uint32_t idx = (uint32_t)((va - arena) / WV_PAGE_RUNS_PAGE);
    uint32_t pages = runs.run[idx];
    if (!pages) { printf("FAIL: free of %p, not a run\n", (void *)va); exit(1); }
    wv_native_area_protect(va, pages, WV_NATIVE_PROT_NONE);
    wv_page_runs_free(&runs, (uintptr_t)va);
    native_area_stub_live_runs--;
}
