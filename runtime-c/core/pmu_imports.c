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

uint64_t wv_imp_pmu_read(struct wv_import_ctx *ctx, uint32_t reg)
{
    struct wv_vm *vm = ctx->vm;
    /* A staged instance reads nothing of the VM it may take over (docs/live-update.md). */
    if (!ctx->live || !handling_exit_of(vm)) return 0;
    if (wv_pmu_access_check(reg, 0, 0, wv_pmu_counters()) != WV_OK) {
        refused(vm, "pmu_read", reg, WV_EINVAL);
        return 0;
    }
    return wv_pmu_reg_read(reg);
}

uint32_t wv_imp_pmu_write(struct wv_import_ctx *ctx, uint32_t reg, uint64_t value)
{
    if (!wv_import_may_act(ctx, "pmu_write")) return WV_ESTATE;
    struct wv_vm *vm = ctx->vm;
    if (!handling_exit_of(vm)) return refused(vm, "pmu_write", reg, WV_ESTATE);
    int rc = wv_pmu_access_check(reg, 1, value, wv_pmu_counters());
    if (rc != WV_OK) return refused(vm, "pmu_write", reg, rc);
    wv_pmu_reg_write(reg, value);
    return WV_OK;
}
