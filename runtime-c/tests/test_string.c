/* Host tests of runtime-c/lib/string.c and strto.c (built with the wv_ prefix, see
 * lib/wv_libc.h) against plain reference loops: every alignment 0..15 of every pointer
 * argument, every length 0..300, and overlapping moves both ways. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

/* The host's own conversions, kept before wv_libc.h renames these names. */
static unsigned long (*const host_strtoul)(const char *, char **, int) = strtoul;
static double (*const host_strtod)(const char *, char **) = strtod;

#include "wv_libc.h"

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)
/* Report the first few failures of a loop nest with its parameters, then stop counting. */
#define CHECK_CASE(c, ...) do { if (!(c)) { if (failures++ < 20) { \
    printf("FAIL %s:%d: %s for ", __FILE__, __LINE__, #c); printf(__VA_ARGS__); printf("\n"); } } } while (0)

#define MAXLEN  300
#define PAD     64
#define BUF     (PAD + 16 + MAXLEN + PAD)

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint8_t rand_byte(void)
{
    rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
    return (uint8_t)((rng * 0x2545f4914f6cdd1dull) >> 56);
}
static void randomize(uint8_t *p, size_t n) { for (size_t i = 0; i < n; i++) p[i] = rand_byte(); }
static int same(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) if (a[i] != b[i]) return 0;
    return 1;
}
static int sign(int v) { return (v > 0) - (v < 0); }

static void ref_move(uint8_t *d, const uint8_t *s, size_t n)
{
    uint8_t tmp[BUF];
    for (size_t i = 0; i < n; i++) tmp[i] = s[i];
    for (size_t i = 0; i < n; i++) d[i] = tmp[i];
}

static int ref_cmp(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

static void test_memcpy(void)
{
    static uint8_t src[BUF], dst[BUF], want[BUF];
    for (size_t sa = 0; sa < 16; sa++)
        for (size_t da = 0; da < 16; da++)
            for (size_t n = 0; n <= MAXLEN; n++) {
                randomize(src, BUF);
                randomize(dst, BUF);
                for (size_t i = 0; i < BUF; i++) want[i] = dst[i];
                for (size_t i = 0; i < n; i++) want[PAD + da + i] = src[PAD + sa + i];
                void *r = wv_memcpy(dst + PAD + da, src + PAD + sa, n);
                CHECK_CASE(r == dst + PAD + da && same(dst, want, BUF), "memcpy sa %zu da %zu n %zu", sa, da, n);
            }
}

static void test_memmove(void)
{
    static uint8_t buf[BUF], want[BUF], src[BUF];
    /* apart: as memcpy */
    for (size_t sa = 0; sa < 16; sa++)
        for (size_t da = 0; da < 16; da++)
            for (size_t n = 0; n <= MAXLEN; n += 1) {
                randomize(src, BUF);
                randomize(buf, BUF);
                for (size_t i = 0; i < BUF; i++) want[i] = buf[i];
                ref_move(want + PAD + da, src + PAD + sa, n);
                void *r = wv_memmove(buf + PAD + da, src + PAD + sa, n);
                CHECK_CASE(r == buf + PAD + da && same(buf, want, BUF), "memmove apart sa %zu da %zu n %zu", sa, da, n);
            }
    /* overlapping, destination below and above the source, every small distance and a
     * few large ones, from every source alignment */
    static const long far[] = { 32, 33, 40, 64, 100, 150, 255 };
    for (size_t sa = 0; sa < 16; sa++)
        for (size_t n = 0; n <= MAXLEN; n++)
            for (long k = -(17 + 7); k <= 17 + 7; k++) {
                long delta = k < -17 ? -far[-k - 18] : k > 17 ? far[k - 18] : k;
                long s_off = PAD / 2 + (long)sa + (delta < 0 ? -delta : 0);
                long d_off = s_off + delta;
                if (s_off + (long)n > BUF || d_off + (long)n > BUF) continue;
                randomize(buf, BUF);
                for (size_t i = 0; i < BUF; i++) want[i] = buf[i];
                ref_move(want + d_off, want + s_off, n);
                void *r = wv_memmove(buf + d_off, buf + s_off, n);
                CHECK_CASE(r == buf + d_off && same(buf, want, BUF), "memmove overlap sa %zu n %zu delta %ld", sa, n, delta);
            }
}

static void test_memset(void)
{
    static uint8_t buf[BUF], want[BUF];
    static const int values[] = { 0, 0xa5, 0x1ff, -1, 0x80 };
    for (size_t da = 0; da < 16; da++)
        for (size_t n = 0; n <= MAXLEN; n++)
            for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
                randomize(buf, BUF);
                for (size_t i = 0; i < BUF; i++) want[i] = buf[i];
                for (size_t i = 0; i < n; i++) want[PAD + da + i] = (uint8_t)values[v];
                void *r = wv_memset(buf + PAD + da, values[v], n);
                CHECK_CASE(r == buf + PAD + da && same(buf, want, BUF), "memset da %zu n %zu c %d", da, n, values[v]);
            }
}

static void test_memcmp(void)
{
    static uint8_t a[BUF], b[BUF];
    for (size_t aa = 0; aa < 16; aa++)
        for (size_t ba = 0; ba < 16; ba++)
            for (size_t n = 0; n <= MAXLEN; n++) {
                uint8_t *x = a + PAD + aa, *y = b + PAD + ba;
                randomize(x, n);
                for (size_t i = 0; i < n; i++) y[i] = x[i];
                a[PAD + aa + n] = 1; b[PAD + ba + n] = 2;   /* past the end: must not count */
                CHECK_CASE(wv_memcmp(x, y, n) == 0, "memcmp equal aa %zu ba %zu n %zu", aa, ba, n);
                if (!n) continue;
                size_t where[] = { 0, n / 2, n - 1, rand_byte() % n };
                for (size_t w = 0; w < 4; w++) {
                    size_t i = where[w];
                    uint8_t keep = y[i];
                    y[i] = (uint8_t)(x[i] ^ (1u << (rand_byte() % 8)));  /* high bit too: unsigned compare */
                    CHECK_CASE(sign(wv_memcmp(x, y, n)) == ref_cmp(x, y, n) && sign(wv_memcmp(y, x, n)) == ref_cmp(y, x, n),
                               "memcmp aa %zu ba %zu n %zu diff at %zu", aa, ba, n, i);
                    y[i] = keep;
                }
                /* two differences close together: the first one decides */
                size_t i = rand_byte() % n;
                if (i + 1 < n) {
                    uint8_t k0 = y[i], k1 = y[i + 1];
                    y[i] = (uint8_t)(x[i] + 1 + rand_byte() % 255);
                    y[i + 1] = (uint8_t)(x[i + 1] + 1 + rand_byte() % 255);
                    CHECK_CASE(sign(wv_memcmp(x, y, n)) == ref_cmp(x, y, n) && sign(wv_memcmp(y, x, n)) == ref_cmp(y, x, n),
                               "memcmp aa %zu ba %zu n %zu diffs at %zu, %zu", aa, ba, n, i, i + 1);
                    y[i] = k0; y[i + 1] = k1;
                }
            }
}

static void test_strlen(void)
{
    static char buf[BUF];
    for (size_t sa = 0; sa < 16; sa++)
        for (size_t n = 0; n <= MAXLEN; n++) {
            char *s = buf + PAD + sa;
            for (size_t i = 0; i < BUF; i++) buf[i] = (char)(rand_byte() | 1);
            for (size_t i = 0; i < n; i++) {
                uint8_t c = rand_byte();
                s[i] = (char)(c ? c : 0x80);    /* bytes 0x80.. and 0x01 next to the end */
            }
            s[n] = 0;
            CHECK_CASE(wv_strlen(s) == n, "strlen sa %zu n %zu", sa, n);
        }
    /* a string that ends right at the end of its aligned word */
    static char w[16] __attribute__((aligned(8))) = "1234567";
    CHECK(wv_strlen(w) == 7 && wv_strlen(w + 7) == 0 && wv_strlen("") == 0);
}

static int ref_strcmp(const char *a, const char *b)
{
    const uint8_t *p = (const uint8_t *)a, *q = (const uint8_t *)b;
    while (*p && *p == *q) { p++; q++; }
    return (*p > *q) - (*p < *q);
}

static void test_strcmp(void)
{
    static char a[BUF], b[BUF];
    for (size_t aa = 0; aa < 16; aa++)
        for (size_t ba = 0; ba < 16; ba++)
            for (size_t n = 0; n <= MAXLEN; n += (n < 40 ? 1 : 13)) {
                char *x = a + PAD + aa, *y = b + PAD + ba;
                for (size_t i = 0; i < n; i++) { uint8_t c = rand_byte(); x[i] = y[i] = (char)(c ? c : 'z'); }
                x[n] = y[n] = 0;
                CHECK_CASE(wv_strcmp(x, y) == 0 && wv_strncmp(x, y, n + 5) == 0, "strcmp equal %zu %zu %zu", aa, ba, n);
                if (!n) continue;
                size_t i = rand_byte() % n;
                char keep = y[i];
                y[i] = (char)(rand_byte() | 1);
                CHECK_CASE(sign(wv_strcmp(x, y)) == ref_strcmp(x, y) && sign(wv_strcmp(y, x)) == ref_strcmp(y, x),
                           "strcmp %zu %zu n %zu at %zu", aa, ba, n, i);
                CHECK_CASE(wv_strncmp(x, y, i) == 0 && sign(wv_strncmp(x, y, n)) == ref_strcmp(x, y),
                           "strncmp %zu %zu n %zu at %zu", aa, ba, n, i);
                y[i] = keep;
                y[n - 1 + 1] = 0;
                x[n - 1] = 0;                   /* x is a prefix of y: shorter sorts first */
                CHECK_CASE(sign(wv_strcmp(x, y)) == ref_strcmp(x, y), "strcmp prefix n %zu", n);
            }
    CHECK(wv_strcmp("", "") == 0 && wv_strcmp("a", "") > 0 && wv_strcmp("", "a") < 0);
    CHECK(wv_strcmp("\x80", "\x7f") > 0);          /* compared as unsigned char */
    CHECK(wv_strncmp("abcX", "abcY", 3) == 0 && wv_strncmp("abcX", "abcY", 4) < 0 && wv_strncmp("a", "b", 0) == 0);
    CHECK(wv_strncmp("ab", "ab\0x", 10) == 0);
}

static void test_strchr(void)
{
    const char *s = "wasm3 module";
    CHECK(wv_strchr(s, 'w') == s && wv_strchr(s, 'm') == s + 3 && wv_strchr(s, 'e') == s + 11);
    CHECK(wv_strchr(s, 'x') == 0 && wv_strchr(s, 0) == s + 12);
    CHECK(wv_strchr("a\xe9", 0xe9) != 0 && wv_strchr("a\xe9", (char)0xe9) != 0);
}

static void test_strtoul(void)
{
    static const char *const cases[] = {
        "0", "1", "  42", "\t\n+17", "-1", "4294967295", "4294967296", "18446744073709551615",
        "18446744073709551616", "99999999999999999999999", "0x1f", "0X1F", "0x", "0xg", "017",
        "08", "z", "", "  ", "-", "+", "123abc", "-0", "0000000000000000000000000012",
    };
    static const int bases[] = { 10, 0, 16, 8, 36, 2 };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
            char *e1, *e2;
            unsigned long r1 = wv_strtoul(cases[i], &e1, bases[b]);
            unsigned long r2 = host_strtoul(cases[i], &e2, bases[b]);
            CHECK_CASE(r1 == r2 && e1 == e2, "strtoul(\"%s\", %d) = %lu/+%td, host %lu/+%td", cases[i], bases[b],
                       r1, e1 - cases[i], r2, e2 - cases[i]);
        }
    char *e;
    CHECK(wv_strtoull("12345678901234567890", &e, 10) == 12345678901234567890ull && *e == 0);
    CHECK(wv_strtoull("12", 0, 10) == 12);
}

static void test_strtod(void)
{
    static const char *const cases[] = {
        "0", "-0", "1", "-1", "0.5", "3.14159", "1e10", "1.5e-5", "123456789012345",
        "0.1", "0.2", "0.3", "2.5E+3", "  +7.", ".25", "1e22", "1e-22", "9007199254740993",
        "0x1p0", "0x1.8p3", "0x.8", "0xABCp-4", "-0x1p-1074", "0x1.fffffffffffffp1023",
        "0x1.fffffffffffff8p1023", "0x1p-1075", "0x1.0000000000001p-1075", "0x123456789abcdef123p0",
        "inf", "-Infinity", "INF", "infinit", "1e400", "-1e400", "1e-400", "4.9e-324", "2.4703282292062327e-324",
        "2.4703282292062328e-324", "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
        "1e", "1e+", "1.5x", "abc", "", ".", "-.e1", "0x", "0x.p1", "12.5e3e", "00012", "0.000000001",
        "1234567890123456789012345", "1.23456789012345678901234567890", "2.2250738585072014e-308",
        "2.2250738585072011e-308", "123e-5", "5e-1", "1e23", "8.5e30", "9007199254740992.5",
        "9007199254740993.0000000000000000000000000000001", "7.038531e-26", "1e-5000000000", "1e5000000000",
        "0.00000000000000000000000000000000000000000000000000000000000000000000000000000000001e80",
        "100000000000000000000000000000000000000000000000000000000000000000000000000000000e-80",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *e1, *e2;
        double r1 = wv_strtod(cases[i], &e1), r2 = host_strtod(cases[i], &e2);
        CHECK_CASE(r1 == r2 && signbit(r1) == signbit(r2) && e1 == e2, "strtod(\"%s\") = %.17g/+%td, host %.17g/+%td",
                   cases[i], r1, e1 - cases[i], r2, e2 - cases[i]);
    }
    char *e;
    double n = wv_strtod("nan(123)x", &e);
    CHECK(isnan(n) && *e == 'x');
    CHECK(isnan(wv_strtod("-NaN", 0)));
    /* random inputs: short and long significands, exponents across the whole range */
    char buf[128];
    for (int i = 0; i < 20000; i++) {
        char *p = buf;
        int digits = 1 + rand_byte() % 30, point = rand_byte() % (digits + 1);
        for (int d = 0; d < digits; d++) {
            if (d == point) *p++ = '.';
            *p++ = (char)('0' + rand_byte() % 10);
        }
        snprintf(p, 16, "e%d", (int)(((unsigned)rand_byte() << 8 | rand_byte()) % 700) - 350);
        double r1 = wv_strtod(buf, &e), r2 = host_strtod(buf, 0);
        CHECK_CASE(r1 == r2 && *e == 0, "strtod(\"%s\") = %.17g, host %.17g", buf, r1, r2);
    }
}

int main(void)
{
    test_memcpy();
    test_memmove();
    test_memset();
    test_memcmp();
    test_strlen();
    test_strcmp();
    test_strchr();
    test_strtoul();
    test_strtod();
    printf("test_string: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
