/* SGI games on the vCPU's own redistributor and CPU interface: SGIs to itself, to CPUs
 * the VM lacks and to all but itself (IRM), SGIs made active or inactive by hand
 * (GICR_ISACTIVER0 / ICACTIVER0, GICv3 spec 12.11), random priorities, and nested
 * acknowledgements (ICC_IAR1_EL1 read again while earlier ones are still active) ended
 * in order, out of order or not at all. What stays active is cleaned up by the next
 * wait (fuzz_gic_tidy). */
#include "fuzz.h"
#include "actions.h"
#include "gic.h"
#include "mmio.h"

#define SGI_ALL_MASK        0xffffu
#define NEST_MAX            6u
/* ICC_SGI1R_EL1 (GICv3 spec 12.2.24): INTID [27:24], IRM [40]. */
#define SGIR_INTID_SHIFT    24
#define SGIR_IRM            (1ull << 40)
#define SGIR_TARGETS_MASK   0xffffu

static void send(uint32_t intid, uint64_t targets_or_irm)
{
    __asm__ volatile("dsb ishst" : : : "memory");
    SYSREG_WRITE(icc_sgi1r_el1, ((uint64_t)intid << SGIR_INTID_SHIFT) | targets_or_irm);
    isb();
}

uint32_t act_sgi(struct prng *r)
{
    uintptr_t rd = gicr_of(fuzz_cpu());
    uint32_t me = 1u << fuzz_cpu();
    switch (prng_below(r, 6)) {
    case 0: {
        /* A burst to itself: the SGIs of one draw, then some more. */
        uint32_t set = (uint32_t)prng_next(r) & SGI_ALL_MASK, n = 0;
        for (uint32_t i = 0; i < GIC_SGI_COUNT; i++)
            if (set & (1u << i)) { send(i, me); n++; }
        return n;
    }
    case 1:
        /* To CPUs the VM lacks, or to every other vCPU. */
        send(prng_below(r, GIC_SGI_COUNT), prng_below(r, 2) ? SGIR_IRM
             : ((uint64_t)prng_next(r) & SGIR_TARGETS_MASK & ~((1ull << fuzz_vcpus) - 1u)));
        return 1;
    case 2:
        mmio_write32(rd + GICR_ISACTIVER0, (uint32_t)prng_next(r) & SGI_ALL_MASK);
        return 1;
    case 3:
        mmio_write32(rd + GICR_ICACTIVER0, (uint32_t)prng_next(r) & SGI_ALL_MASK);
        return 1;
    case 4: {
        /* Random priorities for four SGIs: byte writes to GICR_IPRIORITYR<n>. */
        uint32_t word = prng_below(r, GIC_SGI_COUNT / 4u);
        mmio_write32(rd + GICR_IPRIORITYR0 + word * 4u, (uint32_t)prng_next(r));
        return 1;
    }
    default: {
        /* Nested acknowledgements of SGIs sent to itself. */
        uint32_t iars[NEST_MAX], n = 0, sent = 1u + prng_below(r, NEST_MAX);
        for (uint32_t i = 0; i < sent; i++)
            send(1u + prng_below(r, GIC_SGI_COUNT - 1u), me);
        for (uint32_t i = 0; i < NEST_MAX; i++) {
            uint32_t iar = (uint32_t)SYSREG_READ(icc_iar1_el1);
            if ((iar & GIC_INTID_MASK) >= GIC_INTID_SPECIAL_FIRST)
                break;
            iars[n++] = iar;
        }
        fuzz_count.irqs += n;
        /* 0: oldest first, against the priority-drop order (GICv3 spec 4.1.1: an EOI drops
         * the running priority of the most recent acknowledgement); 1: newest first, the
         * architected order; 2: left active. */
        uint32_t how = prng_below(r, 3);
        if (how == 0)
            for (uint32_t i = 0; i < n; i++) SYSREG_WRITE(icc_eoir1_el1, iars[i]);
        else if (how == 1)
            for (uint32_t i = n; i-- > 0;) SYSREG_WRITE(icc_eoir1_el1, iars[i]);
        isb();
        return sent;
    }
    }
}
