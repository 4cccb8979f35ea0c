/* Console input: the physical console's receive side, shared by the VMs by a key
 * sequence (docs/abi.md section 5; core/console_in.c). */
#ifndef WV_CONSOLE_IN_H
#define WV_CONSOLE_IN_H
#include <stdint.h>

struct wv_vm;

/* Once the VMs are created, before the other CPUs start: pick the VM with the focus,
 * route the UART's SPI to CPU 0 and enable its receive interrupts. */
void wv_console_in_init(void);
/* An interrupt CPU 0 acknowledged (an IRQ exit, or its idle loop): 1 when it was the
 * UART's, now handled (the caller deactivates it and hands it to no core), else 0. */
int wv_console_in_irq(uint32_t intid);
/* An exit of `vm` is done and its core unlocked: deliver the input waiting for it. */
void wv_console_in_exit_done(struct wv_vm *vm);

#endif
