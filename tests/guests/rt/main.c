/* guest-rt: an RTOS-style real-time guest. A 1 ms tick from the EL1 virtual timer
 * through the GICv3, its interrupt latency measured on every tick, two periodic
 * tasks released from it, and a background task that prints and otherwise idles in
 * WFI. This file brings it all up. tests/guests/README.md ("guest-rt") lists the
 * exact lines; integration tests match them, so change both together. */
#include <stdint.h>

#include "background.h"
#include "config.h"
#include "convert.h"
#include "counter.h"
#include "cpu.h"
#include "exception.h"
#include "gic.h"
#include "hvc.h"
#include "hyp_stamp.h"
#include "print.h"
#include "tick.h"
#include "uart.h"
#include "hello.h"

extern char irq_vectors[];          /* common/irq_vectors.S */

static void __attribute__((noreturn)) stop(void)
{
    uart_puts("guest stopped (wfe loop)\n");
    for (;;)
        __asm__ volatile("wfe");
}

/* Replaces start.S's table (which stops on any IRQ) with the one that handles them. */
static void install_vectors(void)
{
    SYSREG_WRITE(vbar_el1, (uintptr_t)irq_vectors);
    isb();
}

/* Returns whether a wasmvisor hypervisor answered. Without one (directly on QEMU)
 * the HVC reaches the platform's PSCI, which answers SMCCC NOT_SUPPORTED (-1): the
 * line then says "?" rather than print that as an index. */
static int hello(void)
{
    uint64_t vcpus;
    return guest_hello("rt", &vcpus);
}

void guest_main(void)
{
    install_vectors();
    int hypervisor = hello();

    uint64_t freq = counter_freq();
    uint64_t period = us_to_ticks(RT_TICK_US, freq);
    if (period == 0) {
        uart_puts("rt: ERROR CNTFRQ_EL0 is ");
        print_dec(freq);
        uart_puts(", too slow for the tick\n");
        stop();
    }
    uart_puts("rt: counter ");
    print_dec(freq);
    uart_puts(" Hz, tick ");
    print_dec(RT_TICK_US);
    uart_puts(" us, ");
    print_dec(RT_SAMPLES);
    uart_puts(" samples\n");

    if (!gic_init(RT_VTIMER_INTID, RT_VTIMER_PRIORITY, us_to_ticks(RT_GIC_WAIT_TIMEOUT_US, freq)))
        stop();
    /* Asked only of a hypervisor that answered: directly on QEMU nothing changes. */
    int hyp_stamps = hypervisor && hyp_stamp_probe();
    uint64_t armed_at = tick_start(period, hyp_stamps);
    irq_unmask();
    background(freq, armed_at, hypervisor, hyp_stamps);
}
