/* runtime-c/core/chan_stream.c: the hypervisor channel's streams, fed what a hostile
 * guest would write: requests split at every byte, lengths at and over the limits, a
 * payload that hides request headers, a VM that may not command sending large requests,
 * answers that the guest never reads, lengths that would wrap, allocations that fail.
 * chan_stream.c is built here with its realloc renamed wv_test_realloc (CMakeLists.txt):
 * it can be made to fail, and every size asked of it is seen. */
#include "wv_chan_stream.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static int allocs_left = -1;        /* allocations still let through; -1: all */
static size_t biggest;              /* the largest buffer asked for since reset */

void *wv_test_realloc(void *p, size_t n);
void *wv_test_realloc(void *p, size_t n)
{
    if (n > biggest) biggest = n;
    if (allocs_left == 0) return 0;
    if (allocs_left > 0) allocs_left--;
    return realloc(p, n);
}

static void fresh(struct wv_chan_stream *s)
{
    free(s->in);
    free(s->out);
    memset(s, 0, sizeof *s);
    biggest = 0;
    allocs_left = -1;
}

/* A request header saying `len` payload bytes follow. */
static void header(uint8_t *b, uint16_t cmd, uint32_t len, uint32_t id)
{
    memcpy(b, "WVRQ", 4);
    b[4] = (uint8_t)cmd; b[5] = (uint8_t)(cmd >> 8); b[6] = 0; b[7] = 0;
    for (int i = 0; i < 4; i++) { b[8 + i] = (uint8_t)(len >> (8 * i)); b[12 + i] = (uint8_t)(id >> (8 * i)); }
}

/* A request frame: header, then `len` payload bytes of a pattern that depends on `seed`. */
static size_t request(uint8_t *b, uint16_t cmd, uint32_t len, uint32_t id, uint8_t seed)
{
    header(b, cmd, len, id);
    for (uint32_t i = 0; i < len; i++) b[16 + i] = (uint8_t)(seed + i * 7);
    return 16 + (size_t)len;
}

/* What the guest's sends came to, as chan.c acts on them. */
struct seen {
    int requests, refused, bad, nomem, held_back;
    struct wv_frame last;           /* the last request or refused header */
    uint8_t payload[256];           /* the last request's payload (its first 256 bytes) */
    const char *err;
};

/* One chan_send, as chan.c's imp_chan_send and receive() treat it: held back while a
 * request waits; refused headers answered and the rest offered again; the bytes after
 * any other event dropped. A request is carried out at once when `carry_out`. */
static void send(struct wv_chan_stream *s, const uint8_t *src, size_t len, int may_command, struct seen *v,
                 int carry_out)
{
    struct wv_frame f;
    if (!len) return;
    if (wv_chan_waiting(s, &f)) { v->held_back++; return; }
    while (len) {
        size_t used = 99999999;
        const char *err = 0;
        enum wv_chan_event ev = wv_chan_take(s, src, len, may_command, &used, &f, &err);
        CHECK(used <= len);
        if (used > len) return;
        src += used; len -= used;
        if (ev == WV_CHAN_TAKEN) { CHECK(len == 0); continue; }
        if (ev == WV_CHAN_REFUSED) { v->refused++; v->last = f; continue; }
        if (ev == WV_CHAN_BAD) { v->bad++; v->err = err; CHECK(err != 0); CHECK(s->in_len == 0); }
        if (ev == WV_CHAN_NOMEM) { v->nomem++; CHECK(s->in_len == 0); }
        if (ev == WV_CHAN_REQUEST) {
            struct wv_frame w;
            const uint8_t *p = wv_chan_waiting(s, &w);
            CHECK(p != 0);
            CHECK(w.command == f.command && w.length == f.length && w.id == f.id);
            v->requests++;
            v->last = w;
            if (p) memcpy(v->payload, p, w.length < sizeof v->payload ? w.length : sizeof v->payload);
            if (carry_out) wv_chan_done(s);
        }
        return;
    }
}

static int payload_is(const struct seen *v, uint32_t len, uint8_t seed)
{
    for (uint32_t i = 0; i < len && i < sizeof v->payload; i++)
        if (v->payload[i] != (uint8_t)(seed + i * 7)) return 0;
    return 1;
}

/* A request cut at every byte, in two and in three sends: seen whole exactly once, when
 * its last byte comes, with the payload as sent. */
static void test_split_everywhere(void)
{
    struct wv_chan_stream s = { 0 };
    uint8_t b[64];
    size_t n = request(b, 2, 23, 0xa1b2c3d4, 5);
    for (size_t i = 0; i <= n; i++) {
        for (size_t j = i; j <= n; j++) {
            fresh(&s);
            struct seen v = { 0 };
            send(&s, b, i, 1, &v, 0);
            CHECK(v.requests == (i == n));
            send(&s, b + i, j - i, 1, &v, 0);
            CHECK(v.requests == (j == n));
            send(&s, b + j, n - j, 1, &v, 0);
            CHECK(v.requests == 1 && v.refused == 0 && v.bad == 0 && v.held_back == 0);
            CHECK(v.last.command == 2 && v.last.length == 23 && v.last.id == 0xa1b2c3d4 && payload_is(&v, 23, 5));
        }
    }
    /* A byte at a time, a header-only request among them. */
    fresh(&s);
    struct seen v = { 0 };
    n = request(b, 1, 0, 9, 0);
    n += request(b + n, 3, 4, 10, 1);
    for (size_t k = 0; k < n; k++) send(&s, b + k, 1, 1, &v, 1);
    CHECK(v.requests == 2 && v.last.id == 10 && payload_is(&v, 4, 1));
    CHECK(s.in_len == 0);
    fresh(&s);
}

/* A whole request waits until it is carried out: the bytes after it in the same send are
 * not taken as its payload, and later sends add nothing to the input. */
static void test_one_at_a_time(void)
{
    struct wv_chan_stream s = { 0 };
    uint8_t b[128];
    size_t n1 = request(b, 1, 3, 1, 0);
    size_t n2 = request(b + n1, 2, 5, 2, 9);
    struct wv_frame f;
    const char *err = 0;
    size_t used = 0;
    CHECK(wv_chan_take(&s, b, n1 + n2, 1, &used, &f, &err) == WV_CHAN_REQUEST);
    CHECK(used == n1 && f.id == 1 && f.length == 3 && s.in_len == n1);
    size_t cap = s.in_cap;
    for (int k = 0; k < 100; k++) {
        used = 1;
        CHECK(wv_chan_take(&s, b + n1, n2, 1, &used, &f, &err) == WV_CHAN_REQUEST);
        CHECK(used == 0 && f.id == 1);
    }
    CHECK(s.in_len == n1 && s.in_cap == cap);
    CHECK(wv_chan_waiting(&s, &f) == s.in + WV_FRAME_HEADER && f.id == 1);
    wv_chan_done(&s);
    CHECK(wv_chan_waiting(&s, &f) == 0);
    CHECK(wv_chan_take(&s, b + n1, n2, 1, &used, &f, &err) == WV_CHAN_REQUEST && used == n2 && f.id == 2);
    fresh(&s);
}

/* Not a frame: refused at the first wrong byte, nothing held, the next request starts
 * afresh. Lengths over WV_FRAME_MAX are refused on the header, never waited on. */
static void test_bad_frames(void)
{
    struct wv_chan_stream s = { 0 };
    uint8_t b[64];
    struct seen v = { 0 };
    memset(b, 'x', sizeof b);
    send(&s, b, 1, 1, &v, 1);
    CHECK(v.bad == 1 && v.err && strstr(v.err, "magic"));
    send(&s, (const uint8_t *)"WVR", 3, 1, &v, 1);
    CHECK(v.bad == 1 && s.in_len == 3);
    send(&s, (const uint8_t *)"S", 1, 1, &v, 1);        /* an answer's magic is not a request's */
    CHECK(v.bad == 2 && s.in_len == 0);
    size_t n = request(b, 6, 2, 77, 3);
    send(&s, b, n, 1, &v, 0);
    CHECK(v.requests == 1 && v.last.id == 77);
    fresh(&s);

    static const uint32_t lengths[] = { WV_FRAME_MAX + 1, WV_FRAME_MAX + 16, 0x7fffffffu, 0x80000000u, 0xfffffff0u, 0xffffffffu };
    for (int may = 0; may <= 1; may++) {
        for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
            fresh(&s);
            struct seen w = { 0 };
            header(b, 7, lengths[k], 1);
            memset(b + 16, 'z', 32);
            send(&s, b, 48, may, &w, 1);
            /* Bad even from a VM that may not command: no skip of gigabytes is started. */
            CHECK(w.bad == 1 && w.refused == 0 && w.requests == 0 && w.err && strstr(w.err, "4 MiB"));
            CHECK(s.skip == 0 && s.in_len == 0 && biggest <= 4096);
        }
    }
    fresh(&s);
}

/* The largest payload allowed, in chan_send-sized pieces: one request, its bytes intact,
 * the input buffer never asked to be larger than twice the frame. */
static void test_largest_request(void)
{
    struct wv_chan_stream s = { 0 };
    size_t n = WV_FRAME_HEADER + WV_FRAME_MAX;
    uint8_t *b = malloc(n + WV_CHAN_SEND_MAX);
    request(b, 7, WV_FRAME_MAX, 42, 11);
    memset(b + n, 'W', WV_CHAN_SEND_MAX);           /* more after it: not taken */
    struct seen v = { 0 };
    size_t off = 0;
    while (off < n) {
        size_t part = WV_CHAN_SEND_MAX;
        send(&s, b + off, part, 1, &v, 0);
        off += part;
        CHECK(v.requests == (off >= n));
        CHECK(s.in_len == (off >= n ? n : off));
    }
    CHECK(v.requests == 1 && v.last.length == WV_FRAME_MAX && v.last.id == 42 && v.bad == 0);
    struct wv_frame f;
    const uint8_t *p = wv_chan_waiting(&s, &f);
    CHECK(p && !memcmp(p, b + WV_FRAME_HEADER, WV_FRAME_MAX));
    CHECK(biggest <= 2 * n && s.in_cap >= n);
    free(b);
    fresh(&s);
}

/* A VM that may not command: every header refused the moment it is whole, its payload
 * counted off as it comes (never buffered, whatever it contains), and the stream in step
 * again after it; no request of it is ever carried out. */
static void test_refused_vm(void)
{
    struct wv_chan_stream s = { 0 };
    uint8_t b[128];
    size_t n1 = request(b, WV_CMD_STOP, 40, 5, 1);
    /* The payload hides a whole request of its own: it is dropped with the payload. */
    request(b + 16, WV_CMD_STOP, 0, 99, 0);
    size_t n2 = request(b + n1, WV_CMD_RESET, 0, 6, 0);
    size_t n = n1 + n2;
    for (size_t i = 0; i <= n; i++) {
        fresh(&s);
        struct seen v = { 0 };
        send(&s, b, i, 0, &v, 1);
        CHECK(v.refused == (i >= 16) + (i == n));
        send(&s, b + i, n - i, 0, &v, 1);
        CHECK(v.refused == 2 && v.requests == 0 && v.bad == 0 && v.last.id == 6 && v.last.command == WV_CMD_RESET);
        CHECK(s.in_len == 0 && s.skip == 0);
    }
    /* The header alone, a byte at a time: refused at its 16th byte, not before. */
    fresh(&s);
    struct seen v = { 0 };
    for (size_t k = 0; k < 16; k++) {
        CHECK(v.refused == 0);
        send(&s, b + k, 1, 0, &v, 1);
    }
    CHECK(v.refused == 1 && v.last.id == 5 && s.skip == 40);

    /* The largest payload, full of request headers, in chan_send-sized pieces: the
     * input never grows past the first buffer, nothing in it is seen as a request. */
    fresh(&s);
    uint8_t *big = malloc(WV_CHAN_SEND_MAX);
    for (size_t k = 0; k + 16 <= WV_CHAN_SEND_MAX; k += 16) request(big + k, WV_CMD_UPDATE, 0, (uint32_t)k, 0);
    header(b, WV_CMD_UPDATE, WV_FRAME_MAX, 1);
    struct seen w = { 0 };
    send(&s, b, 16, 0, &w, 1);
    CHECK(w.refused == 1 && s.skip == WV_FRAME_MAX);
    for (uint32_t sent = 0; sent < WV_FRAME_MAX; sent += WV_CHAN_SEND_MAX) {
        send(&s, big, WV_CHAN_SEND_MAX, 0, &w, 1);
        CHECK(s.skip == WV_FRAME_MAX - sent - WV_CHAN_SEND_MAX && s.in_len == 0);
    }
    CHECK(w.refused == 1 && w.requests == 0 && w.bad == 0 && biggest <= 4096);
    /* Its next header is judged as a header again. */
    send(&s, big, 16, 0, &w, 1);
    CHECK(w.refused == 2 && s.skip == 0);
    free(big);

    /* A header-only request of such a VM is refused too, not carried out. */
    fresh(&s);
    struct wv_frame f;
    const char *err = 0;
    size_t used = 0;
    request(b, WV_CMD_LIST, 0, 3, 0);
    CHECK(wv_chan_take(&s, b, 16, 0, &used, &f, &err) == WV_CHAN_REFUSED && used == 16 && f.id == 3);
    CHECK(wv_chan_waiting(&s, &f) == 0);
    fresh(&s);
}

/* Seeded random streams (frames, garbage, pieces of both): a VM that may not command never
 * gets a request through nor holds more than a header; the management VM's requests are
 * within bounds; every byte offered is accounted for. */
static uint32_t seed = 0x5eed;
static uint32_t rnd(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
}

static void test_random_streams(void)
{
    for (int may = 0; may <= 1; may++) {
        struct wv_chan_stream s = { 0 };
        fresh(&s);
        uint8_t buf[512];
        struct seen v = { 0 };
        for (int round = 0; round < 40000; round++) {
            size_t n = 0;
            while (n < 200) {
                uint32_t r = rnd();
                if (r % 4 == 0) {
                    uint32_t len = rnd() % 64;
                    if (rnd() % 16 == 0) len = WV_FRAME_MAX + 1 + (rnd() << 7);    /* too long */
                    uint8_t h[16 + 64];
                    request(h, (uint16_t)rnd(), len < 64 ? len : 0, rnd(), (uint8_t)r);
                    header(h, (uint16_t)rnd(), len, rnd());
                    size_t hl = 16 + (len < 64 ? len : 0);
                    memcpy(buf + n, h, hl);
                    n += hl;
                } else {
                    buf[n++] = (uint8_t)r;
                }
            }
            size_t at = 0;
            while (at < n) {
                size_t part = 1 + rnd() % 64;
                if (part > n - at) part = n - at;
                send(&s, buf + at, part, may, &v, 1);
                at += part;
                CHECK(may || s.in_len <= WV_FRAME_HEADER);
                CHECK(s.in_len <= WV_FRAME_HEADER + WV_FRAME_MAX && s.skip <= WV_FRAME_MAX);
            }
            if (failures) return;
        }
        CHECK(may ? v.requests > 100 : v.requests == 0);
        CHECK(may ? v.refused == 0 : v.refused > 100);
        CHECK(v.bad > 100 && v.held_back == 0);
        CHECK(biggest <= 2 * (WV_FRAME_HEADER + WV_FRAME_MAX));
        fresh(&s);
    }
}

/* Answers: laid out as frames; bounded by WV_CHAN_OUT_MAX exactly; one "dropped" notice
 * until an answer fits again; lengths that would wrap a sum refused, not queued. */
static void test_answers(void)
{
    struct wv_chan_stream s = { 0 };
    int tell = 7;
    CHECK(wv_chan_answer(&s, WV_CMD_INFO, WV_ST_OK, 0x01020304, "hello", 5, &tell) == WV_CHAN_QUEUED && tell == 0);
    static const uint8_t want[21] = { 'W', 'V', 'R', 'S', 2, 0, 0, 0, 5, 0, 0, 0, 4, 3, 2, 1, 'h', 'e', 'l', 'l', 'o' };
    CHECK(s.out_len == 21 && !memcmp(s.out, want, 21));
    CHECK(wv_chan_answer(&s, 0, WV_ST_BAD_REQUEST, 0, 0, 0, &tell) == WV_CHAN_QUEUED && s.out_len == 37);
    /* The guest takes part of the first answer: what is left stays in order. */
    wv_chan_taken(&s, 3);
    CHECK(s.out_len == 34 && s.out[0] == 'S' && !memcmp(s.out + 18, "WVRS", 4));
    wv_chan_taken(&s, 1000);                /* more than there is: all of it, no more */
    CHECK(s.out_len == 0);
    wv_chan_taken(&s, 5);
    CHECK(s.out_len == 0);

    /* Exactly the bound fits; one byte more does not. */
    fresh(&s);
    char *text = malloc(WV_CHAN_OUT_MAX);
    memset(text, 'a', WV_CHAN_OUT_MAX);
    CHECK(wv_chan_answer(&s, 1, 0, 1, text, WV_CHAN_OUT_MAX - WV_FRAME_HEADER + 1, &tell) == WV_CHAN_DROPPED_FULL && tell == 1);
    CHECK(s.out_len == 0);
    CHECK(wv_chan_answer(&s, 1, 0, 1, text, WV_CHAN_OUT_MAX - WV_FRAME_HEADER, &tell) == WV_CHAN_QUEUED && tell == 0);
    CHECK(s.out_len == WV_CHAN_OUT_MAX && s.out_cap <= WV_CHAN_OUT_MAX);
    /* Full: dropped, said once however many follow. */
    CHECK(wv_chan_answer(&s, 1, 0, 2, "", 0, &tell) == WV_CHAN_DROPPED_FULL && tell == 1);
    for (int k = 0; k < 1000; k++) {
        CHECK(wv_chan_answer(&s, 1, 0, 3, "x", 1, &tell) == WV_CHAN_DROPPED_FULL && tell == 0);
        if (failures) break;
    }
    CHECK(s.out_len == WV_CHAN_OUT_MAX);
    /* The guest reads some: an answer that fits goes in, and the next drop is said again. */
    wv_chan_taken(&s, WV_FRAME_HEADER + 1);
    CHECK(wv_chan_answer(&s, 1, 0, 4, "yy", 2, &tell) == WV_CHAN_DROPPED_FULL && tell == 0);
    CHECK(wv_chan_answer(&s, 1, 0, 4, "y", 1, &tell) == WV_CHAN_QUEUED && tell == 0);
    CHECK(s.out_len == WV_CHAN_OUT_MAX && !memcmp(s.out + WV_CHAN_OUT_MAX - 17, "WVRS", 4) && s.out[WV_CHAN_OUT_MAX - 1] == 'y');
    CHECK(wv_chan_answer(&s, 1, 0, 5, "", 0, &tell) == WV_CHAN_DROPPED_FULL && tell == 1);
    CHECK(biggest <= WV_CHAN_OUT_MAX);

    /* Lengths whose sum with the queue and the header would wrap to something small. */
    fresh(&s);
    CHECK(wv_chan_answer(&s, 1, 0, 1, "abc", 3, &tell) == WV_CHAN_QUEUED);
    const size_t huge[] = { SIZE_MAX, SIZE_MAX - 15, SIZE_MAX - 15 - 19, SIZE_MAX - 15 - 19 + 1, (size_t)1 << 63,
                            (size_t)WV_CHAN_OUT_MAX + 1 };
    for (size_t k = 0; k < sizeof huge / sizeof huge[0]; k++) {
        CHECK(wv_chan_answer(&s, 1, 0, 9, text, huge[k], &tell) == WV_CHAN_DROPPED_FULL);
        CHECK(s.out_len == 19);
    }
    free(text);
    fresh(&s);
}

/* No memory: the request or answer is dropped whole and the stream goes on. */
static void test_out_of_memory(void)
{
    struct wv_chan_stream s = { 0 };
    uint8_t b[64];
    size_t n = request(b, 2, 4, 8, 0);
    struct seen v = { 0 };
    allocs_left = 0;
    send(&s, b, n, 1, &v, 1);
    CHECK(v.nomem == 1 && v.requests == 0 && s.in_len == 0 && s.in == 0);
    allocs_left = -1;
    send(&s, b, n, 1, &v, 1);
    CHECK(v.requests == 1 && v.last.id == 8);
    fresh(&s);

    /* The buffer has room for the header; growing it for a larger payload fails. */
    uint8_t *big = malloc(16 + 10000);
    request(big, 2, 10000, 9, 0);
    allocs_left = 1;
    struct seen w = { 0 };
    send(&s, big, 16 + 10000, 1, &w, 1);
    CHECK(w.nomem == 1 && s.in_len == 0 && s.in_cap == 4096);
    free(big);

    int tell = 0;
    allocs_left = 0;
    CHECK(wv_chan_answer(&s, 1, 0, 1, "abc", 3, &tell) == WV_CHAN_DROPPED_NOMEM && tell == 0);
    CHECK(s.out_len == 0 && s.out_full_told == 0);
    allocs_left = -1;
    CHECK(wv_chan_answer(&s, 1, 0, 1, "abc", 3, &tell) == WV_CHAN_QUEUED && s.out_len == 19);
    fresh(&s);
}

static void test_send_len(void)
{
    CHECK(wv_chan_send_len_ok(0) && wv_chan_send_len_ok(1) && wv_chan_send_len_ok((int32_t)WV_CHAN_SEND_MAX));
    CHECK(!wv_chan_send_len_ok((int32_t)WV_CHAN_SEND_MAX + 1));
    CHECK(!wv_chan_send_len_ok(-1) && !wv_chan_send_len_ok(INT32_MIN) && !wv_chan_send_len_ok(INT32_MAX));
}

int main(void)
{
    test_split_everywhere();
    test_one_at_a_time();
    test_bad_frames();
    test_largest_request();
    test_refused_vm();
    test_random_streams();
    test_answers();
    test_out_of_memory();
    test_send_len();
    if (failures) { printf("%d failure(s)\n", failures); return 1; }
    printf("chan_stream: all checks passed\n");
    return 0;
}
