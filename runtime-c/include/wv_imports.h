/* The `wv` imports of the core module (docs/abi.md 2, 4, 6), as plain C functions that
 * any engine running a core instance calls (wv_engine.h): the checks are in the
 * functions, so every engine's instances get the very same ones. */
#ifndef WV_IMPORTS_H
#define WV_IMPORTS_H
#include <stdint.h>
#include <stddef.h>

/* What a core instance's imports act for, one per instance (wasm_host.c). An instance
 * acts for its VM only while it is the VM's instance (`live`): one that a live update
 * stages (loaded, restored and checked while the VM still runs on the old one) or has
 * retired has the VM's ownership to check against but must not change anything of it,
 * so its effectful imports are refused (docs/abi.md 2). */
struct wv_vm;
struct wv_import_ctx {
    struct wv_vm *vm;
    volatile uint32_t live;         /* set when it becomes the VM's instance, cleared when replaced */
    const char *refused;            /* the first effectful import it called while not live, or 0 */
    /* The instance's linear memory: its bytes (0 when it has none) and their count in
     * *size. Asked at each use, never kept: memory.grow may move it. Set by the engine
     * that loads the instance, with `engine_instance` its own instance of the module. */
    uint8_t *(*memory)(struct wv_import_ctx *ctx, uint64_t *size);
    void *engine_instance;
    /* In a tracing image, the record stream its imports are recorded into (wv_trace.h);
     * else 0 and never looked at. */
    struct wv_trace_stream *trace;
};

/* For an import that acts on the VM or the hardware: 1 when the calling instance is
 * live; else 0, after reporting the refusal naming `import` and recording it in
 * ctx->refused (host_imports.c). */
int wv_import_may_act(struct wv_import_ctx *ctx, const char *import);

/* Every import, for engines to bind by name and signature. `sig` is written as wasm3
 * writes it: the result, then the parameters in parentheses; i = i32, I = i64, v = none
 * ("i(iiI)" takes i32, i32, i64 and gives an i32). `fn` is called as
 * fn(ctx, parameters...) with exactly these C types: i32 is uint32_t, i64 is uint64_t,
 * in parameters and result alike (an import that reads a value as signed converts it
 * itself). An import the module does not use is not bound. */
struct wv_import_fn {
    const char *name;
    const char *sig;
    void *fn;
};
extern const struct wv_import_fn wv_import_fns[];
extern const size_t wv_import_fn_count;

/* The one list of the imports, in table order: X(name, sig) for each (docs/abi.md 2, 4,
 * 6). wv_import_fns, a tracing image's recording wrappers (trace_imports.c) and the
 * indexes a trace names imports by are all made from it, so they cannot differ. */
#define WV_IMPORT_LIST(X)                                                                       \
    /* host_imports.c */                                                                        \
    X(console_write, "v(ii)") X(now, "I()") X(counter_freq, "I()") X(s2_table_new, "i()")       \
    X(s2_set_entry, "i(iiiI)") X(s2_activate, "i(ii)") X(guest_read, "i(Iii)")                  \
    X(guest_write, "i(Iii)") X(image_load, "I(iI)") X(vcpu_boot, "i(iII)")                      \
    X(sysreg_write, "i(iiI)") X(sysreg_read, "I(ii)") X(vm_stop, "v()") X(pcpu_of, "i(i)")      \
    /* irq_imports.c */                                                                         \
    X(lr_count, "i()") X(lr_read, "I(i)") X(lr_write, "i(iI)") X(ich_hcr_write, "i(i)")         \
    X(ich_status, "I()") X(vcpu_kick, "i(i)") X(irq_set, "i(ii)")                               \
    /* pmu_imports.c */                                                                         \
    X(pmu_read, "I(i)") X(pmu_write, "i(iI)")                                                   \
    /* chan.c */                                                                                \
    X(chan_send, "i(ii)")

/* host_imports.c: console, time, stage 2, guest memory, images, vCPUs, EL1 registers. */
void wv_imp_console_write(struct wv_import_ctx *ctx, uint32_t ptr, uint32_t len);
uint64_t wv_imp_now(struct wv_import_ctx *ctx);
uint64_t wv_imp_counter_freq(struct wv_import_ctx *ctx);
uint32_t wv_imp_s2_table_new(struct wv_import_ctx *ctx);
uint32_t wv_imp_s2_set_entry(struct wv_import_ctx *ctx, uint32_t table, uint32_t index, uint32_t level,
                             uint64_t desc);
uint32_t wv_imp_s2_activate(struct wv_import_ctx *ctx, uint32_t root, uint32_t ipa_bits);
uint32_t wv_imp_guest_read(struct wv_import_ctx *ctx, uint64_t ipa, uint32_t dst, uint32_t len);
uint32_t wv_imp_guest_write(struct wv_import_ctx *ctx, uint64_t ipa, uint32_t src, uint32_t len);
uint64_t wv_imp_image_load(struct wv_import_ctx *ctx, uint32_t image, uint64_t ipa);
uint32_t wv_imp_vcpu_boot(struct wv_import_ctx *ctx, uint32_t vcpu, uint64_t pc, uint64_t x0);
uint32_t wv_imp_sysreg_write(struct wv_import_ctx *ctx, uint32_t vcpu, uint32_t reg, uint64_t value);
uint64_t wv_imp_sysreg_read(struct wv_import_ctx *ctx, uint32_t vcpu, uint32_t reg);
void wv_imp_vm_stop(struct wv_import_ctx *ctx);
uint32_t wv_imp_pcpu_of(struct wv_import_ctx *ctx, uint32_t vcpu);

/* irq_imports.c: list registers, the virtual CPU interface, kicks, physical INTIDs. */
uint32_t wv_imp_lr_count(struct wv_import_ctx *ctx);
uint64_t wv_imp_lr_read(struct wv_import_ctx *ctx, uint32_t lr);
uint32_t wv_imp_lr_write(struct wv_import_ctx *ctx, uint32_t lr, uint64_t value);
uint32_t wv_imp_ich_hcr_write(struct wv_import_ctx *ctx, uint32_t value);
uint64_t wv_imp_ich_status(struct wv_import_ctx *ctx);
uint32_t wv_imp_vcpu_kick(struct wv_import_ctx *ctx, uint32_t vcpu);
uint32_t wv_imp_irq_set(struct wv_import_ctx *ctx, uint32_t intid, uint32_t enable);

/* pmu_imports.c: the PMU registers of the CPU handling an exit. */
uint64_t wv_imp_pmu_read(struct wv_import_ctx *ctx, uint32_t reg);
uint32_t wv_imp_pmu_write(struct wv_import_ctx *ctx, uint32_t reg, uint64_t value);

/* chan.c: the hypervisor channel. */
uint32_t wv_imp_chan_send(struct wv_import_ctx *ctx, uint32_t ptr, uint32_t len);

#endif
