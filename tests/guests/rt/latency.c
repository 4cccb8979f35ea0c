#include "latency.h"
#include "convert.h"

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

uint64_t latency_avg_ns(const struct latency_stats *s, uint64_t freq)
{
    if (s->count == 0)
        return 0;
    return (ticks_to_ns(s->sum, freq) + s->count / 2) / s->count;
}
