/* Physical GICv2 with the virtualization extensions (GIC-400; ARM IHI 0048B, "GICv2
 * spec" below): memory-mapped distributor, CPU interface and virtual interface control
 * (GICH). The list registers are handed to the core in the GICv3 format (wv_gic_ops.h). */
#include "wv_gic.h"
#include "wv_gic_ops.h"
#include "wv_board.h"
#include "wv_arch.h"
#include "wv_vcpu.h"

#define GICD_CTLR           0x000
#define GICD_TYPER          0x004
#define GICD_ISENABLER      0x100
#define GICD_ICENABLER      0x180
#define GICD_IPRIORITYR     0x400
#define GICD_ITARGETSR      0x800
#define GICD_SGIR           0xf00

#define GICC_CTLR           0x0000
#define GICC_PMR            0x0004
#define GICC_BPR            0x0008
#define GICC_IAR            0x000c
#define GICC_EOIR           0x0010
#define GICC_DIR            0x1000
/* GICC_CTLR (GICv2 spec 4.4.1, no security extensions): Enable, EOImode (bit 9) = 1,
 * EOIR only drops priority and DIR deactivates, so a guest can deactivate a HW interrupt. */
#define GICC_CTLR_VALUE     ((1u << 0) | (1u << 9))

#define GICH_HCR            0x000
#define GICH_VTR            0x004
#define GICH_MISR           0x010
#define GICH_EISR0          0x020
#define GICH_ELRSR0         0x030
#define GICH_LR0            0x100

#define IAR_INTID           0x3ffu

/* GICH_LR<n> (GICv2 spec 5.3.11): VirtualID [9:0], PhysicalID [19:10] (HW = 1) or
 * EOI [19] / CPUID [12:10] (HW = 0), Priority [27:23] (top 5 bits), State [29:28],
 * Grp1 [30], HW [31]. */
#define V2_VID(v)           ((v) & 0x3ffu)
#define V2_PID(v)           (((v) >> 10) & 0x3ffu)
#define V2_PRIO(v)          (((v) >> 23) & 0x1fu)
#define V2_STATE(v)         (((v) >> 28) & 3u)
#define V2_GRP1             (1u << 30)
#define V2_HW               (1u << 31)
#define V2_EOI              (1u << 19)      /* HW = 0: maintenance interrupt when deactivated */
#define V2_CPUID_SHIFT      10              /* HW = 0: an SGI's source CPU, CPUID [12:10] */
#define V2_CPUID_MASK       0x7u
/* The core puts a GICv2 SGI's source CPU in vINTID [12:10] of the ICH_LR format
 * (wv_gic.h), where the GICv2 list register has it (docs/abi.md 4). */

static inline volatile uint32_t *reg(uint64_t base, uint64_t off)
{
    return (volatile uint32_t *)(base + off);
}

/* The full IAR value of the interrupt each CPU acknowledged last: an SGI's EOI and
 * deactivation must carry its source CPU ID too (GICv2 spec 4.4.5). */
static uint32_t last_iar[WV_MAX_CPUS];

static void v2_init_dist(void)
{
    uint64_t d = wv_board.gicd;
    *reg(d, GICD_CTLR) = 0;
    uint32_t lines = ((*reg(d, GICD_TYPER) & 0x1f) + 1) * 32;
    for (uint32_t i = 32; i < lines; i += 32) *reg(d, GICD_ICENABLER + i / 8) = 0xffffffffu;
    for (uint32_t i = 32; i < lines; i += 4) {
        *reg(d, GICD_IPRIORITYR + i) = WV_GIC_PRIO_DEFAULT * 0x01010101u;
        *reg(d, GICD_ITARGETSR + i) = 0x01010101u;
    }
    *reg(d, GICD_CTLR) = 1;
}

static void v2_init_cpu(uint32_t cpu)
{
    uint64_t d = wv_board.gicd, c = wv_board.gicc;
    (void)cpu;
    /* SGIs and PPIs are banked per CPU in the distributor (GICv2 spec 3.3). */
    for (uint32_t i = 0; i < 32; i += WV_GIC_PRIO_PER_REG) *reg(d, GICD_IPRIORITYR + i) = wv_gic_private_prio_word(i);
    *reg(d, GICD_ICENABLER) = 0xffffffffu;
    *reg(d, GICD_ISENABLER) = (1u << WV_KICK_SGI) | (1u << PPI_MAINTENANCE) | (1u << PPI_VTIMER) | (1u << PPI_PTIMER)
                            | (1u << PPI_HYP_TIMER);
    *reg(c, GICC_PMR) = 0xff;
    *reg(c, GICC_BPR) = 0;
    *reg(c, GICC_CTLR) = GICC_CTLR_VALUE;
    *reg(wv_board.gich, GICH_HCR) = 1;      /* En: the virtual CPU interface works */
    dsb(sy);
}

static uint32_t v2_ack(void)
{
    uint32_t iar = *reg(wv_board.gicc, GICC_IAR);
    uint32_t intid = iar & IAR_INTID;
    if (intid >= GIC_SPURIOUS) return GIC_SPURIOUS;
    last_iar[wv_cpu_index()] = iar;
    *reg(wv_board.gicc, GICC_EOIR) = iar;
    return intid;
}

static void v2_deactivate(uint32_t intid)
{
    uint32_t iar = last_iar[wv_cpu_index()];
    *reg(wv_board.gicc, GICC_DIR) = (iar & IAR_INTID) == intid ? iar : intid;
}

static void v2_send_sgi(uint32_t cpu, uint32_t sgi)
{
    dsb(ish);
    /* GICD_SGIR (GICv2 spec 4.3.15): TargetListFilter 0, CPUTargetList [23:16], INTID [3:0]. */
    *reg(wv_board.gicd, GICD_SGIR) = (1u << (16 + (cpu & 7))) | (sgi & 0xf);
}

static void v2_spi_set(uint32_t intid, uint32_t cpu, int enable)
{
    uint64_t d = wv_board.gicd;
    if (intid < 32) return;
    if (enable) {
        *(volatile uint8_t *)(d + GICD_ITARGETSR + intid) = (uint8_t)(1u << (cpu & 7));
        *reg(d, GICD_ISENABLER + (intid / 32) * 4) = 1u << (intid % 32);
    } else {
        *reg(d, GICD_ICENABLER + (intid / 32) * 4) = 1u << (intid % 32);
    }
}

static void v2_ppi_set(uint32_t intid, int enable)
{
    if (intid >= 32) return;
    /* SGI/PPI enables are banked per CPU in the distributor (GICv2 spec 3.3). */
    *reg(wv_board.gicd, enable ? GICD_ISENABLER : GICD_ICENABLER) = 1u << intid;
}

static uint32_t v2_lr_count(void)
{
    return (*reg(wv_board.gich, GICH_VTR) & 0x3f) + 1;
}

static uint64_t v2_lr_read(uint32_t lr)
{
    uint32_t v = *reg(wv_board.gich, GICH_LR0 + 4 * lr);
    uint64_t out = V2_VID(v) | ((uint64_t)(V2_PRIO(v) << 3) << 48) | ((uint64_t)V2_STATE(v) << 62);
    if (v & V2_GRP1) out |= WV_LR_GROUP;
    if (v & V2_HW) out |= WV_LR_HW | ((uint64_t)V2_PID(v) << 32);
    else {
        out |= (uint64_t)((v >> V2_CPUID_SHIFT) & V2_CPUID_MASK) << V2_CPUID_SHIFT;
        if (v & V2_EOI) out |= WV_LR_EOI;
    }
    return out;
}

static void v2_lr_write(uint32_t lr, uint64_t value)
{
    uint32_t v = (uint32_t)(value & 0x3ff)
               | (((uint32_t)(value >> 48) & 0xff) >> 3) << 23
               | ((uint32_t)(value >> 62) & 3u) << 28;
    if (value & WV_LR_GROUP) v |= V2_GRP1;
    if (value & WV_LR_HW) v |= V2_HW | (uint32_t)((value >> 32) & 0x3ff) << 10;
    else {
        v |= ((uint32_t)(value >> V2_CPUID_SHIFT) & V2_CPUID_MASK) << V2_CPUID_SHIFT;
        if (value & WV_LR_EOI) v |= V2_EOI;
    }
    *reg(wv_board.gich, GICH_LR0 + 4 * lr) = v;
}

static void v2_hcr_write(uint64_t value)
{
    /* En, UIE, LRENPIE, NPIE sit at the same bits as in ICH_HCR_EL2 (GICv2 spec 5.3.1). */
    *reg(wv_board.gich, GICH_HCR) = (uint32_t)value;
}

static uint64_t v2_status(void)
{
    uint64_t g = wv_board.gich;
    return (*reg(g, GICH_ELRSR0) & 0xffff) | ((uint64_t)(*reg(g, GICH_EISR0) & 0xffff) << 16)
         | ((uint64_t)*reg(g, GICH_MISR) << 32);
}

#define GICH_VMCR           0x008
#define GICH_APR            0x0f0

static void v2_vcpu_reset(void)
{
    for (uint32_t i = 0; i < v2_lr_count(); i++) {
        uint32_t v = *reg(wv_board.gich, GICH_LR0 + 4 * i);
        if ((v & V2_HW) && V2_STATE(v)) *reg(wv_board.gicc, GICC_DIR) = V2_PID(v);
        *reg(wv_board.gich, GICH_LR0 + 4 * i) = 0;
    }
    *reg(wv_board.gich, GICH_VMCR) = 0;
    *reg(wv_board.gich, GICH_APR) = 0;
    *reg(wv_board.gich, GICH_HCR) = 1;
}

static void v2_vcpu_save(struct wv_gic_vcpu_state *st)
{
    for (uint32_t i = 0; i < v2_lr_count(); i++) {
        uint32_t v = *reg(wv_board.gich, GICH_LR0 + 4 * i);
        if ((v & V2_HW) && V2_STATE(v)) {
            *reg(wv_board.gicc, GICC_DIR) = V2_PID(v);
            v &= ~(V2_HW | (0x3ffu << 10));
        }
        st->lr[i] = v;
        *reg(wv_board.gich, GICH_LR0 + 4 * i) = 0;
    }
    st->vmcr = *reg(wv_board.gich, GICH_VMCR);
    st->ap0r = *reg(wv_board.gich, GICH_APR);
    st->hcr = *reg(wv_board.gich, GICH_HCR);
}

static void v2_vcpu_restore(const struct wv_gic_vcpu_state *st)
{
    for (uint32_t i = 0; i < v2_lr_count(); i++) *reg(wv_board.gich, GICH_LR0 + 4 * i) = (uint32_t)st->lr[i];
    *reg(wv_board.gich, GICH_VMCR) = (uint32_t)st->vmcr;
    *reg(wv_board.gich, GICH_APR) = (uint32_t)st->ap0r;
    *reg(wv_board.gich, GICH_HCR) = (uint32_t)st->hcr | 1;
}

const struct wv_gic_ops wv_gicv2_ops = {
    .init_dist = v2_init_dist, .init_cpu = v2_init_cpu, .ack = v2_ack, .deactivate = v2_deactivate,
    .send_sgi = v2_send_sgi, .spi_set = v2_spi_set, .ppi_set = v2_ppi_set, .vcpu_reset = v2_vcpu_reset,
    .vcpu_save = v2_vcpu_save, .vcpu_restore = v2_vcpu_restore, .lr_count = v2_lr_count, .lr_read = v2_lr_read,
    .lr_write = v2_lr_write, .hcr_write = v2_hcr_write, .status = v2_status,
};
