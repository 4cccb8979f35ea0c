/* Reading an exit trace (docs/replay.md, "File format"): the header, the chunks, the
 * records of a stream. Pure: the bytes come from a source the caller gives (semihosting
 * at EL2, memory in the host tests, test_replay_in.c), read piece by piece through one
 * buffer, never the whole file. Every length is checked before it is used: a truncated or
 * foreign file is an error naming what is wrong, never a read outside the bytes. */
#include "wv_replay.h"
#include "wv_trace.h"
#include "wv_le.h"
#include "wv_console.h"
#include <string.h>

void wv_replay_in_init(struct wv_replay_in *in, wv_replay_read_fn read, void *src, uint8_t *buf, size_t cap)
{
    memset(in, 0, sizeof *in);
    in->read = read;
    in->src = src;
    in->buf = buf;
    in->cap = cap;
}

int64_t wv_replay_in_read(struct wv_replay_in *in, void *dst, size_t n)
{
    uint8_t *d = dst;
    size_t got = 0;
    while (got < n) {
        if (in->pos == in->fill) {
            if (in->failed) return -1;
            int64_t r = in->read(in->src, in->buf, in->cap);
            if (r < 0 || (uint64_t)r > in->cap) { in->failed = 1; return -1; }
            in->pos = 0;
            in->fill = (size_t)r;
            if (r == 0) break;
        }
        size_t k = in->fill - in->pos;
        if (k > n - got) k = n - got;
        memcpy(d + got, in->buf + in->pos, k);
        in->pos += k;
        in->offset += k;
        got += k;
    }
    return (int64_t)got;
}

/* A NUL-terminated string of the header's import list at *p (before end): it, with *p
 * past it, or 0. */
static const char *header_string(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *s = *p, *nul = s;
    while (nul < end && *nul) nul++;
    if (nul == end) return 0;
    *p = nul + 1;
    return (const char *)s;
}

#define HEADER_MAX  4096u   /* two dozen imports' names and signatures take some 400 bytes */

int wv_replay_read_header(struct wv_replay_in *in, const struct wv_import_fn *fns, size_t count, char *why,
                          size_t cap)
{
    uint8_t h[HEADER_MAX];
    int64_t n = wv_replay_in_read(in, h, 16);
    if (n < 0) { wv_snprintf(why, cap, "the trace file could not be read"); return -1; }
    if (n < 16 || memcmp(h, "WVTR", 4)) { wv_snprintf(why, cap, "not a wasmvisor trace (no WVTR magic)"); return -1; }
    uint32_t version = wv_get32(h + 4), len = wv_get32(h + 8), imports = wv_get32(h + 12);
    if (version != WV_TRACE_VERSION) {
        wv_snprintf(why, cap, "trace format version %u; this runtime reads %u", version, WV_TRACE_VERSION);
        return -1;
    }
    if (len < 16 || len > HEADER_MAX) { wv_snprintf(why, cap, "header length %u out of range", len); return -1; }
    n = wv_replay_in_read(in, h + 16, len - 16);
    if (n != (int64_t)(len - 16)) { wv_snprintf(why, cap, "the file ends inside its header (%u bytes)", len); return -1; }
    if (imports != count) {
        wv_snprintf(why, cap, "the trace names %u imports, this runtime has %u", imports, (unsigned)count);
        return -1;
    }
    const uint8_t *p = h + 16, *end = h + len;
    for (size_t i = 0; i < count; i++) {
        const char *name = header_string(&p, end), *sig = name ? header_string(&p, end) : 0;
        if (!sig) { wv_snprintf(why, cap, "the header's import list ends at import %u", (unsigned)i); return -1; }
        if (strcmp(name, fns[i].name) || strcmp(sig, fns[i].sig)) {
            wv_snprintf(why, cap, "import %u is %s %s in the trace, %s %s in this runtime", (unsigned)i, name, sig,
                        fns[i].name, fns[i].sig);
            return -1;
        }
    }
    if (p != end) { wv_snprintf(why, cap, "%u bytes after the header's import list", (unsigned)(end - p)); return -1; }
    return 0;
}

int wv_replay_next_chunk(struct wv_replay_in *in, uint32_t *stream, uint32_t *len, char *why, size_t cap)
{
    uint8_t h[8];
    int64_t n = wv_replay_in_read(in, h, sizeof h);
    if (n < 0) { wv_snprintf(why, cap, "the trace file could not be read"); return -1; }
    if (n == 0) return 0;
    if (n < 8) { *len = (uint32_t)n; return 2; }
    *stream = wv_get32(h);
    *len = wv_get32(h + 4);
    if (*len > WV_REPLAY_CHUNK_MAX) {
        wv_snprintf(why, cap, "a chunk of %u bytes at file offset %lu (more than %u)", *len,
                    (unsigned long)(in->offset - 8), WV_REPLAY_CHUNK_MAX);
        return -1;
    }
    return 1;
}

long wv_replay_parse_start(const uint8_t *b, size_t len, struct wv_replay_start *s, const char **err)
{
    if (len == 0) return 0;
    if (b[0] != WV_TR_START) { *err = "the stream does not begin with a start record"; return -1; }
    if (len < WV_REPLAY_START_LEN) return 0;
    s->vm = wv_get32(b + 1);
    s->engine = b[5];
    s->wasm_len = wv_get32(b + 6);
    memcpy(s->sha256, b + 10, 32);
    return WV_REPLAY_START_LEN;
}

/* The length of the record at b[at..len) of type b[at] (its type byte included): > 0; 0
 * when the bytes end inside it; -1 for a type no call holds. */
static long record_len(const uint8_t *b, size_t len, size_t at)
{
    size_t left = len - at;
    const uint8_t *r = b + at;
    switch (r[0]) {
    case WV_TR_CALL: {
        if (left < 2) return 0;
        size_t k = 2 + r[1];            /* type, name length, name */
        if (left < k + 1) return 0;
        k += 1 + 4 * (size_t)r[k];      /* argc, arguments */
        return left < k ? 0 : (long)k;
    }
    case WV_TR_MEMIN: case WV_TR_MEMOUT: {
        if (left < 9) return 0;
        uint64_t k = 9 + (uint64_t)wv_get32(r + 5);
        return left < k ? 0 : (long)k;
    }
    case WV_TR_IMPORT: {
        if (left < 4) return 0;
        uint64_t k = 4 + 8 * (uint64_t)r[3] + 16;   /* type, index, argc, arguments, result, out, out length */
        if (left < k) return 0;
        k += wv_get32(r + k - 4);
        return left < k ? 0 : (long)k;
    }
    case WV_TR_RET: {
        if (left < 8) return 0;
        size_t k = 8 + ((size_t)r[6] | (size_t)r[7] << 8);
        return left < k ? 0 : (long)k;
    }
    default: return -1;
    }
}

long wv_replay_parse_call(const uint8_t *b, size_t len, int last, struct wv_replay_call *c, const char **err,
                          size_t *err_at)
{
    memset(c, 0, sizeof *c);
    *err_at = 0;
    if (len == 0) return 0;
    if (b[0] != WV_TR_CALL) { *err = b[0] == WV_TR_START ? "a second start record" : "a record outside any call"; return -1; }
    long k = record_len(b, len, 0);
    if (k == 0) goto short_;
    c->name_len = b[1];
    c->name = (const char *)b + 2;
    c->argc = b[2 + c->name_len];
    if (c->argc > WV_REPLAY_MAX_ARGS) { *err = "a call with more than 3 arguments"; return -1; }
    for (uint32_t i = 0; i < c->argc; i++) c->args[i] = (int32_t)wv_get32(b + 3 + c->name_len + 4 * i);
    size_t at = (size_t)k;
    /* The order a call's records come in: 0 MEMIN, 1 IMPORT, 2 RET, 3 MEMOUT. */
    int phase = 0;
    while (at < len) {
        uint8_t type = b[at];
        if (type == WV_TR_CALL) return (long)at;
        *err_at = at;
        long r = record_len(b, len, at);
        if (r < 0) { *err = type == WV_TR_START ? "a second start record" : "an unknown record type"; return -1; }
        if (r == 0) goto short_;
        switch (type) {
        case WV_TR_MEMIN:
            if (phase > 0) { *err = "memory written in after the call began"; return -1; }
            if (!c->memin_count++) c->memin = b + at;
            break;
        case WV_TR_IMPORT:
            if (phase > 1) { *err = "an import after the call's end"; return -1; }
            if (b[at + 3] > WV_REPLAY_IMPORT_ARGS) { *err = "an import with more than 4 arguments"; return -1; }
            phase = 1;
            if (!c->import_count++) c->imports = b + at;
            break;
        case WV_TR_RET:
            if (phase > 1) { *err = "a second end of the call"; return -1; }
            phase = 2;
            c->has_ret = 1;
            c->ret_flags = b[at + 1];
            c->ret_result = (int32_t)wv_get32(b + at + 2);
            c->trap = (const char *)b + at + 8;
            c->trap_len = (uint32_t)(r - 8);
            break;
        case WV_TR_MEMOUT:
            if (phase < 2) { *err = "memory read back before the call's end"; return -1; }
            phase = 3;
            if (!c->memout_count++) c->memout = b + at;
            break;
        }
        at += (size_t)r;
    }
    if (last) return (long)at;
    return 0;
short_:
    if (!last) return 0;
    *err = "a record cut short at the end of its stream";
    return -1;
}

const uint8_t *wv_replay_mem_at(const uint8_t *p, struct wv_replay_mem *m)
{
    m->addr = wv_get32(p + 1);
    m->len = wv_get32(p + 5);
    m->bytes = p + 9;
    return p + 9 + m->len;
}

const uint8_t *wv_replay_import_at(const uint8_t *p, struct wv_replay_import *imp)
{
    imp->index = (uint32_t)p[1] | (uint32_t)p[2] << 8;
    imp->argc = p[3];
    const uint8_t *q = p + 4;
    for (uint32_t k = 0; k < imp->argc; k++, q += 8) imp->args[k] = wv_get64(q);
    imp->result = wv_get64(q);
    imp->out.addr = wv_get32(q + 8);
    imp->out.len = wv_get32(q + 12);
    imp->out.bytes = q + 16;
    return q + 16 + imp->out.len;
}
