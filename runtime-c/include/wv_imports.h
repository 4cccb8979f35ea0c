/* Tables of host imports linked into each core instance (module "wv"). */
#ifndef WV_IMPORTS_H
#define WV_IMPORTS_H
#include <stddef.h>
#include "wasm3.h"

struct wv_import { const char *name, *sig; M3RawCall fn; };

/* Link every entry; an import the module does not use is fine, a signature mismatch is
 * an error (returned). */
const char *wv_link_table(IM3Module module, const struct wv_import *t, size_t n);

#endif
