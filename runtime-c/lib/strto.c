/* strtoul, strtoull and strtod: what wasm3 references (m3_CallArgv turns text
 * arguments into numbers). No locale and no errno: an out-of-range integer saturates
 * to ULONG_MAX/ULLONG_MAX, an out-of-range double becomes +-infinity or +-0.
 *
 * strtod rounds correctly (to nearest, ties to even, subnormals included) for
 * significands of up to 760 digits; decimal and hexadecimal input, inf, nan.
 * Nothing here touches hardware: the same file builds for the host unit tests. */
#include "wv_libc.h"

static int is_space(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int digit_value(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'z') return c - 'a' + 10;
    return 99;
}

/* strtoull with the range [0, max]: a leading minus negates the result in that
 * unsigned range, as C says; a value above max saturates to max. */
static unsigned long long parse_unsigned(const char *s, char **end, int base, unsigned long long max)
{
    const char *p = s;
    while (is_space((unsigned char)*p)) p++;
    int neg = 0;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    if (base < 0 || base == 1 || base > 36) {
        if (end) *end = (char *)s;
        return 0;
    }
    if ((base == 0 || base == 16) && p[0] == '0' && lower(p[1]) == 'x' && digit_value((unsigned char)p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }
    unsigned long long v = 0;
    int any = 0, over = 0;
    for (;; p++) {
        int d = digit_value((unsigned char)*p);
        if (d >= base) break;
        any = 1;
        if (v > (max - (unsigned)d) / (unsigned)base) over = 1;
        else v = v * (unsigned)base + (unsigned)d;
    }
    if (end) *end = (char *)(any ? p : s);
    if (!any) return 0;
    if (over) return max;
    return neg ? (unsigned long long)(0 - v) & max : v;
}

unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
    return (unsigned long)parse_unsigned(s, end, base, (unsigned long)-1);
}

unsigned long long strtoull(const char *restrict s, char **restrict end, int base)
{
    return parse_unsigned(s, end, base, (unsigned long long)-1);
}

/* ---- strtod ----
 * The decimal significand is read into a big integer M (all digits up to MAX_DIGITS;
 * further ones only count as "something non-zero follows"), and M * 10^e is rounded
 * once, exactly: for e >= 0 by computing the product, for e < 0 by a long division
 * M * 2^s / 10^-e that yields 65 or more quotient bits and a remainder. Inputs whose
 * significand and power of ten are both exact doubles take the short way. */

#define MAX_DIGITS  760
#define BIG_WORDS   64          /* 4096 bits: 10^(MAX_DIGITS + 330) * 2^70 fits */

struct big {
    unsigned n;                 /* words in use; w[n-1] != 0 unless n == 0 */
    uint64_t w[BIG_WORDS];
};

typedef unsigned __int128 u128;

static void big_mul_add(struct big *b, uint64_t mul, uint64_t add)
{
    uint64_t carry = add;
    for (unsigned i = 0; i < b->n; i++) {
        u128 t = (u128)b->w[i] * mul + carry;
        b->w[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    if (carry && b->n < BIG_WORDS) b->w[b->n++] = carry;
}

static unsigned big_bits(const struct big *b)
{
    return b->n ? 64 * b->n - (unsigned)__builtin_clzll(b->w[b->n - 1]) : 0;
}

static void big_shl(struct big *b, unsigned bits)
{
    unsigned words = bits / 64, sh = bits % 64;
    if (!b->n) return;
    unsigned n = b->n + words + 1;
    if (n > BIG_WORDS) n = BIG_WORDS;
    for (unsigned i = n; i-- > 0; ) {
        uint64_t hi = i >= words && i - words < b->n ? b->w[i - words] : 0;
        uint64_t lo = sh && i >= words + 1 && i - words - 1 < b->n ? b->w[i - words - 1] : 0;
        b->w[i] = sh ? hi << sh | lo >> (64 - sh) : hi;
    }
    b->n = n;
    while (b->n && !b->w[b->n - 1]) b->n--;
}

static void big_shr1(struct big *b)
{
    for (unsigned i = 0; i < b->n; i++)
        b->w[i] = b->w[i] >> 1 | (i + 1 < b->n ? b->w[i + 1] << 63 : 0);
    while (b->n && !b->w[b->n - 1]) b->n--;
}

static int big_cmp(const struct big *a, const struct big *b)
{
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    for (unsigned i = a->n; i-- > 0; )
        if (a->w[i] != b->w[i]) return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

static void big_sub(struct big *a, const struct big *b)      /* a >= b */
{
    uint64_t borrow = 0;
    for (unsigned i = 0; i < a->n; i++) {
        uint64_t x = i < b->n ? b->w[i] : 0;
        uint64_t d = a->w[i] - x - borrow;
        borrow = (a->w[i] < x) || (a->w[i] - x < borrow);
        a->w[i] = d;
    }
    while (a->n && !a->w[a->n - 1]) a->n--;
}

/* The top 64 bits of b (b != 0); *sticky |= whether any bit below them is set. */
static uint64_t big_top64(const struct big *b, unsigned bits, int *sticky)
{
    unsigned lowbits = bits - 64, word = lowbits / 64, sh = lowbits % 64;
    uint64_t top = b->w[word] >> sh;
    if (sh) top |= b->w[word + 1] << (64 - sh);
    for (unsigned i = 0; i < word; i++) *sticky |= b->w[i] != 0;
    if (sh) *sticky |= (b->w[word] << (64 - sh)) != 0;
    return top;
}

/* d * 2^e for d an integer below 2^54; exact whenever the result is representable. */
static double scale2(double d, int e)
{
    union { double f; uint64_t u; } step;
    while (e > 1000) { step.u = (uint64_t)(1023 + 1000) << 52; d *= step.f; e -= 1000; }
    while (e < -1000) { step.u = (uint64_t)(1023 - 1000) << 52; d *= step.f; e += 1000; }
    step.u = (uint64_t)(1023 + e) << 52;
    return d * step.f;
}

/* (top + f) * 2^bexp, where top has bit 63 set and 0 <= f < 1 is non-zero iff sticky,
 * rounded to the nearest double, ties to even, subnormals and overflow included. */
static double round_to_double(uint64_t top, int sticky, int bexp)
{
    int e = bexp + 63;                      /* exponent of the leading bit */
    if (e > 1023) return __builtin_inf();
    int keep = e >= -1022 ? 53 : 53 - (-1022 - e);
    if (keep < 0) return 0.0;
    unsigned drop = 64u - (unsigned)keep;   /* 11..64 */
    uint64_t kept = drop == 64 ? 0 : top >> drop;
    uint64_t rem = drop == 64 ? top : top & ((1ull << drop) - 1);
    uint64_t half = 1ull << (drop - 1);
    if (rem > half || (rem == half && (sticky || (kept & 1)))) kept++;
    return scale2((double)kept, bexp + (int)drop);
}

static const double exact_pow10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static uint64_t pow10_u64(int k)            /* 0 <= k <= 19 */
{
    uint64_t r = 1;
    while (k--) r *= 10;
    return r;
}

static void big_mul_pow10(struct big *b, int k)
{
    for (; k > 0; k -= 19) big_mul_add(b, pow10_u64(k > 19 ? 19 : k), 0);
}

/* M * 10^e, M != 0 with `digits` significant decimal digits. */
static double decimal_to_double(struct big *m, int digits, int e, int sticky)
{
    if (digits + e > 310) return __builtin_inf();    /* >= 1e310 */
    if (digits + e < -325) return 0.0;              /* < 1e-325, below half of 2^-1074 */
    if (e >= 0) {
        big_mul_pow10(m, e);
        unsigned bits = big_bits(m);
        if (bits < 64) { big_shl(m, 64 - bits); return round_to_double(m->w[0], sticky, (int)bits - 64); }
        uint64_t top = big_top64(m, bits, &sticky);
        return round_to_double(top, sticky, (int)bits - 64);
    }
    static const struct big one = { 1, { 1 } };
    struct big d = one;
    big_mul_pow10(&d, -e);
    /* scale so that the quotient has 65 or 66 bits: enough for rounding and a top bit */
    int s = (int)big_bits(&d) - (int)big_bits(m) + 65;
    if (s > 0) big_shl(m, (unsigned)s);
    else if (s < 0) big_shl(&d, (unsigned)-s);
    big_shl(&d, 66);
    u128 q = 0;
    for (int b = 66; b >= 0; b--) {
        if (big_cmp(m, &d) >= 0) { big_sub(m, &d); q |= (u128)1 << b; }
        big_shr1(&d);
    }
    sticky |= m->n != 0;
    unsigned qbits = 128u - (unsigned)((uint64_t)(q >> 64) ? __builtin_clzll((uint64_t)(q >> 64)) : 64 + __builtin_clzll((uint64_t)q));
    unsigned sh = qbits - 64;
    sticky |= (q & (((u128)1 << sh) - 1)) != 0;
    return round_to_double((uint64_t)(q >> sh), sticky, (int)sh - s);
}

static int match_word(const char *p, const char *word)
{
    int n = 0;
    while (word[n] && lower((unsigned char)p[n]) == word[n]) n++;
    return word[n] ? 0 : n;
}

/* Optional exponent: letter, sign, digits. Returns the characters it used (0 if none). */
static int parse_exponent(const char *p, int letter, int *exp)
{
    const char *q = p;
    if (lower((unsigned char)*q) != letter) return 0;
    q++;
    int neg = 0;
    if (*q == '+' || *q == '-') neg = *q++ == '-';
    if (*q < '0' || *q > '9') return 0;
    int e = 0;
    for (; *q >= '0' && *q <= '9'; q++)
        if (e < 100000) e = e * 10 + (*q - '0');
    *exp = neg ? -e : e;
    return (int)(q - p);
}

/* Hexadecimal significand after "0x": 64 bits kept, the rest as a sticky bit. */
static double parse_hex(const char *p, const char **end)
{
    uint64_t m = 0;
    int exp = 0, any = 0, sticky = 0, dot = 0;
    for (;; p++) {
        if (*p == '.' && !dot) { dot = 1; continue; }
        int d = digit_value((unsigned char)*p);
        if (d >= 16) break;
        any = 1;
        if (m >> 60) {
            sticky |= d != 0;
            if (!dot) exp += 4;
        } else {
            m = m << 4 | (unsigned)d;
            if (dot) exp -= 4;
        }
        if (exp < -100000) exp = -100000;
        if (exp > 100000) exp = 100000;
    }
    *end = p;
    if (!any) return 0.0;               /* not reached: the caller saw a digit */
    int e = 0;
    p += parse_exponent(p, 'p', &e);
    *end = p;
    if (m == 0) return 0.0;
    int lz = __builtin_clzll(m);
    return round_to_double(m << lz, sticky, exp + e - lz);
}

double strtod(const char *restrict s, char **restrict end)
{
    const char *p = s;
    while (is_space((unsigned char)*p)) p++;
    int neg = 0;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    double v;
    int n;
    if ((n = match_word(p, "infinity")) || (n = match_word(p, "inf"))) {
        v = __builtin_inf();
        p += n;
    } else if ((n = match_word(p, "nan"))) {
        v = __builtin_nan("");
        p += n;
        if (*p == '(') {
            const char *q = p + 1;
            while ((*q >= '0' && *q <= '9') || (lower((unsigned char)*q) >= 'a' && lower((unsigned char)*q) <= 'z') || *q == '_') q++;
            if (*q == ')') p = q + 1;
        }
    } else if (p[0] == '0' && lower((unsigned char)p[1]) == 'x' &&
               (digit_value((unsigned char)p[2]) < 16 || (p[2] == '.' && digit_value((unsigned char)p[3]) < 16))) {
        const char *q;
        v = parse_hex(p + 2, &q);
        p = q;
    } else {
        struct big m = { 0, { 0 } };
        uint64_t chunk = 0;
        int chunk_digits = 0, digits = 0, exp = 0, any = 0, dot = 0, dropped = 0;
        for (;; p++) {
            if (*p == '.' && !dot) { dot = 1; continue; }
            if (*p < '0' || *p > '9') break;
            any = 1;
            int d = *p - '0';
            if (digits < MAX_DIGITS) {
                if (digits || d) {
                    chunk = chunk * 10 + (unsigned)d;
                    digits++;
                    if (++chunk_digits == 19) {
                        big_mul_add(&m, pow10_u64(19), chunk);
                        chunk = 0;
                        chunk_digits = 0;
                    }
                }
                if (dot) exp--;
            } else {
                dropped |= d != 0;      /* beyond MAX_DIGITS: only matters for rounding */
                if (!dot) exp++;
            }
            if (exp < -100000) exp = -100000;
            if (exp > 100000) exp = 100000;
        }
        if (!any) {
            if (end) *end = (char *)s;
            return 0.0;
        }
        int e = 0;
        p += parse_exponent(p, 'e', &e);
        exp += e;
        if (chunk_digits) big_mul_add(&m, pow10_u64(chunk_digits), chunk);
        if (!m.n) v = 0.0;
        else if (m.n == 1 && m.w[0] < (1ull << 53) && !dropped && exp >= -22 && exp <= 22 + 15
                 && (exp <= 22 || m.w[0] < (1ull << 53) / pow10_u64(exp - 22))) {
            /* significand and power of ten exact: one rounding, by the FPU */
            uint64_t w = m.w[0];
            if (exp > 22) { w *= pow10_u64(exp - 22); exp = 22; }
            v = exp >= 0 ? (double)w * exact_pow10[exp] : (double)w / exact_pow10[-exp];
        } else {
            v = decimal_to_double(&m, digits, exp, dropped);
        }
    }
    if (end) *end = (char *)p;
    return neg ? -v : v;
}
