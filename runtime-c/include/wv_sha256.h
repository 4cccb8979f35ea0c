/* SHA-256 (FIPS 180-4, section 6.2): the digest a native part names the .wasm it was
 * translated from by (wv_native_abi.h). Monocypher has SHA-512 only. Pure C, host-tested
 * against the FIPS 180-2 example vectors (runtime-c/tests/test_sha256.c). */
#ifndef WV_SHA256_H
#define WV_SHA256_H
#include <stdint.h>
#include <stddef.h>

#define WV_SHA256_BYTES 32

struct wv_sha256 {
    uint32_t h[8];
    uint64_t total;         /* bytes hashed so far */
    uint8_t block[64];
    uint32_t fill;          /* bytes in `block` */
};

void wv_sha256_init(struct wv_sha256 *s);
void wv_sha256_update(struct wv_sha256 *s, const void *data, size_t len);
void wv_sha256_final(struct wv_sha256 *s, uint8_t out[WV_SHA256_BYTES]);
/* The digest of one buffer. */
void wv_sha256(const void *data, size_t len, uint8_t out[WV_SHA256_BYTES]);

#endif
