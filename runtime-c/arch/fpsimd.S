/* Save and load a vCPU's FP/SIMD state (FPSR, FPCR, Q0-Q31; ARM ARM C5.2.7, C5.2.8, and
 * A1.4 for the register file) to and from its frame. Only arch/fpsimd.c calls these:
 * the trap path itself never touches FP/SIMD registers (docs/abi.md, "FP/SIMD"). */
#include "wv_asm.h"

/* void wv_fpsimd_store(struct wv_fp_regs *fp) */
    .global wv_fpsimd_store
wv_fpsimd_store:
    mrs     x1, fpsr
    mrs     x2, fpcr
    stp     x1, x2, [x0, #FP_FPSR]
    add     x1, x0, #FP_Q0
    stp     q0, q1, [x1, #0]
    stp     q2, q3, [x1, #32]
    stp     q4, q5, [x1, #64]
    stp     q6, q7, [x1, #96]
    stp     q8, q9, [x1, #128]
    stp     q10, q11, [x1, #160]
    stp     q12, q13, [x1, #192]
    stp     q14, q15, [x1, #224]
    stp     q16, q17, [x1, #256]
    stp     q18, q19, [x1, #288]
    stp     q20, q21, [x1, #320]
    stp     q22, q23, [x1, #352]
    stp     q24, q25, [x1, #384]
    stp     q26, q27, [x1, #416]
    stp     q28, q29, [x1, #448]
    stp     q30, q31, [x1, #480]
    ret

/* void wv_fpsimd_load(const struct wv_fp_regs *fp) */
    .global wv_fpsimd_load
wv_fpsimd_load:
    add     x1, x0, #FP_Q0
    ldp     q0, q1, [x1, #0]
    ldp     q2, q3, [x1, #32]
    ldp     q4, q5, [x1, #64]
    ldp     q6, q7, [x1, #96]
    ldp     q8, q9, [x1, #128]
    ldp     q10, q11, [x1, #160]
    ldp     q12, q13, [x1, #192]
    ldp     q14, q15, [x1, #224]
    ldp     q16, q17, [x1, #256]
    ldp     q18, q19, [x1, #288]
    ldp     q20, q21, [x1, #320]
    ldp     q22, q23, [x1, #352]
    ldp     q24, q25, [x1, #384]
    ldp     q26, q27, [x1, #416]
    ldp     q28, q29, [x1, #448]
    ldp     q30, q31, [x1, #480]
    ldp     x1, x2, [x0, #FP_FPSR]
    msr     fpsr, x1
    msr     fpcr, x2
    ret
