/* Host tests of the console's key sequence (runtime-c/core/console_keys.c). */
#include "wv_console_keys.h"
#include <stdio.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static struct wv_key feed(struct wv_keys *k, uint8_t b) { return wv_keys_feed(k, b); }

static void test_plain_bytes(void)
{
    struct wv_keys k;
    memset(&k, 0, sizeof k);
    const char *s = "echo hi\r";
    for (size_t i = 0; i < strlen(s); i++) {
        struct wv_key r = feed(&k, (uint8_t)s[i]);
        CHECK(r.kind == WV_KEY_BYTE && r.byte == (uint8_t)s[i]);
    }
    struct wv_key r = feed(&k, 0x00);
    CHECK(r.kind == WV_KEY_BYTE && r.byte == 0);
    r = feed(&k, 0xff);
    CHECK(r.kind == WV_KEY_BYTE && r.byte == 0xff);
}

static void test_select(void)
{
    struct wv_keys k;
    memset(&k, 0, sizeof k);
    for (uint8_t d = '0'; d <= '9'; d++) {
        CHECK(feed(&k, WV_KEY_ESCAPE).kind == WV_KEY_NONE);
        struct wv_key r = feed(&k, d);
        CHECK(r.kind == WV_KEY_SELECT && r.vm == (uint32_t)(d - '0'));
        /* after the command, digits are plain bytes again */
        r = feed(&k, d);
        CHECK(r.kind == WV_KEY_BYTE && r.byte == d);
    }
}

static void test_list_escape_help(void)
{
    struct wv_keys k;
    memset(&k, 0, sizeof k);
    feed(&k, WV_KEY_ESCAPE);
    CHECK(feed(&k, '?').kind == WV_KEY_SHOW_LIST);
    /* Ctrl-A Ctrl-A sends one Ctrl-A, and does not leave an escape pending */
    feed(&k, WV_KEY_ESCAPE);
    struct wv_key r = feed(&k, WV_KEY_ESCAPE);
    CHECK(r.kind == WV_KEY_BYTE && r.byte == WV_KEY_ESCAPE);
    r = feed(&k, '1');
    CHECK(r.kind == WV_KEY_BYTE && r.byte == '1');
    /* Ctrl-A and anything else: explained, both dropped */
    feed(&k, WV_KEY_ESCAPE);
    r = feed(&k, 'x');
    CHECK(r.kind == WV_KEY_HELP && r.byte == 'x');
    r = feed(&k, 'x');
    CHECK(r.kind == WV_KEY_BYTE);
    /* three escapes: one Ctrl-A sent, the third starts a command */
    feed(&k, WV_KEY_ESCAPE);
    CHECK(feed(&k, WV_KEY_ESCAPE).kind == WV_KEY_BYTE);
    CHECK(feed(&k, WV_KEY_ESCAPE).kind == WV_KEY_NONE);
    CHECK(feed(&k, '2').kind == WV_KEY_SELECT);
}

int main(void)
{
    test_plain_bytes();
    test_select();
    test_list_escape_help();
    if (failures) { printf("%d check(s) failed\n", failures); return 1; }
    printf("console keys: all checks passed\n");
    return 0;
}
