/* Ownership checks behind every effectful host import. Pure functions with no
 * hardware access, so they build and are tested on the host (runtime-c/tests). */
#ifndef WV_VALIDATE_H
#define WV_VALIDATE_H
#include <stdint.h>
#include <stddef.h>
#include "wv_vm.h"

/* Errors returned to the core (docs/abi.md, section 2). */
#define WV_OK               0
#define WV_EINVAL          -1
#define WV_ENOTOWNED       -2
#define WV_ENOMEM          -3
#define WV_EDENIED         -4
#define WV_ESTATE          -5

/* Config blob, docs/abi.md section 1. */
#define WV_BLOB_MAGIC       0x46435657u
#define WV_BLOB_VERSION     1u
#define WV_BLOB_HEADER      16u
#define WV_BLOB_VM_RECORD   640u
/* A VM's time slice where its vCPUs share a CPU (record offset 60, 0 = the default). */
#define WV_SLICE_US_DEFAULT 10000u
#define WV_SLICE_US_MIN     1000u
#define WV_SLICE_US_MAX     1000000u

struct wv_mem_range;
struct wv_board;

/* Parses the ownership part of the config blob into owners[0..*count).
 * Checks: header, sizes, counts, 4 KiB alignment, no wrap-around, every region inside
 * the board's RAM and outside the hypervisor's part of it, no two regions (of any VMs)
 * sharing a physical page, CPU masks inside the board's CPUs; device frames (kind 5:
 * exactly the board's GICv2 virtual CPU interface; kind 6: a passthrough frame inside
 * the board's device window, clear of the hypervisor's own devices and of every GIC
 * frame, the ITS included, and of every other VM's passthrough frames, its irq 0 or an
 * SPI no other VM owns, given only to a management VM whose every region is
 * identity-mapped: without an SMMU a device that does DMA sees physical addresses),
 * at most 4 images. On failure returns WV_EINVAL and sets *err. */
int wv_owner_parse(const uint8_t *blob, size_t len, const struct wv_board *board,
                   struct wv_vm_owner *owners, uint32_t max, uint32_t *count,
                   const char **err);

/* Device kinds of the blob that map a physical frame (docs/abi.md 1). */
#define WV_DEV_GICV2_VCPU   5u
#define WV_DEV_PASSTHROUGH  6u
#define WV_GICV2_VCPU_SIZE  0x2000ull

/* SPIs (GICv3 spec 2.2.1): the interrupts a passthrough frame may bring along. */
#define WV_SPI_FIRST        32u
#define WV_SPI_LAST         1019u

/* 1 when physical INTID `intid` is the SPI of one of the VM's passthrough frames (the
 * blob's irq of a kind-6 device): the only SPIs a VM owns. wv_owner_parse refuses an
 * irq outside 0 and 32..1019 and an SPI two VMs would own. */
int wv_owner_spi(const struct wv_vm_owner *o, uint32_t intid);

/* 1 when the VM's record loads image `image` of the image table (its image[] entries). */
int wv_owner_image(const struct wv_vm_owner *o, uint32_t image);

/* Region flags (config blob, docs/abi.md 1): what stage 2 may allow on a region. */
#define WV_REGION_R         1u
#define WV_REGION_W         2u
#define WV_REGION_X         4u

/* The VM's first physical CPU (lowest bit of its mask; the CPU of vCPU 0), or -1. */
int wv_owner_first_cpu(const struct wv_vm_owner *o);

/* The physical address of [ipa, ipa+len) if it lies within one region, else WV_ENOTOWNED. */
int wv_ipa_to_pa(const struct wv_vm_owner *o, uint64_t ipa, uint64_t len, uint64_t *pa);

/* Stage-2 descriptor check (ARM ARM D8.3): level 1..3; a block/page must map a range
 * inside one of the VM's regions and carry only the attribute bits we allow, and no
 * access its region's flags lack (read, write: S2AP; execute: XN), else WV_EDENIED.
 * *kind is set to 1 for a table descriptor (then the OA field is a table handle),
 * 2 for a block/page, 0 for an invalid (unmapping) entry. */
int wv_check_s2_desc(const struct wv_vm_owner *o, uint32_t level, uint64_t desc, int *kind);

/* Stage-2 table levels, per table handle: 0 while a table is not linked into the tree
 * yet, else the lookup level its entries are read at (the root: WV_S2_START_LEVEL).
 * The core states a level with every entry it writes; the runtime holds it to the
 * level the table really has, because a descriptor valid at one level means something
 * else at another (a level-3 page is a table descriptor at level 1 or 2, which would let
 * a guest-owned page act as a translation table: ARM ARM D8.3.1). */
#define WV_S2_START_LEVEL   1u
/* May an entry of table `table` be written as a level-`level` entry? */
int wv_s2_entry_level_ok(const uint8_t *levels, uint32_t count, int32_t table, uint32_t level);
/* May table handle `child` become the next-level table of a level-`level` table?
 * On success its level is recorded in levels[child]. */
int wv_s2_link(uint8_t *levels, uint32_t count, int32_t table, uint32_t level, uint64_t child);

/* 1 when the core may set this EL1 register of a vCPU (wv_sysregs.h ids). */
int wv_sysreg_allowed(uint32_t id);
/* 1 when the core may read this register (of the vCPU whose exit it handles). */
int wv_sysreg_readable(uint32_t id);
/* 1 for the exception-state registers, which the core sets only for the exiting vCPU. */
int wv_sysreg_exit_only(uint32_t id);
/* The PSTATE a vCPU resumes with after an exit, from the one it trapped with (`before`)
 * and the one the core left in the exit record (`core`): NZCV always the core's; M[4:0]
 * and DAIF the core's only when they are unchanged or name EL1h, EL1t or EL0t in AArch64
 * (an injected exception); every other bit the vCPU's own. WV_OK, or WV_EDENIED (and
 * `*out` = before) for any other mode. */
int wv_spsr_from_core(uint64_t before, uint64_t core, uint64_t *out);

/* Bounds of a Wasm memory access: [off, off+len) inside a memory of `size` bytes. */
static inline int wv_wasm_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

#endif
