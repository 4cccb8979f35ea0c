/* A guest's FP/SIMD registers stay in the CPU across its exits: the EL2 runtime and the
 * native core are built with general registers only (-mgeneral-regs-only; the build
 * checks the image, tools/build/fp_check.ts), so nothing at EL2 disturbs them, and a trap
 * saves and restores none of them. Each CPU remembers whose state its registers hold
 * (`fp_live`). Two things move it:
 *  - wv_fpsimd_spill(), before EL2 code that uses FP/SIMD registers runs (wasm3, whose
 *    float operations and compiled loops use them): the owner's state goes to its vCPU's `fp`
 *    and the registers are free;
 *  - wv_fpsimd_own(fp), on the way into a guest: when another vCPU's state (or none)
 *    is in the registers, it is saved and this one's loaded. A vCPU switch on a shared
 *    CPU therefore costs one save and one load, an exit that ran no FP code nothing.
 * vCPUs never move between physical CPUs (docs/architecture.md, "vCPUs and physical
 * CPUs"), so a vCPU's state is live on one CPU at most. */
#include "wv_vcpu.h"
#include "wv_arch.h"

void wv_fpsimd_store(struct wv_fp_regs *fp);
void wv_fpsimd_load(const struct wv_fp_regs *fp);

void wv_fpsimd_spill(void)
{
    struct wv_pcpu *p = &wv_pcpus[wv_cpu_index()];
    if (!p->fp_live) return;
    wv_fpsimd_store(p->fp_live);
    p->fp_live = 0;
    /* EL2's float code runs with the reset FPCR (round to nearest, no flush to zero,
     * ARM ARM C5.2.8), whatever mode the guest chose. */
    __asm__ volatile("msr fpcr, xzr" ::: "memory");
}

void wv_fpsimd_own(struct wv_fp_regs *fp)
{
    struct wv_pcpu *p = &wv_pcpus[wv_cpu_index()];
    if (p->fp_live == fp) return;
    if (p->fp_live) wv_fpsimd_store(p->fp_live);
    wv_fpsimd_load(fp);
    p->fp_live = fp;
}

void wv_fpsimd_forget(struct wv_fp_regs *fp)
{
    struct wv_pcpu *p = &wv_pcpus[wv_cpu_index()];
    if (p->fp_live == fp) p->fp_live = 0;
}
