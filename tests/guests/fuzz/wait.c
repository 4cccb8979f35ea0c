/* WFI and WFE storms. Every wait is bounded by the guest's own virtual timer, armed a
 * short time ahead with its GIC state put back first (gic.h), so a wait that does not
 * end is the hypervisor's doing: the known case is a vCPU waiting for its own timer
 * while a neighbour keeps its CPU busy. WFI is trapped (HCR_EL2.TWI); WFE is where
 * the CPU is shared (HCR_EL2.TWE), as the fuzz VM's vCPU 0's is. */
#include "fuzz.h"
#include "actions.h"
#include "gic.h"

#define STORM_MAX           16u     /* waits per storm */
#define WAKE_US_MAX         500u    /* the timer fires within this */
#define IRQ_WINDOW_SPINS    2000u

uint32_t act_wait(struct prng *r)
{
    uint32_t n = 1u + prng_below(r, STORM_MAX), exits = fuzz_gic_tidy();
    int wfe = prng_below(r, 2);
    for (uint32_t i = 0; i < n; i++) {
        fuzz_vtimer_arm(prng_below(r, WAKE_US_MAX));
        if (wfe)
            __asm__ volatile("wfe" : : : "memory");
        else
            __asm__ volatile("wfi" : : : "memory");
        exits++;
        /* IRQs are masked: the timer's interrupt stays pending until acknowledged. */
        fuzz_count.irqs += fuzz_gic_drain(0);
    }
    fuzz_vtimer_off();
    return exits;
}

/* IRQs unmasked for a while: whatever the actions left pending is taken by trap.c. */
uint32_t act_irq_window(struct prng *r)
{
    uint32_t spins = prng_below(r, IRQ_WINDOW_SPINS);
    __asm__ volatile("msr daifclr, #2" : : : "memory");
    for (volatile uint32_t i = 0; i < spins; i++) { }
    __asm__ volatile("msr daifset, #2" : : : "memory");
    return 0;
}
