/* EL1 vector table of the interrupt-driven guests (rt/, sgi/): the IRQ entry for the
 * current EL with SP_ELx (offset 0x280: the guests run at EL1h) timestamps first and
 * calls the guest's `void guest_irq(uint64_t entry_ticks)`; every other entry reports
 * and stops, as in common/vectors.S, through its wv_exception_entry.
 *
 * The table layout is that of common/vectors.S (ARM ARM, "Exception vectors"):
 * 16 entries of 0x80 bytes, groups current EL/SP_EL0, current EL/SP_ELx, lower EL
 * AArch64, lower EL AArch32; in each group sync, IRQ, FIQ, SError. */

#include "caller_saved.inc"
    .equ    IRQ_FRAME, 160          /* x0..x18 and x30: 20 registers, 16-byte multiple */

    .section .text.vectors, "ax"
    .balign 2048                    /* VBAR_EL1 bits [10:0] are RES0 */
    .global irq_vectors
irq_vectors:
    .irp    idx, 0, 1, 2, 3, 4
    .balign 0x80
    mov     x0, #\idx
    b       wv_exception_entry
    .endr

    /* 5: IRQ, current EL with SP_ELx. The timestamp comes first: CNTVCT_EL0 into x0
     * (saved just before), the handler's argument. Taking the exception is a context
     * synchronization event and the ISB another, so the read cannot be performed
     * earlier than here (ARM ARM, Generic Timer chapter: reads of CNTVCT_EL0 can
     * otherwise occur out of order). */
    .balign 0x80
    .global irq_vector_spx_irq      /* named for tools/bench/rt_profile.ts: the handler's first instruction */
irq_vector_spx_irq:
    sub     sp, sp, #IRQ_FRAME
    stp     x0, x1, [sp, #0]
    isb
    mrs     x0, cntvct_el0
    b       irq_entry

    .irp    idx, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    .balign 0x80
    mov     x0, #\idx
    b       wv_exception_entry
    .endr

    .text
/* The rest of the caller-saved state (AAPCS64: x0..x18 and the link register; the
 * C code preserves x19..x29 itself, and uses no FP/SIMD registers). ELR_EL1 and
 * SPSR_EL1 are not saved: IRQs stay masked in the handler, and any other exception
 * there stops the guest. NZCV comes back from SPSR_EL1 at the ERET. */
    .type   irq_entry, %function
irq_entry:
    save_caller_rest
    bl      guest_irq
    restore_caller IRQ_FRAME
    eret
    .size   irq_entry, . - irq_entry
