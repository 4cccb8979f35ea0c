/* Random-width accesses all over the VM's emulated devices, and at the edges of its
 * memory. Device accesses exit (stage 2 does not map the emulated frames); RAM
 * accesses do not. */
#include "fuzz.h"
#include "actions.h"
#include "access.h"
#include "gic.h"
#include "uart.h"

#define UART_SIZE           0x1000u
#define VIRTIO_SIZE         0x200u
/* Where the registers are: most draws land in a frame's first 4 KiB (the register
 * maps of GICv3 spec 12.8 / 12.10 and the PL011 TRM), the rest anywhere in it. */
#define REG_AREA            0x1000u
/* UARTDR takes printable bytes only: the console line is the VM's, and the lines the
 * tests read must stay readable (a stray byte lands mid-line at worst). */
#define PRINTABLE_FIRST     0x20u
#define PRINTABLE_COUNT     0x5fu

static uint32_t width(struct prng *r)
{
    return 1u << prng_below(r, 4);
}

/* Offset `o` in a frame of `size` bytes, aligned down to `bytes`. */
static uintptr_t offset_in(struct prng *r, uint32_t size, uint32_t bytes)
{
    uint32_t o = prng_below(r, 4) ? prng_below(r, size < REG_AREA ? size : REG_AREA) : prng_below(r, size);
    return o & ~(uintptr_t)(bytes - 1u);
}

static void poke(struct prng *r, uintptr_t base, uint32_t size)
{
    uint32_t bytes = width(r);
    uintptr_t a = base + offset_in(r, size, bytes);
    if (prng_below(r, 2))
        (void)access_read(a, bytes, (int)prng_below(r, 2));
    else
        access_write(a, bytes, prng_next(r));
}

uint32_t act_device(struct prng *r)
{
    switch (prng_below(r, fuzz_par.virtio_ipa ? 5 : 4)) {
    case 0:
        poke(r, GICD_BASE, GICD_SIZE);
        return 1;
    case 1: {
        /* Any vCPU's redistributor, RD or SGI frame. */
        uintptr_t rd = gicr_of(prng_below(r, fuzz_vcpus)) + (prng_below(r, 2) ? GICR_SGI_FRAME : 0);
        poke(r, rd, GICR_SGI_FRAME);
        return 1;
    }
    case 2: {
        uint32_t bytes = width(r);
        uintptr_t a = WV_UART_BASE + offset_in(r, UART_SIZE, bytes);
        if (a - WV_UART_BASE < sizeof(uint64_t) && !prng_below(r, 2)) {
            uint32_t c = PRINTABLE_FIRST + prng_below(r, PRINTABLE_COUNT);
            access_write(WV_UART_BASE + WV_UARTDR, 1, c);
            uart_dirty = 1;
        } else if (prng_below(r, 2) || a - WV_UART_BASE < sizeof(uint64_t)) {
            (void)access_read(a, bytes, 0);
        } else {
            access_write(a, bytes, prng_next(r));
        }
        return 1;
    }
    case 3: {
        /* The PL011 receive side: UARTDR reads take bytes nobody typed. */
        (void)access_read(WV_UART_BASE + WV_UARTDR, 4, 0);
        return 1;
    }
    default:
        poke(r, fuzz_par.virtio_ipa, VIRTIO_SIZE);
        return 1;
    }
}

/* The VM's RAM edges. The image starts at the first byte: there a read and the same
 * value written back. The last bytes are free: anything goes. Outside: the bytes just
 * below and just above, only with FUZZ_FLAG_OUTSIDE_MEMORY. */
uint32_t act_memory_edge(struct prng *r)
{
    uint32_t bytes = width(r);
    uintptr_t base = fuzz_par.mem_base, end = fuzz_par.mem_base + fuzz_par.mem_size;
    uint32_t choices = (fuzz_par.flags & FUZZ_FLAG_OUTSIDE_MEMORY) ? 4 : 2;
    switch (prng_below(r, choices)) {
    case 0: {
        uintptr_t a = base + (prng_below(r, 4) * bytes);
        access_write(a, bytes, access_read(a, bytes, 0));
        return 0;
    }
    case 1: {
        uintptr_t a = end - bytes * (1u + prng_below(r, 4));
        if (prng_below(r, 2)) access_write(a, bytes, prng_next(r));
        else (void)access_read(a, bytes, 0);
        return 0;
    }
    case 2: {
        uintptr_t a = base - bytes;
        if (prng_below(r, 2)) access_write(a, bytes, prng_next(r));
        else (void)access_read(a, bytes, 0);
        return 1;
    }
    default: {
        uintptr_t a = end + bytes * prng_below(r, 4);
        if (prng_below(r, 2)) access_write(a, bytes, prng_next(r));
        else (void)access_read(a, bytes, 0);
        return 1;
    }
    }
}
