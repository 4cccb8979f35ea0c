/* LEB128 as the WebAssembly binary format allows it (WebAssembly 1.0, 5.2.2 "Integers"):
 * a number of `bits` bits (32, 33 or 64) takes at most ceil(bits / 7) bytes, and the
 * unused bits of the last possible byte are zero (unsigned) or copies of the sign bit
 * (signed). Shared by every reader of .wasm bytes in the runtime (module_check.c,
 * wasm_interface.c), so that they accept exactly the same encodings. Pure; host-tested
 * through both. */
#ifndef WV_LEB_H
#define WV_LEB_H
#include <stdint.h>

#define WV_LEB_OK           0
#define WV_LEB_TRUNCATED    1   /* the bytes end inside the number */
#define WV_LEB_MALFORMED    2   /* longer than allowed, or unused bits set */

/* Decode the number at *p (not past `end`) into *out and move *p past it. */
static inline int wv_leb_read(const uint8_t **p, const uint8_t *end, unsigned bits, int is_signed, uint64_t *out)
{
    unsigned max = (bits + 6) / 7;
    uint64_t v = 0;
    for (unsigned i = 0; i < max; i++) {
        if (*p >= end) return WV_LEB_TRUNCATED;
        uint8_t b = *(*p)++, payload = b & 0x7f;
        if (i == max - 1) {
            unsigned used = bits - 7 * i;               /* 1 to 7 bits of the last byte count */
            uint8_t rest = (uint8_t)(payload >> (is_signed ? used - 1 : used));
            if (b & 0x80 || (rest != 0 && (!is_signed || rest != 0x7f >> (used - 1)))) return WV_LEB_MALFORMED;
        }
        v |= (uint64_t)payload << (7 * i);
        if (!(b & 0x80)) {
            if (is_signed && payload & 0x40 && 7 * (i + 1) < 64) v |= ~0ull << (7 * (i + 1));
            break;
        }
    }
    *out = v;
    return WV_LEB_OK;
}

#endif
