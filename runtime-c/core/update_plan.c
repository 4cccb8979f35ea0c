/* See wv_update_plan.h. No hardware: the same file builds for the host tests
 * (runtime-c/tests/test_update_plan.c). */
#include "wv_update_plan.h"
#include "wv_core.h"
#include "wv_signature.h"

_Static_assert(WV_UPDATE_FILE_MAX == WV_MODULE_HEADER + WV_MODULE_MAX + WV_MODULE_SIG_LEN,
               "the update's file bound is the .wvm format's largest file");

int wv_update_file_len_ok(size_t len)
{
    return len <= WV_UPDATE_FILE_MAX;
}

enum wv_update_trust wv_update_trust(int has_sig, uint32_t allow_unsigned)
{
    /* A signature present is always checked: a development image that takes bare
     * modules does not take a badly signed one. */
    if (has_sig) return WV_TRUST_CHECK_SIGNATURE;
    return allow_unsigned ? WV_TRUST_UNSIGNED_OK : WV_TRUST_REFUSE_UNSIGNED;
}

int wv_update_pick_own(int32_t running, int32_t restorable, uint32_t *version, uint8_t *own)
{
    /* wv_state_restorable answers 1 or 0; anything else is not a yes. The running
     * version goes over unchanged: the running module saves in its own version
     * (wv_save), and the new module's restore checks the blob against it anyway. */
    if (restorable != 1) return 0;
    *version = (uint32_t)running;
    *own = 1;
    return 1;
}

int wv_update_pick_target(int32_t target, uint32_t *version, uint8_t *own, const char **err)
{
    if (target <= 0) { *err = "the new module names no state version"; return -1; }
    *version = (uint32_t)target;
    *own = 0;
    return 0;
}

int wv_state_size_ok(int32_t size)
{
    return size > 0 && (uint32_t)size <= WV_STATE_MAX;
}

int wv_state_saved_ok(int32_t n, int32_t size)
{
    return n > 0 && n <= size;
}

uint32_t wv_update_left_on_new(uint32_t done, uint32_t back)
{
    return done & ~back;
}

unsigned wv_update_end(int swapped, int rolling_back, uint32_t left_on_new)
{
    /* A rollback's target is the previous module and the module it leaves becomes the
     * previous one: nothing is let go of (roll back twice: forward again). */
    if (rolling_back) return 0;
    /* An update that went through lets go of the module before the previous one; its
     * instances were retired by the update before and are freed first. */
    if (swapped) return WV_UPDATE_FREE_PREV;
    /* A VM still on the new module runs instances whose wasm3 modules point into its
     * bytes (function bodies, data segments): they are never freed under it. */
    return left_on_new ? 0 : WV_UPDATE_FREE_NEW;
}
