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

#define VM()        WV_IMPORT_VM()
/* The refusal of an effectful import by an instance that is not its VM's (yet). */
#define ACTING_OR(import, ret) do { if (!wv_import_may_act(WV_IMPORT_CTX(), import)) { ret; } } while (0)

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

m3ApiRawFunction(imp_lr_count)
{
    m3ApiReturnType(int32_t);
    m3ApiReturn((int32_t)wv_gic_lr_count());
}

m3ApiRawFunction(imp_lr_read)
{
    m3ApiReturnType(int64_t);
    m3ApiGetArg(int32_t, lr);
    struct wv_vm *vm = VM();
    if (!WV_IMPORT_CTX()->live || !here(vm) || !wv_lr_index_ok(lr, wv_gic_lr_count())) m3ApiReturn(0);
    m3ApiReturn((int64_t)wv_gic_lr_read((uint32_t)lr));
}

m3ApiRawFunction(imp_lr_write)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, lr);
    m3ApiGetArg(uint64_t, value);
    ACTING_OR("lr_write", m3ApiReturn(WV_ESTATE));
    struct wv_vm *vm = VM();
    struct wv_pcpu *p = here(vm);
    if (!p) m3ApiReturn(WV_ESTATE);
    if (!wv_lr_index_ok(lr, wv_gic_lr_count())) m3ApiReturn(WV_EINVAL);
    uint32_t pintid;
    if (wv_lr_value_check(&vm->own, value, &pintid) != WV_OK) {
        wv_printf("[wasmvisor] vm %s: import lr_write refused (error -2: pINTID %u not owned)\n",
                  vm->own.name, WV_LR_PINTID(value));
        m3ApiReturn(WV_ENOTOWNED);
    }
    if (pintid != ~0u) p->hw_mapped = pintid;
    wv_gic_lr_write((uint32_t)lr, value);
    m3ApiReturn(WV_OK);
}

m3ApiRawFunction(imp_ich_hcr_write)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(uint32_t, value);
    ACTING_OR("ich_hcr_write", m3ApiReturn(WV_ESTATE));
    if (!here(VM())) m3ApiReturn(WV_ESTATE);
    if (wv_ich_hcr_check(value) != WV_OK) m3ApiReturn(WV_EDENIED);
    wv_gic_hcr_write(value | ICH_HCR_EN);
    m3ApiReturn(WV_OK);
}

m3ApiRawFunction(imp_ich_status)
{
    m3ApiReturnType(int64_t);
    if (!WV_IMPORT_CTX()->live || !here(VM())) m3ApiReturn(0);
    m3ApiReturn((int64_t)wv_gic_status());
}

m3ApiRawFunction(imp_vcpu_kick)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, idx);
    ACTING_OR("vcpu_kick", m3ApiReturn(WV_ESTATE));
    struct wv_vm *vm = VM();
    if (idx < 0 || (uint32_t)idx >= vm->own.vcpu_count) m3ApiReturn(WV_EINVAL);
    struct wv_vcpu *v = &vm->vcpus[idx];
    if (v->state == VCPU_OFF || v->state == VCPU_STOPPED) m3ApiReturn(WV_OK);
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
    m3ApiReturn(WV_OK);
}

m3ApiRawFunction(imp_irq_set)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, intid);
    m3ApiGetArg(int32_t, enable);
    ACTING_OR("irq_set", m3ApiReturn(WV_ESTATE));
    struct wv_vm *vm = VM();
    if (!here(vm)) m3ApiReturn(WV_ESTATE);
    int target = wv_irq_set_target(&vm->own, intid);
    /* A timer PPI (virtual or physical) of the CPU running the exiting vCPU: the core
     * masks it while the guest cannot take it. */
    if (target == WV_IRQ_TIMER_PPI) {
        wv_gic_ppi_set((uint32_t)intid, enable != 0);
        /* Kept per vCPU: when vCPUs share this CPU, each comes back with its own mask. */
        struct wv_vcpu *cur = wv_pcpus[wv_cpu_index()].loaded;
        if (cur && intid == (int32_t)PPI_VTIMER) cur->vtimer_masked = enable == 0;
        else if (cur) cur->ptimer_masked = enable == 0;
        m3ApiReturn(WV_OK);
    }
    /* An SPI of one of the VM's passthrough frames: enabling routes it to this CPU, the
     * one running the vCPU whose exit the core handles (the physical interrupt follows
     * the vCPU that unmasks it); disabling leaves the route. */
    if (target == WV_IRQ_OWNED_SPI) {
        wv_gic_spi_set((uint32_t)intid, wv_cpu_index(), enable != 0);
        m3ApiReturn(WV_OK);
    }
    wv_printf("[wasmvisor] vm %s: import irq_set refused (error -2: INTID %d not owned)\n", vm->own.name, intid);
    m3ApiReturn(WV_ENOTOWNED);
}

static const struct wv_import imports[] = {
    { "lr_count", "i()", imp_lr_count },
    { "lr_read", "I(i)", imp_lr_read },
    { "lr_write", "i(iI)", imp_lr_write },
    { "ich_hcr_write", "i(i)", imp_ich_hcr_write },
    { "ich_status", "I()", imp_ich_status },
    { "vcpu_kick", "i(i)", imp_vcpu_kick },
    { "irq_set", "i(ii)", imp_irq_set },
};

const char *wv_link_irq_imports(struct M3Module *module)
{
    return wv_link_table(module, imports, sizeof imports / sizeof imports[0]);
}
