/* Hypercall wrappers: the guest side of docs/abi.md section 3, "Hypercalls".
 *
 * HVC #0 with the function ID in W0 and arguments in x1..x3; results come back in
 * x0..x1. The IDs are SMCCC fast calls (bit 31) of the SMC64/HVC64 convention
 * (bit 30) owned by the vendor-specific hypervisor service (entity 6, bits
 * [29:24]): SMC Calling Convention, ARM DEN 0028. SMCCC 1.0 lets the callee
 * corrupt x4..x17, so the wrappers tell the compiler so (the cost is nil: these
 * are inlined where nothing lives in those registers across the call).
 *
 * HVC is only an instruction at EL1 if EL2 is implemented and HCR_EL2.HCD is 0;
 * without a hypervisor it is UNDEFINED (ARM ARM, HVC instruction description) and
 * the guest's vector table reports an "unknown reason" exception (EC 0x00). */
#ifndef WV_GUEST_HVC_H
#define WV_GUEST_HVC_H

#include <stdint.h>

#define WV_HC_NULL      0xC6000000u
#define WV_HC_VERSION   0xC6000001u
#define WV_HC_PUTC      0xC6000002u
#define WV_HC_VM_INFO   0xC6000003u
#define WV_HC_REPORT    0xC6000004u
#define WV_HC_BENCH_STAMP 0xC6000006u

#define WV_ABI_VERSION  3u

/* SMCCC return codes as the ABI gives them (32-bit values in x0). */
#define WV_HC_SUCCESS           0x0ul
#define WV_HC_NOT_SUPPORTED     0xFFFFFFFFul
#define WV_HC_INVALID_PARAMETER 0xFFFFFFFDul

struct wv_hc_result {
    uint64_t x0;
    uint64_t x1;
};

static inline struct wv_hc_result wv_hvc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fid;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
                       "x14", "x15", "x16", "x17", "memory");
    struct wv_hc_result r = { x0, x1 };
    return r;
}

/* WV_HC_NULL: does nothing, returns 0 (the benchmark's round trip). */
static inline uint64_t wv_hc_null(void)
{
    return wv_hvc(WV_HC_NULL, 0, 0, 0).x0;
}

/* WV_HC_VERSION: returns the ABI version; *core = major << 16 | minor << 8 | patch. */
static inline uint64_t wv_hc_version(uint64_t *core)
{
    struct wv_hc_result r = wv_hvc(WV_HC_VERSION, 0, 0, 0);
    *core = r.x1;
    return r.x0;
}

/* WV_HC_PUTC: one byte onto the VM's console line (the line the PL011 feeds). */
static inline uint64_t wv_hc_putc(char c)
{
    return wv_hvc(WV_HC_PUTC, (uint8_t)c, 0, 0).x0;
}

/* WV_HC_VM_INFO: returns the VM index; *vcpus = its vCPU count. */
static inline uint64_t wv_hc_vm_info(uint64_t *vcpus)
{
    struct wv_hc_result r = wv_hvc(WV_HC_VM_INFO, 0, 0, 0);
    *vcpus = r.x1;
    return r.x0;
}

/* WV_HC_REPORT: the hypervisor prints "[<vm name>] metric <id> <value>". */
static inline uint64_t wv_hc_report(uint64_t id, uint64_t value)
{
    return wv_hvc(WV_HC_REPORT, id, value, 0).x0;
}

/* WV_HC_BENCH_STAMP (VMs with the bench flag only): *stamp = the counter at the
 * hypervisor's vector of this vCPU's last virtual timer IRQ exit; NOT_SUPPORTED elsewhere. */
static inline uint64_t wv_hc_bench_stamp(uint64_t *stamp)
{
    struct wv_hc_result r = wv_hvc(WV_HC_BENCH_STAMP, 0, 0, 0);
    *stamp = r.x1;
    return r.x0;
}

#endif
