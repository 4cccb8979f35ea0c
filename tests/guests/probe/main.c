/* Probe guest: reads and calls an address the VM has no memory or device at, as a
 * program probing for hardware does, and handles the synchronous external aborts it
 * gets (in a VM with "unmapped_access": "external-abort"), printing what the exception
 * registers said, then carries on (tests/guests/README.md, "guest-probe"). */
#include <stdint.h>
#include "uart.h"
#include "print.h"

#define HOLE_IPA        0x20000000ul
#define ALIVE_LINES     3
/* ESR_ELx fields (ARM ARM D17.2.37): EC [31:26], IL [25], DFSC/IFSC [5:0]. */
#define ESR_EC(e)       (((e) >> 26) & 0x3f)
#define ESR_FSC(e)      ((e) & 0x3f)
#define EC_IABT_CUR     0x21
#define EC_DABT_CUR     0x25
#define A64_INSN_BYTES  4
#define REG_LR          30

extern char probe_vectors[];

static volatile uint64_t seen_esr, seen_far, seen_elr, aborts;

/* Called from the synchronous vector (vectors.S) with the saved x[0..30]; returns where
 * to resume: past a faulting load, or back to the caller of a faulting branch. */
uint64_t probe_abort(uint64_t esr, uint64_t far, uint64_t elr, const uint64_t *x)
{
    seen_esr = esr;
    seen_far = far;
    seen_elr = elr;
    aborts++;
    if (ESR_EC(esr) == EC_DABT_CUR) return elr + A64_INSN_BYTES;
    if (ESR_EC(esr) == EC_IABT_CUR) return x[REG_LR];
    uart_puts("probe: ERROR unexpected exception, ESR ");
    print_hex(esr);
    uart_puts("\n");
    for (;;) __asm__ volatile("wfe");
}

static void report(const char *what, uint64_t want_elr)
{
    uart_puts("probe: ");
    uart_puts(what);
    uart_puts(" EC ");
    print_hex(ESR_EC(seen_esr));
    uart_puts(" FSC ");
    print_hex(ESR_FSC(seen_esr));
    uart_puts(" FAR ");
    print_hex(seen_far);
    uart_puts(seen_elr == want_elr ? " ELR at the access\n" : " ELR elsewhere\n");
}

void guest_main(void)
{
    __asm__ volatile("msr vbar_el1, %0; isb" : : "r"(probe_vectors));
    uart_puts("probe: reading IPA 0x20000000\n");
    uint64_t value, at;
    __asm__ volatile("adr %1, 1f\n1: ldr %w0, [%2]" : "=&r"(value), "=&r"(at) : "r"(HOLE_IPA) : "memory");
    (void)value;
    report("data abort", at);
    uart_puts("probe: calling IPA 0x20000000\n");
    ((void (*)(void))HOLE_IPA)();
    report("instruction abort", HOLE_IPA);
    uart_puts("probe: ");
    print_dec(aborts);
    uart_puts(" aborts handled\n");
    uart_puts("READY probe\n");
    for (unsigned i = 1; i <= ALIVE_LINES; i++) {
        uart_puts("probe alive ");
        print_dec(i);
        uart_puts("\n");
    }
    for (;;) __asm__ volatile("wfe");
}
