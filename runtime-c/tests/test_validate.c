/* Host tests of the import validators (runtime-c/core/validate.c): the checks that
 * keep a buggy or hostile core module inside the VM it serves. */
#include "wv_validate.h"
#include "wv_board.h"
#include "wv_sysregs.h"
#include <stdio.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static const struct wv_board board = {
    .name = "test", .cpu_count = 4,
    .ram = { 0x40000000ull, 0x40000000ull }, .hyp = { 0x40000000ull, 0x10000000ull },
    .device = { 0, 0x40000000ull }, .uart_pl011 = 0x09000000ull, .uart_intid = 33, .gic_version = 2,
    .gicd = 0x08000000ull, .gicc = 0x08010000ull, .gich = 0x08030000ull, .gicv = 0x08040000ull,
};

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static uint8_t blob[16 + 2 * 640];

static void make_blob(void)
{
    memset(blob, 0, sizeof blob);
    put32(blob, WV_BLOB_MAGIC); put32(blob + 4, 1); put32(blob + 8, 2); put32(blob + 12, sizeof blob);
    for (int i = 0; i < 2; i++) {
        uint8_t *r = blob + 16 + i * 640;
        strcpy((char *)r, i ? "two" : "one");
        put32(r + 16, 1); put32(r + 20, 1); put32(r + 24, 2u << i); put32(r + 28, 1);
        put64(r + 64, 0x40000000ull); put64(r + 72, 0x50000000ull + i * 0x1000000ull);
        put64(r + 80, 0x1000000ull); put32(r + 88, 7);
    }
}

static int parse(const char **err, struct wv_vm_owner *o, uint32_t *n)
{
    return wv_owner_parse(blob, sizeof blob, &board, o, WV_MAX_VMS, n, err);
}

static void test_blob(void)
{
    struct wv_vm_owner o[WV_MAX_VMS];
    uint32_t n;
    const char *err;
    make_blob();
    CHECK(parse(&err, o, &n) == WV_OK && n == 2);
    CHECK(strcmp(o[1].name, "two") == 0 && o[1].regions[0].pa == 0x51000000ull);

    make_blob(); blob[0] ^= 1;
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "magic"));
    make_blob(); put32(blob + 12, 100);
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "total_size"));
    make_blob(); put64(blob + 16 + 640 + 72, 0x50800000ull);       /* overlaps VM one */
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "share physical"));
    make_blob(); put64(blob + 16 + 72, 0x48000000ull);              /* inside the hypervisor */
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "hypervisor"));
    make_blob(); put64(blob + 16 + 72, 0x90000000ull);              /* outside RAM */
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "RAM"));
    make_blob(); put64(blob + 16 + 80, 0x1000001ull);
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "aligned"));
    make_blob(); put32(blob + 16 + 24, 1u << 5);                    /* CPU 5 on a 4-CPU board */
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "CPU"));
    make_blob(); put64(blob + 16 + 80, 0xfffffffffffff000ull);      /* wraps */
    CHECK(parse(&err, o, &n) == WV_EINVAL);
    CHECK(wv_owner_parse(blob, 8, &board, o, WV_MAX_VMS, &n, &err) == WV_EINVAL);
}

static void test_slice(void)
{
    struct wv_vm_owner o[WV_MAX_VMS];
    uint32_t n;
    const char *err;
    make_blob();
    put32(blob + 16 + 60, 20000);
    CHECK(parse(&err, o, &n) == WV_OK && o[0].slice_us == 20000 && o[1].slice_us == 0);
    put32(blob + 16 + 60, 999);
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "slice_us"));
    put32(blob + 16 + 60, 1000001);
    CHECK(parse(&err, o, &n) == WV_EINVAL);
    make_blob();
}

static void test_ipa(void)
{
    struct wv_vm_owner o[WV_MAX_VMS];
    uint32_t n;
    const char *err;
    uint64_t pa = 0;
    make_blob();
    parse(&err, o, &n);
    CHECK(wv_ipa_to_pa(&o[0], 0x40000010ull, 16, &pa) == WV_OK && pa == 0x50000010ull);
    CHECK(wv_ipa_to_pa(&o[0], 0x40fffff0ull, 32, &pa) == WV_ENOTOWNED);    /* runs past the end */
    CHECK(wv_ipa_to_pa(&o[0], 0x3ffffff0ull, 8, &pa) == WV_ENOTOWNED);
    CHECK(wv_ipa_to_pa(&o[0], 0xffffffffffffff00ull, 0x200, &pa) == WV_ENOTOWNED);
}

static void test_s2(void)
{
    struct wv_vm_owner o[WV_MAX_VMS];
    uint32_t n;
    const char *err;
    int kind;
    make_blob();
    parse(&err, o, &n);
    const uint64_t attrs = (0xfull << 2) | (3ull << 6) | (3ull << 8) | (1ull << 10);
    CHECK(wv_check_s2_desc(&o[0], 3, 0x50000000ull | attrs | 3, &kind) == WV_OK && kind == 2);
    CHECK(wv_check_s2_desc(&o[0], 2, 0x50200000ull | attrs | 1, &kind) == WV_OK && kind == 2);
    /* another VM's page, the hypervisor's page, a 1 GiB block larger than the region */
    CHECK(wv_check_s2_desc(&o[0], 3, 0x51000000ull | attrs | 3, &kind) == WV_ENOTOWNED);
    CHECK(wv_check_s2_desc(&o[0], 3, 0x40200000ull | attrs | 3, &kind) == WV_ENOTOWNED);
    CHECK(wv_check_s2_desc(&o[0], 1, 0x40000000ull | attrs | 1, &kind) == WV_ENOTOWNED);
    /* a misaligned block, a page at level 2 typed as block at level 3, stray bits */
    CHECK(wv_check_s2_desc(&o[0], 2, 0x50001000ull | attrs | 1, &kind) == WV_EINVAL);
    CHECK(wv_check_s2_desc(&o[0], 3, 0x50000000ull | attrs | 1, &kind) == WV_EINVAL);
    CHECK(wv_check_s2_desc(&o[0], 3, 0x50000000ull | attrs | (1ull << 60) | 3, &kind) == WV_EINVAL);
    CHECK(wv_check_s2_desc(&o[0], 0, 0x50000000ull | attrs | 3, &kind) == WV_EINVAL);
    /* table descriptors carry a handle and nothing else */
    CHECK(wv_check_s2_desc(&o[0], 1, (5ull << 12) | 3, &kind) == WV_OK && kind == 1);
    CHECK(wv_check_s2_desc(&o[0], 1, (5ull << 12) | (1ull << 63) | 3, &kind) == WV_EINVAL);
    CHECK(wv_check_s2_desc(&o[0], 2, 0, &kind) == WV_OK && kind == 0);
    CHECK(wv_check_s2_desc(&o[0], 2, 0x50000000ull, &kind) == WV_EINVAL);
}

/* Device frames: the GICv2 virtual CPU interface (shared, banked per CPU) and
 * passthrough frames (exclusive, never the hypervisor's own devices). */
/* A passthrough frame goes only to an identity-mapped management VM: put_dev makes its
 * VM one (type 0, its region's IPA its PA). */
static void identity_mvm(int vm)
{
    uint8_t *r = blob + 16 + vm * 640;
    put32(r + 16, 0);
    memcpy(r + 64, r + 72, 8);
}

static void put_dev(int vm, int j, uint32_t kind, uint64_t ipa, uint64_t size, uint64_t pa)
{
    uint8_t *r = blob + 16 + vm * 640;
    put32(r + 32, (uint32_t)j + 1);
    uint8_t *d = r + 320 + j * 32;
    put32(d, kind); put64(d + 8, ipa); put64(d + 16, size); put64(d + 24, pa);
    if (kind == WV_DEV_PASSTHROUGH) identity_mvm(vm);
}

static void test_frames(void)
{
    struct wv_vm_owner o[WV_MAX_VMS];
    uint32_t n;
    const char *err;
    make_blob();
    put_dev(0, 0, 1, 0x09000000ull, 0x1000, 0);                 /* an emulated PL011: no frame */
    put_dev(0, 1, WV_DEV_GICV2_VCPU, 0x08010000ull, 0x2000, 0x08040000ull);
    put_dev(1, 0, WV_DEV_GICV2_VCPU, 0x08010000ull, 0x2000, 0x08040000ull);
    put_dev(1, 1, WV_DEV_PASSTHROUGH, 0x0a000000ull, 0x1000, 0x0a000000ull);
    CHECK(parse(&err, o, &n) == WV_OK && o[0].frame_count == 1 && o[1].frame_count == 2);
    uint64_t dev = 0x08040000ull | (1ull << 2) | (3ull << 6) | (1ull << 10) | (2ull << 53) | 3;
    int kind;
    CHECK(wv_check_s2_desc(&o[0], 3, dev, &kind) == WV_OK && kind == 2);
    /* the same frame as cacheable or executable memory is denied */
    CHECK(wv_check_s2_desc(&o[0], 3, (dev & ~(0xfull << 2)) | (0xfull << 2), &kind) == WV_EDENIED);
    CHECK(wv_check_s2_desc(&o[0], 3, dev & ~(3ull << 53), &kind) == WV_EDENIED);
    CHECK(wv_check_s2_desc(&o[0], 3, dev & ~(2ull << 53), &kind) == WV_EDENIED);
    /* vm 0 does not own vm 1's passthrough frame */
    CHECK(wv_check_s2_desc(&o[0], 3, (dev & ~0xfffff000ull) | 0x0a000000ull, &kind) == WV_ENOTOWNED);
    CHECK(wv_check_s2_desc(&o[1], 3, (dev & ~0xfffff000ull) | 0x0a000000ull, &kind) == WV_OK);

    put_dev(0, 1, WV_DEV_GICV2_VCPU, 0x08010000ull, 0x2000, 0x08030000ull);   /* GICH, not GICV */
    CHECK(parse(&err, o, &n) == WV_EINVAL);
    make_blob();
    put_dev(0, 0, WV_DEV_PASSTHROUGH, 0x09000000ull, 0x1000, 0x09000000ull);  /* the console */
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "hypervisor's devices"));
    make_blob();
    put_dev(0, 0, WV_DEV_PASSTHROUGH, 0x08000000ull, 0x1000, 0x08000000ull);  /* the distributor */
    CHECK(parse(&err, o, &n) == WV_EINVAL);
    make_blob();
    put_dev(0, 0, WV_DEV_PASSTHROUGH, 0x0a000000ull, 0x1000, 0x0a000000ull);
    put_dev(1, 0, WV_DEV_PASSTHROUGH, 0x0b000000ull, 0x2000, 0x0a000000ull);
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "same device frame"));
    make_blob();
    put_dev(0, 0, WV_DEV_PASSTHROUGH, 0x0a000000ull, 0x1000, 0x50000000ull);  /* RAM is no device */
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "device window"));
    make_blob();
    put_dev(0, 0, WV_DEV_PASSTHROUGH, 0x0a000000ull, 0x1800, 0x0a000000ull);
    CHECK(parse(&err, o, &n) == WV_EINVAL);
}

/* Every GIC frame of the board is the hypervisor's, the ITS (or GICv2m) included. */
static void test_frames_gic_msi(void)
{
    struct wv_board its_board = board;
    its_board.gic_msi = (struct wv_mem_range){ 0x08080000ull, 0x20000ull };
    struct wv_vm_owner o[WV_MAX_VMS];
    uint32_t n;
    const char *err;
    const uint64_t at[] = { 0x08080000ull, 0x08090000ull, 0x0809f000ull };
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        make_blob();
        put_dev(0, 0, WV_DEV_PASSTHROUGH, at[k], 0x1000, at[k]);
        CHECK(wv_owner_parse(blob, sizeof blob, &its_board, o, WV_MAX_VMS, &n, &err) == WV_EINVAL
              && strstr(err, "hypervisor's devices"));
    }
    make_blob();
    put_dev(0, 0, WV_DEV_PASSTHROUGH, 0x080a0000ull - 0x1000, 0x2000, 0x080a0000ull - 0x1000);
    CHECK(wv_owner_parse(blob, sizeof blob, &its_board, o, WV_MAX_VMS, &n, &err) == WV_EINVAL);
    make_blob();
    put_dev(0, 0, WV_DEV_PASSTHROUGH, 0x0a000000ull, 0x1000, 0x0a000000ull);
    CHECK(wv_owner_parse(blob, sizeof blob, &its_board, o, WV_MAX_VMS, &n, &err) == WV_OK);
}

/* Passthrough only to a management VM whose every region is identity-mapped: a device
 * doing DMA with guest addresses reaches exactly the VM's memory then. */
static void test_frames_identity_mvm(void)
{
    struct wv_vm_owner o[WV_MAX_VMS];
    uint32_t n;
    const char *err;
    make_blob();
    put_dev(0, 0, WV_DEV_PASSTHROUGH, 0x0a000000ull, 0x1000, 0x0a000000ull);
    CHECK(parse(&err, o, &n) == WV_OK);
    put32(blob + 16 + 16, 1);                                   /* a gvm */
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "identity-mapped mvm"));
    put32(blob + 16 + 16, 2);                                   /* an rtvm */
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "identity-mapped mvm"));
    make_blob();
    put_dev(0, 0, WV_DEV_PASSTHROUGH, 0x0a000000ull, 0x1000, 0x0a000000ull);
    put64(blob + 16 + 64, 0x40000000ull);                       /* IPA no longer its PA */
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "identity-mapped mvm"));
}

/* image_load copies only the images the VM's own record loads. */
static void test_images(void)
{
    struct wv_vm_owner o[WV_MAX_VMS];
    uint32_t n;
    const char *err;
    make_blob();
    put32(blob + 16 + 36, 2); put32(blob + 16 + 576, 0); put32(blob + 16 + 592, 2);
    put32(blob + 16 + 640 + 36, 1); put32(blob + 16 + 640 + 576, 1);
    CHECK(parse(&err, o, &n) == WV_OK);
    CHECK(wv_owner_image(&o[0], 0) && wv_owner_image(&o[0], 2) && !wv_owner_image(&o[0], 1));
    CHECK(wv_owner_image(&o[1], 1) && !wv_owner_image(&o[1], 0) && !wv_owner_image(&o[1], 2));
    put32(blob + 16 + 36, 5);
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "image_count"));
}

/* A region's r/w/x flags bound what stage 2 may allow on it (S2AP, XN). */
static void test_region_flags(void)
{
    struct wv_vm_owner o[WV_MAX_VMS];
    uint32_t n;
    const char *err;
    int kind;
    const uint64_t normal = (0xfull << 2) | (3ull << 8) | (1ull << 10) | 3, rd = 1ull << 6, wr = 1ull << 7;
    const uint64_t xn = 2ull << 53, page = 0x50000000ull;
    make_blob();
    put32(blob + 16 + 88, WV_REGION_R);                          /* read-only, not executable */
    CHECK(parse(&err, o, &n) == WV_OK);
    CHECK(wv_check_s2_desc(&o[0], 3, page | normal | rd | xn, &kind) == WV_OK);
    CHECK(wv_check_s2_desc(&o[0], 3, page | normal | rd | wr | xn, &kind) == WV_EDENIED);
    CHECK(wv_check_s2_desc(&o[0], 3, page | normal | rd, &kind) == WV_EDENIED);
    /* XN 0b11 and 0b01 let EL1 or EL0 execute (FEAT_XNX): not "never". */
    CHECK(wv_check_s2_desc(&o[0], 3, page | normal | rd | (3ull << 53), &kind) == WV_EDENIED);
    CHECK(wv_check_s2_desc(&o[0], 3, page | normal | rd | (1ull << 53), &kind) == WV_EDENIED);
    put32(blob + 16 + 88, WV_REGION_W | WV_REGION_X);            /* no read */
    CHECK(parse(&err, o, &n) == WV_OK);
    CHECK(wv_check_s2_desc(&o[0], 3, page | normal | wr, &kind) == WV_OK);
    CHECK(wv_check_s2_desc(&o[0], 3, page | normal | rd | wr, &kind) == WV_EDENIED);
    put32(blob + 16 + 88, WV_REGION_R | WV_REGION_W | WV_REGION_X);
    CHECK(parse(&err, o, &n) == WV_OK);
    CHECK(wv_check_s2_desc(&o[0], 3, page | normal | rd | wr, &kind) == WV_OK);
}

/* The SPI of a passthrough frame (its irq) is the VM's: lr_write may hand it to the guest
 * with HW = 1 and irq_set may enable, disable and route it. No other SPI is, and no SPI
 * belongs to two VMs. */
static void put_irq(int vm, int j, uint32_t irq)
{
    put32(blob + 16 + vm * 640 + 320 + j * 32 + 4, irq);
}

static void test_spis(void)
{
    struct wv_vm_owner o[WV_MAX_VMS];
    uint32_t n;
    const char *err;
    make_blob();
    put_dev(0, 0, 1, 0x09000000ull, 0x1000, 0);                 /* an emulated PL011 ... */
    put_irq(0, 0, 33);                                          /* ... whose virtual INTID is no SPI of the VM */
    put_dev(0, 1, WV_DEV_PASSTHROUGH, 0x0a003000ull, 0x1000, 0x0a003000ull);
    put_irq(0, 1, 79);
    put_dev(1, 0, WV_DEV_PASSTHROUGH, 0x0a002000ull, 0x1000, 0x0a002000ull);
    put_irq(1, 0, 78);
    put_dev(1, 1, WV_DEV_PASSTHROUGH, 0x0c000000ull, 0x1000, 0x0c000000ull);   /* no interrupt */
    CHECK(parse(&err, o, &n) == WV_OK);
    CHECK(wv_owner_spi(&o[0], 79) && !wv_owner_spi(&o[0], 78) && !wv_owner_spi(&o[0], 33));
    CHECK(wv_owner_spi(&o[1], 78) && !wv_owner_spi(&o[1], 79));
    CHECK(!wv_owner_spi(&o[1], 0));                             /* "none" is nobody's INTID 0 */
    CHECK(!wv_owner_spi(&o[0], 27) && !wv_owner_spi(&o[0], 8)); /* PPIs, SGIs: never by a frame */
    CHECK(!wv_owner_spi(&o[0], 79 + 1024) && !wv_owner_spi(&o[0], 0xffffffffu));
    CHECK(o[0].frame_spi[0] == 79 && o[1].frame_spi[1] == 0);

    /* The GICv2 virtual CPU interface brings no SPI along, whatever its irq field says. */
    make_blob();
    put_dev(0, 0, WV_DEV_GICV2_VCPU, 0x08010000ull, 0x2000, 0x08040000ull);
    put_irq(0, 0, 40);
    CHECK(parse(&err, o, &n) == WV_OK && !wv_owner_spi(&o[0], 40));

    /* Two VMs cannot own one SPI; one VM may name it for two of its frames. */
    make_blob();
    put_dev(0, 0, WV_DEV_PASSTHROUGH, 0x0a003000ull, 0x1000, 0x0a003000ull);
    put_irq(0, 0, 79);
    put_dev(1, 0, WV_DEV_PASSTHROUGH, 0x0a002000ull, 0x1000, 0x0a002000ull);
    put_irq(1, 0, 79);
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "same SPI"));
    make_blob();
    put_dev(0, 0, WV_DEV_PASSTHROUGH, 0x0a003000ull, 0x1000, 0x0a003000ull);
    put_irq(0, 0, 79);
    put_dev(0, 1, WV_DEV_PASSTHROUGH, 0x0a002000ull, 0x1000, 0x0a002000ull);
    put_irq(0, 1, 79);
    CHECK(parse(&err, o, &n) == WV_OK && wv_owner_spi(&o[0], 79));

    /* Only SPIs: an SGI or PPI (the timer's, the kick SGI) or a special INTID is refused. */
    const uint32_t bad[] = { 1, 8, 25, 27, 31, 1020, 1023, 1024, 0x80000000u };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        make_blob();
        put_dev(0, 0, WV_DEV_PASSTHROUGH, 0x0a003000ull, 0x1000, 0x0a003000ull);
        put_irq(0, 0, bad[k]);
        CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "SPI 32..1019"));
    }
    make_blob();
    put_dev(0, 0, WV_DEV_PASSTHROUGH, 0x0a003000ull, 0x1000, 0x0a003000ull);
    put_irq(0, 0, 1019);
    CHECK(parse(&err, o, &n) == WV_OK && wv_owner_spi(&o[0], 1019));
    make_blob();
    put_dev(0, 0, WV_DEV_PASSTHROUGH, 0x0a003000ull, 0x1000, 0x0a003000ull);
    put_irq(0, 0, 32);
    CHECK(parse(&err, o, &n) == WV_OK && wv_owner_spi(&o[0], 32) && !wv_owner_spi(&o[1], 32));

    /* The console UART's SPI is the hypervisor's (console input), whatever frame names it. */
    make_blob();
    put_dev(0, 0, WV_DEV_PASSTHROUGH, 0x0a003000ull, 0x1000, 0x0a003000ull);
    put_irq(0, 0, 33);
    CHECK(parse(&err, o, &n) == WV_EINVAL && strstr(err, "console SPI"));
}

/* Where a VM's SPIs go at boot: its first CPU, the one vcpu_boot gives vCPU 0. */
static void test_first_cpu(void)
{
    struct wv_vm_owner o;
    memset(&o, 0, sizeof o);
    o.pcpu_mask = 0x6;
    CHECK(wv_owner_first_cpu(&o) == 1);
    o.pcpu_mask = 0x1;
    CHECK(wv_owner_first_cpu(&o) == 0);
    o.pcpu_mask = 0x80000000u;
    CHECK(wv_owner_first_cpu(&o) == 31);
    o.pcpu_mask = 0;
    CHECK(wv_owner_first_cpu(&o) == -1);
}

/* Table levels: a level-3 page written into the level-1 root would be read by the MMU
 * as a table descriptor pointing at guest memory. */
static void test_s2_levels(void)
{
    uint8_t lv[8] = { WV_S2_START_LEVEL, 0, 0, 0, 0, 0, 0, 0 };
    CHECK(wv_s2_entry_level_ok(lv, 4, 0, 1) == WV_OK);
    CHECK(wv_s2_entry_level_ok(lv, 4, 0, 3) == WV_EINVAL);     /* the level lie */
    CHECK(wv_s2_entry_level_ok(lv, 4, 0, 2) == WV_EINVAL);
    CHECK(wv_s2_entry_level_ok(lv, 4, 1, 2) == WV_ESTATE);     /* not linked yet */
    CHECK(wv_s2_entry_level_ok(lv, 4, 4, 1) == WV_EINVAL);     /* no such handle */
    CHECK(wv_s2_entry_level_ok(lv, 4, -1, 1) == WV_EINVAL);
    CHECK(wv_s2_link(lv, 4, 0, 1, 1) == WV_OK && lv[1] == 2);
    CHECK(wv_s2_entry_level_ok(lv, 4, 1, 2) == WV_OK);
    CHECK(wv_s2_link(lv, 4, 1, 2, 2) == WV_OK && lv[2] == 3);
    CHECK(wv_s2_link(lv, 4, 2, 3, 3) == WV_EINVAL);            /* level 3 holds no tables */
    CHECK(wv_s2_link(lv, 4, 0, 1, 2) == WV_EINVAL);            /* a level-3 table as level 2 */
    CHECK(wv_s2_link(lv, 4, 0, 1, 1) == WV_OK);                /* relinked at its own level */
    CHECK(wv_s2_link(lv, 4, 1, 2, 0) == WV_EINVAL);            /* the root is nobody's child */
    CHECK(wv_s2_link(lv, 4, 1, 2, 1) == WV_EINVAL);            /* nor its own */
    CHECK(wv_s2_link(lv, 4, 0, 1, 4) == WV_EINVAL);            /* no such handle */
    CHECK(wv_s2_link(lv, 4, 0, 1, 1ull << 33) == WV_EINVAL);
}

static void test_misc(void)
{
    CHECK(wv_sysreg_allowed(WV_SYSREG_SCTLR_EL1));
    CHECK(!wv_sysreg_allowed(0) && !wv_sysreg_allowed(WV_SYSREG_MAX + 1) && !wv_sysreg_allowed(0xffffffffu));
    CHECK(wv_sysreg_allowed(WV_SYSREG_ESR_EL1) && wv_sysreg_exit_only(WV_SYSREG_ESR_EL1));
    CHECK(!wv_sysreg_exit_only(WV_SYSREG_VBAR_EL1) && wv_sysreg_readable(WV_SYSREG_VBAR_EL1));
    CHECK(!wv_sysreg_readable(WV_SYSREG_CNTVOFF_EL2) && !wv_sysreg_readable(WV_SYSREG_VMPIDR_EL2));
    CHECK(!wv_sysreg_readable(0) && !wv_sysreg_readable(WV_SYSREG_MAX + 1));
    CHECK(wv_wasm_range_ok(0, 16, 16) && !wv_wasm_range_ok(1, 16, 16));
    CHECK(!wv_wasm_range_ok(0xffffffffull, 2, 0x10000) && !wv_wasm_range_ok(8, 0xffffffffffffffffull, 16));
}

static void test_spsr(void)
{
    uint64_t out = 0;
    /* NZCV alone: taken, the rest stays the vCPU's (here SS [21] and an AArch32 EL0 mode). */
    CHECK(wv_spsr_from_core(0x00200010ull, 0xf0000000ull | 0x10ull, &out) == WV_OK && out == 0xf0200010ull);
    /* An exception injected at EL1h with DAIF masked, from EL0t. */
    CHECK(wv_spsr_from_core(0x20000000ull, 0x200003c5ull, &out) == WV_OK && out == 0x200003c5ull);
    /* From EL1h to EL1t, EL1h to EL0t. */
    CHECK(wv_spsr_from_core(0x3c5ull, 0x3c4ull, &out) == WV_OK && out == 0x3c4ull);
    CHECK(wv_spsr_from_core(0x3c5ull, 0x0ull, &out) == WV_OK && out == 0x0ull);
    /* EL2t, EL2h, EL3h, AArch32 modes and unknown ones are refused, leaving the vCPU's PSTATE. */
    const uint64_t bad[] = { 0x8, 0x9, 0xd, 0x10, 0x13, 0x1f, 0x2, 0x6 };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(wv_spsr_from_core(0x3c5ull, 0x3c0ull | bad[i], &out) == WV_EDENIED && out == 0x3c5ull);
    }
    /* DAIF alone changing at an allowed mode is taken. */
    CHECK(wv_spsr_from_core(0x5ull, 0x3c5ull, &out) == WV_OK && out == 0x3c5ull);
}

int main(void)
{
    test_spsr();
    test_blob();
    test_slice();
    test_ipa();
    test_s2();
    test_s2_levels();
    test_frames();
    test_frames_gic_msi();
    test_frames_identity_mvm();
    test_images();
    test_region_flags();
    test_spis();
    test_first_cpu();
    test_misc();
    printf("test_validate: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
