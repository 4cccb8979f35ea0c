/* Hypercalls and SMCCC calls with wild arguments: PSCI (bad MPIDRs, bad entry points,
 * every level of AFFINITY_INFO), the hypervisor's own calls, unknown IDs with garbage
 * in the upper half of x0, HVC immediates other than 0 (docs/abi.md 3: NOT_SUPPORTED),
 * all by HVC and by SMC (trapped: HCR_EL2.TSC, ARM ARM D13.2.48). */
#include "fuzz.h"
#include "actions.h"
#include "smccc.h"
#include "gic.h"

#define WV_HC_FIRST         0xC6000000u
#define WV_HC_REPORT        0xC6000004u
#define WV_HC_KNOWN         6u          /* 0xC6000000..0xC6000005 */
#define WV_HC_PUTC_FN       2u
#define WV_HC_REPORT_FN     4u
#define PUTC_BAD_BYTE       0x100u      /* x1 above 0xFF: INVALID_PARAMETER, nothing printed */
#define SMCCC_FN_MASK       0xffffu
#define SMCCC_ENTITY_HYP    6u
/* A suspend waits for an interrupt: the timer ends it. */
#define SUSPEND_WAKE_US     200u
/* PSCI power_state, original format (DEN 0022 5.4.2.1): StateType bit 16, 0 = standby.
 * A power-down state would resume at the entry point; the fuzzer asks for standby only. */
#define PSCI_STATE_TYPE_PD  (1u << 16)

enum conduit { HVC0, HVC1, HVC_MAX, SMC0, CONDUITS };

struct call_result { uint64_t x0, x1; };

static struct call_result call(enum conduit c, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3)
{
    register uint64_t r0 __asm__("x0") = x0;
    register uint64_t r1 __asm__("x1") = x1;
    register uint64_t r2 __asm__("x2") = x2;
    register uint64_t r3 __asm__("x3") = x3;
#define CALL_ASM(insn) __asm__ volatile(insn : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : : \
        "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory")
    switch (c) {
    case HVC1:    CALL_ASM("hvc #1"); break;
    case HVC_MAX: CALL_ASM("hvc #0xffff"); break;
    case SMC0:    CALL_ASM("smc #0"); break;
    default:      CALL_ASM("hvc #0"); break;
    }
#undef CALL_ASM
    struct call_result res = { r0, r1 };
    return res;
}

/* An argument a hostile guest would pass: small numbers, edges, or anything. */
static uint64_t wild(struct prng *r)
{
    static const uint64_t edges[] = {
        0, 1, 2, 3, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
        0x8000000000000000ull, 0xffffffffffffffffull,
    };
    switch (prng_below(r, 3)) {
    case 0:  return prng_below(r, 16);
    case 1:  return edges[prng_below(r, sizeof edges / sizeof edges[0])];
    default: return prng_next(r);
    }
}

/* An entry point PSCI must refuse: not 4-byte aligned, or outside the VM's memory. */
static uint64_t bad_entry(struct prng *r)
{
    uint64_t end = fuzz_par.mem_base + fuzz_par.mem_size;
    switch (prng_below(r, 5)) {
    case 0:  return fuzz_par.mem_base + (prng_below(r, 0x10000) << 2) + 1u + prng_below(r, 3);
    case 1:  return fuzz_par.mem_base - 4u;
    case 2:  return end;
    case 3:  return 0;
    default: return prng_next(r) | 1u;
    }
}

/* An MPIDR: the VM's vCPUs, vCPUs it lacks, Aff1..3 set, or anything. */
static uint64_t mpidr(struct prng *r)
{
    switch (prng_below(r, 4)) {
    case 0:  return prng_below(r, fuzz_vcpus + 2u);
    case 1:  return prng_below(r, 256);
    case 2:  return ((uint64_t)prng_below(r, 256) << 8) | prng_below(r, 4);
    default: return prng_next(r);
    }
}

/* A random function ID outside PSCI's entity and off the two calls that print. */
static uint64_t random_id(struct prng *r)
{
    for (;;) {
        uint64_t id = prng_next(r);
        uint32_t w = (uint32_t)id;
        uint32_t entity = (w >> SMCCC_ENTITY_SHIFT) & SMCCC_ENTITY_MASK;
        uint32_t fn = w & SMCCC_FN_MASK;
        if (entity == SMCCC_ENTITY_STANDARD)
            continue;
        if (entity == SMCCC_ENTITY_HYP && (fn == WV_HC_PUTC_FN || fn == WV_HC_REPORT_FN))
            continue;
        return id;
    }
}

uint32_t act_call(struct prng *r)
{
    enum conduit c = (enum conduit)prng_below(r, CONDUITS);
    /* Only W0 is the function ID (SMCCC 1.1, 2.5): the upper half is garbage at times. */
    uint64_t hi = prng_below(r, 4) == 0 ? prng_next(r) << 32 : 0;
    switch (prng_below(r, 12)) {
    case 0:  call(c, hi | PSCI_VERSION, wild(r), wild(r), wild(r)); return 1;
    case 1:  call(c, hi | PSCI_FEATURES, prng_below(r, 2) ? random_id(r) : PSCI_CPU_ON_64 + prng_below(r, 0x20), 0, 0); return 1;
    case 2:  call(c, hi | (prng_below(r, 2) ? PSCI_AFFINITY_INFO_64 : PSCI_AFFINITY_INFO_32), mpidr(r), wild(r), 0); return 1;
    case 3:  call(c, hi | PSCI_MIGRATE_INFO_TYPE, wild(r), 0, 0); return 1;
    case 4:  call(c, hi | (prng_below(r, 2) ? SMCCC_VERSION : SMCCC_ARCH_FEATURES), wild(r), 0, 0); return 1;
    case 5:  call(c, hi | (prng_below(r, 2) ? PSCI_CPU_ON_64 : PSCI_CPU_ON_32), mpidr(r), bad_entry(r), wild(r)); return 1;
    case 6:  call(c, hi | PSCI_FEATURES, wild(r), wild(r), wild(r)); return 1;
    case 7: {
        if (fuzz_par.flags & FUZZ_FLAG_SYSTEM_RESET && prng_below(r, 64) == 0) {
            call(c, PSCI_SYSTEM_RESET, 0, 0, 0);
            return 1;
        }
        /* SYSTEM_RESET2 is not offered (PSCI_FEATURES): NOT_SUPPORTED, nothing resets. */
        call(c, hi | PSCI_SYSTEM_RESET2_64, wild(r), wild(r), 0);
        return 1;
    }
    case 8: {
        uint32_t fn = prng_below(r, WV_HC_KNOWN);
        if (fn == WV_HC_REPORT_FN)
            fn = WV_HC_PUTC_FN;                 /* REPORT prints a line: case 9, rarely */
        call(c, hi | (WV_HC_FIRST + fn), PUTC_BAD_BYTE | wild(r), wild(r), wild(r));
        return 1;
    }
    case 9:
        if (prng_below(r, 16) == 0) {           /* prints a line: rarely */
            call(HVC0, WV_HC_REPORT, wild(r), wild(r), 0);
            return 1;
        }
        call(c, hi | (WV_HC_FIRST + WV_HC_KNOWN + prng_below(r, 0x100)), wild(r), wild(r), wild(r));
        return 1;
    default: call(c, random_id(r), wild(r), wild(r), wild(r)); return 1;
    }
}

/* CPU_SUSPEND: a wait like WFI (every power state is standby, docs/abi.md 3), so bounded
 * the same way: the guest's GIC state put back and its timer armed first. */
uint32_t act_suspend(struct prng *r)
{
    enum conduit c = prng_below(r, 2) ? SMC0 : HVC0;
    uint32_t exits = fuzz_gic_tidy();
    fuzz_vtimer_arm(SUSPEND_WAKE_US);
    call(c, PSCI_CPU_SUSPEND_64, prng_next(r) & ~(uint64_t)PSCI_STATE_TYPE_PD, bad_entry(r), wild(r));
    fuzz_count.irqs += fuzz_gic_drain(0);
    fuzz_vtimer_off();
    return exits + 1;
}
