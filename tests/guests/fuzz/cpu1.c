/* vCPU 1 and its power cycles. vCPU 0 turns vCPU 1 off (by asking it: CPU_OFF is
 * called by the vCPU that stops, PSCI 5.1.3) and on again (CPU_ON, PSCI 5.1.4), and
 * checks through AFFINITY_INFO (PSCI 5.1.5) that each step happened within a bound. A
 * step that does not is printed as `fuzz: ERROR ...`, which the fuzz tool reports. In
 * between, vCPU 1 runs a small loop of its own: hypercalls, SGIs to vCPU 0, waits on
 * its own timer, with a PRNG seeded from the run's seed and its CPU_ON count. */
#include "fuzz.h"
#include "actions.h"
#include "smccc.h"
#include "gic.h"
#include "hvc.h"
#include "counter.h"
#include "uart.h"
#include "print.h"

#define CPU1_MPIDR          1u
#define STEP_BOUND_MS       200u            /* CPU_OFF / CPU_ON take effect within this */
#define LATE_BOUND_MS       5000u           /* a late one within this: late, not frozen */
#define MS_PER_SECOND       1000u
#define CPU1_WAKE_US_MAX    300u
#define CPU1_SEED_SALT      0x6370753100000000ull

extern char fuzz_cpu1_entry[];

enum cpu1_state { CPU1_OFF, CPU1_STARTING, CPU1_RUNNING };
static volatile uint32_t cpu1_state;        /* vCPU 0's view */
static volatile uint32_t cpu1_up;           /* set by vCPU 1 once running */
static volatile uint32_t cpu1_stop;         /* vCPU 0 asks vCPU 1 to call CPU_OFF */
static uint64_t cpu1_on_ticks;              /* CNTVCT_EL0 at the last CPU_ON */
/* What vCPU 1 is doing, for the report of a step that did not happen. */
enum cpu1_where { CPU1_AT_START, CPU1_AT_HVC, CPU1_AT_SEND, CPU1_AT_WAIT, CPU1_AT_SGI, CPU1_AT_OFF };
static const char *const cpu1_where_names[] = { "start", "hypercall", "SGI to vCPU 0", "WFI", "SGI games", "CPU_OFF" };
static volatile uint32_t cpu1_where;

static uint64_t psci(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return wv_hvc(fid, a1, a2, a3).x0 & 0xffffffffu;
}

void fuzz_cpu1_main(uint64_t context)
{
    struct prng r;
    prng_seed(&r, fuzz_par.seed ^ CPU1_SEED_SALT ^ context);
    cpu1_where = CPU1_AT_START;
    fuzz_gic_cpu_init();
    cpu1_up = 1;
    while (!cpu1_stop) {
        uint32_t what = prng_below(&r, 4);
        cpu1_where = CPU1_AT_HVC + what;
        switch (what) {
        case 0:
            wv_hc_null();
            fuzz_count.exits++;
            break;
        case 1:
            SYSREG_WRITE(icc_sgi1r_el1, ((uint64_t)prng_below(&r, GIC_SGI_COUNT) << 24) | 1u);
            fuzz_count.exits++;
            break;
        case 2:
            fuzz_count.exits += fuzz_gic_tidy();
            fuzz_vtimer_arm(prng_below(&r, CPU1_WAKE_US_MAX));
            __asm__ volatile("wfi" : : : "memory");
            fuzz_count.exits++;
            fuzz_gic_drain(0);
            fuzz_vtimer_off();
            break;
        default:
            fuzz_count.exits += act_sgi(&r);
            break;
        }
    }
    cpu1_up = 0;
    cpu1_where = CPU1_AT_OFF;
    psci(PSCI_CPU_OFF, 0, 0, 0);
    /* CPU_OFF does not return on success (PSCI 5.1.3). */
    uart_puts("fuzz: ERROR vCPU 1: CPU_OFF returned\n");
    for (;;)
        __asm__ volatile("wfe");
}

/* Poll AFFINITY_INFO until vCPU 1 is in state `want`, for at most `ms`; 1 when it is. */
static int wait_affinity_ms(uint32_t want, uint32_t *exits, uint64_t t0, uint32_t ms)
{
    uint64_t bound = counter_freq() * ms / MS_PER_SECOND;
    for (;;) {
        (*exits)++;
        if (psci(PSCI_AFFINITY_INFO_64, CPU1_MPIDR, 0, 0) == want)
            return 1;
        if (counter_ticks() - t0 > bound)
            return 0;
    }
}

static void step_error(const char *what)
{
    uart_end_line();
    uart_puts("fuzz: ERROR vCPU 1 ");
    uart_puts(what);
    uart_puts(" within ");
    print_dec(STEP_BOUND_MS);
    uart_puts(" ms (vCPU 1 at: ");
    uint32_t at = cpu1_where;
    uart_puts(at < sizeof cpu1_where_names / sizeof cpu1_where_names[0] ? cpu1_where_names[at] : "?");
    uart_puts(")\n");
}

/* Wait for vCPU 1 to reach AFFINITY_INFO state `want` within STEP_BOUND_MS; 1 when it
 * did. A late step is reported (`what`, where vCPU 1 was), then waited for up to
 * LATE_BOUND_MS in all, and how long it took is printed: late, or not at all (the fuzz
 * tool reports a vCPU frozen for good separately, by the missing progress lines). */
static int step(uint32_t want, uint32_t *exits, const char *what)
{
    uint64_t t0 = counter_ticks();
    if (wait_affinity_ms(want, exits, t0, STEP_BOUND_MS))
        return 1;
    step_error(what);
    int done = wait_affinity_ms(want, exits, t0, LATE_BOUND_MS);
    uart_end_line();
    uart_puts(done ? "fuzz: vCPU 1 took the step after " : "fuzz: ERROR vCPU 1 did not take the step within ");
    print_dec(done ? (counter_ticks() - t0) * MS_PER_SECOND / counter_freq() : LATE_BOUND_MS);
    uart_puts(" ms\n");
    return 0;
}

uint32_t act_cpu_cycle(struct prng *r)
{
    uint32_t exits = 0;
    (void)r;
    if (fuzz_vcpus < 2)
        return 0;
    if (cpu1_state == CPU1_OFF) {
        cpu1_stop = 0;
        cpu1_up = 0;
        exits++;
        uint64_t ret = psci(PSCI_CPU_ON_64, CPU1_MPIDR, (uintptr_t)fuzz_cpu1_entry, fuzz_count.cpu_on);
        if (ret != PSCI_SUCCESS) {
            uart_end_line();
            uart_puts("fuzz: ERROR CPU_ON of vCPU 1 returned ");
            print_hex(ret);
            uart_puts("\n");
            return exits;
        }
        fuzz_count.cpu_on++;
        cpu1_state = CPU1_STARTING;
        cpu1_on_ticks = counter_ticks();
        step(PSCI_AFF_ON, &exits, "not on after CPU_ON");
        return exits;
    }
    if (cpu1_state == CPU1_STARTING) {
        uint64_t bound = counter_freq() * STEP_BOUND_MS / MS_PER_SECOND;
        if (!cpu1_up && counter_ticks() - cpu1_on_ticks <= bound)
            return exits;                   /* not yet in C: the next cycle looks again */
        if (!cpu1_up)
            step_error("not running its code after CPU_ON");
        cpu1_state = CPU1_RUNNING;
    }
    cpu1_stop = 1;
    /* vCPU 1 may be waiting for its timer with its redistributor changed under it by the
     * device action (timer PPI disabled, regrouped, the redistributor asleep): on
     * hardware too it would then sleep on. Put its timer path back, as an OS makes sure
     * that a CPU it asks to stop can be woken, so that only the hypervisor can make the
     * step late. */
    exits += fuzz_gic_timer_ready(1);
    if (step(PSCI_AFF_OFF, &exits, "not off after it was asked to call CPU_OFF"))
        cpu1_state = CPU1_OFF;
    return exits;
}
