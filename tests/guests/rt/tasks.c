/* A fixed-priority cyclic executive: tasks are released by the tick and run to
 * completion, in table order, which is priority order (rate monotonic: the shorter
 * the period, the higher the priority). They run in the tick's interrupt context,
 * so they are short; anything slow (printing) is left to the background loop
 * through rt_events. */
#include <stdint.h>

#include "config.h"
#include "events.h"
#include "tasks.h"

#define TICKS(us) ((us) / RT_TICK_US)
#define CONTROL_RUNS_PER_MONITOR   (RT_MONITOR_PERIOD_US / RT_CONTROL_PERIOD_US)
#define MONITOR_RUNS_PER_HEARTBEAT (RT_HEARTBEAT_PERIOD_US / RT_MONITOR_PERIOD_US)

struct rt_task {
    uint32_t period;        /* in ticks */
    uint32_t countdown;     /* ticks until the next release */
    void (*run)(void);
};

static uint64_t control_runs;

/* 5 ms: the "control loop", reduced to its bookkeeping. */
static void control_task(void)
{
    control_runs++;
}

/* 100 ms: checks the control task ran exactly as often as it should have since the
 * last check (released at the same tick, it has already run: higher priority), and
 * counts seconds for the heartbeat line. */
static void monitor_task(void)
{
    static uint64_t seen_runs;
    static uint32_t monitor_runs;

    uint64_t runs = control_runs - seen_runs;
    seen_runs = control_runs;
    if (runs != CONTROL_RUNS_PER_MONITOR) {
        rt_events.task_faults++;
        rt_events.task_fault_runs = runs;
    }
    if (++monitor_runs == MONITOR_RUNS_PER_HEARTBEAT) {
        monitor_runs = 0;
        rt_events.heartbeats++;
    }
}

static struct rt_task tasks[] = {
    { TICKS(RT_CONTROL_PERIOD_US), TICKS(RT_CONTROL_PERIOD_US), control_task },
    { TICKS(RT_MONITOR_PERIOD_US), TICKS(RT_MONITOR_PERIOD_US), monitor_task },
};

void tasks_run(void)
{
    for (unsigned i = 0; i < sizeof tasks / sizeof tasks[0]; i++) {
        struct rt_task *t = &tasks[i];
        if (--t->countdown == 0) {
            t->countdown = t->period;
            t->run();
        }
    }
}
