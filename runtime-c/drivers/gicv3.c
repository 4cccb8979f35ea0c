/* Physical GICv3 (IHI 0069, "GICv3 spec" below): distributor, redistributors, the
 * system-register CPU interface, and the virtual interface's ICH_* registers. */
#include "wv_gic.h"
#include "wv_gic_ops.h"
#include "wv_board.h"
#include "wv_arch.h"
#include "wv_console.h"

#define GICD_CTLR           0x0000
#define GICD_TYPER          0x0004
#define GICD_IGROUPR        0x0080
#define GICD_ISENABLER      0x0100
#define GICD_ICENABLER      0x0180
#define GICD_IPRIORITYR     0x0400
#define GICD_IROUTER        0x6000
#define CTLR_RWP            (1u << 31)
#define CTLR_ARE            (1u << 4)       /* ARE_NS / ARE with DS=1, 12.9.4 */
#define CTLR_GRP1           (1u << 1)

#define GICR_WAKER          0x0014
#define WAKER_SLEEP         (1u << 1)
#define WAKER_CHILDREN      (1u << 2)
#define GICR_SGI            0x10000         /* SGI and PPI frame */
#define GICR_IGROUPR0       (GICR_SGI + 0x0080)
#define GICR_ISENABLER0     (GICR_SGI + 0x0100)
#define GICR_ICENABLER0     (GICR_SGI + 0x0180)
#define GICR_IPRIORITYR     (GICR_SGI + 0x0400)

static inline volatile uint32_t *reg32(uint64_t base, uint64_t off)
{
    return (volatile uint32_t *)(base + off);
}

static void dist_wait(void)
{
    while (*reg32(wv_board.gicd, GICD_CTLR) & CTLR_RWP) { }
}

static void v3_init_dist(void)
{
    uint64_t d = wv_board.gicd;
    *reg32(d, GICD_CTLR) = 0;
    dist_wait();
    uint32_t lines = ((*reg32(d, GICD_TYPER) & 0x1f) + 1) * 32;
    for (uint32_t i = 32; i < lines; i += 32) {
        *reg32(d, GICD_ICENABLER + i / 8) = 0xffffffffu;
        *reg32(d, GICD_IGROUPR + i / 8) = 0xffffffffu;
    }
    for (uint32_t i = 32; i < lines; i += 4)
        *reg32(d, GICD_IPRIORITYR + i) = WV_GIC_PRIO_DEFAULT * 0x01010101u;
    dist_wait();
    *reg32(d, GICD_CTLR) = CTLR_ARE | CTLR_GRP1;
    dist_wait();
}

static uint64_t redist(uint32_t cpu)
{
    return wv_board.gicr + (uint64_t)cpu * wv_board.gicr_stride;
}

static void v3_init_cpu(uint32_t cpu)
{
    uint64_t r = redist(cpu);
    /* Wake the redistributor (12.11.42 GICR_WAKER). */
    *reg32(r, GICR_WAKER) &= ~WAKER_SLEEP;
    while (*reg32(r, GICR_WAKER) & WAKER_CHILDREN) { }
    *reg32(r, GICR_IGROUPR0) = 0xffffffffu;
    for (uint32_t i = 0; i < 32; i += WV_GIC_PRIO_PER_REG)
        *reg32(r, GICR_IPRIORITYR + i) = wv_gic_private_prio_word(i);
    *reg32(r, GICR_ICENABLER0) = 0xffffffffu;
    *reg32(r, GICR_ISENABLER0) = (1u << WV_KICK_SGI) | (1u << PPI_MAINTENANCE) | (1u << PPI_VTIMER) | (1u << PPI_PTIMER)
                                | (1u << PPI_HYP_TIMER);

    /* ICC_SRE_EL2: SRE, DFB, DIB, Enable (EL1 may use the system registers: 12.2.14). */
    write_sysreg(S3_4_C12_C9_5, 0xf);
    isb();
    write_sysreg(S3_0_C4_C6_0, 0xff);          /* ICC_PMR_EL1: every priority */
    write_sysreg(S3_0_C12_C12_3, 0);           /* ICC_BPR1_EL1 */
    /* ICC_CTLR_EL1.EOImode = 1: EOIR drops priority, DIR deactivates (12.2.6), so a
     * guest can deactivate a hardware-mapped interrupt itself. */
    write_sysreg(S3_0_C12_C12_4, read_sysreg(S3_0_C12_C12_4) | 2);
    write_sysreg(S3_0_C12_C12_7, 1);           /* ICC_IGRPEN1_EL1 */
    write_sysreg(S3_4_C12_C11_0, 1);           /* ICH_HCR_EL2.En: virtual CPU interface on */
    isb();
}

static uint32_t v3_ack(void)
{
    uint32_t intid = (uint32_t)read_sysreg(S3_0_C12_C12_0) & 0xffffff;   /* ICC_IAR1_EL1 */
    if (intid >= GIC_SPURIOUS && intid < 1024) return GIC_SPURIOUS;
    write_sysreg(S3_0_C12_C12_1, intid);                                 /* ICC_EOIR1_EL1 */
    isb();
    return intid;
}

static void v3_deactivate(uint32_t intid)
{
    write_sysreg(S3_0_C12_C11_1, intid);                                 /* ICC_DIR_EL1 */
    isb();
}

static void v3_send_sgi(uint32_t cpu, uint32_t sgi)
{
    /* ICC_SGI1R_EL1 (12.2.23): INTID [27:24], Aff1 [23:16] = 0, TargetList [15:0]. */
    dsb(ish);
    write_sysreg(S3_0_C12_C11_5, ((uint64_t)sgi << 24) | (1ull << (cpu & 15)));
    isb();
}

static void v3_spi_set(uint32_t intid, uint32_t cpu, int enable)
{
    uint64_t d = wv_board.gicd;
    if (intid < 32) return;
    if (enable) {
        *(volatile uint64_t *)(d + GICD_IROUTER + intid * 8) = cpu;
        *reg32(d, GICD_ISENABLER + (intid / 32) * 4) = 1u << (intid % 32);
    } else {
        *reg32(d, GICD_ICENABLER + (intid / 32) * 4) = 1u << (intid % 32);
        dist_wait();
    }
}

static void v3_ppi_set(uint32_t intid, int enable)
{
    if (intid >= 32) return;
    uint64_t r = redist(wv_cpu_index());
    *reg32(r, enable ? GICR_ISENABLER0 : GICR_ICENABLER0) = 1u << intid;
}

static uint32_t v3_lr_count(void)
{
    return (uint32_t)(read_sysreg(S3_4_C12_C11_1) & 0x1f) + 1;          /* ICH_VTR_EL2.ListRegs */
}

#define LR_CASE(n, op) case n: op(S3_4_C12_C12_##n); break;
#define LR_CASE_HI(n, m, op) case n: op(S3_4_C12_C13_##m); break;

static uint64_t v3_lr_read(uint32_t lr)
{
    uint64_t v = 0;
#define RD(r) v = read_sysreg(r)
    switch (lr) {
    LR_CASE(0, RD) LR_CASE(1, RD) LR_CASE(2, RD) LR_CASE(3, RD)
    LR_CASE(4, RD) LR_CASE(5, RD) LR_CASE(6, RD) LR_CASE(7, RD)
    LR_CASE_HI(8, 0, RD) LR_CASE_HI(9, 1, RD) LR_CASE_HI(10, 2, RD) LR_CASE_HI(11, 3, RD)
    LR_CASE_HI(12, 4, RD) LR_CASE_HI(13, 5, RD) LR_CASE_HI(14, 6, RD) LR_CASE_HI(15, 7, RD)
    }
#undef RD
    return v;
}

static void v3_lr_write(uint32_t lr, uint64_t value)
{
#define WR(r) write_sysreg(r, value)
    switch (lr) {
    LR_CASE(0, WR) LR_CASE(1, WR) LR_CASE(2, WR) LR_CASE(3, WR)
    LR_CASE(4, WR) LR_CASE(5, WR) LR_CASE(6, WR) LR_CASE(7, WR)
    LR_CASE_HI(8, 0, WR) LR_CASE_HI(9, 1, WR) LR_CASE_HI(10, 2, WR) LR_CASE_HI(11, 3, WR)
    LR_CASE_HI(12, 4, WR) LR_CASE_HI(13, 5, WR) LR_CASE_HI(14, 6, WR) LR_CASE_HI(15, 7, WR)
    }
#undef WR
    isb();
}

static void v3_hcr_write(uint64_t value)
{
    write_sysreg(S3_4_C12_C11_0, value);                                 /* ICH_HCR_EL2 */
    isb();
}

static uint64_t v3_status(void)
{
    uint64_t elrsr = read_sysreg(S3_4_C12_C11_5) & 0xffff;               /* ICH_ELRSR_EL2 */
    uint64_t eisr = read_sysreg(S3_4_C12_C11_3) & 0xffff;                /* ICH_EISR_EL2 */
    uint64_t misr = read_sysreg(S3_4_C12_C11_2) & 0xffffffff;            /* ICH_MISR_EL2 */
    return elrsr | (eisr << 16) | (misr << 32);
}


static void v3_vcpu_reset(void)
{
    for (uint32_t i = 0; i < v3_lr_count(); i++) {
        uint64_t lr = v3_lr_read(i);
        if ((lr & WV_LR_HW) && WV_LR_STATE(lr)) v3_deactivate(WV_LR_PINTID(lr));
        v3_lr_write(i, 0);
    }
    write_sysreg(S3_4_C12_C11_7, 0);           /* ICH_VMCR_EL2 */
    /* No active priorities once the list registers are gone (ICH_AP0R0/AP1R0_EL2). */
    write_sysreg(S3_4_C12_C8_0, 0);            /* ICH_AP0R0_EL2 */
    write_sysreg(S3_4_C12_C9_0, 0);            /* ICH_AP1R0_EL2 */
    v3_hcr_write(1);                           /* ICH_HCR_EL2.En */
}

static void v3_vcpu_save(struct wv_gic_vcpu_state *st)
{
    uint32_t n = v3_lr_count();
    for (uint32_t i = 0; i < n; i++) {
        uint64_t lr = v3_lr_read(i);
        if ((lr & WV_LR_HW) && WV_LR_STATE(lr)) {
            /* Its physical source is this CPU's, which the next vCPU uses: end it here
             * and keep a virtual-only copy (GICv3 spec 12.5.8: HW = 0). */
            v3_deactivate(WV_LR_PINTID(lr));
            lr &= ~(WV_LR_HW | (0x1fffull << 32));
        }
        st->lr[i] = lr;
        v3_lr_write(i, 0);
    }
    st->vmcr = read_sysreg(S3_4_C12_C11_7);     /* ICH_VMCR_EL2 */
    st->ap0r = read_sysreg(S3_4_C12_C8_0);      /* ICH_AP0R0_EL2 */
    st->ap1r = read_sysreg(S3_4_C12_C9_0);      /* ICH_AP1R0_EL2 */
    st->hcr = read_sysreg(S3_4_C12_C11_0);      /* ICH_HCR_EL2 */
}

static void v3_vcpu_restore(const struct wv_gic_vcpu_state *st)
{
    uint32_t n = v3_lr_count();
    for (uint32_t i = 0; i < n; i++) v3_lr_write(i, st->lr[i]);
    write_sysreg(S3_4_C12_C11_7, st->vmcr);
    write_sysreg(S3_4_C12_C8_0, st->ap0r);
    write_sysreg(S3_4_C12_C9_0, st->ap1r);
    v3_hcr_write(st->hcr | 1);
}

const struct wv_gic_ops wv_gicv3_ops = {
    .init_dist = v3_init_dist, .init_cpu = v3_init_cpu, .ack = v3_ack, .deactivate = v3_deactivate,
    .send_sgi = v3_send_sgi, .spi_set = v3_spi_set, .ppi_set = v3_ppi_set, .vcpu_reset = v3_vcpu_reset,
    .vcpu_save = v3_vcpu_save, .vcpu_restore = v3_vcpu_restore, .lr_count = v3_lr_count, .lr_read = v3_lr_read,
    .lr_write = v3_lr_write, .hcr_write = v3_hcr_write, .status = v3_status,
};
