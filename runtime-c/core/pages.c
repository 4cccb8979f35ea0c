/* Page pool for stage-2 translation tables: the MMU walks these, so they live in
 * runtime memory (never in Wasm memory, which wasm3 may move on memory.grow). */
#include "wv_core.h"
#include "wv_lock.h"
#include <string.h>

#define PAGE 4096u

struct free_page { struct free_page *next; };

static struct free_page *free_list;
static wv_spinlock_t pages_lock;

void wv_pages_init(uint64_t base, uint64_t size)
{
    for (uint64_t p = base + size - PAGE; p >= base && p < base + size; p -= PAGE) {
        struct free_page *f = (struct free_page *)p;
        f->next = free_list;
        free_list = f;
    }
}

void *wv_page_alloc(void)
{
    wv_lock(&pages_lock);
    struct free_page *p = free_list;
    if (p) free_list = p->next;
    wv_unlock(&pages_lock);
    if (p) memset(p, 0, PAGE);
    return p;
}

void wv_page_free(void *p)
{
    if (!p) return;
    wv_lock(&pages_lock);
    ((struct free_page *)p)->next = free_list;
    free_list = p;
    wv_unlock(&pages_lock);
}
