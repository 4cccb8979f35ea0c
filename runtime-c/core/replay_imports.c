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
#include <stddef.h>
#include <string.h>

#define INDEX(name, sig) I_##name,
enum { WV_IMPORT_LIST(INDEX) I_COUNT };
#undef INDEX

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

uint64_t wv_replay_serve(struct wv_import_ctx *ctx, uint32_t index, const uint64_t *args, uint32_t argc)
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
        if (mem && (uint64_t)want.out.addr + want.out.len <= size) memcpy(mem + want.out.addr, want.out.bytes, want.out.len);
        else if (!r->diverged) {
            r->diverged = 1;
            wv_snprintf(r->why, sizeof r->why, "import %u of the call: its recorded memory (%u bytes at 0x%x) lies outside the memory",
                        r->served, want.out.len, want.out.addr);
        }
    }
    return want.result;
}

#define SERVE(name, ...)                                                                        \
    ({                                                                                          \
        const uint64_t a_[] = { __VA_ARGS__ };                                                  \
        wv_replay_serve(ctx, I_##name, a_ + 1, sizeof a_ / sizeof a_[0] - 1);                   \
    })

/* Replay imports by result type: R the C result, then the parameters as declared. */
#define R0(R, name)                                                                             \
    static R r_##name(struct wv_import_ctx *ctx) { return (R)SERVE(name, 0); }
#define R1(R, name, A)                                                                          \
    static R r_##name(struct wv_import_ctx *ctx, A a) { return (R)SERVE(name, 0, a); }
#define R2(R, name, A, B)                                                                       \
    static R r_##name(struct wv_import_ctx *ctx, A a, B b) { return (R)SERVE(name, 0, a, b); }
#define R3(R, name, A, B, C)                                                                    \
    static R r_##name(struct wv_import_ctx *ctx, A a, B b, C c) { return (R)SERVE(name, 0, a, b, c); }
#define R4(R, name, A, B, C, D)                                                                 \
    static R r_##name(struct wv_import_ctx *ctx, A a, B b, C c, D d) { return (R)SERVE(name, 0, a, b, c, d); }

typedef uint32_t i32;
typedef uint64_t i64;

static void r_console_write(struct wv_import_ctx *ctx, i32 ptr, i32 len) { SERVE(console_write, 0, ptr, len); }
R0(i64, now)
R0(i64, counter_freq)
R0(i32, s2_table_new)
R4(i32, s2_set_entry, i32, i32, i32, i64)
R2(i32, s2_activate, i32, i32)
R3(i32, guest_read, i64, i32, i32)
R3(i32, guest_write, i64, i32, i32)
R2(i64, image_load, i32, i64)
R3(i32, vcpu_boot, i32, i64, i64)
R3(i32, sysreg_write, i32, i32, i64)
R2(i64, sysreg_read, i32, i32)
static void r_vm_stop(struct wv_import_ctx *ctx) { SERVE(vm_stop, 0); }
R1(i32, pcpu_of, i32)
R0(i32, lr_count)
R1(i64, lr_read, i32)
R2(i32, lr_write, i32, i64)
R1(i32, ich_hcr_write, i32)
R0(i64, ich_status)
R1(i32, vcpu_kick, i32)
R2(i32, irq_set, i32, i32)
R1(i64, pmu_read, i32)
R2(i32, pmu_write, i32, i64)
R2(i32, chan_send, i32, i32)

#define ENTRY(name, sig) { #name, sig, (void *)r_##name },
const struct wv_import_fn wv_replay_import_fns[] = { WV_IMPORT_LIST(ENTRY) };
#undef ENTRY

const size_t wv_replay_import_fn_count = sizeof wv_replay_import_fns / sizeof wv_replay_import_fns[0];
