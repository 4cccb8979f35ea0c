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
#define MS_PER_SECOND       1000u
#define CPU1_WAKE_US_MAX    300u
#define CPU1_SEED_SALT      0x6370753100000000ull

extern char fuzz_cpu1_entry[];

enum cpu1_state { CPU1_OFF, CPU1_STARTING, CPU1_RUNNING };
static volatile uint32_t cpu1_state;        /* vCPU 0's view */
static volatile uint32_t cpu1_up;           /* set by vCPU 1 once running */
static volatile uint32_t cpu1_stop;         /* vCPU 0 asks vCPU 1 to call CPU_OFF */
static uint64_t cpu1_on_ticks;              /* CNTVCT_EL0 at the last CPU_ON */

static uint64_t psci(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return wv_hvc(fid, a1, a2, a3).x0 & 0xffffffffu;
}

void fuzz_cpu1_main(uint64_t context)
{
    struct prng r;
    prng_seed(&r, fuzz_par.seed ^ CPU1_SEED_SALT ^ context);
    fuzz_gic_cpu_init();
    cpu1_up = 1;
    while (!cpu1_stop) {
        switch (prng_below(&r, 4)) {
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
    psci(PSCI_CPU_OFF, 0, 0, 0);
    /* CPU_OFF does not return on success (PSCI 5.1.3). */
    uart_puts("fuzz: ERROR vCPU 1: CPU_OFF returned\n");
    for (;;)
        __asm__ volatile("wfe");
}

static int wait_affinity(uint32_t want, uint32_t *exits)
{
    uint64_t bound = counter_freq() * STEP_BOUND_MS / MS_PER_SECOND, t0 = counter_ticks();
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
    uart_puts(" ms\n");
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
        if (!wait_affinity(PSCI_AFF_ON, &exits))
            step_error("not on after CPU_ON");
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
    if (!wait_affinity(PSCI_AFF_OFF, &exits)) {
        step_error("not off after it was asked to call CPU_OFF");
        return exits;
    }
    cpu1_state = CPU1_OFF;
    return exits;
}
