/* Constants shared by assembly and C. */
#ifndef WV_ASM_H
#define WV_ASM_H

#define WV_MAX_CPUS     8

/* Each CPU's EL2 stack fills one 2 MiB-aligned slot whose lowest 4 KiB page is left
 * unmapped (arch/mmu.c): a guard, so that an overflow faults instead of running into the
 * next CPU's stack. The size is what wasm3's deepest call nesting needs (docs/architecture.md,
 * "The EL2 stacks"). */
#define WV_STACK_SLOT   0x200000
#define WV_STACK_GUARD  0x1000
#define WV_STACK_SIZE   (WV_STACK_SLOT - WV_STACK_GUARD)
/* Where an EL2 exception taken on a broken stack prints its panic (arch/vectors.S). */
#define WV_EMERGENCY_STACK_SIZE 0x2000

/* struct wv_vcpu_regs (wv_vcpu.h), byte offsets: the exit record's first 288 bytes
 * (docs/abi.md 2) */
#define FRAME_X0        0
#define FRAME_PC        248
#define FRAME_SPSR      256
#define FRAME_ESR       264
#define FRAME_FAR       272
#define FRAME_HPFAR     280
#define FRAME_SIZE      288

/* struct wv_fp_regs (wv_vcpu.h), byte offsets */
#define FP_FPSR         0
#define FP_FPCR         8
#define FP_Q0           16      /* q0..q31, 16 bytes each */
#define FP_SIZE         (16 + 512)

/* struct wv_vcpu (wv_vcpu.h), byte offsets of what vectors.S reads */
#define VCPU_FRAME      0       /* struct wv_vcpu_regs *: where its registers are saved */
#define VCPU_SPSR       8       /* uint64_t: the PSTATE it resumes with */
#define VCPU_FP         16      /* struct wv_fp_regs */

/* struct wv_pcpu, byte offsets */
#define PCPU_STACK_TOP  0
#define PCPU_CURRENT    8       /* struct wv_vcpu *: the vCPU in the guest, or entering it */
#define PCPU_NATIVE_DEPTH 16    /* uint32_t; WV_NATIVE_PCPU_DEPTH in wv_native_abi.h */
#define PCPU_FP_LIVE    24      /* struct wv_fp_regs *: whose FP/SIMD state is in the registers */
#define PCPU_TRAP_CNTVCT 32     /* uint64_t: CNTVCT_EL0 at the vector of the trap being handled */

/* trap kinds passed to wv_trap() */
#define TRAP_SYNC_LOWER     0
#define TRAP_IRQ_LOWER      1
#define TRAP_FIQ_LOWER      2
#define TRAP_SERROR_LOWER   3

#endif
