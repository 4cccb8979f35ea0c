/* EL1 vector table of the debug guests: a breakpoint or watchpoint exception taken
 * from EL1 to EL1 (ESR_EL1.EC 0x31 / 0x35, ARM ARM, register ESR_EL1) is counted and stepped
 * over; anything else goes to the common reporter (common/vectors.S), which stops.
 *
 * Both exceptions are taken before the instruction executes, with ELR_EL1 at it
 * (ARM ARM D2): returning to ELR_EL1 + 4 skips the NOP the breakpoint
 * sits on, or the access the watchpoint caught. */

#define EC_SHIFT            26
#define EC_BREAKPOINT_CUR   0x31
#define EC_WATCHPOINT_CUR   0x35
#define A64_INSN_BYTES      4

    .section .text.vectors, "ax"
    .balign 2048
    .global debug_vectors
debug_vectors:
    .irp    idx, 0, 1, 2, 3
    .balign 0x80
    mov     x0, #\idx
    b       wv_exception_entry
    .endr
    .balign 0x80                    /* +0x200: current EL with SP_ELx, synchronous */
    b       debug_sync
    .irp    idx, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    .balign 0x80
    mov     x0, #\idx
    b       wv_exception_entry
    .endr

    .text
    .type   debug_sync, %function
debug_sync:
    stp     x9, x10, [sp, #-16]!
    mrs     x9, esr_el1
    lsr     x9, x9, #EC_SHIFT
    cmp     x9, #EC_BREAKPOINT_CUR
    b.eq    1f
    cmp     x9, #EC_WATCHPOINT_CUR
    b.eq    2f
    ldp     x9, x10, [sp], #16
    mov     x0, #4
    b       wv_exception_entry
1:  adrp    x9, debug_bp_hits
    add     x9, x9, :lo12:debug_bp_hits
    b       3f
2:  adrp    x9, debug_wp_far
    add     x9, x9, :lo12:debug_wp_far
    mrs     x10, far_el1
    str     x10, [x9]
    adrp    x9, debug_wp_hits
    add     x9, x9, :lo12:debug_wp_hits
3:  ldr     x10, [x9]
    add     x10, x10, #1
    str     x10, [x9]
    mrs     x9, elr_el1
    add     x9, x9, #A64_INSN_BYTES
    msr     elr_el1, x9
    ldp     x9, x10, [sp], #16
    eret
    .size   debug_sync, . - debug_sync

/* The breakpoint's target: the breakpoint sits on the NOP. */
    .global debug_bp_target
    .type   debug_bp_target, %function
debug_bp_target:
    nop
    ret
    .size   debug_bp_target, . - debug_bp_target

/* What the noise guest points its breakpoint at and never calls. */
    .global debug_noise_target
    .type   debug_noise_target, %function
debug_noise_target:
    nop
    ret
    .size   debug_noise_target, . - debug_noise_target
