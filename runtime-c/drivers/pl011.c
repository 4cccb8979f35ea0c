/* PL011 UART, transmit side (PrimeCell UART TRM, DDI 0183: UARTDR 0x000, UARTFR 0x018,
 * FR.TXFF bit 5 = transmit FIFO full). */
#include "wv_console.h"
#include "wv_lock.h"

#define UARTDR      0x000
#define UARTFR      0x018
#define FR_TXFF     (1u << 5)

static volatile uint8_t *uart;
static wv_spinlock_t console_lock;

void wv_console_init(uint64_t base)
{
    uart = (volatile uint8_t *)base;
}

static void putc_raw(char c)
{
    while (*(volatile uint32_t *)(uart + UARTFR) & FR_TXFF) { }
    *(volatile uint32_t *)(uart + UARTDR) = (uint8_t)c;
}

void wv_console_write(const char *s, size_t len)
{
    if (!uart) return;
    wv_lock(&console_lock);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n') putc_raw('\r');
        putc_raw(s[i]);
    }
    wv_unlock(&console_lock);
}
