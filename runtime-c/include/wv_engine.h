/* An engine runs the code of core instances (docs/architecture.md, "Engines"). The host
 * (wasm_host.c) keeps what does not depend on how the code runs: the instances, their
 * locks, the exit record, the ABI checks, saved state, buffers. It reaches a module's code
 * and memory only through one of these tables; each engine is one file implementing it,
 * and each instance records the engine that runs it. */
#ifndef WV_ENGINE_H
#define WV_ENGINE_H
#include <stdint.h>
#include <stddef.h>

struct wv_import_ctx;
struct wv_core_module;
struct wv_engine_instance;      /* an engine's instance of a module: its own type, opaque here */
struct wv_engine_export;        /* an exported function an engine found: likewise */

#define WV_ENGINE_MAX_ARGS  3u  /* i32 arguments of a call (wv_init's three are the most) */

struct wv_engine {
    const char *name;
    /* 1 when an instance's linear memory never moves once loaded (memory.grow grows it
     * in place or fails): the vCPUs' exit records in it can then be their register
     * frames, shared in place (wasm_host.c, docs/abi.md 2). */
    int fixed_memory;
    /* A new instance of module `m` (wv_core.h: checked, with its Wasm stack size and, for
     * the native engine, its loaded native part), with every import bound from
     * wv_import_bind_table() and every function compiled; its start function is not run. Its
     * imports act through `ctx`, whose `memory` and `engine_instance` it sets. 0 with
     * *err set when it fails (nothing is left allocated). */
    struct wv_engine_instance *(*load)(const struct wv_core_module *m, struct wv_import_ctx *ctx, const char **err);
    void (*free)(struct wv_engine_instance *e);
    /* The exported function `name`, or 0 when the module exports none by that name;
     * *params and *results, when given, get its parameter and result counts. */
    const struct wv_engine_export *(*find)(struct wv_engine_instance *e, const char *name, uint32_t *params,
                                           uint32_t *results);
    /* Call `f` with `argc` i32 arguments (at most WV_ENGINE_MAX_ARGS) and, when `ret` is
     * given, take its one i32 result. 0, or -1 with *err saying why (a trap: what it was). */
    int (*call)(struct wv_engine_instance *e, const struct wv_engine_export *f, uint32_t argc,
                const int32_t *argv, int32_t *ret, const char **err);
    /* The linear memory: its bytes (0 when it has none) and their count in *size. Asked
     * at each use, never kept, unless `fixed_memory`: else memory.grow may move it. */
    uint8_t *(*memory)(struct wv_engine_instance *e, uint64_t *size);
    /* Counter ticks (CNTPCT_EL0) spent by `n` calls of `f`, which takes and gives nothing:
     * the cost of a call into the core. */
    uint64_t (*time_calls)(struct wv_engine_instance *e, const struct wv_engine_export *f, uint32_t n);
    /* Functions of the module not compiled yet: 0 once loaded (a function compiled at its
     * first call would be compiled on the stack of that call). */
    uint32_t (*uncompiled)(struct wv_engine_instance *e);
};

/* engine_wasm3.c: the wasm3 interpreter. */
extern const struct wv_engine wv_engine_wasm3;
/* engine_native.c: a module's native part (native_load.c, native_run.c). */
extern const struct wv_engine wv_engine_native;
/* engine_wasm3_imports.c: bind wv_import_bind_table() into a wasm3 module; a wasm3 error or 0. */
struct M3Module;
const char *wv_engine_wasm3_link_imports(struct M3Module *module);

#endif
