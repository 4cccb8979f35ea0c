/* The `wv` imports behind recording wrappers, for a tracing image (wv_trace.h): each calls
 * the very function wv_import_fns lists, so the checks are those of every image, then
 * records its arguments and result (docs/replay.md; what guest_read wrote too: a replay
 * has no guest to read, wv_trace_import). Made from WV_IMPORT_LIST, as wv_import_fns is,
 * in the same order: the trace file's header lists them, so a record's index names one. */
#include "wv_trace.h"
#include "wv_imports.h"

/* A void import's result is recorded as 0. */
#define RESULT_void(call) ((call), 0)
#define RESULT_i32(call) (call)
#define RESULT_i64(call) (call)
#define RETURN_void(r) (void)(r)
#define RETURN_i32(r) return (uint32_t)(r)
#define RETURN_i64(r) return (r)

#define RECORDING(name, R, ...)                                                                 \
    static WV_IMPORT_T_##R t_##name(WV_IMPORT_PARAMS(__VA_ARGS__))                              \
    {                                                                                           \
        const uint64_t a_[] = { 0 WV_IMPORT_ARGS(__VA_ARGS__) };                                \
        const uint64_t r_ = RESULT_##R(wv_imp_##name(ctx WV_IMPORT_ARGS(__VA_ARGS__)));         \
        wv_trace_import(ctx, WV_I_##name, a_ + 1, WV_IMPORT_NARGS(__VA_ARGS__), r_);            \
        RETURN_##R(r_);                                                                         \
    }
WV_IMPORT_LIST(RECORDING)
#undef RECORDING

#define ENTRY(name, R, ...) { #name, WV_IMPORT_SIG(R, ##__VA_ARGS__), (void *)t_##name },
const struct wv_import_fn wv_trace_import_fns[] = { WV_IMPORT_LIST(ENTRY) };
#undef ENTRY
