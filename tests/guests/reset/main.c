/* guest-reset: restarts its own VM twice through PSCI SYSTEM_RESET (docs/abi.md 3),
 * then settles. A boot counter kept in RAM past the image (which a restart reloads,
 * but does not wipe the rest of RAM, just as a real reset leaves DRAM alone) tells
 * each boot apart:
 *   reset guest: boot 1 / boot 2 / boot 3, then READY reset and `alive <n>` lines.
 * The integration test checks that only this VM restarted, the others went on. */
#include <stdint.h>
#include "hvc.h"
#include "uart.h"
#include "print.h"
#include "counter.h"

#define BOOTS_WANTED        3u
#define COUNTER_ADDR        0x40f00000ul            /* 15 MiB into the VM's 16 MiB */
#define COUNTER_MAGIC       0x7773657462746f6full   /* marks the counter as initialised */
#define PSCI_SYSTEM_RESET   0x84000009u
#define ALIVE_PERIOD_MS     20u

struct boot_counter { uint64_t magic, boots; };

void guest_main(void)
{
    volatile struct boot_counter *c = (volatile struct boot_counter *)COUNTER_ADDR;
    if (c->magic != COUNTER_MAGIC) { c->magic = COUNTER_MAGIC; c->boots = 0; }
    c->boots++;
    uart_puts("reset guest: boot ");
    print_dec(c->boots);
    uart_puts("\n");
    if (c->boots < BOOTS_WANTED) {
        uart_puts("reset guest: PSCI SYSTEM_RESET\n");
        wv_hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
        uart_puts("ERROR: SYSTEM_RESET returned\n");
        for (;;) { }
    }
    uart_puts("READY reset\n");
    uint64_t freq = counter_freq(), next = counter_ticks();
    for (uint64_t n = 1;; n++) {
        next += freq / 1000u * ALIVE_PERIOD_MS;
        while (counter_ticks() < next) { }
        uart_puts("alive ");
        print_dec(n);
        uart_puts("\n");
    }
}
