/* The hypervisor channel (docs/abi.md 6): the runtime end of each VM's virtio-console
 * port. The core's device model hands over what the guest wrote (import chan_send);
 * requests are cut out of those bytes here and carried out after the exit, outside the
 * VM's instance lock (mgmt.c); answers wait here until the device takes them into the
 * guest's receive buffers (wv_core_chan_push), after later exits of the VM if the guest
 * has none posted yet.
 *
 * Only the management VM may command the hypervisor: any other VM's request is answered
 * "refused" as soon as its header is in, and its payload is dropped as it comes rather
 * than held on the heap. */
#include "wv_core.h"
#include "wv_mgmt.h"
#include "wv_validate.h"
#include "wv_console.h"
#include "wv_imports.h"
#include "wv_lock.h"
#include "wv_ratelimit.h"
#include "wv_arch.h"
#include <stdlib.h>
#include <string.h>

#define VM()            WV_IMPORT_VM()
#define MEM_SIZE()      m3_GetMemorySize(runtime)
#define VM_TYPE_MVM     0u
#define SEND_MAX        (64u << 10)     /* bytes per chan_send call */
#define OUT_MAX         (1u << 20)      /* answers waiting for the guest, at most */

struct chan {
    wv_spinlock_t lock;         /* the buffers below */
    uint8_t *in;                /* bytes of the request being received */
    size_t in_len, in_cap;
    uint64_t skip;              /* payload bytes of a refused request still to drop */
    uint8_t *out;               /* answers not yet taken by the guest */
    size_t out_len, out_cap;
    volatile uint32_t work;     /* a whole request or an answer waits */
    volatile uint32_t busy;     /* a CPU is carrying out this VM's requests */
    uint32_t out_full_told;
    struct wv_ratelimit refusals;   /* "refused" lines of a VM that may not command */
};

static struct chan chans[WV_MAX_VMS];

/* Queue an answer (header + text); the caller holds ch->lock. */
static void queue_answer(struct wv_vm *vm, struct chan *ch, uint16_t command, uint16_t status,
                         uint32_t id, const char *text, size_t len)
{
    size_t need = ch->out_len + WV_FRAME_HEADER + len;
    if (need > OUT_MAX) {
        if (!ch->out_full_told)
            wv_printf("[wasmvisor] vm %s: channel answers dropped: the guest reads none\n", vm->own.name);
        ch->out_full_told = 1;
        return;
    }
    if (need > ch->out_cap) {
        size_t cap = ch->out_cap ? ch->out_cap : 4096;
        while (cap < need) cap *= 2;
        uint8_t *p = realloc(ch->out, cap);
        if (!p) { wv_printf("[wasmvisor] vm %s: out of memory for a channel answer\n", vm->own.name); return; }
        ch->out = p;
        ch->out_cap = cap;
    }
    wv_frame_answer(ch->out + ch->out_len, command, status, (uint32_t)len, id);
    memcpy(ch->out + ch->out_len + WV_FRAME_HEADER, text, len);
    ch->out_len = need;
    ch->out_full_told = 0;
    ch->work = 1;
}

static int in_append(struct chan *ch, const uint8_t *src, size_t len)
{
    if (ch->in_len + len > ch->in_cap) {
        size_t cap = ch->in_cap ? ch->in_cap : 4096;
        while (cap < ch->in_len + len) cap *= 2;
        uint8_t *p = realloc(ch->in, cap);
        if (!p) return -1;
        ch->in = p;
        ch->in_cap = cap;
    }
    memcpy(ch->in + ch->in_len, src, len);
    ch->in_len += len;
    return 0;
}

/* Take bytes the guest sent; the caller holds ch->lock. */
static int32_t receive(struct wv_vm *vm, struct chan *ch, const uint8_t *src, size_t len)
{
    while (len) {
        if (ch->skip) {
            size_t n = ch->skip < len ? (size_t)ch->skip : len;
            ch->skip -= n; src += n; len -= n;
            continue;
        }
        /* Add no more than completes the current request (its header first). */
        size_t want = len;
        struct wv_frame f;
        const char *err = 0;
        if (ch->in_len >= WV_FRAME_HEADER && wv_frame_scan(ch->in, ch->in_len, &f, &err) == 0)
            want = WV_FRAME_HEADER + f.length - ch->in_len;
        else if (ch->in_len < WV_FRAME_HEADER)
            want = WV_FRAME_HEADER - ch->in_len;
        if (want > len) want = len;
        if (in_append(ch, src, want)) {
            ch->in_len = 0;
            queue_answer(vm, ch, 0, WV_ST_INTERNAL, 0, "out of memory for the request", 29);
            return WV_ENOMEM;
        }
        src += want; len -= want;
        int r = wv_frame_scan(ch->in, ch->in_len, &f, &err);
        if (r < 0) {
            /* Not a frame: drop what came so far; the next request starts afresh. */
            ch->in_len = 0;
            queue_answer(vm, ch, 0, WV_ST_BAD_REQUEST, 0, err, strlen(err));
            return WV_OK;
        }
        if (ch->in_len == WV_FRAME_HEADER && vm->own.type != VM_TYPE_MVM) {
            static const char no[] = "refused: only the management VM may command the hypervisor";
            queue_answer(vm, ch, f.command, WV_ST_REFUSED, f.id, no, sizeof no - 1);
            /* At most one line a second: a guest sending requests in a loop must not keep
             * this CPU (and every CPU that prints) at the console. */
            uint64_t held;
            if (wv_ratelimit_ok(&ch->refusals, read_sysreg(cntpct_el0), read_sysreg(cntfrq_el0), &held)) {
                if (held)
                    wv_printf("[wasmvisor] vm %s: management request %u refused (not the management VM); "
                              "%lu more refused before it\n", vm->own.name, f.command, (unsigned long)held);
                else
                    wv_printf("[wasmvisor] vm %s: management request %u refused (not the management VM)\n",
                              vm->own.name, f.command);
            }
            ch->skip = f.length;
            ch->in_len = 0;
            continue;
        }
        if (r == 1) { ch->work = 1; return WV_OK; }   /* carried out after the exit */
    }
    return WV_OK;
}

m3ApiRawFunction(imp_chan_send)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(uint32_t, ptr);
    m3ApiGetArg(int32_t, len);
    if (!wv_import_may_act(WV_IMPORT_CTX(), "chan_send")) m3ApiReturn(WV_ESTATE);
    struct wv_vm *vm = VM();
    if (len < 0 || (uint32_t)len > SEND_MAX || !wv_wasm_range_ok(ptr, (uint64_t)len, MEM_SIZE()))
        m3ApiReturn(WV_EINVAL);
    if (vm->index >= WV_MAX_VMS) m3ApiReturn(WV_EINVAL);
    struct chan *ch = &chans[vm->index];
    wv_lock(&ch->lock);
    /* A whole request waits to be carried out: hold back the next until it is. */
    struct wv_frame f;
    const char *err;
    int32_t rc = ch->in_len && wv_frame_scan(ch->in, ch->in_len, &f, &err) == 1
        ? WV_ESTATE : receive(vm, ch, (const uint8_t *)_mem + ptr, (size_t)len);
    wv_unlock(&ch->lock);
    m3ApiReturn(rc);
}

static const struct wv_import imports[] = {
    { "chan_send", "i(ii)", imp_chan_send },
};

const char *wv_link_chan_imports(IM3Module module)
{
    return wv_link_table(module, imports, sizeof imports / sizeof imports[0]);
}

/* Offer waiting answers to the guest until it takes no more. */
static void flush(struct wv_vm *vm, struct chan *ch)
{
    struct wv_core_instance *c = wv_core_acquire(vm);
    if (!c) return;
    wv_lock(&ch->lock);
    size_t off = 0;
    while (off < ch->out_len) {
        size_t taken = 0;
        if (wv_core_chan_push(c, ch->out + off, ch->out_len - off, &taken) || taken == 0) break;
        off += taken;
    }
    memmove(ch->out, ch->out + off, ch->out_len - off);
    ch->out_len -= off;
    wv_unlock(&ch->lock);
    wv_core_release(c);
}

/* Cut the next whole request out of the input: its payload copied, or 0. */
static uint8_t *next_request(struct wv_vm *vm, struct chan *ch, struct wv_frame *f)
{
    const char *err;
    uint8_t *payload = 0;
    wv_lock(&ch->lock);
    if (ch->in_len && wv_frame_scan(ch->in, ch->in_len, f, &err) == 1) {
        payload = malloc(f->length ? f->length : 1);
        if (payload) memcpy(payload, ch->in + WV_FRAME_HEADER, f->length);
        ch->in_len = 0;
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
    if (ch->out_len) flush(vm, ch);
    /* Still waiting for the guest's receive buffers: look again after its next exits. */
    if (ch->out_len) ch->work = 1;
    __atomic_store_n(&ch->busy, 0, __ATOMIC_RELEASE);
}
