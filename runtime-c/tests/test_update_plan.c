/* runtime-c/core/update_plan.c: a live update's decisions, fed what a hostile or broken
 * module would answer (state versions no one shares, yes-answers other than 1, sizes out
 * of range) and every way a hand-over and its take-back can end. */
#include "wv_update_plan.h"
#include "wv_core.h"
#include <stdio.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static void test_file_len(void)
{
    CHECK(WV_UPDATE_FILE_MAX == 16u + 4194304u + 64u);
    CHECK(wv_update_file_len_ok(0) && wv_update_file_len_ok(1));
    CHECK(wv_update_file_len_ok(WV_UPDATE_FILE_MAX - 1) && wv_update_file_len_ok(WV_UPDATE_FILE_MAX));
    CHECK(!wv_update_file_len_ok(WV_UPDATE_FILE_MAX + 1));
    CHECK(!wv_update_file_len_ok((size_t)UINT32_MAX + 1) && !wv_update_file_len_ok(SIZE_MAX));
}

static void test_trust(void)
{
    /* A signature is checked on every image, the development one included. */
    CHECK(wv_update_trust(1, 0) == WV_TRUST_CHECK_SIGNATURE);
    CHECK(wv_update_trust(1, 1) == WV_TRUST_CHECK_SIGNATURE);
    CHECK(wv_update_trust(1, 0xffffffffu) == WV_TRUST_CHECK_SIGNATURE);
    /* A bare module only where the image was built to take them. */
    CHECK(wv_update_trust(0, 0) == WV_TRUST_REFUSE_UNSIGNED);
    CHECK(wv_update_trust(0, 1) == WV_TRUST_UNSIGNED_OK);
    CHECK(wv_update_trust(0, 0x100) == WV_TRUST_UNSIGNED_OK);
}

/* update.c's pick_version with the modules' answers given: the new module is asked for
 * its own version only when it does not restore the running one. */
struct choice { int rc; uint32_t version; uint8_t own; const char *err; int asked_target; };

static struct choice choose(int32_t running, int32_t restorable, int32_t target)
{
    struct choice c = { 0, 0xdeadbeefu, 0xee, 0, 0 };
    if (wv_update_pick_own(running, restorable, &c.version, &c.own)) return c;
    c.asked_target = 1;
    c.rc = wv_update_pick_target(target, &c.version, &c.own, &c.err);
    return c;
}

static void test_pick_version(void)
{
    struct choice c;
    /* Variant 1 to 2: the new module restores the running version; it goes as saved. */
    c = choose(0x010203, 1, 0x010204);
    CHECK(c.rc == 0 && c.version == 0x010203 && c.own == 1 && !c.asked_target);
    /* Rollback, variant 2 to 1: not restorable, so the old module writes variant 1's. */
    c = choose(0x010204, 0, 0x010203);
    CHECK(c.rc == 0 && c.version == 0x010203 && c.own == 0 && c.asked_target);
    /* Only an answer of exactly 1 is a yes. */
    static const int32_t not_yes[] = { 0, 2, -1, 0x101, INT32_MIN, INT32_MAX };
    for (size_t k = 0; k < sizeof not_yes / sizeof not_yes[0]; k++) {
        c = choose(0x010203, not_yes[k], 0x0204);
        CHECK(c.rc == 0 && c.version == 0x0204 && c.own == 0 && c.asked_target);
    }
    /* No version in common: the new module names none of its own. Refused, nothing chosen. */
    static const int32_t no_version[] = { 0, -1, -204, INT32_MIN };
    for (size_t k = 0; k < sizeof no_version / sizeof no_version[0]; k++) {
        c = choose(0x010203, 0, no_version[k]);
        CHECK(c.rc == -1 && c.err && strstr(c.err, "no state version"));
        CHECK(c.version == 0xdeadbeefu && c.own == 0xee);
    }
    /* The new module names the running version yet says it cannot restore it: that
     * version is written with wv_save_as, not taken as the running module's own. */
    c = choose(0x010203, 0, 0x010203);
    CHECK(c.rc == 0 && c.version == 0x010203 && c.own == 0);
    /* Out-of-range values pass through unchanged for the modules to judge (the restore
     * refuses a version it cannot read, the dry run a version the old module cannot
     * write): the choice neither widens nor wraps them. */
    c = choose(INT32_MAX, 0, INT32_MAX);
    CHECK(c.rc == 0 && c.version == 0x7fffffffu && c.own == 0);
    c = choose(-1, 1, 5);
    CHECK(c.rc == 0 && c.version == 0xffffffffu && c.own == 1 && !c.asked_target);
    c = choose(0, 1, 5);
    CHECK(c.rc == 0 && c.version == 0 && c.own == 1);
}

static void test_state_sizes(void)
{
    CHECK(!wv_state_size_ok(INT32_MIN) && !wv_state_size_ok(-1) && !wv_state_size_ok(0));
    CHECK(wv_state_size_ok(1) && wv_state_size_ok(12600) && wv_state_size_ok((int32_t)WV_STATE_MAX));
    CHECK(!wv_state_size_ok((int32_t)WV_STATE_MAX + 1) && !wv_state_size_ok(INT32_MAX));
    CHECK(!wv_state_saved_ok(0, 100) && !wv_state_saved_ok(-1, 100) && !wv_state_saved_ok(INT32_MIN, 100));
    CHECK(wv_state_saved_ok(1, 100) && wv_state_saved_ok(100, 100));
    CHECK(!wv_state_saved_ok(101, 100) && !wv_state_saved_ok(INT32_MAX, (int32_t)WV_STATE_MAX));
    /* Whatever a module says, what is copied out lies within the buffer asked for. */
    static const int32_t v[] = { INT32_MIN, -2, -1, 0, 1, 2, 4095, 4096, (int32_t)WV_STATE_MAX - 1,
                                 (int32_t)WV_STATE_MAX, (int32_t)WV_STATE_MAX + 1, INT32_MAX - 1, INT32_MAX };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        for (size_t j = 0; j < sizeof v / sizeof v[0]; j++)
            if (wv_state_size_ok(v[j]) && wv_state_saved_ok(v[i], v[j]))
                CHECK(v[i] >= 1 && v[i] <= v[j] && (uint32_t)v[j] <= WV_STATE_MAX);
}

/* Every way an update of up to eight VMs can end: the new module's bytes are freed only
 * when no VM is left on it, a rollback frees nothing, a failure never frees the previous
 * module (the VMs taken back run it). */
static void test_end(void)
{
    CHECK(wv_update_end(1, 0, 0) == WV_UPDATE_FREE_PREV);
    CHECK(wv_update_end(1, 1, 0) == 0);
    for (uint32_t done = 0; done < 256; done++) {
        for (uint32_t back = 0; back < 256; back++) {
            if (back & ~done) continue;     /* a take-back moves only VMs that went over */
            uint32_t left = wv_update_left_on_new(done, back);
            CHECK(left == (done ^ back));
            unsigned upd = wv_update_end(0, 0, left), rb = wv_update_end(0, 1, left);
            CHECK(((upd & WV_UPDATE_FREE_NEW) != 0) == (back == done));
            CHECK(!(upd & WV_UPDATE_FREE_PREV));
            CHECK(rb == 0);
            if (failures) return;
        }
    }
    /* VMs 0 and 1 went over, VM 1 failed to come back: VM 1 still runs the new bytes. */
    CHECK(wv_update_left_on_new(0x3, 0x1) == 0x2 && wv_update_end(0, 0, 0x2) == 0);
    /* The hand-over failed at the first VM: nothing went over, the bytes are let go. */
    CHECK(wv_update_end(0, 0, wv_update_left_on_new(0, 0)) == WV_UPDATE_FREE_NEW);
}

int main(void)
{
    test_file_len();
    test_trust();
    test_pick_version();
    test_state_sizes();
    test_end();
    if (failures) { printf("%d failure(s)\n", failures); return 1; }
    printf("update_plan: all checks passed\n");
    return 0;
}
