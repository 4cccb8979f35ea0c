/* EL1 exception vector table: every entry reports and stops.
 *
 * The table has 16 entries of 0x80 bytes (ARM ARM, "Exception vectors"):
 *   +0x000 current EL with SP_EL0, +0x200 current EL with SP_ELx,
 *   +0x400 lower EL using AArch64, +0x600 lower EL using AArch32;
 * within each group: synchronous, IRQ, FIQ, SError.
 * The guests run at EL1h with interrupts masked, so in practice only the
 * "current EL with SP_ELx, synchronous" and "SError" entries can be taken.
 *
 * The handlers never return, so they may clobber everything: each passes its
 * index in x0 and switches to a stack of its own (the fault may have been caused
 * by a bad SP) before calling wv_exception_report (exception.c). */

    .section .text.vectors, "ax"
    .balign 2048                    /* VBAR_EL1 bits [10:0] are RES0 */
    .global wv_vectors
wv_vectors:
    .irp    idx, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    .balign 0x80
    mov     x0, #\idx
    b       wv_exception_entry
    .endr

    .text
    .global wv_exception_entry
    .type   wv_exception_entry, %function
/* x0 = vector index (0..15), or 16 when guest_main returned. */
wv_exception_entry:
    adrp    x1, __exc_stack_top
    add     x1, x1, :lo12:__exc_stack_top
    mov     sp, x1
    mov     x29, #0
    mov     x30, #0
    bl      wv_exception_report
1:  wfe                             /* not reached: the reporter does not return */
    b       1b
    .size   wv_exception_entry, . - wv_exception_entry
