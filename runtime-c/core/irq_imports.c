/* The interrupt imports of the core module (docs/abi.md 4). They act on the list
 * registers of the physical CPU that is handling an exit of the calling VM, and only
 * then: a core cannot reach another VM's virtual CPU interface, hand a guest a
 * physical interrupt it does not own, or set ICH_HCR_EL2 bits outside its remit. A VM
 * owns its two EL1 timer PPIs and the SPI of each of its passthrough frames. The value
 * checks are pure functions (irq_check.c, host-tested). */
#include "wv_core.h"
#include "wv_gic.h"
#include "wv_validate.h"
#include "wv_console.h"
#include "wv_arch.h"
#include "wv_imports.h"
#include "wv_irq_check.h"

#define ICH_HCR_EN          1u      /* the virtual CPU interface on: always */

static struct wv_pcpu *here(struct wv_vm *vm)
{
    struct wv_pcpu *p = &wv_pcpus[wv_cpu_index()];
    return p->exit_vm == vm ? p : 0;
}

/* The VM's SPIs are routed to its first CPU (that of vCPU 0, where the virtual GIC routes
 * an SPI at reset) and enabled when the VM is created: the core expects them enabled
 * (docs/abi.md 4) and never asks for them first. irq_set moves one later. */
void wv_vm_spis_start(struct wv_vm *vm)
{
    int cpu = wv_owner_first_cpu(&vm->own);
    if (cpu < 0) return;
    for (uint32_t j = 0; j < vm->own.frame_count && j < WV_MAX_DEVICES; j++)
        if (vm->own.frame_spi[j]) wv_gic_spi_set(vm->own.frame_spi[j], (uint32_t)cpu, 1);
}

/* A stopped VM's devices must not keep interrupting a CPU that no longer runs it. */
void wv_vm_spis_stop(struct wv_vm *vm)
{
    for (uint32_t j = 0; j < vm->own.frame_count && j < WV_MAX_DEVICES; j++)
        if (vm->own.frame_spi[j]) wv_gic_spi_set(vm->own.frame_spi[j], 0, 0);
}

uint32_t wv_imp_lr_count(struct wv_import_ctx *ctx)
{
    return wv_gic_lr_count();
}

uint64_t wv_imp_lr_read(struct wv_import_ctx *ctx, uint32_t lr_arg)
{
    int32_t lr = (int32_t)lr_arg;
    struct wv_vm *vm = ctx->vm;
    if (!ctx->live || !here(vm) || !wv_lr_index_ok(lr, wv_gic_lr_count())) return 0;
    return wv_gic_lr_read((uint32_t)lr);
}

uint32_t wv_imp_lr_write(struct wv_import_ctx *ctx, uint32_t lr_arg, uint64_t value)
{
    int32_t lr = (int32_t)lr_arg;
    if (!wv_import_may_act(ctx, "lr_write")) return WV_ESTATE;
    struct wv_vm *vm = ctx->vm;
    struct wv_pcpu *p = here(vm);
    if (!p) return WV_ESTATE;
    if (!wv_lr_index_ok(lr, wv_gic_lr_count())) return WV_EINVAL;
    uint32_t pintid;
    if (wv_lr_value_check(&vm->own, value, &pintid) != WV_OK) {
        wv_printf("[wasmvisor] vm %s: import lr_write refused (error -2: pINTID %u not owned)\n",
                  vm->own.name, WV_LR_PINTID(value));
        return WV_ENOTOWNED;
    }
    if (pintid != ~0u) p->hw_mapped = pintid;
    wv_gic_lr_write((uint32_t)lr, value);
    return WV_OK;
}

uint32_t wv_imp_ich_hcr_write(struct wv_import_ctx *ctx, uint32_t value)
{
    if (!wv_import_may_act(ctx, "ich_hcr_write")) return WV_ESTATE;
    if (!here(ctx->vm)) return WV_ESTATE;
    if (wv_ich_hcr_check(value) != WV_OK) return WV_EDENIED;
    wv_gic_hcr_write(value | ICH_HCR_EN);
    return WV_OK;
}

uint64_t wv_imp_ich_status(struct wv_import_ctx *ctx)
{
    if (!ctx->live || !here(ctx->vm)) return 0;
    return wv_gic_status();
}

uint32_t wv_imp_vcpu_kick(struct wv_import_ctx *ctx, uint32_t vcpu)
{
    int32_t idx = (int32_t)vcpu;
    if (!wv_import_may_act(ctx, "vcpu_kick")) return WV_ESTATE;
    struct wv_vm *vm = ctx->vm;
    if (idx < 0 || (uint32_t)idx >= vm->own.vcpu_count) return WV_EINVAL;
    struct wv_vcpu *v = &vm->vcpus[idx];
    if (v->state == VCPU_OFF || v->state == VCPU_STOPPED) return WV_OK;
    /* A vCPU waiting for an interrupt off its CPU (others share it) becomes runnable. */
    uint32_t idle = VCPU_IDLE;
    if (wv_pcpus[v->pcpu].loaded != v)
        __atomic_compare_exchange_n(&v->state, &idle, VCPU_RUNNABLE, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    /* Another CPU's vCPU, or any vCPU from outside an exit of this VM (console input,
     * docs/abi.md 5), gets the SGI. Within an exit on its own CPU, a vCPU not loaded here
     * runs next only after a switch (which refills it); the vCPU whose exit this is gets
     * it too: the core asks for that only when it wants another exit at once, after it
     * resumed (a device that split its work, devices/virtio_console.ts). */
    if (v->pcpu != wv_cpu_index() || !here(vm) || wv_pcpus[v->pcpu].loaded == v)
        wv_gic_send_sgi(v->pcpu, WV_KICK_SGI);
    return WV_OK;
}

uint32_t wv_imp_irq_set(struct wv_import_ctx *ctx, uint32_t intid_arg, uint32_t enable)
{
    int32_t intid = (int32_t)intid_arg;
    if (!wv_import_may_act(ctx, "irq_set")) return WV_ESTATE;
    struct wv_vm *vm = ctx->vm;
    if (!here(vm)) return WV_ESTATE;
    int target = wv_irq_set_target(&vm->own, intid);
    /* A timer PPI (virtual or physical) of the CPU running the exiting vCPU: the core
     * masks it while the guest cannot take it. */
    if (target == WV_IRQ_TIMER_PPI) {
        wv_gic_ppi_set((uint32_t)intid, enable != 0);
        /* Kept per vCPU: when vCPUs share this CPU, each comes back with its own mask. */
        struct wv_vcpu *cur = wv_pcpus[wv_cpu_index()].loaded;
        if (cur && intid == (int32_t)PPI_VTIMER) cur->vtimer_masked = enable == 0;
        else if (cur) cur->ptimer_masked = enable == 0;
        return WV_OK;
    }
    /* An SPI of one of the VM's passthrough frames: enabling routes it to this CPU, the
     * one running the vCPU whose exit the core handles (the physical interrupt follows
     * the vCPU that unmasks it); disabling leaves the route. */
    if (target == WV_IRQ_OWNED_SPI) {
        wv_gic_spi_set((uint32_t)intid, wv_cpu_index(), enable != 0);
        return WV_OK;
    }
    wv_printf("[wasmvisor] vm %s: import irq_set refused (error -2: INTID %d not owned)\n", vm->own.name, intid);
    return WV_ENOTOWNED;
}
