/* What the fuzz guest's parts share: the counters the progress lines print, system
 * register access, the vCPU index, and one action's result. */
#ifndef FUZZ_H
#define FUZZ_H
#include <stdint.h>
#include "prng.h"
#include "params.h"

#define SYSREG_READ(r) ({ uint64_t v_; __asm__ volatile("mrs %0, " #r : "=r"(v_) : : "memory"); v_; })
#define SYSREG_WRITE(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")

/* Counted by every vCPU of the VM; read by vCPU 0 for its lines. With the MMU off every
 * access is Device-nGnRnE, so the plain read-modify-writes of two vCPUs may lose an
 * increment now and then: these are progress figures, not an audit. */
struct fuzz_counters {
    volatile uint64_t actions;  /* actions done (vCPU 0's loop) */
    volatile uint64_t exits;    /* trapping instructions executed on purpose: HVC, SMC,
                                   trapped system registers, emulated MMIO, WFI, WFE */
    volatile uint64_t aborts;   /* synchronous aborts and SErrors taken, each skipped */
    volatile uint64_t undefs;   /* UNDEFINED instructions taken, each skipped */
    volatile uint64_t irqs;     /* interrupts acknowledged (INTID below 1020) */
    volatile uint64_t cpu_on;   /* CPU_ON of vCPU 1 that succeeded */
};
extern struct fuzz_counters fuzz_count;
extern struct fuzz_params fuzz_par;     /* a copy of the record at FUZZ_PARAMS_IPA */

/* This vCPU: MPIDR_EL1.Aff0 (a wasmvisor VM's vCPU n has Aff0 = n, Aff1..3 = 0). */
static inline uint32_t fuzz_cpu(void)
{
    return (uint32_t)(SYSREG_READ(mpidr_el1) & 0xffu);
}

static inline void isb(void)
{
    __asm__ volatile("isb" : : : "memory");
}

/* The vCPUs the VM has (WV_HC_VM_INFO), set by vCPU 0 at start. */
extern uint32_t fuzz_vcpus;
/* Set when an action wrote a byte to UARTDR: the next line of vCPU 0 starts afresh. */
extern volatile uint32_t uart_dirty;

#endif
