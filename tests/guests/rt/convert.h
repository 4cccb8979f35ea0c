/* Conversions between microseconds, counter ticks and nanoseconds. `freq` is
 * CNTFRQ_EL0: non-zero (the guest stops first otherwise) and below 2^32 (bits
 * [63:32] are RES0), which is what keeps the products below from overflowing. */
#ifndef RT_CONVERT_H
#define RT_CONVERT_H

#include <stdint.h>

#include "config.h"

/* Rounded; us <= 1 s keeps freq * us below 2^62. */
static inline uint64_t us_to_ticks(uint64_t us, uint64_t freq)
{
    return (freq * us + RT_US_PER_SECOND / 2) / RT_US_PER_SECOND;
}

/* Rounded. ticks = q * freq + r with r < freq < 2^32, so r * 1e9 < 2^62: whole seconds
 * and the remainder separately, with no 128-bit arithmetic (and so no libgcc). */
static inline uint64_t ticks_to_ns(uint64_t ticks, uint64_t freq)
{
    uint64_t q = ticks / freq, r = ticks % freq;
    return q * RT_NS_PER_SECOND + (r * RT_NS_PER_SECOND + freq / 2) / freq;
}

#endif
