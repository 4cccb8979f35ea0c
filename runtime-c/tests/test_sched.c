/* Host tests of the scheduling choices (runtime-c/core/sched_pick.c): which vCPU runs
 * next on a shared physical CPU, which waiting vCPUs a passed virtual-timer deadline
 * wakes, when the scheduling timer must fire, and that adding to a run queue from many
 * CPUs at once loses no vCPU. */
#include "wv_sched.h"
#include "wv_validate.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

/* CNTV_CTL_EL0: ENABLE [0], IMASK [1]. */
#define TIMER_ON        1u
#define TIMER_MASKED    3u

static struct wv_vm vms[3];
static struct wv_pcpu cpu;

/* A CPU shared by vCPU 0 of each of three VMs, all runnable, none loaded. */
static void setup(void)
{
    memset(vms, 0, sizeof vms);
    memset(&cpu, 0, sizeof cpu);
    for (int i = 0; i < 3; i++) {
        vms[i].vcpus[0].vm = &vms[i];
        vms[i].vcpus[0].state = VCPU_RUNNABLE;
        CHECK(wv_runq_add(&cpu, &vms[i].vcpus[0]) == WV_OK);
    }
}

static struct wv_vcpu *V(int i) { return &vms[i].vcpus[0]; }

static void wait_for(int i, uint64_t ctl, uint64_t cval)
{
    V(i)->state = VCPU_IDLE;
    V(i)->el1.cntv_ctl = ctl;
    V(i)->el1.cntv_cval = cval;
}

static const struct wv_timers no_timer = { 0, 0, 0, 0 };

static void test_pick(void)
{
    setup();
    CHECK(wv_sched_pick(&cpu, V(0)) == V(1));
    CHECK(wv_sched_pick(&cpu, V(2)) == V(0));          /* wraps around */
    CHECK(wv_sched_pick(&cpu, 0) == V(0));
    V(1)->state = VCPU_IDLE;
    CHECK(wv_sched_pick(&cpu, V(0)) == V(2));           /* a waiting vCPU is passed over */
    vms[2].stopped = 1;
    CHECK(wv_sched_pick(&cpu, V(0)) == V(0));           /* the one after itself last */
    V(0)->state = VCPU_OFF;
    CHECK(wv_sched_pick(&cpu, V(0)) == 0);
}

static void test_runq_add(void)
{
    setup();
    CHECK(wv_runq_add(&cpu, V(1)) == WV_OK && cpu.nrun == 3);      /* once */
    static struct wv_vm more[WV_MAX_RUNQ];
    int full = 0;
    for (int i = 0; i < WV_MAX_RUNQ; i++) {
        more[i].vcpus[0].vm = &more[i];
        if (wv_runq_add(&cpu, &more[i].vcpus[0]) == WV_ENOMEM) full++;
    }
    CHECK(cpu.nrun == WV_MAX_RUNQ && full == 3);
}

/* A waiting vCPU whose deadline has passed is woken although another vCPU of the CPU
 * is busy: the neighbour's work must not freeze a timer-driven guest. */
static void test_wake_due(void)
{
    setup();
    wait_for(1, TIMER_ON, 1000);
    CHECK(wv_sched_wake_due(&cpu, no_timer, 999) == 1000 && V(1)->state == VCPU_IDLE);
    CHECK(wv_sched_wake_due(&cpu, no_timer, 1000) == WV_NO_DEADLINE && V(1)->state == VCPU_RUNNABLE);
    CHECK(wv_sched_pick(&cpu, V(0)) == V(1));

    /* The earliest of several deadlines; disabled, masked and stopped ones count not. */
    setup();
    wait_for(0, TIMER_ON, 5000);
    wait_for(1, TIMER_ON, 3000);
    wait_for(2, TIMER_MASKED, 100);
    CHECK(wv_sched_wake_due(&cpu, no_timer, 2000) == 3000);
    V(2)->el1.cntv_ctl = 0;
    CHECK(wv_sched_wake_due(&cpu, no_timer, 2000) == 3000 && V(2)->state == VCPU_IDLE);
    vms[1].stopped = 1;
    CHECK(wv_sched_wake_due(&cpu, no_timer, 4000) == 5000 && V(1)->state == VCPU_IDLE);
    /* A vCPU whose timer PPI the core masked waits for the core's kick. */
    V(0)->vtimer_masked = 1;
    CHECK(wv_sched_wake_due(&cpu, no_timer, 6000) == WV_NO_DEADLINE && V(0)->state == VCPU_IDLE);

    /* The loaded vCPU's timer is the live one, not what was saved of it. */
    setup();
    wait_for(0, 0, 0);
    cpu.loaded = V(0);
    const struct wv_timers live = { TIMER_ON, 700, 0, 0 };
    CHECK(wv_sched_wake_due(&cpu, live, 600) == 700);
    CHECK(wv_sched_wake_due(&cpu, live, 700) == WV_NO_DEADLINE && V(0)->state == VCPU_RUNNABLE);

    /* Only a waiting vCPU is woken: one turned off meanwhile stays off. */
    setup();
    V(1)->state = VCPU_OFF;
    V(1)->el1.cntv_ctl = TIMER_ON;
    CHECK(wv_sched_wake_due(&cpu, no_timer, 1u << 30) == WV_NO_DEADLINE && V(1)->state == VCPU_OFF);
}

static void test_timer_due(void)
{
    CHECK(wv_sched_timer_due(10000, WV_NO_DEADLINE) == 10000);
    CHECK(wv_sched_timer_due(10000, 4000) == 4000);     /* a deadline before the slice end */
    CHECK(wv_sched_timer_due(10000, 20000) == 10000);
}

/* Many CPUs place vCPUs on one CPU's queue at once: each lands once. Every round
 * starts from an empty queue, all adders released together. */
#define ADDERS 4
#define PER_ADDER (WV_MAX_RUNQ / ADDERS)
#define ROUNDS 2000
static struct wv_vm racing[ADDERS * PER_ADDER];
static pthread_barrier_t start, done;
static int lost_rounds;

static void *adder(void *arg)
{
    int base = (int)(long)arg * PER_ADDER;
    for (int round = 0; round < ROUNDS; round++) {
        pthread_barrier_wait(&start);
        for (int i = 0; i < PER_ADDER; i++) wv_runq_add(&cpu, &racing[base + i].vcpus[0]);
        pthread_barrier_wait(&done);
    }
    return 0;
}

static int all_there_once(void)
{
    if (cpu.nrun != ADDERS * PER_ADDER) return 0;
    for (uint32_t i = 0; i < cpu.nrun; i++)
        for (uint32_t j = 0; j < i; j++) if (cpu.runq[i] == cpu.runq[j]) return 0;
    return 1;
}

static void test_runq_add_concurrent(void)
{
    pthread_t t[ADDERS];
    pthread_barrier_init(&start, 0, ADDERS + 1);
    pthread_barrier_init(&done, 0, ADDERS + 1);
    for (long i = 0; i < ADDERS; i++) pthread_create(&t[i], 0, adder, (void *)i);
    for (int round = 0; round < ROUNDS; round++) {
        memset(&cpu, 0, sizeof cpu);
        pthread_barrier_wait(&start);
        pthread_barrier_wait(&done);
        lost_rounds += !all_there_once();
    }
    for (int i = 0; i < ADDERS; i++) pthread_join(t[i], 0);
    CHECK(lost_rounds == 0);
}

int main(void)
{
    test_pick();
    test_runq_add();
    test_wake_due();
    test_timer_due();
    test_runq_add_concurrent();
    if (failures) { printf("%d check(s) failed\n", failures); return 1; }
    printf("test_sched: all checks passed\n");
    return 0;
}
