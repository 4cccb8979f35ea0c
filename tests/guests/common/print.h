/* Minimal number printing on the UART (no libc in the guests). */
#ifndef WV_GUEST_PRINT_H
#define WV_GUEST_PRINT_H

#include <stdint.h>

/* Unsigned decimal, no padding. */
void print_dec(uint64_t v);
/* "0x" then hexadecimal, lower case, no leading zeros ("0x0" for zero). */
void print_hex(uint64_t v);

#endif
