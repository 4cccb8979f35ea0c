/* Live update: swap the core module under running VMs (docs/live-update.md).
 *
 *  1. Check the file before anything else: size, format, Ed25519 signature against the
 *     key built into the image (or, on a development image only, a bare module), then
 *     the module's structure and nesting (wv_core_module_check), which a module that could
 *     overrun an EL2 stack fails before wasm3 sees it.
 *  2. Stage: an instance of the new module for every VM, loaded, linked and ABI-checked
 *     while all VMs run; and the state version to hand over in (the running module's own
 *     when the new one restores it, else one the new module restores that the running
 *     module can still write: wv_save_as, which is how a rollback goes back a version).
 *  3. Dry run: each VM's state is saved (under its instance lock: a consistent point
 *     between two exits; its vCPUs keep running guest code) and restored into the
 *     staged instance, which then checks itself. Any refusal or trap ends the update
 *     here, with every VM still on the running module.
 *  4. Hand-over, VM by VM: take the VM's instance lock (a vCPU that exits meanwhile
 *     waits for it: that is the VM's pause), save again, restore into the staged
 *     instance (allowed again on an instance that has not run), self-check, point the
 *     VM at it, let go. A VM's pause is this step alone; the RT VM's is as short as
 *     anyone's, and its CPU never does update work.
 *  5. The replaced instances and the previous module are kept until the next update:
 *     `rollback` is the same hand-over back to that module, and a VM that fails step 4
 *     after others went over takes those back the same way.
 * Everything runs on the CPU of the management VM's vCPU that asked, outside any
 * instance lock but the one of the VM being handed over. What is decided from the file
 * and from the modules' answers (bounds, the signature's need, the state version, which
 * module bytes may be freed) is in update_plan.c, host-tested; this file carries it out. */
#include "wv_update.h"
#include "wv_update_plan.h"
#include "wv_core.h"
#include "wv_console.h"
#include "wv_arch.h"
#include "wv_alloc.h"
#include "wv_signature.h"
#include "wv_native_load.h"
#include "monocypher-ed25519.h"
#include <stdlib.h>
#include <string.h>

struct module {
    struct wv_core_module core; /* its bytes, their check's stack size, its native part (wv_core.h) */
    uint8_t *owned;             /* heap copy to free, 0 for the module built into the image */
    uint8_t hash[64];           /* SHA-512 of the wasm bytes */
    int32_t variant, version, abi, state_version;
    int is_signed;
    uint64_t loaded_at;         /* counter ticks when it became the running module */
};

static struct module cur, prev;
/* Instances replaced by the last update (and by a take-back after a failed one): a vCPU
 * that was waiting for one's lock when it was replaced still touches it on its way to
 * the new one, so none is freed before the next update; nor after it while a vCPU's
 * registers are still in one's exit records (wv_core_holds_frames: a vCPU that has taken
 * no exit since). An update takes at most two per VM (update and take-back). */
#define RETIRED_MAX (4 * WV_MAX_VMS)
static struct wv_core_instance *retired[RETIRED_MAX];
static uint32_t retired_count;
static volatile uint32_t updating;

struct handover {
    struct wv_core_instance *next[WV_MAX_VMS];
    uint32_t version[WV_MAX_VMS];           /* the state version to hand over in */
    uint8_t own[WV_MAX_VMS];                /* it is the running module's own (wv_save, not wv_save_as) */
    uint64_t pause[WV_MAX_VMS];             /* counter ticks */
    uint32_t mask;                           /* VMs to hand over */
    uint32_t done;                           /* VMs handed over */
};

static void version_str(char out[16], int32_t v)
{
    wv_snprintf(out, 16, "%u.%u.%u", (uint32_t)v >> 16 & 0xff, (uint32_t)v >> 8 & 0xff, (uint32_t)v & 0xff);
}

/* A module the update lets go of: its bytes, and its reference to its native part's
 * image (which stays, mapped, while an instance of it lives: wv_native_image_put). */
static void module_free(struct module *m)
{
    free(m->owned);
    m->owned = 0;
    wv_native_image_put(m->core.native);
    m->core.native = 0;
}

/* Keep the file's module: a copy of its bytes (the file goes when the request is done)
 * and, when it came with one, its native part loaded (wv_core_load_native). A native part
 * is signed with the module, so one the loader refuses is the build's fault, not the
 * transfer's: it refuses the update rather than run the module in wasm3 unasked. */
static int take_module(struct module *to, const uint8_t *wasm, size_t len, const uint8_t *native, size_t native_len,
                       char *why, size_t cap)
{
    if (!(to->owned = malloc(len))) {
        wv_snprintf(why, cap, "out of memory for the module");
        return -1;
    }
    memcpy(to->owned, wasm, len);
    to->core.wasm = to->owned;
    to->core.wasm_len = len;
    if (native && wv_core_load_native(&to->core, native, native_len, why, cap)) {
        module_free(to);
        return -1;
    }
    return 0;
}

/* Free the replaced instances no vCPU's frame is in any more; 0, or -1 with `why` when
 * too many are still held for another update to have room for its own. */
static int free_retired(char *why, size_t cap)
{
    uint32_t kept = 0;
    for (uint32_t i = 0; i < retired_count; i++) {
        struct wv_core_instance *c = retired[i];
        retired[i] = 0;
        if (wv_core_holds_frames(c)) retired[kept++] = c;
        else wv_core_free(c);
    }
    retired_count = kept;
    if (kept + 2 * wv_vm_count <= RETIRED_MAX) return 0;
    wv_snprintf(why, cap, "vCPUs that have taken no exit since earlier updates still have their registers in "
                "%u replaced instances", kept);
    return -1;
}

/* Ask a not-yet-used instance who it is. */
static int describe(struct wv_core_instance *c, struct module *m, const char **err)
{
    if (wv_core_call(c, "wv_abi_version", 0, 0, &m->abi, err)) return -1;
    if (wv_core_call(c, "wv_core_version", 0, 0, &m->version, err)) return -1;
    if (wv_core_call(c, "wv_variant", 0, 0, &m->variant, err)) return -1;
    if (wv_core_call(c, "wv_state_version", 0, 0, &m->state_version, err)) return -1;
    return 0;
}

/* Which version to hand `vm`'s state over in to `next`: the running module's own when
 * `next` restores it (*own = 1), else `next`'s own version, which the running module must
 * then write with wv_save_as (the dry run finds out). Holds the VM's instance lock briefly. */
static int pick_version(struct wv_vm *vm, struct wv_core_instance *next, uint32_t *out, uint8_t *own,
                        const char **err)
{
    int32_t running = 0, yes = 0, target = 0;
    struct wv_core_instance *c = wv_core_acquire(vm);
    if (!c) { *err = "the VM has no core instance"; return -1; }
    int rc = wv_core_call(c, "wv_state_version", 0, 0, &running, err);
    wv_core_release(c);
    if (rc) return -1;
    int32_t a[3] = { running, 0, 0 };
    if (wv_core_call(next, "wv_state_restorable", 1, a, &yes, err)) return -1;
    if (wv_update_pick_own(running, yes, out, own)) return 0;
    if (wv_core_call(next, "wv_state_version", 0, 0, &target, err)) return -1;
    return wv_update_pick_target(target, out, own, err);
}

/* A VM's saved state on its way from one instance to the next. */
struct saved {
    uint8_t *blob;
    size_t len;
    int32_t version;
};

/* Save `vm`'s state from `c` (its lock held) in `version`: the instance's own (`own`),
 * or one it writes with wv_save_as. */
static int save_from(struct wv_vm *vm, struct wv_core_instance *c, uint32_t version, int own, struct saved *s,
                     char *why, size_t cap)
{
    const char *err = 0;
    s->version = (int32_t)version;
    if (!wv_core_save(c, own ? 0 : version, &s->blob, &s->len, &err)) return 0;
    if (own)
        wv_snprintf(why, cap, "vm %s: the running module could not save its state: %s", vm->own.name, err);
    else
        wv_snprintf(why, cap, "vm %s: the running module cannot write state version 0x%x, the new module's (%s)",
                    vm->own.name, version, err);
    return -1;
}

/* Restore a saved state into `next` and, in the dry run, let it check itself; frees the
 * state. (The hand-over's restore checks the state as every restore does; the module's
 * own self-check has then passed on the same module and VM moments before.) */
static int restore_into(struct wv_vm *vm, struct wv_core_instance *next, struct saved *s, int self_check,
                        char *why, size_t cap)
{
    const char *err = 0;
    int32_t rc = 0;
    int bad = wv_core_restore(next, s->blob, s->len, (uint32_t)s->version, &rc, &err);
    free(s->blob);
    s->blob = 0;
    if (bad) {
        wv_snprintf(why, cap, "vm %s: the new module trapped restoring the state: %s", vm->own.name, err);
        return -1;
    }
    if (rc != 0) {
        wv_snprintf(why, cap, "vm %s: the new module refused the saved state (version 0x%x, error %d)",
                    vm->own.name, s->version, rc);
        return -1;
    }
    if (!self_check) return 0;
    if (wv_core_call(next, "wv_self_check", 0, 0, &rc, &err)) {
        wv_snprintf(why, cap, "vm %s: the new module trapped in its self-check: %s", vm->own.name, err);
        return -1;
    }
    if (rc != 0) {
        wv_snprintf(why, cap, "vm %s: the new module failed its self-check (error %d)", vm->own.name, rc);
        return -1;
    }
    return 0;
}

/* A staged instance that tried to act on its VM (its imports refused that) is not
 * trusted to serve it: the update is refused with the import's name. */
static int staged_quiet(struct wv_vm *vm, struct wv_core_instance *next, char *why, size_t cap)
{
    const char *import = wv_core_refused_import(next);
    if (!import) return 0;
    wv_snprintf(why, cap, "vm %s: the new module called import %s while staged (an instance acts on a VM only once swapped in)",
                vm->own.name, import);
    return -1;
}

static void drop_staged(struct handover *h)
{
    for (uint32_t i = 0; i < WV_MAX_VMS; i++) { wv_core_free(h->next[i]); h->next[i] = 0; }
}

/* Steps 2 and 3 for the VMs of h->mask. With `describe_into`, the first new instance
 * also says who the module is (before it has run anything). */
static int stage(const struct module *m, struct module *describe_into, struct handover *h, char *why, size_t cap)
{
    for (uint32_t i = 0; i < wv_vm_count; i++) {
        if (!(h->mask >> i & 1)) continue;
        struct wv_vm *vm = &wv_vms[i];
        const char *err = 0;
        h->next[i] = wv_core_load(vm, &m->core, &err);
        if (!h->next[i]) { wv_snprintf(why, cap, "the new module does not load: %s", err); return -1; }
        if (staged_quiet(vm, h->next[i], why, cap)) return -1;      /* its start function */
        if (describe_into && describe(h->next[i], describe_into, &err)) {
            wv_snprintf(why, cap, "the new module lacks what an update needs: %s", err);
            return -1;
        }
        describe_into = 0;
        if (pick_version(vm, h->next[i], &h->version[i], &h->own[i], &err)) {
            wv_snprintf(why, cap, "vm %s: %s", vm->own.name, err);
            return -1;
        }
        /* Only the save holds the VM's lock: the restore (where wasm3 compiles the new
         * module's functions as they first run) happens while the VM goes on. */
        struct wv_core_instance *c = wv_core_acquire(vm);
        if (!c) { wv_snprintf(why, cap, "vm %s has no core instance", vm->own.name); return -1; }
        struct saved st = { 0 };
        int rc = save_from(vm, c, h->version[i], h->own[i], &st, why, cap);
        wv_core_release(c);
        if (rc || restore_into(vm, h->next[i], &st, 1, why, cap) || staged_quiet(vm, h->next[i], why, cap)) return -1;
    }
    return 0;
}

/* Step 4. Returns -1 (with h->done naming the VMs already over) when a VM failed. */
static int hand_over(struct handover *h, char *why, size_t cap)
{
    for (uint32_t i = 0; i < wv_vm_count; i++) {
        if (!(h->mask >> i & 1)) continue;
        struct wv_vm *vm = &wv_vms[i];
        struct wv_core_instance *c = wv_core_acquire(vm);
        uint64_t t0 = read_sysreg(cntpct_el0);
        struct saved st = { 0 };
        if (!c || save_from(vm, c, h->version[i], h->own[i], &st, why, cap) || restore_into(vm, h->next[i], &st, 0, why, cap)
            || staged_quiet(vm, h->next[i], why, cap)) {
            if (c) wv_core_release(c);
            return -1;
        }
        /* The swap: from here the new instance acts for the VM and the old one no more. */
        wv_core_set_live(h->next[i], 1);
        wv_core_set_live(c, 0);
        __atomic_store_n(&vm->core, h->next[i], __ATOMIC_RELEASE);
        wv_core_kick_frames_home(h->next[i]);
        h->next[i] = 0;
        wv_core_release(c);
        h->pause[i] = read_sysreg(cntpct_el0) - t0;
        retired[retired_count++] = c;       /* room checked by free_retired */
        h->done |= 1u << i;
    }
    return 0;
}

static uint32_t vms_with_core(void)
{
    uint32_t mask = 0;
    for (uint32_t i = 0; i < wv_vm_count; i++) if (wv_vms[i].core) mask |= 1u << i;
    return mask;
}

/* Hand every VM over to module `to` (described in *to); 0 or -1 with `why`. */
static int swap_to(struct module *to, struct handover *h, char *why, size_t cap)
{
    h->mask = vms_with_core();
    if (!h->mask) { wv_snprintf(why, cap, "no VM runs a core instance to hand over"); return -1; }
    if (stage(to, to, h, why, cap)) { drop_staged(h); return -1; }
    if (!hand_over(h, why, cap)) return 0;
    drop_staged(h);
    return -1;
}

static void report(struct wv_answer *a, const struct module *from, const struct module *to,
                   const struct handover *h, uint64_t t0)
{
    char vf[16], vt[16];
    version_str(vf, from->version);
    version_str(vt, to->version);
    uint64_t worst = 0, total = wv_ticks_to_ns(read_sysreg(cntpct_el0) - t0);
    for (uint32_t i = 0; i < wv_vm_count; i++) if (h->done >> i & 1 && h->pause[i] > worst) worst = h->pause[i];
    struct wv_heap_stats hs;
    wv_heap_stats(&hs);
    wv_ans_printf(a, "from=%s to=%s variant=%d vms=%u pause_max_ns=%lu total_ns=%lu heap_free=%lu\n",
                  vf, vt, to->variant, (uint32_t)__builtin_popcount(h->done), (unsigned long)wv_ticks_to_ns(worst),
                  (unsigned long)total, (unsigned long)hs.free_bytes);
    wv_printf("[wasmvisor] update: core %s -> %s (variant %d), %u VMs, pause max %lu ns, total %lu ns\n",
              vf, vt, to->variant, (uint32_t)__builtin_popcount(h->done), (unsigned long)wv_ticks_to_ns(worst), (unsigned long)total);
    /* Compiled on this CPU before the hand-over (wv_core_load): nothing is left for the
     * VMs' own CPUs to compile at their first exits, outside the measured pause. */
    uint32_t uncompiled = 0;
    for (uint32_t i = 0; i < wv_vm_count; i++)
        if (h->done >> i & 1) uncompiled += wv_core_uncompiled(wv_vms[i].core);
    wv_printf("[wasmvisor] update: %u functions of the new instances left to compile after the hand-over\n", uncompiled);
    for (uint32_t i = 0; i < wv_vm_count; i++) {
        if (!(h->done >> i & 1)) continue;
        wv_printf("[wasmvisor] update: the new instances run on the %s engine\n", wv_core_engine_name(wv_vms[i].core));
        break;
    }
    for (uint32_t i = 0; i < wv_vm_count; i++) {
        if (!(h->done >> i & 1)) continue;
        wv_ans_printf(a, "vm=%s pause_ns=%lu\n", wv_vms[i].own.name, (unsigned long)wv_ticks_to_ns(h->pause[i]));
        wv_printf("[wasmvisor] update: vm %s paused %lu ns\n", wv_vms[i].own.name, (unsigned long)wv_ticks_to_ns(h->pause[i]));
    }
}

/* Steps 4-5 after the target module is known; `to` becomes the running module. */
static void switch_module(struct module *to, struct wv_answer *a, uint64_t t0, int rolling_back)
{
    struct handover h;
    memset(&h, 0, sizeof h);
    char why[192];
    why[0] = 0;
    /* The instances replaced last time belong to `prev`: let them go now. */
    if (free_retired(why, sizeof why) || swap_to(to, &h, why, sizeof why)) {
        uint32_t back_done = 0;
        if (h.done) {
            /* Some VMs went over before one failed: take them back the same way. */
            struct handover back;
            memset(&back, 0, sizeof back);
            char why2[192];
            back.mask = h.done;
            if (stage(&cur, 0, &back, why2, sizeof why2) || hand_over(&back, why2, sizeof why2)) {
                drop_staged(&back);
                wv_printf("[wasmvisor] update: VMs could not all be taken back (%s)\n", why2);
            }
            back_done = back.done;
        }
        /* Bytes that VMs left on the new module still run are theirs now: never freed. */
        if (wv_update_end(0, rolling_back, wv_update_left_on_new(h.done, back_done)) & WV_UPDATE_FREE_NEW)
            module_free(to);
        to->owned = 0;
        wv_printf("[wasmvisor] update refused: %s; every VM runs the previous module\n", why);
        wv_ans_fail(a, WV_ST_UPDATE, "update refused: %s", why);
        return;
    }
    report(a, &cur, to, &h, t0);
    struct module old = cur;
    cur = *to;
    cur.loaded_at = read_sysreg(cntpct_el0);
    /* A rollback keeps the module it leaves (roll back twice: forward again); an update
     * lets go of the one before the previous. */
    if (wv_update_end(1, rolling_back, 0) & WV_UPDATE_FREE_PREV) module_free(&prev);
    prev = old;
}

void wv_update_init(const struct wv_core_module *builtin)
{
    memset(&cur, 0, sizeof cur);
    cur.core = *builtin;
    cur.is_signed = 0;
    cur.loaded_at = read_sysreg(cntpct_el0);
}

/* Who the running module is, asked of a VM's instance (its identity exports read nothing
 * of its state) the first time it is needed rather than at boot; its hash likewise. */
static void describe_running(void)
{
    if (cur.abi) return;
    crypto_sha512(cur.hash, cur.core.wasm, cur.core.wasm_len);
    const char *err = "no VM runs a core instance";
    for (uint32_t i = 0; i < wv_vm_count; i++) {
        struct wv_core_instance *c = wv_core_acquire(&wv_vms[i]);
        if (!c) continue;
        int rc = describe(c, &cur, &err);
        wv_core_release(c);
        if (!rc) return;
        break;
    }
    cur.abi = 0;
    wv_printf("[wasmvisor] the running core does not describe itself (%s)\n", err);
}

void wv_update_apply(const uint8_t *file, size_t len, struct wv_answer *a)
{
    uint64_t t0 = read_sysreg(cntpct_el0);
    if (__atomic_exchange_n(&updating, 1, __ATOMIC_ACQUIRE)) {
        wv_ans_fail(a, WV_ST_BUSY, "an update is in progress");
        return;
    }
    const uint8_t *wasm = 0, *native = 0, *sig = 0;
    size_t wasm_len = 0, native_len = 0;
    const char *err = 0;
    struct module to;
    memset(&to, 0, sizeof to);
    enum wv_update_trust trust = WV_TRUST_REFUSE_UNSIGNED;
    char why[192];
    if (!wv_update_file_len_ok(len)) {
        wv_ans_fail(a, WV_ST_UPDATE, "update refused: module file larger than the 4 MiB limit");
    } else if (wv_module_file_parse(file, len, &wasm, &wasm_len, &native, &native_len, &sig, &err)) {
        wv_ans_fail(a, WV_ST_UPDATE, "update refused: %s", err);
    } else if ((trust = wv_update_trust(sig != 0, wv_update_allow_unsigned)) == WV_TRUST_REFUSE_UNSIGNED) {
        wv_ans_fail(a, WV_ST_UPDATE, "update refused: the module is not signed and this image accepts signed modules only");
    } else if (trust == WV_TRUST_CHECK_SIGNATURE && wv_signature_check(file, (size_t)(sig - file), sig, wv_update_pubkey)) {
        wv_ans_fail(a, WV_ST_UPDATE, "update refused: bad signature (not signed by the key built into this image)");
    } else if (wv_core_module_check(wasm, wasm_len, &to.core.stack_bytes, why, sizeof why) ||
               take_module(&to, wasm, wasm_len, native, native_len, why, sizeof why)) {
        /* Once here, for every VM's staged instance: one answer. */
        wv_ans_fail(a, WV_ST_UPDATE, "update refused: %s", why);
    } else {
        to.is_signed = sig != 0;
        crypto_sha512(to.hash, to.core.wasm, to.core.wasm_len);
        describe_running();
        switch_module(&to, a, t0, 0);       /* frees what it leaves behind */
    }
    if (a->status != WV_ST_OK) wv_printf("[wasmvisor] %.*s\n", (int)(a->len > 160 ? 160 : a->len), a->text ? a->text : "");
    __atomic_store_n(&updating, 0, __ATOMIC_RELEASE);
}

void wv_update_rollback(struct wv_answer *a)
{
    uint64_t t0 = read_sysreg(cntpct_el0);
    if (__atomic_exchange_n(&updating, 1, __ATOMIC_ACQUIRE)) {
        wv_ans_fail(a, WV_ST_BUSY, "an update is in progress");
        return;
    }
    if (!prev.core.wasm) {
        wv_ans_fail(a, WV_ST_STATE, "nothing to roll back to: no update has been applied");
    } else {
        struct module to = prev;
        describe_running();
        switch_module(&to, a, t0, 1);
    }
    __atomic_store_n(&updating, 0, __ATOMIC_RELEASE);
}

void wv_update_describe(struct wv_answer *a)
{
    describe_running();
    char v[16];
    version_str(v, cur.version);
    struct wv_heap_stats hs;
    wv_heap_stats(&hs);
    wv_ans_printf(a, "variant=%d version=%s abi=%d state=%d sha512=", cur.variant, v, cur.abi, cur.state_version);
    for (int i = 0; i < 64; i++) wv_ans_printf(a, "%02x", cur.hash[i]);
    wv_ans_printf(a, " loaded_at_ns=%lu signed=%d rollback=%s heap_free=%lu heap_blocks=%lu\n", (unsigned long)wv_ticks_to_ns(cur.loaded_at),
                  cur.is_signed, prev.core.wasm ? "yes" : "no", (unsigned long)hs.free_bytes, (unsigned long)hs.live_allocs);
}
