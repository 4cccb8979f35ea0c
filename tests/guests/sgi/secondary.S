/* vCPU 1 of the SGI guest: the IRQ vectors (common/irq_vectors.S), then sgi_secondary_main. */
#include "secondary_entry.inc"
    secondary_entry sgi_secondary_entry, irq_vectors, sgi_secondary_main
