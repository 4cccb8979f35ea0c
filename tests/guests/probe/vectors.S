/* The probe guest's EL1 vector table: the synchronous entry of "current EL with SP_ELx"
 * (+0x200, ARM ARM D1.10.2) saves x0..x30, hands ESR_EL1, FAR_EL1, ELR_EL1 and the saved
 * registers to probe_abort (main.c), which returns where to resume; every other entry
 * goes to the common reporter (common/vectors.S) and stops. */

    .section .text.vectors, "ax"
    .balign 2048                    /* VBAR_EL1 bits [10:0] are RES0 */
    .global probe_vectors
probe_vectors:
    .irp    idx, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    .balign 0x80
    .if \idx == 4
    b       probe_sync
    .else
    mov     x0, #\idx
    b       wv_exception_entry
    .endif
    .endr

    .text
    .type   probe_sync, %function
probe_sync:
    sub     sp, sp, #256
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    str     x30, [sp, #240]
    mrs     x0, esr_el1
    mrs     x1, far_el1
    mrs     x2, elr_el1
    mov     x3, sp                  /* the saved registers, x[0..30] */
    bl      probe_abort
    msr     elr_el1, x0
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    add     sp, sp, #256
    eret
    .size   probe_sync, . - probe_sync
