/* vCPUs sharing a physical CPU: round robin among the runnable ones, each for a time
 * slice measured by the EL2 physical timer (CNTHP, PPI 26): its VM's `slice_us` from the
 * config, 10 ms by default. A CPU with one vCPU (every
 * RTVM's) never arms the timer and never switches: its guest runs with no tick at all.
 * A vCPU that waits for an interrupt (WFI) gives the CPU to the next one. Its own virtual
 * timer cannot wake it while another vCPU's timer is in the registers, so the runtime
 * watches the waiting vCPUs' deadlines itself: the scheduling timer fires at the slice
 * end or at the first of their deadlines, whichever comes first, and every time it fires
 * (and whenever a slice is armed) a vCPU whose deadline has passed becomes runnable. When
 * all of them wait, the CPU sleeps until an interrupt or that first deadline.
 *
 * This is the one decision the runtime makes itself rather than the core: it is taken
 * at every slice end and must not cost a call into Wasm there. What it decides is fixed
 * by data (which VMs share which CPUs: the config; the slice length) and is fair by
 * construction (equal slices, in turn). The choices themselves are pure functions
 * (sched_pick.c, wv_sched.h); this file reads the hardware and acts on them. */
#include "wv_vm.h"
#include "wv_gic.h"
#include "wv_arch.h"
#include "wv_console.h"
#include "wv_validate.h"
#include "wv_console_in.h"
#include "wv_sched.h"

/* CNTHP_CTL_EL2 (ARM ARM D17.2.27): ENABLE [0], IMASK [1], ISTATUS [2]. */
#define CNT_ENABLE      1u
#define ISR_I           (1u << 7)

static struct wv_pcpu *here(void)
{
    return &wv_pcpus[wv_cpu_index()];
}

void wv_sched_add(uint32_t cpu, struct wv_vcpu *v)
{
    if (wv_runq_add(&wv_pcpus[cpu], v) != WV_OK)
        wv_printf("[wasmvisor] CPU %u: more than %u vCPUs placed on it; vm %s vCPU %u never runs\n",
                  cpu, WV_MAX_RUNQ, v->vm->own.name, v->index);
}

/* Wake the waiting vCPUs whose virtual-timer deadline has passed; the first deadline
 * of those still waiting, or WV_NO_DEADLINE. */
static uint64_t wake_due(struct wv_pcpu *p)
{
    struct wv_timers live = { read_sysreg(cntv_ctl_el0), read_sysreg(cntv_cval_el0),
                              read_sysreg(cntp_ctl_el0), read_sysreg(cntp_cval_el0) };
    return wv_sched_wake_due(p, live, read_sysreg(cntpct_el0));
}

/* The slice of the vCPU now on the CPU: its VM's (config), or the default. */
static uint64_t slice_ticks(const struct wv_pcpu *p)
{
    uint32_t us = p->loaded && p->loaded->vm->own.slice_us ? p->loaded->vm->own.slice_us : WV_SLICE_US_DEFAULT;
    return read_sysreg(cntfrq_el0) / 1000000u * us;
}

void wv_sched_arm(struct wv_pcpu *p)
{
    if (p->nrun < 2) return;
    uint64_t slice_end = read_sysreg(cntpct_el0) + slice_ticks(p);
    write_sysreg(cnthp_cval_el2, wv_sched_timer_due(slice_end, wake_due(p)));
    write_sysreg(cnthp_ctl_el2, CNT_ENABLE);
    isb();
}

void wv_sched_resume(void)
{
    struct wv_pcpu *p = here();
    /* A vCPU joined this CPU while another ran (PSCI CPU_ON): start slicing now, and
     * let WFE spins yield (HCR_EL2.TWE). */
    if (p->nrun > 1 && !(read_sysreg(cnthp_ctl_el2) & CNT_ENABLE)) {
        write_sysreg(hcr_el2, read_sysreg(hcr_el2) | HCR_TWE);
        wv_sched_arm(p);
    }
}

int wv_sched_tick(struct wv_vcpu *current)
{
    struct wv_pcpu *p = here();
    write_sysreg(cnthp_ctl_el2, 0);     /* the level drops; the next slice re-arms it */
    isb();
    wake_due(p);                        /* the slice ended, or a waiting vCPU's deadline came */
    struct wv_vcpu *next = wv_sched_pick(p, current);
    if (next && next != current) wv_vcpu_run(next);
    wv_sched_arm(p);
    return 0;
}

void wv_sched_wfi(struct wv_vcpu *v)
{
    uint32_t runnable = VCPU_RUNNABLE, idle = VCPU_IDLE;
    /* Only RUNNABLE -> IDLE -> RUNNABLE here: a restart or stop that turned the vCPU off
     * meanwhile wins. */
    if (!__atomic_compare_exchange_n(&v->state, &runnable, VCPU_IDLE, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return;
    /* Others share this CPU: give it to them until an interrupt comes. */
    if (here()->nrun > 1) wv_idle_cpu();
    /* Alone (every RTVM CPU): sleep in place; the pending interrupt is then taken as an
     * exit of this vCPU, with no switch on the way back. */
    while (!(read_sysreg(isr_el1) & ISR_I) && v->state == VCPU_IDLE) wfi();
    __atomic_compare_exchange_n(&v->state, &idle, VCPU_RUNNABLE, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

int wv_sched_yield(struct wv_vcpu *current)
{
    struct wv_pcpu *p = here();
    struct wv_vcpu *next = wv_sched_pick(p, current);
    if (next && next != current) wv_vcpu_run(next);
    return next == current;
}

/* Every vCPU here waits: sleep until an interrupt or the first of their timer deadlines,
 * then let all of them look again (a WFI may return for no reason: ARM ARM D1.6.2). */
static int wait_for_idle(struct wv_pcpu *p)
{
    int any = 0;
    for (uint32_t i = 0; i < p->nrun; i++) any |= p->runq[i]->state == VCPU_IDLE && !p->runq[i]->vm->stopped;
    if (!any) return 0;
    uint64_t deadline = wake_due(p);
    if (wv_sched_pick(p, p->loaded)) return 1;   /* a deadline has just passed */
    if (deadline != WV_NO_DEADLINE) {
        write_sysreg(cnthp_cval_el2, deadline);
        write_sysreg(cnthp_ctl_el2, CNT_ENABLE);
        isb();
    }
    while (!(read_sysreg(isr_el1) & ISR_I)) wfi();
    write_sysreg(cnthp_ctl_el2, 0);
    isb();
    for (uint32_t i = 0; i < p->nrun; i++) {
        uint32_t idle = VCPU_IDLE;
        __atomic_compare_exchange_n(&p->runq[i]->state, &idle, VCPU_RUNNABLE, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    }
    return 1;
}

void wv_idle_cpu(void)
{
    struct wv_pcpu *p = here();
    for (;;) {
        struct wv_vcpu *next = wv_sched_pick(p, p->loaded);
        if (next) wv_vcpu_run(next);
        if (wait_for_idle(p)) continue;
        /* No vCPU to run: sleep; whatever woke the CPU (a kick) is for nobody here,
         * but for the console's input (CPU 0). */
        wfi();
        for (uint32_t intid; (intid = wv_gic_ack()) != GIC_SPURIOUS; ) {
            if (intid == PPI_HYP_TIMER) write_sysreg(cnthp_ctl_el2, 0);
            /* The virtual timer of the vCPU still loaded here (stopped, or off): its
             * level stays up while nobody runs the guest, so it is masked until a vCPU
             * is run here again (wv_vcpu_run sets it), or this loop would take it forever. */
            else if (intid == PPI_VTIMER || intid == PPI_PTIMER) wv_gic_ppi_set(intid, 0);
            else wv_console_in_irq(intid);
            wv_gic_deactivate(intid);
        }
    }
}
