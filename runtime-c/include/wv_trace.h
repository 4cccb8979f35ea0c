/* Exit traces (docs/replay.md): in an image built with tracing, every call into a core
 * instance, every import it makes and the Wasm memory the runtime hands in and reads
 * back are recorded, so that a host engine can replay the instance off the board and
 * compare. Mechanism only: it records, decides nothing. An image built without tracing
 * (wv_trace_enabled 0) never reaches any of this, and its exit path does not look. */
#ifndef WV_TRACE_H
#define WV_TRACE_H
#include <stdint.h>
#include <stddef.h>
#include "wv_imports.h"

struct wv_engine;
struct wv_import_ctx;


/* payload.S: 1 in an image built with tracing, else 0. */
extern const uint32_t wv_trace_enabled;

/* The trace file's format version (docs/replay.md). */
#define WV_TRACE_VERSION    1u

/* Record kinds within a stream (docs/replay.md). */
enum {
    WV_TR_START = 1,    /* an instance was loaded: its VM, engine, module digest */
    WV_TR_CALL = 2,     /* a call into an export, with its i32 arguments */
    WV_TR_MEMIN = 3,    /* Wasm memory the runtime wrote before the call */
    WV_TR_IMPORT = 4,   /* an import the core called: arguments, result, memory it wrote */
    WV_TR_RET = 5,      /* the call's end: trapped or not, its result */
    WV_TR_MEMOUT = 6,   /* Wasm memory the runtime reads back after the call */
};

/* trace_engine.c: the engine that records every call of an instance that `inner` runs,
 * then has `inner` run it (wasm_host.c asks for it in a tracing image). */
const struct wv_engine *wv_trace_engine(const struct wv_engine *inner);

/* trace_imports.c: the imports behind recording wrappers, in WV_IMPORT_LIST's order. */
extern const struct wv_import_fn wv_trace_import_fns[];

/* trace_engine.c: record import `index` (enum wv_import_index) the instance of `ctx`
 * called, after it returned: its arguments as u64, its result (0 for none), and for
 * guest_read the Wasm memory it wrote. */
void wv_trace_import(struct wv_import_ctx *ctx, uint32_t index, const uint64_t *args, uint32_t argc,
                     uint64_t result);

/* trace_out.c: one instance's record stream, buffered and written out as chunks of the
 * trace file at the end of every call (so that the file ends on a call's end whenever
 * the board stops). */
struct wv_trace_stream;
struct wv_trace_stream *wv_trace_stream_new(void);
void wv_trace_stream_free(struct wv_trace_stream *s);
/* Append one record: `head` then `data` (either may be empty). */
void wv_trace_put(struct wv_trace_stream *s, const void *head, size_t head_len, const void *data, size_t data_len);
void wv_trace_flush(struct wv_trace_stream *s);

#endif
