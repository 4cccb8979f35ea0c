/* The console's key sequence: see wv_console_keys.h. */
#include "wv_console_keys.h"

struct wv_key wv_keys_feed(struct wv_keys *k, uint8_t b)
{
    struct wv_key r = { WV_KEY_NONE, 0, 0 };
    if (!k->escaped) {
        if (b == WV_KEY_ESCAPE) {
            k->escaped = 1;
            return r;
        }
        r.kind = WV_KEY_BYTE;
        r.byte = b;
        return r;
    }
    k->escaped = 0;
    if (b == WV_KEY_ESCAPE) {
        r.kind = WV_KEY_BYTE;
        r.byte = b;
    } else if (b >= '0' && b <= '9') {
        r.kind = WV_KEY_SELECT;
        r.vm = (uint32_t)(b - '0');
    } else if (b == WV_KEY_LIST) {
        r.kind = WV_KEY_SHOW_LIST;
    } else {
        r.kind = WV_KEY_HELP;
        r.byte = b;
    }
    return r;
}
