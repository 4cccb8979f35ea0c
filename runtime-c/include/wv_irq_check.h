/* The checks behind the interrupt imports (irq_imports.c, docs/abi.md 4), as pure
 * functions: what a core may put into a list register, into ICH_HCR_EL2, and which
 * physical interrupt it may mask. No hardware access: host-tested
 * (runtime-c/tests/test_irq_check.c) with the values a hostile core would try. */
#ifndef WV_IRQ_CHECK_H
#define WV_IRQ_CHECK_H
#include <stdint.h>
#include "wv_vm.h"

/* ICH_HCR_EL2 bits the core may set (GICv3 spec 12.5.4): En, UIE, LRENPIE, NPIE. The
 * trap bits (TC, TALL0, TALL1, TDIR...) and the EOIcount stay the runtime's. */
#define WV_ICH_HCR_ALLOWED  0xfu

/* What irq_set may act on. */
enum wv_irq_target { WV_IRQ_TIMER_PPI = 1, WV_IRQ_OWNED_SPI = 2 };

/* May list register `lr` be used, the CPU interface having `count` of them? */
int wv_lr_index_ok(int32_t lr, uint32_t count);
/* A list register value (GICv3 layout, wv_gic.h): WV_OK, with *pintid the physical INTID
 * it hands over (HW = 1) or ~0u; WV_ENOTOWNED when HW = 1 names a physical interrupt the
 * VM does not own (only its two EL1 timer PPIs and its passthrough SPIs). */
int wv_lr_value_check(const struct wv_vm_owner *o, uint64_t value, uint32_t *pintid);
/* An ICH_HCR_EL2 value: WV_OK, or WV_EDENIED for a bit outside WV_ICH_HCR_ALLOWED. */
int wv_ich_hcr_check(uint64_t value);
/* What irq_set(intid) acts on: a WV_IRQ_* kind, or WV_ENOTOWNED. */
int wv_irq_set_target(const struct wv_vm_owner *o, int32_t intid);

#endif
