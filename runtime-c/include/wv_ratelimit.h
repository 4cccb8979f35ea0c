/* Rate limits for the hypervisor's own messages: a guest that makes the same mistake
 * thousands of times a second must not make the hypervisor print thousands of lines (the
 * physical console is slow and shared by every CPU). Pure: host-tested
 * (runtime-c/tests/test_ratelimit.c). */
#ifndef WV_RATELIMIT_H
#define WV_RATELIMIT_H
#include <stdint.h>

struct wv_ratelimit {
    uint64_t last;              /* counter value when a message was last let through */
    uint64_t held;              /* messages held back since */
    uint32_t started;           /* one message was let through already */
};

/* One more occurrence at counter value `now`: 1 when its message may be printed (the
 * first one, then at most one per `interval` ticks), with *held set to how many were held
 * back since the last one printed (the message should say so); 0 when this one is held. */
int wv_ratelimit_ok(struct wv_ratelimit *r, uint64_t now, uint64_t interval, uint64_t *held);

#endif
