/* The physical interrupt controller (mechanism only: which interrupts a VM sees and
 * when is decided by the core's vGIC, docs/abi.md section 4). */
#ifndef WV_GIC_H
#define WV_GIC_H
#include <stdint.h>

#define GIC_SPURIOUS        1020u
#define WV_KICK_SGI         8u      /* makes a CPU leave its guest (docs/abi.md 4) */
#define PPI_MAINTENANCE     25u     /* GICv3 spec 12.1.2: ICH maintenance interrupt */
#define PPI_VTIMER          27u     /* EL1 virtual timer (ARM ARM D11.2.4) */
#define PPI_PTIMER          30u     /* EL1 physical timer (ARM ARM D11.2.4): the guest's too */
#define PPI_HYP_TIMER       26u     /* EL2 physical timer: the scheduler's tick */

/* Physical priorities (lower is more urgent; GICv3 spec 4.8, GICv2 spec 3.3). Every
 * interrupt gets PRIO_DEFAULT but the scheduler's tick, which outranks them all: when
 * several are pending the GIC hands out the most urgent first (the lowest INTID among
 * equals), so at equal priority a maintenance interrupt (PPI 25) that fired without end
 * would be acknowledged before the tick (PPI 26) every time, and a VM sharing the CPU
 * would never be scheduled again. */
#define WV_GIC_PRIO_DEFAULT 0xa0u
#define WV_GIC_PRIO_TICK    0x80u
#define WV_GIC_PRIO_PER_REG 4u      /* GICD/GICR_IPRIORITYR<n>: a byte per INTID */

/* The GICD/GICR_IPRIORITYR<n> word of the banked INTIDs first..first+3 (first a multiple of 4). */
static inline uint32_t wv_gic_private_prio_word(uint32_t first)
{
    uint32_t word = 0;
    for (uint32_t k = 0; k < WV_GIC_PRIO_PER_REG; k++)
        word |= (first + k == PPI_HYP_TIMER ? WV_GIC_PRIO_TICK : WV_GIC_PRIO_DEFAULT) << (8 * k);
    return word;
}

/* The list-register format the runtime and the core exchange, whatever the GIC:
 * ICH_LR<n>_EL2 (GICv3 spec 12.5.8). */
#define WV_LR_EOI           (1ull << 41)     /* HW = 0: maintenance interrupt on deactivation */
#define WV_LR_GROUP         (1ull << 60)
#define WV_LR_HW            (1ull << 61)
#define WV_LR_PINTID(v)     ((uint32_t)(((v) >> 32) & 0x1fff))
#define WV_LR_STATE(v)      ((uint32_t)((v) >> 62))

void wv_gic_init_dist(void);            /* boot CPU, once */
void wv_gic_init_cpu(uint32_t cpu);     /* every CPU */
uint32_t wv_gic_ack(void);              /* acknowledge + priority drop; GIC_SPURIOUS if none */
void wv_gic_deactivate(uint32_t intid);
void wv_gic_send_sgi(uint32_t cpu, uint32_t sgi);
void wv_gic_spi_set(uint32_t intid, uint32_t cpu, int enable);
void wv_gic_ppi_set(uint32_t intid, int enable);   /* an SGI/PPI of this CPU */
/* Reset this CPU's virtual CPU interface for a vCPU starting afresh: list registers
 * empty (a hardware interrupt still listed is deactivated), ICH_HCR = En, ICH_VMCR = 0. */
void wv_gic_vcpu_reset(void);
struct wv_gic_vcpu_state;
/* Switching vCPUs on this CPU: the virtual interface of the one leaving, then of the one
 * arriving. A hardware-mapped interrupt still listed on leaving is deactivated and kept
 * as a purely virtual one (its physical source belongs to whoever runs next). */
void wv_gic_vcpu_save(struct wv_gic_vcpu_state *s);
void wv_gic_vcpu_restore(const struct wv_gic_vcpu_state *s);

uint32_t wv_gic_lr_count(void);
uint64_t wv_gic_lr_read(uint32_t lr);
void wv_gic_lr_write(uint32_t lr, uint64_t value);
void wv_gic_hcr_write(uint64_t value);
uint64_t wv_gic_status(void);

#endif
