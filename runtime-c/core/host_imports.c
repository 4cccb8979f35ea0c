/* The `wv` imports of the core module (docs/abi.md 2). Each checks its arguments
 * against what the calling instance's VM owns before it acts, and answers a
 * negative error instead of acting: a buggy or hostile core cannot reach memory,
 * tables or registers of another VM or of the hypervisor. They are plain C functions
 * (wv_imports.h) that every engine binds through wv_import_fns (import_table.c). */
#include "wv_core.h"
#include "wv_validate.h"
#include "wv_console.h"
#include "wv_sysregs.h"
#include "wv_arch.h"
#include "wv_imports.h"
#include "wv_gic.h"
#include "wv_mgmt.h"
#include <string.h>

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

void wv_imp_console_write(struct wv_import_ctx *ctx, uint32_t ptr, uint32_t len)
{
    uint64_t mem_size;
    const char *mem = (const char *)ctx->memory(ctx, &mem_size);
    if (!wv_wasm_range_ok(ptr, len, mem_size) || len > 4096) {
        refuse(ctx->vm, "console_write", WV_EINVAL);
        return;
    }
    wv_console_write(mem + ptr, len);
    /* The core's own messages (a guest's lines carry the VM's name instead) belong in the
     * hypervisor's log (wvctl log) with the runtime's. */
    static const char tag[] = "[wasmvisor]";
    if (len >= sizeof tag - 1 && !memcmp(mem + ptr, tag, sizeof tag - 1))
        wv_log_append(mem + ptr, len);
}

uint64_t wv_imp_now(struct wv_import_ctx *ctx)
{
    return read_sysreg(cntpct_el0);
}

uint64_t wv_imp_counter_freq(struct wv_import_ctx *ctx)
{
    return read_sysreg(cntfrq_el0);
}

uint32_t wv_imp_s2_table_new(struct wv_import_ctx *ctx)
{
    if (!wv_import_may_act(ctx, "s2_table_new")) return WV_ESTATE;
    struct wv_vm *vm = ctx->vm;
    if (vm->s2_table_count >= WV_MAX_S2_TABLES) return WV_ENOMEM;
    void *p = wv_page_alloc();
    if (!p) return WV_ENOMEM;
    uint32_t h = vm->s2_table_count++;
    vm->s2_tables[h] = p;
    vm->s2_level[h] = h == 0 ? WV_S2_START_LEVEL : 0;     /* the first table is the root */
    return h;
}

uint32_t wv_imp_s2_set_entry(struct wv_import_ctx *ctx, uint32_t table_arg, uint32_t index_arg,
                             uint32_t level_arg, uint64_t desc)
{
    int32_t table = (int32_t)table_arg, index = (int32_t)index_arg, level = (int32_t)level_arg;
    if (!wv_import_may_act(ctx, "s2_set_entry")) return WV_ESTATE;
    struct wv_vm *vm = ctx->vm;
    if (index < 0 || index > 511 || level < 0) { refuse(vm, "s2_set_entry", WV_EINVAL); return WV_EINVAL; }
    /* Stage 2 is built once, before s2_activate; after it the tables may be walked and
     * cached (TLBs, walk caches) by any CPU running the VM, and a change would need
     * break-before-make and TLB invalidation by VMID on every one (ARM ARM D8.16.1,
     * "Using break-before-make"). Refused rather than half done. */
    if (vm->vttbr) { refuse(vm, "s2_set_entry (stage 2 already active)", WV_ESTATE); return WV_ESTATE; }
    int rc = wv_s2_entry_level_ok(vm->s2_level, vm->s2_table_count, table, (uint32_t)level);
    if (rc) { refuse(vm, "s2_set_entry (table level)", rc); return rc; }
    int kind;
    rc = wv_check_s2_desc(&vm->own, (uint32_t)level, desc, &kind);
    if (rc) { refuse(vm, "s2_set_entry", rc); return rc; }
    if (kind == 1) {
        uint64_t handle = (desc >> 12) & 0xfffffffffull;
        rc = wv_s2_link(vm->s2_level, vm->s2_table_count, table, (uint32_t)level, handle);
        if (rc) { refuse(vm, "s2_set_entry (table link)", rc); return rc; }
        desc = (uint64_t)vm->s2_tables[handle] | 3;
    }
    vm->s2_tables[table][index] = desc;
    return WV_OK;
}

uint32_t wv_imp_s2_activate(struct wv_import_ctx *ctx, uint32_t root_arg, uint32_t ipa_bits_arg)
{
    int32_t root = (int32_t)root_arg, ipa_bits = (int32_t)ipa_bits_arg;
    if (!wv_import_may_act(ctx, "s2_activate")) return WV_ESTATE;
    struct wv_vm *vm = ctx->vm;
    /* 4 KiB granule, walk starting at level 1: T0SZ 25..32 (ARM ARM D8.2.2, table D8-8). */
    if (root != 0 || vm->s2_table_count == 0 || ipa_bits < 32 || ipa_bits > 39) {
        refuse(vm, "s2_activate", WV_EINVAL);
        return WV_EINVAL;
    }
    uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
    if (parange > 5) parange = 5;
    /* VTCR_EL2 (ARM ARM D17.2.171): T0SZ, SL0 = 1 (level 1), IRGN0/ORGN0 WB, SH0 inner,
     * TG0 4 KiB, PS, bit 31 RES1. */
    vm->vtcr = (uint64_t)(64 - ipa_bits) | (1ull << 6) | (1ull << 8) | (1ull << 10)
             | (3ull << 12) | (parange << 16) | (1ull << 31);
    vm->vttbr = (uint64_t)vm->s2_tables[0] | ((uint64_t)vm->vmid << 48);
    dsb(ishst);
    return WV_OK;
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

uint32_t wv_imp_guest_read(struct wv_import_ctx *ctx, uint64_t ipa, uint32_t dst, uint32_t len)
{
    uint64_t mem_size;
    uint8_t *mem = ctx->memory(ctx, &mem_size);
    return guest_io(ctx->vm, ipa, mem, mem_size, dst, len, 0);
}

uint32_t wv_imp_guest_write(struct wv_import_ctx *ctx, uint64_t ipa, uint32_t src, uint32_t len)
{
    if (!wv_import_may_act(ctx, "guest_write")) return WV_ESTATE;
    uint64_t mem_size;
    uint8_t *mem = ctx->memory(ctx, &mem_size);
    return guest_io(ctx->vm, ipa, mem, mem_size, src, len, 1);
}

uint64_t wv_imp_image_load(struct wv_import_ctx *ctx, uint32_t image_arg, uint64_t ipa)
{
    int32_t image = (int32_t)image_arg;
    if (!wv_import_may_act(ctx, "image_load")) return WV_ESTATE;
    struct wv_vm *vm = ctx->vm;
    if (image < 0 || (uint64_t)image >= wv_image_count) {
        refuse(vm, "image_load", WV_EINVAL);
        return WV_EINVAL;
    }
    /* Only an image its own record loads: another VM's kernel or data is not its to read. */
    if (!wv_owner_image(&vm->own, (uint32_t)image)) {
        refuse(vm, "image_load (another VM's image)", WV_ENOTOWNED);
        return WV_ENOTOWNED;
    }
    const uint8_t *src = (const uint8_t *)wv_image_table[2 * image];
    uint64_t size = wv_image_table[2 * image + 1], pa;
    int rc = wv_ipa_to_pa(&vm->own, ipa, size, &pa);
    if (rc) { refuse(vm, "image_load", rc); return rc; }
    memcpy((void *)pa, src, size);
    wv_dcache_clean_inval(pa, size);
    wv_icache_inval_all();
    return size;
}

uint32_t wv_imp_vcpu_boot(struct wv_import_ctx *ctx, uint32_t vcpu, uint64_t pc, uint64_t x0)
{
    int32_t idx = (int32_t)vcpu;
    if (!wv_import_may_act(ctx, "vcpu_boot")) return WV_ESTATE;
    struct wv_vm *vm = ctx->vm;
    if (idx < 0 || (uint32_t)idx >= vm->own.vcpu_count) { refuse(vm, "vcpu_boot", WV_EINVAL); return WV_EINVAL; }
    /* No vCPU runs before its VM's stage-2 tables are installed (s2_activate). */
    if (!vm->vttbr) { refuse(vm, "vcpu_boot (stage 2 not active)", WV_ESTATE); return WV_ESTATE; }
    uint64_t pa;
    if (wv_ipa_to_pa(&vm->own, pc, 4, &pa)) { refuse(vm, "vcpu_boot", WV_ENOTOWNED); return WV_ENOTOWNED; }
    /* vCPU n runs on the (n mod k)-th of the k CPUs of the VM's mask: with more vCPUs
     * than CPUs they share them in turn (sched.c). */
    uint32_t mask = vm->own.pcpu_mask, k = (uint32_t)__builtin_popcount(mask), n, cpu = 0;
    if (k == 0) { refuse(vm, "vcpu_boot", WV_EINVAL); return WV_EINVAL; }
    n = (uint32_t)idx % k;
    for (cpu = 0; cpu < WV_MAX_CPUS; cpu++)
        if ((mask >> cpu) & 1) { if (n == 0) break; n--; }
    if (cpu >= WV_MAX_CPUS) { refuse(vm, "vcpu_boot", WV_EINVAL); return WV_EINVAL; }
    struct wv_vcpu *v = &vm->vcpus[idx];
    if (v->state == VCPU_RUNNABLE || v->state == VCPU_IDLE) {
        refuse(vm, "vcpu_boot (vCPU already on)", WV_ESTATE);
        return WV_ESTATE;
    }
    /* Booted in the calling instance's record (or its own regs): the frame of an off vCPU
     * may still be in an instance a live update replaced (wasm_host.c). */
    v->frame = wv_core_frame_home(ctx, v);
    memset(v->frame, 0, sizeof *v->frame);
    memset(&v->el1, 0, sizeof v->el1);      /* a vCPU starts from reset, not from its last run */
    if (wv_pcpus[cpu].loaded == v) wv_pcpus[cpu].loaded = 0;
    v->frame->pc = pc;
    v->frame->x[0] = x0;
    v->spsr = 0x3c5;                /* EL1h, DAIF masked (ARM ARM C5.2.18) */
    v->frame->spsr = v->spsr;
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
    return WV_OK;
}

/* Is `v` the vCPU whose exit this CPU is handling for `vm`? */
static int exiting(struct wv_vm *vm, const struct wv_vcpu *v)
{
    const struct wv_pcpu *p = &wv_pcpus[wv_cpu_index()];
    return p->exit_vm == vm && p->current == v;
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

uint32_t wv_imp_sysreg_write(struct wv_import_ctx *ctx, uint32_t vcpu, uint32_t reg_arg, uint64_t value)
{
    int32_t idx = (int32_t)vcpu, reg = (int32_t)reg_arg;
    if (!wv_import_may_act(ctx, "sysreg_write")) return WV_ESTATE;
    struct wv_vm *vm = ctx->vm;
    if (idx < 0 || (uint32_t)idx >= vm->own.vcpu_count) return WV_EINVAL;
    if (!wv_sysreg_allowed((uint32_t)reg)) { refuse(vm, "sysreg_write", WV_EDENIED); return WV_EDENIED; }
    struct wv_vcpu *v = &vm->vcpus[idx];
    if (wv_sysreg_exit_only((uint32_t)reg) && !exiting(vm, v)) {
        refuse(vm, "sysreg_write", WV_ESTATE);
        return WV_ESTATE;
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
    default: return WV_EDENIED;   /* CNTVOFF_EL2 comes with the virtual timer */
    }
    return WV_OK;
}

/* Only the exiting vCPU's registers: another vCPU's may be live on another CPU. 0 when refused. */
uint64_t wv_imp_sysreg_read(struct wv_import_ctx *ctx, uint32_t vcpu, uint32_t reg_arg)
{
    int32_t idx = (int32_t)vcpu, reg = (int32_t)reg_arg;
    struct wv_vm *vm = ctx->vm;
    if (idx < 0 || (uint32_t)idx >= vm->own.vcpu_count || !wv_sysreg_readable((uint32_t)reg)) {
        refuse(vm, "sysreg_read", WV_EDENIED);
        return 0;
    }
    struct wv_vcpu *v = &vm->vcpus[idx];
    if (!exiting(vm, v)) { refuse(vm, "sysreg_read", WV_ESTATE); return 0; }
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
    return r;
}

void wv_imp_vm_stop(struct wv_import_ctx *ctx)
{
    if (!wv_import_may_act(ctx, "vm_stop")) return;
    wv_vm_stop(ctx->vm, "stopped by the core");
}

uint32_t wv_imp_pcpu_of(struct wv_import_ctx *ctx, uint32_t vcpu)
{
    int32_t idx = (int32_t)vcpu;
    struct wv_vm *vm = ctx->vm;
    if (idx < 0 || (uint32_t)idx >= vm->own.vcpu_count) return WV_EINVAL;
    return vm->vcpus[idx].pcpu;
}
