/* Host tests of the trace reader of replay at EL2 (runtime-c/core/replay_in.c,
 * docs/replay.md): a trace made here is read back through a source that hands out a few
 * bytes at a time, chunk by chunk, call by call; every malformed header, chunk and record
 * is refused naming what is wrong; a call waits for its bytes until it is whole; and a
 * seeded run of damaged streams never reads outside the bytes (ASan). */
#include "wv_replay.h"
#include "wv_trace.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

/* A two-import table standing in for WV_IMPORT_LIST. */
static const struct wv_import_fn fns[] = { { "now", "I()", 0 }, { "guest_read", "i(Iii)", 0 } };

struct buf { uint8_t b[8192]; size_t n; };

static void put(struct buf *o, const void *p, size_t n) { memcpy(o->b + o->n, p, n); o->n += n; }
static void put8(struct buf *o, uint8_t v) { put(o, &v, 1); }
static void put16(struct buf *o, uint16_t v) { put8(o, (uint8_t)v); put8(o, (uint8_t)(v >> 8)); }
static void put32(struct buf *o, uint32_t v) { put16(o, (uint16_t)v); put16(o, (uint16_t)(v >> 16)); }
static void put64(struct buf *o, uint64_t v) { put32(o, (uint32_t)v); put32(o, (uint32_t)(v >> 32)); }

static void header(struct buf *o, uint32_t version, const struct wv_import_fn *f, uint32_t count)
{
    uint32_t len = 16;
    for (uint32_t i = 0; i < count; i++) len += (uint32_t)(strlen(f[i].name) + strlen(f[i].sig) + 2);
    put(o, "WVTR", 4);
    put32(o, version);
    put32(o, len);
    put32(o, count);
    for (uint32_t i = 0; i < count; i++) { put(o, f[i].name, strlen(f[i].name) + 1); put(o, f[i].sig, strlen(f[i].sig) + 1); }
}

static void start(struct buf *o, uint32_t vm)
{
    put8(o, WV_TR_START); put32(o, vm); put8(o, 1); put32(o, 1234);
    for (int i = 0; i < 32; i++) put8(o, (uint8_t)i);
}

static void call(struct buf *o, const char *name, uint32_t argc, const int32_t *args)
{
    put8(o, WV_TR_CALL); put8(o, (uint8_t)strlen(name)); put(o, name, strlen(name)); put8(o, (uint8_t)argc);
    for (uint32_t i = 0; i < argc; i++) put32(o, (uint32_t)args[i]);
}

static void mem(struct buf *o, uint8_t type, uint32_t addr, uint32_t len, uint8_t fill)
{
    put8(o, type); put32(o, addr); put32(o, len);
    for (uint32_t i = 0; i < len; i++) put8(o, (uint8_t)(fill + i));
}

static void import(struct buf *o, uint16_t index, uint32_t argc, uint64_t result, uint32_t out, uint32_t out_len)
{
    put8(o, WV_TR_IMPORT); put16(o, index); put8(o, (uint8_t)argc);
    for (uint32_t i = 0; i < argc; i++) put64(o, 0x100 + i);
    put64(o, result); put32(o, out); put32(o, out_len);
    for (uint32_t i = 0; i < out_len; i++) put8(o, 0xa0);
}

static void ret(struct buf *o, uint8_t flags, int32_t result, const char *trap)
{
    put8(o, WV_TR_RET); put8(o, flags); put32(o, (uint32_t)result); put16(o, (uint16_t)strlen(trap)); put(o, trap, strlen(trap));
}

/* One stream: start, then an exit call (exit record in, two imports, result, record back)
 * and an init call. */
static void stream(struct buf *o)
{
    start(o, 2);
    int32_t a[3] = { 0, 64, 16 };
    call(o, "wv_handle_exit", 1, a);
    mem(o, WV_TR_MEMIN, 0x1000, 320, 7);
    import(o, 0, 0, 42, 0, 0);
    import(o, 1, 3, 16, 0x2000, 16);
    ret(o, 2, 0, "");
    mem(o, WV_TR_MEMOUT, 0x1000, 320, 9);
    call(o, "wv_init", 3, a);
    mem(o, WV_TR_MEMIN, 64, 16, 1);
    ret(o, 1, 0, "unreachable");
}

/* A source over bytes, `step` at a time; fails when `fail_at` is reached (0: never). */
struct src { const uint8_t *b; size_t n, at, step, fail_at; };

static int64_t src_read(void *p, void *dst, size_t n)
{
    struct src *s = p;
    if (s->fail_at && s->at >= s->fail_at) return -1;
    size_t k = s->n - s->at;
    if (k > n) k = n;
    if (k > s->step) k = s->step;
    memcpy(dst, s->b + s->at, k);
    s->at += k;
    return (int64_t)k;
}

static int64_t liar_read(void *p, void *dst, size_t n)
{
    (void)p;
    memset(dst, 0, n);
    return (int64_t)n + 1;
}

static void open_in(struct wv_replay_in *in, struct src *s, const struct buf *o, size_t step, uint8_t *rbuf, size_t cap)
{
    *s = (struct src){ o->b, o->n, 0, step, 0 };
    wv_replay_in_init(in, src_read, s, rbuf, cap);
}

static void test_reads_back(void)
{
    struct buf o = { .n = 0 }, st = { .n = 0 };
    header(&o, WV_TRACE_VERSION, fns, 2);
    stream(&st);
    /* Two chunks of stream 1 with a chunk of stream 2 between them. */
    size_t half = 120;
    put32(&o, 1); put32(&o, (uint32_t)half); put(&o, st.b, half);
    put32(&o, 2); put32(&o, WV_REPLAY_START_LEN); put(&o, st.b, WV_REPLAY_START_LEN);
    put32(&o, 1); put32(&o, (uint32_t)(st.n - half)); put(&o, st.b + half, st.n - half);
    for (size_t step = 1; step <= 13; step += 4) {
        struct wv_replay_in in;
        struct src s;
        uint8_t rbuf[7];
        char why[160] = "";
        open_in(&in, &s, &o, step, rbuf, sizeof rbuf);
        CHECK(wv_replay_read_header(&in, fns, 2, why, sizeof why) == 0);
        uint8_t got[1024];
        size_t got_n = 0;
        uint32_t id, len, chunks = 0;
        int r;
        while ((r = wv_replay_next_chunk(&in, &id, &len, why, sizeof why)) == 1) {
            chunks++;
            CHECK(id == 1 || id == 2);
            CHECK(wv_replay_in_read(&in, id == 1 ? got + got_n : rbuf, id == 1 ? len : 0) == (id == 1 ? (int64_t)len : 0));
            if (id == 2) CHECK(wv_replay_in_read(&in, got + 900, len) == (int64_t)len);
            if (id == 1) got_n += len;
        }
        CHECK(r == 0 && chunks == 3 && got_n == st.n && !memcmp(got, st.b, st.n));
        CHECK(in.offset == o.n);
    }
}

static void test_calls(void)
{
    struct buf st = { .n = 0 };
    stream(&st);
    struct wv_replay_start s0;
    const char *err = 0;
    for (size_t k = 0; k < WV_REPLAY_START_LEN; k++) CHECK(wv_replay_parse_start(st.b, k, &s0, &err) == 0);
    CHECK(wv_replay_parse_start(st.b, st.n, &s0, &err) == WV_REPLAY_START_LEN);
    CHECK(s0.vm == 2 && s0.engine == 1 && s0.wasm_len == 1234 && s0.sha256[31] == 31);
    const uint8_t *b = st.b + WV_REPLAY_START_LEN;
    size_t n = st.n - WV_REPLAY_START_LEN, err_at;
    struct wv_replay_call c;
    long first = wv_replay_parse_call(b, n, 0, &c, &err, &err_at);
    CHECK(first > 0);
    /* Every shorter prefix waits for more bytes; at the stream's end the first call is whole too. */
    for (size_t k = 0; k < (size_t)first; k++) CHECK(wv_replay_parse_call(b, k, 0, &c, &err, &err_at) == 0);
    CHECK(wv_replay_parse_call(b, (size_t)first, 1, &c, &err, &err_at) == first);
    CHECK(wv_replay_parse_call(b, n, 0, &c, &err, &err_at) == first);
    CHECK(c.name_len == 14 && !memcmp(c.name, "wv_handle_exit", 14) && c.argc == 1 && c.args[0] == 0);
    CHECK(c.memin_count == 1 && c.import_count == 2 && c.memout_count == 1 && c.has_ret && c.ret_flags == 2);
    struct wv_replay_mem m;
    wv_replay_mem_at(c.memin, &m);
    CHECK(m.addr == 0x1000 && m.len == 320 && m.bytes[0] == 7);
    struct wv_replay_import imp;
    const uint8_t *p = wv_replay_import_at(c.imports, &imp);
    CHECK(imp.index == 0 && imp.argc == 0 && imp.result == 42 && imp.out.len == 0);
    wv_replay_import_at(p, &imp);
    CHECK(imp.index == 1 && imp.argc == 3 && imp.args[2] == 0x102 && imp.result == 16 && imp.out.addr == 0x2000 &&
          imp.out.len == 16 && imp.out.bytes[15] == 0xa0);
    wv_replay_mem_at(c.memout, &m);
    CHECK(m.len == 320 && m.bytes[0] == 9);
    /* The second call is whole only at the stream's end. */
    CHECK(wv_replay_parse_call(b + first, n - (size_t)first, 0, &c, &err, &err_at) == 0);
    CHECK(wv_replay_parse_call(b + first, n - (size_t)first, 1, &c, &err, &err_at) == (long)(n - (size_t)first));
    CHECK(c.argc == 3 && c.args[2] == 16 && c.ret_flags == 1 && c.trap_len == 11 && !memcmp(c.trap, "unreachable", 11));
    /* A call the board stopped inside: whole at the end, without its end. */
    struct buf cut = { .n = 0 };
    call(&cut, "wv_nop", 0, 0);
    import(&cut, 0, 0, 1, 0, 0);
    CHECK(wv_replay_parse_call(cut.b, cut.n, 1, &c, &err, &err_at) == (long)cut.n && !c.has_ret && c.import_count == 1);
}

static void refused_call(struct buf *o, const char *what, size_t at)
{
    struct wv_replay_call c;
    const char *err = 0;
    size_t err_at = 0;
    long r = wv_replay_parse_call(o->b, o->n, 1, &c, &err, &err_at);
    CHECK(r == -1 && err && strstr(err, what));
    if (r != -1 || !err || !strstr(err, what)) printf("  wanted \"%s\", got %ld \"%s\"\n", what, r, err ? err : "");
    CHECK(err_at == at);
    if (err_at != at) printf("  \"%s\" at %zu, wanted at %zu\n", what, err_at, at);
}

static void test_malformed_records(void)
{
    int32_t a[3] = { 1, 2, 3 };
    struct buf o;
    const size_t call0 = 3 + 7 + 4;       /* CALL "wv_init" with one argument */
    o.n = 0; mem(&o, WV_TR_MEMIN, 0, 4, 0); refused_call(&o, "outside any call", 0);
    o.n = 0; start(&o, 0); refused_call(&o, "second start record", 0);
    o.n = 0; call(&o, "wv_init", 1, a); put8(&o, 9); refused_call(&o, "unknown record type", call0);
    o.n = 0; call(&o, "wv_init", 1, a); start(&o, 0); refused_call(&o, "second start record", call0);
    o.n = 0; call(&o, "wv_init", 1, a); import(&o, 0, 0, 0, 0, 0); mem(&o, WV_TR_MEMIN, 0, 1, 0);
    refused_call(&o, "after the call began", call0 + 20);
    o.n = 0; call(&o, "wv_init", 1, a); ret(&o, 0, 0, ""); import(&o, 0, 0, 0, 0, 0);
    refused_call(&o, "after the call's end", call0 + 8);
    o.n = 0; call(&o, "wv_init", 1, a); ret(&o, 0, 0, ""); ret(&o, 0, 0, ""); refused_call(&o, "second end", call0 + 8);
    o.n = 0; call(&o, "wv_init", 1, a); mem(&o, WV_TR_MEMOUT, 0, 1, 0); refused_call(&o, "before the call's end", call0);
    o.n = 0; call(&o, "wv_init", 1, a); import(&o, 0, 5, 0, 0, 0); refused_call(&o, "more than 4 arguments", call0);
    o.n = 0; put8(&o, WV_TR_CALL); put8(&o, 1); put8(&o, 'x'); put8(&o, 4); for (int i = 0; i < 16; i++) put8(&o, 0);
    refused_call(&o, "more than 3 arguments", 0);
    /* A length that runs past the stream's end: cut short, never read. */
    o.n = 0; call(&o, "wv_init", 1, a); mem(&o, WV_TR_MEMIN, 0, 8, 0); o.n -= 3; refused_call(&o, "cut short", call0);
    o.n = 0; call(&o, "wv_init", 1, a); put8(&o, WV_TR_MEMIN); put32(&o, 0); put32(&o, 0xffffffffu);
    refused_call(&o, "cut short", call0);
    o.n = 0; call(&o, "wv_init", 1, a); o.n--; refused_call(&o, "cut short", 0);
    struct wv_replay_start s;
    const char *err = 0;
    o.n = 0; call(&o, "wv_init", 1, a);
    CHECK(wv_replay_parse_start(o.b, o.n, &s, &err) == -1 && err && strstr(err, "start record"));
}

static int header_refused(const struct buf *o, const char *what)
{
    struct wv_replay_in in;
    struct src s;
    uint8_t rbuf[64];
    char why[160] = "";
    open_in(&in, &s, o, 64, rbuf, sizeof rbuf);
    int r = wv_replay_read_header(&in, fns, 2, why, sizeof why);
    if (r != -1 || !strstr(why, what)) printf("  wanted \"%s\", got %d \"%s\"\n", what, r, why);
    return r == -1 && strstr(why, what) != 0;
}

static void test_malformed_headers(void)
{
    struct buf o;
    o.n = 0; CHECK(header_refused(&o, "no WVTR magic"));
    o.n = 0; header(&o, WV_TRACE_VERSION, fns, 2); o.b[0] = 'X'; CHECK(header_refused(&o, "no WVTR magic"));
    o.n = 0; header(&o, 7, fns, 2); CHECK(header_refused(&o, "version 7"));
    o.n = 0; header(&o, WV_TRACE_VERSION, fns, 2); o.n -= 3; CHECK(header_refused(&o, "ends inside its header"));
    o.n = 0; header(&o, WV_TRACE_VERSION, fns, 2); o.b[8] = 0xff; o.b[9] = 0xff; CHECK(header_refused(&o, "out of range"));
    o.n = 0; header(&o, WV_TRACE_VERSION, fns, 1); CHECK(header_refused(&o, "names 1 imports"));
    const struct wv_import_fn other[] = { { "now", "I()", 0 }, { "guest_read", "i(Iiii)", 0 } };
    o.n = 0; header(&o, WV_TRACE_VERSION, other, 2); CHECK(header_refused(&o, "import 1 is guest_read i(Iiii)"));
    /* Counted right, but the strings stop short: the count reaches past them. */
    o.n = 0; header(&o, WV_TRACE_VERSION, fns, 2); o.b[o.n - 1] = 'x'; CHECK(header_refused(&o, "ends at import 1"));
}

static void test_malformed_chunks(void)
{
    struct buf o = { .n = 0 };
    header(&o, WV_TRACE_VERSION, fns, 2);
    size_t h = o.n;
    put32(&o, 1); put32(&o, WV_REPLAY_CHUNK_MAX + 1);
    struct wv_replay_in in;
    struct src s;
    uint8_t rbuf[16];
    char why[160] = "";
    uint32_t id = 0, len = 0;
    open_in(&in, &s, &o, 5, rbuf, sizeof rbuf);
    CHECK(wv_replay_read_header(&in, fns, 2, why, sizeof why) == 0);
    CHECK(wv_replay_next_chunk(&in, &id, &len, why, sizeof why) == -1 && strstr(why, "a chunk of"));
    /* The file ends inside a chunk header: 2, with the bytes left. */
    o.n = h + 5;
    open_in(&in, &s, &o, 5, rbuf, sizeof rbuf);
    CHECK(wv_replay_read_header(&in, fns, 2, why, sizeof why) == 0);
    CHECK(wv_replay_next_chunk(&in, &id, &len, why, sizeof why) == 2 && len == 5);
    /* A source that fails: -1, and it stays failed. */
    o.n = h + 8;
    open_in(&in, &s, &o, 5, rbuf, sizeof rbuf);
    s.fail_at = h + 1;
    CHECK(wv_replay_read_header(&in, fns, 2, why, sizeof why) == 0);
    CHECK(wv_replay_next_chunk(&in, &id, &len, why, sizeof why) == -1 && strstr(why, "could not be read"));
    CHECK(wv_replay_in_read(&in, rbuf, 1) == -1);
    /* A source that claims more than it was asked for is a failure too. */
    wv_replay_in_init(&in, liar_read, 0, rbuf, 4);
    CHECK(wv_replay_read_header(&in, fns, 2, why, sizeof why) == -1 && strstr(why, "could not be read"));
}

/* Damaged streams (seeded): bytes flipped anywhere; every call parsed until the first
 * refusal. What counts is that nothing reads outside the bytes (ASan) or loops. */
static void test_damaged(void)
{
    struct buf st = { .n = 0 };
    stream(&st);
    stream(&st);
    const uint8_t *base = st.b + WV_REPLAY_START_LEN;
    size_t n = st.n - WV_REPLAY_START_LEN;
    srand(12345);
    for (int round = 0; round < 20000; round++) {
        uint8_t *b = malloc(n);
        memcpy(b, base, n);
        for (int k = 0, flips = 1 + rand() % 4; k < flips; k++) b[rand() % n] = (uint8_t)rand();
        size_t len = (size_t)(rand() % 4 ? n : (size_t)rand() % (n + 1));
        size_t at = 0;
        int steps = 0;
        while (at < len && steps++ < 100) {
            struct wv_replay_call c;
            const char *err;
            size_t err_at;
            long r = wv_replay_parse_call(b + at, len - at, 1, &c, &err, &err_at);
            if (r <= 0) break;
            CHECK((size_t)r <= len - at);
            const uint8_t *p = c.imports;
            struct wv_replay_import imp;
            for (uint32_t i = 0; i < c.import_count; i++) p = wv_replay_import_at(p, &imp);
            at += (size_t)r;
        }
        CHECK(steps < 100);
        free(b);
    }
}

int main(void)
{
    test_reads_back();
    test_calls();
    test_malformed_records();
    test_malformed_headers();
    test_malformed_chunks();
    test_damaged();
    if (failures) { printf("%d failure(s)\n", failures); return 1; }
    printf("replay_in: all passed\n");
    return 0;
}
