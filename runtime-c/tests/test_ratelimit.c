/* runtime-c/core/ratelimit.c: the first message goes out, then at most one per interval,
 * each saying how many were held back before it. */
#include "wv_ratelimit.h"
#include <stdio.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

int main(void)
{
    struct wv_ratelimit r = { 0 };
    uint64_t held = 99;
    CHECK(wv_ratelimit_ok(&r, 1000, 100, &held) == 1 && held == 0);    /* the first one */
    for (uint64_t t = 1001; t < 1100; t++) CHECK(wv_ratelimit_ok(&r, t, 100, &held) == 0);
    CHECK(wv_ratelimit_ok(&r, 1100, 100, &held) == 1 && held == 99);   /* one interval on */
    CHECK(wv_ratelimit_ok(&r, 1150, 100, &held) == 0);
    CHECK(wv_ratelimit_ok(&r, 5000, 100, &held) == 1 && held == 1);
    /* A counter that wraps between two messages. */
    struct wv_ratelimit w = { 0 };
    CHECK(wv_ratelimit_ok(&w, UINT64_MAX - 10, 100, &held) == 1);
    CHECK(wv_ratelimit_ok(&w, 20, 100, &held) == 0);                  /* 31 ticks later */
    CHECK(wv_ratelimit_ok(&w, 95, 100, &held) == 1 && held == 1);     /* 106 ticks later */
    /* A first occurrence at counter 0 goes out too. */
    struct wv_ratelimit z = { 0 };
    CHECK(wv_ratelimit_ok(&z, 0, 100, &held) == 1 && held == 0);
    CHECK(wv_ratelimit_ok(&z, 1, 100, &held) == 0);
    if (failures) { printf("%d failure(s)\n", failures); return 1; }
    printf("ratelimit: all checks passed\n");
    return 0;
}
