/* Replay at EL2 (docs/replay.md, "Replay at EL2"): an image built for replay runs no
 * guest; it reads an exit trace (the file format of docs/replay.md, written by a tracing
 * image, wv_trace.h) through semihosting and runs every recorded instance again on both
 * engines, its native part and wasm3, each import answered from the recording, and
 * compares every call with the recording. A test and debug tool of the runtime:
 * mechanism only, it decides nothing for a VM. */
#ifndef WV_REPLAY_H
#define WV_REPLAY_H
#include <stdint.h>
#include <stddef.h>
#include "wv_imports.h"

struct wv_core_module;

/* payload.S: 1 in an image built for replay (`buildReplayImage`, tools/build/image.ts),
 * else 0. */
extern const uint32_t wv_replay_enabled;

/* ---- replay_in.c: reading a trace file, pure (host-tested: test_replay_in.c) ---- */

/* Where the bytes come from: up to `n` bytes into `buf`; the count read (0 at the end of
 * the file), or -1 when reading failed. */
typedef int64_t (*wv_replay_read_fn)(void *src, void *buf, size_t n);

/* A buffered reader over a source: the file is read piece by piece, never whole (a
 * trace of a fuzz seed is 100 MB and more). */
struct wv_replay_in {
    wv_replay_read_fn read;
    void *src;
    uint8_t *buf;
    size_t cap, pos, fill;
    uint64_t offset;        /* file offset of buf[pos] */
    int failed;
};
void wv_replay_in_init(struct wv_replay_in *in, wv_replay_read_fn read, void *src, uint8_t *buf, size_t cap);
/* Up to `n` bytes into `dst`: the count (less than n only at the end of the file), or -1
 * when the source failed. */
int64_t wv_replay_in_read(struct wv_replay_in *in, void *dst, size_t n);

/* The header: magic, version, and the import list, which must be `fns` (names and
 * signatures, in order: an IMPORT record's index is a position in it). 0, or -1 with
 * `why` saying what is wrong. */
int wv_replay_read_header(struct wv_replay_in *in, const struct wv_import_fn *fns, size_t count, char *why,
                          size_t cap);

/* The next chunk's header. 1 with *stream and *len; 0 at the end of the file; 2 when the
 * file ends inside the chunk header (*len then says how many bytes were left); -1 when
 * reading failed or the chunk is longer than `max` (why says). */
#define WV_REPLAY_CHUNK_MAX     (64u << 20)
int wv_replay_next_chunk(struct wv_replay_in *in, uint32_t *stream, uint32_t *len, char *why, size_t cap);

/* Records within a stream (docs/replay.md, "File format"). */
#define WV_REPLAY_MAX_ARGS      3u      /* a CALL's i32 arguments (WV_ENGINE_MAX_ARGS) */
#define WV_REPLAY_IMPORT_ARGS   4u      /* an IMPORT's arguments (s2_set_entry's four) */
#define WV_REPLAY_START_LEN     42u     /* a START record, its type byte included */

struct wv_replay_start {
    uint32_t vm;
    uint8_t engine;         /* 0 wasm3, 1 native: what ran it on the board */
    uint32_t wasm_len;
    uint8_t sha256[32];
};

struct wv_replay_mem {
    uint32_t addr, len;
    const uint8_t *bytes;
};

struct wv_replay_import {
    uint32_t index, argc;
    uint64_t args[WV_REPLAY_IMPORT_ARGS];
    uint64_t result;
    struct wv_replay_mem out;       /* Wasm memory it wrote (len 0: none) */
};

/* One call, pointing into the bytes it was parsed from: its records were checked whole
 * and in order (CALL, MEMIN*, IMPORT*, RET, MEMOUT*), so the iterators below need no
 * checks. */
struct wv_replay_call {
    const char *name;
    uint32_t name_len;
    uint32_t argc;
    int32_t args[WV_REPLAY_MAX_ARGS];
    const uint8_t *memin, *imports, *memout;    /* the first record of each kind */
    uint32_t memin_count, import_count, memout_count;
    int has_ret;            /* 0: the board stopped inside the call (not replayed) */
    uint8_t ret_flags;      /* bit 0 trapped, bit 1 has a result */
    int32_t ret_result;
    const char *trap;
    uint32_t trap_len;
};

/* The START record at b[0..len): WV_REPLAY_START_LEN, 0 when more bytes are needed, or -1
 * (not a START record). */
long wv_replay_parse_start(const uint8_t *b, size_t len, struct wv_replay_start *s, const char **err);
/* The call whose CALL record starts b[0..len): the call's length in bytes once it is
 * whole (the next CALL record follows it, or `last` says no more bytes come), 0 when
 * more bytes are needed, or -1 with *err and *err_at (an offset in b) when the records
 * are malformed. */
long wv_replay_parse_call(const uint8_t *b, size_t len, int last, struct wv_replay_call *c, const char **err,
                          size_t *err_at);
/* The MEMIN or MEMOUT record at p, and the one after it. */
const uint8_t *wv_replay_mem_at(const uint8_t *p, struct wv_replay_mem *m);
/* The IMPORT record at p, and the one after it. */
const uint8_t *wv_replay_import_at(const uint8_t *p, struct wv_replay_import *imp);

/* ---- replay_imports.c: the imports, answered from the recording ---- */

/* What an instance replaying a stream on one engine answers its imports from: the call
 * being replayed and the next recorded import. Its `ctx` is the one the engine binds (the
 * import functions find the rest from it). */
#define WV_REPLAY_WHY   320u
struct wv_replay_ctx {
    struct wv_import_ctx ctx;
    const struct wv_replay_call *call;
    const uint8_t *next;            /* the next IMPORT record of the call */
    uint32_t served;                /* imports of the call answered so far */
    int diverged;                   /* set by the first import that differs */
    char why[WV_REPLAY_WHY];
};
extern const struct wv_import_fn wv_replay_import_fns[];
extern const size_t wv_replay_import_fn_count;
/* "name(0x1, 0x2)" of import `index` with `args`, into buf. */
void wv_replay_show_import(char *buf, size_t cap, uint32_t index, const uint64_t *args, uint32_t argc);

/* ---- replay_run.c: the replay itself ---- */

/* Replay the trace named by QEMU's semihosting command line on module `m` (checked; its
 * native part loaded when the image has one), both engines, and report; `refused` says
 * why the module was refused (then nothing is replayed). Ends QEMU with status 0 when
 * every instance replayed identical on both engines, 1 on a divergence, 2 when the trace
 * could not be read. */
void wv_replay_main(const struct wv_core_module *m, const char *refused) __attribute__((noreturn));

#endif
