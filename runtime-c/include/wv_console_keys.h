/* The console's key sequence (docs/abi.md section 5): Ctrl-A, then a digit N selects
 * VM N for console input, '?' lists the VMs, Ctrl-A sends one Ctrl-A to the VM. Pure
 * logic, tested on the host (runtime-c/tests/test_console_keys.c). */
#ifndef WV_CONSOLE_KEYS_H
#define WV_CONSOLE_KEYS_H
#include <stdint.h>

#define WV_KEY_ESCAPE   0x01u       /* Ctrl-A */
#define WV_KEY_LIST     '?'

enum wv_key_kind {
    WV_KEY_NONE,        /* nothing yet (the escape byte waits for the next one) */
    WV_KEY_BYTE,        /* `byte` goes to the VM that has the focus */
    WV_KEY_SELECT,      /* Ctrl-A digit: VM `vm` (0..9; the caller checks it exists) */
    WV_KEY_SHOW_LIST,   /* Ctrl-A ?: list the VMs */
    WV_KEY_HELP,        /* Ctrl-A and anything else: both dropped, the keys explained */
};

struct wv_key {
    enum wv_key_kind kind;
    uint8_t byte;
    uint32_t vm;
};

struct wv_keys {
    uint8_t escaped;    /* the last byte was the escape */
};

/* Feed one received byte. */
struct wv_key wv_keys_feed(struct wv_keys *k, uint8_t b);

#endif
