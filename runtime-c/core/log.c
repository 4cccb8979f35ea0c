/* The hypervisor's recent messages, for `wvctl log`: every line wv_printf writes also
 * goes into a ring of the last WV_LOG_BYTES bytes. Guests' console lines do not. */
#include "wv_mgmt.h"
#include "wv_lock.h"
#include <string.h>

#define WV_LOG_BYTES    8192u

static struct {
    wv_spinlock_t lock;
    char buf[WV_LOG_BYTES];
    size_t head;        /* next byte written */
    size_t used;
} ring;

void wv_log_append(const char *s, size_t len)
{
    if (len > WV_LOG_BYTES) { s += len - WV_LOG_BYTES; len = WV_LOG_BYTES; }
    wv_lock(&ring.lock);
    for (size_t i = 0; i < len; i++) {
        ring.buf[ring.head] = s[i];
        ring.head = (ring.head + 1) % WV_LOG_BYTES;
    }
    ring.used = ring.used + len > WV_LOG_BYTES ? WV_LOG_BYTES : ring.used + len;
    wv_unlock(&ring.lock);
}

size_t wv_log_copy(char *dst, size_t cap)
{
    wv_lock(&ring.lock);
    size_t n = ring.used < cap ? ring.used : cap;
    size_t start = (ring.head + WV_LOG_BYTES - n) % WV_LOG_BYTES;
    for (size_t i = 0; i < n; i++) dst[i] = ring.buf[(start + i) % WV_LOG_BYTES];
    wv_unlock(&ring.lock);
    /* Start at a whole line when the ring has wrapped. */
    size_t skip = 0;
    if (n == WV_LOG_BYTES) {
        while (skip < n && dst[skip] != '\n') skip++;
        if (skip < n) skip++;
        memmove(dst, dst + skip, n - skip);
    }
    return n - skip;
}
