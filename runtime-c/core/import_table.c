/* Every `wv` import of the core module by name and signature (docs/abi.md 2, 4, 6):
 * the one list each engine binds an instance's imports from (wv_imports.h), so that
 * every engine's instances call the same checked functions. The signatures are those
 * the core declares (assembly/abi/); an engine refuses a module that imports one of
 * these names with another signature. */
#include "wv_imports.h"
#include "wv_trace.h"
#include "wv_console.h"
#include <string.h>

const struct wv_import_fn wv_import_fns[] = {
    /* host_imports.c */
    { "console_write", "v(ii)", (void *)wv_imp_console_write },
    { "now", "I()", (void *)wv_imp_now },
    { "counter_freq", "I()", (void *)wv_imp_counter_freq },
    { "s2_table_new", "i()", (void *)wv_imp_s2_table_new },
    { "s2_set_entry", "i(iiiI)", (void *)wv_imp_s2_set_entry },
    { "s2_activate", "i(ii)", (void *)wv_imp_s2_activate },
    { "guest_read", "i(Iii)", (void *)wv_imp_guest_read },
    { "guest_write", "i(Iii)", (void *)wv_imp_guest_write },
    { "image_load", "I(iI)", (void *)wv_imp_image_load },
    { "vcpu_boot", "i(iII)", (void *)wv_imp_vcpu_boot },
    { "sysreg_write", "i(iiI)", (void *)wv_imp_sysreg_write },
    { "sysreg_read", "I(ii)", (void *)wv_imp_sysreg_read },
    { "vm_stop", "v()", (void *)wv_imp_vm_stop },
    { "pcpu_of", "i(i)", (void *)wv_imp_pcpu_of },
    /* irq_imports.c */
    { "lr_count", "i()", (void *)wv_imp_lr_count },
    { "lr_read", "I(i)", (void *)wv_imp_lr_read },
    { "lr_write", "i(iI)", (void *)wv_imp_lr_write },
    { "ich_hcr_write", "i(i)", (void *)wv_imp_ich_hcr_write },
    { "ich_status", "I()", (void *)wv_imp_ich_status },
    { "vcpu_kick", "i(i)", (void *)wv_imp_vcpu_kick },
    { "irq_set", "i(ii)", (void *)wv_imp_irq_set },
    /* pmu_imports.c */
    { "pmu_read", "I(i)", (void *)wv_imp_pmu_read },
    { "pmu_write", "i(iI)", (void *)wv_imp_pmu_write },
    /* chan.c */
    { "chan_send", "i(ii)", (void *)wv_imp_chan_send },
};

const size_t wv_import_fn_count = sizeof wv_import_fns / sizeof wv_import_fns[0];

/* A tracing image binds the recording wrappers, which the trace file names by their
 * index: they must be these imports in this order, else the plain ones are bound (and
 * the trace records no import, which a replay reports at the first one). */
const struct wv_import_fn *wv_import_bind_table(void)
{
    if (!wv_trace_enabled) return wv_import_fns;
    int same = wv_trace_import_fn_count == wv_import_fn_count;
    for (size_t i = 0; same && i < wv_import_fn_count; i++)
        same = !strcmp(wv_trace_import_fns[i].name, wv_import_fns[i].name)
            && !strcmp(wv_trace_import_fns[i].sig, wv_import_fns[i].sig);
    if (same) return wv_trace_import_fns;
    static int told;
    if (!told++) wv_printf("[wasmvisor] trace: the recording imports differ from the runtime's; imports not recorded\n");
    return wv_import_fns;
}
