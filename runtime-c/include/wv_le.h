/* Little-endian integers in byte buffers (frames, file headers, records): the
 * runtime's wire formats are little-endian whatever the build's alignment rules. */
#ifndef WV_LE_H
#define WV_LE_H
#include <stdint.h>

static inline uint32_t wv_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t wv_get64(const uint8_t *p)
{
    return (uint64_t)wv_get32(p) | (uint64_t)wv_get32(p + 4) << 32;
}

static inline void wv_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static inline void wv_put64(uint8_t *p, uint64_t v)
{
    wv_put32(p, (uint32_t)v);
    wv_put32(p + 4, (uint32_t)(v >> 32));
}

#endif
