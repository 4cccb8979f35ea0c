/* The EL2 stage-1 translation: an identity map of the low 4 GiB with 1 GiB blocks,
 * Device-nGnRnE below RAM and Normal write-back for RAM. The hypervisor runs with the
 * MMU on because real cores fault on unaligned Device accesses and because the
 * allocator's exclusives need Normal memory. */
#include "wv_arch.h"
#include "wv_board.h"

/* MAIR_EL2 attribute indexes (ARM ARM D17.2.97): 0 = Device-nGnRnE, 1 = Normal WB RA WA. */
#define MAIR_VALUE      (0x00ull | (0xffull << 8))
#define ATTR_DEVICE     (0ull << 2)
#define ATTR_NORMAL     (1ull << 2)
/* Block descriptor (ARM ARM D8.3.1): bit 0 valid, bit 1 = 0 block, AF bit 10, SH [9:8]. */
#define DESC_BLOCK      0x1ull
#define DESC_AF         (1ull << 10)
#define DESC_SH_INNER   (3ull << 8)
#define DESC_XN         (1ull << 54)

static uint64_t el2_l1[512] __attribute__((aligned(4096)));

static int in_range(uint64_t a, const struct wv_mem_range *r)
{
    return a >= r->base && a - r->base < r->size;
}

void wv_mmu_build(void)
{
    for (uint64_t i = 0; i < 4; i++) {
        uint64_t pa = i << 30;
        if (in_range(pa, &wv_board.ram))
            el2_l1[i] = pa | DESC_BLOCK | DESC_AF | DESC_SH_INNER | ATTR_NORMAL;
        else
            el2_l1[i] = pa | DESC_BLOCK | DESC_AF | ATTR_DEVICE | DESC_XN;
    }
    dsb(sy);
}

void wv_mmu_enable_cpu(uint32_t cpu)
{
    (void)cpu;
    if (cpu == 0) wv_mmu_build();
    uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
    if (parange > 5) parange = 5;
    /* TCR_EL2 (ARM ARM D17.2.131): T0SZ = 32 (4 GiB, walk starts at level 1),
     * IRGN0/ORGN0 = WB RA WA, SH0 inner, TG0 4 KiB, PS = the CPU's PA range, RES1 bits 23, 31. */
    uint64_t tcr = 32 | (1ull << 8) | (1ull << 10) | (3ull << 12) | (parange << 16)
                 | (1ull << 23) | (1ull << 31);
    write_sysreg(mair_el2, MAIR_VALUE);
    write_sysreg(tcr_el2, tcr);
    write_sysreg(ttbr0_el2, (uint64_t)el2_l1);
    isb();
    __asm__ volatile("tlbi alle2" ::: "memory");
    dsb(sy);
    isb();
    /* SCTLR_EL2 (ARM ARM D17.2.119): M, C, I on; A (alignment) off; RES1 bits. */
    uint64_t sctlr = (1ull << 0) | (1ull << 2) | (1ull << 12) | 0x30c50830ull;
    write_sysreg(sctlr_el2, sctlr);
    isb();
}
