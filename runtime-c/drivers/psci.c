/* PSCI calls to firmware (DEN0022, PSCI 1.1): the runtime starts secondary CPUs. */
#include "wv_psci.h"
#include "wv_board.h"

static int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    if (wv_board.psci_conduit_smc)
        __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    else
        __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return (int64_t)x0;
}

int64_t wv_psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
    return psci_call(PSCI_CPU_ON_64, mpidr, entry, context);
}

void wv_psci_system_off(void)
{
    psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
}
