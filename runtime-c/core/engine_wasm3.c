/* The wasm3 engine (wv_engine.h): each core instance interpreted by wasm3 in an
 * environment and runtime of its own, whose user data is the instance's import context
 * (the imports' adapters find it there: engine_wasm3_imports.c). wasm3 uses FP/SIMD
 * registers: every entry below that runs wasm3 code first spills the guest's
 * (arch/fpsimd.c; docs/abi.md, "FP/SIMD registers"). */
#include "wv_engine.h"
#include "wv_imports.h"
#include "wv_arch.h"
#include "wv_vcpu.h"
#include "wv_core.h"
#include "wasm3.h"
#include "m3_env.h"     /* M3Module's function table, read by uncompiled only */
#include <stdlib.h>

struct wasm3_instance {
    IM3Environment env;
    IM3Runtime rt;
    IM3Module mod;
};

static struct wasm3_instance *of(struct wv_engine_instance *e)
{
    return (struct wasm3_instance *)e;
}

static IM3Function function(const struct wv_engine_export *f)
{
    return (IM3Function)f;
}

/* wasm3's trap when a call finds no room left in the instance's Wasm stack (sized by
 * wv_core_stack_bytes): the one bound on call depth, named for what it means. */
static const char *trap_cause(M3Result r)
{
    return r == m3Err_trapStackOverflow ? "call depth limit reached: the core recursed too deep" : r;
}

/* A failed or retired instance is freed whole (runtime, its modules, environment):
 * modules are loaded again and again by live update, so nothing may leak. */
static void instance_free(struct wv_engine_instance *e)
{
    wv_fpsimd_spill();
    struct wasm3_instance *w = of(e);
    if (!w) return;
    if (w->rt) m3_FreeRuntime(w->rt);
    if (w->env) m3_FreeEnvironment(w->env);
    free(w);
}

static uint8_t *memory(struct wv_engine_instance *e, uint64_t *size)
{
    wv_fpsimd_spill();
    uint32_t n = 0;
    uint8_t *mem = m3_GetMemory(of(e)->rt, &n, 0);
    *size = n;
    return mem;
}

static uint8_t *import_memory(struct wv_import_ctx *ctx, uint64_t *size)
{
    return memory(ctx->engine_instance, size);
}

static struct wv_engine_instance *load(const struct wv_core_module *m, struct wv_import_ctx *ctx, const char **err)
{
    wv_fpsimd_spill();
    struct wasm3_instance *w = calloc(1, sizeof *w);
    if (!w) { *err = "out of memory"; return 0; }
    struct wv_engine_instance *e = (struct wv_engine_instance *)w;
    ctx->memory = import_memory;
    ctx->engine_instance = e;
    w->env = m3_NewEnvironment();
    if (!w->env) { *err = "out of memory (environment)"; instance_free(e); return 0; }
    w->rt = m3_NewRuntime(w->env, m->stack_bytes, ctx);
    if (!w->rt) { *err = "out of memory (runtime)"; instance_free(e); return 0; }
    M3Result r = m3_ParseModule(w->env, &w->mod, m->wasm, (uint32_t)m->wasm_len);
    if (!r) {
        r = m3_LoadModule(w->rt, w->mod);
        if (r) { m3_FreeModule(w->mod); w->mod = 0; }
    }
    if (!r) r = wv_engine_wasm3_link_imports(w->mod);
    /* Every function now, not at its first call: wasm3 otherwise compiles a function when
     * a call first reaches it, on the native stack at that call's depth (docs/architecture.md,
     * "The EL2 stacks"), and a live update's new instance on its VM's own CPU after the
     * hand-over (docs/live-update.md). */
    if (!r) r = m3_CompileModule(w->mod);
    if (r) { *err = r; instance_free(e); return 0; }
    return e;
}

static const struct wv_engine_export *find(struct wv_engine_instance *e, const char *name, uint32_t *params,
                                           uint32_t *results)
{
    wv_fpsimd_spill();
    IM3Function f;
    if (m3_FindFunction(&f, of(e)->rt, name)) return 0;
    if (params) *params = m3_GetArgCount(f);
    if (results) *results = m3_GetRetCount(f);
    return (const struct wv_engine_export *)f;
}

static int call(struct wv_engine_instance *e, const struct wv_engine_export *f, uint32_t argc,
                const int32_t *argv, int32_t *ret, const char **err)
{
    wv_fpsimd_spill();
    const void *args[WV_ENGINE_MAX_ARGS];
    if (argc > WV_ENGINE_MAX_ARGS) { *err = "too many arguments for a call into the core"; return -1; }
    for (uint32_t k = 0; k < argc; k++) args[k] = &argv[k];
    M3Result r = m3_Call(function(f), argc, argc ? args : 0);
    if (r) { *err = trap_cause(r); return -1; }
    if (ret) {
        const void *rets[1] = { ret };
        r = m3_GetResults(function(f), 1, rets);
        if (r) { *err = r; return -1; }
    }
    return 0;
}

static uint64_t time_calls(struct wv_engine_instance *e, const struct wv_engine_export *f, uint32_t n)
{
    wv_fpsimd_spill();
    isb();
    uint64_t t0 = read_sysreg(cntpct_el0);
    for (uint32_t i = 0; i < n; i++) m3_Call(function(f), 0, 0);
    isb();
    uint64_t t1 = read_sysreg(cntpct_el0);
    return t1 - t0;
}

static uint32_t uncompiled(struct wv_engine_instance *e)
{
    IM3Module m = of(e)->mod;
    uint32_t n = 0;
    for (uint32_t i = 0; m && i < m->numFunctions; i++)
        if (m->functions[i].wasm && !m->functions[i].compiled) n++;
    return n;
}

const struct wv_engine wv_engine_wasm3 = {
    .name = "wasm3",
    .fixed_memory = 0,          /* wasm3 reallocates it on memory.grow */
    .load = load,
    .free = instance_free,
    .find = find,
    .call = call,
    .memory = memory,
    .time_calls = time_calls,
    .uncompiled = uncompiled,
};
