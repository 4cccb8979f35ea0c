/* The physical GIC API of wv_gic.h, dispatched to the driver the board names. */
#include "wv_gic.h"
#include "wv_gic_ops.h"
#include "wv_board.h"

static const struct wv_gic_ops *gic(void)
{
    return wv_board.gic_version == 2 ? &wv_gicv2_ops : &wv_gicv3_ops;
}

void wv_gic_init_dist(void) { gic()->init_dist(); }
void wv_gic_init_cpu(uint32_t cpu) { gic()->init_cpu(cpu); }
uint32_t wv_gic_ack(void) { return gic()->ack(); }
void wv_gic_deactivate(uint32_t intid) { gic()->deactivate(intid); }
void wv_gic_send_sgi(uint32_t cpu, uint32_t sgi) { gic()->send_sgi(cpu, sgi); }
void wv_gic_spi_set(uint32_t intid, uint32_t cpu, int enable) { gic()->spi_set(intid, cpu, enable); }
void wv_gic_ppi_set(uint32_t intid, int enable) { gic()->ppi_set(intid, enable); }
void wv_gic_vcpu_reset(void) { gic()->vcpu_reset(); }
void wv_gic_vcpu_save(struct wv_gic_vcpu_state *s) { gic()->vcpu_save(s); }
void wv_gic_vcpu_restore(const struct wv_gic_vcpu_state *s) { gic()->vcpu_restore(s); }
uint32_t wv_gic_lr_count(void) { return gic()->lr_count(); }
uint64_t wv_gic_lr_read(uint32_t lr) { return gic()->lr_read(lr); }
void wv_gic_lr_write(uint32_t lr, uint64_t value) { gic()->lr_write(lr, value); }
void wv_gic_hcr_write(uint64_t value) { gic()->hcr_write(value); }
uint64_t wv_gic_status(void) { return gic()->status(); }
