/* What the runtime needs to know about a board: data only (boards/<name>/board.c). */
#ifndef WV_BOARD_H
#define WV_BOARD_H
#include <stdint.h>

struct wv_mem_range {
    uint64_t base;
    uint64_t size;
};

struct wv_board {
    const char *name;
    uint32_t cpu_count;             /* physical CPUs, MPIDR Aff0 = 0..cpu_count-1 */
    struct wv_mem_range ram;        /* all RAM the board has */
    struct wv_mem_range hyp;        /* the part of RAM kept for the hypervisor itself */
    struct wv_mem_range device;     /* MMIO window, mapped Device-nGnRnE at EL2 */
    uint64_t uart_pl011;            /* physical console */
    uint32_t uart_intid;            /* its interrupt (an SPI), routed to CPU 0 for console input; 0: none */
    uint32_t psci_conduit_smc;      /* 1: PSCI calls by SMC, 0: by HVC */
    uint32_t gic_version;           /* 2 or 3 */
    uint64_t gicd;                  /* distributor */
    uint64_t gicr;                  /* GICv3: first redistributor (RD + SGI frames) */
    uint64_t gicr_stride;           /* GICv3: bytes between redistributors */
    uint64_t gicc, gich, gicv;      /* GICv2: CPU interface, hypervisor and virtual CPU interface */
    struct wv_mem_range gic_msi;    /* the GIC's message frames (GICv3 ITS, GICv2m), size 0: none */
};

extern const struct wv_board wv_board;

#endif
