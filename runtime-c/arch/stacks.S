/* The per-CPU EL2 stacks: one WV_STACK_SLOT-sized, WV_STACK_SLOT-aligned slot per CPU,
 * so that each slot is one level-2 block of the EL2 map and its lowest page can be left
 * unmapped as the guard (arch/mmu.c). A CPU's stack grows down from the top of its slot. */
#include "wv_asm.h"

    .section .stacks, "aw", %nobits
    .balign WV_STACK_SLOT
    .global __stacks_start
__stacks_start:
    .space WV_STACK_SLOT * WV_MAX_CPUS
    .global __stacks_end
__stacks_end:
