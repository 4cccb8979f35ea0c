/* Instances of loaded native parts and calls into them (wv_native_run.h).
 *
 * Each CPU has one current unwind frame: the innermost runtime call into native code
 * running on it. rt->trap jumps there; the call then puts back the frame and the CPU's
 * native call depth (struct wv_pcpu.native_depth, which the native code counts up and
 * down itself and a trap leaves raised) as they were before it, so a trap in a nested call
 * unwinds that call only. Built with -mgeneral-regs-only, as all of the runtime
 * (CMakeLists.txt): nothing of this file's own lives in an FP/SIMD register across wv_unwind_save, which does not
 * save them (wv_unwind.h). */
#include "wv_native_run.h"
#include "wv_unwind.h"
#include "wv_arch.h"
#include "wv_vcpu.h"
#include "wv_console.h"
#include <stdlib.h>
#include <string.h>

/* wv_unwind_jump's value for trap `code`: never 0. */
#define TRAPPED(code)   (0x100 | ((code) & 0xff))

static struct wv_unwind *frames[WV_MAX_CPUS];

static struct wv_pcpu *this_cpu(void)
{
    return (struct wv_pcpu *)read_sysreg(tpidr_el2);
}

static const char *const trap_texts[] = {
    [WV_NATIVE_TRAP_OOB] = "native code trapped: out of bounds memory or table access",
    [WV_NATIVE_TRAP_INT_OVERFLOW] = "native code trapped: integer overflow",
    [WV_NATIVE_TRAP_DIV_BY_ZERO] = "native code trapped: integer divide by zero",
    [WV_NATIVE_TRAP_INVALID_CONVERSION] = "native code trapped: invalid conversion to integer",
    [WV_NATIVE_TRAP_UNREACHABLE] = "native code trapped: unreachable executed",
    [WV_NATIVE_TRAP_CALL_INDIRECT] = "native code trapped: call_indirect to a null entry or of another type",
    [WV_NATIVE_TRAP_UNCAUGHT_EXCEPTION] = "native code trapped: uncaught exception",
    [WV_NATIVE_TRAP_EXHAUSTION] = "native code trapped: call stack exhausted",
};

const char *wv_native_trap_text(uint32_t code)
{
    if (code < sizeof trap_texts / sizeof trap_texts[0] && trap_texts[code]) return trap_texts[code];
    return "native code trapped: unknown trap code";
}

/* ---- The runtime table ---- */

static void *rt_alloc_zeroed(size_t size) { return calloc(1, size); }
static void *rt_realloc(void *p, size_t size) { return realloc(p, size); }
static void rt_free(void *p) { free(p); }

static void __attribute__((noreturn)) rt_trap(uint32_t code)
{
    struct wv_pcpu *p = this_cpu();
    struct wv_unwind *f = frames[p->index];
    if (!f) {
        /* Native code ran outside any wv_native_call (init_module): nothing to unwind to. */
        wv_printf("[wasmvisor] PANIC: %s outside a call into native code on CPU %u\n",
                  wv_native_trap_text(code), p->index);
        for (;;) wfi();
    }
    wv_unwind_jump(f, TRAPPED(code));
}

const struct wv_native_rt wv_native_rt = {
    .version = WV_NATIVE_ABI_VERSION,
    .alloc_zeroed = rt_alloc_zeroed,
    .realloc = rt_realloc,
    .free = rt_free,
    .trap = rt_trap,
};

/* ---- Entering native code ---- */

/* The module's instantiate and free, behind an export's calling convention, so that they
 * run under a trap frame as every call into native code does (wv_native_call): args[0]
 * is the instance. */
static uint64_t instantiate(void *mem, const uint64_t *args)
{
    const struct wv_native_instance *inst = (const struct wv_native_instance *)(uintptr_t)args[0];
    inst->image->module->instantiate(mem, inst->import_ctx);
    return 0;
}

static uint64_t free_instance(void *mem, const uint64_t *args)
{
    ((const struct wv_native_instance *)(uintptr_t)args[0])->image->module->free(mem);
    return 0;
}

static const struct wv_native_export instantiate_export = { "instantiate", "v()", instantiate };
static const struct wv_native_export free_export = { "free", "v()", free_instance };

/* A call into native code sets this CPU's unwind frame to one of its own; these put back
 * what it saved (the outer frame and the call depth, which a trap leaves raised): when it
 * returned, and when a trap unwound to it (then naming the trap: -1 with *err). */
static void leave(struct wv_pcpu *p, struct wv_unwind *outer, uint32_t depth)
{
    frames[p->index] = outer;
    p->native_depth = depth;
}

static int unwound(struct wv_pcpu *p, struct wv_unwind *outer, uint32_t depth, int v, const char **err)
{
    leave(p, outer, depth);
    *err = wv_native_trap_text((uint32_t)v & 0xff);
    return -1;
}

/* Every call into native code: the export's trampoline called directly, under a frame of
 * its own. */
int wv_native_call(struct wv_native_instance *inst, const struct wv_native_export *e,
                   const uint64_t *args, uint64_t *result, const char **err)
{
    struct wv_pcpu *p = this_cpu();
    struct wv_unwind frame;
    struct wv_unwind *const outer = frames[p->index];
    const uint32_t depth = p->native_depth;
    int v = wv_unwind_save(&frame);
    if (v) return unwound(p, outer, depth, v, err);
    frames[p->index] = &frame;
    uint64_t r = e->call(inst->mem, args);
    leave(p, outer, depth);
    if (result) *result = r;
    return 0;
}

struct wv_native_instance *wv_native_instance_new(struct wv_native_image *img, void *import_ctx, const char **err)
{
    const struct wv_native_module *m = img->module;
    struct wv_native_instance *inst = calloc(1, sizeof *inst);
    void *mem = inst ? calloc(1, m->instance_size ? m->instance_size : 1) : 0;
    if (!mem) {
        free(inst);
        *err = "out of memory for a native instance";
        return 0;
    }
    inst->image = img;
    inst->import_ctx = import_ctx;
    inst->mem = mem;
    __atomic_add_fetch(&img->refs, 1, __ATOMIC_ACQ_REL);
    const uint64_t self = (uintptr_t)inst;
    if (wv_native_call(inst, &instantiate_export, &self, 0, err)) {
        /* Whatever it allocated before the trap: the module's free copes with a partly
         * built instance (wasm-rt frees null memories and tables as nothing). */
        const char *ignored;
        wv_native_call(inst, &free_export, &self, 0, &ignored);
        free(mem);
        free(inst);
        wv_native_image_put(img);
        return 0;
    }
    return inst;
}

void wv_native_instance_free(struct wv_native_instance *inst)
{
    if (!inst) return;
    const char *ignored;
    const uint64_t self = (uintptr_t)inst;
    wv_native_call(inst, &free_export, &self, 0, &ignored);
    struct wv_native_image *img = inst->image;
    free(inst->mem);
    free(inst);
    wv_native_image_put(img);
}

uint8_t *wv_native_memory(struct wv_native_instance *inst, uint64_t *size)
{
    *size = 0;
    return inst->image->module->memory(inst->mem, size);
}

const struct wv_native_export *wv_native_find_export(const struct wv_native_image *img, const char *name,
                                                     uint32_t *params, uint32_t *results)
{
    const struct wv_native_module *m = img->module;
    for (uint32_t i = 0; i < m->export_count; i++) {
        const struct wv_native_export *e = &m->exports[i];
        if (strcmp(e->name, name)) continue;
        /* The signature was checked against the .wasm's at load: "r(p...)". */
        const char *open = strchr(e->sig, '(');
        const char *close = open ? strchr(open, ')') : 0;
        if (params) *params = open && close ? (uint32_t)(close - open - 1) : 0;
        if (results) *results = e->sig[0] != 'v';
        return e;
    }
    return 0;
}
