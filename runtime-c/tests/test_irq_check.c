/* runtime-c/core/irq_check.c: what a core may put into a list register or ICH_HCR_EL2,
 * and which physical interrupt it may mask, tried with what a hostile core would. */
#include "wv_irq_check.h"
#include "wv_gic.h"
#include "wv_validate.h"
#include <stdio.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

/* A list register value with HW = 1 naming physical INTID p (pINTID [44:32]). */
static uint64_t hw(uint64_t p) { return WV_LR_HW | (p << 32) | 27u | (1ull << 62); }

int main(void)
{
    struct wv_vm_owner o;
    memset(&o, 0, sizeof o);
    /* One passthrough frame with SPI 79 (docs/abi.md 1, device kind 6). */
    o.frame_count = 1;
    o.frames[0].flags = WV_DEV_PASSTHROUGH;
    o.frame_spi[0] = 79;
    uint32_t p;

    CHECK(wv_lr_index_ok(0, 4) && wv_lr_index_ok(3, 4));
    CHECK(!wv_lr_index_ok(4, 4) && !wv_lr_index_ok(-1, 4) && !wv_lr_index_ok(0, 0));
    CHECK(!wv_lr_index_ok(INT32_MIN, 16));

    /* A purely virtual interrupt names no physical one, whatever its vINTID field says. */
    CHECK(wv_lr_value_check(&o, (1ull << 62) | 26u, &p) == WV_OK && p == ~0u);
    /* Hardware-mapped: the two EL1 timer PPIs and the VM's own SPI. */
    CHECK(wv_lr_value_check(&o, hw(PPI_VTIMER), &p) == WV_OK && p == PPI_VTIMER);
    CHECK(wv_lr_value_check(&o, hw(PPI_PTIMER), &p) == WV_OK && p == PPI_PTIMER);
    CHECK(wv_lr_value_check(&o, hw(79), &p) == WV_OK && p == 79);
    /* Never the hypervisor's own interrupts, another SPI, an SGI or a special INTID. */
    CHECK(wv_lr_value_check(&o, hw(PPI_HYP_TIMER), &p) == WV_ENOTOWNED && p == ~0u);
    CHECK(wv_lr_value_check(&o, hw(PPI_MAINTENANCE), &p) == WV_ENOTOWNED);
    CHECK(wv_lr_value_check(&o, hw(WV_KICK_SGI), &p) == WV_ENOTOWNED);
    CHECK(wv_lr_value_check(&o, hw(33), &p) == WV_ENOTOWNED);          /* the console UART */
    CHECK(wv_lr_value_check(&o, hw(80), &p) == WV_ENOTOWNED);
    CHECK(wv_lr_value_check(&o, hw(1023), &p) == WV_ENOTOWNED);
    /* pINTID is bits [44:32]: the check reads the same 13 bits the GIC does, so bits
     * above them neither hide an owned INTID nor make one out of another. */
    CHECK(wv_lr_value_check(&o, hw(79 | (1ull << 13)), &p) == WV_OK && p == 79);
    CHECK(wv_lr_value_check(&o, hw(80 | (1ull << 13)), &p) == WV_ENOTOWNED);
    CHECK(wv_lr_value_check(&o, hw(27 + 8192), &p) == WV_OK && p == PPI_VTIMER);

    /* ICH_HCR_EL2: En, UIE, LRENPIE, NPIE only; no trap bit, no EOIcount. */
    for (uint64_t v = 0; v <= WV_ICH_HCR_ALLOWED; v++) CHECK(wv_ich_hcr_check(v) == WV_OK);
    for (int bit = 4; bit < 64; bit++) CHECK(wv_ich_hcr_check(1ull << bit) == WV_EDENIED);

    /* irq_set: the timer PPIs, the VM's SPI; nothing else. */
    CHECK(wv_irq_set_target(&o, PPI_VTIMER) == WV_IRQ_TIMER_PPI);
    CHECK(wv_irq_set_target(&o, PPI_PTIMER) == WV_IRQ_TIMER_PPI);
    CHECK(wv_irq_set_target(&o, 79) == WV_IRQ_OWNED_SPI);
    CHECK(wv_irq_set_target(&o, PPI_HYP_TIMER) == WV_ENOTOWNED);
    CHECK(wv_irq_set_target(&o, PPI_MAINTENANCE) == WV_ENOTOWNED);
    CHECK(wv_irq_set_target(&o, 33) == WV_ENOTOWNED);
    CHECK(wv_irq_set_target(&o, -1) == WV_ENOTOWNED);
    CHECK(wv_irq_set_target(&o, 79 + 4096) == WV_ENOTOWNED);
    /* A frame of another kind (the GICv2 virtual CPU interface) brings no SPI. */
    o.frames[0].flags = WV_DEV_GICV2_VCPU;
    CHECK(wv_irq_set_target(&o, 79) == WV_ENOTOWNED);
    CHECK(wv_lr_value_check(&o, hw(79), &p) == WV_ENOTOWNED);

    if (failures) { printf("%d failure(s)\n", failures); return 1; }
    printf("irq_check: all checks passed\n");
    return 0;
}
