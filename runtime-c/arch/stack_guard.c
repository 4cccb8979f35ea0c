/* What an EL2 exception needs when the stack it was taken on may be gone: a small
 * emergency stack per CPU (arch/vectors.S switches to it before anything is pushed, since
 * a fault on the guard page leaves SP_EL2 pointing into the guard), and the question
 * whether a faulting address lies in one of the guard pages below the per-CPU stacks. */
#include "wv_arch.h"
#include "wv_asm.h"

extern char __stacks_start[];

/* Read by arch/vectors.S only. */
uint8_t wv_emergency_stacks[WV_MAX_CPUS][WV_EMERGENCY_STACK_SIZE] __attribute__((aligned(16)));

int wv_stack_guard_cpu(uint64_t va)
{
    uint64_t off = va - (uint64_t)__stacks_start;
    uint64_t cpu = off / WV_STACK_SLOT;
    if (va < (uint64_t)__stacks_start || cpu >= WV_MAX_CPUS) return -1;
    return off % WV_STACK_SLOT < WV_STACK_GUARD ? (int)cpu : -1;
}
