/* The `wv` imports of a replay image (wv_replay.h, docs/replay.md "Replay at EL2"): each
 * answers from the recording instead of acting. The import the core calls must be the
 * next one recorded in the call, with the recorded arguments; its recorded memory (what
 * guest_read wrote) is written and its recorded result returned. The first that differs
 * is noted in the instance's replay context, and from then on the call runs to its end on
 * recorded results without checks (an import cannot stop a call) and is reported when it
 * returns. Names, signatures and order come from WV_IMPORT_LIST, as wv_import_fns's and
 * the trace's (import_table.c binds this table in a replay image). */
#include "wv_replay.h"
#include "wv_imports.h"
#include "wv_console.h"
#include "wv_validate.h"
#include <stddef.h>
#include <string.h>

static struct wv_replay_ctx *of(struct wv_import_ctx *ctx)
{
    return (struct wv_replay_ctx *)((char *)ctx - offsetof(struct wv_replay_ctx, ctx));
}

void wv_replay_show_import(char *buf, size_t cap, uint32_t index, const uint64_t *args, uint32_t argc)
{
    int n = index < wv_import_fn_count ? wv_snprintf(buf, cap, "%s(", wv_import_fns[index].name)
                                       : wv_snprintf(buf, cap, "import #%u(", index);
    for (uint32_t k = 0; k < argc && n >= 0 && (size_t)n < cap; k++)
        n += wv_snprintf(buf + n, cap - (size_t)n, "%s0x%lx", k ? ", " : "", (unsigned long)args[k]);
    if (n >= 0 && (size_t)n < cap) wv_snprintf(buf + n, cap - (size_t)n, ")");
}

static void diverge(struct wv_replay_ctx *r, uint32_t index, const uint64_t *args, uint32_t argc,
                    const struct wv_replay_import *want)
{
    char here[112], there[112];
    r->diverged = 1;
    wv_replay_show_import(here, sizeof here, index, args, argc);
    if (!want) {
        wv_snprintf(r->why, sizeof r->why, "the core called %s, the recorded core made no more imports in this call",
                    here);
        return;
    }
    wv_replay_show_import(there, sizeof there, want->index, want->args, want->argc);
    wv_snprintf(r->why, sizeof r->why, "import %u of the call: the core called %s, the recording has %s",
                r->served + 1, here, there);
}

/* Import `index` called with `args`: checked against the next recorded import (index
 * and arguments), its recorded memory written, its recorded result returned. */
static uint64_t serve(struct wv_import_ctx *ctx, uint32_t index, const uint64_t *args, uint32_t argc)
{
    struct wv_replay_ctx *r = of(ctx);
    const struct wv_replay_call *c = r->call;
    if (!c || r->served >= c->import_count) {
        if (!r->diverged) diverge(r, index, args, argc, 0);
        return 0;
    }
    struct wv_replay_import want;
    r->next = wv_replay_import_at(r->next, &want);
    if (!r->diverged) {
        int same = want.index == index && want.argc == argc;
        for (uint32_t k = 0; same && k < argc; k++) same = want.args[k] == args[k];
        if (!same) diverge(r, index, args, argc, &want);
    }
    r->served++;
    if (want.out.len) {
        uint64_t size = 0;
        uint8_t *mem = ctx->memory(ctx, &size);
        if (mem && wv_wasm_range_ok(want.out.addr, want.out.len, size)) memcpy(mem + want.out.addr, want.out.bytes, want.out.len);
        else if (!r->diverged) {
            r->diverged = 1;
            wv_snprintf(r->why, sizeof r->why, "import %u of the call: its recorded memory (%u bytes at 0x%x) lies outside the memory",
                        r->served, want.out.len, want.out.addr);
        }
    }
    return want.result;
}

#define RETURN_void(r) (void)(r)
#define RETURN_i32(r) return (uint32_t)(r)
#define RETURN_i64(r) return (r)

#define ANSWERING(name, R, ...)                                                                 \
    static WV_IMPORT_T_##R r_##name(WV_IMPORT_PARAMS(__VA_ARGS__))                              \
    {                                                                                           \
        const uint64_t a_[] = { 0 WV_IMPORT_ARGS(__VA_ARGS__) };                                \
        const uint64_t r_ = serve(ctx, WV_I_##name, a_ + 1, WV_IMPORT_NARGS(__VA_ARGS__)); \
        RETURN_##R(r_);                                                                         \
    }
WV_IMPORT_LIST(ANSWERING)
#undef ANSWERING

#define ENTRY(name, R, ...) { #name, WV_IMPORT_SIG(R, ##__VA_ARGS__), (void *)r_##name },
const struct wv_import_fn wv_replay_import_fns[] = { WV_IMPORT_LIST(ENTRY) };
#undef ENTRY

const size_t wv_replay_import_fn_count = sizeof wv_replay_import_fns / sizeof wv_replay_import_fns[0];
