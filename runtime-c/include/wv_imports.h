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
 * ("i(iiI)" takes i32, i32, i64 and gives an i32): WV_IMPORT_SIG of the list below.
 * `fn` is called as fn(ctx, parameters...) with exactly these C types: i32 is uint32_t, i64 is uint64_t,
 * in parameters and result alike (an import that reads a value as signed converts it
 * itself). An import the module does not use is not bound. */
struct wv_import_fn {
    const char *name;
    const char *sig;
    void *fn;
};
extern const struct wv_import_fn wv_import_fns[];
extern const size_t wv_import_fn_count;
/* import_table.c: the table engines bind: wv_import_fns, or the same functions behind
 * recording wrappers in a tracing image (trace_imports.c), or the imports that answer
 * from a trace in a replay image (replay_imports.c). */
const struct wv_import_fn *wv_import_bind_table(void);

/* The one list of the imports, in table order: X(name, R, parameters...) for each, with
 * R and the parameters written as the Wasm types i32, i64 (or R void) (docs/abi.md 2,
 * 4, 6). Everything else is made from it, so nothing can differ: wv_import_fns and its
 * signature strings (import_table.c, which also checks each wv_imp_* prototype below
 * against it), the indexes a trace names imports by (enum wv_import_index), a tracing
 * image's recording wrappers (trace_imports.c), a replay image's answering ones
 * (replay_imports.c) and wasm3's adapters (engine_wasm3_imports.c). */
#define WV_IMPORT_LIST(X)                                                                       \
    /* host_imports.c */                                                                        \
    X(console_write, void, i32, i32) X(now, i64) X(counter_freq, i64) X(s2_table_new, i32)      \
    X(s2_set_entry, i32, i32, i32, i32, i64) X(s2_activate, i32, i32, i32)                      \
    X(guest_read, i32, i64, i32, i32) X(guest_write, i32, i64, i32, i32)                        \
    X(image_load, i64, i32, i64) X(vcpu_boot, i32, i32, i64, i64)                               \
    X(sysreg_write, i32, i32, i32, i64) X(sysreg_read, i64, i32, i32) X(vm_stop, void)          \
    X(pcpu_of, i32, i32)                                                                        \
    /* irq_imports.c */                                                                         \
    X(lr_count, i32) X(lr_read, i64, i32) X(lr_write, i32, i32, i64) X(ich_hcr_write, i32, i32) \
    X(ich_status, i64) X(vcpu_kick, i32, i32) X(irq_set, i32, i32, i32)                         \
    /* pmu_imports.c */                                                                         \
    X(pmu_read, i64, i32) X(pmu_write, i32, i32, i64)                                           \
    /* chan.c */                                                                                \
    X(chan_send, i32, i32, i32)

#define WV_IMPORT_INDEX_(name, R, ...) WV_I_##name,
enum wv_import_index { WV_IMPORT_LIST(WV_IMPORT_INDEX_) WV_IMPORT_COUNT };
#undef WV_IMPORT_INDEX_

/* For code made from the list: a Wasm type's C type and signature letter; for up to four
 * parameters, their count, the C parameter list `struct wv_import_ctx *ctx, T a0, ...`,
 * the arguments `, a0, ...` (after ctx), the signature string ("i(iiiI)", as wasm3 writes
 * it: R, then the parameters) and the C function type. */
#define WV_IMPORT_T_void void
#define WV_IMPORT_T_i32 uint32_t
#define WV_IMPORT_T_i64 uint64_t
#define WV_IMPORT_S_void "v"
#define WV_IMPORT_S_i32 "i"
#define WV_IMPORT_S_i64 "I"
#define WV_IMPORT_CAT_(a, b) a##b
#define WV_IMPORT_CAT(a, b) WV_IMPORT_CAT_(a, b)
#define WV_IMPORT_NARGS_(_, a, b, c, d, n, ...) n
#define WV_IMPORT_NARGS(...) WV_IMPORT_NARGS_(_, ##__VA_ARGS__, 4, 3, 2, 1, 0)
#define WV_IMPORT_PARAMS0() struct wv_import_ctx *ctx
#define WV_IMPORT_PARAMS1(A) WV_IMPORT_PARAMS0(), WV_IMPORT_T_##A a0
#define WV_IMPORT_PARAMS2(A, B) WV_IMPORT_PARAMS1(A), WV_IMPORT_T_##B a1
#define WV_IMPORT_PARAMS3(A, B, C) WV_IMPORT_PARAMS2(A, B), WV_IMPORT_T_##C a2
#define WV_IMPORT_PARAMS4(A, B, C, D) WV_IMPORT_PARAMS3(A, B, C), WV_IMPORT_T_##D a3
#define WV_IMPORT_PARAMS(...) WV_IMPORT_CAT(WV_IMPORT_PARAMS, WV_IMPORT_NARGS(__VA_ARGS__))(__VA_ARGS__)
#define WV_IMPORT_ARGS0()
#define WV_IMPORT_ARGS1() , a0
#define WV_IMPORT_ARGS2() , a0, a1
#define WV_IMPORT_ARGS3() , a0, a1, a2
#define WV_IMPORT_ARGS4() , a0, a1, a2, a3
#define WV_IMPORT_ARGS(...) WV_IMPORT_CAT(WV_IMPORT_ARGS, WV_IMPORT_NARGS(__VA_ARGS__))()
#define WV_IMPORT_SIGS0() ""
#define WV_IMPORT_SIGS1(A) WV_IMPORT_S_##A
#define WV_IMPORT_SIGS2(A, B) WV_IMPORT_S_##A WV_IMPORT_S_##B
#define WV_IMPORT_SIGS3(A, B, C) WV_IMPORT_SIGS2(A, B) WV_IMPORT_S_##C
#define WV_IMPORT_SIGS4(A, B, C, D) WV_IMPORT_SIGS3(A, B, C) WV_IMPORT_S_##D
#define WV_IMPORT_SIG(R, ...)                                                                   \
    WV_IMPORT_S_##R "(" WV_IMPORT_CAT(WV_IMPORT_SIGS, WV_IMPORT_NARGS(__VA_ARGS__))(__VA_ARGS__) ")"
#define WV_IMPORT_FN_TYPE(R, ...) WV_IMPORT_T_##R (*)(WV_IMPORT_PARAMS(__VA_ARGS__))

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
