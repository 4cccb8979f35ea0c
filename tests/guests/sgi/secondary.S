/* vCPU 1's entry point, which PSCI CPU_ON starts at EL1h, MMU off, DAIF masked: the
 * vectors (common/irq_vectors.S), its own stack, then C. */
    .equ    STACK1_SIZE, 8192

    .text
/* vCPU 1 after CPU_ON (x0 = context id, unused): the vectors, its own stack, then C.
 * vCPU 0 zeroed .bss (this stack included) before it called CPU_ON. */
    .global sgi_secondary_entry
    .type   sgi_secondary_entry, %function
sgi_secondary_entry:
    adrp    x1, irq_vectors
    add     x1, x1, :lo12:irq_vectors
    msr     vbar_el1, x1
    isb
    adrp    x1, sgi_stack1_top
    add     x1, x1, :lo12:sgi_stack1_top
    mov     sp, x1
    mov     x29, #0
    mov     x30, #0
    bl      sgi_secondary_main
    mov     x0, #16                 /* "guest_main returned" for the reporter */
    b       wv_exception_entry
    .size   sgi_secondary_entry, . - sgi_secondary_entry

    .bss
    .balign 16
sgi_stack1:
    .space  STACK1_SIZE
sgi_stack1_top:
