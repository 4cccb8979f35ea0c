/* The hypervisor channel's byte streams (chan.c, docs/abi.md 6) as a pure state machine:
 * requests cut out of the bytes a guest writes, a refused request's payload dropped as it
 * comes, answers queued for the guest within a bound. No hardware, no wasm3, no lock (the
 * caller holds its own): host-tested (runtime-c/tests/test_chan_stream.c) with what a
 * hostile guest would write. The buffers grow with realloc: a guest's bytes never decide
 * more than WV_FRAME_HEADER + WV_FRAME_MAX of input or WV_CHAN_OUT_MAX of answers. */
#ifndef WV_CHAN_STREAM_H
#define WV_CHAN_STREAM_H
#include <stdint.h>
#include <stddef.h>
#include "wv_mgmt.h"

#define WV_CHAN_SEND_MAX    (64u << 10)     /* bytes per chan_send call */
#define WV_CHAN_OUT_MAX     (1u << 20)      /* answers waiting for the guest, at most */

/* One VM's end of the channel; all zero is empty. */
struct wv_chan_stream {
    uint8_t *in;                /* bytes of the request being received */
    size_t in_len, in_cap;
    uint64_t skip;              /* payload bytes of a refused request still to drop */
    uint8_t *out;               /* answers not yet taken by the guest */
    size_t out_len, out_cap;
    uint32_t out_full_told;     /* answers were dropped and that was said */
};

/* What taking a guest's bytes came to. */
enum wv_chan_event {
    WV_CHAN_TAKEN = 0,          /* every byte taken; a request needs more */
    WV_CHAN_REQUEST,            /* a whole request is in (wv_chan_waiting); no byte after it was taken */
    WV_CHAN_REFUSED,            /* the header *f of a VM that may not command: answer "refused";
                                 * its payload is dropped as it comes */
    WV_CHAN_BAD,                /* not a request frame (*err): what came of it was dropped */
    WV_CHAN_NOMEM,              /* no memory for the request: what came of it was dropped */
};

/* May chan_send take `len` bytes in one call (before its Wasm range is checked)? */
int wv_chan_send_len_ok(int32_t len);

/* Take src[0..len) until something happens: *used says how many bytes were taken (the
 * caller offers the rest again after a WV_CHAN_REFUSED, and drops it after any other
 * event). `may_command`: the VM is the management VM. While a whole request waits, no
 * byte is taken (WV_CHAN_REQUEST, *used = 0). */
enum wv_chan_event wv_chan_take(struct wv_chan_stream *s, const uint8_t *src, size_t len, int may_command,
                                size_t *used, struct wv_frame *f, const char **err);

/* The whole request waiting to be carried out: its payload (f->length bytes, inside the
 * stream's buffer until wv_chan_done), or 0 when none waits. */
const uint8_t *wv_chan_waiting(const struct wv_chan_stream *s, struct wv_frame *f);
/* The waiting request was taken: the input starts afresh. */
void wv_chan_done(struct wv_chan_stream *s);

/* What queueing an answer came to. */
enum wv_chan_queued {
    WV_CHAN_QUEUED = 0,
    WV_CHAN_DROPPED_FULL,       /* it would take the queue past WV_CHAN_OUT_MAX: dropped */
    WV_CHAN_DROPPED_NOMEM,      /* no memory for it: dropped */
};
/* Queue an answer frame (header + len bytes of text) for the guest. *tell is set to 1 for
 * the first answer dropped as the queue is full since one was last queued (say so once),
 * else to 0. */
enum wv_chan_queued wv_chan_answer(struct wv_chan_stream *s, uint16_t command, uint16_t status, uint32_t id,
                                   const char *text, size_t len, int *tell);
/* The guest took the first n bytes of the queued answers (at most all of them). */
void wv_chan_taken(struct wv_chan_stream *s, size_t n);

#endif
