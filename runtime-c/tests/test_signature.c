/* Host tests of runtime-c/core/signature.c: the Ed25519 check against RFC 8032's own
 * test vectors (section 7.1) and against a module file made by tools/sign (Node's
 * crypto), then every refusal of the .wvm parser. */
#include "wv_signature.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = strlen(h) / 2;
    if (n > cap) { printf("FAIL: test vector longer than %zu bytes\n", cap); exit(1); }
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(h + 2 * i, "%2x", &v) != 1) { printf("FAIL: bad hex in a test vector\n"); exit(1); }
        out[i] = (uint8_t)v;
    }
    return n;
}

/* RFC 8032 section 7.1, "Test Vectors for Ed25519": public key, message, signature. */
struct vector { const char *name, *pub, *msg, *sig; };
static const struct vector rfc8032[] = {
    { "TEST 1",
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
      "",
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
    { "TEST 2",
      "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
      "72",
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
    { "TEST 3",
      "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
      "af82",
      "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
    { "TEST SHA(abc)",
      "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
      /* the message is SHA-512("abc") */
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
      "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704" },
};
#define NVEC (sizeof rfc8032 / sizeof rfc8032[0])

/* The group order L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 5.1),
 * little-endian. */
static const uint8_t order_l[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
};

static void test_rfc8032(void)
{
    for (size_t v = 0; v < NVEC; v++) {
        uint8_t pub[32], msg[65] = { 0 }, sig[64], other[32];   /* msg: room for "one byte more" */
        CHECK(unhex(rfc8032[v].pub, pub, 32) == 32);
        size_t len = unhex(rfc8032[v].msg, msg, 64);
        CHECK(unhex(rfc8032[v].sig, sig, 64) == 64);
        int ok = wv_signature_check(msg, len, sig, pub) == 0;
        if (!ok) printf("FAIL: RFC 8032 %s refused\n", rfc8032[v].name);
        CHECK(ok);

        if (len) {                                      /* a flipped message bit */
            for (size_t bit = 0; bit < len * 8; bit += 7) {
                msg[bit / 8] ^= (uint8_t)(1u << bit % 8);
                CHECK(wv_signature_check(msg, len, sig, pub) != 0);
                msg[bit / 8] ^= (uint8_t)(1u << bit % 8);
            }
            CHECK(wv_signature_check(msg, len - 1, sig, pub) != 0);   /* a shortened message */
        }
        CHECK(wv_signature_check(msg, len + 1, sig, pub) != 0);       /* one byte more */
        for (size_t bit = 0; bit < 512; bit += 5) {     /* a flipped signature bit, in R and in S */
            sig[bit / 8] ^= (uint8_t)(1u << bit % 8);
            CHECK(wv_signature_check(msg, len, sig, pub) != 0);
            sig[bit / 8] ^= (uint8_t)(1u << bit % 8);
        }
        /* S + L: the same point equation, but RFC 8032 5.1.7 requires S < L (no malleability). */
        uint8_t big[64];
        memcpy(big, sig, 64);
        unsigned carry = 0;
        for (int i = 0; i < 32; i++) {
            carry += big[32 + i] + order_l[i];
            big[32 + i] = (uint8_t)carry;
            carry >>= 8;
        }
        CHECK(wv_signature_check(msg, len, big, pub) != 0);
        CHECK(unhex(rfc8032[(v + 1) % NVEC].pub, other, 32) == 32);   /* a wrong key */
        CHECK(wv_signature_check(msg, len, sig, other) != 0);
        pub[0] ^= 1;
        CHECK(wv_signature_check(msg, len, sig, pub) != 0);
        pub[0] ^= 1;
        CHECK(wv_signature_check(msg, len, sig, pub) == 0);              /* and restored, valid again */
        CHECK(wv_signature_check(msg, len, 0, pub) != 0);
        CHECK(wv_signature_check(msg, len, sig, 0) != 0);
    }
}

/* A module file made by `tools/sign` (signModule, Node's crypto) with a key made for
 * this test alone: its public key and the file (a 23-byte wasm module). */
static const uint8_t node_pub[32] =
    "\xd4\x3f\x35\xc3\xc5\x9d\x05\x1a\x1e\x38\x99\x66\xa7\xa6\xba\xf6"
    "\x4b\xcf\xe8\xcc\xa6\x86\x28\xb4\xce\xa6\x3a\xbf\x88\x8b\xb5\xf4";
static const uint8_t node_wvm[103] =
    "\x57\x56\x4d\x4f\x44\x00\x31\x0a\x17\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x61\x73\x6d\x01\x00\x00\x00\x00\x0d\x08\x77\x76\x6d\x2d\x74"
    "\x65\x73\x74\x6e\x6f\x64\x65\xa7\x9d\xfb\x6a\x5b\x84\x1f\x6e\x83"
    "\x9b\xc8\xb1\x62\x09\x35\x86\x87\x97\x32\xbf\x14\x10\x95\xfc\x9a"
    "\xa6\x0d\x94\x3d\x41\x7f\x91\xd5\xfd\x2b\x82\x81\x21\xcd\xec\x67"
    "\x59\x78\x40\x8b\x32\x42\x89\x35\xd1\x32\x31\x1a\x3f\xe3\x5c\x0d"
    "\x19\xfc\x4b\x39\x2c\x44\x0b";

static void test_node_signed(void)
{
    const uint8_t *wasm, *native, *sig;
    size_t n, m;
    const char *err = 0;
    CHECK(wv_module_file_parse(node_wvm, sizeof node_wvm, &wasm, &n, &native, &m, &sig, &err) == 0);
    CHECK(wasm == node_wvm + 16 && n == 23 && sig == node_wvm + 16 + 23 && native == 0 && m == 0);
    CHECK(sig && wv_signature_check(node_wvm, 16 + n, sig, node_pub) == 0);
    uint8_t copy[sizeof node_wvm];
    for (size_t i = 0; i < sizeof copy; i++) {          /* every byte is covered: header, wasm, signature */
        memcpy(copy, node_wvm, sizeof copy);
        copy[i] ^= 0x40;
        if (wv_module_file_parse(copy, sizeof copy, &wasm, &n, &native, &m, &sig, &err) != 0) continue;
        CHECK(wv_signature_check(copy, (size_t)(sig - copy), sig, node_pub) != 0);
    }
}

static uint8_t *module_file(uint32_t n, size_t *len)
{
    *len = 16 + (size_t)n + 64;
    uint8_t *f = calloc(1, *len);
    memcpy(f, WV_MODULE_MAGIC, 8);
    memcpy(f + 8, &n, 4);                               /* host tests run little-endian */
    if (n >= 4) memcpy(f + 16, "\0asm", 4);
    return f;
}

/* A file with a native part of m bytes (flag bit 0) after its n-byte module. */
static uint8_t *native_file(uint32_t n, uint32_t m, size_t *len)
{
    *len = 16 + (size_t)n + 4 + m + 64;
    uint8_t *f = calloc(1, *len);
    uint32_t flags = WV_MODULE_FLAG_NATIVE;
    memcpy(f, WV_MODULE_MAGIC, 8);
    memcpy(f + 8, &n, 4);
    memcpy(f + 12, &flags, 4);
    if (n >= 4) memcpy(f + 16, "\0asm", 4);
    memcpy(f + 16 + n, &m, 4);
    if (m) memset(f + 16 + n + 4, 0xa5, m);
    return f;
}

static int parse(const uint8_t *f, size_t len, const char **err)
{
    const uint8_t *wasm = (const uint8_t *)1, *native = (const uint8_t *)1, *sig = (const uint8_t *)1;
    size_t n = 1, m = 1;
    *err = 0;
    int r = wv_module_file_parse(f, len, &wasm, &n, &native, &m, &sig, err);
    if (r != 0 && (wasm || sig || n || native || m)) { printf("FAIL: a refused file left results set\n"); failures++; }
    if (r != 0 && !*err) { printf("FAIL: a refusal without a reason\n"); failures++; }
    return r;
}

static int says(const char *err, const char *what)
{
    if (err && strstr(err, what)) return 1;
    printf("FAIL: expected an error with \"%s\", got \"%s\"\n", what, err ? err : "(none)");
    return 0;
}

static void test_parse(void)
{
    const char *err;
    size_t len;
    uint8_t *f = module_file(8, &len);
    CHECK(parse(f, len, &err) == 0);

    CHECK(parse(f, 0, &err) != 0 && says(err, "truncated"));
    CHECK(parse(0, 10, &err) != 0 && says(err, "truncated"));
    CHECK(parse(f, 5, &err) != 0 && says(err, "truncated"));          /* the magic's start alone */
    CHECK(parse(f, 15, &err) != 0 && says(err, "truncated"));
    CHECK(parse(f, len - 1, &err) != 0 && says(err, "truncated"));    /* signature cut short */
    CHECK(parse(f, 16 + 4, &err) != 0 && says(err, "truncated"));

    for (int i = 0; i < 8; i++) {
        f[i] ^= 0x20;
        CHECK(parse(f, len, &err) != 0 && says(err, "bad magic"));
        f[i] ^= 0x20;
    }
    CHECK(parse((const uint8_t *)"ELF", 3, &err) != 0 && says(err, "bad magic"));

    uint32_t v = 0;
    memcpy(f + 8, &v, 4);
    CHECK(parse(f, len, &err) != 0 && says(err, "wasm length 0"));
    v = WV_MODULE_MAX + 1;
    memcpy(f + 8, &v, 4);
    CHECK(parse(f, len, &err) != 0 && says(err, "4 MiB limit"));
    v = 0xffffffffu;
    memcpy(f + 8, &v, 4);
    CHECK(parse(f, len, &err) != 0 && says(err, "4 MiB limit"));
    v = 9;                                              /* a length one more than the file holds */
    memcpy(f + 8, &v, 4);
    CHECK(parse(f, len, &err) != 0 && says(err, "truncated"));
    v = 7;                                              /* one less: a byte after the signature */
    memcpy(f + 8, &v, 4);
    CHECK(parse(f, len, &err) != 0 && says(err, "after its signature"));
    v = 8;
    memcpy(f + 8, &v, 4);

    for (int bit = 1; bit < 32; bit++) {                /* bit 0 is the native part's */
        v = 1u << bit;
        memcpy(f + 12, &v, 4);
        CHECK(parse(f, len, &err) != 0 && says(err, "flags"));
    }
    v = 0;
    memcpy(f + 12, &v, 4);

    f[16] = 'X';
    CHECK(parse(f, len, &err) != 0 && says(err, "\\0asm"));
    f[16] = 0;
    CHECK(parse(f, len, &err) == 0);
    free(f);

    /* The largest module the format allows, and where the results point. */
    f = module_file(WV_MODULE_MAX, &len);
    const uint8_t *wasm, *native, *sig;
    size_t n, m;
    CHECK(wv_module_file_parse(f, len, &wasm, &n, &native, &m, &sig, &err) == 0);
    CHECK(wasm == f + 16 && n == WV_MODULE_MAX && sig == f + 16 + WV_MODULE_MAX && native == 0 && m == 0);
    free(f);
    CHECK(wv_module_file_parse((const uint8_t *)"WVMOD", 5, 0, &n, &native, &m, &sig, &err) != 0);
    CHECK(wv_module_file_parse((const uint8_t *)"WVMOD", 5, &wasm, &n, 0, &m, &sig, &err) != 0);

    /* A bare .wasm: an unsigned module, the whole file, no signature. */
    uint8_t bare[8] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
    CHECK(wv_module_file_parse(bare, sizeof bare, &wasm, &n, &native, &m, &sig, &err) == 0);
    CHECK(wasm == bare && n == sizeof bare && sig == 0 && native == 0 && m == 0);
    uint8_t *big = calloc(1, WV_MODULE_MAX + 1);
    memcpy(big, bare, sizeof bare);
    CHECK(wv_module_file_parse(big, WV_MODULE_MAX, &wasm, &n, &native, &m, &sig, &err) == 0 && sig == 0);
    CHECK(parse(big, WV_MODULE_MAX + 1, &err) != 0 && says(err, "4 MiB limit"));
    free(big);
}

/* Flag bit 0: a native part after the module, and every way it can be malformed. */
static void test_native(void)
{
    const char *err;
    const uint8_t *wasm, *native, *sig;
    size_t len, n, m;
    uint8_t *f = native_file(8, 100, &len);
    CHECK(wv_module_file_parse(f, len, &wasm, &n, &native, &m, &sig, &err) == 0);
    CHECK(wasm == f + 16 && n == 8 && native == f + 16 + 8 + 4 && m == 100 && sig == f + 16 + 8 + 4 + 100);
    CHECK(sig + 64 == f + len);                         /* the signature covers [0, sig - f): header, wasm, native */

    CHECK(parse(f, len - 1, &err) != 0 && says(err, "truncated"));           /* signature cut short */
    CHECK(parse(f, len - 64, &err) != 0 && says(err, "truncated"));          /* no signature */
    CHECK(parse(f, 16 + 8 + 4 + 50, &err) != 0 && says(err, "native part cut short"));
    CHECK(parse(f, 16 + 8 + 2, &err) != 0 && says(err, "truncated"));        /* the native length cut short */
    CHECK(parse(f, 16 + 8, &err) != 0 && says(err, "truncated"));
    uint32_t v = 0;
    memcpy(f + 16 + 8, &v, 4);
    CHECK(parse(f, len, &err) != 0 && says(err, "native length 0"));
    v = WV_MODULE_NATIVE_MAX + 1;
    memcpy(f + 16 + 8, &v, 4);
    CHECK(parse(f, len, &err) != 0 && says(err, "native part larger than the 4 MiB limit"));
    v = 0xffffffffu;
    memcpy(f + 16 + 8, &v, 4);
    CHECK(parse(f, len, &err) != 0 && says(err, "4 MiB limit"));
    v = 101;                                            /* one more than the file holds */
    memcpy(f + 16 + 8, &v, 4);
    CHECK(parse(f, len, &err) != 0 && says(err, "truncated"));
    v = 99;                                             /* one less: a byte after the signature */
    memcpy(f + 16 + 8, &v, 4);
    CHECK(parse(f, len, &err) != 0 && says(err, "after its signature"));
    v = 100;
    memcpy(f + 16 + 8, &v, 4);
    for (int bit = 1; bit < 32; bit++) {                /* bit 0 with any unknown bit */
        v = WV_MODULE_FLAG_NATIVE | 1u << bit;
        memcpy(f + 12, &v, 4);
        CHECK(parse(f, len, &err) != 0 && says(err, "unknown flags"));
    }
    v = 0;                                              /* the flag cleared: the native bytes are extra */
    memcpy(f + 12, &v, 4);
    CHECK(parse(f, len, &err) != 0 && says(err, "after its signature"));
    v = WV_MODULE_FLAG_NATIVE;
    memcpy(f + 12, &v, 4);
    CHECK(parse(f, len, &err) == 0);
    CHECK(parse(f, len + 1, &err) != 0 && says(err, "after its signature"));
    free(f);

    /* The smallest native part, and both parts at their limits. */
    f = native_file(8, 1, &len);
    CHECK(parse(f, len, &err) == 0);
    free(f);
    f = native_file(WV_MODULE_MAX, WV_MODULE_NATIVE_MAX, &len);
    CHECK(wv_module_file_parse(f, len, &wasm, &n, &native, &m, &sig, &err) == 0);
    CHECK(n == WV_MODULE_MAX && m == WV_MODULE_NATIVE_MAX && sig + 64 == f + len);
    free(f);
}

int main(void)
{
    test_rfc8032();
    test_node_signed();
    test_parse();
    test_native();
    if (failures) { printf("%d check(s) failed\n", failures); return 1; }
    printf("signature: all checks passed\n");
    return 0;
}
