/* 32-bit MMIO accessors for emulated devices.
 *
 * An access to an emulated device faults at stage 2 and the hypervisor emulates it
 * from the syndrome it gets in ESR_EL2. The syndrome describes the access
 * (ISV = 1: size, register, direction) only for a single load or store of a
 * general-purpose register without writeback (ARM ARM, ESR_EL2, "ISS encoding for
 * an exception from a Data Abort"). A plain C volatile access leaves the choice of
 * instruction to the compiler (it may pick a writeback or pair form), so these
 * accessors fix the instruction: LDR/STR Wt, [Xn]. */
#ifndef WV_GUEST_MMIO_H
#define WV_GUEST_MMIO_H

#include <stdint.h>

static inline uint32_t mmio_read32(uintptr_t addr)
{
    uint32_t v;
    __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
    __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

#endif
