/* mem* and str* for the runtime and wasm3 (wasm3 copies and clears a lot while it
 * parses and compiles a module; a byte loop there costs many times a word loop).
 *
 * The mem* functions move 8-byte words: a few single bytes until the destination
 * is 8-byte aligned, then 32 bytes per iteration, then 8, then the last bytes. The
 * source may stay misaligned: its words are read through a type of alignment 1,
 * which AArch64 does in hardware on Normal memory (SCTLR_EL2.A is clear) and x86 as
 * well. Every block of loads comes before its stores, so the forward copy is also a
 * correct memmove when the destination lies below the source, and the backward copy
 * when it lies above.
 *
 * strlen reads aligned words and may read a few bytes past the terminating NUL inside
 * the word that holds it; an aligned word never crosses a page, so this cannot fault.
 * Nothing here touches hardware: the same file builds for the host unit tests.
 *
 * Built with -fno-tree-loop-distribute-patterns (runtime-c/lib/CMakeLists.txt), or the
 * compiler may turn these very loops into calls to memcpy/memset. */
#include "wv_libc.h"

typedef uint64_t __attribute__((may_alias)) word_t;                  /* aligned */
typedef uint64_t __attribute__((may_alias, aligned(1))) uword_t;     /* any alignment */

#define ONES    0x0101010101010101ull
#define HIGHS   0x8080808080808080ull

/* Some byte of v is zero (the classic carry trick: exact about whether, not where). */
static inline int has_zero(uint64_t v)
{
    return ((v - ONES) & ~v & HIGHS) != 0;
}

static void copy_forward(uint8_t *d, const uint8_t *s, size_t n)
{
    if (n >= 16) {
        while ((uintptr_t)d & 7) { *d++ = *s++; n--; }
        while (n >= 32) {
            uint64_t a = ((const uword_t *)s)[0], b = ((const uword_t *)s)[1];
            uint64_t c = ((const uword_t *)s)[2], e = ((const uword_t *)s)[3];
            ((word_t *)d)[0] = a; ((word_t *)d)[1] = b;
            ((word_t *)d)[2] = c; ((word_t *)d)[3] = e;
            d += 32; s += 32; n -= 32;
        }
        while (n >= 8) {
            *(word_t *)d = *(const uword_t *)s;
            d += 8; s += 8; n -= 8;
        }
    }
    while (n--) *d++ = *s++;
}

static void copy_backward(uint8_t *d, const uint8_t *s, size_t n)
{
    d += n; s += n;
    if (n >= 16) {
        while ((uintptr_t)d & 7) { *--d = *--s; n--; }
        while (n >= 32) {
            d -= 32; s -= 32; n -= 32;
            uint64_t a = ((const uword_t *)s)[0], b = ((const uword_t *)s)[1];
            uint64_t c = ((const uword_t *)s)[2], e = ((const uword_t *)s)[3];
            ((word_t *)d)[3] = e; ((word_t *)d)[2] = c;
            ((word_t *)d)[1] = b; ((word_t *)d)[0] = a;
        }
        while (n >= 8) {
            d -= 8; s -= 8; n -= 8;
            *(word_t *)d = *(const uword_t *)s;
        }
    }
    while (n--) *--d = *--s;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    copy_forward(dst, src, n);
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    /* Compared as integers: the two pointers need not point into one object. */
    if ((uintptr_t)d - (uintptr_t)s >= n) copy_forward(d, s, n);    /* d below s, or apart */
    else if (d != s) copy_backward(d, s, n);
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    uint8_t b = (uint8_t)c;
    if (n >= 16) {
        uint64_t w = ONES * b;
        while ((uintptr_t)d & 7) { *d++ = b; n--; }
        while (n >= 32) {
            ((word_t *)d)[0] = w; ((word_t *)d)[1] = w;
            ((word_t *)d)[2] = w; ((word_t *)d)[3] = w;
            d += 32; n -= 32;
        }
        while (n >= 8) { *(word_t *)d = w; d += 8; n -= 8; }
    }
    while (n--) *d++ = b;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *p = a, *q = b;
    if (n >= 16) {
        while ((uintptr_t)p & 7) {
            if (*p != *q) return *p - *q;
            p++; q++; n--;
        }
        /* Skip equal words; the first unequal one is settled byte by byte below. */
        while (n >= 8 && *(const word_t *)p == *(const uword_t *)q) { p += 8; q += 8; n -= 8; }
    }
    for (; n; p++, q++, n--)
        if (*p != *q) return *p - *q;
    return 0;
}

__attribute__((no_sanitize_address))
size_t strlen(const char *s)
{
    const char *p = s;
    while ((uintptr_t)p & 7) {
        if (!*p) return (size_t)(p - s);
        p++;
    }
    while (!has_zero(*(const word_t *)p)) p += 8;
    while (*p) p++;
    return (size_t)(p - s);
}

int strcmp(const char *a, const char *b)
{
    const uint8_t *p = (const uint8_t *)a, *q = (const uint8_t *)b;
    while (*p && *p == *q) { p++; q++; }
    return *p - *q;
}

int strncmp(const char *a, const char *b, size_t n)
{
    const uint8_t *p = (const uint8_t *)a, *q = (const uint8_t *)b;
    for (; n; p++, q++, n--) {
        if (*p != *q) return *p - *q;
        if (!*p) return 0;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    char ch = (char)c;
    for (;; s++) {
        if (*s == ch) return (char *)s;
        if (!*s) return 0;
    }
}
