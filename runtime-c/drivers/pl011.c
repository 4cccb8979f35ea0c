/* PL011 UART, the physical console (PrimeCell UART TRM, ARM DDI 0183, "Register
 * descriptions"): lines written under a lock, and the receive side for console input
 * (its interrupt handled by core/console_in.c). */
#include "wv_console.h"
#include "wv_lock.h"

#define UARTDR      0x000
#define UARTFR      0x018
#define UARTLCR_H   0x02c
#define UARTCR      0x030
#define UARTIMSC    0x038
#define UARTICR     0x044
#define FR_BUSY     (1u << 3)
#define FR_RXFE     (1u << 4)       /* receive FIFO empty */
#define FR_TXFF     (1u << 5)       /* transmit FIFO full */
#define LCRH_FEN    (1u << 4)       /* FIFOs enabled */
#define CR_UARTEN   (1u << 0)
#define CR_TXE      (1u << 8)
#define CR_RXE      (1u << 9)
#define INT_RX      (1u << 4)       /* UARTIMSC.RXIM, UARTICR.RXIC */
#define INT_RT      (1u << 6)       /* UARTIMSC.RTIM, UARTICR.RTIC: receive timeout */
#define DR_DATA     0xffu           /* UARTDR [7:0]; [11:8] are the error flags */

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

static uint32_t rd(uint32_t reg) { return *(volatile uint32_t *)(uart + reg); }
static void wr(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(uart + reg) = v; }

void wv_console_rx_enable(void)
{
    if (!uart) return;
    wv_lock(&console_lock);
    /* UARTCR: reprogram with the UART disabled, once the current character is out; the
     * FIFOs (UARTLCR_H.FEN) hold a burst of input until the interrupt is served. */
    uint32_t cr = rd(UARTCR);
    while (rd(UARTFR) & FR_BUSY) { }
    wr(UARTCR, cr & ~CR_UARTEN);
    wr(UARTLCR_H, rd(UARTLCR_H) | LCRH_FEN);
    wr(UARTICR, INT_RX | INT_RT);
    wr(UARTIMSC, rd(UARTIMSC) | INT_RX | INT_RT);
    wr(UARTCR, cr | CR_UARTEN | CR_TXE | CR_RXE);
    wv_unlock(&console_lock);
}

void wv_console_rx_clear(void)
{
    if (uart) wr(UARTICR, INT_RX | INT_RT);
}

int wv_console_getc(void)
{
    if (!uart || (rd(UARTFR) & FR_RXFE)) return -1;
    return (int)(rd(UARTDR) & DR_DATA);
}
