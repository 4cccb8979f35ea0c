/* The fuzz guest's random numbers: splitmix64 turns the seed into the state (so that
 * seeds 1, 2, 3 start far apart), xorshift64* draws (Vigna, "An experimental
 * exploration of Marsaglia's xorshift generators, scrambled", 2016). Fast, no
 * division, one state word: each vCPU keeps its own. */
#ifndef FUZZ_PRNG_H
#define FUZZ_PRNG_H
#include <stdint.h>

static inline uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

struct prng { uint64_t s; };

static inline void prng_seed(struct prng *p, uint64_t seed)
{
    p->s = splitmix64(seed);
    if (p->s == 0)
        p->s = 1;                   /* xorshift's one forbidden state */
}

static inline uint64_t prng_next(struct prng *p)
{
    uint64_t x = p->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    p->s = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* 0..n-1 (n > 0), by the high bits: a multiply, no division (Lemire's reduction). */
static inline uint32_t prng_below(struct prng *p, uint32_t n)
{
    return (uint32_t)(((prng_next(p) >> 32) * (uint64_t)n) >> 32);
}

#endif
