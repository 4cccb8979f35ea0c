/* See wv_ratelimit.h. */
#include "wv_ratelimit.h"

int wv_ratelimit_ok(struct wv_ratelimit *r, uint64_t now, uint64_t interval, uint64_t *held)
{
    /* Unsigned difference: right across a counter wrap as well. */
    if (r->started && now - r->last < interval) {
        r->held++;
        return 0;
    }
    *held = r->held;
    r->held = 0;
    r->last = now;
    r->started = 1;
    return 1;
}
