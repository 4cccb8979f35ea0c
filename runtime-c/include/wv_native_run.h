/* The runtime's half of the native tier (core/native_run.c): the table a loaded native
 * part calls the runtime through (struct wv_native_rt), instances of a loaded image, and
 * calls into them. A Wasm trap in native code unwinds to the call that entered the native
 * code on that CPU (wv_unwind.h) and comes back as an error naming the trap; the caller
 * stops the instance's VM, nothing else. EL2 only (it reads TPIDR_EL2). */
#ifndef WV_NATIVE_RUN_H
#define WV_NATIVE_RUN_H
#include <stdint.h>
#include "wv_native_load.h"

/* wasm-rt's trap codes (wasm_rt_trap_t, wabt 1.0.32's wasm-rt.h, without
 * WASM_RT_MERGED_OOB_AND_EXHAUSTION_TRAPS). */
#define WV_NATIVE_TRAP_OOB                  1u
#define WV_NATIVE_TRAP_INT_OVERFLOW         2u
#define WV_NATIVE_TRAP_DIV_BY_ZERO          3u
#define WV_NATIVE_TRAP_INVALID_CONVERSION   4u
#define WV_NATIVE_TRAP_UNREACHABLE          5u
#define WV_NATIVE_TRAP_CALL_INDIRECT        6u
#define WV_NATIVE_TRAP_UNCAUGHT_EXCEPTION   7u
#define WV_NATIVE_TRAP_EXHAUSTION           8u

/* The table every loaded image gets (wv_native_load's `rt`): the EL2 heap, and the trap. */
extern const struct wv_native_rt wv_native_rt;

struct wv_native_instance {
    struct wv_native_image *image;
    void *import_ctx;           /* what its imports get as their first argument */
    void *mem;                  /* the module's instance struct, instance_size bytes */
};

/* A new instance of `img`, its imports called with `import_ctx`: instantiated under a
 * trap frame. 0 with *err set ("native code trapped: ..." or "out of memory") on failure. */
struct wv_native_instance *wv_native_instance_new(struct wv_native_image *img, void *import_ctx, const char **err);
/* Free it (the module's free under a trap frame, then its memory). */
void wv_native_instance_free(struct wv_native_instance *inst);
/* Its linear memory: the bytes, *size their count. */
uint8_t *wv_native_memory(struct wv_native_instance *inst, uint64_t *size);

/* The export `name` of the image, with its parameter and result counts (from its
 * signature), or 0. */
const struct wv_native_export *wv_native_find_export(const struct wv_native_image *img, const char *name,
                                                     uint32_t *params, uint32_t *results);
/* Call export `e` of `inst`: args[k] is parameter k (an i32 zero-extended). 0 with
 * *result set (when result is not 0), or -1 with *err naming the trap. Nests: each call
 * saves and restores this CPU's call depth and unwind frame. */
int wv_native_call(struct wv_native_instance *inst, const struct wv_native_export *e,
                   const uint64_t *args, uint64_t *result, const char **err);
/* The text of a wasm-rt trap code. */
const char *wv_native_trap_text(uint32_t code);

#endif
