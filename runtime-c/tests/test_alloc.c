/* Host tests of the runtime's heap (runtime-c/lib/alloc.c), built with the wv_ prefix
 * (WV_HOST_TEST): wv_malloc & co. manage a static arena, independently of the host's
 * malloc. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include "wv_alloc.h"
#include "wv_libc.h"

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

#define ARENA_BYTES (8u << 20)
static uint8_t arena[ARENA_BYTES] __attribute__((aligned(4096)));

/* ---- the misuse callback ---- */

static const char *last_msg;
static void *last_ptr;
static int error_calls;

void wv_alloc_error(const char *msg, void *ptr)
{
    last_msg = msg;
    last_ptr = ptr;
    error_calls++;
}

static void clear_errors(void) { last_msg = 0; last_ptr = 0; error_calls = 0; }

/* ---- helpers ---- */

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t next_rand(void)
{
    rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}
static size_t rand_below(size_t n) { return (size_t)(next_rand() % n); }

static void shuffle(size_t *v, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rand_below(i), t = v[i - 1];
        v[i - 1] = v[j]; v[j] = t;
    }
}

static uint8_t pattern(uint32_t seed, size_t i) { return (uint8_t)((seed * 2654435761u) ^ (i * 131u) ^ (i >> 8)); }
static void fill(void *p, size_t n, uint32_t seed)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++) b[i] = pattern(seed, i);
}
static int intact(const void *p, size_t n, uint32_t seed)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) if (b[i] != pattern(seed, i)) return 0;
    return 1;
}

static struct wv_heap_stats stats(void)
{
    struct wv_heap_stats s;
    wv_heap_stats(&s);
    return s;
}

static int in_arena(const void *p, size_t n)
{
    return (const uint8_t *)p >= arena && (const uint8_t *)p + n <= arena + ARENA_BYTES;
}

/* A fresh heap over the arena; returns its empty-state stats. */
static struct wv_heap_stats fresh_heap(void)
{
    wv_heap_init(arena, ARENA_BYTES);
    clear_errors();
    return stats();
}

static int is_pristine(const struct wv_heap_stats *empty)
{
    struct wv_heap_stats s = stats();
    return s.free_blocks == 1 && s.live_allocs == 0 && s.used_bytes == 0
        && s.free_bytes == empty->free_bytes && s.largest_free == empty->largest_free;
}

/* ---- tests ---- */

static void test_init(void)
{
    struct wv_heap_stats e = fresh_heap();
    CHECK(e.total_bytes > ARENA_BYTES - 64 && e.total_bytes <= ARENA_BYTES);
    CHECK(e.free_bytes == e.total_bytes && e.used_bytes == 0);
    CHECK(e.free_blocks == 1 && e.live_allocs == 0 && e.errors == 0);
    CHECK(e.largest_free == e.total_bytes - 16);
    CHECK(wv_heap_check() == 0);

    /* a misaligned region is aligned inside; a tiny one gives an empty heap */
    wv_heap_init(arena + 3, 4096);
    void *p = wv_malloc(10);
    CHECK(p && (uintptr_t)p % 16 == 0 && (uint8_t *)p >= arena + 3 && (uint8_t *)p + 10 <= arena + 3 + 4096);
    wv_heap_init(arena, 40);
    CHECK(wv_malloc(1) == 0 && stats().total_bytes == 0);
    wv_heap_init(arena, ARENA_BYTES);
}

static void test_alignment(void)
{
    struct wv_heap_stats e = fresh_heap();
    static void *ptrs[1200];
    size_t n = 0;
    for (size_t size = 0; size < 1200; size++) {
        uint8_t *p = wv_malloc(size);
        CHECK(p != 0 && (uintptr_t)p % 16 == 0 && in_arena(p, size));
        if (p) fill(p, size, (uint32_t)size);
        ptrs[n++] = p;
    }
    for (size_t i = 0; i < n; i++) CHECK(intact(ptrs[i], i, (uint32_t)i));
    CHECK(stats().live_allocs == n);
    void *a = wv_malloc(0), *b = wv_malloc(0);
    CHECK(a && b && a != b);            /* malloc(0): distinct, freeable pointers */
    wv_free(a); wv_free(b);
    for (size_t i = 0; i < n; i++) wv_free(ptrs[i]);
    wv_free(0);                         /* free(NULL) does nothing */
    CHECK(is_pristine(&e) && error_calls == 0 && wv_heap_check() == 0);
}

static void test_coalescing(void)
{
    struct wv_heap_stats e = fresh_heap();
    enum { N = 600 };
    static void *ptrs[N];
    static size_t order[N];
    for (int round = 0; round < 5; round++) {
        for (size_t i = 0; i < N; i++) {
            ptrs[i] = wv_malloc(1 + rand_below(round == 4 ? 20000 : 3000));
            CHECK(ptrs[i] != 0);
            order[i] = i;
        }
        shuffle(order, N);
        for (size_t i = 0; i < N; i++) {
            wv_free(ptrs[order[i]]);
            if (i % 50 == 0) CHECK(wv_heap_check() == 0);
        }
        CHECK(is_pristine(&e));
    }
    /* neighbours merge both ways: free the middle one last */
    void *a = wv_malloc(100), *b = wv_malloc(100), *c = wv_malloc(100), *guard = wv_malloc(100);
    wv_free(a); wv_free(c);
    CHECK(stats().free_blocks == 3);    /* a, c, and the rest of the heap above guard */
    wv_free(b);
    CHECK(stats().free_blocks == 2);
    wv_free(guard);
    CHECK(is_pristine(&e) && error_calls == 0 && wv_heap_check() == 0);
}

static void test_exhaustion(void)
{
    struct wv_heap_stats e = fresh_heap();
    CHECK(wv_malloc(e.largest_free + 1) == 0);
    CHECK(wv_malloc((size_t)-1) == 0 && wv_malloc((size_t)-1 - 8) == 0);
    void *all = wv_malloc(e.largest_free);
    CHECK(all != 0 && stats().free_blocks == 0 && stats().largest_free == 0);
    CHECK(wv_malloc(1) == 0);
    wv_free(all);
    /* fill with small blocks until malloc fails, then give everything back */
    static void *ptrs[70000];
    size_t n = 0;
    while (n < 70000 && (ptrs[n] = wv_malloc(200)) != 0) n++;
    CHECK(n > 1000 && n < 70000);
    CHECK(wv_heap_check() == 0);
    for (size_t i = 0; i < n; i += 2) wv_free(ptrs[i]);
    for (size_t i = 1; i < n; i += 2) wv_free(ptrs[i]);
    CHECK(is_pristine(&e) && error_calls == 0);
}

static void test_realloc(void)
{
    struct wv_heap_stats e = fresh_heap();
    /* realloc(NULL, n) is malloc(n); realloc(p, 0) frees p */
    uint8_t *p = wv_realloc(0, 100);
    CHECK(p && (uintptr_t)p % 16 == 0 && stats().live_allocs == 1);
    CHECK(wv_realloc(p, 0) == 0 && stats().live_allocs == 0 && error_calls == 0);

    /* growth downwards into a free block below (the one above is used) */
    uint8_t *x = wv_malloc(200), *y = wv_malloc(200), *z = wv_malloc(200);
    fill(y, 200, 4);
    wv_free(x);
    uint8_t *y2 = wv_realloc(y, 380);
    CHECK(y2 == x && intact(y2, 200, 4));
    CHECK(wv_heap_check() == 0);

    /* growth in place into the free space above */
    p = wv_malloc(100);
    fill(p, 100, 1);
    uint8_t *q = wv_realloc(p, 5000);
    CHECK(q == p && intact(q, 100, 1));
    fill(q, 5000, 2);

    /* growth that has to move: used blocks right below and right above */
    uint8_t *r = wv_malloc(300), *above = wv_malloc(64);
    fill(r, 300, 3);
    uint8_t *r2 = wv_realloc(r, 20000);
    CHECK(r2 && r2 != r && intact(r2, 300, 3) && (uintptr_t)r2 % 16 == 0);
    CHECK(intact(q, 5000, 2));

    /* shrink in place keeps the prefix; the tail goes back to the heap */
    size_t used_before = stats().used_bytes;
    uint8_t *r3 = wv_realloc(r2, 100);
    CHECK(r3 == r2 && intact(r3, 100, 3) && stats().used_bytes < used_before);
    uint8_t *r4 = wv_realloc(r3, 90);   /* a tail too small to be a block stays */
    CHECK(r4 == r3 && intact(r4, 90, 3));
    CHECK(wv_heap_check() == 0);

    /* a growth series like a Wasm memory growing page by page */
    uint8_t *m = wv_malloc(65536);
    fill(m, 65536, 5);
    for (size_t pages = 2; pages <= 40; pages++) {
        uint8_t *m2 = wv_realloc(m, pages * 65536);
        CHECK(m2 != 0 && intact(m2, 65536, 5));
        if (!m2) break;
        m = m2;
    }
    /* a failed realloc leaves the block alone */
    CHECK(wv_realloc(m, ARENA_BYTES) == 0 && intact(m, 65536, 5));
    wv_free(m); wv_free(y2); wv_free(z); wv_free(r4); wv_free(q); wv_free(above);
    CHECK(is_pristine(&e) && error_calls == 0 && wv_heap_check() == 0);
}

static void test_calloc(void)
{
    struct wv_heap_stats e = fresh_heap();
    uint8_t *dirty = wv_malloc(1 << 20);
    for (size_t i = 0; i < (1 << 20); i++) dirty[i] = 0xa5;
    wv_free(dirty);
    for (size_t n = 0; n < 300; n += 7) {
        uint8_t *p = wv_calloc(n, 37);
        CHECK(p != 0);
        int zero = 1;
        for (size_t i = 0; i < n * 37; i++) zero &= p[i] == 0;
        CHECK(zero);
        wv_free(p);
    }
    CHECK(wv_calloc((size_t)1 << 32, (size_t)1 << 32) == 0);     /* product wraps to 0 */
    CHECK(wv_calloc(SIZE_MAX / 2, 3) == 0);
    CHECK(wv_calloc(3, SIZE_MAX / 2) == 0);
    CHECK(wv_calloc(SIZE_MAX, SIZE_MAX) == 0);
    void *z = wv_calloc(0, 16);
    CHECK(z != 0);
    wv_free(z);
    CHECK(is_pristine(&e) && error_calls == 0);
}

static void expect_error(const char *what, void *ptr)
{
    CHECK(error_calls == 1 && last_msg && strstr(last_msg, what) && last_ptr == ptr);
    if (error_calls != 1 || !last_msg || !strstr(last_msg, what))
        printf("  expected \"%s\", got %d call(s), last \"%s\"\n", what, error_calls, last_msg ? last_msg : "-");
    clear_errors();
}

static void test_misuse(void)
{
    struct wv_heap_stats e = fresh_heap();
    uint8_t *a = wv_malloc(64), *b = wv_malloc(64), *c = wv_malloc(64);
    fill(a, 64, 7);

    /* double free, plain */
    wv_free(b);
    struct wv_heap_stats s1 = stats();
    wv_free(b);
    expect_error("double free", b);
    struct wv_heap_stats s2 = stats();
    CHECK(s2.free_bytes == s1.free_bytes && s2.live_allocs == s1.live_allocs && s2.errors == 1);
    CHECK(wv_heap_check() == 0);

    /* double free of a block that has been merged into its neighbour */
    wv_free(a);                         /* a and b are one free block now */
    wv_free(a);
    expect_error("double free", a);
    wv_free(b);
    expect_error("double free", b);
    CHECK(wv_heap_check() == 0);

    /* pointers that malloc never returned */
    int on_stack;
    wv_free(&on_stack);
    expect_error("outside the heap", &on_stack);
    static uint64_t in_data[4];
    wv_free(in_data);
    expect_error("outside the heap", in_data);
    wv_free(c + 8);
    expect_error("malloc did not return", c + 8);
    wv_free(c + 16);                    /* aligned, in the middle of a block */
    CHECK(error_calls == 1);
    clear_errors();
    CHECK(wv_realloc(&on_stack, 10) == 0);
    expect_error("outside the heap", &on_stack);
    CHECK(wv_realloc(b, 10) == 0);      /* realloc of a freed block */
    expect_error("double free", b);

    /* a header an overrun wrote over */
    uint8_t *d = wv_malloc(48), *f = wv_malloc(48);
    uint8_t saved[16];
    for (int i = 0; i < 16; i++) saved[i] = d[-16 + i];
    d[-8] ^= 0x40;                      /* size field of d's own header */
    wv_free(d);
    expect_error("corrupted", d);
    for (int i = 0; i < 16; i++) d[-16 + i] = saved[i];
    for (int i = 0; i < 16; i++) saved[i] = f[-16 + i];
    for (int i = 0; i < 20; i++) d[48 + i] = 0;   /* d overruns into f's header */
    wv_free(d);
    expect_error("overrun", d);
    wv_free(f);
    expect_error("corrupted", f);
    for (int i = 0; i < 16; i++) f[-16 + i] = saved[i];
    CHECK(wv_heap_check() == 0);
    wv_free(d); wv_free(f); wv_free(c);
    CHECK(error_calls == 0);

    /* a write to freed memory (the list links of a free block) is caught on reuse */
    uint8_t *g = wv_malloc(96), *h = wv_malloc(96), *g2 = wv_malloc(96), *h2 = wv_malloc(96);
    (void)h; (void)h2;
    wv_free(g);
    wv_free(g2);
    for (int i = 0; i < 16; i++) g2[i] = 0x41;   /* use after free */
    void *k = wv_malloc(96);                     /* takes g2 first (most recent) */
    CHECK(error_calls == 1 && last_msg && strstr(last_msg, "free list"));
    CHECK(k != 0 && k != g2);                    /* served from elsewhere */
    clear_errors();

    /* the heap keeps working after all that */
    void *ok = wv_malloc(1000);
    CHECK(ok != 0);
    wv_free(ok);
    CHECK(stats().errors >= 10);
    (void)e;
}

/* Randomized malloc/free/realloc against a shadow model of what each block holds. */
struct slot { uint8_t *p; size_t n; uint32_t seed; };

static int cmp_slot(const void *x, const void *y)
{
    const struct slot *a = x, *b = y;
    return a->p < b->p ? -1 : a->p > b->p;
}

static size_t random_size(void)
{
    switch (rand_below(10)) {
    case 0: return rand_below(16);
    case 1: case 2: case 3: case 4: return rand_below(256);
    case 5: case 6: case 7: return rand_below(4096);
    case 8: return rand_below(65536);
    default: return 65536 + rand_below(200000);
    }
}

static void check_no_overlap(struct slot *slots, size_t n)
{
    static struct slot live[512];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) if (slots[i].p) live[k++] = slots[i];
    qsort(live, k, sizeof live[0], cmp_slot);
    for (size_t i = 0; i + 1 < k; i++)
        if (live[i].p + live[i].n > live[i + 1].p) { CHECK(!"two live blocks overlap"); return; }
    CHECK(stats().live_allocs == k);
}

static void test_random(void)
{
    struct wv_heap_stats e = fresh_heap();
    enum { SLOTS = 400, STEPS = 10000 };
    static struct slot slots[SLOTS];
    for (size_t i = 0; i < SLOTS; i++) slots[i] = (struct slot){ 0, 0, 0 };
    size_t fails = 0;
    for (uint32_t step = 1; step <= STEPS; step++) {
        struct slot *s = &slots[rand_below(SLOTS)];
        if (!s->p) {
            size_t n = random_size();
            int zeroed = rand_below(4) == 0;
            s->p = zeroed ? wv_calloc(1, n) : wv_malloc(n);
            if (!s->p) { fails++; continue; }
            CHECK((uintptr_t)s->p % 16 == 0 && in_arena(s->p, n));
            if (zeroed) {
                int zero = 1;
                for (size_t i = 0; i < n; i++) zero &= s->p[i] == 0;
                CHECK(zero);
            }
            s->n = n;
            s->seed = step;
            fill(s->p, n, step);
        } else if (rand_below(3) == 0) {
            CHECK(intact(s->p, s->n, s->seed));
            wv_free(s->p);
            s->p = 0;
        } else {
            CHECK(intact(s->p, s->n, s->seed));
            size_t n = random_size();
            uint8_t *q = wv_realloc(s->p, n);
            if (!q && n) { fails++; CHECK(intact(s->p, s->n, s->seed)); continue; }
            if (!n) { s->p = 0; continue; }    /* realloc(p, 0) freed it */
            size_t keep = n < s->n ? n : s->n;
            CHECK((uintptr_t)q % 16 == 0 && in_arena(q, n) && intact(q, keep, s->seed));
            s->p = q;
            s->n = n;
            s->seed = step;
            fill(q, n, step);
        }
        if (step % 250 == 0) {
            check_no_overlap(slots, SLOTS);
            CHECK(wv_heap_check() == 0);
        }
    }
    for (size_t i = 0; i < SLOTS; i++) {
        if (!slots[i].p) continue;
        CHECK(intact(slots[i].p, slots[i].n, slots[i].seed));
        wv_free(slots[i].p);
    }
    CHECK(is_pristine(&e) && error_calls == 0);
    CHECK(stats().peak_used > 0);
    if (fails) printf("  (%zu allocations did not fit the arena)\n", fails);
}

/* A module load as wasm3 does it, roughly: many small records, a few big arrays that
 * grow by realloc, a linear memory. */
static void load_module(void **ptrs, size_t *n, uint32_t variant)
{
    size_t k = 0;
    for (int i = 0; i < 300; i++) ptrs[k++] = wv_calloc(1, 24 + (size_t)((i * 37 + variant) % 200));
    uint8_t *code = wv_malloc(4096);
    for (size_t sz = 8192; sz <= 65536; sz *= 2) code = wv_realloc(code, sz);
    ptrs[k++] = code;
    for (int i = 0; i < 40; i++) ptrs[k++] = wv_malloc(1000 + (size_t)i * 97);
    ptrs[k++] = wv_calloc(1, 3 * 65536);
    *n = k;
}

static void test_cycles(void)
{
    fresh_heap();
    /* long-lived allocations first (an environment, a runtime) */
    void *env = wv_malloc(5000), *rt = wv_malloc(70000);
    /* with holes between them, so that loads land in holes as well as at the top */
    void *keep[20], *temp[20];
    for (int i = 0; i < 20; i++) {
        temp[i] = wv_malloc(64 + (size_t)i * 150);
        keep[i] = wv_malloc(100 + (size_t)i * 300);
    }
    for (int i = 0; i < 20; i++) wv_free(temp[i]);
    struct wv_heap_stats before = stats();
    CHECK(before.free_blocks == 21);
    static void *ptrs[400];
    static size_t order[400];
    for (uint32_t cycle = 0; cycle < 200; cycle++) {
        size_t n;
        load_module(ptrs, &n, cycle % 3);
        int all = 1;
        for (size_t i = 0; i < n; i++) all &= ptrs[i] != 0;
        CHECK(all);
        for (size_t i = 0; i < n; i++) order[i] = i;
        if (cycle % 2) shuffle(order, n);
        for (size_t i = 0; i < n; i++) wv_free(ptrs[order[i]]);
        struct wv_heap_stats s = stats();
        CHECK(s.free_bytes == before.free_bytes && s.largest_free == before.largest_free);
        CHECK(s.free_blocks == before.free_blocks && s.live_allocs == before.live_allocs);
        if (s.free_bytes != before.free_bytes || s.largest_free != before.largest_free) {
            printf("  cycle %u: free %zu/%zu largest %zu/%zu\n", cycle, s.free_bytes,
                   before.free_bytes, s.largest_free, before.largest_free);
            break;
        }
    }
    for (int i = 0; i < 20; i++) wv_free(keep[i]);
    wv_free(rt); wv_free(env);
    CHECK(stats().free_blocks == 1 && wv_heap_check() == 0 && error_calls == 0);
}

/* Several threads at once: the lock keeps the heap consistent. */
struct worker { uint32_t id; int bad; };

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct slot slots[64] = { { 0, 0, 0 } };
    uint64_t r = 0x9e3779b97f4a7c15ull * (w->id + 1);
    for (uint32_t step = 1; step <= 20000; step++) {
        r ^= r >> 12; r ^= r << 25; r ^= r >> 27;
        uint64_t x = r * 0x2545f4914f6cdd1dull;
        struct slot *s = &slots[x % 64];
        uint32_t seed = w->id << 20 | step;
        if (s->p) {
            if (!intact(s->p, s->n, s->seed)) w->bad++;
            if ((x >> 8) & 1) { wv_free(s->p); s->p = 0; continue; }
            size_t n = (size_t)((x >> 16) % 3000) + 1;
            uint8_t *q = wv_realloc(s->p, n);
            if (!q) continue;
            s->p = q; s->n = n; s->seed = seed;
        } else {
            size_t n = (size_t)((x >> 16) % 3000);
            s->p = wv_malloc(n);
            if (!s->p) continue;
            s->n = n; s->seed = seed;
        }
        fill(s->p, s->n, s->seed);
    }
    for (int i = 0; i < 64; i++) {
        if (!slots[i].p) continue;
        if (!intact(slots[i].p, slots[i].n, slots[i].seed)) w->bad++;
        wv_free(slots[i].p);
    }
    return 0;
}

static void test_threads(void)
{
    struct wv_heap_stats e = fresh_heap();
    enum { T = 4 };
    pthread_t th[T];
    struct worker w[T];
    for (uint32_t i = 0; i < T; i++) {
        w[i] = (struct worker){ i, 0 };
        CHECK(pthread_create(&th[i], 0, worker_main, &w[i]) == 0);
    }
    for (int i = 0; i < T; i++) {
        pthread_join(th[i], 0);
        CHECK(w[i].bad == 0);
    }
    CHECK(is_pristine(&e) && error_calls == 0 && wv_heap_check() == 0);
}

int main(void)
{
    test_init();
    test_alignment();
    test_coalescing();
    test_exhaustion();
    test_realloc();
    test_calloc();
    test_misuse();
    test_random();
    test_cycles();
    test_threads();
    printf("test_alloc: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
