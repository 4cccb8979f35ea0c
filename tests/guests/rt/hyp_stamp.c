/* WV_HC_BENCH_STAMP: the counter at the hypervisor's vector of this vCPU's last virtual
 * timer IRQ exit. Under QEMU -icount the time from a deadline to that vector is mostly
 * other emulated CPUs' turns; from the vector on it is the hypervisor's own path (the
 * exit, the injection, the return) and the guest's vector. */
#include "hyp_stamp.h"
#include "hvc.h"

int hyp_stamp_probe(void)
{
#ifdef RT_PHYS_TIMER
    /* The stamp is the virtual timer's (INTID 27): this build ticks on another. */
    return 0;
#else
    uint64_t stamp;
    return wv_hc_bench_stamp(&stamp) == WV_HC_SUCCESS;
#endif
}

int hyp_stamp_latency(uint64_t due, uint64_t entry, uint64_t *ticks)
{
    uint64_t stamp;
    if (wv_hc_bench_stamp(&stamp) != WV_HC_SUCCESS)
        return 0;
    /* This tick's interrupt reached the vector after its deadline and before the handler
     * read the counter. Anything else is an older exit's stamp (the interrupt came by
     * another way) or 0 (a live update started a new core instance since, and bench
     * stamps do not survive it): not this tick's. Signed, for a counter that wraps. */
    if ((int64_t)(stamp - due) < 0 || (int64_t)(entry - stamp) < 0)
        return 0;
    *ticks = entry - stamp;
    return 1;
}
