/* The native engine (wv_engine.h): instances of a core module's native part, the module
 * translated by wasm2c and compiled ahead of time (docs/native-tier.md). The image was
 * checked, relocated, mapped W^X and bound to wv_import_bind_table() when it was loaded
 * (native_load.c); here are only its instances and the calls into them (native_run.c).
 * Native code never touches FP/SIMD registers (built -mgeneral-regs-only), so unlike
 * wasm3 nothing of the guest's is spilled on the way in. */
#include "wv_engine.h"
#include "wv_core.h"
#include "wv_imports.h"
#include "wv_native_run.h"
#include "wv_arch.h"

/* wv_core.h: the module's native part checked and loaded, bound to the table the image
 * binds (a tracing image's recording wrappers, a replay image's answering ones, else the
 * imports themselves). */
int wv_core_load_native(struct wv_core_module *m, const uint8_t *part, size_t len, char *why, size_t cap)
{
    return wv_native_load(part, len, m->wasm, m->wasm_len, wv_import_bind_table(), wv_import_fn_count, &wv_native_rt,
                          &m->native, why, cap);
}

static struct wv_native_instance *of(struct wv_engine_instance *e)
{
    return (struct wv_native_instance *)e;
}

static uint8_t *memory(struct wv_engine_instance *e, uint64_t *size)
{
    return wv_native_memory(of(e), size);
}

static uint8_t *import_memory(struct wv_import_ctx *ctx, uint64_t *size)
{
    return memory(ctx->engine_instance, size);
}

static struct wv_engine_instance *load(const struct wv_core_module *m, struct wv_import_ctx *ctx, const char **err)
{
    if (!m->native) { *err = "the module has no native part"; return 0; }
    ctx->memory = import_memory;
    ctx->engine_instance = 0;
    struct wv_native_instance *inst = wv_native_instance_new(m->native, ctx, err);
    if (!inst) return 0;
    ctx->engine_instance = (struct wv_engine_instance *)inst;
    return ctx->engine_instance;
}

static void instance_free(struct wv_engine_instance *e)
{
    if (e) wv_native_instance_free(of(e));
}

static const struct wv_engine_export *find(struct wv_engine_instance *e, const char *name, uint32_t *params,
                                           uint32_t *results)
{
    return (const struct wv_engine_export *)wv_native_find_export(of(e)->image, name, params, results);
}

static int call(struct wv_engine_instance *e, const struct wv_engine_export *f, uint32_t argc,
                const int32_t *argv, int32_t *ret, const char **err)
{
    uint64_t args[WV_ENGINE_MAX_ARGS], result = 0;
    if (argc > WV_ENGINE_MAX_ARGS) { *err = "too many arguments for a call into the core"; return -1; }
    for (uint32_t k = 0; k < argc; k++) args[k] = (uint32_t)argv[k];     /* an i32 zero-extended */
    if (wv_native_call(of(e), (const struct wv_native_export *)f, args, &result, err)) return -1;
    if (ret) *ret = (int32_t)(uint32_t)result;
    return 0;
}

static uint64_t time_calls(struct wv_engine_instance *e, const struct wv_engine_export *f, uint32_t n)
{
    const char *err = 0;
    isb();
    uint64_t t0 = read_sysreg(cntpct_el0);
    for (uint32_t i = 0; i < n; i++) wv_native_call(of(e), (const struct wv_native_export *)f, 0, 0, &err);
    isb();
    uint64_t t1 = read_sysreg(cntpct_el0);
    return t1 - t0;
}

/* Compiled ahead of time: nothing is left to compile at a first call. */
static uint32_t uncompiled(struct wv_engine_instance *e)
{
    return 0;
}

const struct wv_engine wv_engine_native = {
    .name = "native",
    .fixed_memory = 1,          /* runtime-c/native/rt.c grows it in place */
    .load = load,
    .free = instance_free,
    .find = find,
    .call = call,
    .memory = memory,
    .time_calls = time_calls,
    .uncompiled = uncompiled,
};
