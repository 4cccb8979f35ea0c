/* guest-cache's tunables. The round counts can be set at build time
 * (-DCACHE_LINE_ROUNDS=..., -DCACHE_WHOLE_ROUNDS=...). */
#ifndef WV_CACHE_CONFIG_H
#define WV_CACHE_CONFIG_H

/* The buffer the by-line operations walk: the first 64 KiB of the pattern area above
 * the image (guest.lds), 1,024 lines of 64 bytes on a Cortex-A72. */
#define CACHE_BUFFER_SIZE   (64u * 1024u)

/* Rounds of each by-line loop (each a whole walk of the buffer) and of each
 * whole-cache or whole-TLB loop. */
#ifndef CACHE_LINE_ROUNDS
#define CACHE_LINE_ROUNDS   100u
#endif
#ifndef CACHE_WHOLE_ROUNDS
#define CACHE_WHOLE_ROUNDS  20000u
#endif
/* Rounds of each loop run once before it is timed. */
#define CACHE_WARMUP_ROUNDS 2u

/* WV_HC_REPORT ids: ns per operation of each class, in the order main.c runs them. */
#define CACHE_METRIC_FIRST  30u

#define CACHE_NS_PER_SECOND 1000000000ull

#endif
