/* Console input (docs/abi.md section 5). CPU 0 takes the UART's interrupt wherever it is
 * (an IRQ exit of the vCPU it runs, or its idle loop), reads every byte waiting, follows
 * the key sequence (wv_console_keys.h) and hands the other bytes to the VM with the focus
 * through its core's wv_console_input, which puts them into the VM's emulated PL011.
 *
 * CPU 0 never waits for a core: when the VM's core is busy on another CPU, or the VM's
 * receive FIFO is full, the bytes wait in a small ring per VM. Whoever unlocks that core
 * next delivers them when its exit is done (wv_console_in_exit_done), and CPU 0 tries
 * again at the next input; a guest reading its FIFO exits, so a full FIFO drains too.
 * A full ring drops input with one message; so does a VM that takes none (stopped). */
#include "wv_console_in.h"
#include "wv_console_keys.h"
#include "wv_console.h"
#include "wv_core.h"
#include "wv_board.h"
#include "wv_gic.h"
#include "wv_lock.h"

#define RING_BYTES      1024u   /* a pasted line, or a whole command typed at once, waits whole */
#define INPUT_CPU       0u          /* the CPU the UART's interrupt is routed to */
#define VM_TYPE_MVM     0u          /* docs/abi.md 1, vm record type */
#define VM_TYPE_LAST    2u
/* Bytes read per interrupt at most: a UART that never runs dry cannot keep CPU 0 here. */
#define DRAIN_MAX       256u

struct ring {
    wv_spinlock_t lock;
    uint8_t buf[RING_BYTES];
    uint32_t head;
    volatile uint32_t count;
    volatile uint32_t pushed;       /* bytes ever queued: a drainer that saw fewer looks again */
    uint8_t overflow_told;          /* "dropped" printed since the ring was last empty */
    uint8_t refusal_told;           /* "takes no input" printed since the VM got the focus */
};

static struct ring rings[WV_MAX_VMS];
static struct wv_keys keys;
static uint32_t focus;
static int enabled;

static const char *const type_names[] = { "mvm", "gvm", "rtvm" };

static const char *type_name(uint32_t t)
{
    return t <= VM_TYPE_LAST ? type_names[t] : "?";
}

/* Say once (until the VM gets the focus again) why its input is dropped. */
static void refused(struct wv_vm *vm, struct ring *r)
{
    wv_lock(&r->lock);
    int tell = !r->refusal_told;
    r->refusal_told = 1;
    wv_unlock(&r->lock);
    if (tell)
        wv_printf("[wasmvisor] console input dropped: vm %s %s\n", vm->own.name,
                  vm->stopped ? "is stopped" : "takes no console input (it has no PL011)");
}

static int ring_peek(struct ring *r, uint8_t *b)
{
    wv_lock(&r->lock);
    int any = r->count != 0;
    if (any) *b = r->buf[r->head];
    wv_unlock(&r->lock);
    return any;
}

static void ring_pop(struct ring *r)
{
    wv_lock(&r->lock);
    if (r->count) {
        r->head = (r->head + 1) % RING_BYTES;
        if (--r->count == 0) r->overflow_told = 0;
    }
    wv_unlock(&r->lock);
}

/* Offer the VM's waiting bytes to its core, whose lock the caller holds. */
static void drain_locked(struct wv_vm *vm)
{
    struct ring *r = &rings[vm->index];
    uint8_t b;
    while (ring_peek(r, &b)) {
        int rc = wv_core_console_input(vm, b);
        if (rc == WV_CORE_INPUT_FULL) return;       /* the guest's next read brings us back */
        ring_pop(r);
        if (rc != WV_CORE_INPUT_TAKEN) refused(vm, r);
    }
}

/* Deliver what waits for `vm` unless its core is busy: then its holder does, once done. */
static void try_drain(struct wv_vm *vm)
{
    struct ring *r = &rings[vm->index];
    for (;;) {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (!r->count || !wv_core_trylock(vm)) return;
        uint32_t seen = r->pushed;
        drain_locked(vm);
        wv_core_unlock(vm);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        /* Bytes queued while the lock was held may have found it taken: look again. */
        if (r->pushed == seen) return;
    }
}

static void queue(uint32_t index, uint8_t b)
{
    struct wv_vm *vm = &wv_vms[index];
    struct ring *r = &rings[index];
    if (vm->stopped || !vm->core) { refused(vm, r); return; }
    wv_lock(&r->lock);
    int full = r->count == RING_BYTES, tell = full && !r->overflow_told;
    if (full) {
        r->overflow_told = 1;
    } else {
        r->buf[(r->head + r->count) % RING_BYTES] = b;
        r->count++;
        r->pushed++;
    }
    wv_unlock(&r->lock);
    if (tell)
        wv_printf("[wasmvisor] console input dropped: vm %s takes it slower than it comes (%u bytes wait)\n",
                  vm->own.name, RING_BYTES);
    try_drain(vm);
}

static void say_focus(const char *hint)
{
    struct wv_vm *vm = &wv_vms[focus];
    wv_printf("[wasmvisor] console input -> vm %s%s%s\n", vm->own.name,
              vm->stopped ? " (stopped: its input is dropped)" : "", hint);
}

static void select_vm(uint32_t index)
{
    if (index >= wv_vm_count) {
        wv_printf("[wasmvisor] console input: there is no vm %u (Ctrl-A ? lists the VMs)\n", index);
        return;
    }
    focus = index;
    wv_lock(&rings[index].lock);
    rings[index].refusal_told = 0;
    wv_unlock(&rings[index].lock);
    say_focus("");
}

static void list_vms(void)
{
    wv_printf("[wasmvisor] consoles (Ctrl-A then the number gives a VM the console input):\n");
    for (uint32_t i = 0; i < wv_vm_count; i++) {
        struct wv_vm *vm = &wv_vms[i];
        wv_printf("[wasmvisor]   %u %s (%s%s)%s\n", i, vm->own.name, type_name(vm->own.type),
                  vm->stopped ? ", stopped" : "", i == focus ? " <- input" : "");
    }
}

static void explain(void)
{
    wv_printf("[wasmvisor] console keys: Ctrl-A then 0-%u selects a VM, Ctrl-A ? lists them, "
              "Ctrl-A Ctrl-A sends Ctrl-A\n", wv_vm_count - 1);
}

void wv_console_in_init(void)
{
    uint32_t intid = wv_board.uart_intid;
    if (!intid || wv_vm_count == 0) return;
    focus = 0;
    for (uint32_t i = 0; i < wv_vm_count; i++)
        if (wv_vms[i].own.type == VM_TYPE_MVM) { focus = i; break; }
    wv_console_rx_enable();
    wv_gic_spi_set(intid, INPUT_CPU, 1);
    enabled = 1;
    say_focus(" (Ctrl-A ? lists the VMs)");
}

int wv_console_in_irq(uint32_t intid)
{
    if (!enabled || intid != wv_board.uart_intid) return 0;
    /* Clear first, then drain: a byte arriving meanwhile raises the interrupt again. */
    wv_console_rx_clear();
    int c;
    for (uint32_t n = 0; n < DRAIN_MAX && (c = wv_console_getc()) >= 0; n++) {
        struct wv_key k = wv_keys_feed(&keys, (uint8_t)c);
        switch (k.kind) {
        case WV_KEY_BYTE: queue(focus, k.byte); break;
        case WV_KEY_SELECT: select_vm(k.vm); break;
        case WV_KEY_SHOW_LIST: list_vms(); break;
        case WV_KEY_HELP: explain(); break;
        case WV_KEY_NONE: break;
        }
    }
    return 1;
}

void wv_console_in_exit_done(struct wv_vm *vm)
{
    /* On every exit, so one load: LDAR after the unlock's STLR is not reordered before it
     * (ARM ARM B2.3, ordering of Load-Acquire after Store-Release), which is what a byte
     * queued while this exit held the core relies on to be seen here. */
    if (vm->index < WV_MAX_VMS && __atomic_load_n(&rings[vm->index].count, __ATOMIC_SEQ_CST)) try_drain(vm);
}
