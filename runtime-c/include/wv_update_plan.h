/* The decisions of a live update (update.c, docs/live-update.md) as pure functions: how
 * large a module file is read at all, whether its signature is needed, which state
 * version a VM's state is handed over in, how large a state a module may describe, and
 * which module bytes may be freed when an update ends. The module's answers are what a
 * hostile or broken module could say. No hardware, no wasm3: host-tested
 * (runtime-c/tests/test_update_plan.c). */
#ifndef WV_UPDATE_PLAN_H
#define WV_UPDATE_PLAN_H
#include <stdint.h>
#include <stddef.h>

/* The largest file an update reads: a .wvm's header, the largest module, its signature
 * (wv_signature.h). Anything longer is refused before it is parsed: a file with a native
 * part (flag bit 0) must fit the same bound, which the management protocol's 4 MiB
 * frames impose anyway. */
#define WV_UPDATE_FILE_MAX  ((size_t)(16u + (4u << 20) + 64u))
int wv_update_file_len_ok(size_t len);

/* What a module file needs before it is staged. */
enum wv_update_trust {
    WV_TRUST_CHECK_SIGNATURE = 0,   /* it is signed: the signature must verify, on any image */
    WV_TRUST_UNSIGNED_OK,           /* a bare module on an image built to take them */
    WV_TRUST_REFUSE_UNSIGNED,       /* a bare module on an image that takes signed ones only */
};
/* `has_sig`: the file carries a signature; `allow_unsigned`: the image's
 * wv_update_allow_unsigned (any value but 0 takes bare modules). */
enum wv_update_trust wv_update_trust(int has_sig, uint32_t allow_unsigned);

/* The state version a VM's state goes over in, in two steps so that the new module is
 * asked only what is needed. First: `running` is the running module's wv_state_version
 * and `restorable` the new module's wv_state_restorable(running); only an answer of
 * exactly 1 hands the state over as the running module saves it (1, with *version =
 * running and *own = 1); else 0. */
int wv_update_pick_own(int32_t running, int32_t restorable, uint32_t *version, uint8_t *own);
/* Second, when the first gave 0: the new module's own wv_state_version `target`, which
 * the running module must then write (wv_save_as; the dry run finds out whether it can):
 * 0 with *version = target and *own = 0, or -1 with *err when it names no version (<= 0). */
int wv_update_pick_target(int32_t target, uint32_t *version, uint8_t *own, const char **err);

/* The state a module describes when it is saved: its wv_state_size `size` is 1 ..
 * WV_STATE_MAX (a buffer that large is asked of it), and the `n` bytes its save wrote
 * are 1 .. size (only those are copied out). */
int wv_state_size_ok(int32_t size);
int wv_state_saved_ok(int32_t n, int32_t size);

/* VMs left running instances of the new module after a failed update: those its
 * hand-over moved (`done`) that the take-back did not move back (`back`). */
uint32_t wv_update_left_on_new(uint32_t done, uint32_t back);

/* The module bytes an update lets go of when it ends. */
#define WV_UPDATE_FREE_NEW  1u      /* the module it tried to switch to */
#define WV_UPDATE_FREE_PREV 2u      /* the module that was the previous one */
/* `swapped`: every VM went over; `rolling_back`: the target is the previous module (whose
 * bytes stay the previous module's either way); `left_on_new`: wv_update_left_on_new
 * after a failure. A mask of WV_UPDATE_FREE_*. */
unsigned wv_update_end(int swapped, int rolling_back, uint32_t left_on_new);

#endif
