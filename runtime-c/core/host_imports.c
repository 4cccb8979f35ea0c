/* The `wv` imports of the core module (docs/abi.md 2). Each checks its arguments
 * against what the calling instance's VM owns before it acts, and answers a
 * negative error instead of acting: a buggy or hostile core cannot reach memory,
 * tables or registers of another VM or of the hypervisor. */
#include "wv_core.h"
#include "wv_validate.h"
#include "wv_console.h"
#include "wv_sysregs.h"
#include "wv_arch.h"
#include "wv_imports.h"
#include "wv_gic.h"
#include "wv_mgmt.h"
#include <string.h>

#define VM()        WV_IMPORT_VM()
/* The refusal of an effectful import by an instance that is not its VM's (yet). */
#define ACTING_OR(import, ret) do { if (!wv_import_may_act(WV_IMPORT_CTX(), import)) { ret; } } while (0)
#define MEM_SIZE()  m3_GetMemorySize(runtime)

static const char *err_name(int err)
{
    switch (err) {
    case WV_EINVAL: return "bad argument";
    case WV_ENOTOWNED: return "not owned by this VM";
    case WV_ENOMEM: return "out of memory";
    case WV_EDENIED: return "not allowed";
    case WV_ESTATE: return "bad state";
    default: return "error";
    }
}

static void refuse(struct wv_vm *vm, const char *what, int err)
{
    wv_printf("[wasmvisor] vm %s: import %s refused (error %d: %s)\n", vm->own.name, what, err, err_name(err));
}

int wv_import_may_act(struct wv_import_ctx *ctx, const char *import)
{
    if (ctx->live) return 1;
    if (!ctx->refused) ctx->refused = import;
    wv_printf("[wasmvisor] vm %s: import %s refused (error %d: %s): the instance is staged by a live update "
              "(or replaced) and acts on the VM only once swapped in\n", ctx->vm->own.name, import, WV_ESTATE,
              err_name(WV_ESTATE));
    return 0;
}

m3ApiRawFunction(imp_console_write)
{
    m3ApiGetArg(uint32_t, ptr);
    m3ApiGetArg(uint32_t, len);
    if (!wv_wasm_range_ok(ptr, len, MEM_SIZE()) || len > 4096) {
        refuse(VM(), "console_write", WV_EINVAL);
        m3ApiSuccess();
    }
    wv_console_write((const char *)_mem + ptr, len);
    /* The core's own messages (a guest's lines carry the VM's name instead) belong in the
     * hypervisor's log (wvctl log) with the runtime's. */
    static const char tag[] = "[wasmvisor]";
    if (len >= sizeof tag - 1 && !memcmp((const char *)_mem + ptr, tag, sizeof tag - 1))
        wv_log_append((const char *)_mem + ptr, len);
    m3ApiSuccess();
}

m3ApiRawFunction(imp_now)
{
    m3ApiReturnType(int64_t);
    m3ApiReturn((int64_t)read_sysreg(cntpct_el0));
}

m3ApiRawFunction(imp_counter_freq)
{
    m3ApiReturnType(int64_t);
    m3ApiReturn((int64_t)read_sysreg(cntfrq_el0));
}

m3ApiRawFunction(imp_s2_table_new)
{
    m3ApiReturnType(int32_t);
    ACTING_OR("s2_table_new", m3ApiReturn(WV_ESTATE));
    struct wv_vm *vm = VM();
    if (vm->s2_table_count >= WV_MAX_S2_TABLES) m3ApiReturn(WV_ENOMEM);
    void *p = wv_page_alloc();
    if (!p) m3ApiReturn(WV_ENOMEM);
    uint32_t h = vm->s2_table_count++;
    vm->s2_tables[h] = p;
    vm->s2_level[h] = h == 0 ? WV_S2_START_LEVEL : 0;     /* the first table is the root */
    m3ApiReturn((int32_t)h);
}

m3ApiRawFunction(imp_s2_set_entry)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, table);
    m3ApiGetArg(int32_t, index);
    m3ApiGetArg(int32_t, level);
    m3ApiGetArg(uint64_t, desc);
    ACTING_OR("s2_set_entry", m3ApiReturn(WV_ESTATE));
    struct wv_vm *vm = VM();
    if (index < 0 || index > 511 || level < 0) { refuse(vm, "s2_set_entry", WV_EINVAL); m3ApiReturn(WV_EINVAL); }
    /* Stage 2 is built once, before s2_activate; after it the tables may be walked and
     * cached (TLBs, walk caches) by any CPU running the VM, and a change would need
     * break-before-make and TLB invalidation by VMID on every one (ARM ARM D8.16.1,
     * "Using break-before-make"). Refused rather than half done. */
    if (vm->vttbr) { refuse(vm, "s2_set_entry (stage 2 already active)", WV_ESTATE); m3ApiReturn(WV_ESTATE); }
    int rc = wv_s2_entry_level_ok(vm->s2_level, vm->s2_table_count, table, (uint32_t)level);
    if (rc) { refuse(vm, "s2_set_entry (table level)", rc); m3ApiReturn(rc); }
    int kind;
    rc = wv_check_s2_desc(&vm->own, (uint32_t)level, desc, &kind);
    if (rc) { refuse(vm, "s2_set_entry", rc); m3ApiReturn(rc); }
    if (kind == 1) {
        uint64_t handle = (desc >> 12) & 0xfffffffffull;
        rc = wv_s2_link(vm->s2_level, vm->s2_table_count, table, (uint32_t)level, handle);
        if (rc) { refuse(vm, "s2_set_entry (table link)", rc); m3ApiReturn(rc); }
        desc = (uint64_t)vm->s2_tables[handle] | 3;
    }
    vm->s2_tables[table][index] = desc;
    m3ApiReturn(WV_OK);
}

m3ApiRawFunction(imp_s2_activate)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, root);
    m3ApiGetArg(int32_t, ipa_bits);
    ACTING_OR("s2_activate", m3ApiReturn(WV_ESTATE));
    struct wv_vm *vm = VM();
    /* 4 KiB granule, walk starting at level 1: T0SZ 25..32 (ARM ARM D8.2.2, table D8-8). */
    if (root != 0 || vm->s2_table_count == 0 || ipa_bits < 32 || ipa_bits > 39) {
        refuse(vm, "s2_activate", WV_EINVAL);
        m3ApiReturn(WV_EINVAL);
    }
    uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
    if (parange > 5) parange = 5;
    /* VTCR_EL2 (ARM ARM D17.2.171): T0SZ, SL0 = 1 (level 1), IRGN0/ORGN0 WB, SH0 inner,
     * TG0 4 KiB, PS, bit 31 RES1. */
    vm->vtcr = (uint64_t)(64 - ipa_bits) | (1ull << 6) | (1ull << 8) | (1ull << 10)
             | (3ull << 12) | (parange << 16) | (1ull << 31);
    vm->vttbr = (uint64_t)vm->s2_tables[0] | ((uint64_t)vm->vmid << 48);
    dsb(ishst);
    m3ApiReturn(WV_OK);
}

static int guest_copy(struct wv_vm *vm, uint64_t ipa, uint8_t *wasm, uint32_t len, int to_guest)
{
    uint64_t pa;
    int rc = wv_ipa_to_pa(&vm->own, ipa, len, &pa);
    if (rc) return rc;
    /* The guest may run with its caches off: keep both views coherent. */
    wv_dcache_clean_inval(pa, len);
    if (to_guest) memcpy((void *)pa, wasm, len);
    else memcpy(wasm, (const void *)pa, len);
    if (to_guest) wv_dcache_clean_inval(pa, len);
    return WV_OK;
}

/* guest_read / guest_write: both ends checked (Wasm range, then the VM's IPA space). */
static int guest_io(struct wv_vm *vm, uint64_t ipa, uint8_t *mem, uint64_t mem_size, uint32_t off,
                    uint32_t len, int to_guest)
{
    const char *what = to_guest ? "guest_write" : "guest_read";
    int rc = wv_wasm_range_ok(off, len, mem_size) ? guest_copy(vm, ipa, mem + off, len, to_guest) : WV_EINVAL;
    if (rc) refuse(vm, what, rc);
    return rc;
}

m3ApiRawFunction(imp_guest_read)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(uint64_t, ipa);
    m3ApiGetArg(uint32_t, dst);
    m3ApiGetArg(uint32_t, len);
    m3ApiReturn(guest_io(VM(), ipa, (uint8_t *)_mem, MEM_SIZE(), dst, len, 0));
}

m3ApiRawFunction(imp_guest_write)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(uint64_t, ipa);
    m3ApiGetArg(uint32_t, src);
    m3ApiGetArg(uint32_t, len);
    ACTING_OR("guest_write", m3ApiReturn(WV_ESTATE));
    m3ApiReturn(guest_io(VM(), ipa, (uint8_t *)_mem, MEM_SIZE(), src, len, 1));
}

m3ApiRawFunction(imp_image_load)
{
    m3ApiReturnType(int64_t);
    m3ApiGetArg(int32_t, image);
    m3ApiGetArg(uint64_t, ipa);
    ACTING_OR("image_load", m3ApiReturn(WV_ESTATE));
    struct wv_vm *vm = VM();
    if (image < 0 || (uint64_t)image >= wv_image_count) {
        refuse(vm, "image_load", WV_EINVAL);
        m3ApiReturn(WV_EINVAL);
    }
    /* Only an image its own record loads: another VM's kernel or data is not its to read. */
    if (!wv_owner_image(&vm->own, (uint32_t)image)) {
        refuse(vm, "image_load (another VM's image)", WV_ENOTOWNED);
        m3ApiReturn(WV_ENOTOWNED);
    }
    const uint8_t *src = (const uint8_t *)wv_image_table[2 * image];
    uint64_t size = wv_image_table[2 * image + 1], pa;
    int rc = wv_ipa_to_pa(&vm->own, ipa, size, &pa);
    if (rc) { refuse(vm, "image_load", rc); m3ApiReturn(rc); }
    memcpy((void *)pa, src, size);
    wv_dcache_clean_inval(pa, size);
    wv_icache_inval_all();
    m3ApiReturn((int64_t)size);
}

m3ApiRawFunction(imp_vcpu_boot)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, idx);
    m3ApiGetArg(uint64_t, pc);
    m3ApiGetArg(uint64_t, x0);
    ACTING_OR("vcpu_boot", m3ApiReturn(WV_ESTATE));
    struct wv_vm *vm = VM();
    if (idx < 0 || (uint32_t)idx >= vm->own.vcpu_count) { refuse(vm, "vcpu_boot", WV_EINVAL); m3ApiReturn(WV_EINVAL); }
    /* No vCPU runs before its VM's stage-2 tables are installed (s2_activate). */
    if (!vm->vttbr) { refuse(vm, "vcpu_boot (stage 2 not active)", WV_ESTATE); m3ApiReturn(WV_ESTATE); }
    uint64_t pa;
    if (wv_ipa_to_pa(&vm->own, pc, 4, &pa)) { refuse(vm, "vcpu_boot", WV_ENOTOWNED); m3ApiReturn(WV_ENOTOWNED); }
    /* vCPU n runs on the (n mod k)-th of the k CPUs of the VM's mask: with more vCPUs
     * than CPUs they share them in turn (sched.c). */
    uint32_t mask = vm->own.pcpu_mask, k = (uint32_t)__builtin_popcount(mask), n, cpu = 0;
    if (k == 0) { refuse(vm, "vcpu_boot", WV_EINVAL); m3ApiReturn(WV_EINVAL); }
    n = (uint32_t)idx % k;
    for (cpu = 0; cpu < WV_MAX_CPUS; cpu++)
        if ((mask >> cpu) & 1) { if (n == 0) break; n--; }
    if (cpu >= WV_MAX_CPUS) { refuse(vm, "vcpu_boot", WV_EINVAL); m3ApiReturn(WV_EINVAL); }
    struct wv_vcpu *v = &vm->vcpus[idx];
    if (v->state == VCPU_RUNNABLE || v->state == VCPU_IDLE) {
        refuse(vm, "vcpu_boot (vCPU already on)", WV_ESTATE);
        m3ApiReturn(WV_ESTATE);
    }
    memset(&v->regs, 0, sizeof v->regs);
    memset(&v->el1, 0, sizeof v->el1);      /* a vCPU starts from reset, not from its last run */
    if (wv_pcpus[cpu].loaded == v) wv_pcpus[cpu].loaded = 0;
    v->regs.pc = pc;
    v->regs.x[0] = x0;
    v->regs.spsr = 0x3c5;           /* EL1h, DAIF masked (ARM ARM C5.2.18) */
    v->el1.sctlr = 0x30d00800;      /* SCTLR_EL1 RES1 bits, MMU and caches off */
    v->pcpu = cpu;
    v->vmpidr = (1ull << 31) | (uint32_t)idx;
    v->fresh = 1;
    v->boots++;
    dsb(ish);
    v->state = VCPU_RUNNABLE;
    wv_pcpus[cpu].vcpu = v;
    wv_sched_add(cpu, v);
    dsb(ish);
    if (cpu != wv_cpu_index()) wv_gic_send_sgi(cpu, WV_KICK_SGI);   /* wake it from WFI */
    m3ApiReturn(WV_OK);
}

/* Is `v` the vCPU whose exit this CPU is handling for `vm`? */
static int exiting(struct wv_vm *vm, const struct wv_vcpu *v)
{
    const struct wv_pcpu *p = &wv_pcpus[wv_cpu_index()];
    return p->exit_vm == vm && p->current == &v->regs;
}

/* Does this CPU hold v's EL1 registers right now (so they, not v->el1, are its state)? */
static int el1_live(const struct wv_vcpu *v)
{
    return wv_pcpus[wv_cpu_index()].loaded == v;
}

/* Write one EL1 register of `v`: into the register itself while this CPU holds v's EL1
 * state (the trap path resumes the guest without loading v->el1 again), else into
 * v->el1 for its next load. */
#define EL1_SET(v, field, reg, value) \
    do { if (el1_live(v)) write_sysreg(reg, value); else (v)->el1.field = (value); } while (0)
#define EL1_GET(v, field, reg) (el1_live(v) ? read_sysreg(reg) : (v)->el1.field)

m3ApiRawFunction(imp_sysreg_write)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, idx);
    m3ApiGetArg(int32_t, reg);
    m3ApiGetArg(uint64_t, value);
    ACTING_OR("sysreg_write", m3ApiReturn(WV_ESTATE));
    struct wv_vm *vm = VM();
    if (idx < 0 || (uint32_t)idx >= vm->own.vcpu_count) m3ApiReturn(WV_EINVAL);
    if (!wv_sysreg_allowed((uint32_t)reg)) { refuse(vm, "sysreg_write", WV_EDENIED); m3ApiReturn(WV_EDENIED); }
    struct wv_vcpu *v = &vm->vcpus[idx];
    if (wv_sysreg_exit_only((uint32_t)reg) && !exiting(vm, v)) {
        refuse(vm, "sysreg_write", WV_ESTATE);
        m3ApiReturn(WV_ESTATE);
    }
    switch (reg) {
    case WV_SYSREG_SCTLR_EL1: EL1_SET(v, sctlr, sctlr_el1, value); break;
    case WV_SYSREG_VBAR_EL1: EL1_SET(v, vbar, vbar_el1, value); break;
    case WV_SYSREG_SP_EL1: EL1_SET(v, sp_el1, sp_el1, value); break;
    case WV_SYSREG_ELR_EL1: EL1_SET(v, elr_el1, elr_el1, value); break;
    case WV_SYSREG_SPSR_EL1: EL1_SET(v, spsr_el1, spsr_el1, value); break;
    case WV_SYSREG_ESR_EL1: EL1_SET(v, esr, esr_el1, value); break;
    case WV_SYSREG_FAR_EL1: EL1_SET(v, far, far_el1, value); break;
    case WV_SYSREG_VMPIDR_EL2:
        v->vmpidr = (value & 0xff00ffffffull) | (1ull << 31);
        /* VMPIDR_EL2 is written when the vCPU's state is loaded: save what is live, then
         * let the next entry load it all again with the new value. */
        if (el1_live(v)) { wv_el1_save(&v->el1); wv_pcpus[wv_cpu_index()].loaded = 0; }
        break;
    default: m3ApiReturn(WV_EDENIED);   /* CNTVOFF_EL2 comes with the virtual timer */
    }
    m3ApiReturn(WV_OK);
}

/* Only the exiting vCPU's registers: another vCPU's may be live on another CPU. 0 when refused. */
m3ApiRawFunction(imp_sysreg_read)
{
    m3ApiReturnType(uint64_t);
    m3ApiGetArg(int32_t, idx);
    m3ApiGetArg(int32_t, reg);
    struct wv_vm *vm = VM();
    if (idx < 0 || (uint32_t)idx >= vm->own.vcpu_count || !wv_sysreg_readable((uint32_t)reg)) {
        refuse(vm, "sysreg_read", WV_EDENIED);
        m3ApiReturn(0);
    }
    struct wv_vcpu *v = &vm->vcpus[idx];
    if (!exiting(vm, v)) { refuse(vm, "sysreg_read", WV_ESTATE); m3ApiReturn(0); }
    uint64_t r = 0;
    switch (reg) {
    case WV_SYSREG_SCTLR_EL1: r = EL1_GET(v, sctlr, sctlr_el1); break;
    case WV_SYSREG_VBAR_EL1: r = EL1_GET(v, vbar, vbar_el1); break;
    case WV_SYSREG_SP_EL1: r = EL1_GET(v, sp_el1, sp_el1); break;
    case WV_SYSREG_ELR_EL1: r = EL1_GET(v, elr_el1, elr_el1); break;
    case WV_SYSREG_SPSR_EL1: r = EL1_GET(v, spsr_el1, spsr_el1); break;
    case WV_SYSREG_ESR_EL1: r = EL1_GET(v, esr, esr_el1); break;
    case WV_SYSREG_FAR_EL1: r = EL1_GET(v, far, far_el1); break;
    default: break;
    }
    m3ApiReturn(r);
}

m3ApiRawFunction(imp_vm_stop)
{
    ACTING_OR("vm_stop", m3ApiSuccess());
    wv_vm_stop(VM(), "stopped by the core");
    m3ApiSuccess();
}

m3ApiRawFunction(imp_pcpu_of)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, idx);
    struct wv_vm *vm = VM();
    if (idx < 0 || (uint32_t)idx >= vm->own.vcpu_count) m3ApiReturn(WV_EINVAL);
    m3ApiReturn((int32_t)vm->vcpus[idx].pcpu);
}

static const struct wv_import imports[] = {
    { "console_write", "v(ii)", imp_console_write },
    { "now", "I()", imp_now },
    { "counter_freq", "I()", imp_counter_freq },
    { "s2_table_new", "i()", imp_s2_table_new },
    { "s2_set_entry", "i(iiiI)", imp_s2_set_entry },
    { "s2_activate", "i(ii)", imp_s2_activate },
    { "guest_read", "i(Iii)", imp_guest_read },
    { "guest_write", "i(Iii)", imp_guest_write },
    { "image_load", "I(iI)", imp_image_load },
    { "vcpu_boot", "i(iII)", imp_vcpu_boot },
    { "sysreg_write", "i(iiI)", imp_sysreg_write },
    { "sysreg_read", "I(ii)", imp_sysreg_read },
    { "vm_stop", "v()", imp_vm_stop },
    { "pcpu_of", "i(i)", imp_pcpu_of },
};

const char *wv_link_table(IM3Module module, const struct wv_import *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        M3Result r = m3_LinkRawFunction(module, "wv", t[i].name, t[i].sig, t[i].fn);
        if (r && r != m3Err_functionLookupFailed) return r;
    }
    return 0;
}

const char *wv_link_imports(struct M3Module *module)
{
    const char *r = wv_link_table(module, imports, sizeof imports / sizeof imports[0]);
    if (!r) r = wv_link_irq_imports(module);
    if (!r) r = wv_link_pmu_imports(module);
    return r ? r : wv_link_chan_imports(module);
}
