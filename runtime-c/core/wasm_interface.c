/* Reads a .wasm module's function imports and exports with their signatures
 * (wv_wasm_interface.h). The binary format is WebAssembly 1.0's (section 5, "Binary
 * Format"): sections in their order, each at most once, custom sections anywhere; each
 * decoded section must end exactly at its size. */
#include "wv_wasm_interface.h"
#include "wv_leb.h"
#include <stdlib.h>
#include <string.h>

struct rd {
    const uint8_t *base, *p, *end;
    struct wv_wasm_interface_error *e;
};

static int fail(struct rd *d, const char *what, const uint8_t *at)
{
    d->e->what = what;
    d->e->offset = (uint32_t)(at - d->base);
    return -1;
}

/* An unsigned LEB128 number of at most 32 bits (wv_leb.h). */
static int u32(struct rd *d, uint32_t *out, const char *what)
{
    const uint8_t *start = d->p;
    uint64_t v;
    if (wv_leb_read(&d->p, d->end, 32, 0, &v) != WV_LEB_OK) return fail(d, what, start);
    *out = (uint32_t)v;
    return 0;
}

static int byte(struct rd *d, uint8_t *out, const char *what)
{
    if (d->p >= d->end) return fail(d, what, d->p);
    *out = *d->p++;
    return 0;
}

static int name(struct rd *d, struct wv_wasm_name *n, const char *what)
{
    if (u32(d, &n->len, what)) return -1;
    if ((size_t)(d->end - d->p) < n->len) return fail(d, what, d->p);
    n->p = d->p;
    d->p += n->len;
    return 0;
}

/* A count of entries each at least `min_bytes` long: one the rest of the section could
 * not hold is refused before anything is allocated for it. */
static int count(struct rd *d, uint32_t *n, size_t min_bytes, const char *what)
{
    const uint8_t *at = d->p;
    if (u32(d, n, what)) return -1;
    return (size_t)(d->end - d->p) / min_bytes < *n ? fail(d, what, at) : 0;
}

static char val_char(uint8_t t)
{
    switch (t) {
    case 0x7f: return 'i';
    case 0x7e: return 'I';
    case 0x7d: return 'f';
    case 0x7c: return 'F';
    default:   return 0;
    }
}

static int types(struct rd *d, struct wv_wasm_interface *w)
{
    if (count(d, &w->type_count, 3, "type count")) return -1;
    w->sigs = calloc(w->type_count ? w->type_count : 1, sizeof *w->sigs);
    if (!w->sigs) return fail(d, "out of memory", d->p);
    for (uint32_t i = 0; i < w->type_count; i++) {
        uint8_t form, t;
        uint32_t params, results;
        char params_s[WV_WASM_SIG_PARAMS + 1], result = 'v';
        int ok = 1;
        if (byte(d, &form, "type form")) return -1;
        if (form != 0x60) return fail(d, "type form (not a function type)", d->p - 1);
        if (u32(d, &params, "param count")) return -1;
        for (uint32_t j = 0; j < params; j++) {
            if (byte(d, &t, "param type")) return -1;
            if (!val_char(t)) return fail(d, "param type", d->p - 1);
            if (j < WV_WASM_SIG_PARAMS) params_s[j] = val_char(t);
        }
        if (u32(d, &results, "result count")) return -1;
        for (uint32_t j = 0; j < results; j++) {
            if (byte(d, &t, "result type")) return -1;
            if (!val_char(t)) return fail(d, "result type", d->p - 1);
            result = val_char(t);
        }
        if (params > WV_WASM_SIG_PARAMS || results > 1) ok = 0;
        if (ok) {
            char *s = w->sigs[i];
            *s++ = result;
            *s++ = '(';
            memcpy(s, params_s, params);
            s += params;
            *s++ = ')';
            *s = 0;
        }
    }
    return 0;
}

static int limits(struct rd *d)
{
    uint8_t flags;
    uint32_t n;
    if (byte(d, &flags, "limits")) return -1;
    if (flags > 1) return fail(d, "limits flags", d->p - 1);
    if (u32(d, &n, "limits minimum")) return -1;
    return flags ? u32(d, &n, "limits maximum") : 0;
}

static int type_index(struct rd *d, const struct wv_wasm_interface *w, uint32_t *t, const char *what)
{
    const uint8_t *at = d->p;
    if (u32(d, t, what)) return -1;
    return *t < w->type_count ? 0 : fail(d, what, at);
}

static int imports(struct rd *d, struct wv_wasm_interface *w)
{
    uint32_t n;
    if (count(d, &n, 4, "import count")) return -1;
    w->imports = calloc(n ? n : 1, sizeof *w->imports);
    if (!w->imports) return fail(d, "out of memory", d->p);
    for (uint32_t i = 0; i < n; i++) {
        struct wv_wasm_func f;
        uint8_t kind, b;
        if (name(d, &f.module, "import module name") || name(d, &f.name, "import name")) return -1;
        if (byte(d, &kind, "import kind")) return -1;
        switch (kind) {
        case 0:
            if (type_index(d, w, &f.type, "imported function's type index")) return -1;
            w->imports[w->import_count++] = f;
            break;
        case 1:
            if (byte(d, &b, "imported table's type")) return -1;
            if (b != 0x70) return fail(d, "imported table's type", d->p - 1);
            if (limits(d)) return -1;
            w->other_imports++;
            break;
        case 2:
            if (limits(d)) return -1;
            w->other_imports++;
            break;
        case 3:
            if (byte(d, &b, "imported global's type")) return -1;
            if (!val_char(b)) return fail(d, "imported global's type", d->p - 1);
            if (byte(d, &b, "imported global's mutability")) return -1;
            if (b > 1) return fail(d, "imported global's mutability", d->p - 1);
            w->other_imports++;
            break;
        default:
            return fail(d, "import kind", d->p - 1);
        }
    }
    return 0;
}

static int functions(struct rd *d, const struct wv_wasm_interface *w, uint32_t **ftypes, uint32_t *nfuncs)
{
    if (count(d, nfuncs, 1, "function count")) return -1;
    *ftypes = calloc(*nfuncs ? *nfuncs : 1, sizeof **ftypes);
    if (!*ftypes) return fail(d, "out of memory", d->p);
    for (uint32_t i = 0; i < *nfuncs; i++)
        if (type_index(d, w, &(*ftypes)[i], "function's type index")) return -1;
    return 0;
}

static int exports(struct rd *d, struct wv_wasm_interface *w, const uint32_t *ftypes, uint32_t nfuncs)
{
    uint32_t n;
    if (count(d, &n, 3, "export count")) return -1;
    w->exports = calloc(n ? n : 1, sizeof *w->exports);
    if (!w->exports) return fail(d, "out of memory", d->p);
    for (uint32_t i = 0; i < n; i++) {
        struct wv_wasm_func f = { { 0, 0 }, { 0, 0 }, 0 };
        uint8_t kind;
        uint32_t index;
        if (name(d, &f.name, "export name") || byte(d, &kind, "export kind")) return -1;
        if (kind > 3) return fail(d, "export kind", d->p - 1);
        const uint8_t *at = d->p;
        if (u32(d, &index, "export index")) return -1;
        if (kind != 0) continue;
        if (index < w->import_count) f.type = w->imports[index].type;
        else if (index - w->import_count < nfuncs) f.type = ftypes[index - w->import_count];
        else return fail(d, "exported function index", at);
        w->exports[w->export_count++] = f;
    }
    return 0;
}

void wv_wasm_interface_free(struct wv_wasm_interface *w)
{
    free(w->sigs);
    free(w->imports);
    free(w->exports);
    memset(w, 0, sizeof *w);
}

int wv_wasm_interface_read(const uint8_t *wasm, size_t len, struct wv_wasm_interface *w,
                           struct wv_wasm_interface_error *e)
{
    static const uint8_t magic[8] = { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00 };
    struct rd d = { wasm, wasm, wasm + len, e };
    uint32_t *ftypes = 0, nfuncs = 0;
    uint8_t last = 0;
    memset(w, 0, sizeof *w);
    if (len < 8 || memcmp(wasm, magic, 8)) { fail(&d, "magic or version (not a WebAssembly 1.0 module)", wasm); goto bad; }
    d.p += 8;
    while (d.p < d.end) {
        uint8_t id;
        uint32_t size;
        const uint8_t *at = d.p;
        if (byte(&d, &id, "section id") || u32(&d, &size, "section size")) goto bad;
        if ((size_t)(d.end - d.p) < size) { fail(&d, "section size (past the end of the module)", at); goto bad; }
        /* Known sections in order (the data count section, 12, sits between 9 and 10). */
        static const uint8_t order[13] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10 };
        if (id > 12) { fail(&d, "section id", at); goto bad; }
        if (id != 0) {
            if (order[id] <= last) { fail(&d, "section out of order or repeated", at); goto bad; }
            last = order[id];
        }
        struct rd s = { d.base, d.p, d.p + size, e };
        int r = 0;
        switch (id) {
        case 1: r = types(&s, w); break;
        case 2: r = imports(&s, w); break;
        case 3: r = functions(&s, w, &ftypes, &nfuncs); break;
        case 7: r = exports(&s, w, ftypes, nfuncs); break;
        default: s.p = s.end; break;
        }
        if (r) goto bad;
        if (s.p != s.end) { fail(&d, "section size (its contents end before it)", s.p); goto bad; }
        d.p = s.end;
    }
    free(ftypes);
    return 0;
bad:
    free(ftypes);
    wv_wasm_interface_free(w);
    return -1;
}

int wv_wasm_name_is(struct wv_wasm_name name, const char *s)
{
    size_t n = strlen(s);
    return n == name.len && (n == 0 || memcmp(name.p, s, n) == 0);
}
