/* The check of a core module's structure and nesting before wasm3 parses it
 * (wv_module_check.h; docs/architecture.md, "The EL2 stacks").
 *
 * The walk must see the same instruction stream wasm3 compiles, or a hostile module could
 * hide a block from it inside what one of them takes for an immediate: every immediate is
 * read with the length wasm3 reads it with, and where wasm3 would read an encoding the
 * format allows differently (a 0xfc sub-opcode longer than one byte, a reserved byte
 * written as a longer LEB128) the module is refused. Sections are taken in wasm3's order,
 * each at most once, so that the code section walked is the one wasm3 compiles.
 * Nothing is allocated: the per-level state is two bit sets sized by the nesting bound. */
#include "wv_module_check.h"
#include "wv_leb.h"
#include <string.h>

struct rd {
    const uint8_t *base, *p, *end;
    struct wv_module_report *r;
    uint32_t types;             /* entries of the type section */
    uint32_t functions;         /* imported and defined */
};

static int fail(struct rd *d, enum wv_module_fault f, const char *what, const uint8_t *at)
{
    d->r->fault = f;
    d->r->what = what;
    d->r->offset = (uint32_t)(at - d->base);
    return -1;
}

/* A LEB128 number of `bits` bits (wv_leb.h); wasm3 reads the same bytes, checking less. */
static int leb(struct rd *d, unsigned bits, int is_signed, uint64_t *out, const char *what)
{
    const uint8_t *start = d->p;
    switch (wv_leb_read(&d->p, d->end, bits, is_signed, out)) {
    case WV_LEB_OK: return 0;
    case WV_LEB_TRUNCATED: return fail(d, WV_MODULE_TRUNCATED, what, start);
    default: return fail(d, WV_MODULE_LEB, what, start);
    }
}

static int u32(struct rd *d, uint32_t *out, const char *what)
{
    uint64_t v;
    if (leb(d, 32, 0, &v, what)) return -1;
    *out = (uint32_t)v;
    return 0;
}

static int byte(struct rd *d, uint8_t *out, const char *what)
{
    if (d->p >= d->end) return fail(d, WV_MODULE_TRUNCATED, what, d->p);
    *out = *d->p++;
    return 0;
}

/* A byte the format reserves as 0 (memory index, table index): wasm3 reads it as one
 * byte, so a longer encoding is refused rather than read two ways. */
static int zero_byte(struct rd *d, const char *what)
{
    uint8_t b;
    if (byte(d, &b, what)) return -1;
    return b ? fail(d, WV_MODULE_MALFORMED, what, d->p - 1) : 0;
}

static int skip(struct rd *d, uint32_t n, const char *what)
{
    if ((size_t)(d->end - d->p) < n) return fail(d, WV_MODULE_TRUNCATED, what, d->p);
    d->p += n;
    return 0;
}

static int is_numtype(uint8_t t)
{
    return t == 0x7f || t == 0x7e || t == 0x7d || t == 0x7c;   /* i32 i64 f32 f64 */
}

static int valtype(struct rd *d, const char *what)
{
    uint8_t t;
    if (byte(d, &t, what)) return -1;
    return is_numtype(t) ? 0 : fail(d, WV_MODULE_MALFORMED, what, d->p - 1);
}

static int type_index(struct rd *d, const char *what)
{
    const uint8_t *at = d->p;
    uint32_t t;
    if (u32(d, &t, what)) return -1;
    return t < d->types ? 0 : fail(d, WV_MODULE_MALFORMED, what, at);
}

/* The type section: every type a function type whose params and results are few enough
 * for wasm3's value-moving recursion (WV_MODULE_MAX_VALUES). */
static int types(struct rd *d)
{
    if (u32(d, &d->types, "type count")) return -1;
    for (uint32_t i = 0; i < d->types; i++) {
        uint8_t form;
        if (byte(d, &form, "type form")) return -1;
        if (form != 0x60) return fail(d, WV_MODULE_MALFORMED, "type form (not a function type)", d->p - 1);
        for (int k = 0; k < 2; k++) {
            const uint8_t *at = d->p;
            uint32_t n;
            if (u32(d, &n, k ? "result count" : "param count")) return -1;
            if (n > WV_MODULE_MAX_VALUES) {
                d->r->count = n;
                return fail(d, WV_MODULE_VALUES, k ? "results" : "params", at);
            }
            for (uint32_t j = 0; j < n; j++) if (valtype(d, "value type")) return -1;
        }
    }
    return 0;
}

static int limits(struct rd *d)
{
    uint8_t flags;
    uint32_t n;
    if (byte(d, &flags, "limits")) return -1;
    if (flags > 1) return fail(d, WV_MODULE_MALFORMED, "limits flags", d->p - 1);
    if (u32(d, &n, "limits minimum")) return -1;
    return flags ? u32(d, &n, "limits maximum") : 0;
}

/* The import section: only to number the functions (imported ones come first). */
static int imports(struct rd *d)
{
    uint32_t n;
    if (u32(d, &n, "import count")) return -1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len;
        uint8_t kind, b;
        if (u32(d, &len, "import module name") || skip(d, len, "import module name")) return -1;
        if (u32(d, &len, "import name") || skip(d, len, "import name")) return -1;
        if (byte(d, &kind, "import kind")) return -1;
        switch (kind) {
        case 0:
            if (type_index(d, "imported function's type index")) return -1;
            if (d->functions == WV_MODULE_NO_FUNC - 1) return fail(d, WV_MODULE_MALFORMED, "function count", d->p);
            d->functions++;
            break;
        case 1:
            if (byte(d, &b, "imported table's type")) return -1;
            if (b != 0x70) return fail(d, WV_MODULE_MALFORMED, "imported table's type", d->p - 1);
            if (limits(d)) return -1;
            break;
        case 2:
            if (limits(d)) return -1;
            break;
        case 3:
            if (valtype(d, "imported global's type") || byte(d, &b, "imported global's mutability")) return -1;
            if (b > 1) return fail(d, WV_MODULE_MALFORMED, "imported global's mutability", d->p - 1);
            break;
        default:
            return fail(d, WV_MODULE_MALFORMED, "import kind", d->p - 1);
        }
    }
    return 0;
}

static int function_types(struct rd *d, uint32_t *defined)
{
    if (u32(d, defined, "function count")) return -1;
    if (*defined >= WV_MODULE_NO_FUNC - d->functions) return fail(d, WV_MODULE_MALFORMED, "function count", d->p);
    for (uint32_t i = 0; i < *defined; i++) if (type_index(d, "function's type index")) return -1;
    d->functions += *defined;
    return 0;
}

/* Open constructs of one body, one bit per level: which are loops, which are ifs still
 * before their else. Level 0 is the body itself. */
struct levels {
    uint32_t loop[(WV_MODULE_MAX_NESTING + 32) / 32];
    uint32_t open_if[(WV_MODULE_MAX_NESTING + 32) / 32];
};

static void put_bit(uint32_t *set, uint32_t i, int v)
{
    if (v) set[i / 32] |= 1u << i % 32;
    else set[i / 32] &= ~(1u << i % 32);
}

static int get_bit(const uint32_t *set, uint32_t i)
{
    return set[i / 32] >> i % 32 & 1;
}

/* A block type: empty, one value type, or (multi-value) a type index. */
static int block_type(struct rd *d)
{
    const uint8_t *at = d->p;
    uint64_t v;
    if (leb(d, 33, 1, &v, "block type")) return -1;
    int64_t t = (int64_t)v;
    if (t == -64 || (t < 0 && t >= -4)) return 0;              /* 0x40; 0x7f 0x7e 0x7d 0x7c */
    return t >= 0 && t < d->types ? 0 : fail(d, WV_MODULE_MALFORMED, "block type", at);
}

/* One instruction's immediates after its opcode `op` at `at`. */
static int immediates(struct rd *d, uint8_t op, const uint8_t *at)
{
    uint32_t n;
    uint64_t v;
    if (op <= 0x01 || op == 0x0f || op == 0x1a || op == 0x1b || (op >= 0x45 && op <= 0xc4)) return 0;
    if (op >= 0x20 && op <= 0x24) return u32(d, &n, "local or global index");
    if (op >= 0x28 && op <= 0x3e) return u32(d, &n, "memory alignment") || u32(d, &n, "memory offset");
    switch (op) {
    case 0x10:
        if (u32(d, &n, "called function index")) return -1;
        return n < d->functions ? 0 : fail(d, WV_MODULE_MALFORMED, "called function index", at + 1);
    case 0x11:
        return type_index(d, "call_indirect type index") || zero_byte(d, "call_indirect table index");
    case 0x3f: case 0x40:
        return zero_byte(d, "memory index");
    case 0x41: return leb(d, 32, 1, &v, "i32 constant");
    case 0x42: return leb(d, 64, 1, &v, "i64 constant");
    case 0x43: return skip(d, 4, "f32 constant");
    case 0x44: return skip(d, 8, "f64 constant");
    case 0xfc: {
        uint8_t sub;
        if (byte(d, &sub, "0xfc sub-opcode")) return -1;
        if (sub <= 0x07) return 0;                              /* saturating truncation */
        if (sub == 0x0a) return zero_byte(d, "memory index") || zero_byte(d, "memory index");
        if (sub == 0x0b) return zero_byte(d, "memory index");
        d->r->opcode = 0xfc00u | sub;
        return fail(d, WV_MODULE_OPCODE, "opcode", at);
    }
    }
    d->r->opcode = op;
    return fail(d, WV_MODULE_OPCODE, "opcode", at);
}

static void note_max(struct wv_module_report *r, uint32_t func, uint32_t nesting, uint32_t loops)
{
    if (nesting > r->max_nesting) { r->max_nesting = nesting; r->max_nesting_func = func; }
    if (loops > r->max_loops) { r->max_loops = loops; r->max_loops_func = func; }
}

/* The instructions of one body, up to its last end (which must be its last byte). */
static int instructions(struct rd *d, uint32_t func, struct levels *lv)
{
    uint32_t depth = 0, loops = 0, n;
    memset(lv, 0, sizeof *lv);
    for (;;) {
        const uint8_t *at = d->p;
        uint8_t op;
        if (byte(d, &op, "function body (it ends before its last end)")) return -1;
        switch (op) {
        case 0x02: case 0x03: case 0x04:
            if (block_type(d)) return -1;
            if (++depth > WV_MODULE_MAX_NESTING) {
                d->r->count = depth;
                return fail(d, WV_MODULE_NESTING, "nesting", at);
            }
            if (op == 0x03 && ++loops > WV_MODULE_MAX_LOOPS) {
                d->r->count = loops;
                return fail(d, WV_MODULE_LOOPS, "loops", at);
            }
            put_bit(lv->loop, depth, op == 0x03);
            put_bit(lv->open_if, depth, op == 0x04);
            note_max(d->r, func, depth, loops);
            break;
        case 0x05:
            if (!get_bit(lv->open_if, depth)) return fail(d, WV_MODULE_MALFORMED, "else outside an if", at);
            put_bit(lv->open_if, depth, 0);
            break;
        case 0x0b:
            if (depth == 0) {
                if (d->p != d->end) return fail(d, WV_MODULE_MALFORMED, "bytes after the function's last end", d->p);
                return 0;
            }
            loops -= (uint32_t)get_bit(lv->loop, depth);
            depth--;
            break;
        case 0x0c: case 0x0d:
            if (u32(d, &n, "branch depth")) return -1;
            if (n > depth) return fail(d, WV_MODULE_MALFORMED, "branch depth", at + 1);
            break;
        case 0x0e: {
            uint32_t targets;
            if (u32(d, &targets, "br_table count")) return -1;
            /* Each target takes a byte at least: a huge count runs out of body first. */
            for (uint64_t i = 0; i <= targets; i++) {
                const uint8_t *t = d->p;
                if (u32(d, &n, "br_table target")) return -1;
                if (n > depth) return fail(d, WV_MODULE_MALFORMED, "br_table target", t);
            }
            break;
        }
        default:
            if (immediates(d, op, at)) return -1;
        }
    }
}

/* The locals of a body: groups of (count, type), WV_MODULE_MAX_LOCALS in all. */
static int locals(struct rd *d)
{
    uint32_t groups, n;
    uint64_t total = 0;
    const uint8_t *at = d->p;
    if (u32(d, &groups, "local group count")) return -1;
    for (uint32_t i = 0; i < groups; i++) {
        if (u32(d, &n, "local count") || valtype(d, "local type")) return -1;
        total += n;
        if (total > WV_MODULE_MAX_LOCALS) {
            d->r->count = total > 0xffffffffu ? 0xffffffffu : (uint32_t)total;
            return fail(d, WV_MODULE_LOCALS, "locals", at);
        }
    }
    return 0;
}

static int code(struct rd *d, uint32_t defined)
{
    uint32_t n;
    const uint8_t *at = d->p;
    if (u32(d, &n, "code count")) return -1;
    if (n != defined) return fail(d, WV_MODULE_MALFORMED, "code count (not the function section's)", at);
    uint32_t first = d->functions - defined;
    struct levels lv;
    const uint8_t *section_end = d->end;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t size;
        d->r->func = first + i;
        if (u32(d, &size, "function body size")) return -1;
        if (size == 0) return fail(d, WV_MODULE_MALFORMED, "function body size (0)", d->p - 1);
        if ((size_t)(section_end - d->p) < size) return fail(d, WV_MODULE_TRUNCATED, "function body (past its section)", d->p);
        d->end = d->p + size;
        if (locals(d) || instructions(d, first + i, &lv)) return -1;
        d->end = section_end;
        d->r->functions++;
    }
    d->r->func = WV_MODULE_NO_FUNC;
    return 0;
}

/* wasm3's order of the known sections (m3_parse.c): each at most once, data count (12)
 * before code (10); custom sections (0) anywhere. */
static int section_rank(uint8_t id)
{
    static const uint8_t order[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11 };
    for (int i = 0; i < (int)sizeof order; i++) if (order[i] == id) return i + 1;
    return 0;
}

int wv_module_check(const uint8_t *wasm, size_t len, struct wv_module_report *r)
{
    static const uint8_t header[8] = { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00 };
    memset(r, 0, sizeof *r);
    r->func = r->max_nesting_func = r->max_loops_func = WV_MODULE_NO_FUNC;
    struct rd d = { wasm, wasm, wasm + len, r, 0, 0 };
    if (len > 0xffffffffu) return fail(&d, WV_MODULE_MALFORMED, "module size (over 4 GiB)", wasm);
    if (len < sizeof header) return fail(&d, WV_MODULE_TRUNCATED, "header", wasm);
    if (memcmp(wasm, header, sizeof header)) return fail(&d, WV_MODULE_MALFORMED, "header (not a WebAssembly 1 module)", wasm);
    d.p += sizeof header;
    int last = 0, seen_functions = 0, seen_code = 0;
    uint32_t defined = 0;
    while (d.p < d.end) {
        const uint8_t *at = d.p, *module_end = d.end;
        uint8_t id;
        uint32_t size;
        if (byte(&d, &id, "section id") || u32(&d, &size, "section size")) return -1;
        int rank = section_rank(id);
        if (id != 0 && rank <= last) return fail(&d, WV_MODULE_MALFORMED, "section id (unknown, repeated or out of order)", at);
        if (id != 0) last = rank;
        if ((size_t)(d.end - d.p) < size) return fail(&d, WV_MODULE_TRUNCATED, "section (past the module's end)", at);
        d.end = d.p + size;
        int rc = 0;
        if (id == 1) rc = types(&d);
        else if (id == 2) rc = imports(&d);
        else if (id == 3) { rc = function_types(&d, &defined); seen_functions = 1; }
        else if (id == 10) { rc = code(&d, defined); seen_code = 1; }
        else d.p = d.end;                                   /* nothing in it nests */
        if (rc) return -1;
        if (d.p != d.end) return fail(&d, WV_MODULE_MALFORMED, "section (bytes after its content)", d.p);
        d.end = module_end;
    }
    if (seen_functions && defined && !seen_code) return fail(&d, WV_MODULE_MALFORMED, "functions without a code section", d.p);
    return 0;
}
