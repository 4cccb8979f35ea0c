/* Tick handler. The deadline is absolute: each one is the previous deadline plus the
 * period, never "now + period", so handler latency does not accumulate into drift,
 * and a late tick is followed at once by the ones it held up (each a sample). The
 * latency of a tick is CNTVCT_EL0 at vector entry minus its deadline: the time from
 * the timer condition being met to the first instruction of the handler. In a VM with
 * the bench flag each tick also takes the hypervisor's share of that latency (hyp_stamp.h)
 * into a second statistic of the same round. */
#include "tick.h"
#include "config.h"
#include "counter.h"
#include "events.h"
#include "hyp_stamp.h"
#include "latency.h"
#include "tasks.h"
#include "vtimer.h"

struct rt_events rt_events;

static uint64_t period;
static uint64_t deadline;
static struct latency_stats stats;
static struct latency_stats hyp;        /* the hypervisor's share, when hyp_on */
static int hyp_on;
static uint64_t overruns;

uint64_t tick_start(uint64_t period_ticks, int hyp_stamps)
{
    period = period_ticks;
    hyp_on = hyp_stamps;
    latency_reset(&stats);
    latency_reset(&hyp);
    uint64_t now = counter_ticks();
    deadline = now + period;
    vtimer_start(deadline);
    return now;
}

/* Hands a full round to the background loop and starts the next one. */
static void close_round(void)
{
    rt_events.round.latency = stats;
    rt_events.round.hyp = hyp;
    rt_events.round.overruns = overruns;
    rt_events.round.spurious = rt_events.spurious;
    rt_events.rounds++;
    latency_reset(&stats);
    latency_reset(&hyp);
    overruns = 0;
    rt_events.spurious = 0;
}

/* The tick due at `due`, whose handler read the counter as `entry`, `late` after it. */
static void sample(uint64_t late, uint64_t due, uint64_t entry)
{
    latency_add(&stats, late);
    if (late >= period)
        overruns++;
    /* After the guest's own sample, whose end point (`entry`) is taken before anything
     * else: the hypercall's exit cannot be in it. */
    uint64_t share;
    if (hyp_on && hyp_stamp_latency(due, entry, &share))
        latency_add(&hyp, share);
    if (stats.count == RT_SAMPLES)
        close_round();
}

void tick_isr(uint64_t entry_ticks)
{
    /* Signed: the counter may wrap. Before the deadline the timer condition was not
     * met when the handler started, so this is not a tick: count it and leave the
     * timer as it is. */
    int64_t late = (int64_t)(entry_ticks - deadline);
    if (late < 0) {
        rt_events.spurious++;
        return;
    }
    uint64_t due = deadline;
    deadline += period;
    vtimer_set_deadline(deadline);      /* the interrupt deasserts before the EOI */

    if (++rt_events.ticks > RT_WARMUP_TICKS)
        sample((uint64_t)late, due, entry_ticks);
    tasks_run();
}
