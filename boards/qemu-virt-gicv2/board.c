/* QEMU `virt` with virtualization=on and gic-version=2: the GICv2 (GIC-400-like)
 * variant of boards/qemu-virt, the interrupt controller the Raspberry Pi 4 has
 * (hw/arm/virt.c memory map: VIRT_GIC_DIST, _CPU, _HYP, _VCPU). */
#include "wv_board.h"

const struct wv_board wv_board = {
    .name = "qemu-virt-gicv2",
    .cpu_count = 4,
    .ram = { .base = 0x40000000ull, .size = 0x40000000ull },
    .hyp = { .base = 0x40000000ull, .size = 0x10000000ull },
    .device = { .base = 0x00000000ull, .size = 0x40000000ull },
    .uart_pl011 = 0x09000000ull,
    .uart_intid = 33,               /* VIRT_UART: SPI 1 */
    .psci_conduit_smc = 1,
    .gic_version = 2,
    .gicd = 0x08000000ull,
    .gicc = 0x08010000ull,
    .gich = 0x08030000ull,
    .gicv = 0x08040000ull,
    /* VIRT_GIC_V2M: the MSI frame beside a GICv2. */
    .gic_msi = { .base = 0x08020000ull, .size = 0x1000ull },
};
