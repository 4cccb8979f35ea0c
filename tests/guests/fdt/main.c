/* guest-fdt: a program built for QEMU's virt machine as its -kernel loader expects
 * (hw/arm/boot.c in QEMU 7.2), to show that a VM boots it the same way. The raw form
 * (guest-fdt.bin) is linked at RAM + 0x80000 (0x40080000), where QEMU loads a raw
 * -kernel binary; the ELF form (guest-fdt-elf.elf) 2 MiB into RAM, leaving the start
 * of RAM to the device tree (QEMU virt's takes 1 MiB there).
 *
 * Finds the device tree where QEMU hands it over: x0 for a raw binary (QEMU's boot
 * stub passes it there), the start of RAM for an ELF (QEMU enters an ELF with x0 = 0
 * and puts the device tree at the base of RAM). Checks the FDT magic, walks the
 * structure block (Devicetree Specification 0.4, chapter 5) to /chosen, prints its
 * bootargs and linux,initrd-start/end, checks the initrd's first bytes, and prints
 * READY fdt. */
#include <stdint.h>
#include "exception.h"
#include "print.h"
#include "uart.h"

#define VIRT_RAM_BASE   0x40000000ul    /* QEMU virt's memmap[VIRT_MEM].base */

/* Devicetree Specification 0.4, 5.2 (header) and 5.4 (structure block tokens). */
#define FDT_MAGIC       0xd00dfeedu
#define FDT_OFF_MAGIC   0x00u
#define FDT_OFF_TOTAL   0x04u
#define FDT_OFF_STRUCT  0x08u
#define FDT_OFF_STRINGS 0x0cu
#define FDT_BEGIN_NODE  0x1u
#define FDT_END_NODE    0x2u
#define FDT_PROP        0x3u
#define FDT_NOP         0x4u
#define FDT_END         0x9u

/* What the initrd of vmconfigs/qemu-kernel.json (fdt/initrd.txt) starts with. */
static const char INITRD_MAGIC[] = "WVINITRD";

/* The device tree is big-endian; byte loads need no alignment (MMU off: Device memory). */
static uint32_t be32(uint64_t a)
{
    const volatile uint8_t *p = (const volatile uint8_t *)a;
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t align4(uint64_t v) { return (v + 3u) & ~3ull; }

static int str_eq(uint64_t a, const char *s)
{
    const volatile char *p = (const volatile char *)a;
    while (*s && *p == *s) { p++; s++; }
    return *p == *s;
}

static uint64_t str_len(uint64_t a)
{
    const volatile char *p = (const volatile char *)a;
    uint64_t n = 0;
    while (p[n]) n++;
    return n;
}

/* A cell value of 4 or 8 bytes (the initrd properties may be either). */
static uint64_t cells(uint64_t a, uint32_t len)
{
    return len == 8 ? ((uint64_t)be32(a) << 32) | be32(a + 4) : be32(a);
}

static void __attribute__((noreturn)) stop(void)
{
    uart_puts("guest stopped (wfe loop)\n");
    for (;;) __asm__ volatile("wfe");
}

void guest_main(void)
{
    uint64_t fdt = wv_boot_x0 ? wv_boot_x0 : VIRT_RAM_BASE;
    uart_puts("fdt: at ");
    print_hex(fdt);
    uart_puts(wv_boot_x0 ? " (x0)\n" : " (start of RAM, x0 = 0)\n");
    uint32_t magic = be32(fdt + FDT_OFF_MAGIC);
    if (magic != FDT_MAGIC) {
        uart_puts("fdt: ERROR magic ");
        print_hex(magic);
        uart_puts(", not 0xd00dfeed\n");
        stop();
    }
    uint64_t end = fdt + be32(fdt + FDT_OFF_TOTAL);
    uint64_t p = fdt + be32(fdt + FDT_OFF_STRUCT);
    uint64_t strings = fdt + be32(fdt + FDT_OFF_STRINGS);

    /* depth counts open nodes: the root is depth 1, /chosen's properties are read at depth 2. */
    int depth = 0, in_chosen = 0, found_chosen = 0, have_args = 0;
    uint64_t args = 0, initrd_start = 0, initrd_end = 0;
    int have_start = 0, have_end = 0;
    while (p < end) {
        uint32_t tok = be32(p);
        p += 4;
        if (tok == FDT_BEGIN_NODE) {
            depth++;
            if (depth == 2 && str_eq(p, "chosen")) in_chosen = found_chosen = 1;
            p = align4(p + str_len(p) + 1);
        } else if (tok == FDT_END_NODE) {
            if (depth == 2) in_chosen = 0;
            depth--;
        } else if (tok == FDT_PROP) {
            uint32_t len = be32(p), nameoff = be32(p + 4);
            uint64_t val = p + 8, name = strings + nameoff;
            if (in_chosen && depth == 2) {
                if (str_eq(name, "bootargs")) { args = val; have_args = 1; }
                else if (str_eq(name, "linux,initrd-start")) { initrd_start = cells(val, len); have_start = 1; }
                else if (str_eq(name, "linux,initrd-end")) { initrd_end = cells(val, len); have_end = 1; }
            }
            p = align4(val + len);
        } else if (tok == FDT_NOP) {
            continue;
        } else if (tok == FDT_END) {
            break;
        } else {
            uart_puts("fdt: ERROR token ");
            print_hex(tok);
            uart_puts(" at ");
            print_hex(p - 4);
            uart_puts("\n");
            stop();
        }
    }
    if (!found_chosen) {
        uart_puts("fdt: ERROR no /chosen node\n");
        stop();
    }
    uart_puts("chosen: bootargs \"");
    if (have_args) uart_puts((const char *)args);
    uart_puts("\"\n");
    if (have_start && have_end) {
        uart_puts("chosen: initrd ");
        print_hex(initrd_start);
        uart_puts("..");
        print_hex(initrd_end);
        uart_puts("\n");
        const volatile char *d = (const volatile char *)initrd_start;
        int ok = initrd_end - initrd_start >= sizeof INITRD_MAGIC - 1;
        for (unsigned i = 0; ok && i < sizeof INITRD_MAGIC - 1; i++) ok = d[i] == INITRD_MAGIC[i];
        uart_puts(ok ? "initrd: starts with WVINITRD\n" : "initrd: ERROR does not start with WVINITRD\n");
    } else {
        uart_puts("chosen: no initrd\n");
    }
    uart_puts("READY fdt\n");
    stop();
}
