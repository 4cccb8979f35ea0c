/* Host tests of the management protocol's frames (runtime-c/core/mgmt_frame.c): the
 * scanner sees requests whole, waits for the rest of a partial one, refuses garbage at
 * once; plus a seeded run of random bytes that must never be taken for more than they are. */
#include "wv_mgmt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static size_t request(uint8_t *b, uint16_t cmd, uint32_t len, uint32_t id)
{
    memcpy(b, "WVRQ", 4);
    b[4] = (uint8_t)cmd; b[5] = (uint8_t)(cmd >> 8); b[6] = 0; b[7] = 0;
    for (int i = 0; i < 4; i++) { b[8 + i] = (uint8_t)(len >> (8 * i)); b[12 + i] = (uint8_t)(id >> (8 * i)); }
    for (uint32_t i = 0; i < len; i++) b[16 + i] = (uint8_t)('a' + i % 26);
    return 16 + len;
}

static void test_whole_and_partial(void)
{
    uint8_t b[64];
    size_t n = request(b, WV_CMD_INFO, 3, 0x01020304);
    struct wv_frame f;
    const char *err = 0;
    for (size_t k = 0; k < n; k++) CHECK(wv_frame_scan(b, k, &f, &err) == 0);
    CHECK(wv_frame_scan(b, n, &f, &err) == 1);
    CHECK(f.command == WV_CMD_INFO && f.length == 3 && f.id == 0x01020304 && f.flags == 0);
    /* Bytes after a whole request do not change the answer. */
    CHECK(wv_frame_scan(b, n + 5, &f, &err) == 1);
    n = request(b, WV_CMD_LIST, 0, 7);
    CHECK(wv_frame_scan(b, n, &f, &err) == 1 && f.length == 0);
}

static void test_refusals(void)
{
    uint8_t b[64];
    struct wv_frame f;
    const char *err = 0;
    request(b, WV_CMD_LIST, 0, 1);
    b[0] = 'X';
    CHECK(wv_frame_scan(b, 1, &f, &err) == -1 && err && strstr(err, "magic"));
    request(b, WV_CMD_LIST, 0, 1);
    b[3] = 'S';                     /* an answer's magic is not a request */
    err = 0;
    CHECK(wv_frame_scan(b, 4, &f, &err) == -1 && err);
    request(b, WV_CMD_UPDATE, 0, 1);
    uint32_t big = WV_FRAME_MAX + 1;
    for (int i = 0; i < 4; i++) b[8 + i] = (uint8_t)(big >> (8 * i));
    err = 0;
    CHECK(wv_frame_scan(b, 16, &f, &err) == -1 && err && strstr(err, "4 MiB"));
    for (int i = 0; i < 4; i++) b[8 + i] = (uint8_t)(WV_FRAME_MAX >> (8 * i));
    CHECK(wv_frame_scan(b, 16, &f, &err) == 0);     /* the largest allowed waits for its bytes */
}

static void test_answer_header(void)
{
    uint8_t h[WV_FRAME_HEADER];
    wv_frame_answer(h, WV_CMD_VERSION, WV_ST_UPDATE, 0x00a1b2c3, 0xdeadbeef);
    static const uint8_t want[16] = { 'W', 'V', 'R', 'S', 6, 0, 5, 0, 0xc3, 0xb2, 0xa1, 0, 0xef, 0xbe, 0xad, 0xde };
    CHECK(!memcmp(h, want, 16));
}

/* Random bytes: a scan answers 1 only for a real header whose payload is all there. */
static void test_random(void)
{
    uint32_t seed = 12345;
    uint8_t b[96];
    for (int round = 0; round < 200000; round++) {
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        if (seed >> 28 < 8) { memcpy(b, "WVRQ", 4); n = 4; }
        size_t len = (seed >> 8) % sizeof b;
        for (; n < len; n++) { seed = seed * 1103515245u + 12345u; b[n] = (uint8_t)(seed >> 16); }
        if (len > 11 && (seed & 1)) { b[9] = b[10] = b[11] = 0; b[8] &= 0x3f; }
        struct wv_frame f;
        const char *err = 0;
        int r = wv_frame_scan(b, len, &f, &err);
        if (r == 1) {
            CHECK(len >= 16 && !memcmp(b, "WVRQ", 4) && f.length <= len - 16);
        } else if (r == -1) {
            CHECK(err != 0);
        } else {
            CHECK(r == 0);
        }
        if (failures) return;
    }
}

int main(void)
{
    test_whole_and_partial();
    test_refusals();
    test_answer_header();
    test_random();
    if (failures) { printf("%d failure(s)\n", failures); return 1; }
    printf("test_mgmt_frame: all passed\n");
    return 0;
}
