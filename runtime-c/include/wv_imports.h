/* Tables of host imports linked into each core instance (module "wv"). */
#ifndef WV_IMPORTS_H
#define WV_IMPORTS_H
#include <stddef.h>
#include "wasm3.h"

struct wv_import { const char *name, *sig; M3RawCall fn; };

/* Link every entry; an import the module does not use is fine, a signature mismatch is
 * an error (returned). */
const char *wv_link_table(IM3Module module, const struct wv_import *t, size_t n);

/* What a core instance's imports act for: the wasm3 runtime's user data (wasm_host.c).
 * An instance acts for its VM only while it is the VM's instance (`live`): one that a
 * live update stages (loaded, restored and checked while the VM still runs on the old
 * one) or has retired has the VM's ownership to check against but must not change
 * anything of it, so its effectful imports are refused (docs/abi.md 2). */
struct wv_vm;
struct wv_import_ctx {
    struct wv_vm *vm;
    volatile uint32_t live;         /* set when it becomes the VM's instance, cleared when replaced */
    const char *refused;            /* the first effectful import it called while not live, or 0 */
};

#define WV_IMPORT_CTX()     ((struct wv_import_ctx *)m3_GetUserData(runtime))
#define WV_IMPORT_VM()      (WV_IMPORT_CTX()->vm)

/* For an import that acts on the VM or the hardware: 1 when the calling instance is
 * live; else 0, after reporting the refusal naming `import` and recording it in
 * ctx->refused (host_imports.c). */
int wv_import_may_act(struct wv_import_ctx *ctx, const char *import);

#endif
