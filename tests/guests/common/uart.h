/* Output on the PL011 UART the VM sees at IPA 0x09000000 (docs/abi.md section 3,
 * "Emulated devices"). Only transmit is used: UARTDR writes, UARTFR polling. */
#ifndef WV_GUEST_UART_H
#define WV_GUEST_UART_H

#include <stdint.h>

#define WV_UART_BASE    0x09000000ul
/* Register offsets and UARTFR bits from the PL011 TRM (ARM DDI 0183), register summary. */
#define WV_UARTDR       0x000u
#define WV_UARTFR       0x018u
#define WV_UARTFR_TXFF  (1u << 5)   /* transmit FIFO full: wait before writing UARTDR */

/* One byte, as is. */
void uart_putc_raw(char c);
/* One byte; '\n' goes out as "\r\n" (the hypervisor's console drops the '\r'). */
void uart_putc(char c);
void uart_puts(const char *s);
/* Ends the line uart_putc was in the middle of, if any (for reports that must
 * start on a line of their own). */
void uart_end_line(void);

#endif
