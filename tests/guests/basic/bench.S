/* The timed loops of the benchmark guest (main.c, WV_GUEST_MODE_BENCH).
 *
 * Written in assembly so that the three loops differ by exactly one instruction,
 * the trapping one, whatever the compiler would have done:
 *   bench_loop:       MOVZ w0, #ID; SUBS; B.NE                (the overhead)
 *   bench_hvc_null:   MOVZ w0, #ID; HVC #0; SUBS; B.NE
 *   bench_mmio_read:  MOVZ w0, #ID; LDR w0, [addr]; SUBS; B.NE
 * Each takes (uint64_t n, uintptr_t addr) with n >= 1; only bench_mmio_read uses
 * addr. The counter lives in x19, which the hypervisor must preserve (SMCCC lets
 * a call corrupt x0..x17 at most), and x19/x20 are callee-saved under the AAPCS64,
 * hence the save and restore. */

#define WV_HC_NULL_HI 0xc600        /* WV_HC_NULL = 0xC6000000 (docs/abi.md section 3) */

    .text

    .global bench_loop
    .type   bench_loop, %function
bench_loop:
    str     x19, [sp, #-16]!
    mov     x19, x0
1:  movz    w0, #WV_HC_NULL_HI, lsl #16
    subs    x19, x19, #1
    b.ne    1b
    ldr     x19, [sp], #16
    ret
    .size   bench_loop, . - bench_loop

    .global bench_hvc_null
    .type   bench_hvc_null, %function
bench_hvc_null:
    str     x19, [sp, #-16]!
    mov     x19, x0
1:  movz    w0, #WV_HC_NULL_HI, lsl #16
    hvc     #0
    subs    x19, x19, #1
    b.ne    1b
    ldr     x19, [sp], #16
    ret
    .size   bench_hvc_null, . - bench_hvc_null

    .global bench_mmio_read
    .type   bench_mmio_read, %function
bench_mmio_read:
    stp     x19, x20, [sp, #-16]!
    mov     x19, x0
    mov     x20, x1
1:  movz    w0, #WV_HC_NULL_HI, lsl #16
    /* A single 32-bit LDR without writeback: the stage-2 abort syndrome is valid
     * (ESR_EL2.ISV = 1) and the hypervisor emulates the read. */
    ldr     w0, [x20]
    subs    x19, x19, #1
    b.ne    1b
    ldp     x19, x20, [sp], #16
    ret
    .size   bench_mmio_read, . - bench_mmio_read
