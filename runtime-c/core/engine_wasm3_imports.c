/* Binds the `wv` imports (wv_import_fns, import_table.c) into a wasm3 module. wasm3 calls
 * a host function with its arguments on the instance's Wasm stack; one adapter per
 * import reads them off it, calls the import function the link handed it as user
 * data, and writes the result back. The import functions themselves know nothing of
 * wasm3: their instance (the runtime's user data) reaches its memory through the
 * context (wv_imports.h). */
#include "wv_engine.h"
#include "wv_imports.h"
#include "wv_trace.h"
#include "wasm3.h"

#define CTX()       ((struct wv_import_ctx *)m3_GetUserData(runtime))

/* One adapter per import, made from WV_IMPORT_LIST: the arguments off the Wasm stack
 * (m3ApiGetArg, in order), the function the link handed it as user data called with
 * them as the list types it (the table bound, wv_import_bind_table(), has that type at
 * that index: the import itself, or its recording or answering wrapper), and its result
 * back on the stack. */
#define GET0()
#define GET1(A) m3ApiGetArg(WV_IMPORT_T_##A, a0);
#define GET2(A, B) GET1(A) m3ApiGetArg(WV_IMPORT_T_##B, a1);
#define GET3(A, B, C) GET2(A, B) m3ApiGetArg(WV_IMPORT_T_##C, a2);
#define GET4(A, B, C, D) GET3(A, B, C) m3ApiGetArg(WV_IMPORT_T_##D, a3);
#define GET(...) WV_IMPORT_CAT(GET, WV_IMPORT_NARGS(__VA_ARGS__))(__VA_ARGS__)
#define RETURN_TYPE_void
#define RETURN_TYPE_i32 m3ApiReturnType(uint32_t);
#define RETURN_TYPE_i64 m3ApiReturnType(uint64_t);
#define RETURN_void(call) call; m3ApiSuccess()
#define RETURN_i32(call) m3ApiReturn(call)
#define RETURN_i64(call) m3ApiReturn(call)

#define ADAPTER(name, R, ...)                                                                   \
    static m3ApiRawFunction(adapt_##name)                                                       \
    {                                                                                           \
        RETURN_TYPE_##R                                                                         \
        GET(__VA_ARGS__)                                                                        \
        RETURN_##R(((WV_IMPORT_FN_TYPE(R, ##__VA_ARGS__))_ctx->userdata)(CTX() WV_IMPORT_ARGS(__VA_ARGS__))); \
    }
WV_IMPORT_LIST(ADAPTER)
#undef ADAPTER

#define ENTRY(name, R, ...) adapt_##name,
static const M3RawCall adapters[WV_IMPORT_COUNT] = { WV_IMPORT_LIST(ENTRY) };
#undef ENTRY

const char *wv_engine_wasm3_link_imports(IM3Module module)
{
    const struct wv_import_fn *fns = wv_import_bind_table();
    for (size_t i = 0; i < WV_IMPORT_COUNT; i++) {
        const struct wv_import_fn *f = &fns[i];
        /* An import the module does not use is fine; a signature mismatch is an error. */
        M3Result r = m3_LinkRawFunctionEx(module, "wv", f->name, f->sig, adapters[i], f->fn);
        if (r && r != m3Err_functionLookupFailed) return r;
    }
    return 0;
}
