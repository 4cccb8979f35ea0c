/* EL2 entry for the boot CPU and for secondaries started through PSCI CPU_ON. */
#include "wv_asm.h"

    .section .text.boot, "ax"
    .global _start
_start:
    /* QEMU enters at EL2 with the MMU off. Park anything not at EL2. */
    mrs     x0, CurrentEL
    cmp     x0, #(2 << 2)
    b.ne    halt
    mov     x19, #0                 /* boot CPU index */
    /* zero .bss (before the MMU is on: Device-nGnRnE, so aligned 8-byte stores only) */
    ldr     x0, =__bss_start
    ldr     x1, =__bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:  b       common_entry

    /* PSCI CPU_ON lands here with x0 = context id = CPU index (PSCI 1.1, 5.1.4). */
    .global wv_secondary_entry
wv_secondary_entry:
    mov     x19, x0

common_entry:
    /* per-CPU stack: the top of the CPU's slot, __stacks_start + (index + 1) * WV_STACK_SLOT */
    ldr     x1, =__stacks_start
    mov     x2, #WV_STACK_SLOT
    madd    x1, x19, x2, x1
    add     x1, x1, x2
    mov     sp, x1
    ldr     x0, =wv_el2_vectors
    msr     vbar_el2, x0
    /* CPTR_EL2: FP/SIMD not trapped (TFP=0), RES1 bits set (ARM ARM D17.2.31). */
    ldr     x0, =0x33ff
    msr     cptr_el2, x0
    isb
    mov     x0, x19
    bl      wv_mmu_enable_cpu       /* MMU and caches on (tables built by the boot CPU) */
    mov     x0, x19
    cbnz    x19, 3f
    bl      wv_main
    b       halt
3:  bl      wv_secondary_main
halt:
    wfe
    b       halt
