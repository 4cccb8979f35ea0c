/* Ownership checks for the host imports: see wv_validate.h. */
#include "wv_validate.h"
#include "wv_board.h"
#include "wv_sysregs.h"
#include <string.h>

#define PAGE 0x1000ull
#define WV_VM_TYPE_MVM      0u      /* record offset 16: 0 = mvm */
#define REC_IMAGE_COUNT     36u
#define REC_IMAGES          576u    /* image[4], 16 bytes each: u32 image_index first */
#define REC_IMAGE_SIZE      16u

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static int inside(uint64_t base, uint64_t size, const struct wv_mem_range *r)
{
    return base >= r->base && size <= r->size && base - r->base <= r->size - size;
}

static int overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
    return a < b + bs && b < a + as;
}

/* The hypervisor's own MMIO: never mapped into a VM. */
static int hyp_device(const struct wv_board *b, uint64_t pa, uint64_t size)
{
    /* Every GIC frame: the ITS too, whose translation register would let a device's
     * owner raise any LPI (GICv3 spec 12.19, GITS_TRANSLATER). */
    const uint64_t ranges[][2] = {
        { b->uart_pl011, PAGE }, { b->gicd, 0x10000 }, { b->gicc, 0x2000 }, { b->gich, 0x2000 },
        { b->gicr, (uint64_t)b->cpu_count * b->gicr_stride }, { b->gic_msi.base, b->gic_msi.size },
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (ranges[i][0] && ranges[i][1] && overlaps(pa, size, ranges[i][0], ranges[i][1])) return 1;
    return 0;
}

/* Passthrough goes to a management VM whose RAM is identity-mapped (IPA = PA) only:
 * with no SMMU a device that does DMA is handed guest addresses and uses them as
 * physical ones, so any other layout would let it reach memory the VM does not own. */
static int identity_mvm(const struct wv_vm_owner *o)
{
    if (o->type != WV_VM_TYPE_MVM) return 0;
    for (uint32_t j = 0; j < o->region_count; j++)
        if (o->regions[j].ipa != o->regions[j].pa) return 0;
    return 1;
}

static const char *parse_frames(const uint8_t *r, uint32_t devices, const struct wv_board *b,
                                struct wv_vm_owner *owners, uint32_t i)
{
    struct wv_vm_owner *o = &owners[i];
    for (uint32_t j = 0; j < devices; j++) {
        const uint8_t *d = r + 320 + j * 32;
        uint32_t kind = rd32(d);
        if (kind != WV_DEV_GICV2_VCPU && kind != WV_DEV_PASSTHROUGH) continue;
        struct wv_region *f = &o->frames[o->frame_count++];
        f->ipa = rd64(d + 8); f->size = rd64(d + 16); f->pa = rd64(d + 24); f->flags = kind;
        if ((f->ipa | f->pa | f->size) & (PAGE - 1) || f->size == 0 || f->pa + f->size < f->pa
            || f->ipa + f->size < f->ipa)
            return "config blob: device frame not 4 KiB aligned, empty or wrapping";
        if (kind == WV_DEV_GICV2_VCPU) {
            if (b->gic_version != 2 || f->pa != b->gicv || f->size != WV_GICV2_VCPU_SIZE)
                return "config blob: GICv2 CPU interface frame is not the board's GICV";
            continue;
        }
        uint32_t spi = rd32(d + 4);
        if (spi != 0 && (spi < WV_SPI_FIRST || spi > WV_SPI_LAST))
            return "config blob: passthrough irq must be 0 (none) or an SPI 32..1019";
        if (spi && spi == b->uart_intid) return "config blob: passthrough irq is the hypervisor's console SPI";
        for (uint32_t v = 0; spi && v < i; v++)
            if (wv_owner_spi(&owners[v], spi)) return "config blob: two VMs own the same SPI";
        o->frame_spi[o->frame_count - 1] = spi;
        if (!inside(f->pa, f->size, &b->device)) return "config blob: passthrough frame outside the board's device window";
        if (!identity_mvm(o)) return "config blob: passthrough frame given to a VM that is not an identity-mapped mvm";
        if (hyp_device(b, f->pa, f->size) || (b->gicv && overlaps(f->pa, f->size, b->gicv, WV_GICV2_VCPU_SIZE)))
            return "config blob: passthrough frame overlaps the hypervisor's devices";
        for (uint32_t v = 0; v <= i; v++)
            for (uint32_t k = 0; k < (v == i ? o->frame_count - 1 : owners[v].frame_count); k++)
                if (owners[v].frames[k].flags == WV_DEV_PASSTHROUGH
                    && overlaps(f->pa, f->size, owners[v].frames[k].pa, owners[v].frames[k].size))
                    return "config blob: two VMs pass through the same device frame";
    }
    return 0;
}

int wv_owner_parse(const uint8_t *blob, size_t len, const struct wv_board *board,
                   struct wv_vm_owner *owners, uint32_t max, uint32_t *count,
                   const char **err)
{
    const struct wv_mem_range *ram = &board->ram, *reserved = &board->hyp;
    uint32_t cpu_count = board->cpu_count;
    *count = 0;
    if (!blob || len < WV_BLOB_HEADER) { *err = "config blob shorter than its header"; return WV_EINVAL; }
    if (rd32(blob) != WV_BLOB_MAGIC) { *err = "config blob: bad magic"; return WV_EINVAL; }
    if (rd32(blob + 4) != WV_BLOB_VERSION) { *err = "config blob: unsupported version"; return WV_EINVAL; }
    uint32_t n = rd32(blob + 8), total = rd32(blob + 12);
    if (n == 0 || n > max) { *err = "config blob: vm_count out of range"; return WV_EINVAL; }
    if (total > len || total < WV_BLOB_HEADER + (uint64_t)n * WV_BLOB_VM_RECORD) {
        *err = "config blob: total_size does not hold its VM records"; return WV_EINVAL;
    }
    uint32_t cpu_all = cpu_count >= 32 ? 0xffffffffu : ((1u << cpu_count) - 1);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *r = blob + WV_BLOB_HEADER + i * WV_BLOB_VM_RECORD;
        struct wv_vm_owner *o = &owners[i];
        memset(o, 0, sizeof *o);
        memcpy(o->name, r, 15);
        o->name[15] = 0;
        if (o->name[0] == 0) { *err = "config blob: VM without a name"; return WV_EINVAL; }
        o->type = rd32(r + 16);
        o->vcpu_count = rd32(r + 20);
        o->pcpu_mask = rd32(r + 24);
        o->region_count = rd32(r + 28);
        o->slice_us = rd32(r + 60);
        o->flags = rd32(r + 56);
        uint32_t devices = rd32(r + 32);
        if (o->type > 2) { *err = "config blob: unknown VM type"; return WV_EINVAL; }
        if (o->slice_us && (o->slice_us < WV_SLICE_US_MIN || o->slice_us > WV_SLICE_US_MAX)) {
            *err = "config blob: slice_us outside 1000..1000000"; return WV_EINVAL;
        }
        if (o->vcpu_count == 0 || o->vcpu_count > WV_MAX_VCPUS) { *err = "config blob: vcpu_count out of range"; return WV_EINVAL; }
        if (o->pcpu_mask == 0 || (o->pcpu_mask & ~cpu_all)) { *err = "config blob: pcpu_mask names a CPU the board lacks"; return WV_EINVAL; }
        if (o->region_count == 0 || o->region_count > WV_MAX_REGIONS) { *err = "config blob: region_count out of range"; return WV_EINVAL; }
        if (devices > WV_MAX_DEVICES) { *err = "config blob: device_count out of range"; return WV_EINVAL; }
        for (uint32_t j = 0; j < o->region_count; j++) {
            const uint8_t *g = r + 64 + j * 32;
            struct wv_region *reg = &o->regions[j];
            reg->ipa = rd64(g); reg->pa = rd64(g + 8); reg->size = rd64(g + 16); reg->flags = rd32(g + 24);
            if ((reg->ipa | reg->pa | reg->size) & (PAGE - 1) || reg->size == 0) {
                *err = "config blob: region not 4 KiB aligned or empty"; return WV_EINVAL;
            }
            if (reg->ipa + reg->size < reg->ipa || reg->pa + reg->size < reg->pa) {
                *err = "config blob: region wraps around"; return WV_EINVAL;
            }
            if (!inside(reg->pa, reg->size, ram)) { *err = "config blob: region outside the board's RAM"; return WV_EINVAL; }
            if (overlaps(reg->pa, reg->size, reserved->base, reserved->size)) {
                *err = "config blob: region overlaps the hypervisor's memory"; return WV_EINVAL;
            }
            for (uint32_t k = 0; k < j; k++)
                if (overlaps(reg->ipa, reg->size, o->regions[k].ipa, o->regions[k].size)) {
                    *err = "config blob: regions of one VM overlap in IPA space"; return WV_EINVAL;
                }
            for (uint32_t v = 0; v <= i; v++)
                for (uint32_t k = 0; k < (v == i ? j : owners[v].region_count); k++)
                    if (overlaps(reg->pa, reg->size, owners[v].regions[k].pa, owners[v].regions[k].size)) {
                        *err = "config blob: two regions share physical memory"; return WV_EINVAL;
                    }
        }
        o->image_count = rd32(r + REC_IMAGE_COUNT);
        if (o->image_count > WV_MAX_IMAGES) { *err = "config blob: image_count out of range"; return WV_EINVAL; }
        for (uint32_t j = 0; j < o->image_count; j++) o->images[j] = rd32(r + REC_IMAGES + j * REC_IMAGE_SIZE);
        const char *e = parse_frames(r, devices, board, owners, i);
        if (e) { *err = e; return WV_EINVAL; }
    }
    *count = n;
    *err = 0;
    return WV_OK;
}

int wv_owner_spi(const struct wv_vm_owner *o, uint32_t intid)
{
    if (intid < WV_SPI_FIRST || intid > WV_SPI_LAST) return 0;
    for (uint32_t j = 0; j < o->frame_count && j < WV_MAX_DEVICES; j++)
        if (o->frames[j].flags == WV_DEV_PASSTHROUGH && o->frame_spi[j] == intid) return 1;
    return 0;
}

int wv_owner_image(const struct wv_vm_owner *o, uint32_t image)
{
    for (uint32_t j = 0; j < o->image_count && j < WV_MAX_IMAGES; j++)
        if (o->images[j] == image) return 1;
    return 0;
}

int wv_owner_first_cpu(const struct wv_vm_owner *o)
{
    for (uint32_t cpu = 0; cpu < 32; cpu++)
        if ((o->pcpu_mask >> cpu) & 1) return (int)cpu;
    return -1;
}

int wv_ipa_to_pa(const struct wv_vm_owner *o, uint64_t ipa, uint64_t len, uint64_t *pa)
{
    for (uint32_t j = 0; j < o->region_count; j++) {
        const struct wv_region *r = &o->regions[j];
        if (ipa >= r->ipa && len <= r->size && ipa - r->ipa <= r->size - len) {
            *pa = r->pa + (ipa - r->ipa);
            return WV_OK;
        }
    }
    return WV_ENOTOWNED;
}

/* Stage-2 block/page descriptor fields (ARM ARM D8.3.2, D8.5.5):
 * [5:2] MemAttr, [7:6] S2AP, [9:8] SH, [10] AF, [47:n] OA, [54:53] XN[1:0]. */
#define S2_LOWER_ATTRS  0x7fcull                    /* bits 2..10 */
#define S2_XN           (3ull << 53)
/* XN[1:0] = 0b10: executable at neither EL1 nor EL0. With FEAT_XNX 0b11 lets EL1 execute
 * and 0b01 lets EL0 (ARM ARM D8.4.2, stage 2 execute-never), so only 0b10 is "never". */
#define S2_XN_NEVER     (2ull << 53)
#define S2AP_READ       (1ull << 6)             /* S2AP [7:6]: bit 6 read, bit 7 write */
#define S2AP_WRITE      (1ull << 7)
#define S2_OA_MASK      0x0000fffffffff000ull
#define S2_MEMATTR      (0xfull << 2)
#define S2_MEMATTR_DEVICE_NGNRE (0x1ull << 2)     /* MemAttr 0b0001 (ARM ARM D8.5.5) */

int wv_check_s2_desc(const struct wv_vm_owner *o, uint32_t level, uint64_t desc, int *kind)
{
    *kind = 0;
    if (level < 1 || level > 3) return WV_EINVAL;
    if ((desc & 1) == 0) return desc == 0 ? WV_OK : WV_EINVAL;   /* invalid entries must be 0 */
    uint32_t type = (uint32_t)(desc & 3);
    if (type == 3 && level < 3) {
        /* table descriptor: the OA field holds a table handle; nothing else allowed */
        if (desc & ~(S2_OA_MASK | 3ull)) return WV_EINVAL;
        *kind = 1;
        return WV_OK;
    }
    if ((type == 1 && level == 3) || (type == 3 && level != 3)) return WV_EINVAL;
    uint64_t size = level == 1 ? (1ull << 30) : level == 2 ? (1ull << 21) : PAGE;
    uint64_t oa = desc & S2_OA_MASK;
    if (oa & (size - 1)) return WV_EINVAL;
    if (desc & ~(S2_OA_MASK | S2_LOWER_ATTRS | S2_XN | 3ull)) return WV_EINVAL;
    for (uint32_t j = 0; j < o->region_count; j++) {
        const struct wv_region *r = &o->regions[j];
        if (oa >= r->pa && size <= r->size && oa - r->pa <= r->size - size) {
            /* No more access than the config gives the region (docs/abi.md 1, its flags). */
            if ((desc & S2AP_READ) && !(r->flags & WV_REGION_R)) return WV_EDENIED;
            if ((desc & S2AP_WRITE) && !(r->flags & WV_REGION_W)) return WV_EDENIED;
            if ((desc & S2_XN) != S2_XN_NEVER && !(r->flags & WV_REGION_X)) return WV_EDENIED;
            *kind = 2;
            return WV_OK;
        }
    }
    /* A device frame only as Device memory, never executable: a guest must not be able
     * to make a device's registers cacheable or run code from them. */
    for (uint32_t j = 0; j < o->frame_count; j++) {
        const struct wv_region *f = &o->frames[j];
        if (oa >= f->pa && size <= f->size && oa - f->pa <= f->size - size) {
            if ((desc & S2_MEMATTR) != S2_MEMATTR_DEVICE_NGNRE || (desc & S2_XN) != S2_XN_NEVER) return WV_EDENIED;
            *kind = 2;
            return WV_OK;
        }
    }
    return WV_ENOTOWNED;
}

int wv_s2_entry_level_ok(const uint8_t *levels, uint32_t count, int32_t table, uint32_t level)
{
    if (table < 0 || (uint32_t)table >= count) return WV_EINVAL;
    if (levels[table] == 0) return WV_ESTATE;          /* not linked into the tree yet */
    return levels[table] == level ? WV_OK : WV_EINVAL;
}

int wv_s2_link(uint8_t *levels, uint32_t count, int32_t table, uint32_t level, uint64_t child)
{
    if (level >= 3 || child == 0 || child >= count || child == (uint64_t)table) return WV_EINVAL;
    /* A table keeps the level it was first linked at (no table serves two levels). */
    if (levels[child] != 0 && levels[child] != level + 1) return WV_EINVAL;
    levels[child] = (uint8_t)(level + 1);
    return WV_OK;
}

int wv_sysreg_allowed(uint32_t id)
{
    return id >= 1 && id <= WV_SYSREG_MAX;
}

int wv_sysreg_exit_only(uint32_t id)
{
    return id >= WV_SYSREG_ELR_EL1 && id <= WV_SYSREG_FAR_EL1;
}

int wv_sysreg_readable(uint32_t id)
{
    return id == WV_SYSREG_SCTLR_EL1 || id == WV_SYSREG_VBAR_EL1 || id == WV_SYSREG_SP_EL1
        || wv_sysreg_exit_only(id);
}

/* PSTATE fields as SPSR_EL2 holds them (ARM ARM C5.2.19 SPSR_EL2). */
#define SPSR_NZCV       0xf0000000ull
#define SPSR_DAIF       (0xfull << 6)
#define SPSR_M          0x1full         /* M[4] AArch32, M[3:0] the mode */
#define SPSR_M_EL0T     0x0ull
#define SPSR_M_EL1T     0x4ull
#define SPSR_M_EL1H     0x5ull

int wv_spsr_from_core(uint64_t before, uint64_t core, uint64_t *out)
{
    uint64_t nzcv = (before & ~SPSR_NZCV) | (core & SPSR_NZCV);
    uint64_t m = core & SPSR_M, changing = SPSR_M | SPSR_DAIF;
    *out = nzcv;
    if ((core & changing) == (before & changing)) return WV_OK;
    /* Never EL2 (that would hand the guest the hypervisor's own level), nor AArch32. */
    if (m != SPSR_M_EL0T && m != SPSR_M_EL1T && m != SPSR_M_EL1H) return WV_EDENIED;
    *out = (nzcv & ~changing) | (core & changing);
    return WV_OK;
}
