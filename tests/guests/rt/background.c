/* The background task: everything slow (printing, hypercalls) happens here, at the
 * lowest priority, where a tick can preempt it; the interrupt side only posts
 * counters in rt_events. */
#include <stdint.h>

#include "background.h"
#include "config.h"
#include "convert.h"
#include "counter.h"
#include "cpu.h"
#include "events.h"
#include "gic.h"
#include "hvc.h"
#include "latency.h"
#include "print.h"
#include "uart.h"
#include "vtimer.h"

/* WV_HC_REPORT in use: a hypervisor answered, and no report has failed yet. */
static int reports_on;

static void report(uint64_t id, uint64_t value)
{
    if (!reports_on)
        return;
    uint64_t r = wv_hc_report(id, value);
    if (r != WV_HC_SUCCESS) {
        uart_puts("rt: ERROR WV_HC_REPORT returned ");
        print_hex(r);
        uart_puts(", no more reports\n");
        reports_on = 0;
    }
}

/* "<what> ns: min a avg b max c (n samples)" and its three reports, from `metric` on. */
static void print_stats(const char *what, const struct latency_stats *st, uint64_t freq, uint64_t metric)
{
    uart_puts(what);
    if (st->count == 0) {                   /* every stamp of the round skipped */
        uart_puts(" ns: no samples\n");
        return;
    }
    uint64_t min = ticks_to_ns(st->min, freq);
    uint64_t avg = latency_avg_ns(st, freq);
    uint64_t max = ticks_to_ns(st->max, freq);

    uart_puts(" ns: min ");
    print_dec(min);
    uart_puts(" avg ");
    print_dec(avg);
    uart_puts(" max ");
    print_dec(max);
    uart_puts(" (");
    print_dec(st->count);
    uart_puts(" samples)\n");
    report(metric, min);
    report(metric + 1, avg);
    report(metric + 2, max);
}

static void print_round(const struct rt_round *round, uint64_t freq, int hyp)
{
    _Static_assert(RT_METRIC_AVG_NS == RT_METRIC_MIN_NS + 1 && RT_METRIC_MAX_NS == RT_METRIC_MIN_NS + 2,
                   "a round's metrics are consecutive");
    _Static_assert(RT_METRIC_HYP_AVG_NS == RT_METRIC_HYP_MIN_NS + 1 && RT_METRIC_HYP_MAX_NS == RT_METRIC_HYP_MIN_NS + 2,
                   "a round's metrics are consecutive");
    print_stats("rt latency", &round->latency, freq, RT_METRIC_MIN_NS);
    if (hyp)
        print_stats("rt hyp latency", &round->hyp, freq, RT_METRIC_HYP_MIN_NS);

    if (round->overruns || round->spurious) {
        uart_puts("rt: ");
        print_dec(round->overruns);
        uart_puts(" overrun(s), ");
        print_dec(round->spurious);
        uart_puts(" spurious interrupt(s) in this round\n");
    }
}

static void print_no_tick(void)
{
    uart_puts("rt: ERROR no timer interrupt\n");
    uart_puts("rt: CNTV_CTL_EL0 ");
    print_hex(vtimer_ctl());
    uart_puts(" (bit 2 ISTATUS: timer condition met)\n");
    gic_print_state(RT_VTIMER_INTID);
}

static void print_task_fault(uint64_t runs)
{
    uart_puts("rt: ERROR control task ran ");
    print_dec(runs);
    uart_puts(" times in one monitor period, expected ");
    print_dec(RT_MONITOR_PERIOD_US / RT_CONTROL_PERIOD_US);
    uart_putc('\n');
}

/* What the background loop takes from rt_events, field by field: the copy is made
 * with IRQs masked, so it is kept to a few loads (a structure copy could become a
 * byte-by-byte memcpy, and a longer window in which a tick waits). */
struct snapshot {
    uint64_t ticks;
    uint64_t heartbeats;
    uint64_t rounds;
    uint64_t task_faults;
    uint64_t task_fault_runs;
};

static void take_snapshot(struct snapshot *s)
{
    s->ticks = rt_events.ticks;
    s->heartbeats = rt_events.heartbeats;
    s->rounds = rt_events.rounds;
    s->task_faults = rt_events.task_faults;
    s->task_fault_runs = rt_events.task_fault_runs;
}

/* The last round, copied with IRQs masked (a tick could close the next one). */
static void take_round(struct rt_round *r)
{
    irq_mask();
    r->latency.min = rt_events.round.latency.min;
    r->latency.max = rt_events.round.latency.max;
    r->latency.sum = rt_events.round.latency.sum;
    r->latency.count = rt_events.round.latency.count;
    r->hyp.min = rt_events.round.hyp.min;
    r->hyp.max = rt_events.round.hyp.max;
    r->hyp.sum = rt_events.round.hyp.sum;
    r->hyp.count = rt_events.round.hyp.count;
    r->overruns = rt_events.round.overruns;
    r->spurious = rt_events.round.spurious;
    irq_unmask();
}

/* The lowest-priority task: prints what the interrupt side posted in rt_events, and
 * sleeps in WFI when there is nothing to print. Until the first tick it polls
 * instead, since a WFI would never end if the interrupt never comes. */
void background(uint64_t freq, uint64_t armed_at, int reports, int hyp)
{
    reports_on = reports;
    uint64_t first_tick_timeout = us_to_ticks(RT_FIRST_TICK_TIMEOUT_US, freq);
    uint64_t heartbeats = 0, rounds = 0, task_faults = 0;
    uint64_t fault_printed_at = UINT64_MAX;     /* heartbeat of the last fault line */
    int ready = 0, no_tick_reported = 0;
    struct snapshot ev;

    for (;;) {
        irq_mask();
        take_snapshot(&ev);
        int news = (!ready && ev.ticks >= RT_WARMUP_TICKS) || ev.heartbeats != heartbeats ||
                   ev.rounds != rounds || ev.task_faults != task_faults;
        int polling = ev.ticks == 0 && !no_tick_reported;
        if (!news && !polling) {
            wait_for_interrupt();
            irq_unmask();               /* the interrupt that ended the WFI is taken here */
            continue;
        }
        irq_unmask();

        if (polling) {
            if (counter_ticks() - armed_at > first_tick_timeout) {
                print_no_tick();
                no_tick_reported = 1;
            }
            continue;
        }
        if (!ready && ev.ticks >= RT_WARMUP_TICKS) {
            uart_puts("READY rt\n");
            ready = 1;
        }
        while (heartbeats != ev.heartbeats) {
            uart_puts("rt heartbeat ");
            print_dec(++heartbeats);
            uart_putc('\n');
        }
        if (ev.task_faults != task_faults) {
            task_faults = ev.task_faults;
            if (fault_printed_at != ev.heartbeats) {    /* at most one line a second */
                print_task_fault(ev.task_fault_runs);
                fault_printed_at = ev.heartbeats;
            }
        }
        if (ev.rounds != rounds) {
            struct rt_round round;
            rounds = ev.rounds;
            take_round(&round);
            print_round(&round, freq, hyp);
        }
    }
}
