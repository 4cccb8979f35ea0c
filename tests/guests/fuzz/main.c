/* guest-fuzz: a hostile guest. vCPU 0 reads its parameters (params.h), prints
 *   fuzz: seed <S>
 * and then runs actions drawn from a PRNG seeded with S (actions.h: hypercalls and SMCs
 * with wild arguments, trapped system registers, random-width device accesses, memory
 * edges, cache maintenance, waits, SGI games, vCPU 1 power cycles, management request
 * floods), printing every `report_every` actions
 *   fuzz: actions <A> exits <E> aborts <B> undefs <U> irqs <I> cpu_on <C>
 * and, after `actions` of them (unless 0: endless),
 *   fuzz: done <A> actions
 * then waits forever. tests/guests/README.md, "guest-fuzz", has the details. */
#include <stdint.h>
#include "fuzz.h"
#include "actions.h"
#include "gic.h"
#include "hvc.h"
#include "uart.h"
#include "print.h"
#include "exception.h"
#include "hello.h"

extern char fuzz_vectors[];

struct fuzz_counters fuzz_count;
struct fuzz_params fuzz_par;
uint32_t fuzz_vcpus = 1;
volatile uint32_t uart_dirty;

/* The actions with their weights (out of the sum): the cheap trapping ones most often,
 * the slow ones (waits, power cycles, floods) now and then. */
struct action { uint32_t (*run)(struct prng *); uint32_t weight; const char *name; };
/* The order is the bit order of params.h's skip mask (and tools/fuzz/params.ts's names). */
static const struct action actions[] = {
    { act_call, 20, "call" },
    { act_sysreg, 20, "sysreg" },
    { act_device, 30, "device" },
    { act_memory_edge, 6, "memory" },
    { act_cache, 6, "cache" },
    { act_sgi, 10, "sgi" },
    { act_wait, 3, "wait" },
    { act_irq_window, 2, "irq" },
    { act_cpu_cycle, 1, "cpu" },
    { act_mgmt_flood, 2, "mgmt" },
    { act_suspend, 1, "suspend" },
};
#define ACTION_COUNT (sizeof actions / sizeof actions[0])

static void params_load(void)
{
    const volatile struct fuzz_params *p = (const volatile struct fuzz_params *)FUZZ_PARAMS_IPA;
    if (p->magic != FUZZ_PARAMS_MAGIC || p->version != FUZZ_PARAMS_VERSION) {
        uart_puts("fuzz: ERROR no parameters at ");
        print_hex(FUZZ_PARAMS_IPA);
        uart_puts(" (magic ");
        print_hex(p->magic);
        uart_puts(", version ");
        print_dec(p->version);
        uart_puts(")\nguest stopped (wfe loop)\n");
        for (;;)
            __asm__ volatile("wfe");
    }
    fuzz_par.magic = p->magic;
    fuzz_par.version = p->version;
    fuzz_par.seed = p->seed;
    fuzz_par.actions = p->actions;
    fuzz_par.report_every = p->report_every ? p->report_every : 1u;
    fuzz_par.flags = p->flags;
    fuzz_par.mem_base = p->mem_base;
    fuzz_par.mem_size = p->mem_size;
    fuzz_par.virtio_ipa = p->virtio_ipa;
    fuzz_par.skip = p->skip;
    fuzz_par.trace_from = p->trace_from;
}

static void new_line(void)
{
    if (uart_dirty) {
        uart_putc_raw('\n');
        uart_dirty = 0;
    }
    uart_end_line();
}

static void trace(const char *name)
{
    new_line();
    uart_puts("fuzz: action ");
    print_dec(fuzz_count.actions + 1u);
    uart_putc(' ');
    uart_puts(name);
    uart_putc('\n');
}

static void report(void)
{
    new_line();
    uart_puts("fuzz: actions ");
    print_dec(fuzz_count.actions);
    uart_puts(" exits ");
    print_dec(fuzz_count.exits);
    uart_puts(" aborts ");
    print_dec(fuzz_count.aborts);
    uart_puts(" undefs ");
    print_dec(fuzz_count.undefs);
    uart_puts(" irqs ");
    print_dec(fuzz_count.irqs);
    uart_puts(" cpu_on ");
    print_dec(fuzz_count.cpu_on);
    uart_putc('\n');
}

void guest_main(void)
{
    /* The vectors that survive faults, instead of start.S's reporting ones. */
    SYSREG_WRITE(vbar_el1, (uintptr_t)fuzz_vectors);
    isb();
    params_load();
    uart_puts("fuzz: seed ");
    print_dec(fuzz_par.seed);
    uart_putc('\n');
    uint64_t vcpus = 0;
    if (!guest_hello("fuzz", &vcpus)) {
        uart_puts("guest stopped (wfe loop)\n");
        for (;;)
            __asm__ volatile("wfe");
    }
    fuzz_vcpus = (uint32_t)vcpus;
    fuzz_gic_dist_init();
    if (!fuzz_gic_cpu_init()) {
        uart_puts("fuzz: ERROR no GIC system register interface (ICC_SRE_EL1.SRE reads 0)\n");
        uart_puts("guest stopped (wfe loop)\n");
        for (;;)
            __asm__ volatile("wfe");
    }
    uart_puts("fuzz: flags ");
    print_hex(fuzz_par.flags);
    uart_puts(", memory ");
    print_hex(fuzz_par.mem_base);
    uart_puts(" + ");
    print_hex(fuzz_par.mem_size);
    uart_puts(", virtio-console ");
    print_hex(fuzz_par.virtio_ipa);
    uart_puts(", bound ");
    print_dec(fuzz_par.actions);
    uart_puts(" actions, skipped:");
    uint32_t total = 0;
    for (uint32_t i = 0; i < ACTION_COUNT; i++) {
        if (fuzz_par.skip & (1u << i)) {
            uart_putc(' ');
            uart_puts(actions[i].name);
        } else {
            total += actions[i].weight;
        }
    }
    uart_puts(total ? "\nREADY fuzz\n" : " everything\nREADY fuzz\n");
    struct prng r;
    prng_seed(&r, fuzz_par.seed);
    while (total && (fuzz_par.actions == 0 || fuzz_count.actions < fuzz_par.actions)) {
        uint32_t pick = prng_below(&r, total), i = 0;
        for (;; i++) {
            if (fuzz_par.skip & (1u << i))
                continue;
            if (pick < actions[i].weight)
                break;
            pick -= actions[i].weight;
        }
        if ((fuzz_par.flags & FUZZ_FLAG_TRACE) && fuzz_count.actions + 1u >= fuzz_par.trace_from)
            trace(actions[i].name);
        fuzz_count.exits += actions[i].run(&r);
        fuzz_count.actions++;
        if (fuzz_count.actions % fuzz_par.report_every == 0)
            report();
    }
    fuzz_gic_tidy();
    report();
    uart_puts("fuzz: done ");
    print_dec(fuzz_count.actions);
    uart_puts(" actions\n");
    for (;;)
        __asm__ volatile("wfi");
}
