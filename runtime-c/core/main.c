/* Boot: the boot CPU sets up the console, the heap and every VM's core instance,
 * then starts the other CPUs; each CPU runs the vCPU placed on it. */
#include "wv_core.h"
#include "wv_console.h"
#include "wv_board.h"
#include "wv_validate.h"
#include "wv_psci.h"
#include "wv_arch.h"
#include "wv_alloc.h"
#include "wv_gic.h"
#include "wv_console_in.h"
#include "wv_update.h"
#include "wv_replay.h"
#include "wv_native_load.h"
#include <string.h>

extern char __image_end[], __stacks_start[];
extern void wv_secondary_entry(void);

struct wv_vm wv_vms[WV_MAX_VMS];
uint32_t wv_vm_count;

#define PAGE_POOL_BYTES     (16ull << 20)
#define NOP_CALLS           2000u

void wv_alloc_error(const char *msg, void *ptr)
{
    wv_printf("[wasmvisor] allocator: %s (%p)\n", msg, ptr);
}

static void pcpu_setup(uint32_t cpu)
{
    struct wv_pcpu *p = &wv_pcpus[cpu];
    p->index = cpu;
    p->stack_top = (uint64_t)__stacks_start + (uint64_t)(cpu + 1) * WV_STACK_SLOT;
    p->hw_mapped = ~0u;
    write_sysreg(tpidr_el2, (uint64_t)p);
    isb();
    wv_gic_init_cpu(cpu);
}

/* The VMs of the built-in config, each with an instance of the built-in core module,
 * which was checked once (its stack_bytes), or refused (`refused` says why, 0 if not). */
static void create_vms(const struct wv_core_module *core, const char *refused)
{
    const uint8_t *blob = wv_vms_blob_start;
    size_t blob_len = (size_t)(wv_vms_blob_end - wv_vms_blob_start);
    struct wv_vm_owner owners[WV_MAX_VMS];
    const char *err;
    uint32_t n;
    if (wv_owner_parse(blob, blob_len, &wv_board, owners, WV_MAX_VMS, &n, &err)) {
        wv_printf("[wasmvisor] built-in VM config rejected: %s; no VM started\n", err);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        struct wv_vm *vm = &wv_vms[i];
        vm->index = i;
        vm->vmid = i + 1;
        vm->own = owners[i];
        for (uint32_t c = 0; c < WV_MAX_VCPUS; c++) {
            struct wv_vcpu *v = &vm->vcpus[c];
            v->vm = vm;
            v->index = c;
            v->frame = &v->regs;    /* until an instance holds it in place (wasm_host.c) */
        }
        if (refused) {
            wv_printf("[wasmvisor] vm %s not started: %s\n", vm->own.name, refused);
            vm->stopped = 1;
            continue;
        }
        uint64_t t0 = read_sysreg(cntpct_el0);
        if (wv_core_create(vm, core, blob, blob_len, &err)) {
            wv_printf("[wasmvisor] vm %s not started: %s\n", vm->own.name, err);
            vm->stopped = 1;
            /* Give back the stage-2 pages the refused core asked for. */
            for (uint32_t t = 0; t < vm->s2_table_count; t++) wv_page_free(vm->s2_tables[t]);
            vm->s2_table_count = 0;
            vm->vttbr = 0;
            continue;
        }
        uint64_t build_ns = wv_ticks_to_ns(read_sysreg(cntpct_el0) - t0);
        wv_vm_spis_start(vm);
        wv_printf("[wasmvisor] vm %s created: %u vCPU(s), core instance ready in %lu us\n",
                  vm->own.name, vm->own.vcpu_count, (unsigned long)(build_ns / 1000));
        /* The bench's core_instance_build: creating and setting up one VM's instance. */
        if (vm->own.flags & WV_VM_FLAG_BENCH)
            wv_printf("[wasmvisor] bench core_instance_build %lu\n", (unsigned long)build_ns);
    }
    wv_vm_count = n;
}

/* The built-in module's native part (payload.S; none in an image built for wasm3): its
 * VMs run on it when the loader takes it, else in wasm3, saying why. */
static void load_native_part(struct wv_core_module *core)
{
    size_t len = (size_t)(wv_core_native_end - wv_core_native_start);
    if (!len) {
        wv_printf("[wasmvisor] core runs in wasm3 (the image has no native part)\n");
        return;
    }
    char why[192];
    if (wv_core_load_native(core, wv_core_native_start, len, why, sizeof why)) {
        wv_printf("[wasmvisor] core runs in wasm3: %s\n", why);
        return;
    }
    wv_printf("[wasmvisor] core runs native (%lu KiB of code)\n", (unsigned long)(core->native->text_end >> 10));
}

void wv_main(void)
{
    wv_gic_init_dist();
    pcpu_setup(0);
    wv_console_init(wv_board.uart_pl011);
    wv_printf("[wasmvisor] wasmvisor on %s, EL%lu, %u CPUs\n", wv_board.name,
              (read_sysreg(CurrentEL) >> 2) & 3, wv_board.cpu_count);
    uint64_t hyp_end = wv_board.hyp.base + wv_board.hyp.size;
    uint64_t heap = ((uint64_t)__image_end + 0xfff) & ~0xfffull;
    wv_heap_init((void *)heap, hyp_end - PAGE_POOL_BYTES - heap);
    wv_pages_init(hyp_end - PAGE_POOL_BYTES, PAGE_POOL_BYTES);
    wv_printf("[wasmvisor] core module %lu bytes, heap %lu MiB\n",
              (unsigned long)(wv_core_wasm_end - wv_core_wasm_start),
              (unsigned long)((hyp_end - PAGE_POOL_BYTES - heap) >> 20));

    /* The built-in core module is checked once for every VM and for live update, and its
     * native part, when the image has one, loaded once for all of them. */
    static struct wv_core_module core;
    core.wasm = wv_core_wasm_start;
    core.wasm_len = (size_t)(wv_core_wasm_end - wv_core_wasm_start);
    char why[192];
    int refused = wv_core_module_check(core.wasm, core.wasm_len, &core.stack_bytes, why, sizeof why);
    if (!refused) load_native_part(&core);
    /* A replay image starts no VM: it replays a trace on the module (docs/replay.md). */
    if (wv_replay_enabled) wv_replay_main(&core, refused ? why : 0);
    create_vms(&core, refused ? why : 0);
    wv_update_init(&core);
    /* The host->Wasm call cost, for the bench: only when a benchmark VM asks for it
     * (flag bit 0 of its record), not on every boot. */
    for (uint32_t i = 0; i < wv_vm_count; i++) {
        if (wv_vms[i].stopped || !(wv_vms[i].own.flags & WV_VM_FLAG_BENCH)) continue;
        uint64_t ticks = wv_core_time_nop(&wv_vms[i], NOP_CALLS);
        wv_printf("[wasmvisor] bench host_to_wasm_call %lu\n", wv_ticks_to_ns(ticks) / NOP_CALLS);
        break;
    }
    wv_console_in_init();
    dsb(sy);
    for (uint32_t cpu = 1; cpu < wv_board.cpu_count && cpu < WV_MAX_CPUS; cpu++) {
        int64_t rc = wv_psci_cpu_on(cpu, (uint64_t)wv_secondary_entry, cpu);
        if (rc) wv_printf("[wasmvisor] CPU %u did not start (PSCI error %ld)\n", cpu, rc);
    }
    wv_idle_cpu();
}

void wv_secondary_main(uint32_t cpu)
{
    pcpu_setup(cpu);
    wv_idle_cpu();
}
