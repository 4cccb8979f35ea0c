/* The pure scheduling choices of wv_sched.h. */
#include "wv_sched.h"
#include "wv_validate.h"
#include "wv_lock.h"

/* CNTV_CTL_EL0 (ARM ARM, CNTV_CTL_EL0 description): ENABLE [0], IMASK [1]. A timer with
 * ENABLE = 1 and IMASK = 0 asserts its interrupt once its condition is met, that is once
 * the virtual counter reaches CNTV_CVAL_EL0 (ARM ARM D11.2.4, "Timers"); the runtime runs
 * every vCPU with CNTVOFF_EL2 = 0 (vcpu.c), so the virtual counter is the physical one. */
#define CNTV_CTL_ENABLE     1u
#define CNTV_CTL_IMASK      2u

int wv_runq_add(struct wv_pcpu *p, struct wv_vcpu *v)
{
    int rc = WV_OK;
    wv_lock(&p->runq_lock);
    uint32_t n = p->nrun;
    for (uint32_t i = 0; i < n; i++) if (p->runq[i] == v) goto out;
    if (n >= WV_MAX_RUNQ) { rc = WV_ENOMEM; goto out; }
    p->runq[n] = v;
    /* The entry before the count: a reader that sees the count sees the entry. */
    __atomic_store_n(&p->nrun, n + 1, __ATOMIC_RELEASE);
out:
    wv_unlock(&p->runq_lock);
    return rc;
}

static uint32_t queued(const struct wv_pcpu *p)
{
    return __atomic_load_n(&p->nrun, __ATOMIC_ACQUIRE);
}

static int runnable(const struct wv_vcpu *v)
{
    return v->state == VCPU_RUNNABLE && !v->vm->stopped;
}

struct wv_vcpu *wv_sched_pick(struct wv_pcpu *p, const struct wv_vcpu *after)
{
    uint32_t n = queued(p), start = 0;
    for (uint32_t i = 0; i < n; i++) if (p->runq[i] == after) { start = i + 1; break; }
    for (uint32_t k = 0; k < n; k++) {
        struct wv_vcpu *v = p->runq[(start + k) % n];
        if (runnable(v)) return v;
    }
    return 0;
}

uint64_t wv_sched_wake_due(struct wv_pcpu *p, struct wv_vtimer live, uint64_t now)
{
    uint64_t earliest = WV_NO_DEADLINE;
    uint32_t n = queued(p);
    for (uint32_t i = 0; i < n; i++) {
        struct wv_vcpu *v = p->runq[i];
        /* A vCPU whose timer PPI the core masked cannot be interrupted by it: it waits
         * for the core's kick instead. */
        if (v->state != VCPU_IDLE || v->vm->stopped || v->vtimer_masked) continue;
        struct wv_vtimer t = v == p->loaded ? live : (struct wv_vtimer){ v->el1.cntv_ctl, v->el1.cntv_cval };
        if ((t.ctl & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK)) != CNTV_CTL_ENABLE) continue;
        if (t.cval > now) {
            if (t.cval < earliest) earliest = t.cval;
            continue;
        }
        /* Only IDLE -> RUNNABLE: a restart or stop that turned it off meanwhile wins. */
        uint32_t idle = VCPU_IDLE;
        __atomic_compare_exchange_n(&v->state, &idle, VCPU_RUNNABLE, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    }
    return earliest;
}
