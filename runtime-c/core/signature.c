/* Module files and their signatures: see wv_signature.h and docs/signing.md.
 * The Ed25519 arithmetic is Monocypher's, with its optional SHA-512 file
 * (monocypher-ed25519.c): RFC 8032 Ed25519, not Monocypher's default BLAKE2b EdDSA. */
#include "wv_signature.h"
#include "monocypher-ed25519.h"
#include "wv_le.h"

/* "\0asm": the magic every binary module starts with (WebAssembly core spec, binary
 * format, "Modules"). */
static const uint8_t wasm_magic[4] = { 0x00, 0x61, 0x73, 0x6d };

/* Do p[0, n) match the first n bytes of want? */
static int same(const uint8_t *p, const uint8_t *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != want[i]) return 0;
    return 1;
}

int wv_signature_check(const uint8_t *msg, size_t len, const uint8_t sig[64], const uint8_t pub[32])
{
    if (!sig || !pub || (!msg && len)) return -1;
    /* RFC 8032 5.1.7: S < L, A and R decode, [S]B = R + [SHA-512(R || A || M)]A. */
    return crypto_ed25519_check(sig, pub, msg, len) == 0 ? 0 : -1;
}

static int refuse(const char **err, const char *why)
{
    if (err) *err = why;
    return -1;
}

int wv_module_file_parse(const uint8_t *file, size_t len, const uint8_t **wasm, size_t *wasm_len,
                         const uint8_t **native, size_t *native_len, const uint8_t **sig, const char **err)
{
    if (!wasm || !wasm_len || !native || !native_len || !sig) return refuse(err, "module file: no place for the result");
    *wasm = 0; *wasm_len = 0; *native = 0; *native_len = 0; *sig = 0;
    if (!file || len == 0) return refuse(err, "module file truncated (empty)");

    /* A bare module: unsigned, for images built for development only (the caller decides). */
    if (len >= sizeof wasm_magic && same(file, wasm_magic, sizeof wasm_magic)) {
        if (len > WV_MODULE_MAX) return refuse(err, "module larger than the 4 MiB limit");
        *wasm = file;
        *wasm_len = len;
        return 0;
    }

    size_t head = len < WV_MODULE_MAGIC_LEN ? len : WV_MODULE_MAGIC_LEN;
    if (!same(file, (const uint8_t *)WV_MODULE_MAGIC, head)) return refuse(err, "not a module file (bad magic)");
    if (len < WV_MODULE_HEADER) return refuse(err, "module file truncated (shorter than its 16-byte header)");
    uint32_t n = wv_get32(file + 8), flags = wv_get32(file + 12);
    if (n == 0) return refuse(err, "module file holds no module (wasm length 0)");
    if (n > WV_MODULE_MAX) return refuse(err, "module larger than the 4 MiB limit");
    if (flags & ~WV_MODULE_FLAG_NATIVE) return refuse(err, "module file has unknown flags (only bit 0, a native part, is defined)");
    size_t at = (size_t)WV_MODULE_HEADER + n;        /* n <= 4 MiB and m <= 4 MiB below: no overflow */
    const uint8_t *nat = 0;
    uint32_t m = 0;
    if (flags & WV_MODULE_FLAG_NATIVE) {
        if (len < at + 4) return refuse(err, "module file truncated (shorter than its wasm length and native length)");
        m = wv_get32(file + at);
        if (m == 0) return refuse(err, "module file holds an empty native part (native length 0)");
        if (m > WV_MODULE_NATIVE_MAX) return refuse(err, "native part larger than the 4 MiB limit");
        at += 4;
        if (len < at + m) return refuse(err, "module file truncated (native part cut short)");
        nat = file + at;
        at += m;
    }
    size_t want = at + WV_MODULE_SIG_LEN;
    if (len < want) return refuse(err, "module file truncated (shorter than its wasm length and signature)");
    if (len > want) return refuse(err, "module file has bytes after its signature");
    if (n < sizeof wasm_magic || !same(file + WV_MODULE_HEADER, wasm_magic, sizeof wasm_magic))
        return refuse(err, "module file does not hold a wasm module (no \\0asm at offset 16)");
    *wasm = file + WV_MODULE_HEADER;
    *wasm_len = n;
    *native = nat;
    *native_len = m;
    *sig = file + at;
    return 0;
}
