/* The one line a refused core module is answered with (wv_module_report_text): what
 * was wrong, in which function and at which byte of the module, so that whoever built
 * the module can find it (`wasm-objdump -d` prints those offsets). Formatted with the
 * runtime's own wv_snprintf (format.c), which the host tests build too. */
#include "wv_module_check.h"
#include "wv_console.h"

void wv_module_report_text(const struct wv_module_report *r, char *buf, size_t cap)
{
    const char *what = r->what ? r->what : "module";
    /* " in function N at offset 0x.." for the faults found while decoding. */
    char where[48];
    if (r->func != WV_MODULE_NO_FUNC) wv_snprintf(where, sizeof where, " in function %u at offset 0x%x", r->func, r->offset);
    else wv_snprintf(where, sizeof where, " at offset 0x%x", r->offset);
    switch (r->fault) {
    case WV_MODULE_OK:
        wv_snprintf(buf, cap, "no fault");
        break;
    case WV_MODULE_TRUNCATED:
        wv_snprintf(buf, cap, "truncated: %s%s", what, where);
        break;
    case WV_MODULE_LEB:
        wv_snprintf(buf, cap, "malformed LEB128 number (%s)%s", what, where);
        break;
    case WV_MODULE_MALFORMED:
        wv_snprintf(buf, cap, "malformed: %s%s", what, where);
        break;
    case WV_MODULE_OPCODE:
        wv_snprintf(buf, cap, "unknown opcode 0x%x%s", r->opcode, where);
        break;
    case WV_MODULE_NESTING:
    case WV_MODULE_LOOPS:
        wv_snprintf(buf, cap, "function %u nests %s %u deep at offset 0x%x, over the limit of %u", r->func,
                    r->fault == WV_MODULE_LOOPS ? "loops" : "blocks, loops and ifs", r->count, r->offset,
                    r->fault == WV_MODULE_LOOPS ? WV_MODULE_MAX_LOOPS : WV_MODULE_MAX_NESTING);
        break;
    case WV_MODULE_VALUES:
        wv_snprintf(buf, cap, "a type has %u %s at offset 0x%x, over the limit of %u", r->count, what, r->offset,
                    WV_MODULE_MAX_VALUES);
        break;
    case WV_MODULE_LOCALS:
        wv_snprintf(buf, cap, "function %u declares %u locals or more at offset 0x%x, over the limit of %u", r->func,
                    r->count, r->offset, WV_MODULE_MAX_LOCALS);
        break;
    default:
        wv_snprintf(buf, cap, "fault %u", (unsigned)r->fault);
        break;
    }
}
