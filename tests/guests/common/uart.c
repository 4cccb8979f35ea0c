/* PL011 transmit by polling: wait while UARTFR.TXFF says the FIFO is full, then
 * write the byte to UARTDR. No initialisation: the emulated PL011 (and QEMU's)
 * transmits without UARTCR being programmed, and the guests never receive. */
#include "uart.h"
#include "mmio.h"

void uart_putc_raw(char c)
{
    while (mmio_read32(WV_UART_BASE + WV_UARTFR) & WV_UARTFR_TXFF)
        ;
    mmio_write32(WV_UART_BASE + WV_UARTDR, (uint8_t)c);
}

/* Whether the last byte uart_putc sent ended a line (true before the first). */
static int at_line_start = 1;

void uart_putc(char c)
{
    if (c == '\n')
        uart_putc_raw('\r');
    uart_putc_raw(c);
    at_line_start = c == '\n';
}

void uart_end_line(void)
{
    if (!at_line_start)
        uart_putc('\n');
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}
