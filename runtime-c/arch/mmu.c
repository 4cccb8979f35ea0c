/* The EL2 stage-1 translation: an identity map of the low 4 GiB, Device-nGnRnE below RAM
 * and Normal write-back for RAM. The hypervisor runs with the MMU on because real cores
 * fault on unaligned Device accesses and because the allocator's exclusives need Normal
 * memory. Most of it is 1 GiB blocks; the GiB holding the per-CPU stacks goes through a
 * level-2 table, and each stack's 2 MiB slot through a level-3 table whose lowest page is
 * left invalid: the guard that turns a stack overflow into a fault (arch/stack_guard.c).
 * The native-code area (wasmvisor.lds, wv_native_area.h) lies in the same GiB; its 2 MiB
 * slots go through level-3 tables whose pages all start invalid, so the area is reachable
 * only through the pages the native-part loader maps, each W^X (wv_mmu_native_set). */
#include "wv_arch.h"
#include "wv_asm.h"
#include "wv_board.h"
#include "wv_native_area.h"

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
/* Stage 1 data access permissions (ARM ARM D8.4.1): AP[2], bit 7, makes a page read-only;
 * AP[1], bit 6, is set as the EL2 regime (one privilege level) has it RES1. Execute-never
 * (D8.4.2): XN, bit 54, the EL2 regime's only one. */
#define DESC_AP_RO      (1ull << 7)
#define DESC_AP1        (1ull << 6)
#define NORMAL_RAM      (DESC_AF | DESC_SH_INNER | ATTR_NORMAL)

#define ENTRIES         512
#define L1_SHIFT        30      /* a level-1 entry maps 1 GiB (ARM ARM D8.2.7, Table D8-15) */
#define L2_SHIFT        21      /* a level-2 entry 2 MiB */
#define L3_SHIFT        12      /* a level-3 entry 4 KiB */
#define MAPPED_GIBS     4       /* TCR_EL2.T0SZ = 32 below */

_Static_assert(WV_STACK_SLOT == 1u << L2_SHIFT, "a stack slot is one level-2 block");
_Static_assert(WV_STACK_GUARD == 1u << L3_SHIFT, "the guard is one level-3 page");

extern char __stacks_start[], __native_start[], __native_end[];

#define NATIVE_SLOTS    (WV_NATIVE_AREA_SIZE >> L2_SHIFT)
_Static_assert(WV_NATIVE_AREA_SIZE % (1u << L2_SHIFT) == 0, "the native-code area is whole level-2 slots");

static uint64_t el2_l1[ENTRIES] __attribute__((aligned(4096)));
static uint64_t el2_l2_stacks[ENTRIES] __attribute__((aligned(4096)));
static uint64_t el2_l3_stacks[WV_MAX_CPUS][ENTRIES] __attribute__((aligned(4096)));
static uint64_t el2_l3_native[NATIVE_SLOTS][ENTRIES] __attribute__((aligned(4096)));

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
        uint64_t native = (pa - (uint64_t)__native_start) >> L2_SHIFT;
        if (pa >= (uint64_t)__native_start && native < NATIVE_SLOTS) {
            for (uint64_t k = 0; k < ENTRIES; k++) el2_l3_native[native][k] = 0;
            el2_l2_stacks[j] = (uint64_t)el2_l3_native[native] | DESC_TABLE;
        } else if (pa >= stacks && cpu < WV_MAX_CPUS) {
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

static uint64_t native_attrs(enum wv_native_prot prot)
{
    switch (prot) {
    case WV_NATIVE_PROT_RW: return DESC_PAGE | NORMAL_RAM | DESC_AP1 | DESC_XN;
    case WV_NATIVE_PROT_RX: return DESC_PAGE | NORMAL_RAM | DESC_AP1 | DESC_AP_RO;
    case WV_NATIVE_PROT_R:  return DESC_PAGE | NORMAL_RAM | DESC_AP1 | DESC_AP_RO | DESC_XN;
    default:                return 0;
    }
}

/* Give the pages [va, va + pages * 4 KiB) of the native-code area the protection `prot`,
 * break-before-make (ARM ARM D8.14, "Translation table maintenance": an entry is made
 * invalid and its TLB entries invalidated before another valid entry replaces it):
 * every entry written 0; DSB ISHST so the walkers of every CPU see that; TLBI VAE2IS per
 * page (EL2 regime, by VA, inner shareable: every CPU's TLB); DSB ISH to wait for it;
 * then the new entries, DSB ISHST, and ISB so this CPU's next access uses them. */
int wv_mmu_native_set(uint64_t va, uint64_t pages, enum wv_native_prot prot)
{
    uint64_t start = (uint64_t)__native_start, end = (uint64_t)__native_end;
    if (va % (1ull << L3_SHIFT) || va < start || va > end || pages > (end - va) >> L3_SHIFT) return -1;
    uint64_t *entries = &el2_l3_native[0][0] + ((va - start) >> L3_SHIFT);
    for (uint64_t k = 0; k < pages; k++) entries[k] = 0;
    dsb(ishst);
    for (uint64_t k = 0; k < pages; k++)
        __asm__ volatile("tlbi vae2is, %0" : : "r"((va >> L3_SHIFT) + k) : "memory");
    dsb(ish);
    uint64_t attrs = native_attrs(prot);
    if (attrs) {
        for (uint64_t k = 0; k < pages; k++) entries[k] = (va + (k << L3_SHIFT)) | attrs;
        dsb(ishst);
    }
    isb();
    return 0;
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
