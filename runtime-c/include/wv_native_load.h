/* The loader of a core module's native part (wv_native_abi.h; docs/native-tier.md,
 * "Loading the native part"). It checks the part against the .wasm it claims to come from
 * and against the runtime's import functions, refusing it with a message naming what is
 * wrong, then places it in the native-code area (wv_native_area.h): copied, bss zeroed,
 * relocated, imports bound, text mapped read-only executable, rodata read-only, data
 * read-write, both execute-never, and its init_module called once. Mechanism only: which
 * part to load, and when, is the caller's. The checks are pure C (host-tested by
 * runtime-c/tests/test_native_load.c). */
#ifndef WV_NATIVE_LOAD_H
#define WV_NATIVE_LOAD_H
#include <stdint.h>
#include <stddef.h>
#include "wv_native_abi.h"
#include "wv_imports.h"
#include "wv_stack_budget.h"

/* The EL2 stack native code may take: depth_limit * max_frame_bytes must fit it. Native
 * code runs on the CPU's EL2 stack (WV_STACK_SIZE: a 2 MiB slot less its 4 KiB guard
 * page, wv_asm.h), which it shares with what is under and beside it: the path into the
 * core (a trap or a live update, a few KiB), an import function called at the deepest
 * call level and the runtime functions the native code calls (alloc, trap: under 4 KiB).
 * That is what the interpreter's budget keeps WV_STACK_RESERVE (128 KiB) for; a native
 * instance never runs under an interpreted one, so the same budget holds. */
#define WV_NATIVE_STACK_BUDGET  WV_STACK_LEVELS_BUDGET

/* The runtime's import functions come as wv_imports.h's table (struct wv_import_fn):
 * each called as fn(import_ctx, wasm parameters...). */

/* A loaded native part. */
struct wv_native_image {
    uint8_t *base;                          /* its first page in the native-code area */
    uint32_t text_end, rodata_end, data_end, mem_size;  /* from its header */
    const struct wv_native_module *module;  /* its descriptor, relocated */
    /* Its module's reference (from the load until wv_native_image_put), and one per live
     * instance (native_run.c): an instance a live update keeps after its module was let
     * go (a vCPU's registers still in it) keeps the image. */
    volatile uint32_t refs;
};

/* Check and load the native part `part` (part_len bytes) of the module `wasm`, binding its
 * imports to `fns` (fn_count entries) and giving it the runtime table `rt`. 0 with *out
 * set, or -1 with `why` saying "native part refused: ..." and nothing left allocated. */
int wv_native_load(const uint8_t *part, size_t part_len, const uint8_t *wasm, size_t wasm_len,
                   const struct wv_import_fn *fns, size_t fn_count,
                   const struct wv_native_rt *rt, struct wv_native_image **out,
                   char *why, size_t cap);

/* Let go of one reference to `img` (its module's, or an instance's): the last one unmaps
 * and frees it. */
void wv_native_image_put(struct wv_native_image *img);

#endif
