/* Cache maintenance by VA on odd addresses of the VM's own memory: DC CIVAC, CVAC,
 * IVAC and IC IVAU take any address in a cache line (ARM ARM C5.3, "A64 cache
 * maintenance instructions": the line containing the address). None traps (HCR_EL2.TPCP
 * and TPU are clear); with stage 2 on, DC IVAC at EL1 cleans too (ARM ARM D7.4.9), so
 * nothing the guest wrote is lost. Outside the VM's memory only with the flag: there
 * the maintenance takes a stage-2 fault like an access. */
#include "fuzz.h"
#include "actions.h"

static uintptr_t odd_address(struct prng *r)
{
    uintptr_t base = fuzz_par.mem_base, size = fuzz_par.mem_size;
    if ((fuzz_par.flags & FUZZ_FLAG_OUTSIDE_MEMORY) && prng_below(r, 8) == 0)
        return prng_below(r, 2) ? base - 1u - prng_below(r, 64) : base + size + prng_below(r, 64);
    switch (prng_below(r, 3)) {
    case 0:  return base + prng_below(r, 64);                   /* the first line */
    case 1:  return base + size - 1u - prng_below(r, 64);       /* the last line */
    default: return base + prng_below(r, (uint32_t)size);       /* anywhere */
    }
}

uint32_t act_cache(struct prng *r)
{
    uintptr_t a = odd_address(r);
    int outside = a < fuzz_par.mem_base || a >= fuzz_par.mem_base + fuzz_par.mem_size;
    switch (prng_below(r, 4)) {
    case 0:  __asm__ volatile("dc civac, %0" : : "r"(a) : "memory"); break;
    case 1:  __asm__ volatile("dc cvac, %0" : : "r"(a) : "memory"); break;
    case 2:  __asm__ volatile("dc ivac, %0" : : "r"(a) : "memory"); break;
    default: __asm__ volatile("ic ivau, %0" : : "r"(a) : "memory"); break;
    }
    __asm__ volatile("dsb ish\n\tisb" : : : "memory");
    return outside ? 1u : 0u;
}
