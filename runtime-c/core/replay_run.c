/* Replay at EL2 (wv_replay.h, docs/replay.md "Replay at EL2"): the trace file QEMU names
 * as the semihosting command line is read chunk by chunk (replay_in.c); each instance
 * stream recorded in it gets an instance of the image's core module on each engine, the
 * native part and wasm3, and each of its calls is made again on both: the memory the
 * runtime wrote in (MEMIN) written, the export called through the engine table, every
 * import answered from the recording (replay_imports.c), then trapped or not, the
 * result, every recorded import used and every byte the runtime read back (MEMOUT)
 * compared. The first divergence of an instance on an engine is reported and ends that
 * instance's replay on that engine; the other engine goes on. Streams are replayed as
 * their chunks come (a call once the next one begins), so only a call's bytes per stream
 * are held, never the file. */
#include "wv_replay.h"
#include "wv_trace.h"
#include "wv_engine.h"
#include "wv_core.h"
#include "wv_console.h"
#include "wv_sha256.h"
#include "wv_validate.h"
#include "wv_le.h"
#include "wv_semihosting.h"
#include <stdlib.h>
#include <string.h>

#define READ_BUF        (256u << 10)
#define MAX_STREAMS     256u
#define MAX_EXPORTS     32u
#define MODE_RB         1u
#define ENGINES         2u

enum { E_NATIVE, E_WASM3 };
static const struct wv_engine *const engines[ENGINES] = { &wv_engine_native, &wv_engine_wasm3 };

/* One stream on one engine. */
struct side {
    struct wv_engine_instance *e;
    struct wv_replay_ctx rc;
    uint32_t exports;
    struct { char name[48]; const struct wv_engine_export *f; } found[MAX_EXPORTS];
    int stopped;        /* diverged, or not loaded: no more calls */
    uint64_t calls, exits, imports;
};

struct stream {
    uint32_t id;
    int started, skipped, cut_short;
    struct wv_replay_start start;
    uint8_t *buf;                   /* its bytes not replayed yet: the current call's */
    size_t len, cap;
    uint64_t dropped;               /* stream bytes before buf[0] */
    uint32_t calls;                 /* calls parsed so far: the next one's number - 1 */
    struct side side[ENGINES];
};

struct tally {
    uint64_t calls, exits, imports;
    uint32_t diverged, instances;
};

static const struct wv_core_module *module;
static uint8_t module_sha[WV_SHA256_BYTES];
static struct stream *streams[MAX_STREAMS];
static struct tally tallies[ENGINES];
static uint32_t skipped;

static void __attribute__((noreturn)) finish(uint32_t status, const char *what)
{
    wv_printf("[wasmvisor] replay: end: %s\n", what);
    wv_semihost_exit(status);
}

static void __attribute__((noreturn)) bad_trace(const char *why)
{
    wv_printf("[wasmvisor] replay: bad trace: %s\n", why);
    finish(2, "the trace could not be replayed");
}

/* ---- the semihosting source ---- */

struct file { int64_t handle; };

static int64_t file_read(void *src, void *buf, size_t n)
{
    int64_t left = wv_semihost_read(((struct file *)src)->handle, buf, n);
    if (left < 0 || (uint64_t)left > n) return -1;
    return (int64_t)(n - (uint64_t)left);
}

/* ---- reporting ---- */

static const char *const exit_fields[] = { "pc", "spsr", "esr", "far", "hpfar" };

/* "byte 152 (x19)" of a 320-byte exit record (docs/abi.md 2, "Exit record"). */
static void field_name(char *buf, size_t cap, uint32_t off, uint32_t len)
{
    if (len != EXIT_REC_SIZE) { wv_snprintf(buf, cap, "byte %u", off); return; }
    if (off < EXIT_REC_PC) wv_snprintf(buf, cap, "byte %u (x%u)", off, off / 8);
    else if (off < EXIT_REC_VCPU) wv_snprintf(buf, cap, "byte %u (%s)", off, exit_fields[(off - EXIT_REC_PC) / 8]);
    else if (off < EXIT_REC_FLAGS) wv_snprintf(buf, cap, "byte %u (vcpu)", off);
    else if (off < EXIT_REC_CNTVCT) wv_snprintf(buf, cap, "byte %u (flags)", off);
    else if (off < EXIT_REC_INTID) wv_snprintf(buf, cap, "byte %u (cntvct)", off);
    else wv_snprintf(buf, cap, "byte %u (intid)", off);
}

/* A call of wv_handle_exit: an exit. */
static int is_exit(const struct wv_replay_call *c)
{
    return c->name_len == sizeof "wv_handle_exit" - 1 && !memcmp(c->name, "wv_handle_exit", c->name_len);
}

static void diverged(struct stream *s, uint32_t engine, const struct wv_replay_call *c, const char *what)
{
    struct side *d = &s->side[engine];
    char about[96] = "";
    struct wv_replay_mem m;
    if (c->memin_count && is_exit(c)) {
        wv_replay_mem_at(c->memin, &m);
        if (m.len == EXIT_REC_SIZE)
            wv_snprintf(about, sizeof about, " [ESR 0x%lx, PC 0x%lx, vCPU %u%s]", (unsigned long)wv_get64(m.bytes + EXIT_REC_ESR),
                        (unsigned long)wv_get64(m.bytes + EXIT_REC_PC), m.bytes[EXIT_REC_VCPU], (m.bytes[EXIT_REC_FLAGS] & 1) ? ", IRQ" : "");
    }
    char args[64] = "";
    for (uint32_t k = 0, n = 0; k < c->argc; k++)
        n += (uint32_t)wv_snprintf(args + n, sizeof args - n, "%s%d", k ? ", " : "", c->args[k]);
    wv_printf("[wasmvisor] replay: %s: divergence in instance %u (vm %d) at call %u, %.*s(%s): %s%s\n",
              engines[engine]->name, s->id, (int)s->start.vm, s->calls, (int)c->name_len, c->name, args, what, about);
    d->stopped = 1;
    tallies[engine].diverged++;
}

/* ---- one call on one engine ---- */

static const struct wv_engine_export *export_of(struct side *d, uint32_t engine, const struct wv_replay_call *c)
{
    for (uint32_t i = 0; i < d->exports; i++)
        if (!strncmp(d->found[i].name, c->name, c->name_len) && !d->found[i].name[c->name_len]) return d->found[i].f;
    char name[48];
    if (c->name_len >= sizeof name) return 0;
    memcpy(name, c->name, c->name_len);
    name[c->name_len] = 0;
    const struct wv_engine_export *f = engines[engine]->find(d->e, name, 0, 0);
    if (f && d->exports < MAX_EXPORTS) {
        memcpy(d->found[d->exports].name, name, c->name_len + 1);
        d->found[d->exports++].f = f;
    }
    return f;
}

/* The instance's bytes of recorded range `m` (memory written in or read back, `which`),
 * or 0 after reporting the range outside its memory. */
static uint8_t *range_of(struct stream *s, uint32_t engine, const struct wv_replay_call *c,
                         const struct wv_replay_mem *m, const char *which)
{
    uint64_t size;
    uint8_t *mem = engines[engine]->memory(s->side[engine].e, &size);
    if (mem && wv_wasm_range_ok(m->addr, m->len, size)) return mem + m->addr;
    char what[WV_REPLAY_WHY + 64];
    wv_snprintf(what, sizeof what, "memory %s (%u bytes at 0x%x) lies outside the instance's memory", which, m->len, m->addr);
    diverged(s, engine, c, what);
    return 0;
}

static void replay_on(struct stream *s, uint32_t engine, const struct wv_replay_call *c)
{
    struct side *d = &s->side[engine];
    const struct wv_engine *eng = engines[engine];
    char what[WV_REPLAY_WHY + 64];
    const struct wv_engine_export *f = export_of(d, engine, c);
    if (!f) { diverged(s, engine, c, "the module exports no such function"); return; }
    struct wv_replay_mem m;
    const uint8_t *p = c->memin;
    for (uint32_t i = 0; i < c->memin_count; i++) {
        p = wv_replay_mem_at(p, &m);
        uint8_t *at = range_of(s, engine, c, &m, "written in");
        if (!at) return;
        memcpy(at, m.bytes, m.len);
    }
    d->rc.call = c;
    d->rc.next = c->imports;
    d->rc.served = 0;
    d->rc.diverged = 0;
    int has_result = (c->ret_flags & 2) != 0, trapped_there = (c->ret_flags & 1) != 0;
    int32_t result = 0;
    const char *err = 0;
    int trapped = eng->call(d->e, f, c->argc, c->args, has_result ? &result : 0, &err) != 0;
    d->rc.call = 0;
    if (d->rc.diverged) { diverged(s, engine, c, d->rc.why); return; }
    if (trapped != trapped_there) {
        if (trapped) wv_snprintf(what, sizeof what, "the core trapped here (%s), not in the recording", err ? err : "?");
        else wv_snprintf(what, sizeof what, "the core trapped in the recording (%.*s), not here", (int)c->trap_len, c->trap);
        diverged(s, engine, c, what);
        return;
    }
    if (d->rc.served < c->import_count) {
        struct wv_replay_import want;
        wv_replay_import_at(d->rc.next, &want);      /* the first one the core did not make */
        char imp[112];
        wv_replay_show_import(imp, sizeof imp, want.index, want.args, want.argc);
        wv_snprintf(what, sizeof what, "the core made %u imports, the recording %u: the next was %s", d->rc.served,
                    c->import_count, imp);
        diverged(s, engine, c, what);
        return;
    }
    if (!trapped && has_result && result != c->ret_result) {
        wv_snprintf(what, sizeof what, "result %d here, %d in the recording", result, c->ret_result);
        diverged(s, engine, c, what);
        return;
    }
    p = c->memout;
    for (uint32_t i = 0; !trapped && i < c->memout_count; i++) {
        p = wv_replay_mem_at(p, &m);
        const uint8_t *at = range_of(s, engine, c, &m, "read back");
        if (!at) return;
        for (uint32_t k = 0; k < m.len; k++) {
            if (at[k] == m.bytes[k]) continue;
            char fld[32];
            field_name(fld, sizeof fld, k, m.len);
            wv_snprintf(what, sizeof what, "memory read back (%u bytes at 0x%x) differs at %s: 0x%x here, 0x%x in the recording",
                        m.len, m.addr, fld, at[k], m.bytes[k]);
            diverged(s, engine, c, what);
            return;
        }
    }
    d->calls++;
    d->imports += c->import_count;
    if (is_exit(c)) d->exits++;
}

/* ---- streams ---- */

static void start_stream(struct stream *s)
{
    if (s->start.wasm_len != module->wasm_len || memcmp(s->start.sha256, module_sha, WV_SHA256_BYTES)) {
        s->skipped = 1;
        skipped++;
        wv_printf("[wasmvisor] replay: instance %u (vm %d) ran another module (%u bytes, SHA-256 %02x%02x%02x%02x...), "
                  "which this image does not carry: skipped\n", s->id, (int)s->start.vm, s->start.wasm_len,
                  s->start.sha256[0], s->start.sha256[1], s->start.sha256[2], s->start.sha256[3]);
        return;
    }
    for (uint32_t k = 0; k < ENGINES; k++) {
        struct side *d = &s->side[k];
        const char *err = 0;
        d->rc.ctx.live = 1;
        tallies[k].instances++;
        d->e = engines[k]->load(module, &d->rc.ctx, &err);
        if (!d->e) {
            wv_printf("[wasmvisor] replay: %s: instance %u (vm %d) not loaded: %s\n", engines[k]->name, s->id,
                      (int)s->start.vm, err ? err : "?");
            d->stopped = 1;
            tallies[k].diverged++;
        }
    }
}

/* Replay the whole calls in the stream's buffer (`last`: no more bytes will come). */
static void feed(struct stream *s, int last)
{
    size_t at = 0;
    const char *err = "?";
    char why[160];
    if (!s->started) {
        long n = wv_replay_parse_start(s->buf, s->len, &s->start, &err);
        if (n < 0 || (n == 0 && last)) {
            wv_snprintf(why, sizeof why, "instance %u: %s", s->id, n < 0 ? err : "the stream ends inside its start record");
            bad_trace(why);
        }
        if (n == 0) return;
        s->started = 1;
        at = (size_t)n;
        start_stream(s);
    }
    while (at < s->len) {
        struct wv_replay_call c;
        size_t err_at;
        long n = wv_replay_parse_call(s->buf + at, s->len - at, last, &c, &err, &err_at);
        if (n < 0) {
            wv_snprintf(why, sizeof why, "instance %u: %s at byte %lu of its stream", s->id, err,
                        (unsigned long)(s->dropped + at + err_at));
            bad_trace(why);
        }
        if (n == 0) break;
        s->calls++;
        if (!c.has_ret) s->cut_short = 1;
        else if (!s->skipped)
            for (uint32_t k = 0; k < ENGINES; k++)
                if (!s->side[k].stopped) replay_on(s, k, &c);
        at += (size_t)n;
    }
    memmove(s->buf, s->buf + at, s->len - at);
    s->len -= at;
    s->dropped += at;
}

static struct stream *stream_of(uint32_t id)
{
    if (id == 0 || id > MAX_STREAMS) {
        char why[96];
        wv_snprintf(why, sizeof why, "instance %u (this replay takes instances 1 to %u)", id, MAX_STREAMS);
        bad_trace(why);
    }
    struct stream **slot = &streams[id - 1];
    if (!*slot) {
        *slot = calloc(1, sizeof **slot);
        if (!*slot) bad_trace("out of memory for a new instance");
        (*slot)->id = id;
    }
    return *slot;
}

/* Append `len` bytes of the stream's next chunk from the file. */
static int take_chunk(struct wv_replay_in *in, struct stream *s, uint32_t len)
{
    if (s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap : 64u << 10;
        while (cap < s->len + len) cap *= 2;
        uint8_t *b = realloc(s->buf, cap);
        if (!b) bad_trace("out of memory for a chunk");
        s->buf = b;
        s->cap = cap;
    }
    int64_t got = wv_replay_in_read(in, s->buf + s->len, len);
    if (got < 0) bad_trace("the trace file could not be read");
    if ((uint64_t)got < len) return (int)got + 8;      /* cut short: the board stopped while it was written */
    s->len += len;
    return 0;
}

static void summary(uint32_t k, uint32_t started)
{
    struct tally *t = &tallies[k];
    int ok = !t->diverged && t->instances == started;
    wv_printf("[wasmvisor] replay: %s: %lu calls, %lu exits, %lu imports, %s (%u instances)\n", engines[k]->name,
              (unsigned long)t->calls, (unsigned long)t->exits, (unsigned long)t->imports,
              ok ? "identical" : "DIVERGED", t->instances);
}

void wv_replay_main(const struct wv_core_module *m, const char *refused)
{
    static uint8_t read_buf[READ_BUF];
    char name[256], why[192];
    if (refused) {
        wv_printf("[wasmvisor] replay: %s\n", refused);
        finish(2, "nothing replayed");
    }
    if (!m->native) {
        wv_printf("[wasmvisor] replay: the image's core module has no native part loaded: both engines are needed\n");
        finish(2, "nothing replayed");
    }
    module = m;
    wv_sha256(m->wasm, m->wasm_len, module_sha);
    int64_t n = wv_semihost_cmdline(name, sizeof name);
    struct file f = { -1 };
    if (n <= 0 || (f.handle = wv_semihost_open(name, strlen(name), MODE_RB)) < 0) {
        wv_printf("[wasmvisor] replay: cannot open the trace file (QEMU's semihosting command line: %s)\n", n > 0 ? name : "none");
        finish(2, "nothing replayed");
    }
    int64_t flen = wv_semihost_flen(f.handle);
    wv_printf("[wasmvisor] replay: %s, %ld bytes, on engines native and wasm3\n", name, (long)flen);
    struct wv_replay_in in;
    wv_replay_in_init(&in, file_read, &f, read_buf, sizeof read_buf);
    if (wv_replay_read_header(&in, wv_replay_import_fns, wv_replay_import_fn_count, why, sizeof why)) bad_trace(why);
    uint64_t next_report = flen > 0 ? (uint64_t)flen / 10 : ~0ull;
    uint32_t left_out = 0;
    for (;;) {
        uint32_t id = 0, len = 0;
        int r = wv_replay_next_chunk(&in, &id, &len, why, sizeof why);
        if (r < 0) bad_trace(why);
        if (r == 0) break;
        if (r == 2) { left_out = len; break; }
        struct stream *s = stream_of(id);
        if ((left_out = (uint32_t)take_chunk(&in, s, len))) break;
        feed(s, 0);
        if (in.offset >= next_report) {
            wv_printf("[wasmvisor] replay: %lu%% of the trace\n", (unsigned long)(in.offset * 100 / (uint64_t)flen));
            next_report += (uint64_t)flen / 10;
        }
    }
    wv_semihost_close(f.handle);
    if (left_out) wv_printf("[wasmvisor] replay: the trace ends inside a chunk (%u bytes left out)\n", left_out);
    uint32_t started = 0;
    for (uint32_t i = 0; i < MAX_STREAMS; i++) {
        struct stream *s = streams[i];
        if (!s) continue;
        feed(s, 1);
        if (s->skipped) continue;
        started++;
        struct side *nat = &s->side[E_NATIVE], *w3 = &s->side[E_WASM3];
        wv_printf("[wasmvisor] replay: instance %u (vm %d, recorded on %s): %u calls; native %lu calls, %lu exits, %s; "
                  "wasm3 %lu calls, %lu exits, %s%s\n", s->id, (int)s->start.vm, s->start.engine == 1 ? "native" : "wasm3",
                  s->calls, (unsigned long)nat->calls, (unsigned long)nat->exits, nat->stopped ? "DIVERGED" : "identical",
                  (unsigned long)w3->calls, (unsigned long)w3->exits, w3->stopped ? "DIVERGED" : "identical",
                  s->cut_short ? "; the last call was cut short by the board's end, not replayed" : "");
        for (uint32_t k = 0; k < ENGINES; k++) {
            tallies[k].calls += s->side[k].calls;
            tallies[k].exits += s->side[k].exits;
            tallies[k].imports += s->side[k].imports;
        }
    }
    if (skipped) wv_printf("[wasmvisor] replay: %u instances skipped (another module)\n", skipped);
    for (uint32_t k = 0; k < ENGINES; k++) summary(k, started);
    int ok = started > 0 && !tallies[E_NATIVE].diverged && !tallies[E_WASM3].diverged;
    if (!started) finish(1, "no instance replayed");
    finish(ok ? 0 : 1, ok ? "identical on both engines" : "DIVERGED");
}
