/* The hypervisor channel (docs/abi.md 6): the runtime end of each VM's virtio-console
 * port. The core's device model hands over what the guest wrote (import chan_send);
 * requests are cut out of those bytes here and carried out after the exit, outside the
 * VM's instance lock (mgmt.c); answers wait here until the device takes them into the
 * guest's receive buffers (wv_core_chan_push), after later exits of the VM if the guest
 * has none posted yet. How bytes become requests, and how far buffers may grow, is
 * decided in chan_stream.c (host-tested); this file locks, prints and calls the core.
 *
 * Only the management VM may command the hypervisor: any other VM's request is answered
 * "refused" as soon as its header is in, and its payload is dropped as it comes rather
 * than held on the heap. */
#include "wv_core.h"
#include "wv_mgmt.h"
#include "wv_chan_stream.h"
#include "wv_validate.h"
#include "wv_console.h"
#include "wv_imports.h"
#include "wv_lock.h"
#include "wv_ratelimit.h"
#include "wv_arch.h"
#include <stdlib.h>
#include <string.h>

#define VM_TYPE_MVM     0u

struct chan {
    wv_spinlock_t lock;         /* the streams below */
    struct wv_chan_stream s;    /* framing and bounds: chan_stream.c */
    volatile uint32_t work;     /* a whole request or an answer waits */
    volatile uint32_t busy;     /* a CPU is carrying out this VM's requests */
    struct wv_ratelimit refusals;   /* "refused" lines of a VM that may not command */
};

static struct chan chans[WV_MAX_VMS];

/* Queue an answer (header + text); the caller holds ch->lock. */
static void queue_answer(struct wv_vm *vm, struct chan *ch, uint16_t command, uint16_t status,
                         uint32_t id, const char *text, size_t len)
{
    int tell;
    switch (wv_chan_answer(&ch->s, command, status, id, text, len, &tell)) {
    case WV_CHAN_QUEUED:
        ch->work = 1;
        break;
    case WV_CHAN_DROPPED_FULL:
        if (tell) wv_printf("[wasmvisor] vm %s: channel answers dropped: the guest reads none\n", vm->own.name);
        break;
    case WV_CHAN_DROPPED_NOMEM:
        wv_printf("[wasmvisor] vm %s: out of memory for a channel answer\n", vm->own.name);
        break;
    }
}

/* A VM that may not command sent a request header: answer "refused" (its payload is
 * dropped as it comes); the caller holds ch->lock. */
static void refuse(struct wv_vm *vm, struct chan *ch, const struct wv_frame *f)
{
    static const char no[] = "refused: only the management VM may command the hypervisor";
    queue_answer(vm, ch, f->command, WV_ST_REFUSED, f->id, no, sizeof no - 1);
    /* At most one line a second: a guest sending requests in a loop must not keep
     * this CPU (and every CPU that prints) at the console. */
    uint64_t held;
    if (wv_ratelimit_ok(&ch->refusals, read_sysreg(cntpct_el0), read_sysreg(cntfrq_el0), &held)) {
        if (held)
            wv_printf("[wasmvisor] vm %s: management request %u refused (not the management VM); "
                      "%lu more refused before it\n", vm->own.name, f->command, (unsigned long)held);
        else
            wv_printf("[wasmvisor] vm %s: management request %u refused (not the management VM)\n",
                      vm->own.name, f->command);
    }
}

/* Take bytes the guest sent; the caller holds ch->lock. */
static int32_t receive(struct wv_vm *vm, struct chan *ch, const uint8_t *src, size_t len)
{
    int may_command = vm->own.type == VM_TYPE_MVM;
    while (len) {
        struct wv_frame f;
        const char *err = 0;
        size_t used = 0;
        enum wv_chan_event ev = wv_chan_take(&ch->s, src, len, may_command, &used, &f, &err);
        src += used; len -= used;
        switch (ev) {
        case WV_CHAN_TAKEN:
            break;
        case WV_CHAN_REFUSED:
            refuse(vm, ch, &f);
            break;
        case WV_CHAN_BAD:
            /* The next request starts afresh. */
            queue_answer(vm, ch, 0, WV_ST_BAD_REQUEST, 0, err, strlen(err));
            return WV_OK;
        case WV_CHAN_NOMEM:
            queue_answer(vm, ch, 0, WV_ST_INTERNAL, 0, "out of memory for the request", 29);
            return WV_ENOMEM;
        case WV_CHAN_REQUEST:
            ch->work = 1;       /* carried out after the exit */
            return WV_OK;
        }
    }
    return WV_OK;
}

uint32_t wv_imp_chan_send(struct wv_import_ctx *ctx, uint32_t ptr, uint32_t len_arg)
{
    int32_t len = (int32_t)len_arg;
    if (!wv_import_may_act(ctx, "chan_send")) return WV_ESTATE;
    struct wv_vm *vm = ctx->vm;
    uint64_t mem_size;
    const uint8_t *mem = ctx->memory(ctx, &mem_size);
    if (!wv_chan_send_len_ok(len) || !wv_wasm_range_ok(ptr, (uint64_t)len, mem_size))
        return WV_EINVAL;
    if (vm->index >= WV_MAX_VMS) return WV_EINVAL;
    struct chan *ch = &chans[vm->index];
    wv_lock(&ch->lock);
    /* A whole request waits to be carried out: hold back the next until it is. */
    struct wv_frame f;
    int32_t rc = wv_chan_waiting(&ch->s, &f) ? WV_ESTATE : receive(vm, ch, mem + ptr, (size_t)len);
    wv_unlock(&ch->lock);
    return rc;
}

/* Offer waiting answers to the guest until it takes no more. */
static void flush(struct wv_vm *vm, struct chan *ch)
{
    struct wv_core_instance *c = wv_core_acquire(vm);
    if (!c) return;
    wv_lock(&ch->lock);
    size_t off = 0;
    while (off < ch->s.out_len) {
        size_t taken = 0;
        if (wv_core_chan_push(c, ch->s.out + off, ch->s.out_len - off, &taken) || taken == 0) break;
        off += taken;
    }
    wv_chan_taken(&ch->s, off);
    wv_unlock(&ch->lock);
    wv_core_release(c);
}

/* Cut the next whole request out of the input: its payload copied, or 0. */
static uint8_t *next_request(struct wv_vm *vm, struct chan *ch, struct wv_frame *f)
{
    uint8_t *payload = 0;
    wv_lock(&ch->lock);
    const uint8_t *p = wv_chan_waiting(&ch->s, f);
    if (p) {
        payload = malloc(f->length ? f->length : 1);
        if (payload) memcpy(payload, p, f->length);
        wv_chan_done(&ch->s);
        if (!payload) queue_answer(vm, ch, f->command, WV_ST_INTERNAL, f->id, "out of memory", 13);
    }
    wv_unlock(&ch->lock);
    return payload;
}

void wv_chan_exit_done(struct wv_vm *vm)
{
    if (vm->index >= WV_MAX_VMS) return;
    struct chan *ch = &chans[vm->index];
    if (!__atomic_load_n(&ch->work, __ATOMIC_ACQUIRE)) return;
    if (__atomic_exchange_n(&ch->busy, 1, __ATOMIC_ACQUIRE)) return;   /* another CPU does it */
    ch->work = 0;
    struct wv_frame f;
    uint8_t *payload;
    while ((payload = next_request(vm, ch, &f))) {
        struct wv_answer a = { 0 };
        wv_mgmt_handle(vm, &f, payload, &a);
        free(payload);
        wv_lock(&ch->lock);
        queue_answer(vm, ch, f.command, a.status, f.id, a.text ? a.text : "", a.len);
        wv_unlock(&ch->lock);
        free(a.text);
    }
    if (ch->s.out_len) flush(vm, ch);
    /* Still waiting for the guest's receive buffers: look again after its next exits. */
    if (ch->s.out_len) ch->work = 1;
    __atomic_store_n(&ch->busy, 0, __ATOMIC_RELEASE);
}
