#include "print.h"
#include "uart.h"

void print_dec(uint64_t v)
{
    char buf[20];                   /* 2^64 - 1 has 20 decimal digits */
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        uart_putc(buf[--n]);
}

void print_hex(uint64_t v)
{
    int shift = 60;
    uart_puts("0x");
    while (shift > 0 && ((v >> shift) & 0xf) == 0)
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        uart_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}
