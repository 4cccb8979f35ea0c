/* The runtime's heap (runtime-c/lib/alloc.c): malloc, free, calloc and realloc over
 * one region handed over at boot, shared by every CPU. Freed blocks are merged with
 * their free neighbours at once, so a heap whose allocations have all been freed is
 * one free block again. */
#ifndef WV_ALLOC_H
#define WV_ALLOC_H
#include <stddef.h>

/* Takes [base, base + size) as the heap; the previous heap, if any, is forgotten.
 * Results of malloc & co. are 16-byte aligned. */
void wv_heap_init(void *base, size_t size);

/* Called (outside the heap lock) when a caller misuses the heap: a double free, a
 * pointer outside the heap, a block header that is not one the heap wrote. The call
 * that was misused does nothing (free) or fails (realloc returns NULL). Defined by
 * whoever links the allocator (core/main.c prints it). */
void wv_alloc_error(const char *msg, void *ptr);

/* Byte counts include the 16-byte header of every block, so that
 * free_bytes + used_bytes == total_bytes at all times. */
struct wv_heap_stats {
    size_t total_bytes;     /* bytes managed as blocks */
    size_t free_bytes;      /* in free blocks */
    size_t used_bytes;      /* in allocated blocks */
    size_t largest_free;    /* largest request malloc can satisfy now */
    size_t free_blocks;     /* number of free blocks */
    size_t live_allocs;     /* number of allocated blocks */
    size_t peak_used;       /* high-water mark of used_bytes */
    size_t errors;          /* misuses reported through wv_alloc_error */
};
void wv_heap_stats(struct wv_heap_stats *s);

/* Walks every block and every free list and checks that they agree (headers, tags,
 * coalescing, counters). Returns 0 when the heap is consistent, else a negative
 * number naming the first broken rule. Takes the heap lock; O(heap blocks). */
int wv_heap_check(void);

#endif
