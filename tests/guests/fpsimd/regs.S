/* Fill and check every FP/SIMD register (V0-V31, ARM ARM A1.4), FPCR and FPSR (C5.2.7,
 * C5.2.8) with a pattern drawn from a seed: register i holds lo = seed ^ (i * 0x0101..01)
 * in its low half and ~lo in its high half. The C between a fill and its check is built
 * with general registers only, so whatever changed a register in between was not this
 * guest. */

/* void fp_fill(uint64_t seed, uint64_t fpcr, uint64_t fpsr) */
    .global fp_fill
fp_fill:
    msr     fpcr, x1
    msr     fpsr, x2
    mov     x3, #0x0101010101010101
    mov     x4, #0                  /* i * 0x0101..01 */
    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    eor     x5, x0, x4
    mvn     x6, x5
    fmov    d\i, x5
    mov     v\i\().d[1], x6
    add     x4, x4, x3
    .endr
    ret

/* uint64_t fp_check(uint64_t seed, uint64_t fpcr, uint64_t fpsr): 0 when every register
 * holds what fp_fill put there, else 1 + the first wrong V register's number, 33 for
 * FPCR, 34 for FPSR. */
    .global fp_check
fp_check:
    mov     x3, #0x0101010101010101
    mov     x4, #0
    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    eor     x5, x0, x4
    mvn     x6, x5
    fmov    x7, d\i
    mov     x8, v\i\().d[1]
    cmp     x7, x5
    ccmp    x8, x6, #0, eq
    b.ne    1f
    add     x4, x4, x3
    .endr
    mrs     x7, fpcr
    cmp     x7, x1
    b.ne    2f
    mrs     x7, fpsr
    cmp     x7, x2
    b.ne    3f
    mov     x0, #0
    ret
1:  /* x4 = i * 0x0101..01 for the wrong register i: its low byte is i */
    and     x4, x4, #0xff
    add     x0, x4, #1
    ret
2:  mov     x0, #33
    ret
3:  mov     x0, #34
    ret
