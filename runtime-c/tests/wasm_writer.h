/* A small writer of .wasm bytes for the host tests of the interface parser and the
 * native-part loader: a growing buffer, LEB128, sections. */
#ifndef WASM_WRITER_H
#define WASM_WRITER_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf { uint8_t *b; size_t len, cap; };

static inline void put(struct buf *o, const void *p, size_t n)
{
    if (n == 0) return;
    if (o->len + n > o->cap) {
        o->cap = (o->len + n) * 2 + 64;
        o->b = realloc(o->b, o->cap);
        if (!o->b) { printf("FAIL: out of memory\n"); exit(1); }
    }
    memcpy(o->b + o->len, p, n);
    o->len += n;
}

static inline void put8(struct buf *o, uint8_t v) { put(o, &v, 1); }

static inline void uleb(struct buf *o, uint64_t v)
{
    do { uint8_t b = v & 0x7f; v >>= 7; put8(o, (uint8_t)(b | (v ? 0x80 : 0))); } while (v);
}

static inline void wname(struct buf *o, const char *s)
{
    uleb(o, strlen(s));
    put(o, s, strlen(s));
}

static inline void section(struct buf *m, uint8_t id, struct buf *content)
{
    put8(m, id);
    uleb(m, content->len);
    put(m, content->b, content->len);
    content->len = 0;
}

static inline void wasm_header(struct buf *m)
{
    static const uint8_t h[8] = { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00 };
    put(m, h, 8);
}

/* A function type: params and results as strings of value type bytes. */
static inline void functype(struct buf *s, const char *params, const char *results)
{
    put8(s, 0x60);
    uleb(s, strlen(params));
    put(s, params, strlen(params));
    uleb(s, strlen(results));
    put(s, results, strlen(results));
}

#define I32 "\x7f"
#define I64 "\x7e"
#define F32 "\x7d"
#define F64 "\x7c"

#endif
