/* The basic test guest. One source, three images, chosen at compile time:
 *   WV_GUEST_MODE_FAULT   -> guest-fault.bin:   checks, then reads an unmapped IPA
 *   WV_GUEST_MODE_COUNTER -> guest-counter.bin: checks, then "tick <n>" every 20 ms
 *   WV_GUEST_MODE_BENCH   -> guest-bench.bin:   hypercall / MMIO round-trip timings
 *   WV_GUEST_MODE_SPIN    -> guest-spin.bin:    checks, then a loop that never waits
 * tests/guests/README.md lists the exact lines each one prints; integration tests
 * match them, so change both together. */
#include <stdint.h>

#include "counter.h"
#include "exception.h"
#include "hvc.h"
#include "mmio.h"
#include "print.h"
#include "uart.h"

#if (defined(WV_GUEST_MODE_FAULT) + defined(WV_GUEST_MODE_COUNTER) + defined(WV_GUEST_MODE_BENCH) \
     + defined(WV_GUEST_MODE_SPIN)) != 1
#error "define exactly one of WV_GUEST_MODE_FAULT, WV_GUEST_MODE_COUNTER, WV_GUEST_MODE_BENCH, WV_GUEST_MODE_SPIN"
#endif

/* From guest.lds: 4 MiB of RAM above the image, stacks included. */
extern char __pattern_start[], __pattern_end[];

static void __attribute__((noreturn, unused)) stop(void)   /* not every mode stops */
{
    uart_puts("guest stopped (wfe loop)\n");
    for (;;)
        __asm__ volatile("wfe");
}

/* ---- checks shared by the modes ---------------------------------------------- */

static void hello(void)
{
    uint64_t vcpus;
    uint64_t idx = wv_hc_vm_info(&vcpus);
    uart_puts("hello from vm ");
    print_dec(idx);
    uart_puts(", ");
    print_dec(vcpus);
    uart_puts(" vCPU(s)\n");
}

static void check_version(void)
{
    uint64_t core;
    uint64_t abi = wv_hc_version(&core);
    if (abi != WV_ABI_VERSION) {
        uart_puts("ERROR: hypercall ABI version ");
        print_dec(abi);
        uart_puts(", expected ");
        print_dec(WV_ABI_VERSION);
        uart_putc('\n');
        return;
    }
    uart_puts("hypercall ABI ");
    print_dec(abi);
    uart_puts(", core version ");
    print_dec((core >> 16) & 0xff);
    uart_putc('.');
    print_dec((core >> 8) & 0xff);
    uart_putc('.');
    print_dec(core & 0xff);
    uart_putc('\n');
}

/* The same console line is fed by WV_HC_PUTC and by the PL011 (docs/abi.md 3):
 * one line through each. */
static void check_consoles(void)
{
    static const char via_hvc[] = "console via WV_HC_PUTC ok\n";
    for (const char *s = via_hvc; *s; s++) {
        uint64_t r = wv_hc_putc(*s);
        if (r != WV_HC_SUCCESS) {
            if (s != via_hvc)
                uart_putc('\n');       /* end the partial line first */
            uart_puts("ERROR: WV_HC_PUTC returned ");
            print_hex(r);
            uart_putc('\n');
            return;
        }
    }
    uart_puts("console via PL011 ok\n");
}

#if defined(WV_GUEST_MODE_FAULT) || defined(WV_GUEST_MODE_COUNTER)
/* xorshift64 (shifts 13, 7, 17): a full-period sequence of 64-bit values, so a
 * word that aliases another, or a stuck or swapped bit, reads back wrong. */
static uint64_t xorshift64(uint64_t x)
{
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

#define PATTERN_SEED 0x2545f4914f6cdd1dull     /* any non-zero value */

/* Writes the sequence over the 4 MiB above the image, then reads it all back.
 * volatile: the compiler must neither drop the reads nor fold them into the writes. */
static void pattern_check(void)
{
    volatile uint64_t *p = (volatile uint64_t *)__pattern_start;
    uint64_t words = (uint64_t)(__pattern_end - __pattern_start) / sizeof(uint64_t);
    uint64_t x = PATTERN_SEED;

    uart_puts("pattern check: ");
    print_dec((words * sizeof(uint64_t)) >> 20);
    uart_puts(" MiB at ");
    print_hex((uintptr_t)__pattern_start);
    uart_putc('\n');

    for (uint64_t i = 0; i < words; i++) {
        x = xorshift64(x);
        p[i] = x;
    }
    x = PATTERN_SEED;
    for (uint64_t i = 0; i < words; i++) {
        x = xorshift64(x);
        uint64_t got = p[i];
        if (got != x) {
            uart_puts("pattern BAD at ");
            print_hex((uintptr_t)&p[i]);
            uart_puts(": read ");
            print_hex(got);
            uart_puts(", expected ");
            print_hex(x);
            uart_putc('\n');
            stop();
        }
    }
    uart_puts("pattern ok\n");
}
#endif

/* ---- WV_GUEST_MODE_FAULT ------------------------------------------------------ */
#ifdef WV_GUEST_MODE_FAULT
/* Nothing is mapped at this IPA in the VM (neither RAM nor a device): the read
 * faults at stage 2 and the hypervisor must stop the VM. */
#define UNMAPPED_IPA 0x20000000ul

static void __attribute__((noreturn)) run(void)
{
    pattern_check();
    uart_puts("READY basic\n");
    uart_puts("touching unmapped IPA ");
    print_hex(UNMAPPED_IPA);
    uart_putc('\n');
    (void)mmio_read32(UNMAPPED_IPA);
    for (;;)
        uart_puts("ERROR: still running after the fault\n");
}
#endif

/* ---- WV_GUEST_MODE_COUNTER ---------------------------------------------------- */
#ifdef WV_GUEST_MODE_COUNTER
#define TICKS_PER_SECOND 50     /* one line every 20 ms */

static void __attribute__((noreturn)) run(void)
{
    uint64_t freq = counter_freq();
    if (freq < TICKS_PER_SECOND) {
        uart_puts("ERROR: CNTFRQ_EL0 is ");
        print_dec(freq);
        uart_putc('\n');
        stop();
    }
    uint64_t period = freq / TICKS_PER_SECOND;

    pattern_check();
    uart_puts("counter: CNTFRQ_EL0 ");
    print_dec(freq);
    uart_puts(" Hz, tick every 20 ms\n");
    uart_puts("READY counter\n");

    /* Deadlines are absolute (next += period), so printing time does not add up
     * into drift. The signed difference survives a counter wrap. */
    uint64_t next = counter_ticks() + period;
    for (uint64_t n = 1;; n++) {
        while ((int64_t)(counter_ticks() - next) < 0)
            ;
        uart_puts("tick ");
        print_dec(n);
        uart_putc('\n');
        next += period;
    }
}
#endif

/* ---- WV_GUEST_MODE_SPIN ------------------------------------------------------- */
#ifdef WV_GUEST_MODE_SPIN
/* A vCPU that is always busy: it never executes WFI or WFE, takes no interrupt and
 * makes no exit after its ready line, so it gives up its physical CPU only when the
 * hypervisor's time slice ends. A neighbour on the same CPU that waits for its own
 * timer must still be woken in time. */

static void __attribute__((noreturn)) run(void)
{
    uart_puts("READY spin\n");
    for (volatile uint64_t n = 0;; n++)
        ;
}
#endif

/* ---- WV_GUEST_MODE_BENCH ------------------------------------------------------ */
#ifdef WV_GUEST_MODE_BENCH
/* The host runs QEMU with -icount shift=0: virtual time advances 1 ns per executed
 * instruction (2^0), and CNTVCT follows virtual time. So the "ns" below are
 * instruction counts, for the guest's trapping instruction plus everything the
 * hypervisor runs to handle it: deterministic, comparable between builds, and not
 * wall-clock times. */
#define BENCH_ITERS   2000u
#define BENCH_WARMUP  100u

#define METRIC_HVC_NS   1u
#define METRIC_MMIO_NS  2u
#define METRIC_LOOP_NS  3u

/* bench.S: n >= 1 iterations of the loop; addr is used by bench_mmio_read only. */
typedef void bench_fn(uint64_t n, uintptr_t addr);
extern bench_fn bench_loop, bench_hvc_null, bench_mmio_read;

static uint64_t timed_ticks(bench_fn *fn, uintptr_t addr)
{
    fn(BENCH_WARMUP, addr);
    uint64_t t0 = counter_ticks();
    fn(BENCH_ITERS, addr);
    uint64_t t1 = counter_ticks();
    return t1 - t0;
}

/* round(hi:lo / den) for a 128-bit numerator, by restoring long division on the
 * 64 low bits (no libgcc in the guests, and so no __udivti3). Saturates when the
 * quotient does not fit in 64 bits (hi >= den). */
static uint64_t div128_round(uint64_t hi, uint64_t lo, uint64_t den)
{
    uint64_t half = den / 2;
    lo += half;
    hi += lo < half;                        /* carry out of the low word */
    if (hi >= den)
        return UINT64_MAX;
    uint64_t r = hi, q = 0;
    for (int i = 63; i >= 0; i--) {
        uint64_t top = r >> 63;             /* the bit the shift pushes out */
        r = (r << 1) | ((lo >> i) & 1);
        if (top || r >= den) {
            r -= den;
            q |= 1ull << i;
        }
    }
    return q;
}

/* ticks over BENCH_ITERS operations -> rounded ns per operation:
 * ticks * 1e9 / (freq * BENCH_ITERS), with the product in 128 bits. */
static uint64_t ns_per_op(uint64_t ticks, uint64_t freq)
{
    unsigned __int128 num = (unsigned __int128)ticks * 1000000000u;
    return div128_round((uint64_t)(num >> 64), (uint64_t)num, freq * BENCH_ITERS);
}

static void report(uint64_t id, uint64_t value)
{
    uint64_t r = wv_hc_report(id, value);
    if (r != WV_HC_SUCCESS) {
        uart_puts("ERROR: WV_HC_REPORT returned ");
        print_hex(r);
        uart_putc('\n');
    }
}

static void say(const char *what, uint64_t ns, uint64_t ticks)
{
    uart_puts(what);
    print_dec(ns);
    uart_puts(" ns (");
    print_dec(ticks);
    uart_puts(" counter ticks for ");
    print_dec(BENCH_ITERS);
    uart_puts(")\n");
}

static void __attribute__((noreturn)) run(void)
{
    uint64_t freq = counter_freq();
    if (freq == 0) {
        uart_puts("ERROR: CNTFRQ_EL0 is 0\n");
        stop();
    }
    uart_puts("bench: ");
    print_dec(BENCH_ITERS);
    uart_puts(" iterations after ");
    print_dec(BENCH_WARMUP);
    uart_puts(" warm-up, counter at ");
    print_dec(freq);
    uart_puts(" Hz\n");

    uint64_t loop = timed_ticks(bench_loop, 0);
    uint64_t hvc = timed_ticks(bench_hvc_null, 0);
    uint64_t mmio = timed_ticks(bench_mmio_read, WV_UART_BASE + WV_UARTFR);

    /* The trapping loops minus the bare loop: the cost of the one extra instruction. */
    uint64_t hvc_net = hvc > loop ? hvc - loop : 0;
    uint64_t mmio_net = mmio > loop ? mmio - loop : 0;
    uint64_t hvc_ns = ns_per_op(hvc_net, freq);
    uint64_t mmio_ns = ns_per_op(mmio_net, freq);
    uint64_t loop_ns = ns_per_op(loop, freq);

    say("hypercall round trip: ", hvc_ns, hvc);
    say("mmio read round trip: ", mmio_ns, mmio);
    say("loop overhead: ", loop_ns, loop);
    report(METRIC_HVC_NS, hvc_ns);
    report(METRIC_MMIO_NS, mmio_ns);
    report(METRIC_LOOP_NS, loop_ns);

    uart_puts("READY bench\n");
    uart_puts("BENCH DONE\n");
    /* WFI with interrupts masked and none routed: sleeps; under the hypervisor the
     * WFI traps (HCR_EL2.TWI) and the vCPU idles. */
    for (;;)
        __asm__ volatile("wfi");
}
#endif

void guest_main(void)
{
    hello();
    check_version();
    check_consoles();
    run();
}
