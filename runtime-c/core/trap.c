/* From an exception vector back to a guest: hand the exit to the VM's core
 * instance and act on its answer. Never returns. */
#include "wv_core.h"
#include "wv_console.h"
#include "wv_arch.h"

static const char *const fault_names[] = {
    "SP0 sync", "SP0 IRQ", "SP0 FIQ", "SP0 SError", "EL2 sync", "EL2 IRQ", "EL2 FIQ",
    "EL2 SError", "", "", "", "", "AArch32 sync", "AArch32 IRQ", "AArch32 FIQ", "AArch32 SError",
};

static void park(void) __attribute__((noreturn));
static void park(void)
{
    for (;;) wfi();
}

void wv_vm_stop(struct wv_vm *vm, const char *why)
{
    if (vm->stopped) return;
    vm->stopped = 1;
    for (uint32_t i = 0; i < vm->own.vcpu_count; i++) vm->vcpus[i].state = VCPU_STOPPED;
    wv_printf("[wasmvisor] vm %s: all vCPUs parked (%s)\n", vm->own.name, why);
}

void wv_trap(struct wv_vcpu_regs *frame, uint32_t kind)
{
    struct wv_vcpu *v = (struct wv_vcpu *)frame;
    struct wv_vm *vm = v->vm;
    if (kind == TRAP_SYNC_LOWER) {
        switch (wv_core_handle_exit(vm, v)) {
        case WV_ACTION_RESUME:
        case WV_ACTION_YIELD:       /* one vCPU per CPU: nothing to yield to yet */
            break;
        case WV_ACTION_IDLE:
            v->state = VCPU_IDLE;
            wfi();                  /* woken by any interrupt; the vGIC decides later */
            v->state = VCPU_RUNNABLE;
            break;
        default:
            wv_vm_stop(vm, "exit handler asked to stop");
            park();
        }
    } else {
        /* No interrupt is routed to EL2 yet (HCR_EL2.IMO/FMO clear): report and go on. */
        wv_printf("[wasmvisor] vm %s: unexpected %s exception at EL2\n", vm->own.name,
                  kind == TRAP_IRQ_LOWER ? "IRQ" : kind == TRAP_FIQ_LOWER ? "FIQ" : "SError");
        if (kind == TRAP_SERROR_LOWER) { wv_vm_stop(vm, "SError"); park(); }
    }
    if (vm->stopped) park();
    wv_guest_enter(frame);
}

void wv_el2_fault(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far)
{
    wv_printf("[wasmvisor] PANIC: %s exception in the hypervisor on CPU %u: ESR 0x%lx ELR 0x%lx FAR 0x%lx\n",
              kind < 16 ? fault_names[kind] : "?", wv_cpu_index(), esr, elr, far);
    park();
}
