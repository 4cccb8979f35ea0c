/* The recording engine (wv_trace.h, docs/replay.md): wraps the engine that really runs an
 * instance (native or wasm3) and records, per call, the export and its arguments, the
 * Wasm memory the runtime wrote for it beforehand, the call's end and the memory the
 * runtime reads back from it. wasm_host.c writes and reads that memory itself, so which
 * memory goes with which export is the ABI's (docs/abi.md 2, 6), known here by export
 * name: the exit record around wv_handle_exit, the config blob of wv_init and wv_reset,
 * the saved state of wv_restore and wv_save, the channel buffer of wv_chan_push, the VM
 * info record. Imports are recorded by their wrappers (trace_imports.c) into the stream
 * their context names. */
#include "wv_trace.h"
#include "wv_le.h"
#include "wv_engine.h"
#include "wv_imports.h"
#include "wv_core.h"
#include "wv_vm.h"
#include "wv_sha256.h"
#include <stdlib.h>
#include <string.h>

enum kind { K_OTHER, K_HANDLE_EXIT, K_BLOB, K_RESTORE, K_CHAN_PUSH, K_SAVE, K_VM_INFO, K_EXIT_RECORD, K_CHAN_BUFFER };

static const struct { const char *name; enum kind kind; } kinds[] = {
    { "wv_handle_exit", K_HANDLE_EXIT }, { "wv_init", K_BLOB }, { "wv_reset", K_BLOB },
    { "wv_restore", K_RESTORE }, { "wv_chan_push", K_CHAN_PUSH }, { "wv_save", K_SAVE },
    { "wv_save_as", K_SAVE }, { "wv_vm_info", K_VM_INFO }, { "wv_exit_record", K_EXIT_RECORD },
    { "wv_chan_buffer", K_CHAN_BUFFER },
};

#define MAX_EXPORTS 32u

struct texport {
    const struct wv_engine_export *inner;
    char name[48];          /* the core's exports have names of 30 characters at most */
    uint8_t name_len;
    enum kind kind;
};

struct tinst {
    const struct wv_engine *inner;
    struct wv_engine_instance *e;
    struct wv_trace_stream *s;
    uint32_t exit_rec, chan_buf;        /* learnt from wv_exit_record and wv_chan_buffer */
    uint32_t exports;
    struct texport found[MAX_EXPORTS];
};

static struct tinst *of(struct wv_engine_instance *e)
{
    return (struct tinst *)e;
}

/* A MEMIN or MEMOUT record of [addr, addr + len), when it lies inside the memory (the
 * runtime checks the same range before it touches it). */
static void mem_record(struct tinst *t, uint8_t type, uint32_t addr, uint32_t len)
{
    uint64_t size;
    uint8_t *mem = t->inner->memory(t->e, &size);
    if (!mem || (uint64_t)addr + len > size) return;
    uint8_t h[9];
    h[0] = type;
    wv_put32(h + 1, addr);
    wv_put32(h + 5, len);
    wv_trace_put(t->s, h, sizeof h, mem + addr, len);
}

/* The module's SHA-256, once per module: every instance of it names the same bytes. */
static void module_digest(const struct wv_core_module *m, uint8_t out[WV_SHA256_BYTES])
{
    static const uint8_t *last;
    static size_t last_len;
    static uint8_t digest[WV_SHA256_BYTES];
    if (m->wasm != last || m->wasm_len != last_len) {
        wv_sha256(m->wasm, m->wasm_len, digest);
        last = m->wasm;
        last_len = m->wasm_len;
    }
    memcpy(out, digest, WV_SHA256_BYTES);
}

static struct wv_engine_instance *load_with(const struct wv_engine *inner, const struct wv_core_module *m,
                                            struct wv_import_ctx *ctx, const char **err)
{
    struct tinst *t = calloc(1, sizeof *t);
    struct wv_trace_stream *s = t ? wv_trace_stream_new() : 0;
    if (!s) { free(t); *err = "out of memory (trace)"; return 0; }
    t->inner = inner;
    t->s = s;
    ctx->trace = s;
    t->e = inner->load(m, ctx, err);
    if (!t->e) { ctx->trace = 0; wv_trace_stream_free(s); free(t); return 0; }
    /* START: u32 VM index, u8 engine (0 wasm3, 1 native), u32 module length, its SHA-256. */
    uint8_t h[1 + 4 + 1 + 4 + WV_SHA256_BYTES];
    h[0] = WV_TR_START;
    wv_put32(h + 1, ctx->vm ? ctx->vm->index : 0xffffffffu);
    h[5] = inner == &wv_engine_native ? 1 : 0;
    wv_put32(h + 6, (uint32_t)m->wasm_len);
    module_digest(m, h + 10);
    wv_trace_put(s, h, sizeof h, 0, 0);
    wv_trace_flush(s);
    return (struct wv_engine_instance *)t;
}

static struct wv_engine_instance *load_native(const struct wv_core_module *m, struct wv_import_ctx *ctx, const char **err)
{
    return load_with(&wv_engine_native, m, ctx, err);
}

static struct wv_engine_instance *load_wasm3(const struct wv_core_module *m, struct wv_import_ctx *ctx, const char **err)
{
    return load_with(&wv_engine_wasm3, m, ctx, err);
}

static void instance_free(struct wv_engine_instance *e)
{
    struct tinst *t = of(e);
    if (!t) return;
    t->inner->free(t->e);
    wv_trace_stream_free(t->s);
    free(t);
}

static const struct wv_engine_export *find(struct wv_engine_instance *e, const char *name, uint32_t *params,
                                           uint32_t *results)
{
    struct tinst *t = of(e);
    for (uint32_t i = 0; i < t->exports; i++)
        if (!strcmp(t->found[i].name, name)) {
            if (params || results) t->inner->find(t->e, name, params, results);
            return (const struct wv_engine_export *)&t->found[i];
        }
    const struct wv_engine_export *f = t->inner->find(t->e, name, params, results);
    size_t len = strlen(name);
    if (!f || t->exports == MAX_EXPORTS || len >= sizeof t->found[0].name) return 0;   /* a dozen exports in all */
    struct texport *x = &t->found[t->exports++];
    x->inner = f;
    memcpy(x->name, name, len + 1);
    x->name_len = (uint8_t)len;
    x->kind = K_OTHER;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (!strcmp(kinds[k].name, name)) x->kind = kinds[k].kind;
    return (const struct wv_engine_export *)x;
}

static int call(struct wv_engine_instance *e, const struct wv_engine_export *f, uint32_t argc,
                const int32_t *argv, int32_t *ret, const char **err)
{
    struct tinst *t = of(e);
    const struct texport *x = (const struct texport *)f;
    /* CALL: u8 name length, the name, u8 argc, i32 arguments. */
    uint8_t h[3 + sizeof x->name + 4 * WV_ENGINE_MAX_ARGS];
    uint32_t n = argc > WV_ENGINE_MAX_ARGS ? WV_ENGINE_MAX_ARGS : argc;
    h[0] = WV_TR_CALL;
    h[1] = x->name_len;
    memcpy(h + 2, x->name, x->name_len);
    h[2 + x->name_len] = (uint8_t)n;
    for (uint32_t k = 0; k < n; k++) wv_put32(h + 3 + x->name_len + 4 * k, (uint32_t)argv[k]);
    wv_trace_put(t->s, h, 3 + x->name_len + 4 * n, 0, 0);
    /* wv_handle_exit(vcpu): that vCPU's exit record (docs/abi.md 2), vCPU 0's for an index
     * no VM has (the core refuses it reading none). */
    const uint32_t rec = t->exit_rec + (n == 1 && (uint32_t)argv[0] < EXIT_RECS_SIZE / EXIT_REC_SIZE
                                        ? (uint32_t)argv[0] * EXIT_REC_SIZE : 0);
    switch (x->kind) {
    case K_HANDLE_EXIT: mem_record(t, WV_TR_MEMIN, rec, EXIT_REC_SIZE); break;
    case K_BLOB: if (n >= 2) mem_record(t, WV_TR_MEMIN, (uint32_t)argv[n - 2], (uint32_t)argv[n - 1]); break;
    case K_RESTORE: if (n == 3) mem_record(t, WV_TR_MEMIN, (uint32_t)argv[0], (uint32_t)argv[1]); break;
    case K_CHAN_PUSH:
        if (n == 1 && argv[0] > 0 && (uint32_t)argv[0] <= WV_CHAN_IN_CAP)
            mem_record(t, WV_TR_MEMIN, t->chan_buf, (uint32_t)argv[0]);
        break;
    default: break;
    }
    int32_t result = 0;
    const char *why = 0;
    int rc = t->inner->call(t->e, x->inner, argc, argv, ret ? &result : 0, &why);
    if (ret) *ret = result;
    if (rc) *err = why;
    /* RET: u8 flags (bit 0 trapped, bit 1 has a result), i32 result, u16 length, the trap's text. */
    size_t why_len = rc && why ? strlen(why) : 0;
    if (why_len > 0xffff) why_len = 0xffff;
    uint8_t r[8];
    r[0] = WV_TR_RET;
    r[1] = (uint8_t)((rc ? 1 : 0) | (ret ? 2 : 0));
    wv_put32(r + 2, (uint32_t)result);
    r[6] = (uint8_t)why_len;
    r[7] = (uint8_t)(why_len >> 8);
    wv_trace_put(t->s, r, sizeof r, why, why_len);
    if (!rc) {
        switch (x->kind) {
        case K_HANDLE_EXIT: mem_record(t, WV_TR_MEMOUT, rec, EXIT_REC_SIZE); break;
        case K_SAVE: case K_VM_INFO:
            if (ret && result > 0 && n >= 2) mem_record(t, WV_TR_MEMOUT, (uint32_t)argv[0], (uint32_t)result);
            break;
        case K_EXIT_RECORD: if (ret) t->exit_rec = (uint32_t)result; break;
        case K_CHAN_BUFFER: if (ret) t->chan_buf = (uint32_t)result; break;
        default: break;
        }
    }
    wv_trace_flush(t->s);
    return rc;
}

void wv_trace_import(struct wv_import_ctx *ctx, uint32_t index, const uint64_t *args, uint32_t argc,
                     uint64_t result)
{
    struct wv_trace_stream *s = ctx->trace;
    if (!s) return;
    /* guest_read(ipa, dst, len) wrote [dst, dst + len) of Wasm memory: a replay has no
     * guest to read it from. */
    uint32_t out = 0, out_len = 0;
    if (index == WV_I_guest_read && argc == 3) { out = (uint32_t)args[1]; out_len = (uint32_t)args[2]; }
    /* IMPORT: u16 index, u8 argc, u64 arguments, u64 result, u32 out, u32 out length, the bytes. */
    uint8_t h[1 + 2 + 1 + 8 * 4 + 8 + 8];
    uint64_t size = 0;
    uint8_t *mem = out_len ? ctx->memory(ctx, &size) : 0;
    if (!mem || (uint64_t)out + out_len > size) out_len = 0;
    h[0] = WV_TR_IMPORT;
    h[1] = (uint8_t)index;
    h[2] = (uint8_t)(index >> 8);
    h[3] = (uint8_t)argc;
    size_t p = 4;
    for (uint32_t k = 0; k < argc && k < 4; k++, p += 8) wv_put64(h + p, args[k]);
    wv_put64(h + p, result);
    wv_put32(h + p + 8, out);
    wv_put32(h + p + 12, out_len);
    wv_trace_put(s, h, p + 16, out_len ? mem + out : 0, out_len);
}

static uint8_t *memory(struct wv_engine_instance *e, uint64_t *size)
{
    return of(e)->inner->memory(of(e)->e, size);
}

/* The bench's empty calls are not recorded: they change nothing a replay could see. */
static uint64_t time_calls(struct wv_engine_instance *e, const struct wv_engine_export *f, uint32_t n)
{
    return of(e)->inner->time_calls(of(e)->e, ((const struct texport *)f)->inner, n);
}

static uint32_t uncompiled(struct wv_engine_instance *e)
{
    return of(e)->inner->uncompiled(of(e)->e);
}

/* Named as the engine they wrap: what the runtime reports of an instance stays the same. */
static const struct wv_engine trace_native = {
    .name = "native", .fixed_memory = 1, .load = load_native, .free = instance_free, .find = find, .call = call,
    .memory = memory, .time_calls = time_calls, .uncompiled = uncompiled,
};
static const struct wv_engine trace_wasm3 = {
    .name = "wasm3", .fixed_memory = 0, .load = load_wasm3, .free = instance_free, .find = find, .call = call,
    .memory = memory, .time_calls = time_calls, .uncompiled = uncompiled,
};

const struct wv_engine *wv_trace_engine(const struct wv_engine *inner)
{
    return inner == &wv_engine_native ? &trace_native : &trace_wasm3;
}
