/* Loads and stores of 1, 2, 4 or 8 bytes with a fixed instruction form: a single
 * LDR(B/H/SB/SH/SW)/STR(B/H) without writeback, the forms whose stage-2 abort syndrome
 * carries the access (ISV = 1; ARM ARM D17.2.37, "ISS encoding for an exception from a
 * Data Abort"). The sign-extending loads exercise the syndrome's SSE and SF bits. The
 * address must be aligned to the width: with the MMU off every access is Device memory,
 * where an unaligned one takes an alignment fault (ARM ARM B2.5.2). */
#ifndef FUZZ_ACCESS_H
#define FUZZ_ACCESS_H
#include <stdint.h>

static inline uint64_t access_read(uintptr_t a, uint32_t bytes, int sign)
{
    uint64_t v;
    switch (bytes) {
    case 1:
        if (sign) __asm__ volatile("ldrsb %0, [%1]" : "=r"(v) : "r"(a) : "memory");
        else      __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
        break;
    case 2:
        if (sign) __asm__ volatile("ldrsh %0, [%1]" : "=r"(v) : "r"(a) : "memory");
        else      __asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
        break;
    case 4:
        if (sign) __asm__ volatile("ldrsw %0, [%1]" : "=r"(v) : "r"(a) : "memory");
        else      __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
        break;
    default:
        __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
        break;
    }
    return v;
}

static inline void access_write(uintptr_t a, uint32_t bytes, uint64_t v)
{
    switch (bytes) {
    case 1:  __asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(a) : "memory"); break;
    case 2:  __asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(a) : "memory"); break;
    case 4:  __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory"); break;
    default: __asm__ volatile("str %0, [%1]" : : "r"(v), "r"(a) : "memory"); break;
    }
}

#endif
