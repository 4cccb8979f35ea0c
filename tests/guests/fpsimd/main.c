/* guest-fpsimd: a guest's FP/SIMD registers must survive everything the hypervisor does
 * while it is out of the guest (docs/abi.md, "FP/SIMD registers"): exits of every kind
 * this guest makes (hypercalls, trapped MMIO reads, the UART writes of its own lines),
 * the other vCPU of its physical CPU running in between (slice ends), and live updates of
 * the core. Round after round it fills V0-V31, FPCR and FPSR with a pattern of its own
 * (regs.S), exits, and checks every register; a different seed per VM and round, so a
 * neighbour's values or an old round's are caught too. It prints
 *   fpsimd: READY
 *   fpsimd: rounds <n> ok           every ROUNDS_PER_LINE rounds, forever
 *   fpsimd: ERROR round <n>: <register> changed   and stops, on the first mismatch */
#include <stdint.h>

#include "hvc.h"
#include "mmio.h"
#include "print.h"
#include "uart.h"

#define ROUNDS_PER_LINE 2000u
#define UART_FR         (0x09000000u + 0x18u)   /* PL011 flag register: a trapped read */

void fp_fill(uint64_t seed, uint64_t fpcr, uint64_t fpsr);
uint64_t fp_check(uint64_t seed, uint64_t fpcr, uint64_t fpsr);

/* FPCR: RMode (bits 23:22) toward minus infinity, FZ (24), DN (25); FPSR: the cumulative
 * flags IOC, DZC, OFC, UFC, IXC (4:0), IDC (7) and QC (27). Nothing at EL2 may change
 * either (ARM ARM C5.2.7, C5.2.8). */
#define FPCR_PATTERN    ((2ull << 22) | (1ull << 24) | (1ull << 25))
#define FPSR_PATTERN    ((1ull << 27) | 0x9full)

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

static void __attribute__((noreturn)) fail(uint64_t round, uint64_t what)
{
    uart_puts("fpsimd: ERROR round ");
    print_dec(round);
    uart_puts(": ");
    if (what == 33) uart_puts("FPCR");
    else if (what == 34) uart_puts("FPSR");
    else { uart_puts("V"); print_dec(what - 1); }
    uart_puts(" changed\n");
    for (;;)
        __asm__ volatile("wfe");
}

void guest_main(void)
{
    /* CPACR_EL1.FPEN = 0b11: FP/SIMD instructions at EL1 and EL0 not trapped (ARM ARM
     * D17.2.30). */
    uint64_t cpacr;
    __asm__ volatile("mrs %0, cpacr_el1" : "=r"(cpacr));
    __asm__ volatile("msr cpacr_el1, %0; isb" : : "r"(cpacr | (3ull << 20)));
    uint64_t vcpus;
    uint64_t vm = wv_hc_vm_info(&vcpus);
    uart_puts("fpsimd: READY\n");
    for (uint64_t round = 1;; round++) {
        uint64_t seed = mix((vm << 48) ^ round);
        fp_fill(seed, FPCR_PATTERN, FPSR_PATTERN);
        switch (round % 3) {
        case 0: wv_hvc(WV_HC_NULL, 0, 0, 0); break;
        case 1: (void)mmio_read32(UART_FR); break;
        default: for (volatile int spin = 0; spin < 200; spin++) {} break;    /* a slice may end here */
        }
        uint64_t bad = fp_check(seed, FPCR_PATTERN, FPSR_PATTERN);
        if (bad) fail(round, bad);
        if (round % ROUNDS_PER_LINE == 0) {
            /* The line itself is exits (the trapped UART): checked like the others. */
            fp_fill(seed, FPCR_PATTERN, FPSR_PATTERN);
            uart_puts("fpsimd: rounds ");
            print_dec(round);
            uart_puts(" ok\n");
            bad = fp_check(seed, FPCR_PATTERN, FPSR_PATTERN);
            if (bad) fail(round, bad);
        }
    }
}
