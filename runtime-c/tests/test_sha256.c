/* Host test of SHA-256 (runtime-c/core/sha256.c): the FIPS 180-2 example vectors
 * (appendix B: "abc", the 448-bit message, one million 'a'), the empty message, and
 * the same digests when the message is fed in pieces of every size up to 130 bytes. */
#include "wv_sha256.h"
#include <stdio.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static void hex(const uint8_t *d, char *out)
{
    for (int i = 0; i < 32; i++) sprintf(out + 2 * i, "%02x", d[i]);
}

static int digest_is(const void *msg, size_t len, const char *want)
{
    uint8_t d[32];
    char got[65];
    wv_sha256(msg, len, d);
    hex(d, got);
    if (strcmp(got, want)) { printf("  got  %s\n  want %s\n", got, want); return 0; }
    return 1;
}

int main(void)
{
    /* FIPS 180-2, appendix B.1, B.2, B.3. */
    CHECK(digest_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    const char *b2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK(digest_is(b2, strlen(b2), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    static uint8_t million[1000000];
    memset(million, 'a', sizeof million);
    CHECK(digest_is(million, sizeof million, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    CHECK(digest_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));

    /* Fed in pieces: every piece size, over messages that end on and around a block and
     * the padding's boundary (55, 56, 63, 64 bytes...). */
    for (size_t len = 0; len <= 130; len++) {
        uint8_t msg[130], one[32], pieces[32];
        for (size_t i = 0; i < len; i++) msg[i] = (uint8_t)(i * 7 + len);
        wv_sha256(msg, len, one);
        for (size_t piece = 1; piece <= len + 1; piece++) {
            struct wv_sha256 s;
            wv_sha256_init(&s);
            for (size_t at = 0; at < len; at += piece)
                wv_sha256_update(&s, msg + at, len - at < piece ? len - at : piece);
            wv_sha256_final(&s, pieces);
            if (memcmp(one, pieces, 32)) { printf("FAIL: length %zu in pieces of %zu\n", len, piece); failures++; }
        }
    }
    /* The million in uneven pieces. */
    struct wv_sha256 s;
    uint8_t d[32];
    char got[65];
    wv_sha256_init(&s);
    for (size_t at = 0, piece = 1; at < sizeof million; at += piece, piece = piece * 3 % 1000 + 1)
        wv_sha256_update(&s, million + at, sizeof million - at < piece ? sizeof million - at : piece);
    wv_sha256_final(&s, d);
    hex(d, got);
    CHECK(!strcmp(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));

    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures != 0;
}
