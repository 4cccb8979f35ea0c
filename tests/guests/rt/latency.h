/* Minimum, maximum and sum of a run of latency samples, in counter ticks. */
#ifndef RT_LATENCY_H
#define RT_LATENCY_H

#include <stdint.h>

struct latency_stats {
    uint64_t min;
    uint64_t max;
    uint64_t sum;
    uint64_t count;
};

void latency_reset(struct latency_stats *s);
void latency_add(struct latency_stats *s, uint64_t ticks);

/* The rounded mean of the samples in ns (0 for none); `freq` as in convert.h. */
uint64_t latency_avg_ns(const struct latency_stats *s, uint64_t freq);

#endif
