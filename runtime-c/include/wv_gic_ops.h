/* One physical GIC driver per architecture version; the board's data (gic_version)
 * picks one at boot (drivers/gic.c). The list register interface is always in the
 * GICv3 ICH_LR<n>_EL2 format: the GICv2 driver converts to and from GICH_LR<n>. */
#ifndef WV_GIC_OPS_H
#define WV_GIC_OPS_H
#include <stdint.h>

/* A vCPU's virtual CPU interface while it is off its physical CPU. */
struct wv_gic_vcpu_state {
    uint64_t lr[16];
    uint64_t vmcr, hcr, ap0r, ap1r;
};

struct wv_gic_ops {
    void (*init_dist)(void);
    void (*init_cpu)(uint32_t cpu);
    uint32_t (*ack)(void);
    void (*deactivate)(uint32_t intid);
    void (*send_sgi)(uint32_t cpu, uint32_t sgi);
    void (*spi_set)(uint32_t intid, uint32_t cpu, int enable);
    void (*ppi_set)(uint32_t intid, int enable);     /* this CPU's SGI/PPI */
    void (*vcpu_reset)(void);                        /* this CPU's virtual interface, to reset */
    void (*vcpu_save)(struct wv_gic_vcpu_state *s);
    void (*vcpu_restore)(const struct wv_gic_vcpu_state *s);
    uint32_t (*lr_count)(void);
    uint64_t (*lr_read)(uint32_t lr);
    void (*lr_write)(uint32_t lr, uint64_t value);
    void (*hcr_write)(uint64_t value);
    uint64_t (*status)(void);
};

extern const struct wv_gic_ops wv_gicv3_ops, wv_gicv2_ops;

#endif
