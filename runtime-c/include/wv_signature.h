/* Signed core modules for live update (docs/signing.md): the .wvm file format and
 * its Ed25519 signature check. Pure functions with no hardware access, so they build
 * and are tested on the host (runtime-c/tests/test_signature.c). */
#ifndef WV_SIGNATURE_H
#define WV_SIGNATURE_H
#include <stdint.h>
#include <stddef.h>

/* .wvm layout, all integers little-endian:
 *   0     8 bytes  magic "WVMOD\0" "1\n" (57 56 4d 4f 44 00 31 0a)
 *   8     u32      wasm length N, 1 .. WV_MODULE_MAX
 *   12    u32      flags: bit 0 (WV_MODULE_FLAG_NATIVE) a native part follows the module;
 *                  every other bit must be 0
 *   16    N bytes  the core module (.wasm)
 *   with bit 0 set:
 *   16+N  u32      native length M, 1 .. WV_MODULE_NATIVE_MAX
 *   20+N  M bytes  the module's native part (wv_native_abi.h)
 *   then  64 bytes Ed25519 signature (RFC 8032 5.1, pure Ed25519) over every byte before it */
#define WV_MODULE_MAGIC     "WVMOD\0" "1\n"
#define WV_MODULE_MAGIC_LEN 8u
#define WV_MODULE_HEADER    16u
#define WV_MODULE_SIG_LEN   64u
#define WV_MODULE_MAX       (4u << 20)
#define WV_MODULE_FLAG_NATIVE 1u
#define WV_MODULE_NATIVE_MAX (4u << 20)
#define WV_PUBKEY_LEN       32u

/* 0 when `sig` is a valid Ed25519 signature (RFC 8032 5.1.7, SHA-512) of msg[0, len)
 * by the public key `pub`; -1 when it is not (or a pointer is NULL). */
int wv_signature_check(const uint8_t *msg, size_t len, const uint8_t sig[64], const uint8_t pub[32]);

/* Splits a module file into its wasm bytes, its native part (when flag bit 0 says it
 * has one) and its signature, checking every header field, the native part's length,
 * that the file ends exactly with the signature and that the wasm starts with "\0asm".
 * Returns 0 with *wasm, *wasm_len, *native, *native_len and *sig set (*native = NULL and
 * *native_len = 0 without a native part); a bare .wasm file (starting with "\0asm", at
 * most WV_MODULE_MAX bytes) is an unsigned module without a native part: 0 with
 * *wasm = file and *sig = NULL. Otherwise returns -1 with *err saying what is wrong
 * ("module file truncated ...", "not a module file (bad magic)", "module larger than
 * the 4 MiB limit", ...). The signature is not checked here: see wv_signature_check,
 * over file[0, *sig - file), every byte before the signature. */
int wv_module_file_parse(const uint8_t *file, size_t len, const uint8_t **wasm, size_t *wasm_len,
                         const uint8_t **native, size_t *native_len, const uint8_t **sig, const char **err);

/* Generated into the image's payload.S by tools/build/payload.ts (docs/signing.md):
 * the public key update modules must be signed with, and 1 when the image was built
 * for development (WASMVISOR_DEV_UNSIGNED=1) and accepts unsigned modules, else 0. */
extern const uint8_t wv_update_pubkey[32];
extern const uint32_t wv_update_allow_unsigned;

#endif
