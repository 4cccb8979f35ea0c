/* An allocator of runs of 4 KiB pages in one fixed area: the native-code area
 * (wv_native_area.h) hands each loaded native part one run. First fit; a run is freed
 * whole, by its first page. Pure C, host-tested through test_native_load.c. */
#ifndef WV_PAGE_RUNS_H
#define WV_PAGE_RUNS_H
#include <stdint.h>
#include "wv_lock.h"

#define WV_PAGE_RUNS_PAGE   4096u
#define WV_PAGE_RUNS_MAX    1024u       /* pages: a 4 MiB area */

struct wv_page_runs {
    uintptr_t base;                     /* page-aligned */
    uint32_t pages;                     /* at most WV_PAGE_RUNS_MAX */
    wv_spinlock_t lock;
    uint16_t run[WV_PAGE_RUNS_MAX];     /* pages of the run starting at this page, else 0 */
};

/* Takes [base, base + pages * 4 KiB) as the area; nothing allocated. */
void wv_page_runs_init(struct wv_page_runs *a, uintptr_t base, uint32_t pages);
/* The first page of a free run of `pages` pages, or 0. */
uintptr_t wv_page_runs_alloc(struct wv_page_runs *a, uint32_t pages);
/* Frees the run starting at `va`: its page count, or 0 when no run starts there. */
uint32_t wv_page_runs_free(struct wv_page_runs *a, uintptr_t va);

#endif
