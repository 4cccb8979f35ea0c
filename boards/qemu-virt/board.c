/* QEMU `virt` with virtualization=on (hw/arm/virt.c memory map). */
#include "wv_board.h"

const struct wv_board wv_board = {
    .name = "qemu-virt",
    .cpu_count = 4,
    /* -m 1024: RAM starts at 1 GiB. */
    .ram = { .base = 0x40000000ull, .size = 0x40000000ull },
    /* The first 256 MiB hold the image, stacks, the heap and page-table pages;
     * VM memory regions are carved from the rest by vmconfigs/. */
    .hyp = { .base = 0x40000000ull, .size = 0x10000000ull },
    .device = { .base = 0x00000000ull, .size = 0x40000000ull },
    .uart_pl011 = 0x09000000ull,
    .uart_intid = 33,               /* VIRT_UART: SPI 1 */
    /* With EL2 present QEMU's PSCI firmware answers SMC. */
    .psci_conduit_smc = 1,
    /* gic-version=3: VIRT_GIC_DIST, VIRT_GIC_REDIST (two 64 KiB frames per CPU). */
    .gic_version = 3,
    .gicd = 0x08000000ull,
    .gicr = 0x080a0000ull,
    .gicr_stride = 0x20000ull,
    /* VIRT_GIC_ITS: control frame and translation frame, 64 KiB each (GICv3 spec 12.19). */
    .gic_msi = { .base = 0x08080000ull, .size = 0x20000ull },
};
