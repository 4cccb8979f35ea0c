/* Reports an exception taken to EL1, on the UART only (the exception may have come
 * from a hypercall, so no HVC here), then stops the vCPU in a WFE loop: a test
 * guest must never die silently, nor carry on after something unexpected. */
#include "exception.h"
#include "print.h"
#include "uart.h"

#define READ_SYSREG(r) ({ uint64_t v_; __asm__ volatile("mrs %0, " #r : "=r"(v_)); v_; })

/* Vector groups, in table order (ARM ARM, "Exception vectors"). */
static const char *const groups[4] = {
    "current EL with SP_EL0", "current EL with SP_ELx",
    "lower EL (AArch64)", "lower EL (AArch32)",
};
static const char *const kinds[4] = { "sync", "IRQ", "FIQ", "SError" };

/* ESR_ELx.EC values a test guest can plausibly meet (ARM ARM, ESR_EL1, "EC"). */
static const char *ec_name(uint32_t ec)
{
    switch (ec) {
    case 0x00: return "unknown reason";
    case 0x01: return "trapped WFI/WFE";
    case 0x07: return "FP/SIMD access trapped";
    case 0x0e: return "illegal execution state";
    case 0x15: return "SVC";
    case 0x16: return "HVC";
    case 0x17: return "SMC";
    case 0x18: return "trapped system register access";
    case 0x20: return "instruction abort, lower EL";
    case 0x21: return "instruction abort, same EL";
    case 0x22: return "PC alignment fault";
    case 0x24: return "data abort, lower EL";
    case 0x25: return "data abort, same EL";
    case 0x26: return "SP alignment fault";
    case 0x2f: return "SError";
    case 0x3c: return "BRK";
    default:   return "other";
    }
}

static volatile uint32_t reporting;

void wv_exception_report(uint64_t index)
{
    /* A fault while reporting (say, the UART itself faulting) would come back here:
     * stop quietly the second time rather than loop on it. */
    if (reporting)
        for (;;)
            __asm__ volatile("wfe");
    reporting = 1;

    uart_end_line();
    if (index >= 16) {
        uart_puts("EXCEPTION: guest_main returned\n");
    } else {
        uint64_t esr = READ_SYSREG(esr_el1);
        uint32_t ec = (uint32_t)(esr >> 26) & 0x3f;     /* ESR_EL1.EC is bits [31:26] */
        uart_puts("EXCEPTION: ");
        uart_puts(kinds[index & 3]);
        uart_puts(" from ");
        uart_puts(groups[index >> 2]);
        uart_puts(": EC ");
        print_hex(ec);
        uart_puts(" (");
        uart_puts(ec_name(ec));
        uart_puts(")\n  ESR_EL1 ");
        print_hex(esr);
        uart_puts(" ELR_EL1 ");
        print_hex(READ_SYSREG(elr_el1));
        /* FAR_EL1 is only meaningful for aborts and alignment faults; printed anyway. */
        uart_puts(" FAR_EL1 ");
        print_hex(READ_SYSREG(far_el1));
        uart_puts(" SPSR_EL1 ");
        print_hex(READ_SYSREG(spsr_el1));
        uart_putc('\n');
    }
    uart_puts("guest stopped (wfe loop)\n");
    for (;;)
        __asm__ volatile("wfe");
}
