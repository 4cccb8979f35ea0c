/* The one line a refused core module is answered with (wv_module_report_text): what
 * was wrong, in which function and at which byte of the module, so that whoever built
 * the module can find it (`wasm-objdump -d` prints those offsets). Written without
 * printf so that the host tests run the very code the image does. */
#include "wv_module_check.h"

struct line { char *buf; size_t cap, len; };

static void str(struct line *l, const char *s)
{
    for (; *s; s++, l->len++) if (l->len + 1 < l->cap) l->buf[l->len] = *s;
}

static void num(struct line *l, uint32_t v, unsigned base)
{
    char tmp[12];
    int n = 0;
    do { tmp[n++] = "0123456789abcdef"[v % base]; v /= base; } while (v);
    if (base == 16) str(l, "0x");
    while (n) { char c[2] = { tmp[--n], 0 }; str(l, c); }
}

static void func_and_offset(struct line *l, const struct wv_module_report *r)
{
    if (r->func != WV_MODULE_NO_FUNC) { str(l, " in function "); num(l, r->func, 10); }
    str(l, " at offset ");
    num(l, r->offset, 16);
}

void wv_module_report_text(const struct wv_module_report *r, char *buf, size_t cap)
{
    struct line l = { buf, cap, 0 };
    const char *what = r->what ? r->what : "module";
    switch (r->fault) {
    case WV_MODULE_OK:
        str(&l, "no fault");
        break;
    case WV_MODULE_TRUNCATED:
        str(&l, "truncated: ");
        str(&l, what);
        func_and_offset(&l, r);
        break;
    case WV_MODULE_LEB:
        str(&l, "malformed LEB128 number (");
        str(&l, what);
        str(&l, ")");
        func_and_offset(&l, r);
        break;
    case WV_MODULE_MALFORMED:
        str(&l, "malformed: ");
        str(&l, what);
        func_and_offset(&l, r);
        break;
    case WV_MODULE_OPCODE:
        str(&l, "unknown opcode ");
        num(&l, r->opcode, 16);
        func_and_offset(&l, r);
        break;
    case WV_MODULE_NESTING:
    case WV_MODULE_LOOPS:
        str(&l, "function ");
        num(&l, r->func, 10);
        str(&l, r->fault == WV_MODULE_LOOPS ? " nests loops " : " nests blocks, loops and ifs ");
        num(&l, r->count, 10);
        str(&l, " deep at offset ");
        num(&l, r->offset, 16);
        str(&l, ", over the limit of ");
        num(&l, r->fault == WV_MODULE_LOOPS ? WV_MODULE_MAX_LOOPS : WV_MODULE_MAX_NESTING, 10);
        break;
    case WV_MODULE_VALUES:
        str(&l, "a type has ");
        num(&l, r->count, 10);
        str(&l, " ");
        str(&l, what);
        str(&l, " at offset ");
        num(&l, r->offset, 16);
        str(&l, ", over the limit of ");
        num(&l, WV_MODULE_MAX_VALUES, 10);
        break;
    case WV_MODULE_LOCALS:
        str(&l, "function ");
        num(&l, r->func, 10);
        str(&l, " declares ");
        num(&l, r->count, 10);
        str(&l, " locals or more at offset ");
        num(&l, r->offset, 16);
        str(&l, ", over the limit of ");
        num(&l, WV_MODULE_MAX_LOCALS, 10);
        break;
    }
    if (cap) buf[l.len < cap ? l.len : cap - 1] = 0;
}
