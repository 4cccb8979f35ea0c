/* The trace file (docs/replay.md): opened on first use, through semihosting, under the
 * name QEMU was given as the semihosting command line; a header naming every import,
 * then chunks of the instances' record streams. Each instance buffers its own records
 * (its calls are serialized by its lock) and writes them as one chunk at the end of
 * each call, under one lock for the file, so chunks of instances on other CPUs never
 * interleave inside each other. Semihosting, not a RAM buffer read by the monitor: the
 * trace of a long run is far larger than any buffer the board could spare, and goes to
 * the host as it is made, past the console. */
#include "wv_trace.h"
#include "wv_le.h"
#include "wv_semihosting.h"
#include "wv_imports.h"
#include "wv_console.h"
#include "wv_lock.h"
#include <stdlib.h>
#include <string.h>

#define STREAM_CAP  16384u     /* a call's records nearly always fit; larger ones go out directly */
#define MODE_WB     5u

struct wv_trace_stream {
    uint32_t id;
    uint32_t len;
    uint8_t buf[STREAM_CAP];
};

static wv_spinlock_t file_lock;
static int64_t file = 0;        /* 0 not opened yet, -1 failed (nothing more is written) */
static uint32_t next_id = 1;

static int write_all(const void *p, size_t n)
{
    return n == 0 || wv_semihost_write(file, p, n) == 0 ? 0 : -1;
}

/* Header: "WVTR", version, its own length, the import count, then each import's name
 * and signature, NUL-terminated, as the engines bound them (record indexes are these). */
static void open_file(void)
{
    char name[256];
    int64_t n = wv_semihost_cmdline(name, sizeof name);
    if (n <= 0 || (file = wv_semihost_open(name, strlen(name), MODE_WB)) <= 0) {
        file = -1;
        wv_printf("[wasmvisor] trace: cannot open the trace file (QEMU's semihosting command line: %s)\n",
                  n > 0 ? name : "none");
        return;
    }
    const struct wv_import_fn *fns = wv_trace_import_fns;
    uint32_t len = 16;
    for (size_t i = 0; i < wv_import_fn_count; i++) len += (uint32_t)(strlen(fns[i].name) + strlen(fns[i].sig) + 2);
    uint8_t h[16];
    memcpy(h, "WVTR", 4);
    wv_put32(h + 4, WV_TRACE_VERSION);
    wv_put32(h + 8, len);
    wv_put32(h + 12, (uint32_t)wv_import_fn_count);
    int bad = write_all(h, sizeof h);
    for (size_t i = 0; i < wv_import_fn_count && !bad; i++)
        bad = write_all(fns[i].name, strlen(fns[i].name) + 1) || write_all(fns[i].sig, strlen(fns[i].sig) + 1);
    if (bad) file = -1;
}

/* One chunk: u32 stream id, u32 length, then the parts. */
static void write_chunk(uint32_t id, const void *a, size_t alen, const void *b, size_t blen)
{
    wv_lock(&file_lock);
    if (file == 0) open_file();
    if (file > 0) {
        uint8_t h[8];
        wv_put32(h, id);
        wv_put32(h + 4, (uint32_t)(alen + blen));
        if (write_all(h, 8) || write_all(a, alen) || write_all(b, blen)) file = -1;
    }
    wv_unlock(&file_lock);
}

struct wv_trace_stream *wv_trace_stream_new(void)
{
    struct wv_trace_stream *s = malloc(sizeof *s);
    if (!s) return 0;
    s->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
    s->len = 0;
    return s;
}

void wv_trace_stream_free(struct wv_trace_stream *s)
{
    if (!s) return;
    wv_trace_flush(s);
    free(s);
}

void wv_trace_flush(struct wv_trace_stream *s)
{
    if (s->len) write_chunk(s->id, s->buf, s->len, 0, 0);
    s->len = 0;
}

void wv_trace_put(struct wv_trace_stream *s, const void *head, size_t head_len, const void *data, size_t data_len)
{
    if (s->len + head_len + data_len > STREAM_CAP) {
        /* The buffer so far, then this record as a chunk of its own: the stream stays in order. */
        wv_trace_flush(s);
        if (head_len + data_len > STREAM_CAP) {
            write_chunk(s->id, head, head_len, data, data_len);
            return;
        }
    }
    memcpy(s->buf + s->len, head, head_len);
    if (data_len) memcpy(s->buf + s->len + head_len, data, data_len);
    s->len += (uint32_t)(head_len + data_len);
}
