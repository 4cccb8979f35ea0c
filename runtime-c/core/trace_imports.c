/* The `wv` imports behind recording wrappers, for a tracing image (wv_trace.h): each calls
 * the very function wv_import_fns lists, so the checks are those of every image, then
 * records its arguments and result (docs/replay.md). guest_read also records the Wasm
 * memory it wrote: a replay has no guest to read. Names, signatures and order come from
 * WV_IMPORT_LIST, as wv_import_fns's; the trace file's header lists them, so a record's
 * index names one. */
#include "wv_trace.h"
#include "wv_imports.h"

#define INDEX(name, sig) I_##name,
enum { WV_IMPORT_LIST(INDEX) I_COUNT };
#undef INDEX

#define REC(name, result, ...)                                                                  \
    do {                                                                                        \
        const uint64_t a_[] = { __VA_ARGS__ };                                                  \
        wv_trace_import(ctx, I_##name, a_ + 1, sizeof a_ / sizeof a_[0] - 1, (result), 0, 0);   \
    } while (0)

/* Wrappers by result type: R the C result, then the parameters as declared. */
#define W0(R, name)                                                                             \
    static R t_##name(struct wv_import_ctx *ctx)                                                \
    { R r = wv_imp_##name(ctx); REC(name, r, 0); return r; }
#define W1(R, name, A)                                                                          \
    static R t_##name(struct wv_import_ctx *ctx, A a)                                           \
    { R r = wv_imp_##name(ctx, a); REC(name, r, 0, a); return r; }
#define W2(R, name, A, B)                                                                       \
    static R t_##name(struct wv_import_ctx *ctx, A a, B b)                                      \
    { R r = wv_imp_##name(ctx, a, b); REC(name, r, 0, a, b); return r; }
#define W3(R, name, A, B, C)                                                                    \
    static R t_##name(struct wv_import_ctx *ctx, A a, B b, C c)                                 \
    { R r = wv_imp_##name(ctx, a, b, c); REC(name, r, 0, a, b, c); return r; }
#define W4(R, name, A, B, C, D)                                                                 \
    static R t_##name(struct wv_import_ctx *ctx, A a, B b, C c, D d)                            \
    { R r = wv_imp_##name(ctx, a, b, c, d); REC(name, r, 0, a, b, c, d); return r; }

typedef uint32_t i32;
typedef uint64_t i64;

static void t_console_write(struct wv_import_ctx *ctx, i32 ptr, i32 len)
{
    wv_imp_console_write(ctx, ptr, len);
    REC(console_write, 0, 0, ptr, len);
}
W0(i64, now)
W0(i64, counter_freq)
W0(i32, s2_table_new)
W4(i32, s2_set_entry, i32, i32, i32, i64)
W2(i32, s2_activate, i32, i32)
static i32 t_guest_read(struct wv_import_ctx *ctx, i64 ipa, i32 dst, i32 len)
{
    i32 r = wv_imp_guest_read(ctx, ipa, dst, len);
    const uint64_t a[] = { ipa, dst, len };
    wv_trace_import(ctx, I_guest_read, a, 3, r, dst, len);
    return r;
}
W3(i32, guest_write, i64, i32, i32)
W2(i64, image_load, i32, i64)
W3(i32, vcpu_boot, i32, i64, i64)
W3(i32, sysreg_write, i32, i32, i64)
W2(i64, sysreg_read, i32, i32)
static void t_vm_stop(struct wv_import_ctx *ctx)
{
    wv_imp_vm_stop(ctx);
    REC(vm_stop, 0, 0);
}
W1(i32, pcpu_of, i32)
W0(i32, lr_count)
W1(i64, lr_read, i32)
W2(i32, lr_write, i32, i64)
W1(i32, ich_hcr_write, i32)
W0(i64, ich_status)
W1(i32, vcpu_kick, i32)
W2(i32, irq_set, i32, i32)
W1(i64, pmu_read, i32)
W2(i32, pmu_write, i32, i64)
W2(i32, chan_send, i32, i32)

#define ENTRY(name, sig) { #name, sig, (void *)t_##name },
const struct wv_import_fn wv_trace_import_fns[] = { WV_IMPORT_LIST(ENTRY) };
#undef ENTRY

const size_t wv_trace_import_fn_count = sizeof wv_trace_import_fns / sizeof wv_trace_import_fns[0];
