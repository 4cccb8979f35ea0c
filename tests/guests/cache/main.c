/* guest-cache: how long cache and TLB maintenance takes, one operation class at a
 * time. Each loop of ops.S runs a few rounds to warm up, then its rounds between two
 * reads of CNTVCT_EL0; the guest prints one line per class and, under wasmvisor,
 * reports ns per operation with WV_HC_REPORT. Nothing here traps to the hypervisor
 * (HCR_EL2 sets none of TPC, TPU, TSW, TVM, TTLB): what the figures show is the cost
 * of the operations themselves in the VM, against the same image run directly on
 * QEMU. tests/guests/README.md lists the exact lines. */
#include <stdint.h>

#include "config.h"
#include "counter.h"
#include "hello.h"
#include "hvc.h"
#include "print.h"
#include "uart.h"

/* From guest.lds: RAM above the image that nothing else uses. */
extern char __pattern_start[], __pattern_end[];

void cache_dc_civac(uint64_t rounds, uintptr_t base, uint64_t size, uint64_t line);
void cache_dc_cvac(uint64_t rounds, uintptr_t base, uint64_t size, uint64_t line);
void cache_dc_ivac(uint64_t rounds, uintptr_t base, uint64_t size, uint64_t line);
void cache_ic_ivau(uint64_t rounds, uintptr_t base, uint64_t size, uint64_t line);
void cache_lines(uint64_t rounds, uintptr_t base, uint64_t size, uint64_t line);
void cache_ic_iallu(uint64_t rounds);
void cache_tlbi(uint64_t rounds);
void cache_tlbi_is(uint64_t rounds);
void cache_empty(uint64_t rounds);

typedef void by_line_fn(uint64_t, uintptr_t, uint64_t, uint64_t);
typedef void whole_fn(uint64_t);

/* One operation class: a by-line loop (line_op) or a whole-cache one (whole_op). The
 * I-side ones walk the buffer in instruction-cache lines. */
struct op_class {
    const char *name;
    by_line_fn *line_op;
    whole_fn *whole_op;
    int icache;
};

static const struct op_class classes[] = {
    { "dc civac", cache_dc_civac, 0, 0 },
    { "dc cvac", cache_dc_cvac, 0, 0 },
    { "dc ivac", cache_dc_ivac, 0, 0 },
    { "ic ivau", cache_ic_ivau, 0, 1 },
    { "line loop", cache_lines, 0, 0 },
    { "ic iallu", 0, cache_ic_iallu, 0 },
    { "tlbi vmalle1", 0, cache_tlbi, 0 },
    { "tlbi vmalle1is", 0, cache_tlbi_is, 0 },
    { "empty loop", 0, cache_empty, 0 },
};

#define NCLASSES (sizeof classes / sizeof classes[0])

/* CTR_EL0 (ARM ARM D17.2.34): DminLine [19:16] and IminLine [3:0], log2 of the
 * smallest line in 4-byte words. */
static uint64_t ctr_el0(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, ctr_el0" : "=r"(v));
    return v;
}

/* Rounded, whole seconds and the remainder apart (no 128-bit arithmetic). */
static uint64_t ticks_to_ns(uint64_t ticks, uint64_t freq)
{
    uint64_t q = ticks / freq, r = ticks % freq;
    return q * CACHE_NS_PER_SECOND + (r * CACHE_NS_PER_SECOND + freq / 2) / freq;
}

static void report(int hypercalls, uint64_t id, uint64_t value)
{
    if (!hypercalls)
        return;
    uint64_t rc = wv_hc_report(id, value);
    if (rc != WV_HC_SUCCESS) {
        uart_puts("ERROR: WV_HC_REPORT returned ");
        print_hex(rc);
        uart_putc('\n');
    }
}

void guest_main(void)
{
    uint64_t vcpus;
    int hypercalls = guest_hello("cache", &vcpus);
    uint64_t freq = counter_freq();
    uint64_t ctr = ctr_el0();
    uint64_t dline = 4ull << ((ctr >> 16) & 0xf), iline = 4ull << (ctr & 0xf);
    uintptr_t buf = (uintptr_t)__pattern_start;
    uint64_t size = CACHE_BUFFER_SIZE;

    uart_puts("cache: dline ");
    print_dec(dline);
    uart_puts(" iline ");
    print_dec(iline);
    uart_puts(" buffer ");
    print_dec(size);
    uart_puts(" at ");
    print_hex(buf);
    uart_puts(", counter ");
    print_dec(freq);
    uart_puts(" Hz\n");
    if (freq == 0 || (uint64_t)(__pattern_end - __pattern_start) < size) {
        uart_puts("cache: ERROR no counter frequency or no room for the buffer\n");
        for (;;)
            __asm__ volatile("wfe");
    }

    uint64_t all = 0;
    for (uint64_t i = 0; i < NCLASSES; i++) {
        const struct op_class *c = &classes[i];
        uint64_t rounds, ops, t0, t1;
        if (c->line_op) {
            uint64_t line = c->icache ? iline : dline;
            c->line_op(CACHE_WARMUP_ROUNDS, buf, size, line);
            rounds = CACHE_LINE_ROUNDS;
            ops = rounds * (size / line);
            t0 = counter_ticks();
            c->line_op(rounds, buf, size, line);
            t1 = counter_ticks();
        } else {
            c->whole_op(CACHE_WARMUP_ROUNDS);
            rounds = CACHE_WHOLE_ROUNDS;
            ops = rounds;
            t0 = counter_ticks();
            c->whole_op(rounds);
            t1 = counter_ticks();
        }
        uint64_t ticks = t1 - t0, ns = ticks_to_ns(ticks, freq);
        uint64_t per_op = (ns + ops / 2) / ops;
        all += ticks;
        uart_puts("cache: ");
        uart_puts(c->name);
        uart_puts(": ");
        print_dec(ops);
        uart_puts(" ops in ");
        print_dec(ticks);
        uart_puts(" ticks, ");
        print_dec(ns);
        uart_puts(" ns, ");
        print_dec(per_op);
        uart_puts(" ns per op\n");
        report(hypercalls, CACHE_METRIC_FIRST + i, per_op);
    }
    uart_puts("cache: all ");
    print_dec(all);
    uart_puts(" ticks, ");
    print_dec(ticks_to_ns(all, freq));
    uart_puts(" ns\n");
    uart_puts("READY cache\n");
    uart_puts("CACHE DONE\n");
    for (;;)
        __asm__ volatile("wfi");
}
