/* The core module host: one instance of the core per VM (docs/abi.md 2), its code run
 * by an engine (wv_engine.h). */
#ifndef WV_CORE_H
#define WV_CORE_H
#include <stdint.h>
#include <stddef.h>
#include "wv_vm.h"

/* Exit actions (docs/abi.md 2). */
#define WV_ACTION_RESUME    0
#define WV_ACTION_IDLE      1
#define WV_ACTION_STOP      2
#define WV_ACTION_YIELD     3
#define WV_ACTION_OFF       4       /* the vCPU turned itself off (PSCI CPU_OFF) */
#define WV_ACTION_RESET     5       /* restart the VM from its images (PSCI SYSTEM_RESET) */

/* Exit record, docs/abi.md 2: the first 288 bytes mirror struct wv_vcpu_regs. */
#define EXIT_REC_SIZE       320
#define EXIT_RECS_SIZE      (EXIT_REC_SIZE * WV_MAX_VCPUS)  /* one per vCPU index */
#define EXIT_REC_PC         248
#define EXIT_REC_ESR        264
#define EXIT_REC_VCPU       288
#define EXIT_REC_FLAGS      292
#define EXIT_REC_CNTVCT     296
#define EXIT_REC_INTID      304     /* IRQ exits: the physical INTID (docs/abi.md 4) */
#define EXIT_FLAG_IRQ       1u

#define WV_CORE_ABI_VERSION 3

/* Check a core module before any instance of it is made (wv_module_check.h), once per
 * module: 0 with *stack_bytes, the Wasm stack its instances get (wv_stack_budget.h), or
 * -1 with `why` saying "core module refused: ..." and what. */
int wv_core_module_check(const uint8_t *wasm, size_t wasm_len, uint32_t *stack_bytes, char *why, size_t cap);
/* A core module the runtime took: its bytes, the verdict of wv_core_module_check
 * (`stack_bytes`, 0 when refused or not checked) and, when it came with a native part the
 * loader took (native_load.c), that image: its instances then run as native code
 * (engine_native.c), else in wasm3 (engine_wasm3.c). The bytes must outlive its
 * instances; so must the image. */
struct wv_native_image;
struct wv_import_ctx;
struct wv_core_module {
    const uint8_t *wasm;
    size_t wasm_len;
    uint32_t stack_bytes;
    struct wv_native_image *native;
};
/* Load `part` as the native part of `m` (its bytes and stack_bytes set): the loader's
 * checks against m's .wasm and the runtime's imports (native_load.c), then m->native is
 * the image its instances run on. 0, or -1 with `why` saying "native part refused: ...". */
int wv_core_load_native(struct wv_core_module *m, const uint8_t *part, size_t len, char *why, size_t cap);
/* Instantiate `m` for `vm` and run its wv_init. Returns 0, or -1 with *err set. */
int wv_core_create(struct wv_vm *vm, const struct wv_core_module *m, const uint8_t *blob, size_t blob_len,
                   const char **err);
/* Hand the exit now in vcpu->frame to the core; returns a WV_ACTION_*. For an IRQ exit
 * `flags` is EXIT_FLAG_IRQ and `intid` the acknowledged physical INTID. */
int wv_core_handle_exit(struct wv_vm *vm, struct wv_vcpu *vcpu, uint32_t flags, uint32_t intid);
/* Restart `vm` from its images through the core's wv_reset (every vCPU must be off). */
int wv_core_reset(struct wv_vm *vm);
/* Console input (core/console_in.c): the instance's lock without waiting (1 when taken),
 * its release, and the core's wv_console_input(byte) under it (docs/abi.md 2): one of
 * the WV_CORE_INPUT_* answers, or WV_CORE_INPUT_NONE when the core has no such export
 * or trapped (then the VM is stopped). */
#define WV_CORE_INPUT_TAKEN     0
#define WV_CORE_INPUT_FULL      (-1)        /* the VM's receive FIFO is full: offer it again later */
#define WV_CORE_INPUT_NONE      (-5)        /* nobody takes input: drop the byte */
int wv_core_trylock(struct wv_vm *vm);
void wv_core_unlock(struct wv_vm *vm);
int wv_core_console_input(struct wv_vm *vm, uint8_t byte);
/* Counter ticks spent by `n` host->Wasm calls of wv_nop. */
uint64_t wv_core_time_nop(struct wv_vm *vm, uint32_t n);

/* The instance that now serves `vm`, locked (0 when it has none). A live update swaps
 * vm->core with the old instance's lock held, so the instance returned stays the VM's
 * until wv_core_release. Every call into a VM's instance goes through this. */
struct wv_core_instance *wv_core_acquire(struct wv_vm *vm);
void wv_core_release(struct wv_core_instance *c);

/* ---- Live update and management (update.c, mgmt.c; docs/live-update.md) ---- */
#define WV_STATE_MAX        (1u << 20)  /* a saved state larger than this is refused */
#define WV_VM_INFO_SIZE     88          /* the wv_vm_info record (docs/abi.md 2) */
#define WV_CHAN_IN_CAP      4096u       /* the core's inbound channel buffer */
/* A new instance of `wasm` for `vm`: loaded, linked, ABI checked, not yet set up. It is
 * staged: its effectful imports are refused until wv_core_set_live(c, 1) (the swap). */
struct wv_core_instance *wv_core_load(struct wv_vm *vm, const struct wv_core_module *m, const char **err);
/* The engine an instance runs on: "native" or "wasm3". */
const char *wv_core_engine_name(const struct wv_core_instance *c);
/* May the instance's imports act on its VM (it is the VM's instance), or not (staged,
 * retired)? */
void wv_core_set_live(struct wv_core_instance *c, int live);
/* The first effectful import the instance called while not live, or 0. */
const char *wv_core_refused_import(const struct wv_core_instance *c);
void wv_core_free(struct wv_core_instance *c);
/* Live update: after the swap to `c`, kick the VM's vCPUs that may run, so that each
 * takes an exit to `c` at once and its frame goes home there (wasm_host.c). */
void wv_core_kick_frames_home(struct wv_core_instance *c);
/* A replaced instance `c` about to be freed: 1 while a vCPU that may still run has its
 * registers in one of `c`'s exit records (it has taken no exit since); else 0, after
 * pointing the frames of the off and stopped vCPUs still there at their own `regs`. */
int wv_core_holds_frames(struct wv_core_instance *c);
/* For wv_imp_vcpu_boot, under the lock of the instance whose imports `ctx` serves: where
 * that instance keeps vCPU `v`'s frame (its exit record, or `v->regs`). */
struct wv_vcpu_regs *wv_core_frame_home(struct wv_import_ctx *ctx, struct wv_vcpu *v);
/* Functions of the instance's module that its engine has not compiled yet (0 once loaded). */
uint32_t wv_core_uncompiled(struct wv_core_instance *c);
void wv_core_lock(struct wv_core_instance *c);
/* Call export `name` (argc i32 arguments, one i32 result when ret is given). */
int wv_core_call(struct wv_core_instance *c, const char *name, uint32_t argc, const int32_t *argv,
                 int32_t *ret, const char **err);
/* Save the instance's state (version 0: its own, else through wv_save_as) into a
 * malloc'd copy. */
int wv_core_save(struct wv_core_instance *c, uint32_t version, uint8_t **out, size_t *out_len, const char **err);
/* wv_restore of a saved state: -1 with *err when the call could not be made (trap,
 * missing export), else 0 with the module's answer in *rc. */
int wv_core_restore(struct wv_core_instance *c, const uint8_t *blob, size_t len, uint32_t version,
                    int32_t *rc, const char **err);
int wv_core_vm_info(struct wv_core_instance *c, uint8_t out[WV_VM_INFO_SIZE], const char **err);
/* Offer `len` bytes to the VM's channel device (wv_chan_push): *taken says how many it
 * took. -1 when the instance has no channel or refused. */
int wv_core_chan_push(struct wv_core_instance *c, const uint8_t *src, size_t len, size_t *taken);

/* chan.c: the hypervisor channel (docs/abi.md 6): bytes the VM sent, requests found in
 * them, answers waiting to be delivered. Called after each exit of the VM, outside its
 * instance's lock. */
void wv_chan_exit_done(struct wv_vm *vm);

/* irq_imports.c: route the SPIs of the VM's passthrough frames to its first CPU and
 * enable them (once its core instance is built); disable them (when it stops).
 * docs/abi.md 4. */
void wv_vm_spis_start(struct wv_vm *vm);
void wv_vm_spis_stop(struct wv_vm *vm);

/* pages.c: 4 KiB pages for stage-2 tables, zeroed. */
void wv_pages_init(uint64_t base, uint64_t size);
void *wv_page_alloc(void);
void wv_page_free(void *p);

/* payload.S (generated by tools/build/payload.ts) */
extern const uint8_t wv_core_wasm_start[], wv_core_wasm_end[];
/* The built-in module's native part (docs/native-tier.md, wv_native_abi.h): header,
 * relocations, image; start == end when the image carries none. */
extern const uint8_t wv_core_native_start[], wv_core_native_end[];
extern const uint8_t wv_vms_blob_start[], wv_vms_blob_end[];
extern const uint64_t wv_image_count;
extern const uint64_t wv_image_table[];     /* pairs: start, size */
/* 1 only in an image built to prove the guard page below each EL2 stack
 * (tests/integration/guard.test.ts): every core module's instances then get the most
 * calls (WV_CORE_MAX_CALLS) whatever its loop nesting, which a module nesting loops can
 * overrun the stack with. 0 in every other image (docs/architecture.md, "The EL2 stacks"). */
extern const uint32_t wv_core_full_call_depth;

void wv_vm_stop(struct wv_vm *vm, const char *why);
/* trap.c: every vCPU of `vm` but `self` out of its guest (waits ~100 ms at most: 1 if
 * so); restart the VM from its images (0, or -1 when it had to be stopped instead). */
int wv_vm_all_out(struct wv_vm *vm, struct wv_vcpu *self);
int wv_vm_restart(struct wv_vm *vm, struct wv_vcpu *self);

#endif
