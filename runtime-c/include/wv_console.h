/* The physical console: one PL011 shared by every VM and the hypervisor.
 * Whole lines are written under a lock so that lines of different CPUs do not mix. */
#ifndef WV_CONSOLE_H
#define WV_CONSOLE_H
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

void wv_console_init(uint64_t base);
void wv_console_write(const char *s, size_t len);     /* locked, as one piece */
/* Receive side (console input, core/console_in.c): turn the FIFO and the receive
 * interrupts on; clear the receive interrupts (before draining); a received byte, or -1
 * when none waits. Only the CPU that takes the UART's interrupt reads. */
void wv_console_rx_enable(void);
void wv_console_rx_clear(void);
int wv_console_getc(void);
/* printf subset: %s %.*s %c %d %u %x %lu %lx %llu %llx %ld %p, width/zero-pad for x/u.
 * The line is formatted into a buffer, then written as one piece. */
void wv_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int wv_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
int wv_snprintf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
