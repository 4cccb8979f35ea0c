/* Entering a vCPU on this physical CPU: the EL2 controls of its VM, its EL1 state
 * when another vCPU's was loaded, then ERET through wv_guest_enter. */
#include "wv_vm.h"
#include "wv_arch.h"
#include "wv_gic.h"

struct wv_pcpu wv_pcpus[WV_MAX_CPUS];

#define SAVE(f, r) s->f = read_sysreg(r)
#define LOAD(f, r) write_sysreg(r, s->f)

void wv_el1_save(struct wv_el1_state *s)
{
    SAVE(sctlr, sctlr_el1); SAVE(ttbr0, ttbr0_el1); SAVE(ttbr1, ttbr1_el1); SAVE(tcr, tcr_el1);
    SAVE(mair, mair_el1); SAVE(amair, amair_el1); SAVE(vbar, vbar_el1);
    SAVE(contextidr, contextidr_el1); SAVE(tpidr_el0, tpidr_el0); SAVE(tpidrro_el0, tpidrro_el0);
    SAVE(tpidr_el1, tpidr_el1); SAVE(sp_el0, sp_el0); SAVE(sp_el1, sp_el1);
    SAVE(elr_el1, elr_el1); SAVE(spsr_el1, spsr_el1); SAVE(esr, esr_el1); SAVE(far, far_el1);
    SAVE(afsr0, afsr0_el1); SAVE(afsr1, afsr1_el1); SAVE(par, par_el1); SAVE(cpacr, cpacr_el1);
    SAVE(csselr, csselr_el1); SAVE(cntkctl, cntkctl_el1); SAVE(cntv_ctl, cntv_ctl_el0);
    SAVE(cntv_cval, cntv_cval_el0); SAVE(cntp_ctl, cntp_ctl_el0); SAVE(cntp_cval, cntp_cval_el0);
}

void wv_el1_restore(const struct wv_el1_state *s)
{
    LOAD(sctlr, sctlr_el1); LOAD(ttbr0, ttbr0_el1); LOAD(ttbr1, ttbr1_el1); LOAD(tcr, tcr_el1);
    LOAD(mair, mair_el1); LOAD(amair, amair_el1); LOAD(vbar, vbar_el1);
    LOAD(contextidr, contextidr_el1); LOAD(tpidr_el0, tpidr_el0); LOAD(tpidrro_el0, tpidrro_el0);
    LOAD(tpidr_el1, tpidr_el1); LOAD(sp_el0, sp_el0); LOAD(sp_el1, sp_el1);
    LOAD(elr_el1, elr_el1); LOAD(spsr_el1, spsr_el1); LOAD(esr, esr_el1); LOAD(far, far_el1);
    LOAD(afsr0, afsr0_el1); LOAD(afsr1, afsr1_el1); LOAD(par, par_el1); LOAD(cpacr, cpacr_el1);
    LOAD(csselr, csselr_el1); LOAD(cntkctl, cntkctl_el1); LOAD(cntv_ctl, cntv_ctl_el0);
    LOAD(cntv_cval, cntv_cval_el0); LOAD(cntp_ctl, cntp_ctl_el0); LOAD(cntp_cval, cntp_cval_el0);
    isb();
}

void wv_vcpu_run(struct wv_vcpu *v)
{
    struct wv_pcpu *p = &wv_pcpus[wv_cpu_index()];
    struct wv_vm *vm = v->vm;
    uint32_t boots = __atomic_load_n(&v->boots, __ATOMIC_SEQ_CST);
    /* Booted afresh (CPU_ON after CPU_OFF, a restart): its state is the reset one in
     * memory, not what this CPU still holds from its last run. */
    if (p->loaded == v && v->fresh) p->loaded = 0;
    if (p->loaded != v) {
        struct wv_vcpu *out = p->loaded;
        if (out) {
            wv_el1_save(&out->el1);
            wv_debug_save(&out->debug);
            wv_pmu_save(&out->pmu);
            wv_gic_vcpu_save(&out->gic);
            out->switched_out = 1;
        }
        wv_el1_restore(&v->el1);
        wv_debug_restore(&v->debug);
        wv_pmu_restore(&v->pmu);
        if (!v->fresh && v->switched_out) {
            wv_gic_vcpu_restore(&v->gic);
            /* Interrupts may have become pending for it while it was out: an exit at
             * once lets the core fill its list registers. */
            wv_gic_send_sgi(wv_cpu_index(), WV_KICK_SGI);
        }
        v->switched_out = 0;
        p->loaded = v;
        wv_gic_ppi_set(PPI_VTIMER, !v->vtimer_masked);
        wv_gic_ppi_set(PPI_PTIMER, !v->ptimer_masked);
        wv_sched_arm(p);
    }
    if (v->fresh) {
        wv_gic_vcpu_reset();        /* on this CPU: its list registers are the vCPU's */
        wv_debug_reset();           /* and so are its debug and PMU registers */
        wv_pmu_reset();
        wv_fpsimd_forget(&v->fp);
        v->vtimer_masked = 0;
        v->ptimer_masked = 0;
        wv_gic_ppi_set(PPI_VTIMER, 1);
        wv_gic_ppi_set(PPI_PTIMER, 1);
        v->fresh = 0;
    }
    /* IMO/FMO: physical interrupts come to EL2 and the guest gets virtual ones from the
     * list registers (GICv3 spec 12.5); AMO: SErrors come to EL2 too. */
    /* TWE only where vCPUs share the CPU: a guest spinning in WFE on a lock held by a
     * vCPU that is not running then gives the CPU to it (WFE exits yield). */
    /* No FB, no BSU (HCR_EL2, ARM ARM D17.2.48): FB broadcasts the guest's local TLBI
     * and IC IALLU to the Inner Shareable domain, and BSU upgrades its barriers to
     * match, for a hypervisor that moves a vCPU between PEs, where entries it cached on
     * the old PE would outlive a local invalidation on the new one. Here a vCPU only
     * ever runs on one PE (docs/architecture.md, "vCPUs and physical CPUs"), and the
     * vCPUs of a VM that share a PE share its TLB (one VMID) but never see each other's
     * entries: the tlbi vmalls12e1 below runs on every switch. So the local forms are
     * exact, and the broadcast ones only cost: under QEMU's TCG a broadcast TLBI
     * stops every emulated CPU (docs/performance.md, "Cache and TLB maintenance"). */
    write_sysreg(hcr_el2, HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO
                        | HCR_TWI | (p->nrun > 1 ? HCR_TWE : 0) | HCR_TSC | HCR_TACR | HCR_RW);
    write_sysreg(vtcr_el2, vm->vtcr);
    write_sysreg(vttbr_el2, vm->vttbr);
    write_sysreg(vmpidr_el2, v->vmpidr);
    write_sysreg(vpidr_el2, read_sysreg(midr_el1));
    /* CNTHCTL_EL2 (ARM ARM D17.2.25): EL1PCTEN = 1, the guest reads the physical counter;
     * EL1PCEN = 1, it has the EL1 physical timer (CNTP_*) as it has the virtual one: the
     * hypervisor's own timer is the EL2 one (CNTHP), so both EL1 timers are the vCPU's,
     * switched with its EL1 state, their PPIs handed to it hardware-mapped. */
    write_sysreg(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    /* The guest's own debug registers, its PMU accesses trapped (debug_regs.c). */
    write_sysreg(mdcr_el2, wv_mdcr_el2());
    write_sysreg(cntvoff_el2, 0);
    isb();
    __asm__ volatile("tlbi vmalls12e1" ::: "memory");
    dsb(nsh);
    isb();
    wv_sched_resume();             /* no switch: the slice must still be armed */
    /* As in wv_trap: in the guest first, then the last look (a restart from another CPU
     * turns the vCPU off first, then looks whether it is in its guest). A vCPU turned off,
     * stopped or booted afresh meanwhile is not entered with what was loaded for it. */
    __atomic_store_n(&v->in_guest, 1, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (vm->stopped || v->state != VCPU_RUNNABLE || v->boots != boots) {
        __atomic_store_n(&v->in_guest, 0, __ATOMIC_SEQ_CST);
        wv_idle_cpu();
    }
    wv_guest_enter(v);
}
