#include "latency.h"
#include "config.h"

void latency_reset(struct latency_stats *s)
{
    s->min = UINT64_MAX;
    s->max = 0;
    s->sum = 0;
    s->count = 0;
}

void latency_add(struct latency_stats *s, uint64_t ticks)
{
    if (ticks < s->min)
        s->min = ticks;
    if (ticks > s->max)
        s->max = ticks;
    s->sum += ticks;
    s->count++;
}

/* ticks = q * freq + r with r < freq < 2^32, so r * 1e9 < 2^62: whole seconds and
 * the remainder separately, with no 128-bit arithmetic (and so no libgcc). */
uint64_t ticks_to_ns(uint64_t ticks, uint64_t freq)
{
    uint64_t q = ticks / freq, r = ticks % freq;
    return q * RT_NS_PER_SECOND + (r * RT_NS_PER_SECOND + freq / 2) / freq;
}

uint64_t latency_avg_ns(const struct latency_stats *s, uint64_t freq)
{
    if (s->count == 0)
        return 0;
    return (ticks_to_ns(s->sum, freq) + s->count / 2) / s->count;
}
