/* A small printf for the runtime's own messages (no picolibc stdio at EL2). */
#include "wv_console.h"
#include "wv_mgmt.h"
#include <string.h>

struct out { char *buf; size_t cap, len; };

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->cap) o->buf[o->len] = c;
    o->len++;
}

static void put_num(struct out *o, unsigned long long v, unsigned base, int width, char pad, int neg)
{
    char tmp[24];
    int n = 0;
    do { tmp[n++] = "0123456789abcdef"[v % base]; v /= base; } while (v);
    if (neg) tmp[n++] = '-';
    while (width-- > n) put(o, pad);
    while (n) put(o, tmp[--n]);
}

int wv_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
    struct out o = { buf, cap, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') { put(&o, *fmt); continue; }
        fmt++;
        char pad = ' ';
        int width = 0, lng = 0, prec = -1;
        if (*fmt == '0') { pad = '0'; fmt++; }
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        if (fmt[0] == '.' && fmt[1] == '*') { prec = va_arg(ap, int); fmt += 2; }   /* %.*s */
        while (*fmt == 'l') { lng++; fmt++; }
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            while (*s && prec-- != 0) put(&o, *s++);
            break;
        }
        case 'c': put(&o, (char)va_arg(ap, int)); break;
        case 'd': {
            long long v = lng ? va_arg(ap, long long) : va_arg(ap, int);
            put_num(&o, v < 0 ? -(unsigned long long)v : (unsigned long long)v, 10, width, pad, v < 0);
            break;
        }
        case 'u': case 'x': {
            unsigned long long v = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
            put_num(&o, v, *fmt == 'x' ? 16 : 10, width, pad, 0);
            break;
        }
        case 'p': put(&o, '0'); put(&o, 'x'); put_num(&o, (unsigned long long)(uintptr_t)va_arg(ap, void *), 16, 0, ' ', 0); break;
        case '%': put(&o, '%'); break;
        default: put(&o, '%'); if (*fmt) put(&o, *fmt); else fmt--; break;
        }
    }
    if (cap) buf[o.len < cap ? o.len : cap - 1] = 0;
    return (int)o.len;
}

int wv_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = wv_vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

void wv_printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = wv_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1) n = sizeof buf - 1;
    wv_console_write(buf, (size_t)n);
    wv_log_append(buf, (size_t)n);
}
