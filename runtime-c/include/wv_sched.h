/* The scheduling choices of a physical CPU shared by several vCPUs, as pure functions
 * over its run queue: no register, no timer, no printing. sched.c reads the hardware
 * and acts on their answers; they build for the host and are tested there
 * (runtime-c/tests/test_sched.c). */
#ifndef WV_SCHED_H
#define WV_SCHED_H
#include <stdint.h>
#include "wv_vm.h"

/* No virtual-timer deadline to wait for. */
#define WV_NO_DEADLINE      (~0ull)

/* A vCPU's two EL1 timers: virtual (CNTV_CTL_EL0, CNTV_CVAL_EL0) and physical
 * (CNTP_CTL_EL0, CNTP_CVAL_EL0). */
struct wv_timers {
    uint64_t vctl, vcval, pctl, pcval;
};

/* Place `v` on `p`'s run queue (once): WV_OK, or WV_ENOMEM when it is full. Any CPU may
 * add to any CPU's queue (vcpu_boot, PSCI CPU_ON): the writers take p->runq_lock; the
 * CPU that owns the queue reads it without the lock, which is safe because entries are
 * only ever appended and the count is published after its entry. */
int wv_runq_add(struct wv_pcpu *p, struct wv_vcpu *v);

/* The next runnable vCPU of `p` after `after` in turn (`after` itself last), or 0. */
struct wv_vcpu *wv_sched_pick(struct wv_pcpu *p, const struct wv_vcpu *after);

/* Wake the vCPUs of `p` that wait (WFI) for a timer deadline (virtual or physical) that
 * has passed at `now` (they become runnable), and return the earliest deadline of those
 * still waiting, or WV_NO_DEADLINE. The timers of p->loaded are live in the registers:
 * `live` is their value; the others' were saved when they were switched out. */
uint64_t wv_sched_wake_due(struct wv_pcpu *p, struct wv_timers live, uint64_t now);

/* When the CPU's scheduling timer (CNTHP) must next fire: at the slice end, or earlier
 * at the first deadline of a waiting vCPU. */
static inline uint64_t wv_sched_timer_due(uint64_t slice_end, uint64_t deadline)
{
    return deadline < slice_end ? deadline : slice_end;
}

#endif
