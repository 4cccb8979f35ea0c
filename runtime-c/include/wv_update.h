/* Live update of the core module (update.c, docs/live-update.md). */
#ifndef WV_UPDATE_H
#define WV_UPDATE_H
#include <stdint.h>
#include <stddef.h>
#include "wv_mgmt.h"

/* Check `file` (a signed .wvm, or a bare .wasm where the image allows unsigned modules),
 * build an instance of it for every VM while they run, then hand each VM over in turn.
 * Any failure leaves every VM on the module it ran; *a says what happened. */
void wv_update_apply(const uint8_t *file, size_t len, struct wv_answer *a);
/* The same back to the module that ran before the last update. */
void wv_update_rollback(struct wv_answer *a);
/* The running module: `version` answer line. */
void wv_update_describe(struct wv_answer *a);
/* At boot: the built-in module (checked, its native part loaded if it has one) is the
 * running one. */
struct wv_core_module;
void wv_update_init(const struct wv_core_module *builtin);

#endif
