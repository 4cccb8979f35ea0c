/* wvm_check FILE PUBKEY: the runtime's module file check (runtime-c/core/signature.c)
 * as a host program: tools/sign/cross_check.test.ts builds it and asks it about files
 * Node's crypto signed. PUBKEY is the raw 32-byte Ed25519 public key.
 * A valid file's line names its native part too ("with a native part of M bytes").
 * Exit: 0 signed and valid, 1 signature refused, 2 file refused by the parser,
 * 3 an unsigned (bare .wasm) module, 64 usage or I/O error. */
#include "wv_signature.h"
#include <stdio.h>
#include <stdlib.h>

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "wvm_check: cannot open %s\n", path); return 0; }
    size_t cap = WV_MODULE_MAX + WV_MODULE_NATIVE_MAX + 1024, n = 0;
    uint8_t *buf = malloc(cap);
    if (buf) n = fread(buf, 1, cap, f);
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: wvm_check FILE.wvm PUBKEY.bin\n"); return 64; }
    size_t len, plen;
    uint8_t *file = slurp(argv[1], &len), *pub = slurp(argv[2], &plen);
    if (!file || !pub) return 64;
    if (plen != WV_PUBKEY_LEN) { fprintf(stderr, "wvm_check: %s has %zu bytes, a public key 32\n", argv[2], plen); return 64; }
    const uint8_t *wasm, *native, *sig;
    size_t n, m;
    const char *err = 0;
    int rc;
    if (wv_module_file_parse(file, len, &wasm, &n, &native, &m, &sig, &err) != 0) {
        printf("refused: %s\n", err);
        rc = 2;
    } else if (!sig) {
        printf("unsigned module of %zu bytes\n", n);
        rc = 3;
    } else if (wv_signature_check(file, (size_t)(sig - file), sig, pub) != 0) {
        printf("bad signature\n");
        rc = 1;
    } else {
        if (native) printf("signed module of %zu bytes with a native part of %zu bytes, signature valid\n", n, m);
        else printf("signed module of %zu bytes, signature valid\n", n);
        rc = 0;
    }
    free(file);
    free(pub);
    return rc;
}
