/* The PMU imports of the core module (docs/abi.md 2): with MDCR_EL2.TPM every PMU
 * access of a guest traps, and the core emulates it through these on the physical CPU
 * handling an exit of the calling VM (whose vCPU's PMU state is the one in the
 * registers), and only then. wv_pmu_access_check refuses a filter that counts at EL2. */
#include "wv_core.h"
#include "wv_arch.h"
#include "wv_debug.h"
#include "wv_pmu.h"
#include "wv_validate.h"
#include "wv_console.h"
#include "wv_imports.h"

#define VM()        WV_IMPORT_VM()

static int handling_exit_of(struct wv_vm *vm)
{
    return wv_pcpus[wv_cpu_index()].exit_vm == vm;
}

static int32_t refused(struct wv_vm *vm, const char *what, uint32_t reg, int32_t err)
{
    wv_printf("[wasmvisor] vm %s: import %s of PMU register %u refused (error %d)\n", vm->own.name, what,
              reg, err);
    return err;
}

m3ApiRawFunction(imp_pmu_read)
{
    m3ApiReturnType(int64_t);
    m3ApiGetArg(int32_t, reg);
    struct wv_vm *vm = VM();
    /* A staged instance reads nothing of the VM it may take over (docs/live-update.md). */
    if (!WV_IMPORT_CTX()->live || !handling_exit_of(vm)) m3ApiReturn(0);
    if (wv_pmu_access_check((uint32_t)reg, 0, 0, wv_pmu_counters()) != WV_OK) {
        refused(vm, "pmu_read", (uint32_t)reg, WV_EINVAL);
        m3ApiReturn(0);
    }
    m3ApiReturn((int64_t)wv_pmu_reg_read((uint32_t)reg));
}

m3ApiRawFunction(imp_pmu_write)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, reg);
    m3ApiGetArg(uint64_t, value);
    if (!wv_import_may_act(WV_IMPORT_CTX(), "pmu_write")) m3ApiReturn(WV_ESTATE);
    struct wv_vm *vm = VM();
    if (!handling_exit_of(vm)) m3ApiReturn(refused(vm, "pmu_write", (uint32_t)reg, WV_ESTATE));
    int rc = wv_pmu_access_check((uint32_t)reg, 1, value, wv_pmu_counters());
    if (rc != WV_OK) m3ApiReturn(refused(vm, "pmu_write", (uint32_t)reg, rc));
    wv_pmu_reg_write((uint32_t)reg, value);
    m3ApiReturn(WV_OK);
}

static const struct wv_import imports[] = {
    { "pmu_read", "I(i)", imp_pmu_read },
    { "pmu_write", "i(iI)", imp_pmu_write },
};

const char *wv_link_pmu_imports(struct M3Module *module)
{
    return wv_link_table(module, imports, sizeof imports / sizeof imports[0]);
}
