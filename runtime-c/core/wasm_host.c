/* Creates the per-VM core instances and calls into them (docs/abi.md 2): what every
 * engine shares. The module's code runs in the instance's engine (wv_engine.h), reached
 * only through it. */
#include "wv_core.h"
#include "wv_console.h"
#include "wv_validate.h"
#include "wv_arch.h"
#include "wv_gic.h"
#include "wv_lock.h"
#include "wv_console_in.h"
#include "wv_update_plan.h"
#include "wv_engine.h"
#include "wv_imports.h"
#include "wv_module_check.h"
#include "wv_stack_budget.h"
#include "wv_trace.h"
#include <string.h>
#include <stdlib.h>

struct wv_core_instance {
    const struct wv_engine *engine;     /* what runs its code */
    struct wv_engine_instance *engine_instance;     /* the engine's instance of the module */
    const struct wv_engine_export *handle_exit, *nop, *init, *buffer, *exit_record;
    const struct wv_engine_export *console_input;   /* optional: a core without it takes no console input */
    const struct wv_engine_export *chan_buffer, *chan_push; /* optional: the hypervisor channel (docs/abi.md 6) */
    uint32_t exit_rec;          /* Wasm offset of the exit records: vCPU i's at + i * EXIT_REC_SIZE */
    /* Where the engine's memory never moves (fixed_memory): the exit records' bytes, each
     * the vCPU's register frame itself (vcpu->frame) from its first exit to this instance
     * on, so nothing is copied on an exit (home()); else 0 and the frames are copied into
     * the records and back (docs/abi.md 2). */
    uint8_t *fixed_recs;
    struct {                    /* wv_core_call's lookups, by name pointer */
        const char *name;
        const struct wv_engine_export *f;
        uint32_t params, results;
    } found[12];
    wv_spinlock_t lock;         /* an instance runs one call at a time (vCPUs of a VM share it) */
    struct wv_import_ctx ctx;   /* what its imports act for */
};

static const char *find(struct wv_core_instance *c, const struct wv_engine_export **f, const char *name)
{
    *f = c->engine->find(c->engine_instance, name, 0, 0);
    return *f ? 0 : name;
}

static int call_i32(struct wv_core_instance *c, const struct wv_engine_export *f, uint32_t argc,
                    const int32_t *argv, int32_t *ret, const char **err)
{
    return c->engine->call(c->engine_instance, f, argc, argv, ret, err);
}

/* A failed or retired instance is freed whole (the engine's instance with it): modules
 * are loaded again and again by live update, so nothing may leak. */
void wv_core_free(struct wv_core_instance *c)
{
    if (!c) return;
    if (c->engine_instance) c->engine->free(c->engine_instance);
    free(c);
}

uint32_t wv_core_uncompiled(struct wv_core_instance *c)
{
    return c && c->engine_instance ? c->engine->uncompiled(c->engine_instance) : 0;
}

int wv_core_module_check(const uint8_t *wasm, size_t wasm_len, uint32_t *stack_bytes, char *why, size_t cap)
{
    struct wv_module_report r;
    if (wv_module_check(wasm, wasm_len, &r)) {
        int n = wv_snprintf(why, cap, "core module refused: ");
        if (n >= 0 && (size_t)n < cap) wv_module_report_text(&r, why + n, cap - (size_t)n);
        return -1;
    }
    /* An image built to prove the EL2 stack's guard page gives every module the most
     * calls whatever its loops (wv_core.h), so that one can overrun the stack. */
    *stack_bytes = wv_core_full_call_depth ? WV_CORE_MAX_CALLS * WV_WASM3_MIN_CALL_BYTES
                                           : wv_core_stack_bytes(r.max_loops);
    return 0;
}

/* An instance of module `m` (checked: wv_core_module_check) for `vm`, its ABI checked and
 * its start function run; the VM is not set up (wv_init) nor restored yet. A module with
 * a loaded native part runs natively, any other in wasm3 (wv_core.h). */
static int load(struct wv_vm *vm, struct wv_core_instance *c, const struct wv_core_module *m, const char **err)
{
    if (!m->stack_bytes) { *err = "the core module was not checked"; return -1; }
    c->ctx.vm = vm;
    c->engine = m->native ? &wv_engine_native : &wv_engine_wasm3;
    /* A tracing image records every call behind the engine (docs/replay.md); the exit
     * path itself is the same in every image. */
    if (wv_trace_enabled) c->engine = wv_trace_engine(c->engine);
    c->engine_instance = c->engine->load(m, &c->ctx, err);
    if (!c->engine_instance) return -1;
    const char *missing = find(c, &c->handle_exit, "wv_handle_exit");
    if (!missing) missing = find(c, &c->nop, "wv_nop");
    if (!missing) missing = find(c, &c->init, "wv_init");
    if (!missing) missing = find(c, &c->buffer, "wv_buffer");
    if (!missing) missing = find(c, &c->exit_record, "wv_exit_record");
    const struct wv_engine_export *abi;
    if (!missing) missing = find(c, &abi, "wv_abi_version");
    if (missing) { *err = "core module lacks an ABI export"; wv_printf("[wasmvisor] missing export %s\n", missing); return -1; }
    int32_t v = 0;
    if (call_i32(c, abi, 0, 0, &v, err)) return -1;
    if (v != WV_CORE_ABI_VERSION) { *err = "core module has another ABI version"; return -1; }
    const struct wv_engine_export *start;
    if (!find(c, &start, "_initialize") && call_i32(c, start, 0, 0, 0, err)) return -1;
    find(c, &c->console_input, "wv_console_input");
    if (find(c, &c->chan_buffer, "wv_chan_buffer") || find(c, &c->chan_push, "wv_chan_push"))
        c->chan_buffer = c->chan_push = 0;

    int32_t rec = 0;
    if (call_i32(c, c->exit_record, 0, 0, &rec, err)) return -1;
    uint64_t mem_size;
    uint8_t *mem = c->engine->memory(c->engine_instance, &mem_size);
    if (!mem || rec <= 0 || (uint32_t)rec % 8 || (uint64_t)rec + EXIT_RECS_SIZE > mem_size) {
        *err = "core module's exit records lie outside its memory"; return -1;
    }
    c->exit_rec = (uint32_t)rec;
    if (c->engine->fixed_memory) c->fixed_recs = mem + rec;
    return 0;
}

/* The instance's memory at Wasm offset `off` when [off, off + len) lies inside it (it is
 * looked up each time: memory.grow may move it), else 0 with *err set. */
static uint8_t *wasm_at(struct wv_core_instance *c, int32_t off, size_t len, const char **err)
{
    uint64_t mem_size;
    uint8_t *mem = c->engine->memory(c->engine_instance, &mem_size);
    if (off <= 0 || !mem || !wv_wasm_range_ok((uint32_t)off, len, mem_size)) {
        *err = "core module's buffer lies outside its memory";
        return 0;
    }
    return mem + off;
}

/* Copy `len` bytes into the instance's buffer that `getter(size)` names: its Wasm offset,
 * or -1 when the module gave none that fits inside its memory. */
static int32_t fill_buffer(struct wv_core_instance *c, const struct wv_engine_export *getter, const void *src,
                           size_t len, const char **err)
{
    int32_t size = (int32_t)len, buf = 0;
    if (call_i32(c, getter, 1, &size, &buf, err)) return -1;
    uint8_t *p = wasm_at(c, buf, len, err);
    if (!p) return -1;
    memcpy(p, src, len);
    return buf;
}

int wv_core_create(struct wv_vm *vm, const struct wv_core_module *m, const uint8_t *blob, size_t blob_len,
                   const char **err)
{
    struct wv_core_instance *c = calloc(1, sizeof *c);
    if (!c) { *err = "out of memory"; return -1; }
    c->ctx.live = 1;            /* the VM's first instance: its set-up is what builds the VM */
    vm->core = c;
    int32_t buf = -1, rc = 0;
    if (!load(vm, c, m, err)) buf = fill_buffer(c, c->buffer, blob, blob_len, err);
    if (buf > 0) {
        int32_t a3[3] = { (int32_t)vm->index, buf, (int32_t)blob_len };
        if (!call_i32(c, c->init, 3, a3, &rc, err) && rc != 0) *err = "the core refused the VM (see its message above)";
    }
    if (buf <= 0 || rc != 0 || *err) {
        vm->core = 0;
        wv_core_free(c);
        return -1;
    }
    return 0;
}

struct wv_core_instance *wv_core_acquire(struct wv_vm *vm)
{
    for (;;) {
        struct wv_core_instance *c = __atomic_load_n(&vm->core, __ATOMIC_ACQUIRE);
        if (!c) return 0;
        wv_lock(&c->lock);
        /* A live update swaps vm->core only with the old instance's lock held: once we
         * hold it and it is still the VM's, it stays the VM's until we let go. */
        if (c == __atomic_load_n(&vm->core, __ATOMIC_ACQUIRE)) return c;
        wv_unlock(&c->lock);
    }
}

void wv_core_release(struct wv_core_instance *c)
{
    wv_unlock(&c->lock);
}

/* The exit record's copies, on every exit: `n` (a multiple of 32, both ends 8-aligned)
 * bytes in 32-byte steps the compiler turns into LDP/STP pairs, unrolled: a quarter of the
 * instructions of the general memcpy, which the runtime calls for any size. */
static inline void copy_regs(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
#pragma GCC unroll 9
    for (size_t k = 0; k < n; k += 32) __builtin_memcpy(d + k, s + k, 32);
}

static int handle_exit_locked(struct wv_vm *vm, struct wv_core_instance *c, struct wv_vcpu *vcpu,
                              uint32_t flags, uint32_t intid);

int wv_core_handle_exit(struct wv_vm *vm, struct wv_vcpu *vcpu, uint32_t flags, uint32_t intid)
{
    struct wv_pcpu *p = &wv_pcpus[wv_cpu_index()];
    struct wv_core_instance *c = wv_core_acquire(vm);
    if (!c) return WV_ACTION_STOP;
    p->exit_vm = vm;                /* the interrupt imports act for this VM only */
    int action = handle_exit_locked(vm, c, vcpu, flags, intid);
    /* PSCI CPU_OFF: the vCPU is off before the next exit of its VM can look. Once the
     * lock is free, another vCPU's AFFINITY_INFO already answers OFF, and its CPU_ON
     * (vcpu_boot) must find the vCPU off, not still on its way there (PSCI 5.1.5). */
    if (action == WV_ACTION_OFF) __atomic_store_n(&vcpu->state, VCPU_OFF, __ATOMIC_SEQ_CST);
    p->exit_vm = 0;
    wv_unlock(&c->lock);
    wv_console_in_exit_done(vm);
    wv_chan_exit_done(vm);
    return action;
}

/* The fields of the exit record that are not the frame's (docs/abi.md 2). */
static inline void record_exit(uint8_t *rec, const struct wv_vcpu *vcpu, uint32_t flags, uint32_t intid)
{
    *(uint32_t *)(rec + EXIT_REC_VCPU) = vcpu->index;
    *(uint32_t *)(rec + EXIT_REC_FLAGS) = flags;
    *(uint64_t *)(rec + EXIT_REC_CNTVCT) = ((struct wv_pcpu *)read_sysreg(tpidr_el2))->trap_cntvct;   /* at the vector */
    *(uint32_t *)(rec + EXIT_REC_INTID) = intid;
    if (flags & EXIT_FLAG_IRQ) *(uint64_t *)(rec + EXIT_REC_ESR) = 0;   /* no syndrome for an IRQ */
}

/* The PSTATE the vCPU resumes with: what the core left in the record, checked against
 * the one it trapped with (wv_spsr_from_core): the frame is the core's to write, the
 * vCPU's `spsr` only the runtime's. `action` when it passes, else WV_ACTION_STOP. */
static int take_spsr(struct wv_vm *vm, struct wv_vcpu *vcpu, uint64_t proposed, int action)
{
    uint64_t spsr;
    if (wv_spsr_from_core(vcpu->spsr, proposed, &spsr) != WV_OK) {
        wv_printf("[wasmvisor] vm %s: the core set PSTATE.M to 0x%lx, not EL1h, EL1t or EL0t\n",
                  vm->own.name, proposed & 0x1f);
        wv_vm_stop(vm, "core set a bad PSTATE");
        return WV_ACTION_STOP;
    }
    vcpu->spsr = spsr;
    return action;
}

static int core_trapped(struct wv_vm *vm, const struct wv_vcpu *vcpu, const char *err)
{
    wv_printf("[wasmvisor] vm %s: the core trapped handling an exit (%s), ESR 0x%lx PC 0x%lx\n",
              vm->own.name, err, vcpu->frame->esr, vcpu->frame->pc);
    wv_vm_stop(vm, "core trapped");
    return WV_ACTION_STOP;
}

/* A vCPU's frame goes where instance `c` keeps it: its exit record there (in place), or
 * the vCPU's own `regs`. Done by the vCPU's own CPU, at its first exit to `c` (a VM's
 * first, or its first after a live update), with `c`'s lock held: nothing else reads or
 * writes the frame of a vCPU that is in its exit path, and the next trap saves where
 * `frame` points then. */
/* vCPU `index`'s exit record in `c` when it is shared in place, else 0. */
static inline struct wv_vcpu_regs *home(const struct wv_core_instance *c, uint32_t index)
{
    return c->fixed_recs ? (struct wv_vcpu_regs *)(c->fixed_recs + (size_t)index * EXIT_REC_SIZE) : 0;
}

static inline void frame_home(struct wv_vcpu *vcpu, struct wv_vcpu_regs *home)
{
    if (vcpu->frame == home) return;
    copy_regs(home, vcpu->frame, EXIT_REC_VCPU);
    vcpu->frame = home;
}

static int handle_exit_locked(struct wv_vm *vm, struct wv_core_instance *c, struct wv_vcpu *vcpu,
                              uint32_t flags, uint32_t intid)
{
    int32_t idx = (int32_t)vcpu->index, action = 0;
    const char *err = 0;
    struct wv_vcpu_regs *in_place = home(c, vcpu->index);
    if (in_place) {
        /* Shared in place: the vector saved the registers into the record, the core reads
         * and writes them there, and the guest is entered from it. */
        frame_home(vcpu, in_place);
        record_exit((uint8_t *)in_place, vcpu, flags, intid);
        if (call_i32(c, c->handle_exit, 1, &idx, &action, &err)) return core_trapped(vm, vcpu, err);
        return take_spsr(vm, vcpu, in_place->spsr, action);
    }
    /* Copied: the engine may move its memory (memory.grow), so the frame stays the
     * vCPU's own and goes into the record and back. */
    frame_home(vcpu, &vcpu->regs);
    uint64_t mem_size;
    uint64_t at = (uint64_t)c->exit_rec + (uint64_t)vcpu->index * EXIT_REC_SIZE;
    uint8_t *mem = c->engine->memory(c->engine_instance, &mem_size);
    if (!mem || at + EXIT_REC_SIZE > mem_size) {
        wv_vm_stop(vm, "core memory shrank under the exit record");
        return WV_ACTION_STOP;
    }
    uint8_t *rec = mem + at;
    copy_regs(rec, &vcpu->regs, EXIT_REC_VCPU);     /* the record's first 288 bytes have the frame's layout */
    record_exit(rec, vcpu, flags, intid);
    if (call_i32(c, c->handle_exit, 1, &idx, &action, &err)) return core_trapped(vm, vcpu, err);
    mem = c->engine->memory(c->engine_instance, &mem_size);    /* memory.grow may have moved it */
    if (!mem || at + EXIT_REC_SIZE > mem_size) {
        wv_vm_stop(vm, "core memory shrank under the exit record");
        return WV_ACTION_STOP;
    }
    rec = mem + at;
    copy_regs(&vcpu->regs, rec, 31 * 8 + 8);        /* x0..x30, pc */
    return take_spsr(vm, vcpu, *(uint64_t *)(rec + FRAME_SPSR), action);
}

/* After a live update's swap. A vCPU idle in WFI (a tickless Linux's) might otherwise
 * take no exit for seconds, and the replaced instance could not be freed until it did
 * (wv_core_holds_frames). Off and stopped vCPUs run only once booted again, which puts
 * their frames home (wv_imp_vcpu_boot). */
void wv_core_kick_frames_home(struct wv_core_instance *c)
{
    struct wv_vm *vm = c->ctx.vm;
    for (uint32_t i = 0; i < vm->own.vcpu_count && i < WV_MAX_VCPUS; i++) {
        uint32_t s = __atomic_load_n(&vm->vcpus[i].state, __ATOMIC_ACQUIRE);
        if (s == VCPU_RUNNABLE || s == VCPU_IDLE) wv_gic_send_sgi(vm->vcpus[i].pcpu, WV_KICK_SGI);
    }
}

/* Once `c` is replaced nothing moves a frame into it again, so a 0 here stays 0. An off or
 * stopped vCPU out of its guest saves nothing more until wv_imp_vcpu_boot has moved its
 * frame (only a boot makes it runnable again): its frame goes to its own `regs`, unless
 * a boot has just moved it (the exchange). */
int wv_core_holds_frames(struct wv_core_instance *c)
{
    struct wv_vm *vm = c->ctx.vm;
    for (uint32_t i = 0; c->fixed_recs && i < WV_MAX_VCPUS; i++) {
        struct wv_vcpu *v = &vm->vcpus[i];
        struct wv_vcpu_regs *rec = home(c, i);
        if (__atomic_load_n(&v->frame, __ATOMIC_ACQUIRE) != rec) continue;
        uint32_t s = __atomic_load_n(&v->state, __ATOMIC_ACQUIRE);
        if ((s != VCPU_OFF && s != VCPU_STOPPED) || __atomic_load_n(&v->in_guest, __ATOMIC_SEQ_CST)) return 1;
        struct wv_vcpu_regs *own = &v->regs;
        __atomic_compare_exchange_n(&v->frame, &rec, own, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    }
    return 0;
}

struct wv_vcpu_regs *wv_core_frame_home(struct wv_import_ctx *ctx, struct wv_vcpu *v)
{
    const struct wv_core_instance *c =
        (const struct wv_core_instance *)((const char *)ctx - __builtin_offsetof(struct wv_core_instance, ctx));
    struct wv_vcpu_regs *rec = home(c, v->index);
    return rec ? rec : &v->regs;
}

int wv_core_reset(struct wv_vm *vm)
{
    struct wv_core_instance *c = wv_core_acquire(vm);
    if (!c) return -1;
    const struct wv_engine_export *reset;
    if (find(c, &reset, "wv_reset")) { wv_unlock(&c->lock); return -1; }
    const char *err = 0, *trap = 0;
    int32_t size = (int32_t)(wv_vms_blob_end - wv_vms_blob_start), rc = -1;
    int32_t buf = fill_buffer(c, c->buffer, wv_vms_blob_start, (size_t)size, &err);
    if (buf > 0) {
        int32_t a2[2] = { buf, size };
        if (call_i32(c, reset, 2, a2, &rc, &trap)) rc = -1;
    }
    wv_unlock(&c->lock);
    if (trap) wv_printf("[wasmvisor] vm %s: the core trapped restarting the VM (%s)\n", vm->own.name, trap);
    else if (buf <= 0) wv_printf("[wasmvisor] vm %s: restart: %s\n", vm->own.name, err);
    return rc;
}

int wv_core_trylock(struct wv_vm *vm)
{
    struct wv_core_instance *c = __atomic_load_n(&vm->core, __ATOMIC_ACQUIRE);
    if (!c || !wv_trylock(&c->lock)) return 0;
    if (c == __atomic_load_n(&vm->core, __ATOMIC_ACQUIRE)) return 1;
    wv_unlock(&c->lock);        /* swapped meanwhile: whoever holds the new one delivers */
    return 0;
}

void wv_core_unlock(struct wv_vm *vm)
{
    wv_unlock(&vm->core->lock);
}

int wv_core_console_input(struct wv_vm *vm, uint8_t byte)
{
    struct wv_core_instance *c = vm->core;
    if (!c || !c->console_input || vm->stopped) return WV_CORE_INPUT_NONE;
    int32_t b = byte, rc = WV_CORE_INPUT_NONE;
    const char *err = 0;
    if (call_i32(c, c->console_input, 1, &b, &rc, &err)) {
        wv_printf("[wasmvisor] vm %s: the core trapped taking console input (%s)\n", vm->own.name, err);
        wv_vm_stop(vm, "core trapped");
        return WV_CORE_INPUT_NONE;
    }
    return rc;
}

uint64_t wv_core_time_nop(struct wv_vm *vm, uint32_t n)
{
    struct wv_core_instance *c = vm->core;
    if (!c || !c->nop || n == 0) return 0;
    return c->engine->time_calls(c->engine_instance, c->nop, n);
}

/* ---- Live update and management (docs/live-update.md): each call below is made with
 * the instance's lock held, or on an instance no VM uses yet. ---- */

struct wv_core_instance *wv_core_load(struct wv_vm *vm, const struct wv_core_module *m, const char **err)
{
    struct wv_core_instance *c = calloc(1, sizeof *c);
    if (!c) { *err = "out of memory"; return 0; }
    if (load(vm, c, m, err)) { wv_core_free(c); return 0; }
    return c;
}

const char *wv_core_engine_name(const struct wv_core_instance *c)
{
    return c->engine->name;
}

void wv_core_set_live(struct wv_core_instance *c, int live)
{
    __atomic_store_n(&c->ctx.live, live ? 1u : 0u, __ATOMIC_RELEASE);
}

const char *wv_core_refused_import(const struct wv_core_instance *c)
{
    return c->ctx.refused;
}

void wv_core_lock(struct wv_core_instance *c)
{
    wv_lock(&c->lock);
}

/* Call export `name` with up to three i32 arguments; -1 with *err set when it is missing
 * or traps. */
int wv_core_call(struct wv_core_instance *c, const char *name, uint32_t argc, const int32_t *argv,
                 int32_t *ret, const char **err)
{
    /* Looked up once per instance: a hand-over calls the same few exports inside a VM's
     * pause, and a lookup walks the module's exports comparing names. */
    const struct wv_engine_export *f = 0;
    uint32_t params = 0, results = 0;
    size_t k = 0, n = sizeof c->found / sizeof c->found[0];
    for (; k < n && c->found[k].name; k++)
        if (c->found[k].name == name) {
            f = c->found[k].f;
            params = c->found[k].params;
            results = c->found[k].results;
            break;
        }
    if (!f) {
        f = c->engine->find(c->engine_instance, name, &params, &results);
        if (!f) { *err = "core module lacks an export the update needs"; return -1; }
        if (k < n) {
            c->found[k].name = name;
            c->found[k].f = f;
            c->found[k].params = params;
            c->found[k].results = results;
        }
    }
    if (params != argc || results != (ret ? 1u : 0u)) { *err = "core module export has the wrong signature"; return -1; }
    return call_i32(c, f, argc, argv, ret, err);
}

/* wv_state_buffer(len): where `len` bytes of saved state (or the VM info record) go. */
static int32_t state_buffer(struct wv_core_instance *c, size_t len, const char **err)
{
    int32_t a[3] = { (int32_t)len, 0, 0 }, buf = 0;
    if (wv_core_call(c, "wv_state_buffer", 1, a, &buf, err)) return -1;
    return wasm_at(c, buf, len, err) ? buf : -1;
}

int wv_core_save(struct wv_core_instance *c, uint32_t version, uint8_t **out, size_t *out_len, const char **err)
{
    int32_t size = 0, n = 0;
    if (wv_core_call(c, "wv_state_size", 0, 0, &size, err)) return -1;
    if (!wv_state_size_ok(size)) { *err = "core module reports an implausible state size"; return -1; }
    int32_t buf = state_buffer(c, (size_t)size, err);
    if (buf < 0) return -1;
    int32_t s[3] = { buf, size, (int32_t)version };
    if (wv_core_call(c, version ? "wv_save_as" : "wv_save", version ? 3 : 2, s, &n, err)) return -1;
    if (!wv_state_saved_ok(n, size)) { *err = "core module could not save its state"; return -1; }
    const uint8_t *p = wasm_at(c, buf, (size_t)n, err);
    if (!p) return -1;
    uint8_t *copy = malloc((size_t)n);
    if (!copy) { *err = "out of memory (saved state)"; return -1; }
    memcpy(copy, p, (size_t)n);
    *out = copy;
    *out_len = (size_t)n;
    return 0;
}

int wv_core_restore(struct wv_core_instance *c, const uint8_t *blob, size_t len, uint32_t version,
                    int32_t *rc, const char **err)
{
    int32_t buf = state_buffer(c, len, err);
    if (buf < 0) return -1;
    memcpy(wasm_at(c, buf, len, err), blob, len);
    int32_t r[3] = { buf, (int32_t)len, (int32_t)version };
    return wv_core_call(c, "wv_restore", 3, r, rc, err);
}

int wv_core_vm_info(struct wv_core_instance *c, uint8_t out[WV_VM_INFO_SIZE], const char **err)
{
    int32_t n = 0, buf = state_buffer(c, WV_VM_INFO_SIZE, err);
    if (buf < 0) return -1;
    int32_t s[3] = { buf, WV_VM_INFO_SIZE, 0 };
    if (wv_core_call(c, "wv_vm_info", 2, s, &n, err)) return -1;
    if (n != WV_VM_INFO_SIZE) { *err = "core module gave no VM information"; return -1; }
    const uint8_t *p = wasm_at(c, buf, WV_VM_INFO_SIZE, err);
    if (!p) return -1;
    memcpy(out, p, WV_VM_INFO_SIZE);
    return 0;
}

int wv_core_chan_push(struct wv_core_instance *c, const uint8_t *src, size_t len, size_t *taken)
{
    *taken = 0;
    if (!c->chan_buffer || !c->chan_push) return -1;
    const char *err = 0;
    if (len > WV_CHAN_IN_CAP) len = WV_CHAN_IN_CAP;
    int32_t buf = 0, n = 0, l = (int32_t)len;
    if (call_i32(c, c->chan_buffer, 0, 0, &buf, &err)) return -1;
    uint8_t *p = wasm_at(c, buf, len, &err);
    if (!p) return -1;
    memcpy(p, src, len);
    if (call_i32(c, c->chan_push, 1, &l, &n, &err)) return -1;
    if (n < 0 || (size_t)n > len) return -1;
    *taken = (size_t)n;
    return 0;
}
