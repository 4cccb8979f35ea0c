/* The runtime's heap: malloc, free, calloc, realloc for EL2 (API in wv_alloc.h).
 *
 * Design
 *  - One region, cut into blocks that tile it with no gaps. Every block starts with a
 *    16-byte header {prev_size, info}: prev_size is the size of the block just below
 *    (0 for the first block), info holds the block's size (a multiple of 16), a "used"
 *    bit and a 16-bit tag. A zero-size used header at the top ends the region. Both
 *    neighbours of any block are thus found in O(1) (boundary tags), and free() merges
 *    a block with a free neighbour on either side at once. Two free blocks are never
 *    adjacent, so once everything is freed the heap is a single block again, and a
 *    load/free cycle of a module leaves the free space exactly as it found it: wasm3
 *    allocates and frees per module and live update will load and free modules over
 *    and over, which must not leak or fragment the heap a little more each time.
 *  - Free blocks sit on segregated lists: one list per 16-byte size below 256 bytes,
 *    above that eight lists per power of two; a bitmap says which lists are non-empty.
 *    malloc looks in the request's own list (a bounded first-fit scan) and otherwise
 *    takes the first block of the next non-empty larger list, which always fits.
 *    malloc and free thus take a bounded number of steps however many blocks the heap
 *    holds (realloc adds a copy when it has to move). That matters more here than the
 *    last bit of packing: all CPUs share one lock, and a CPU spinning on it is a CPU
 *    whose guest does not run. An address-ordered single list packs slightly better
 *    but makes free() walk the list.
 *  - The tag is a hash of the header's address and contents. free() and realloc() check
 *    the tag, the used bit and both neighbours' boundary tags before they touch
 *    anything, so a double free, a pointer that malloc never returned, or a header an
 *    overrun has scribbled on is reported through wv_alloc_error and the call ignored,
 *    instead of corrupting the lists for everyone else. A block freed twice after it
 *    was merged away still carries its old, free, header: reported as a double free
 *    (once that memory is handed out again, as a pointer malloc did not return).
 *  - Payloads are 16-byte aligned (the header is 16 bytes and block sizes are multiples
 *    of 16); the smallest block is 32 bytes, room for the two list links when free.
 *  - One spinlock (wv_lock.h) guards the heap. The misuse callback runs after the lock
 *    is dropped, so it may print (or, in the tests, record) whatever it likes.
 *
 * Nothing here touches hardware: the same file builds for the host unit tests. */
#include "wv_alloc.h"
#include "wv_lock.h"
#include "wv_libc.h"

_Static_assert(sizeof(void *) == 8 && sizeof(size_t) == 8, "a 64-bit target is assumed");

#define HDR             16u
#define MIN_BLOCK       32u
#define F_USED          1ull
#define SIZE_MASK       0x0000fffffffffff0ull
#define LOW_MASK        0x0000ffffffffffffull
#define MAX_BLOCK       (1ull << 47)
#define SMALL_LIMIT     256u                /* one list per 16 bytes below this */
#define SUBLISTS_LOG2   3u                  /* 8 lists per power of two above it */
#define NBINS           (16u + (48u - 8u) * 8u)
#define NWORDS          ((NBINS + 63u) / 64u)
#define SCAN_LIMIT      16u                 /* first-fit steps in the request's own list */

struct blk {
    uint64_t prev_size;
    uint64_t info;
    struct blk *next, *prev;    /* free blocks only: links of their list */
};

static struct {
    wv_spinlock_t lock;
    uint8_t *lo;                /* first block */
    uint8_t *hi;                /* end header (zero-size, used) */
    uint64_t cookie;
    uint64_t bitmap[NWORDS];
    struct blk *bins[NBINS];
    size_t total, free_bytes, free_blocks, live, used_peak, errors;
    const char *err;            /* misuse seen by the current call, reported after unlock */
    void *err_ptr;
} heap;

static void note(const char *msg, void *p)
{
    if (!heap.err) { heap.err = msg; heap.err_ptr = p; }
}

static void unlock_and_report(void)
{
    const char *msg = heap.err;
    void *p = heap.err_ptr;
    heap.err = 0;
    if (msg) heap.errors++;
    wv_unlock(&heap.lock);
    if (msg) wv_alloc_error(msg, p);
}

/* ---- headers ---- */

static inline uint64_t tag_of(const struct blk *b, uint64_t prev_size, uint64_t low)
{
    uint64_t x = ((uint64_t)(uintptr_t)b ^ heap.cookie) + prev_size * 0x9e3779b97f4a7c15ull;
    x ^= low;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 29;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x & ~LOW_MASK;
}

static inline uint64_t bsize(const struct blk *b) { return b->info & SIZE_MASK; }
static inline int used(const struct blk *b) { return (int)(b->info & F_USED); }
static inline int tag_ok(const struct blk *b)
{
    return (b->info & ~LOW_MASK) == tag_of(b, b->prev_size, b->info & LOW_MASK);
}
static inline struct blk *at(uint8_t *p) { return (struct blk *)(void *)p; }
static inline struct blk *next_blk(struct blk *b) { return at((uint8_t *)b + bsize(b)); }

static inline void set_hdr(struct blk *b, uint64_t prev_size, uint64_t low)
{
    b->prev_size = prev_size;
    b->info = low | tag_of(b, prev_size, low);
}
static inline void set_low(struct blk *b, uint64_t low) { set_hdr(b, b->prev_size, low); }
static inline void set_prev(struct blk *b, uint64_t prev_size) { set_hdr(b, prev_size, b->info & LOW_MASK); }

/* ---- free lists ---- */

static inline unsigned bin_of(uint64_t size)
{
    if (size < SMALL_LIMIT) return (unsigned)(size >> 4);
    unsigned fl = 63u - (unsigned)__builtin_clzll(size);
    unsigned sl = (unsigned)(size >> (fl - SUBLISTS_LOG2)) & ((1u << SUBLISTS_LOG2) - 1);
    return 16u + (fl - 8u) * (1u << SUBLISTS_LOG2) + sl;
}

static void insert_free(struct blk *b)
{
    unsigned i = bin_of(bsize(b));
    b->prev = 0;
    b->next = heap.bins[i];
    if (b->next) b->next->prev = b;
    heap.bins[i] = b;
    heap.bitmap[i / 64] |= 1ull << (i % 64);
    heap.free_bytes += bsize(b);
    heap.free_blocks++;
}

static void unlink_free(struct blk *b)
{
    unsigned i = bin_of(bsize(b));
    if (b->prev) b->prev->next = b->next;
    else heap.bins[i] = b->next;
    if (b->next) b->next->prev = b->prev;
    if (!heap.bins[i]) heap.bitmap[i / 64] &= ~(1ull << (i % 64));
    heap.free_bytes -= bsize(b);
    heap.free_blocks--;
}

/* First non-empty list with index >= i, or NBINS. */
static unsigned first_bin_from(unsigned i)
{
    if (i >= NBINS) return NBINS;
    unsigned w = i / 64;
    uint64_t bits = heap.bitmap[w] & (~0ull << (i % 64));
    for (;;) {
        if (bits) return w * 64 + (unsigned)__builtin_ctzll(bits);
        if (++w >= NWORDS) return NBINS;
        bits = heap.bitmap[w];
    }
}

static inline int in_heap(const struct blk *p)
{
    return (const uint8_t *)p >= heap.lo && (const uint8_t *)p < heap.hi && (uintptr_t)p % 16 == 0;
}

/* b is a free block of list i whose links agree with its neighbours on the list. */
static int free_blk_ok(const struct blk *b, unsigned i)
{
    if (!tag_ok(b) || used(b) || bin_of(bsize(b)) != i) return 0;
    if (b->next && (!in_heap(b->next) || b->next->prev != b)) return 0;
    if (b->prev ? (!in_heap(b->prev) || b->prev->next != b) : heap.bins[i] != b) return 0;
    return 1;
}

/* A block on list i is not the free block it should be: freed memory was written to.
 * Take the list out of service: the blocks before the broken one are marked used (lost
 * but never merged again), the list is emptied, the heap stays usable. */
static void drop_bin(unsigned i)
{
    struct blk *b = heap.bins[i];
    while (b && tag_ok(b) && !used(b) && bin_of(bsize(b)) == i) {
        struct blk *n = b->next;
        heap.free_bytes -= bsize(b);
        heap.free_blocks--;
        set_low(b, bsize(b) | F_USED);
        if (n && !in_heap(n)) break;
        b = n;
    }
    heap.bins[i] = 0;
    heap.bitmap[i / 64] &= ~(1ull << (i % 64));
    note("free list corrupted (freed memory written to); list dropped", b);
}

/* A free neighbour found through the boundary tags that may be merged. */
static int mergeable(const struct blk *n)
{
    if (used(n)) return 0;
    if (free_blk_ok(n, bin_of(bsize(n)))) return 1;
    note("free block corrupted (freed memory written to); not merged", (void *)n);
    return 0;
}

static struct blk *take_fit(uint64_t need)
{
    unsigned i = bin_of(need), steps = 0;
    for (struct blk *b = heap.bins[i]; b && steps < SCAN_LIMIT; b = b->next, steps++) {
        if (!free_blk_ok(b, i)) { drop_bin(i); break; }
        if (bsize(b) >= need) { unlink_free(b); return b; }
    }
    for (;;) {
        unsigned j = first_bin_from(i + 1);
        if (j >= NBINS) return 0;
        struct blk *b = heap.bins[j];
        if (free_blk_ok(b, j)) { unlink_free(b); return b; }
        drop_bin(j);
    }
}

/* b (used, on no list) keeps `need` bytes; a tail big enough to be a block becomes a
 * free block, merged with a free block above it. */
static void trim(struct blk *b, uint64_t need)
{
    uint64_t size = bsize(b);
    if (size - need < MIN_BLOCK) return;
    set_low(b, need | F_USED);
    struct blk *r = at((uint8_t *)b + need);
    uint64_t rsize = size - need;
    struct blk *n = at((uint8_t *)r + rsize);
    if (mergeable(n)) {
        unlink_free(n);
        rsize += bsize(n);
        n = at((uint8_t *)r + rsize);
    }
    set_hdr(r, need, rsize);
    set_prev(n, rsize);
    insert_free(r);
}

/* ---- checks of caller-supplied pointers ---- */

/* The used block whose payload is p, or 0 after noting what is wrong with p. */
static struct blk *check_ptr(void *p)
{
    uint8_t *q = p;
    if (!heap.lo || q < heap.lo + HDR || q > heap.hi) { note("pointer outside the heap", p); return 0; }
    if ((uintptr_t)q % 16) { note("pointer into the heap that malloc did not return", p); return 0; }
    struct blk *b = at(q - HDR);
    if (!tag_ok(b)) { note("corrupted block header, or a pointer malloc did not return", p); return 0; }
    if (!used(b)) { note("double free", p); return 0; }
    uint64_t size = bsize(b);
    if (size < MIN_BLOCK || size > (uint64_t)(heap.hi - (uint8_t *)b)) {
        note("corrupted block header (size)", p); return 0;
    }
    struct blk *n = next_blk(b);
    if (!tag_ok(n) || n->prev_size != size) {
        note("corrupted block header (overrun into the next block)", p); return 0;
    }
    if ((uint8_t *)b == heap.lo) {
        if (b->prev_size != 0) { note("corrupted block header (previous size)", p); return 0; }
    } else {
        if (b->prev_size < MIN_BLOCK || b->prev_size > (uint64_t)((uint8_t *)b - heap.lo)) {
            note("corrupted block header (previous size)", p); return 0;
        }
        struct blk *pb = at((uint8_t *)b - b->prev_size);
        if (!tag_ok(pb) || bsize(pb) != b->prev_size) {
            note("corrupted block header (previous block)", p); return 0;
        }
    }
    return b;
}

static uint64_t need_of(size_t n)
{
    uint64_t need = ((uint64_t)n + HDR + 15u) & ~15ull;
    return need < MIN_BLOCK ? MIN_BLOCK : need;
}

static void track_peak(void)
{
    if (heap.total - heap.free_bytes > heap.used_peak) heap.used_peak = heap.total - heap.free_bytes;
}

/* ---- API ---- */

void wv_heap_init(void *base, size_t size)
{
    uintptr_t lo = ((uintptr_t)base + 15u) & ~(uintptr_t)15u;
    uintptr_t end = ((uintptr_t)base + size) & ~(uintptr_t)15u;
    wv_lock(&heap.lock);
    for (unsigned i = 0; i < NBINS; i++) heap.bins[i] = 0;
    for (unsigned i = 0; i < NWORDS; i++) heap.bitmap[i] = 0;
    heap.lo = heap.hi = 0;
    heap.err = 0;
    heap.total = heap.free_bytes = heap.free_blocks = heap.live = heap.used_peak = heap.errors = 0;
    if (size >= 2 * HDR + MIN_BLOCK && (uintptr_t)base + size > (uintptr_t)base
        && end > lo && end - lo >= HDR + MIN_BLOCK) {
        uint64_t bytes = end - lo - HDR;
        if (bytes > MAX_BLOCK) bytes = MAX_BLOCK;
        heap.lo = (uint8_t *)lo;
        heap.hi = heap.lo + bytes;
        heap.cookie = ((uint64_t)lo * 0x9e3779b97f4a7c15ull) ^ 0x5761736d76697372ull;
        struct blk *b = at(heap.lo);
        set_hdr(b, 0, bytes);
        set_hdr(at(heap.hi), bytes, F_USED);
        heap.total = bytes;
        insert_free(b);
    }
    wv_unlock(&heap.lock);
}

void *malloc(size_t n)
{
    if (n >= MAX_BLOCK) return 0;
    uint64_t need = need_of(n);
    wv_lock(&heap.lock);
    struct blk *b = heap.lo ? take_fit(need) : 0;
    if (b) {
        set_low(b, bsize(b) | F_USED);
        trim(b, need);
        heap.live++;
        track_peak();
    }
    unlock_and_report();
    return b ? (uint8_t *)b + HDR : 0;
}

/* Frees b (checked, used); the caller holds the lock. */
static void release(struct blk *b)
{
    uint64_t size = bsize(b);
    set_low(b, size);                   /* a later free of this pointer is a double free */
    heap.live--;
    struct blk *n = at((uint8_t *)b + size);
    if (mergeable(n)) {
        unlink_free(n);
        size += bsize(n);
    }
    if ((uint8_t *)b != heap.lo) {
        struct blk *pb = at((uint8_t *)b - b->prev_size);
        if (mergeable(pb)) {
            unlink_free(pb);
            size += bsize(pb);
            b = pb;
        }
    }
    set_low(b, size);
    set_prev(at((uint8_t *)b + size), size);
    insert_free(b);
}

void free(void *p)
{
    if (!p) return;
    wv_lock(&heap.lock);
    struct blk *b = check_ptr(p);
    if (b) release(b);
    unlock_and_report();
}

void *calloc(size_t count, size_t size)
{
    if (size && count > (size_t)-1 / size) return 0;
    size_t n = count * size;
    void *p = malloc(n);
    if (p) memset(p, 0, n);
    return p;
}

/* Resizes the used block b in place (upwards into a free block above, or downwards
 * into a free block below, moving the data); returns the new payload or 0. */
static void *resize_in_place(struct blk *b, uint64_t need)
{
    uint64_t size = bsize(b);
    if (need <= size) {
        trim(b, need);
        return (uint8_t *)b + HDR;
    }
    struct blk *n = at((uint8_t *)b + size);
    int n_free = mergeable(n);
    uint64_t above = n_free ? bsize(n) : 0;
    if (size + above >= need) {
        unlink_free(n);
        size += above;
        set_low(b, size | F_USED);
        set_prev(at((uint8_t *)b + size), size);
        trim(b, need);
        return (uint8_t *)b + HDR;
    }
    if ((uint8_t *)b == heap.lo) return 0;
    struct blk *pb = at((uint8_t *)b - b->prev_size);
    if (!mergeable(pb) || bsize(pb) + size + above < need) return 0;
    uint64_t total = bsize(pb) + size + above;
    unlink_free(pb);
    if (n_free) unlink_free(n);
    set_low(pb, total | F_USED);
    set_prev(at((uint8_t *)pb + total), total);
    memmove((uint8_t *)pb + HDR, (uint8_t *)b + HDR, size - HDR);
    trim(pb, need);
    return (uint8_t *)pb + HDR;
}

void *realloc(void *p, size_t n)
{
    if (!p) return malloc(n);
    if (n == 0) { free(p); return 0; }
    if (n >= MAX_BLOCK) return 0;
    wv_lock(&heap.lock);
    struct blk *b = check_ptr(p);
    void *res = 0;
    uint64_t old_payload = 0;
    if (b) {
        old_payload = bsize(b) - HDR;
        res = resize_in_place(b, need_of(n));
        track_peak();
    }
    unlock_and_report();
    if (!b || res) return res;
    /* Move. The old block stays the caller's until it is freed below. */
    res = malloc(n);
    if (!res) return 0;
    memcpy(res, p, old_payload < n ? old_payload : n);
    free(p);
    return res;
}

void wv_heap_stats(struct wv_heap_stats *s)
{
    wv_lock(&heap.lock);
    s->total_bytes = heap.total;
    s->free_bytes = heap.free_bytes;
    s->used_bytes = heap.total - heap.free_bytes;
    s->free_blocks = heap.free_blocks;
    s->live_allocs = heap.live;
    s->peak_used = heap.used_peak;
    s->errors = heap.errors;
    s->largest_free = 0;
    unsigned top = NBINS;
    for (unsigned w = NWORDS; w-- > 0; )
        if (heap.bitmap[w]) { top = w * 64 + 63u - (unsigned)__builtin_clzll(heap.bitmap[w]); break; }
    if (top < NBINS) {
        uint64_t best = 0;
        for (struct blk *b = heap.bins[top]; b; b = b->next)
            if (bsize(b) > best) best = bsize(b);
        s->largest_free = best - HDR;
    }
    wv_unlock(&heap.lock);
}

int wv_heap_check(void)
{
    int rc = 0;
    wv_lock(&heap.lock);
    if (!heap.lo) goto out;
    size_t nfree = 0, free_bytes = 0, nused = 0;
    uint64_t prev = 0;
    int prev_free = 0;
    uint8_t *q = heap.lo;
    while (q < heap.hi) {
        struct blk *b = at(q);
        if (!tag_ok(b)) { rc = -1; goto out; }
        if (b->prev_size != prev) { rc = -2; goto out; }
        uint64_t size = bsize(b);
        if (size < MIN_BLOCK || size > (uint64_t)(heap.hi - q)) { rc = -3; goto out; }
        if (!used(b)) {
            if (prev_free) { rc = -4; goto out; }     /* two adjacent free blocks */
            nfree++;
            free_bytes += size;
        } else {
            nused++;
        }
        prev_free = !used(b);
        prev = size;
        q += size;
    }
    if (q != heap.hi || !tag_ok(at(q)) || !used(at(q)) || at(q)->prev_size != prev) { rc = -5; goto out; }
    size_t listed = 0, listed_bytes = 0;
    for (unsigned i = 0; i < NBINS; i++) {
        int bit = (int)((heap.bitmap[i / 64] >> (i % 64)) & 1);
        if (bit != (heap.bins[i] != 0)) { rc = -6; goto out; }
        struct blk *back = 0;
        for (struct blk *b = heap.bins[i]; b; b = b->next) {
            if ((uint8_t *)b < heap.lo || (uint8_t *)b >= heap.hi) { rc = -7; goto out; }
            if (!free_blk_ok(b, i) || b->prev != back) { rc = -8; goto out; }
            back = b;
            listed++;
            listed_bytes += bsize(b);
            if (listed > nfree) { rc = -9; goto out; }
        }
    }
    if (listed != nfree || listed_bytes != free_bytes) { rc = -10; goto out; }
    if (heap.free_blocks != nfree || heap.free_bytes != free_bytes || heap.live != nused) { rc = -11; goto out; }
out:
    wv_unlock(&heap.lock);
    return rc;
}
