/* See wv_chan_stream.h. No hardware: the same file builds for the host tests
 * (runtime-c/tests/test_chan_stream.c). */
#include "wv_chan_stream.h"
#include <stdlib.h>
#include <string.h>

/* Room for `need` bytes in *buf, the capacity doubling from 4096 as far as needed. The
 * callers bound `need` (a request's header and payload; WV_CHAN_OUT_MAX), so neither it
 * nor the doubling wraps. */
static int grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 4096;
    while (c < need) c *= 2;
    uint8_t *p = realloc(*buf, c);
    if (!p) return -1;
    *buf = p;
    *cap = c;
    return 0;
}

int wv_chan_send_len_ok(int32_t len)
{
    return len >= 0 && (uint32_t)len <= WV_CHAN_SEND_MAX;
}

const uint8_t *wv_chan_waiting(const struct wv_chan_stream *s, struct wv_frame *f)
{
    const char *err;
    return s->in_len && wv_frame_scan(s->in, s->in_len, f, &err) == 1 ? s->in + WV_FRAME_HEADER : 0;
}

void wv_chan_done(struct wv_chan_stream *s)
{
    s->in_len = 0;
}

enum wv_chan_event wv_chan_take(struct wv_chan_stream *s, const uint8_t *src, size_t len, int may_command,
                                size_t *used, struct wv_frame *f, const char **err)
{
    const size_t offered = len;
    *used = 0;
    /* One request at a time: the next is held back until this one is carried out, so
     * that the input never holds more than one request's bytes. */
    if (wv_chan_waiting(s, f)) return WV_CHAN_REQUEST;
    while (len) {
        if (s->skip) {
            size_t n = s->skip < len ? (size_t)s->skip : len;
            s->skip -= n; src += n; len -= n;
            continue;
        }
        /* Add no more than completes the current request (its header first): the bytes
         * after it are the next request's, not this one's payload. */
        size_t want = len;
        if (s->in_len >= WV_FRAME_HEADER && wv_frame_scan(s->in, s->in_len, f, err) == 0)
            want = WV_FRAME_HEADER + f->length - s->in_len;
        else if (s->in_len < WV_FRAME_HEADER)
            want = WV_FRAME_HEADER - s->in_len;
        if (want > len) want = len;
        if (grow(&s->in, &s->in_cap, s->in_len + want)) {
            s->in_len = 0;
            *used = offered - len;
            return WV_CHAN_NOMEM;
        }
        memcpy(s->in + s->in_len, src, want);
        s->in_len += want;
        src += want; len -= want;
        *used = offered - len;
        int r = wv_frame_scan(s->in, s->in_len, f, err);
        if (r < 0) {
            /* Not a frame: drop what came so far; the next request starts afresh. */
            s->in_len = 0;
            return WV_CHAN_BAD;
        }
        /* Judged as soon as the header is in, before any payload is held: a VM that may
         * not command gets its payload counted off (at most WV_FRAME_MAX bytes, the
         * scan refused more), never buffered. */
        if (s->in_len == WV_FRAME_HEADER && !may_command) {
            s->skip = f->length;
            s->in_len = 0;
            return WV_CHAN_REFUSED;
        }
        if (r == 1) return WV_CHAN_REQUEST;
    }
    *used = offered;
    return WV_CHAN_TAKEN;
}

enum wv_chan_queued wv_chan_answer(struct wv_chan_stream *s, uint16_t command, uint16_t status, uint32_t id,
                                   const char *text, size_t len, int *tell)
{
    *tell = 0;
    /* out_len + header + len > WV_CHAN_OUT_MAX, compared so that no length, however
     * large, wraps around below the bound (out_len never exceeds it). */
    if (len > WV_CHAN_OUT_MAX || WV_FRAME_HEADER + len > WV_CHAN_OUT_MAX - s->out_len) {
        *tell = !s->out_full_told;
        s->out_full_told = 1;
        return WV_CHAN_DROPPED_FULL;
    }
    size_t need = s->out_len + WV_FRAME_HEADER + len;
    if (grow(&s->out, &s->out_cap, need)) return WV_CHAN_DROPPED_NOMEM;
    wv_frame_answer(s->out + s->out_len, command, status, (uint32_t)len, id);
    if (len) memcpy(s->out + s->out_len + WV_FRAME_HEADER, text, len);
    s->out_len = need;
    s->out_full_told = 0;
    return WV_CHAN_QUEUED;
}

void wv_chan_taken(struct wv_chan_stream *s, size_t n)
{
    if (n > s->out_len) n = s->out_len;
    if (!n) return;
    memmove(s->out, s->out + n, s->out_len - n);
    s->out_len -= n;
}
