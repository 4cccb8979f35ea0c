/* Every `wv` import of the core module by name and signature (docs/abi.md 2, 4, 6):
 * the one list each engine binds an instance's imports from (wv_imports.h), so that
 * every engine's instances call the same checked functions. The signatures are those
 * the core declares (assembly/abi/); an engine refuses a module that imports one of
 * these names with another signature. */
#include "wv_imports.h"
#include "wv_trace.h"
#include "wv_replay.h"

/* Each function's prototype (wv_imports.h) has the types the list gives it. */
#define SAME_TYPE(name, R, ...)                                                                 \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&wv_imp_##name), WV_IMPORT_FN_TYPE(R, ##__VA_ARGS__)), \
                   "wv_imp_" #name " has other types than WV_IMPORT_LIST gives it");
WV_IMPORT_LIST(SAME_TYPE)
#undef SAME_TYPE

#define ENTRY(name, R, ...) { #name, WV_IMPORT_SIG(R, ##__VA_ARGS__), (void *)wv_imp_##name },
const struct wv_import_fn wv_import_fns[] = { WV_IMPORT_LIST(ENTRY) };
#undef ENTRY

const size_t wv_import_fn_count = sizeof wv_import_fns / sizeof wv_import_fns[0];

/* A tracing image binds the recording wrappers: the same list (WV_IMPORT_LIST), each
 * calling the function wv_import_fns names, in the same order the trace file indexes. A
 * replay image binds the imports that answer from a trace (replay_imports.c), the same
 * list again. */
const struct wv_import_fn *wv_import_bind_table(void)
{
    if (wv_replay_enabled) return wv_replay_import_fns;
    return wv_trace_enabled ? wv_trace_import_fns : wv_import_fns;
}
