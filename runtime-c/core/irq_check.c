/* See wv_irq_check.h. */
#include "wv_irq_check.h"
#include "wv_gic.h"
#include "wv_validate.h"

static int timer_ppi(uint64_t intid)
{
    return intid == PPI_VTIMER || intid == PPI_PTIMER;
}

int wv_lr_index_ok(int32_t lr, uint32_t count)
{
    return lr >= 0 && (uint32_t)lr < count;
}

int wv_lr_value_check(const struct wv_vm_owner *o, uint64_t value, uint32_t *pintid)
{
    *pintid = ~0u;
    if (!(value & WV_LR_HW)) return WV_OK;
    uint32_t p = WV_LR_PINTID(value);
    if (!timer_ppi(p) && !(p <= WV_SPI_LAST && wv_owner_spi(o, p))) return WV_ENOTOWNED;
    *pintid = p;
    return WV_OK;
}

int wv_ich_hcr_check(uint64_t value)
{
    return (value & ~(uint64_t)WV_ICH_HCR_ALLOWED) ? WV_EDENIED : WV_OK;
}

int wv_irq_set_target(const struct wv_vm_owner *o, int32_t intid)
{
    if (intid < 0) return WV_ENOTOWNED;
    if (timer_ppi((uint32_t)intid)) return WV_IRQ_TIMER_PPI;
    if (wv_owner_spi(o, (uint32_t)intid)) return WV_IRQ_OWNED_SPI;
    return WV_ENOTOWNED;
}
