/* Creates the per-VM core instances and calls into them (docs/abi.md 2). wasm3 uses
 * FP/SIMD registers: every path into it first spills the guest's (arch/fpsimd.c). */
#include "wv_core.h"
#include "wv_console.h"
#include "wv_validate.h"
#include "wv_arch.h"
#include "wv_lock.h"
#include "wv_console_in.h"
#include "wv_update_plan.h"
#include "wasm3.h"
#include "wv_imports.h"
#include "wv_module_check.h"
#include "wv_stack_budget.h"
#include "m3_env.h"     /* M3Module's function table, read by wv_core_uncompiled only */
#include <string.h>
#include <stdlib.h>

struct wv_core_instance {
    IM3Environment env;
    IM3Runtime rt;
    IM3Module mod;
    IM3Function handle_exit, nop, init, buffer, exit_record;
    IM3Function console_input;  /* optional: a core without it takes no console input */
    IM3Function chan_buffer, chan_push;     /* optional: the hypervisor channel (docs/abi.md 6) */
    uint32_t exit_rec;          /* Wasm offset of the exit record */
    struct { const char *name; IM3Function f; } found[12];  /* wv_core_call's lookups, by name pointer */
    wv_spinlock_t lock;         /* an instance runs one call at a time (vCPUs of a VM share it) */
    struct wv_import_ctx ctx;   /* what its imports act for (the runtime's user data) */
};

static const char *find(IM3Runtime rt, IM3Function *f, const char *name)
{
    M3Result r = m3_FindFunction(f, rt, name);
    return r ? name : 0;
}

/* wasm3's trap when a call finds no room left in the instance's Wasm stack (sized by
 * wv_core_stack_bytes): the one bound on call depth, named for what it means. */
static const char *trap_cause(M3Result r)
{
    return r == m3Err_trapStackOverflow ? "call depth limit reached: the core recursed too deep" : r;
}

static int call_i32(IM3Function f, uint32_t argc, const void **args, int32_t *ret, const char **err)
{
    wv_fpsimd_spill();
    M3Result r = m3_Call(f, argc, args);
    if (r) { *err = trap_cause(r); return -1; }
    if (ret) {
        const void *rets[1] = { ret };
        r = m3_GetResults(f, 1, rets);
        if (r) { *err = r; return -1; }
    }
    return 0;
}

/* A failed or retired instance is freed whole (runtime, its modules, environment):
 * modules are loaded again and again by live update, so nothing may leak. */
void wv_core_free(struct wv_core_instance *c)
{
    if (!c) return;
    wv_fpsimd_spill();
    if (c->rt) m3_FreeRuntime(c->rt);
    if (c->env) m3_FreeEnvironment(c->env);
    free(c);
}

uint32_t wv_core_uncompiled(struct wv_core_instance *c)
{
    uint32_t n = 0;
    for (uint32_t i = 0; c && c->mod && i < c->mod->numFunctions; i++)
        if (c->mod->functions[i].wasm && !c->mod->functions[i].compiled) n++;
    return n;
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

/* Parse, load and link `wasm` (checked: `stack_bytes` from wv_core_module_check) for
 * `vm`, check its ABI and run its start function; the VM is not set up (wv_init) nor
 * restored yet. `wasm` must outlive the instance. */
static int load(struct wv_vm *vm, struct wv_core_instance *c, const uint8_t *wasm, size_t wasm_len,
                uint32_t stack_bytes, const char **err)
{
    wv_fpsimd_spill();
    if (!stack_bytes) { *err = "the core module was not checked"; return -1; }
    c->env = m3_NewEnvironment();
    if (!c->env) { *err = "out of memory (environment)"; return -1; }
    c->ctx.vm = vm;
    c->rt = m3_NewRuntime(c->env, stack_bytes, &c->ctx);
    if (!c->rt) { *err = "out of memory (runtime)"; return -1; }
    M3Result r = m3_ParseModule(c->env, &c->mod, wasm, (uint32_t)wasm_len);
    if (r) { *err = r; return -1; }
    r = m3_LoadModule(c->rt, c->mod);
    if (r) { m3_FreeModule(c->mod); c->mod = 0; *err = r; return -1; }
    r = wv_link_imports(c->mod);
    if (r) { *err = r; return -1; }
    /* Every function now, not at its first call: wasm3 otherwise compiles a function when
     * a call first reaches it, on the native stack at that call's depth (docs/architecture.md,
     * "The EL2 stacks"), and a live update's new instance on its VM's own CPU after the
     * hand-over (docs/live-update.md). */
    r = m3_CompileModule(c->mod);
    if (r) { *err = r; return -1; }
    const char *missing = find(c->rt, &c->handle_exit, "wv_handle_exit");
    if (!missing) missing = find(c->rt, &c->nop, "wv_nop");
    if (!missing) missing = find(c->rt, &c->init, "wv_init");
    if (!missing) missing = find(c->rt, &c->buffer, "wv_buffer");
    if (!missing) missing = find(c->rt, &c->exit_record, "wv_exit_record");
    IM3Function abi;
    if (!missing) missing = find(c->rt, &abi, "wv_abi_version");
    if (missing) { *err = "core module lacks an ABI export"; wv_printf("[wasmvisor] missing export %s\n", missing); return -1; }
    int32_t v = 0;
    if (call_i32(abi, 0, 0, &v, err)) return -1;
    if (v != WV_CORE_ABI_VERSION) { *err = "core module has another ABI version"; return -1; }
    IM3Function start;
    if (!m3_FindFunction(&start, c->rt, "_initialize") && call_i32(start, 0, 0, 0, err)) return -1;
    if (m3_FindFunction(&c->console_input, c->rt, "wv_console_input")) c->console_input = 0;
    if (m3_FindFunction(&c->chan_buffer, c->rt, "wv_chan_buffer") ||
        m3_FindFunction(&c->chan_push, c->rt, "wv_chan_push")) c->chan_buffer = c->chan_push = 0;

    int32_t rec = 0;
    if (call_i32(c->exit_record, 0, 0, &rec, err)) return -1;
    uint32_t mem_size = m3_GetMemorySize(c->rt);
    if (rec <= 0 || (uint32_t)rec % 8 || (uint64_t)rec + EXIT_REC_SIZE > mem_size) {
        *err = "core module's exit record lies outside its memory"; return -1;
    }
    c->exit_rec = (uint32_t)rec;
    return 0;
}

/* The instance's memory at Wasm offset `off` when [off, off + len) lies inside it (it is
 * looked up each time: memory.grow may move it), else 0 with *err set. */
static uint8_t *wasm_at(struct wv_core_instance *c, int32_t off, size_t len, const char **err)
{
    wv_fpsimd_spill();
    uint32_t mem_size;
    uint8_t *mem = m3_GetMemory(c->rt, &mem_size, 0);
    if (off <= 0 || !mem || !wv_wasm_range_ok((uint32_t)off, len, mem_size)) {
        *err = "core module's buffer lies outside its memory";
        return 0;
    }
    return mem + off;
}

/* Copy `len` bytes into the instance's buffer that `getter(size)` names: its Wasm offset,
 * or -1 when the module gave none that fits inside its memory. */
static int32_t fill_buffer(struct wv_core_instance *c, IM3Function getter, const void *src, size_t len,
                           const char **err)
{
    int32_t size = (int32_t)len, buf = 0;
    const void *a1[1] = { &size };
    if (call_i32(getter, 1, a1, &buf, err)) return -1;
    uint8_t *p = wasm_at(c, buf, len, err);
    if (!p) return -1;
    memcpy(p, src, len);
    return buf;
}

int wv_core_create(struct wv_vm *vm, const uint8_t *wasm, size_t wasm_len, uint32_t stack_bytes,
                   const uint8_t *blob, size_t blob_len, const char **err)
{
    struct wv_core_instance *c = calloc(1, sizeof *c);
    if (!c) { *err = "out of memory"; return -1; }
    c->ctx.live = 1;            /* the VM's first instance: its set-up is what builds the VM */
    vm->core = c;
    int32_t buf = -1, rc = 0;
    if (!load(vm, c, wasm, wasm_len, stack_bytes, err)) buf = fill_buffer(c, c->buffer, blob, blob_len, err);
    if (buf > 0) {
        int32_t index = (int32_t)vm->index, size = (int32_t)blob_len;
        const void *a3[3] = { &index, &buf, &size };
        if (!call_i32(c->init, 3, a3, &rc, err) && rc != 0) *err = "the core refused the VM (see its message above)";
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

static int handle_exit_locked(struct wv_vm *vm, struct wv_core_instance *c, struct wv_vcpu *vcpu,
                              uint32_t flags, uint32_t intid)
{
    wv_fpsimd_spill();
    uint32_t mem_size;
    uint8_t *mem = m3_GetMemory(c->rt, &mem_size, 0);
    if (!mem || (uint64_t)c->exit_rec + EXIT_REC_SIZE > mem_size) {
        wv_vm_stop(vm, "core memory shrank under the exit record");
        return WV_ACTION_STOP;
    }
    uint8_t *rec = mem + c->exit_rec;
    /* One copy: the record's first 288 bytes have the frame's layout. */
    memcpy(rec, &vcpu->regs, EXIT_REC_VCPU);
    *(uint32_t *)(rec + EXIT_REC_VCPU) = vcpu->index;
    *(uint32_t *)(rec + EXIT_REC_FLAGS) = flags;
    *(uint64_t *)(rec + EXIT_REC_CNTVCT) = wv_pcpus[wv_cpu_index()].trap_cntvct;   /* at the vector */
    *(uint32_t *)(rec + EXIT_REC_INTID) = intid;
    if (flags & EXIT_FLAG_IRQ) *(uint64_t *)(rec + EXIT_REC_ESR) = 0;   /* no syndrome for an IRQ */

    int32_t idx = (int32_t)vcpu->index, action = 0;
    const void *args[1] = { &idx };
    const char *err = 0;
    if (call_i32(c->handle_exit, 1, args, &action, &err)) {
        wv_printf("[wasmvisor] vm %s: the core trapped handling an exit (%s), ESR 0x%lx PC 0x%lx\n",
                  vm->own.name, err, vcpu->regs.esr, vcpu->regs.pc);
        wv_vm_stop(vm, "core trapped");
        return WV_ACTION_STOP;
    }
    mem = m3_GetMemory(c->rt, &mem_size, 0);      /* memory.grow may have moved it */
    if (!mem || (uint64_t)c->exit_rec + EXIT_REC_SIZE > mem_size) {
        wv_vm_stop(vm, "core memory shrank under the exit record");
        return WV_ACTION_STOP;
    }
    rec = mem + c->exit_rec;
    memcpy(&vcpu->regs, rec, 31 * 8 + 8);           /* x0..x30, pc */
    uint64_t spsr;
    if (wv_spsr_from_core(vcpu->regs.spsr, *(uint64_t *)(rec + 256), &spsr) != WV_OK) {
        wv_printf("[wasmvisor] vm %s: the core set PSTATE.M to 0x%lx, not EL1h, EL1t or EL0t\n",
                  vm->own.name, *(uint64_t *)(rec + 256) & 0x1f);
        wv_vm_stop(vm, "core set a bad PSTATE");
        return WV_ACTION_STOP;
    }
    vcpu->regs.spsr = spsr;
    return action;
}

int wv_core_reset(struct wv_vm *vm)
{
    struct wv_core_instance *c = wv_core_acquire(vm);
    if (!c) return -1;
    IM3Function reset;
    wv_fpsimd_spill();
    if (m3_FindFunction(&reset, c->rt, "wv_reset")) { wv_unlock(&c->lock); return -1; }
    const char *err = 0, *trap = 0;
    int32_t size = (int32_t)(wv_vms_blob_end - wv_vms_blob_start), rc = -1;
    int32_t buf = fill_buffer(c, c->buffer, wv_vms_blob_start, (size_t)size, &err);
    if (buf > 0) {
        const void *a2[2] = { &buf, &size };
        if (call_i32(reset, 2, a2, &rc, &trap)) rc = -1;
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
    const void *args[1] = { &b };
    const char *err = 0;
    if (call_i32(c->console_input, 1, args, &rc, &err)) {
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
    wv_fpsimd_spill();
    isb();
    uint64_t t0 = read_sysreg(cntpct_el0);
    for (uint32_t i = 0; i < n; i++) m3_Call(c->nop, 0, 0);
    isb();
    uint64_t t1 = read_sysreg(cntpct_el0);
    return t1 - t0;
}

/* ---- Live update and management (docs/live-update.md): each call below is made with
 * the instance's lock held, or on an instance no VM uses yet. ---- */

struct wv_core_instance *wv_core_load(struct wv_vm *vm, const uint8_t *wasm, size_t wasm_len, uint32_t stack_bytes,
                                      const char **err)
{
    struct wv_core_instance *c = calloc(1, sizeof *c);
    if (!c) { *err = "out of memory"; return 0; }
    if (load(vm, c, wasm, wasm_len, stack_bytes, err)) { wv_core_free(c); return 0; }
    return c;
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
    wv_fpsimd_spill();
    /* Looked up once per instance: a hand-over calls the same few exports inside a VM's
     * pause, and a lookup walks the module's exports comparing names. */
    IM3Function f = 0;
    size_t k = 0, n = sizeof c->found / sizeof c->found[0];
    for (; k < n && c->found[k].name; k++) if (c->found[k].name == name) { f = c->found[k].f; break; }
    if (!f) {
        if (m3_FindFunction(&f, c->rt, name)) { *err = "core module lacks an export the update needs"; return -1; }
        if (k < n) { c->found[k].name = name; c->found[k].f = f; }
    }
    if (m3_GetArgCount(f) != argc || m3_GetRetCount(f) != (ret ? 1u : 0u)) { *err = "core module export has the wrong signature"; return -1; }
    const void *args[3] = { &argv[0], &argv[1], &argv[2] };
    return call_i32(f, argc, argc ? args : 0, ret, err);
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
    if (call_i32(c->chan_buffer, 0, 0, &buf, &err)) return -1;
    uint8_t *p = wasm_at(c, buf, len, &err);
    if (!p) return -1;
    memcpy(p, src, len);
    const void *a1[1] = { &l };
    if (call_i32(c->chan_push, 1, a1, &n, &err)) return -1;
    if (n < 0 || (size_t)n > len) return -1;
    *taken = (size_t)n;
    return 0;
}
