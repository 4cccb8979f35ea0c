/* wv_unwind_save / wv_unwind_jump (wv_unwind.h): setjmp and longjmp reduced to the
 * general-purpose callee-saved registers x19-x30 and SP (AAPCS64, 6.1.1). FP/SIMD
 * registers are left alone: native code at EL2 never uses them. */

    .text
    .balign 4
    .global wv_unwind_save
    .type wv_unwind_save, %function
wv_unwind_save:
    stp     x19, x20, [x0, #0]
    stp     x21, x22, [x0, #16]
    stp     x23, x24, [x0, #32]
    stp     x25, x26, [x0, #48]
    stp     x27, x28, [x0, #64]
    stp     x29, x30, [x0, #80]
    mov     x2, sp
    str     x2, [x0, #96]
    mov     w0, #0
    ret
    .size wv_unwind_save, . - wv_unwind_save

    .balign 4
    .global wv_unwind_jump
    .type wv_unwind_jump, %function
wv_unwind_jump:
    ldp     x19, x20, [x0, #0]
    ldp     x21, x22, [x0, #16]
    ldp     x23, x24, [x0, #32]
    ldp     x25, x26, [x0, #48]
    ldp     x27, x28, [x0, #64]
    ldp     x29, x30, [x0, #80]
    ldr     x2, [x0, #96]
    mov     sp, x2
    cmp     w1, #0
    csinc   w0, w1, wzr, ne         /* value, or 1 when value is 0 */
    ret                             /* to wv_unwind_save's caller, x30 as saved */
    .size wv_unwind_jump, . - wv_unwind_jump
