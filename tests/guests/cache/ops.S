/* The timed loops of guest-cache (main.c): cache and TLB maintenance as Linux issues
 * it on arm64, each loop one operation class.
 *
 * By virtual address over a buffer, one operation per line, then the barrier that
 * completes them (arch/arm64/mm/cache.S, dcache_by_line_op in asm/assembler.h):
 *   cache_dc_civac   DC CIVAC per line, DSB SY       (dcache_clean_inval_poc)
 *   cache_dc_cvac    DC CVAC per line, DSB SY        (dcache_clean_poc)
 *   cache_dc_ivac    DC IVAC per line, DSB SY        (dcache_inval_poc)
 *   cache_ic_ivau    IC IVAU per line, DSB ISH, ISB  (invalidate_icache_range)
 *   cache_lines      the same line loop with no operation, DSB SY (the loop's cost)
 * each taking (uint64_t rounds, uintptr_t base, uint64_t size, uint64_t line);
 * whole-cache and whole-TLB operations, taking (uint64_t rounds):
 *   cache_ic_iallu   IC IALLU; DSB NSH; ISB          (__flush_icache_all's local form)
 *   cache_tlbi       DSB NSHST; TLBI VMALLE1; DSB NSH; ISB  (local_flush_tlb_all)
 *   cache_tlbi_is    DSB ISHST; TLBI VMALLE1IS; DSB ISH; ISB (flush_tlb_all)
 *   cache_empty      the same loop with no operation
 * rounds, size and line are at least 1, size a multiple of line. */

    .text

/* A function name, the barriers after a round (no commas), then the per-line operation.
 * x0 rounds, x1 base, x2 size, x3 line; x4 the address, x5 the end. */
#define BY_LINE(name, tail, ...)                                               \
    .global name; .type name, %function;                                       \
name:                                                                          \
1:  mov x4, x1; add x5, x1, x2;                                                \
2:  __VA_ARGS__; add x4, x4, x3; cmp x4, x5; b.lo 2b;                          \
    tail; subs x0, x0, #1; b.ne 1b; ret;                                       \
    .size name, . - name

BY_LINE(cache_dc_civac, dsb sy, dc civac, x4)
BY_LINE(cache_dc_cvac, dsb sy, dc cvac, x4)
BY_LINE(cache_dc_ivac, dsb sy, dc ivac, x4)
BY_LINE(cache_ic_ivau, dsb ish; isb, ic ivau, x4)
BY_LINE(cache_lines, dsb sy, nop)

/* A function name, then the round's instructions. x0 rounds. */
#define WHOLE(name, ...)                                                       \
    .global name; .type name, %function;                                       \
name:                                                                          \
1:  __VA_ARGS__; subs x0, x0, #1; b.ne 1b; ret;                                \
    .size name, . - name

WHOLE(cache_ic_iallu, ic iallu; dsb nsh; isb)
WHOLE(cache_tlbi, dsb nshst; tlbi vmalle1; dsb nsh; isb)
WHOLE(cache_tlbi_is, dsb ishst; tlbi vmalle1is; dsb ish; isb)
WHOLE(cache_empty, nop)
