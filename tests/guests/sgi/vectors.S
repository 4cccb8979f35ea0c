/* EL1 vector table of the SGI guest, shared by both vCPUs: the IRQ entry for the
 * current EL with SP_ELx (offset 0x280) timestamps first and goes to sgi_irq; every
 * other entry reports and stops through common/vectors.S's wv_exception_entry. The
 * layout is that of common/vectors.S (ARM ARM, "Exception vectors").
 *
 * Also vCPU 1's entry point, which PSCI CPU_ON starts at EL1h, MMU off, DAIF masked. */

    .equ    IRQ_FRAME, 160          /* x0..x18 and x30: 20 registers, 16-byte multiple */
    .equ    STACK1_SIZE, 8192

    .section .text.vectors, "ax"
    .balign 2048                    /* VBAR_EL1 bits [10:0] are RES0 */
    .global sgi_vectors
sgi_vectors:
    .irp    idx, 0, 1, 2, 3, 4
    .balign 0x80
    mov     x0, #\idx
    b       wv_exception_entry
    .endr

    /* 5: IRQ, current EL with SP_ELx. CNTVCT_EL0 first (after an ISB, so the read is
     * not performed early), into x0: the handler's argument. */
    .balign 0x80
    sub     sp, sp, #IRQ_FRAME
    stp     x0, x1, [sp, #0]
    isb
    mrs     x0, cntvct_el0
    b       sgi_irq_entry

    .irp    idx, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    .balign 0x80
    mov     x0, #\idx
    b       wv_exception_entry
    .endr

    .text
/* The rest of the caller-saved state (AAPCS64); the C code keeps x19..x29 and uses no
 * FP/SIMD. IRQs stay masked in the handler, so ELR_EL1/SPSR_EL1 need no saving. */
    .type   sgi_irq_entry, %function
sgi_irq_entry:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x30, [sp, #144]
    bl      sgi_irq
    ldp     x18, x30, [sp, #144]
    ldp     x16, x17, [sp, #128]
    ldp     x14, x15, [sp, #112]
    ldp     x12, x13, [sp, #96]
    ldp     x10, x11, [sp, #80]
    ldp     x8, x9, [sp, #64]
    ldp     x6, x7, [sp, #48]
    ldp     x4, x5, [sp, #32]
    ldp     x2, x3, [sp, #16]
    ldp     x0, x1, [sp, #0]
    add     sp, sp, #IRQ_FRAME
    eret
    .size   sgi_irq_entry, . - sgi_irq_entry

/* vCPU 1 after CPU_ON (x0 = context id, unused): the vectors, its own stack, then C.
 * vCPU 0 zeroed .bss (this stack included) before it called CPU_ON. */
    .global sgi_secondary_entry
    .type   sgi_secondary_entry, %function
sgi_secondary_entry:
    adrp    x1, sgi_vectors
    add     x1, x1, :lo12:sgi_vectors
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
