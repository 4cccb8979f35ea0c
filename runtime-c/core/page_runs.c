/* Runs of pages in a fixed area (wv_page_runs.h): run[i] holds the length of the run that
 * starts at page i, so a walk that steps over each run sees every free page. */
#include "wv_page_runs.h"
#include <string.h>

void wv_page_runs_init(struct wv_page_runs *a, uintptr_t base, uint32_t pages)
{
    memset(a, 0, sizeof *a);
    a->base = base;
    a->pages = pages > WV_PAGE_RUNS_MAX ? WV_PAGE_RUNS_MAX : pages;
}

uintptr_t wv_page_runs_alloc(struct wv_page_runs *a, uint32_t pages)
{
    uintptr_t va = 0;
    if (pages == 0 || pages > a->pages) return 0;
    wv_lock(&a->lock);
    uint32_t i = 0;
    while (i < a->pages) {
        if (a->run[i]) { i += a->run[i]; continue; }
        uint32_t j = i;
        while (j < a->pages && !a->run[j] && j - i < pages) j++;
        if (j - i == pages) {
            a->run[i] = (uint16_t)pages;
            va = a->base + (uintptr_t)i * WV_PAGE_RUNS_PAGE;
            break;
        }
        i = j;
    }
    wv_unlock(&a->lock);
    return va;
}

uint32_t wv_page_runs_free(struct wv_page_runs *a, uintptr_t va)
{
    uint32_t n = 0;
    if (va < a->base || (va - a->base) % WV_PAGE_RUNS_PAGE) return 0;
    uintptr_t i = (va - a->base) / WV_PAGE_RUNS_PAGE;
    if (i >= a->pages) return 0;
    wv_lock(&a->lock);
    n = a->run[i];
    a->run[i] = 0;
    wv_unlock(&a->lock);
    return n;
}
