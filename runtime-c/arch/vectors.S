/* EL2 exception vectors (ARM ARM D1.10.2: VBAR_EL2 + 0x000 current EL with SP0,
 * +0x200 current EL with SPx, +0x400 lower EL AArch64, +0x600 lower EL AArch32).
 * A lower-EL exception saves the vCPU's general registers, ELR/SPSR and syndrome into
 * the frame of the vCPU TPIDR_EL2->current names (its exit record in the core's memory
 * where that is shared in place, wasm_host.c), SPSR also into the vCPU itself (what it
 * resumes with is never read back from the frame), and the virtual counter at entry into
 * the CPU's struct wv_pcpu; then it calls wv_trap(vcpu, kind), which never returns: it
 * leaves through wv_guest_enter. The FP/SIMD registers are not saved: EL2
 * code is built not to use them, and the one part that does (wasm3) saves them first
 * (arch/fpsimd.c). */
#include "wv_asm.h"

.macro save_frame kind
    stp     x0, x1, [sp, #-16]!
    /* The exit's time first, before the frame save: the core gets it as the exit
     * record's cntvct, so a bench VM's figure of the path from here to its handler
     * counts this path too. No ISB: taking the exception is a context synchronization
     * event, so the read cannot be performed before the exception was taken. */
    mrs     x1, cntvct_el0
    mrs     x0, tpidr_el2
    str     x1, [x0, #PCPU_TRAP_CNTVCT]
    ldr     x1, [x0, #PCPU_CURRENT]     /* the vCPU, kept in x1 to the end */
    ldr     x0, [x1, #VCPU_FRAME]
    stp     x2, x3, [x0, #16]
    stp     x4, x5, [x0, #32]
    stp     x6, x7, [x0, #48]
    stp     x8, x9, [x0, #64]
    stp     x10, x11, [x0, #80]
    stp     x12, x13, [x0, #96]
    stp     x14, x15, [x0, #112]
    stp     x16, x17, [x0, #128]
    stp     x18, x19, [x0, #144]
    stp     x20, x21, [x0, #160]
    stp     x22, x23, [x0, #176]
    stp     x24, x25, [x0, #192]
    stp     x26, x27, [x0, #208]
    stp     x28, x29, [x0, #224]
    ldp     x2, x3, [sp], #16           /* the guest's x0 and x1 */
    stp     x2, x3, [x0, #0]
    mrs     x2, elr_el2
    mrs     x3, spsr_el2
    stp     x30, x2, [x0, #240]
    mrs     x2, esr_el2
    stp     x3, x2, [x0, #FRAME_SPSR]
    mrs     x2, far_el2
    mrs     x4, hpfar_el2
    stp     x2, x4, [x0, #FRAME_FAR]
    str     x3, [x1, #VCPU_SPSR]
    mov     x0, x1
    mov     x1, #\kind
    mov     x29, #0
    bl      wv_trap
    b       .
.endm

/* A fault in the hypervisor itself: nothing is resumed, so the registers are free, and
 * the stack may be what faulted (SP_EL2 in a guard page, arch/mmu.c): the panic is
 * printed from this CPU's emergency stack (arch/stack_guard.c), never from SP_EL2, or
 * the first push would fault again, and again. */
.macro el2_fault kind
    mrs     x0, mpidr_el1
    and     x0, x0, #0xff               /* wv_cpu_index(): Aff0 */
    cmp     x0, #WV_MAX_CPUS
    b.hs    .                           /* no emergency stack to run on */
    add     x0, x0, #1
    mov     x1, #WV_EMERGENCY_STACK_SIZE
    ldr     x2, =wv_emergency_stacks
    madd    x0, x0, x1, x2
    mov     sp, x0
    mov     x29, #0
    mov     x0, #\kind
    mrs     x1, esr_el2
    mrs     x2, elr_el2
    mrs     x3, far_el2
    bl      wv_el2_fault
    b       .
.endm

    .section .text
    .balign 2048
    .global wv_el2_vectors
wv_el2_vectors:
    /* current EL, SP0: never used */
    .balign 128
    el2_fault 0
    .balign 128
    el2_fault 1
    .balign 128
    el2_fault 2
    .balign 128
    el2_fault 3
    /* current EL, SPx: a fault in the hypervisor itself */
    .balign 128
    el2_fault 4
    .balign 128
    el2_fault 5
    .balign 128
    el2_fault 6
    .balign 128
    el2_fault 7
    /* lower EL, AArch64 */
    .balign 128
    b       lower_sync
    .balign 128
    b       lower_irq
    .balign 128
    b       lower_fiq
    .balign 128
    b       lower_serror
    /* lower EL, AArch32: guests are AArch64 only (HCR_EL2.RW = 1) */
    .balign 128
    el2_fault 12
    .balign 128
    el2_fault 13
    .balign 128
    el2_fault 14
    .balign 128
    el2_fault 15

lower_sync:
    save_frame TRAP_SYNC_LOWER
lower_irq:
    save_frame TRAP_IRQ_LOWER
lower_fiq:
    save_frame TRAP_FIQ_LOWER
lower_serror:
    save_frame TRAP_SERROR_LOWER

/* void wv_guest_enter(struct wv_vcpu *vcpu) -- noreturn.
 * Resets SP_EL2 to this CPU's stack top, makes the vCPU current, restores its frame and
 * its own SPSR, ERETs. */
    .global wv_guest_enter
wv_guest_enter:
    mrs     x1, tpidr_el2
    ldr     x2, [x1, #PCPU_STACK_TOP]
    mov     sp, x2
    str     x0, [x1, #PCPU_CURRENT]
    /* The vCPU's FP/SIMD state into the registers, if another's (or none) is there
     * (arch/fpsimd.c): after most exits it is already, and one compare says so. x19 is
     * the frame's own, restored below. */
    ldr     x2, [x1, #PCPU_FP_LIVE]
    add     x3, x0, #VCPU_FP
    cmp     x2, x3
    b.eq    1f
    mov     x19, x0
    mov     x0, x3
    bl      wv_fpsimd_own
    mov     x0, x19
1:
    ldr     x3, [x0, #VCPU_SPSR]
    ldr     x0, [x0, #VCPU_FRAME]
    ldp     x30, x2, [x0, #240]
    msr     elr_el2, x2
    msr     spsr_el2, x3
    ldp     x2, x3, [x0, #16]
    ldp     x4, x5, [x0, #32]
    ldp     x6, x7, [x0, #48]
    ldp     x8, x9, [x0, #64]
    ldp     x10, x11, [x0, #80]
    ldp     x12, x13, [x0, #96]
    ldp     x14, x15, [x0, #112]
    ldp     x16, x17, [x0, #128]
    ldp     x18, x19, [x0, #144]
    ldp     x20, x21, [x0, #160]
    ldp     x22, x23, [x0, #176]
    ldp     x24, x25, [x0, #192]
    ldp     x26, x27, [x0, #208]
    ldp     x28, x29, [x0, #224]
    ldp     x0, x1, [x0, #0]
    eret
    dsb     nsh
    isb
