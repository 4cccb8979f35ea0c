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

/* The deadline of one timer that can interrupt (enabled, not masked, its PPI not
 * masked by the core), or WV_NO_DEADLINE. */
static uint64_t deadline(uint64_t ctl, uint64_t cval, uint32_t ppi_masked)
{
    if (ppi_masked || (ctl & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK)) != CNTV_CTL_ENABLE) return WV_NO_DEADLINE;
    return cval;
}

uint64_t wv_sched_wake_due(struct wv_pcpu *p, struct wv_timers live, uint64_t now)
{
    uint64_t earliest = WV_NO_DEADLINE;
    uint32_t n = queued(p);
    for (uint32_t i = 0; i < n; i++) {
        struct wv_vcpu *v = p->runq[i];
        if (v->state != VCPU_IDLE || v->vm->stopped) continue;
        struct wv_timers t = v == p->loaded ? live
            : (struct wv_timers){ v->el1.cntv_ctl, v->el1.cntv_cval, v->el1.cntp_ctl, v->el1.cntp_cval };
        /* A timer whose PPI the core masked cannot interrupt the vCPU: it waits for the
         * core's kick instead. The physical timer follows the same rules (CNTP_CTL_EL0). */
        uint64_t dv = deadline(t.vctl, t.vcval, v->vtimer_masked), dp = deadline(t.pctl, t.pcval, v->ptimer_masked);
        uint64_t d = dv < dp ? dv : dp;
        if (d == WV_NO_DEADLINE) continue;
        if (d > now) {
            if (d < earliest) earliest = d;
            continue;
        }
        /* Only IDLE -> RUNNABLE: a restart or stop that turned it off meanwhile wins. */
        uint32_t idle = VCPU_IDLE;
        __atomic_compare_exchange_n(&v->state, &idle, VCPU_RUNNABLE, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    }
    return earliest;
}
