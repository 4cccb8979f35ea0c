/* The EL2 stage-1 translation: an identity map of the low 4 GiB, Device-nGnRnE below RAM
 * and Normal write-back for RAM. The hypervisor runs with the MMU on because real cores
 * fault on unaligned Device accesses and because the allocator's exclusives need Normal
 * memory. Most of it is 1 GiB blocks; the GiB holding the per-CPU stacks goes through a
 * level-2 table, and each stack's 2 MiB slot through a level-3 table whose lowest page is
 * left invalid: the guard that turns a stack overflow into a fault (arch/stack_guard.c). */
#include "wv_arch.h"
#include "wv_asm.h"
#include "wv_board.h"

/* MAIR_EL2 attribute indexes (ARM ARM D17.2.97): 0 = Device-nGnRnE, 1 = Normal WB RA WA. */
#define MAIR_VALUE      (0x00ull | (0xffull << 8))
#define ATTR_DEVICE     (0ull << 2)
#define ATTR_NORMAL     (1ull << 2)
/* VMSAv8-64 descriptors, 4 KiB granule (ARM ARM D8.3.1, D8.3.2): bits [1:0] are 0b01 for a
 * block (levels 1 and 2), 0b11 for a table (levels 0 to 2) and for a page (level 3), 0b00
 * invalid; AF bit 10, SH [9:8], XN bit 54. */
#define DESC_BLOCK      0x1ull
#define DESC_TABLE      0x3ull
#define DESC_PAGE       0x3ull
#define DESC_AF         (1ull << 10)
#define DESC_SH_INNER   (3ull << 8)
#define DESC_XN         (1ull << 54)
#define NORMAL_RAM      (DESC_AF | DESC_SH_INNER | ATTR_NORMAL)

#define ENTRIES         512
#define L1_SHIFT        30      /* a level-1 entry maps 1 GiB (ARM ARM D8.2.7, Table D8-15) */
#define L2_SHIFT        21      /* a level-2 entry 2 MiB */
#define L3_SHIFT        12      /* a level-3 entry 4 KiB */
#define MAPPED_GIBS     4       /* TCR_EL2.T0SZ = 32 below */

_Static_assert(WV_STACK_SLOT == 1u << L2_SHIFT, "a stack slot is one level-2 block");
_Static_assert(WV_STACK_GUARD == 1u << L3_SHIFT, "the guard is one level-3 page");

extern char __stacks_start[];

static uint64_t el2_l1[ENTRIES] __attribute__((aligned(4096)));
static uint64_t el2_l2_stacks[ENTRIES] __attribute__((aligned(4096)));
static uint64_t el2_l3_stacks[WV_MAX_CPUS][ENTRIES] __attribute__((aligned(4096)));

static int in_range(uint64_t a, const struct wv_mem_range *r)
{
    return a >= r->base && a - r->base < r->size;
}

/* One CPU's stack slot: every page Normal RAM but the lowest, the guard. */
static void map_stack_slot(uint64_t *l3, uint64_t slot_pa)
{
    l3[0] = 0;
    for (uint64_t k = 1; k < ENTRIES; k++)
        l3[k] = (slot_pa + (k << L3_SHIFT)) | DESC_PAGE | NORMAL_RAM;
}

/* The GiB at `gib_pa` that holds the stacks (the linker script keeps them in one GiB). */
static void map_stacks_gib(uint64_t gib_pa)
{
    uint64_t stacks = (uint64_t)__stacks_start;
    for (uint64_t j = 0; j < ENTRIES; j++) {
        uint64_t pa = gib_pa + (j << L2_SHIFT);
        uint64_t cpu = (pa - stacks) >> L2_SHIFT;
        if (pa >= stacks && cpu < WV_MAX_CPUS) {
            map_stack_slot(el2_l3_stacks[cpu], pa);
            el2_l2_stacks[j] = (uint64_t)el2_l3_stacks[cpu] | DESC_TABLE;
        } else {
            el2_l2_stacks[j] = pa | DESC_BLOCK | NORMAL_RAM;
        }
    }
}

void wv_mmu_build(void)
{
    uint64_t stacks_gib = (uint64_t)__stacks_start >> L1_SHIFT;
    for (uint64_t i = 0; i < MAPPED_GIBS; i++) {
        uint64_t pa = i << L1_SHIFT;
        if (i == stacks_gib) {
            map_stacks_gib(pa);
            el2_l1[i] = (uint64_t)el2_l2_stacks | DESC_TABLE;
        } else if (in_range(pa, &wv_board.ram)) {
            el2_l1[i] = pa | DESC_BLOCK | NORMAL_RAM;
        } else {
            el2_l1[i] = pa | DESC_BLOCK | DESC_AF | ATTR_DEVICE | DESC_XN;
        }
    }
    dsb(sy);
}

void wv_mmu_enable_cpu(uint32_t cpu)
{
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
