/* Binds the `wv` imports (wv_import_fns, import_table.c) into a wasm3 module. wasm3 calls
 * a host function with its arguments on the instance's Wasm stack; one adapter per
 * signature reads them off it, calls the import function the link handed it as user
 * data, and writes the result back. The import functions themselves know nothing of
 * wasm3: their instance (the runtime's user data) reaches its memory through the
 * context (wv_imports.h). */
#include "wv_engine.h"
#include "wv_imports.h"
#include "wv_trace.h"
#include "wasm3.h"
#include <string.h>

#define CTX()       ((struct wv_import_ctx *)m3_GetUserData(runtime))

/* The C type of an import function of each signature (wv_imports.h: i32 is uint32_t,
 * i64 is uint64_t), named after it: fn_i_iiiI is "i(iiiI)". */
typedef void (*fn_v_)(struct wv_import_ctx *);
typedef void (*fn_v_ii)(struct wv_import_ctx *, uint32_t, uint32_t);
typedef uint32_t (*fn_i_)(struct wv_import_ctx *);
typedef uint32_t (*fn_i_i)(struct wv_import_ctx *, uint32_t);
typedef uint32_t (*fn_i_ii)(struct wv_import_ctx *, uint32_t, uint32_t);
typedef uint32_t (*fn_i_iI)(struct wv_import_ctx *, uint32_t, uint64_t);
typedef uint32_t (*fn_i_iiI)(struct wv_import_ctx *, uint32_t, uint32_t, uint64_t);
typedef uint32_t (*fn_i_iII)(struct wv_import_ctx *, uint32_t, uint64_t, uint64_t);
typedef uint32_t (*fn_i_iiiI)(struct wv_import_ctx *, uint32_t, uint32_t, uint32_t, uint64_t);
typedef uint32_t (*fn_i_Iii)(struct wv_import_ctx *, uint64_t, uint32_t, uint32_t);
typedef uint64_t (*fn_I_)(struct wv_import_ctx *);
typedef uint64_t (*fn_I_i)(struct wv_import_ctx *, uint32_t);
typedef uint64_t (*fn_I_ii)(struct wv_import_ctx *, uint32_t, uint32_t);
typedef uint64_t (*fn_I_iI)(struct wv_import_ctx *, uint32_t, uint64_t);

#define FN(type)    ((type)_ctx->userdata)

static m3ApiRawFunction(call_v_)
{
    FN(fn_v_)(CTX());
    m3ApiSuccess();
}

static m3ApiRawFunction(call_v_ii)
{
    m3ApiGetArg(uint32_t, a);
    m3ApiGetArg(uint32_t, b);
    FN(fn_v_ii)(CTX(), a, b);
    m3ApiSuccess();
}

static m3ApiRawFunction(call_i_)
{
    m3ApiReturnType(uint32_t);
    m3ApiReturn(FN(fn_i_)(CTX()));
}

static m3ApiRawFunction(call_i_i)
{
    m3ApiReturnType(uint32_t);
    m3ApiGetArg(uint32_t, a);
    m3ApiReturn(FN(fn_i_i)(CTX(), a));
}

static m3ApiRawFunction(call_i_ii)
{
    m3ApiReturnType(uint32_t);
    m3ApiGetArg(uint32_t, a);
    m3ApiGetArg(uint32_t, b);
    m3ApiReturn(FN(fn_i_ii)(CTX(), a, b));
}

static m3ApiRawFunction(call_i_iI)
{
    m3ApiReturnType(uint32_t);
    m3ApiGetArg(uint32_t, a);
    m3ApiGetArg(uint64_t, b);
    m3ApiReturn(FN(fn_i_iI)(CTX(), a, b));
}

static m3ApiRawFunction(call_i_iiI)
{
    m3ApiReturnType(uint32_t);
    m3ApiGetArg(uint32_t, a);
    m3ApiGetArg(uint32_t, b);
    m3ApiGetArg(uint64_t, c);
    m3ApiReturn(FN(fn_i_iiI)(CTX(), a, b, c));
}

static m3ApiRawFunction(call_i_iII)
{
    m3ApiReturnType(uint32_t);
    m3ApiGetArg(uint32_t, a);
    m3ApiGetArg(uint64_t, b);
    m3ApiGetArg(uint64_t, c);
    m3ApiReturn(FN(fn_i_iII)(CTX(), a, b, c));
}

static m3ApiRawFunction(call_i_iiiI)
{
    m3ApiReturnType(uint32_t);
    m3ApiGetArg(uint32_t, a);
    m3ApiGetArg(uint32_t, b);
    m3ApiGetArg(uint32_t, c);
    m3ApiGetArg(uint64_t, d);
    m3ApiReturn(FN(fn_i_iiiI)(CTX(), a, b, c, d));
}

static m3ApiRawFunction(call_i_Iii)
{
    m3ApiReturnType(uint32_t);
    m3ApiGetArg(uint64_t, a);
    m3ApiGetArg(uint32_t, b);
    m3ApiGetArg(uint32_t, c);
    m3ApiReturn(FN(fn_i_Iii)(CTX(), a, b, c));
}

static m3ApiRawFunction(call_I_)
{
    m3ApiReturnType(uint64_t);
    m3ApiReturn(FN(fn_I_)(CTX()));
}

static m3ApiRawFunction(call_I_i)
{
    m3ApiReturnType(uint64_t);
    m3ApiGetArg(uint32_t, a);
    m3ApiReturn(FN(fn_I_i)(CTX(), a));
}

static m3ApiRawFunction(call_I_ii)
{
    m3ApiReturnType(uint64_t);
    m3ApiGetArg(uint32_t, a);
    m3ApiGetArg(uint32_t, b);
    m3ApiReturn(FN(fn_I_ii)(CTX(), a, b));
}

static m3ApiRawFunction(call_I_iI)
{
    m3ApiReturnType(uint64_t);
    m3ApiGetArg(uint32_t, a);
    m3ApiGetArg(uint64_t, b);
    m3ApiReturn(FN(fn_I_iI)(CTX(), a, b));
}

static const struct { const char *sig; M3RawCall call; } adapters[] = {
    { "v()", call_v_ }, { "v(ii)", call_v_ii },
    { "i()", call_i_ }, { "i(i)", call_i_i }, { "i(ii)", call_i_ii }, { "i(iI)", call_i_iI },
    { "i(iiI)", call_i_iiI }, { "i(iII)", call_i_iII }, { "i(iiiI)", call_i_iiiI }, { "i(Iii)", call_i_Iii },
    { "I()", call_I_ }, { "I(i)", call_I_i }, { "I(ii)", call_I_ii }, { "I(iI)", call_I_iI },
};

static M3RawCall adapter_for(const char *sig)
{
    for (size_t i = 0; i < sizeof adapters / sizeof adapters[0]; i++)
        if (!strcmp(adapters[i].sig, sig)) return adapters[i].call;
    return 0;
}

const char *wv_engine_wasm3_link_imports(IM3Module module)
{
    const struct wv_import_fn *fns = wv_import_bind_table();
    for (size_t i = 0; i < wv_import_fn_count; i++) {
        const struct wv_import_fn *f = &fns[i];
        M3RawCall call = adapter_for(f->sig);
        if (!call) return "an import's signature has no wasm3 adapter";
        /* An import the module does not use is fine; a signature mismatch is an error. */
        M3Result r = m3_LinkRawFunctionEx(module, "wv", f->name, f->sig, call, f->fn);
        if (r && r != m3Err_functionLookupFailed) return r;
    }
    return 0;
}
