/* guest-sgi: the SGI round trip between two vCPUs of one VM. vCPU 0 starts vCPU 1
 * with PSCI CPU_ON; each brings up its own redistributor and CPU interface; then vCPU 0
 * sends SGI 1 to vCPU 1, whose interrupt handler answers with SGI 2, and vCPU 0 times
 * each round trip with CNTVCT_EL0: from just before its ICC_SGI1R_EL1 write to the
 * first instruction of its own handler for the answer. Both wait in WFI: vCPU 0 for
 * the answer, vCPU 1 for the next SGI 1. README.md (here) lists the exact lines; the
 * bench (tools/bench) parses them. */
#include <stdint.h>

#include "config.h"
#include "counter.h"
#include "exception.h"
#include "gic.h"
#include "hvc.h"
#include "print.h"
#include "uart.h"
#include "hello.h"

extern char irq_vectors[];              /* common/irq_vectors.S */
extern char sgi_secondary_entry[];      /* secondary.S: vCPU 1 starts here */

/* Shared by the two vCPUs and their handlers. With the MMU off every access is
 * Device-nGnRnE: no caches to keep coherent, and each field has a single writer. */
static volatile uint64_t pongs;         /* answers vCPU 0 has taken */
static volatile uint64_t pong_ticks;    /* CNTVCT_EL0 at the vector of the last one */
static volatile uint64_t pings;         /* SGI 1s vCPU 1 has answered */
static volatile uint64_t spurious;      /* anything else either handler acknowledged */
static volatile uint32_t cpu1_state;    /* 0 not up yet, 1 up, 2 no GIC system registers */
static volatile uint32_t cpu1_faults;   /* vCPU 1's GIC steps that did not read back */

static void __attribute__((noreturn)) stop(void)
{
    uart_puts("guest stopped (wfe loop)\n");
    for (;;)
        __asm__ volatile("wfe");
}

static inline void irq_unmask(void)
{
    __asm__ volatile("msr daifclr, #2" : : : "memory");
}

static inline void irq_mask(void)
{
    __asm__ volatile("msr daifset, #2" : : : "memory");
}

/* Rounded; freq < 2^32 and us <= 1 s keep the product below 2^62. */
static uint64_t us_to_ticks(uint64_t us, uint64_t freq)
{
    return (freq * us + SGI_US_PER_SECOND / 2) / SGI_US_PER_SECOND;
}

/* Rounded, whole seconds and the remainder apart (no 128-bit arithmetic). */
static uint64_t ticks_to_ns(uint64_t ticks, uint64_t freq)
{
    uint64_t q = ticks / freq, r = ticks % freq;
    return q * SGI_NS_PER_SECOND + (r * SGI_NS_PER_SECOND + freq / 2) / freq;
}

/* Both vCPUs' IRQs: acknowledge, answer or record, EOI (EOImode 0: also deactivates). */
void guest_irq(uint64_t entry_ticks)
{
    uint32_t iar = gic_ack();
    uint32_t intid = iar & GIC_INTID_MASK;
    if (intid >= GIC_INTID_SPECIAL_FIRST) {     /* nothing became active: no EOI */
        spurious++;
        return;
    }
    uint32_t me = cpu_index();
    if (me == 1 && intid == SGI_PING) {
        gic_send_sgi(SGI_PONG, 0);
        pings++;
    } else if (me == 0 && intid == SGI_PONG) {
        pong_ticks = entry_ticks;
        pongs++;
    } else {
        spurious++;
    }
    gic_eoi(iar);
}

/* vCPU 1, from secondary.S: its GIC, then it only answers, sleeping in WFI between. */
void __attribute__((noreturn)) sgi_secondary_main(void)
{
    uint32_t faults;
    uint64_t freq = counter_freq();
    int ok = gic_cpu_init(SGI_PING, SGI_PRIORITY, us_to_ticks(SGI_GIC_WAIT_TIMEOUT_US, freq), 0, &faults);
    cpu1_faults = faults;
    __asm__ volatile("dmb sy" : : : "memory");
    cpu1_state = ok ? 1u : 2u;
    if (!ok)
        for (;;)
            __asm__ volatile("wfe");
    gic_send_sgi(SGI_PONG, 0);          /* "up": ends vCPU 0's wait */
    irq_unmask();
    for (;;)
        __asm__ volatile("wfi" : : : "memory");
}

/* Returns whether a wasmvisor hypervisor answered (directly on QEMU the HVC reaches
 * QEMU's PSCI, which answers NOT_SUPPORTED: no reports then). */
static int hello(void)
{
    uint64_t vcpus;
    if (!guest_hello("sgi", &vcpus)) return 0;
    if (vcpus < 2) {
        uart_puts("sgi: ERROR the VM has fewer than the 2 vCPUs this guest needs\n");
        stop();
    }
    return 1;
}

static void report(int on, uint64_t id, uint64_t value)
{
    if (!on)
        return;
    uint64_t r = wv_hc_report(id, value);
    if (r != WV_HC_SUCCESS) {
        uart_puts("sgi: ERROR WV_HC_REPORT returned ");
        print_hex(r);
        uart_putc('\n');
    }
}

static void start_cpu1(void)
{
    uint64_t r = wv_hvc(PSCI_CPU_ON_64, 1, (uintptr_t)sgi_secondary_entry, 0).x0;
    if (r != 0) {
        uart_puts("sgi: ERROR PSCI CPU_ON of vCPU 1 returned ");
        print_hex(r);
        uart_putc('\n');
        stop();
    }
    /* vCPU 1 says it is up with an SGI 2 (or stops without one when it has no GIC
     * system registers: then nothing ends this wait, and the run's timeout tells). A
     * spinning wait would hold the emulated CPU: QEMU's -icount runs one CPU at a
     * time, and a new interrupt for another CPU does not end the running one's turn. */
    irq_mask();
    while (cpu1_state == 0) {
        __asm__ volatile("wfi" : : : "memory");
        irq_unmask();
        irq_mask();
    }
    if (cpu1_state != 1) {
        uart_puts("sgi: ERROR vCPU 1 has no GICv3 system register interface\n");
        stop();
    }
    if (cpu1_faults) {
        uart_puts("sgi: ERROR ");
        print_dec(cpu1_faults);
        uart_puts(" step(s) of vCPU 1's GIC set-up did not read back as written\n");
    }
    uart_puts("sgi: vCPU 1 up (PSCI CPU_ON), its redistributor awake\n");
}

void guest_main(void)
{
    SYSREG_WRITE(vbar_el1, (uintptr_t)irq_vectors);
    __asm__ volatile("isb" : : : "memory");
    int hypervisor = hello();
    uint64_t freq = counter_freq();
    uart_puts("sgi: counter ");
    print_dec(freq);
    uart_puts(" Hz, ");
    print_dec(SGI_ROUND_TRIPS);
    uart_puts(" round trips after ");
    print_dec(SGI_WARMUP);
    uart_puts(" warm-up: vCPU 0 -> SGI 1 -> vCPU 1 -> SGI 2 -> vCPU 0\n");

    uint64_t wait = us_to_ticks(SGI_GIC_WAIT_TIMEOUT_US, freq);
    uint32_t faults;
    gic_dist_init(wait);
    if (!gic_cpu_init(SGI_PONG, SGI_PRIORITY, wait, 1, &faults))
        stop();
    start_cpu1();
    uart_puts("READY sgi\n");

    /* vCPU 0 waits for each answer in WFI, IRQs masked around the check so that an
     * answer arriving between the check and the WFI still ends it, and is taken as soon
     * as they are unmasked. */
    uint64_t min = ~0ull, max = 0, sum = 0;
    for (uint32_t i = 0; i < SGI_WARMUP + SGI_ROUND_TRIPS; i++) {
        uint64_t before = pongs;
        uint64_t t0 = counter_ticks();
        gic_send_sgi(SGI_PING, 1);
        while (pongs == before) {
            __asm__ volatile("wfi" : : : "memory");
            irq_unmask();
            irq_mask();
        }
        uint64_t rt = pong_ticks - t0;
        if (i >= SGI_WARMUP) {
            sum += rt;
            if (rt < min) min = rt;
            if (rt > max) max = rt;
        }
    }

    uint64_t avg = ticks_to_ns((sum + SGI_ROUND_TRIPS / 2) / SGI_ROUND_TRIPS, freq);
    uart_puts("sgi round trip ns: min ");
    print_dec(ticks_to_ns(min, freq));
    uart_puts(" avg ");
    print_dec(avg);
    uart_puts(" max ");
    print_dec(ticks_to_ns(max, freq));
    uart_puts(" (");
    print_dec(SGI_ROUND_TRIPS);
    uart_puts(" round trips)\n");
    report(hypervisor, SGI_METRIC_AVG_NS, avg);
    report(hypervisor, SGI_METRIC_MIN_NS, ticks_to_ns(min, freq));
    report(hypervisor, SGI_METRIC_MAX_NS, ticks_to_ns(max, freq));
    if (spurious) {
        uart_puts("sgi: ");
        print_dec(spurious);
        uart_puts(" spurious interrupt(s)\n");
    }
    uart_puts("SGI DONE\n");
    for (;;)
        __asm__ volatile("wfi" : : : "memory");
}
