/* The debug guests: two VMs on one physical CPU must each keep their own hardware
 * breakpoints, watchpoints and PMU counters. Built twice (tests/guests/CMakeLists.txt):
 *   DEBUG_CHECK: arms a breakpoint, a watchpoint, the cycle counter and an event
 *                counter counting its PMSWINC_EL0 writes, then over many time slices
 *                checks, round after round, that each still fires or counts as it
 *                programmed them, one line per check. First it checks that a cycle
 *                or event counter told to count at EL2 (NSH = 1) counts nothing
 *                there: the hypervisor's cycles are not the guest's to see.
 *   DEBUG_NOISE: keeps resetting its own debug and PMU state to other values (OS
 *                lock set, everything disabled, counters reset and reloaded).
 * The last slots (breakpoint, watchpoint, event counter) are the ones used, so a
 * switch that saves too few of them is caught too. */
#include <stdint.h>
#include "hvc.h"
#include "uart.h"
#include "print.h"
#include "counter.h"
#include "hello.h"
#include "regs.h"

#define US_PER_S            1000000u
#define DEBUG_ROUNDS        30u
#define ROUND_US            5000u   /* between rounds: several slices of the other VM */
#define NSH_HYPERCALLS      200u
#define NOISE_LINE_US       10000u

/* Written by vectors.S. */
volatile uint64_t debug_bp_hits, debug_wp_hits, debug_wp_far;
void debug_bp_target(void);
void debug_noise_target(void);
extern char debug_vectors[];


static void counts_line(const char *who, uint32_t brps, uint32_t wrps, uint32_t n)
{
    uart_puts(who);
    uart_puts(": ");
    print_dec(brps);
    uart_puts(" breakpoints, ");
    print_dec(wrps);
    uart_puts(" watchpoints, ");
    print_dec(n);
    uart_puts(" event counters\n");
}

#ifdef DEBUG_CHECK

static uint32_t failures;
static volatile uint64_t watched __attribute__((aligned(8)));

static void spin_us(uint64_t us)
{
    uint64_t end = counter_ticks() + counter_freq() * us / US_PER_S;
    while (counter_ticks() < end) { }
}

/* One check's line: "round <r>: <what> ok", or "check: <what> ok" before the rounds;
 * a failure shows the value read. */
static void result(uint32_t round, const char *what, int ok, uint64_t got)
{
    if (round) { uart_puts("round "); print_dec(round); uart_puts(": "); }
    else uart_puts("check: ");
    uart_puts(what);
    if (ok) { uart_puts(" ok\n"); return; }
    uart_puts(" FAIL (read ");
    print_hex(got);
    uart_puts(")\n");
    failures++;
}

static void hypercalls(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) wv_hc_null();
}

/* A counter filtered out of EL1 and EL0 (P = U = 1) and asked to count EL2 (NSH = 1):
 * NSH must read back clear, and nothing may be counted over hypercalls, which spend
 * their time at EL2. */
static void nsh_checks(uint32_t ev)
{
    uint64_t filter = PMF_P | PMF_U | PMF_NSH;
    SYSREG_WRITE(pmccfiltr_el0, filter);
    isb();
    uint64_t got = SYSREG_READ(pmccfiltr_el0);
    result(0, "PMCCFILTR_EL0.NSH reads clear", !(got & PMF_NSH), got);
    uint64_t c0 = SYSREG_READ(pmccntr_el0);
    hypercalls(NSH_HYPERCALLS);
    uint64_t c1 = SYSREG_READ(pmccntr_el0);
    result(0, "cycle counter with NSH counts no EL2 cycles", c1 == c0, c1 - c0);

    pmu_set_type(ev, filter | PMU_EV_CPU_CYCLES);
    pmu_set_count(ev, 0);
    SYSREG_WRITE(pmcntenset_el0, 1u << ev);
    isb();
    got = pmu_type(ev);
    result(0, "PMEVTYPER_EL0.NSH reads clear", !(got & PMF_NSH), got);
    c0 = pmu_count(ev);
    hypercalls(NSH_HYPERCALLS);
    c1 = pmu_count(ev);
    result(0, "event counter with NSH counts no EL2 cycles", c1 == c0, c1 - c0);

    SYSREG_WRITE(pmcntenclr_el0, 1u << ev);
    SYSREG_WRITE(pmccfiltr_el0, 0);
    isb();
}

static void arm_debug(uint32_t bp, uint32_t wp)
{
    SYSREG_WRITE(oslar_el1, 0);         /* OS lock clear: it blocks debug exceptions (ARM ARM D2) */
    SYSREG_WRITE(osdlr_el1, 0);
    SYSREG_WRITE(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
    dbg_set_bp(bp, (uint64_t)debug_bp_target, DBGBCR_EL1_EL0_ADDR);
    dbg_set_wp(wp, (uint64_t)&watched, DBGWCR_EL1_EL0_RW8);
    isb();
    __asm__ volatile("msr daifclr, #8" ::: "memory");   /* PSTATE.D = 0 */
    isb();
}

static void arm_pmu(uint32_t ev)
{
    SYSREG_WRITE(pmcr_el0, PMCR_E | PMCR_LC | PMCR_P | PMCR_C);
    SYSREG_WRITE(pmccfiltr_el0, 0);
    pmu_set_type(ev, PMU_EV_SW_INCR);
    pmu_set_count(ev, 0);
    SYSREG_WRITE(pmcntenset_el0, PMCNT_CYCLE | (1u << ev));
    isb();
}

void guest_main(void)
{
    uint64_t vcpus;
    guest_hello("debug", &vcpus);
    uint32_t brps = debug_brps(), wrps = debug_wrps(), n = pmu_counters();
    counts_line("debug", brps, wrps, n);
    if (n < 2) { uart_puts("ERROR: need 2 event counters\nguest stopped (wfe loop)\n"); for (;;) __asm__ volatile("wfe"); }
    uint32_t bp = brps - 1, wp = wrps - 1, ev = n - 1;
    SYSREG_WRITE(vbar_el1, (uint64_t)debug_vectors);
    isb();
    arm_pmu(ev);
    nsh_checks(0);
    arm_debug(bp, wp);
    uart_puts("READY debug\n");

    uint64_t last_cycles = SYSREG_READ(pmccntr_el0), swinc = 0;
    for (uint32_t r = 1; r <= DEBUG_ROUNDS; r++) {
        spin_us(ROUND_US);
        uint64_t h = debug_bp_hits;
        debug_bp_target();
        result(r, "breakpoint", debug_bp_hits == h + 1, debug_bp_hits - h);

        h = debug_wp_hits;
        watched = r;
        uint64_t wp_ok = debug_wp_hits == h + 1 && debug_wp_far == (uint64_t)&watched;
        result(r, "watchpoint", wp_ok, debug_wp_hits - h);

        uint64_t c = SYSREG_READ(pmccntr_el0);
        result(r, "cycle counter", c > last_cycles, c);
        last_cycles = c;

        SYSREG_WRITE(pmswinc_el0, 1u << ev);
        isb();
        swinc++;
        uint64_t e = pmu_count(ev);
        result(r, "event counter", e == swinc, e);
    }
    uart_puts("DEBUG DONE ");
    print_dec(DEBUG_ROUNDS);
    uart_puts(" rounds, ");
    print_dec(failures);
    uart_puts(" failures\n");
    for (;;) __asm__ volatile("wfi");
}

#else /* DEBUG_NOISE */

static volatile uint64_t noise_var __attribute__((aligned(8)));

static void reset_state(uint32_t brps, uint32_t wrps, uint32_t n, uint64_t k)
{
    SYSREG_WRITE(oslar_el1, 1);         /* OS lock set: no debug exceptions */
    SYSREG_WRITE(mdscr_el1, 0);
    for (uint32_t i = 0; i < brps; i++) dbg_set_bp(i, (uint64_t)debug_noise_target, 0);
    for (uint32_t i = 0; i < wrps; i++) dbg_set_wp(i, (uint64_t)&noise_var, 0);
    SYSREG_WRITE(pmcntenclr_el0, ~0u);
    SYSREG_WRITE(pmintenclr_el1, ~0u);
    SYSREG_WRITE(pmovsclr_el0, ~0u);
    SYSREG_WRITE(pmcr_el0, PMCR_P | PMCR_C);    /* E = 0, and both counter kinds reset */
    SYSREG_WRITE(pmccfiltr_el0, PMF_P | PMF_U);
    SYSREG_WRITE(pmccntr_el0, k);
    for (uint32_t i = 0; i < n; i++) {
        pmu_set_type(i, PMF_P | PMF_U | PMU_EV_CPU_CYCLES);
        pmu_set_count(i, k);
    }
    SYSREG_WRITE(pmuserenr_el0, 0);
    isb();
}

void guest_main(void)
{
    uint64_t vcpus;
    guest_hello("debug-noise", &vcpus);
    uint32_t brps = debug_brps(), wrps = debug_wrps(), n = pmu_counters();
    counts_line("debug-noise", brps, wrps, n);
    SYSREG_WRITE(vbar_el1, (uint64_t)debug_vectors);
    isb();
    uart_puts("READY debug-noise\n");
    uint64_t step = counter_freq() * NOISE_LINE_US / US_PER_S, next = counter_ticks() + step;
    for (uint64_t k = 1;; k++) {
        reset_state(brps, wrps, n, k);
        if (counter_ticks() < next) continue;
        next += step;
        uart_puts("noise: ");
        print_dec(k);
        uart_puts(" resets\n");
    }
}

#endif
