/* The runtime functions wasm2c's translation of a core module calls (wasm-rt.h), for
 * the native part (docs/native-tier.md): each forwards to the table of runtime
 * functions the EL2 loader stores through the module descriptor's `rt`
 * (struct wv_native_rt, wv_native_abi.h). Also the mem* functions the compiler may
 * emit calls to: the image links against nothing else.
 *
 * Compiled with -fno-builtin -fno-tree-loop-distribute-patterns, so gcc never turns
 * the loops of memcpy and friends back into calls to themselves (the build checks
 * this object for such calls). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "wasm-rt.h"

/* Stored by the loader (through wv_native_module.rt) before it calls init_module. */
const struct wv_native_rt *wv_native_rt_table;

#define WASM_PAGE           65536u
#define WASM_MAX_PAGES      65536u      /* 4 GiB: more does not fit a wasm_rt_memory_t */

WASM_RT_NO_RETURN void wasm_rt_trap(wasm_rt_trap_t code)
{
    wv_native_rt_table->trap((uint32_t)code);
}

bool wasm_rt_is_initialized(void)
{
    return wv_native_rt_table != 0;
}

/* ---- Function types: the index of a signature, the same for the same signature ----
 * init_module registers every type of the module once, in the module's order, so the
 * indices are the same on every boot. Index 0 is never given out (a null funcref has
 * type 0). */
#define MAX_FUNC_TYPES      1024u
#define MAX_TYPE_VALUES     8192u

static uint16_t type_start[MAX_FUNC_TYPES];     /* into type_values */
static uint8_t type_params[MAX_FUNC_TYPES], type_results[MAX_FUNC_TYPES];
static uint8_t type_values[MAX_TYPE_VALUES];
static uint32_t type_count, values_used;

/* Does type t hold the `n` value types of `ap`? */
static int same_type(uint32_t t, uint32_t params, uint32_t results, va_list ap)
{
    if (type_params[t] != params || type_results[t] != results) return 0;
    const uint8_t *have = type_values + type_start[t];
    for (uint32_t i = 0; i < params + results; i++)
        if (have[i] != (uint8_t)va_arg(ap, int)) return 0;
    return 1;
}

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...)
{
    va_list ap;
    uint32_t n = params + results;
    if (params > 255 || results > 255) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
    for (uint32_t t = 0; t < type_count; t++) {
        va_list each;
        va_start(each, results);
        int same = same_type(t, params, results, each);
        va_end(each);
        if (same) return t + 1;
    }
    if (type_count == MAX_FUNC_TYPES || values_used + n > MAX_TYPE_VALUES) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
    type_start[type_count] = (uint16_t)values_used;
    type_params[type_count] = (uint8_t)params;
    type_results[type_count] = (uint8_t)results;
    va_start(ap, results);
    for (uint32_t i = 0; i < n; i++) type_values[values_used + i] = (uint8_t)va_arg(ap, int);
    va_end(ap);
    values_used += n;
    return ++type_count;
}

/* ---- Linear memory ---- */

/* A linear memory never moves once allocated: the runtime shares the vCPUs' exit
 * records in it in place, as their register frames (docs/abi.md 2), and an exception
 * vector may store into one at any time. So it is allocated at its largest at once,
 * WV_NATIVE_MEMORY_PAGES or the module's own maximum if that is less (or its initial
 * size if that is more), only its initial pages zeroed; memory.grow grows it within that
 * and fails past it, as Wasm lets it (the core then traps on its allocation, and only
 * its VM stops). */
void wasm_rt_allocate_memory(wasm_rt_memory_t *mem, uint32_t initial_pages, uint32_t max_pages)
{
    if (initial_pages >= WASM_MAX_PAGES) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
    uint32_t reserve = max_pages < WV_NATIVE_MEMORY_PAGES ? max_pages : WV_NATIVE_MEMORY_PAGES;
    if (reserve < initial_pages) reserve = initial_pages;
    uint32_t size = initial_pages * WASM_PAGE;
    mem->data = 0;
    if (reserve && !(mem->data = wv_native_rt_table->realloc(0, (size_t)reserve * WASM_PAGE)))
        wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
    memset(mem->data, 0, size);
    mem->pages = initial_pages;
    mem->max_pages = reserve;
    mem->size = size;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *mem, uint32_t delta)
{
    uint32_t old = mem->pages;
    if (delta == 0) return old;
    uint64_t pages = (uint64_t)old + delta;
    if (pages > mem->max_pages || pages >= WASM_MAX_PAGES) return UINT32_MAX;
    uint32_t size = (uint32_t)pages * WASM_PAGE;
    memset(mem->data + mem->size, 0, size - mem->size);     /* in place: allocated at max_pages */
    mem->pages = (uint32_t)pages;
    mem->size = size;
    return old;
}

void wasm_rt_free_memory(wasm_rt_memory_t *mem)
{
    if (mem->data) wv_native_rt_table->free(mem->data);
    mem->data = 0;
    mem->pages = mem->size = 0;
}

/* ---- Tables: `elements` entries of `each` bytes, zeroed (null) ---- */

static void *table_alloc(uint32_t elements, size_t each)
{
    if (!elements) return 0;
    void *p = wv_native_rt_table->alloc_zeroed((size_t)elements * each);
    if (!p) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
    return p;
}

/* The table's data grown from `size` to size + delta entries, or 0 when it cannot. */
static void *table_grow(void *data, uint32_t size, uint32_t max_size, uint32_t delta, size_t each)
{
    uint64_t n = (uint64_t)size + delta;
    if (n > max_size || n > (1u << 24)) return 0;
    size_t bytes = (size_t)n * each;
    return data ? wv_native_rt_table->realloc(data, bytes) : wv_native_rt_table->alloc_zeroed(bytes);
}

/* The funcref and externref tables' functions: the same but for the element type. */
#define TABLE_FUNCTIONS(kind, table_t, elem_t)                                                      \
    void wasm_rt_allocate_##kind##_table(table_t *t, uint32_t elements, uint32_t max_elements)     \
    {                                                                                               \
        t->data = table_alloc(elements, sizeof *t->data);                                           \
        t->size = elements;                                                                         \
        t->max_size = max_elements;                                                                 \
    }                                                                                               \
    void wasm_rt_free_##kind##_table(table_t *t)                                                    \
    {                                                                                               \
        if (t->data) wv_native_rt_table->free(t->data);                                             \
        t->data = 0;                                                                                \
        t->size = 0;                                                                                \
    }                                                                                               \
    uint32_t wasm_rt_grow_##kind##_table(table_t *t, uint32_t delta, elem_t init)                   \
    {                                                                                               \
        uint32_t old = t->size;                                                                     \
        if (delta == 0) return old;                                                                 \
        elem_t *p = table_grow(t->data, old, t->max_size, delta, sizeof *p);                        \
        if (!p) return UINT32_MAX;                                                                  \
        for (uint32_t i = old; i < old + delta; i++) p[i] = init;                                   \
        t->data = p;                                                                                \
        t->size = old + delta;                                                                      \
        return old;                                                                                 \
    }

TABLE_FUNCTIONS(funcref, wasm_rt_funcref_table_t, wasm_rt_funcref_t)
TABLE_FUNCTIONS(externref, wasm_rt_externref_table_t, wasm_rt_externref_t)

/* ---- What the compiler may call: mem*, and libgcc's popcount (i32/i64.popcnt, which
 * -mgeneral-regs-only keeps off the SIMD unit's CNT). Eight bytes at a time where both
 * sides are aligned. ---- */

typedef uint64_t __attribute__((may_alias)) word_t;

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        for (; n >= 8; n -= 8, d += 8, s += 8) *(word_t *)d = *(const word_t *)s;
    }
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d == s || n == 0) return dst;
    if (d < s || d >= s + n) return memcpy(dst, src, n);    /* no overlap a forward copy would spoil */
    d += n;
    s += n;
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        for (; n >= 8; n -= 8) { d -= 8; s -= 8; *(word_t *)d = *(const word_t *)s; }
    }
    while (n--) *--d = *--s;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    uint8_t b = (uint8_t)c;
    for (; n && ((uintptr_t)d & 7); n--) *d++ = b;
    word_t w = 0x0101010101010101ull * b;
    for (; n >= 8; n -= 8, d += 8) *(word_t *)d = w;
    while (n--) *d++ = b;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y) return *x < *y ? -1 : 1;
    return 0;
}

int __popcountdi2(int64_t v);
int __popcountsi2(int32_t v);

int __popcountdi2(int64_t v)
{
    uint64_t x = (uint64_t)v;
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (int)((x * 0x0101010101010101ull) >> 56);
}

int __popcountsi2(int32_t v)
{
    return __popcountdi2((int64_t)(uint32_t)v);
}
