/* From an exception vector back to a guest: hand the exit to the VM's core
 * instance and act on its answer. Never returns. */
#include "wv_core.h"
#include "wv_console.h"
#include "wv_gic.h"
#include "wv_arch.h"
#include "wv_console_in.h"

static const char *const fault_names[] = {
    "SP0 sync", "SP0 IRQ", "SP0 FIQ", "SP0 SError", "EL2 sync", "EL2 IRQ", "EL2 FIQ",
    "EL2 SError", "", "", "", "", "AArch32 sync", "AArch32 IRQ", "AArch32 FIQ", "AArch32 SError",
};


void wv_vm_stop(struct wv_vm *vm, const char *why)
{
    if (vm->stopped) return;
    vm->stopped = 1;
    wv_vm_spis_stop(vm);
    for (uint32_t i = 0; i < vm->own.vcpu_count; i++) {
        vm->vcpus[i].state = VCPU_STOPPED;
        /* vCPUs running elsewhere leave their guest at the kick and park. */
        if (vm->vcpus[i].pcpu != wv_cpu_index()) wv_gic_send_sgi(vm->vcpus[i].pcpu, WV_KICK_SGI);
    }
    wv_printf("[wasmvisor] vm %s: all vCPUs parked (%s)\n", vm->own.name, why);
}

/* For the bench (VMs with the bench flag only): how long after its deadline a vCPU's
 * virtual timer interrupt reached this vector, in counter ticks: CNTVCT at the vector
 * (vectors.S, the exit record's cntvct too, so this and the guest's figure of the
 * hypervisor's share split each tick at the same point) against the guest's CNTV_CVAL,
 * still in the registers (the vCPU is the one loaded here). A wait
 * there happened before any hypervisor code ran for this interrupt; the guest's own
 * latency figure adds the injection path to it. The worst of every 1,000 is printed, at
 * the CPU's next synchronous exit (guest-rt's stamp hypercall in the same tick's
 * handler): printed here, its ~2,800 instructions would be inside the very window the
 * guest measures as the hypervisor's share (`bench --profile-rt`, docs/performance.md). */
#define ENTRY_DELAY_ROUND   1000u
static uint64_t entry_worst[WV_MAX_CPUS], entry_due[WV_MAX_CPUS];
static uint32_t entry_seen[WV_MAX_CPUS];
static struct wv_vm *entry_vm[WV_MAX_CPUS];
static uint32_t entry_reports;          /* CPUs with a round's worst not printed yet */

static void entry_delay(struct wv_vm *vm)
{
    uint32_t cpu = wv_cpu_index();
    uint64_t d = wv_pcpus[cpu].trap_cntvct - read_sysreg(cntv_cval_el0);
    if ((int64_t)d > 0 && d > entry_worst[cpu]) entry_worst[cpu] = d;
    if (++entry_seen[cpu] < ENTRY_DELAY_ROUND) return;
    /* +1: a round whose worst is 0 is still due. */
    if (!entry_due[cpu]) __atomic_add_fetch(&entry_reports, 1, __ATOMIC_RELAXED);
    entry_due[cpu] = entry_worst[cpu] + 1;
    entry_vm[cpu] = vm;
    entry_worst[cpu] = 0;
    entry_seen[cpu] = 0;
}

__attribute__((noinline, cold)) static void entry_delay_report(void)
{
    uint32_t cpu = wv_cpu_index();
    if (!entry_due[cpu]) return;
    wv_printf("[wasmvisor] bench vm %s timer entry delay max %lu ticks (%u interrupts)\n", entry_vm[cpu]->own.name,
              (unsigned long)(entry_due[cpu] - 1), ENTRY_DELAY_ROUND);
    entry_due[cpu] = 0;
    __atomic_sub_fetch(&entry_reports, 1, __ATOMIC_RELAXED);
}

/* A physical IRQ while the guest ran: acknowledge it, let the core route it, then
 * deactivate it unless the core handed it to the guest (HW = 1 list register). The
 * console UART's interrupt (CPU 0) is the runtime's: never this VM's core's. */
static int irq_exit(struct wv_vm *vm, struct wv_vcpu *v)
{
    uint32_t intid = wv_gic_ack();
    if (intid == GIC_SPURIOUS) return WV_ACTION_RESUME;
    if (wv_console_in_irq(intid)) {
        wv_gic_deactivate(intid);
        return WV_ACTION_RESUME;
    }
    if (intid == PPI_HYP_TIMER) {           /* the scheduler's slice ended: not the core's */
        wv_gic_deactivate(intid);
        return wv_sched_tick(v);
    }
    if (intid == PPI_VTIMER && (vm->own.flags & WV_VM_FLAG_BENCH)) entry_delay(vm);
    struct wv_pcpu *p = &wv_pcpus[wv_cpu_index()];
    p->hw_mapped = ~0u;
    int action = vm->stopped ? WV_ACTION_STOP : wv_core_handle_exit(vm, v, EXIT_FLAG_IRQ, intid);
    if (p->hw_mapped != intid) wv_gic_deactivate(intid);
    return action;
}

/* Wait up to ~100 ms for every vCPU of `vm` but `self` to be out of its guest. */
int wv_vm_all_out(struct wv_vm *vm, struct wv_vcpu *self)
{
    uint64_t t0 = read_sysreg(cntpct_el0), limit = read_sysreg(cntfrq_el0) / 10;
    for (uint32_t i = 0; i < vm->own.vcpu_count; i++) {
        struct wv_vcpu *o = &vm->vcpus[i];
        if (o == self) continue;
        while (__atomic_load_n(&o->in_guest, __ATOMIC_SEQ_CST))
            if (read_sysreg(cntpct_el0) - t0 > limit) return 0;
    }
    return 1;
}

/* Restart `vm` from its images (PSCI SYSTEM_RESET, or the management VM's reset and
 * start): take every vCPU of the VM off its CPU (they leave their guest at the kick and
 * find themselves off), then let the core restart the VM. No vCPU of the VM may still
 * run while its images are copied in again. `self` is the calling vCPU if it is the
 * VM's own. 0, or -1 when the VM could not be restarted (it is then stopped). */
int wv_vm_restart(struct wv_vm *vm, struct wv_vcpu *self)
{
    for (uint32_t i = 0; i < vm->own.vcpu_count; i++) {
        struct wv_vcpu *o = &vm->vcpus[i];
        __atomic_store_n(&o->state, VCPU_OFF, __ATOMIC_SEQ_CST);
        if (o != self && o->pcpu != wv_cpu_index()) wv_gic_send_sgi(o->pcpu, WV_KICK_SGI);
    }
    /* Off first, then look whether it is in its guest (the other half of wv_trap's check). */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!wv_vm_all_out(vm, self)) { wv_vm_stop(vm, "a vCPU did not leave its guest for the restart"); return -1; }
    if (vm->stopped) {                  /* started again by the management VM */
        vm->stopped = 0;
        wv_vm_spis_start(vm);
    }
    if (wv_core_reset(vm)) { wv_vm_stop(vm, "restart failed"); return -1; }
    return 0;
}

void wv_trap(struct wv_vcpu *v, uint32_t kind)
{
    struct wv_vm *vm = v->vm;
    int action;
    v->in_guest = 0;
    /* Another CPU may restart this VM (the management VM's start and reset) while this
     * exit is handled: the vCPU is then booted afresh, and the context this trap saved,
     * with the EL1 registers still loaded here, is not to be resumed. */
    uint32_t boots = v->boots;
    switch (kind) {
    case TRAP_SYNC_LOWER:
        action = wv_core_handle_exit(vm, v, 0, 0);
        if (__builtin_expect(entry_reports != 0, 0)) entry_delay_report();
        break;
    case TRAP_IRQ_LOWER:
        action = irq_exit(vm, v);
        break;
    default:
        wv_printf("[wasmvisor] vm %s: %s from the guest, ESR 0x%lx PC 0x%lx\n", vm->own.name,
                  kind == TRAP_FIQ_LOWER ? "FIQ" : "SError", v->frame->esr, v->frame->pc);
        action = kind == TRAP_SERROR_LOWER ? WV_ACTION_STOP : WV_ACTION_RESUME;
        if (action == WV_ACTION_STOP) wv_vm_stop(vm, "SError");
    }
    switch (action) {
    case WV_ACTION_RESUME:
        break;
    case WV_ACTION_YIELD:       /* WFE: the next runnable vCPU here, if there is one */
        wv_sched_yield(v);
        break;
    case WV_ACTION_IDLE:        /* WFI with nothing to take */
        wv_sched_wfi(v);
        break;
    case WV_ACTION_RESET:
        wv_vm_restart(vm, v);
        wv_idle_cpu();
    case WV_ACTION_OFF:
        /* Already off (wv_core_handle_exit, under the VM's lock): writing it here would
         * undo a CPU_ON another vCPU made meanwhile. */
        wv_idle_cpu();
    default:
        wv_vm_stop(vm, "exit handler asked to stop");
        wv_idle_cpu();
    }
    if (vm->stopped || v->state != VCPU_RUNNABLE || v->boots != boots) wv_idle_cpu();
    wv_sched_resume();
    /* A restart from another CPU turns the vCPU off, then waits until it is out of its
     * guest (wv_vm_all_out). Both sides write first and read second, with a full barrier
     * between (Dekker): either the restart sees in_guest set and waits (the kick it sent
     * brings the vCPU back out at once), or this CPU sees the vCPU off or booted afresh
     * and does not resume the context this trap saved. */
    __atomic_store_n(&v->in_guest, 1, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (vm->stopped || v->state != VCPU_RUNNABLE || v->boots != boots) {
        __atomic_store_n(&v->in_guest, 0, __ATOMIC_SEQ_CST);
        wv_idle_cpu();
    }
    wv_guest_enter(v);
}

#define ESR_EC_SHIFT        26
#define ESR_EC_MASK         0x3fu
#define ESR_EC_DABT_SAME    0x25u   /* data abort taken without a change in EL (ARM ARM D17.2.37) */

void wv_el2_fault(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far)
{
    int guard = wv_stack_guard_cpu(far);
    if (((esr >> ESR_EC_SHIFT) & ESR_EC_MASK) == ESR_EC_DABT_SAME && guard >= 0) {
        wv_printf("[wasmvisor] PANIC: EL2 stack overflow on CPU %u: the guard page below CPU %d's stack "
                  "was hit at FAR 0x%lx, ELR 0x%lx\n", wv_cpu_index(), guard, far, elr);
        for (;;) wfi();
    }
    wv_printf("[wasmvisor] PANIC: %s exception in the hypervisor on CPU %u: ESR 0x%lx ELR 0x%lx FAR 0x%lx\n",
              kind < 16 ? fault_names[kind] : "?", wv_cpu_index(), esr, elr, far);
    for (;;) wfi();
}
