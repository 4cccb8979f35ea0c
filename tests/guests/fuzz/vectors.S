/* The fuzz guest's EL1 vector table: unlike common/vectors.S, every entry returns.
 * Each saves the caller-saved registers (AAPCS64: x0..x18, x30; the C code keeps
 * x19..x29), calls `void fuzz_exception(uint64_t index)` (trap.c) and ERETs. The
 * handler decides: a synchronous abort or UNDEFINED instruction is counted and
 * skipped (ELR_EL1 += 4), an IRQ acknowledged, anything it cannot survive reported
 * and stopped through common/exception.c.
 *
 * Layout (ARM ARM, "Exception vectors"): 16 entries of 0x80 bytes, groups current
 * EL with SP_EL0, current EL with SP_ELx, lower EL AArch64, lower EL AArch32; in each
 * group sync, IRQ, FIQ, SError. ELR_EL1 and SPSR_EL1 stay in their registers: the
 * handler takes no exception of its own (one that would is reported and stops), and
 * changes ELR_EL1 itself to skip an instruction. */

#include "caller_saved.inc"
    .equ    FRAME, 160              /* x0..x18 and x30: 20 registers, 16-byte multiple */

    .section .text.vectors, "ax"
    .balign 2048                    /* VBAR_EL1 bits [10:0] are RES0 */
    .global fuzz_vectors
fuzz_vectors:
    .irp    idx, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    .balign 0x80
    sub     sp, sp, #FRAME
    stp     x0, x1, [sp, #0]
    mov     x0, #\idx
    b       fuzz_vector_common
    .endr

    .text
    .type   fuzz_vector_common, %function
fuzz_vector_common:
    save_caller_rest
    bl      fuzz_exception
    restore_caller FRAME
    eret
    .size   fuzz_vector_common, . - fuzz_vector_common
