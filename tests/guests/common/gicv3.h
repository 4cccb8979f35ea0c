/* The GICv3 set-up steps the interrupt-driven guests (rt/, sgi/) share: the
 * distributor and redistributor addresses of the QEMU-virt-like machine a VM sees,
 * the registers they touch, and the steps that poll a bit until it clears. */
#ifndef WV_GUEST_GICV3_H
#define WV_GUEST_GICV3_H
#include <stdint.h>

#define GICD_BASE               0x08000000ul
#define GICR_BASE               0x080a0000ul    /* vCPU 0's RD frame */
#define GICR_STRIDE             0x20000ul       /* RD + SGI frames per vCPU */

/* Distributor (GICv3 spec, "The GIC Distributor register map"). GICD_CTLR has two
 * layouts that agree on the bits used here: with a single Security state (DS = 1,
 * what a VM normally sees) bit 4 is ARE and bit 1 EnableGrp1; in the Non-secure view
 * of a GIC with two Security states bit 4 is ARE_NS and bit 1 EnableGrp1A. */
#define GICD_CTLR               0x0000u
#define GICD_CTLR_ENABLE_GRP1   (1u << 1)
#define GICD_CTLR_ARE           (1u << 4)
#define GICD_CTLR_RWP           (1u << 31)      /* a write to CTLR is still in progress */
/* Redistributor: RD_base frame, then the SGI_base frame 64 KiB above it (GICv3 spec,
 * "The GIC Redistributor register map"). */
#define GICR_WAKER                 0x0014u
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_SGI_FRAME             0x10000u
#define GICR_IGROUPR0              (GICR_SGI_FRAME + 0x0080u)
#define GICR_ISENABLER0            (GICR_SGI_FRAME + 0x0100u)
#define GICR_ISPENDR0              (GICR_SGI_FRAME + 0x0200u)
#define GICR_IPRIORITYR0           (GICR_SGI_FRAME + 0x0400u)   /* one byte per INTID */

/* Prints `<tag>: ERROR <what> reads 0x<value>, <expected>`; nothing when tag is 0. */
void gic3_report(const char *tag, const char *what, uint64_t value, const char *expected);
/* Polls `addr` until the bits in `mask` read 0, at most `wait_ticks` counter ticks.
 * Returns the last value read (mask bits still set: timed out). */
uint32_t gic3_wait_clear(uintptr_t addr, uint32_t mask, uint64_t wait_ticks);
/* GICD_CTLR: ARE, then ARE + EnableGrp1, waiting for RWP after each (GICv3 spec,
 * GICD_CTLR). 1 when it reads back as wanted, else 0 (reported under `tag`). */
int gic3_dist_enable(const char *tag, uint64_t wait_ticks);
/* Clear ProcessorSleep of the redistributor at `rd` and wait for ChildrenAsleep to read
 * 0 (GICv3 spec, GICR_WAKER). 1 when it did, else 0 (reported under `tag`). */
int gic3_redist_wake(const char *tag, uintptr_t rd, uint64_t wait_ticks);

#endif
