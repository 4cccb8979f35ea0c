/* For host tests that link format.c for its wv_snprintf: wv_printf's console and log,
 * which the host has not. Nothing the tests check goes through them. */
#include "wv_console.h"
#include "wv_mgmt.h"

void wv_console_write(const char *s, size_t len) { (void)s; (void)len; }
void wv_log_append(const char *s, size_t len) { (void)s; (void)len; }
