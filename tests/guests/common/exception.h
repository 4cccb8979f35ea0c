/* The C functions the assembly calls: the exception reporter (vectors.S) and the
 * guest's entry (start.S). */
#ifndef WV_GUEST_EXCEPTION_H
#define WV_GUEST_EXCEPTION_H

#include <stdint.h>

/* Vector index 0..15 (offset from VBAR_EL1 / 0x80), or 16 when guest_main returned.
 * Prints what happened on the UART, then waits forever in WFE. */
void wv_exception_report(uint64_t index) __attribute__((noreturn));

/* x0 as the guest was entered with (start.S): the device tree's address when the
 * loader passes one there, else 0. */
extern uint64_t wv_boot_x0;

/* Entry of the guest proper, called by start.S; must not return. */
void guest_main(void) __attribute__((noreturn));

#endif
