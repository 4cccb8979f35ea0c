/* Host tests of the core module check (runtime-c/core/module_check.c, module_check_text.c)
 * and of the call-depth limit it feeds (stack_budget.c), with modules made here byte by
 * byte: nesting at and one past each bound, every instruction the check decodes, bodies
 * cut at every byte, LEB128 numbers too long or too large, unknown opcodes, counts that
 * would run far past the module, and seeded random corruption of a valid module.
 * Given files (the core modules the build makes: `wasmvisor test` passes them), each
 * must pass with half of each bound to spare; their figures are printed. */
#include "wv_module_check.h"
#include "wv_stack_budget.h"
#include "wasm_writer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

/* ---- A module writer (wasm_writer.h, and what only this test needs) ---- */

static void sleb(struct buf *o, int64_t v)
{
    for (;;) {
        uint8_t b = v & 0x7f;
        v >>= 7;
        if ((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40))) { put8(o, b); return; }
        put8(o, b | 0x80);
    }
}

/* A section whose content stays as it is (wasm_writer.h's section() empties it for reuse). */
static void section_keep(struct buf *m, uint8_t id, const struct buf *content)
{
    put8(m, id);
    uleb(m, content->len);
    put(m, content->b, content->len);
}

/* A module with type 0 = () -> (), type 1 = () -> (i32), `imports` imported functions
 * of type 0, and one defined function of type 0 whose body (locals and instructions,
 * without its size) is `body`. */
static struct buf module_with(const struct buf *body, uint32_t imports)
{
    struct buf m = { 0 }, s = { 0 };
    wasm_header(&m);
    uleb(&s, 2);
    put8(&s, 0x60); uleb(&s, 0); uleb(&s, 0);
    put8(&s, 0x60); uleb(&s, 0); uleb(&s, 1); put8(&s, 0x7f);
    section_keep(&m, 1, &s);
    if (imports) {
        s.len = 0;
        uleb(&s, imports);
        for (uint32_t i = 0; i < imports; i++) {
            uleb(&s, 3); put(&s, "env", 3);
            uleb(&s, 1); put8(&s, (uint8_t)('a' + i));
            put8(&s, 0x00); uleb(&s, 0);
        }
        section_keep(&m, 2, &s);
    }
    s.len = 0;
    uleb(&s, 1); uleb(&s, 0);
    section_keep(&m, 3, &s);
    s.len = 0;
    uleb(&s, 1);
    uleb(&s, body->len);
    put(&s, body->b, body->len);
    section_keep(&m, 10, &s);
    free(s.b);
    return m;
}

/* A body: no locals, `code`, then the function's end. */
static struct buf body_of(const uint8_t *code, size_t n)
{
    struct buf b = { 0 };
    uleb(&b, 0);
    put(&b, code, n);
    put8(&b, 0x0b);
    return b;
}

static int check(const struct buf *m, struct wv_module_report *r)
{
    /* An exact-size copy, so that AddressSanitizer sees any read past the module. */
    uint8_t *copy = malloc(m->len ? m->len : 1);
    memcpy(copy, m->b, m->len);
    int rc = wv_module_check(copy, m->len, r);
    free(copy);
    return rc;
}

/* Where the last check_body's instructions began in its module (the body is last). */
static uint32_t code_base;

static int check_body(const uint8_t *code, size_t n, struct wv_module_report *r)
{
    struct buf b = body_of(code, n), m = module_with(&b, 0);
    code_base = (uint32_t)(m.len - b.len + 1);
    int rc = check(&m, r);
    free(b.b);
    free(m.b);
    return rc;
}

/* `depth` nested constructs of opcode `op` (0x04: if, with its condition), nothing inside. */
static struct buf nested(uint8_t op, uint32_t depth)
{
    struct buf c = { 0 };
    for (uint32_t i = 0; i < depth; i++) {
        if (op == 0x04) { put8(&c, 0x41); put8(&c, 0x01); }
        put8(&c, op); put8(&c, 0x40);
    }
    for (uint32_t i = 0; i < depth; i++) put8(&c, 0x0b);
    return c;
}

/* ---- The tests ---- */

static void test_minimal(void)
{
    struct wv_module_report r;
    struct buf b = body_of(0, 0), m = module_with(&b, 0);
    CHECK(check(&m, &r) == 0 && r.fault == WV_MODULE_OK);
    CHECK(r.functions == 1 && r.max_nesting == 0 && r.max_loops == 0);
    /* Just the header: a module with nothing in it. */
    struct buf h = { 0 };
    wasm_header(&h);
    CHECK(check(&h, &r) == 0);
    free(b.b); free(m.b); free(h.b);
}

static void test_nesting_bound(void)
{
    const uint8_t ops[] = { 0x02, 0x04 };
    for (size_t k = 0; k < sizeof ops; k++) {
        struct wv_module_report r;
        struct buf at = nested(ops[k], WV_MODULE_MAX_NESTING), over = nested(ops[k], WV_MODULE_MAX_NESTING + 1);
        CHECK(check_body(at.b, at.len, &r) == 0);
        CHECK(r.max_nesting == WV_MODULE_MAX_NESTING && r.max_nesting_func == 0);
        CHECK(check_body(over.b, over.len, &r) == -1);
        CHECK(r.fault == WV_MODULE_NESTING && r.func == 0 && r.count == WV_MODULE_MAX_NESTING + 1);
        /* The offset is the opcode that went one level too deep (an if's after its i32.const). */
        uint32_t per = ops[k] == 0x04 ? 4 : 2;
        CHECK(r.offset == code_base + per * WV_MODULE_MAX_NESTING + (per - 2));
        free(at.b); free(over.b);
    }
    /* Imported functions come first in the index the refusal names. */
    struct wv_module_report r;
    struct buf over = nested(0x02, WV_MODULE_MAX_NESTING + 1), b = body_of(over.b, over.len), m = module_with(&b, 3);
    CHECK(check(&m, &r) == -1 && r.fault == WV_MODULE_NESTING && r.func == 3);
    char text[192];
    wv_module_report_text(&r, text, sizeof text);
    char want[192];
    snprintf(want, sizeof want, "function 3 nests blocks, loops and ifs %u deep at offset 0x%x, over the limit of %u",
             WV_MODULE_MAX_NESTING + 1, r.offset, WV_MODULE_MAX_NESTING);
    CHECK(strcmp(text, want) == 0);
    free(over.b); free(b.b); free(m.b);
    /* Nesting that closes counts no more: many blocks one after the other are depth 1. */
    struct buf seq = { 0 };
    for (int i = 0; i < 5000; i++) { put8(&seq, 0x02); put8(&seq, 0x40); put8(&seq, 0x0b); }
    CHECK(check_body(seq.b, seq.len, &r) == 0 && r.max_nesting == 1);
    free(seq.b);
}

static void test_loop_bound(void)
{
    struct wv_module_report r;
    struct buf at = nested(0x03, WV_MODULE_MAX_LOOPS), over = nested(0x03, WV_MODULE_MAX_LOOPS + 1);
    CHECK(check_body(at.b, at.len, &r) == 0 && r.max_loops == WV_MODULE_MAX_LOOPS && r.max_nesting == WV_MODULE_MAX_LOOPS);
    CHECK(check_body(over.b, over.len, &r) == -1);
    CHECK(r.fault == WV_MODULE_LOOPS && r.func == 0 && r.count == WV_MODULE_MAX_LOOPS + 1);
    CHECK(r.offset == code_base + 2 * WV_MODULE_MAX_LOOPS);
    char text[192], want[192];
    wv_module_report_text(&r, text, sizeof text);
    snprintf(want, sizeof want, "function 0 nests loops %u deep at offset 0x%x, over the limit of %u",
             WV_MODULE_MAX_LOOPS + 1, r.offset, WV_MODULE_MAX_LOOPS);
    CHECK(strcmp(text, want) == 0);
    free(at.b); free(over.b);
    /* Loops count through the blocks and ifs between them; closed ones count no more. */
    struct buf c = { 0 };
    for (uint32_t i = 0; i < WV_MODULE_MAX_LOOPS + 1; i++) {
        put8(&c, 0x02); put8(&c, 0x40);
        put8(&c, 0x03); put8(&c, 0x40);
    }
    for (uint32_t i = 0; i < 2 * (WV_MODULE_MAX_LOOPS + 1); i++) put8(&c, 0x0b);
    CHECK(check_body(c.b, c.len, &r) == -1 && r.fault == WV_MODULE_LOOPS);
    c.len = 0;
    for (int i = 0; i < 100; i++) { put8(&c, 0x03); put8(&c, 0x40); put8(&c, 0x0b); }
    CHECK(check_body(c.b, c.len, &r) == 0 && r.max_loops == 1);
    /* A loop in an if's else branch still counts once its if is closed. */
    c.len = 0;
    put8(&c, 0x41); put8(&c, 0x00); put8(&c, 0x04); put8(&c, 0x40);
    put8(&c, 0x03); put8(&c, 0x40); put8(&c, 0x0b);
    put8(&c, 0x05);
    put8(&c, 0x03); put8(&c, 0x40); put8(&c, 0x03); put8(&c, 0x40); put8(&c, 0x0b); put8(&c, 0x0b);
    put8(&c, 0x0b);
    CHECK(check_body(c.b, c.len, &r) == 0 && r.max_loops == 2 && r.max_nesting == 3);
    free(c.b);
}

/* One of every instruction the check decodes, with its immediates: all pass. */
static void test_every_instruction(void)
{
    struct buf c = { 0 };
    const uint8_t plain[] = { 0x00, 0x01, 0x0f, 0x1a, 0x1b };
    put(&c, plain, sizeof plain);
    for (int op = 0x45; op <= 0xc4; op++) put8(&c, (uint8_t)op);
    for (int op = 0x20; op <= 0x24; op++) { put8(&c, (uint8_t)op); uleb(&c, 300); }
    for (int op = 0x28; op <= 0x3e; op++) { put8(&c, (uint8_t)op); uleb(&c, 2); uleb(&c, 0xffffffffu); }
    put8(&c, 0x3f); put8(&c, 0x00);
    put8(&c, 0x40); put8(&c, 0x00);
    put8(&c, 0x41); sleb(&c, INT32_MIN);
    put8(&c, 0x41); sleb(&c, INT32_MAX);
    put8(&c, 0x42); sleb(&c, INT64_MIN);
    put8(&c, 0x42); sleb(&c, INT64_MAX);
    put8(&c, 0x43); put(&c, "\x00\x00\x80\x3f", 4);
    put8(&c, 0x44); put(&c, "\x00\x00\x00\x00\x00\x00\xf0\x3f", 8);
    for (int sub = 0; sub <= 7; sub++) { put8(&c, 0xfc); put8(&c, (uint8_t)sub); }
    put8(&c, 0xfc); put8(&c, 0x0a); put8(&c, 0x00); put8(&c, 0x00);
    put8(&c, 0xfc); put8(&c, 0x0b); put8(&c, 0x00);
    put8(&c, 0x10); uleb(&c, 0);                       /* call the function itself */
    put8(&c, 0x11); uleb(&c, 1); put8(&c, 0x00);       /* call_indirect type 1, table 0 */
    /* Block types: empty, each value type, a type index (multi-value); branches. */
    const uint8_t types[] = { 0x40, 0x7f, 0x7e, 0x7d, 0x7c };
    for (size_t i = 0; i < sizeof types; i++) { put8(&c, 0x02); put8(&c, types[i]); put8(&c, 0x0c); uleb(&c, 1); put8(&c, 0x0b); }
    put8(&c, 0x03); sleb(&c, 1); put8(&c, 0x0d); uleb(&c, 0); put8(&c, 0x0b);
    put8(&c, 0x04); put8(&c, 0x40); put8(&c, 0x05); put8(&c, 0x0b);
    put8(&c, 0x02); put8(&c, 0x40);
    put8(&c, 0x0e); uleb(&c, 3); uleb(&c, 0); uleb(&c, 1); uleb(&c, 0); uleb(&c, 1);
    put8(&c, 0x0b);
    /* A LEB128 number in more bytes than it needs is still the format's. */
    put8(&c, 0x20); put8(&c, 0x80); put8(&c, 0x80); put8(&c, 0x00);
    struct wv_module_report r;
    CHECK(check_body(c.b, c.len, &r) == 0);
    if (r.fault) {
        char text[192];
        wv_module_report_text(&r, text, sizeof text);
        printf("  refused: %s\n", text);
    }
    /* Locals: groups of each value type. */
    struct buf b = { 0 };
    uleb(&b, 4);
    uleb(&b, 10); put8(&b, 0x7f);
    uleb(&b, 10); put8(&b, 0x7e);
    uleb(&b, 10); put8(&b, 0x7d);
    uleb(&b, WV_MODULE_MAX_LOCALS - 30); put8(&b, 0x7c);
    put8(&b, 0x0b);
    struct buf m = module_with(&b, 0);
    CHECK(check(&m, &r) == 0);
    free(c.b); free(b.b); free(m.b);
}

static void expect_opcode(const uint8_t *code, size_t n, uint32_t opcode, uint32_t at)
{
    struct wv_module_report r;
    CHECK(check_body(code, n, &r) == -1);
    CHECK(r.fault == WV_MODULE_OPCODE && r.opcode == opcode && r.offset == code_base + at && r.func == 0);
}

static void test_unknown_opcodes(void)
{
    /* Exceptions, tail calls, reference types, SIMD, threads: none is the core's. */
    const uint8_t single[] = { 0x06, 0x08, 0x0a, 0x12, 0x13, 0x1c, 0x25, 0x26, 0xc5, 0xd0, 0xd2, 0xfb, 0xfd, 0xfe, 0xff };
    for (size_t i = 0; i < sizeof single; i++) {
        uint8_t code[] = { 0x01, single[i], 0x00, 0x00 };
        expect_opcode(code, sizeof code, single[i], 1);
    }
    /* memory.init, data.drop and the table operations; a sub-opcode longer than one byte
     * (wasm3 reads one byte and would see another instruction). */
    const uint8_t sub[] = { 0x08, 0x09, 0x0c, 0x0e, 0x11, 0x80 };
    for (size_t i = 0; i < sizeof sub; i++) {
        uint8_t code[] = { 0x01, 0x01, 0xfc, sub[i], 0x00, 0x00 };
        expect_opcode(code, sizeof code, 0xfc00u | sub[i], 2);
    }
    struct wv_module_report r;
    uint8_t code[] = { 0x02, 0x40, 0xfd, 0x0c, 0x0b };
    CHECK(check_body(code, sizeof code, &r) == -1);
    char text[192], want[192];
    wv_module_report_text(&r, text, sizeof text);
    snprintf(want, sizeof want, "unknown opcode 0xfd in function 0 at offset 0x%x", code_base + 2);
    CHECK(strcmp(text, want) == 0);
}

static void expect_fault(const uint8_t *code, size_t n, enum wv_module_fault f)
{
    struct wv_module_report r;
    CHECK(check_body(code, n, &r) == -1);
    CHECK(r.fault == f);
    if (r.fault != f) {
        char text[192];
        wv_module_report_text(&r, text, sizeof text);
        printf("  got: %s\n", text);
    }
}

static void test_leb128(void)
{
    /* u32: six bytes; five with bits past 32; the last byte still continuing. */
    const uint8_t six[] = { 0x20, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };
    const uint8_t big[] = { 0x20, 0xff, 0xff, 0xff, 0xff, 0x1f };
    const uint8_t max[] = { 0x20, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x1a };
    expect_fault(six, sizeof six, WV_MODULE_LEB);
    expect_fault(big, sizeof big, WV_MODULE_LEB);
    struct wv_module_report r;
    CHECK(check_body(max, sizeof max, &r) == 0);
    /* s32: bits past 32 that are not the sign's; the most negative and positive fit. */
    const uint8_t s32bad[] = { 0x41, 0x80, 0x80, 0x80, 0x80, 0x08, 0x1a };
    const uint8_t s32neg[] = { 0x41, 0x80, 0x80, 0x80, 0x80, 0x78, 0x1a };
    expect_fault(s32bad, sizeof s32bad, WV_MODULE_LEB);
    CHECK(check_body(s32neg, sizeof s32neg, &r) == 0);
    /* s64: eleven bytes; ten with a last byte that is not all sign. */
    const uint8_t s64long[] = { 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1a };
    const uint8_t s64bad[] = { 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02, 0x1a };
    expect_fault(s64long, sizeof s64long, WV_MODULE_LEB);
    expect_fault(s64bad, sizeof s64bad, WV_MODULE_LEB);
    /* s33 block type: five bytes past 33 bits. */
    const uint8_t bt[] = { 0x02, 0x80, 0x80, 0x80, 0x80, 0x10, 0x0b };
    expect_fault(bt, sizeof bt, WV_MODULE_LEB);
    /* A section size that does not end. */
    struct buf m = { 0 };
    wasm_header(&m);
    const uint8_t sec[] = { 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
    put(&m, sec, sizeof sec);
    CHECK(check(&m, &r) == -1 && r.fault == WV_MODULE_LEB && r.offset == 9);
    free(m.b);
}

/* A valid module cut at every length fails cleanly (never a read past its end), and a
 * body cut short inside its section is truncated, not read on into the next body. */
static void test_truncated(void)
{
    struct buf code = nested(0x03, 3);
    put8(&code, 0x42); sleb(&code, INT64_MIN); put8(&code, 0x1a);
    put8(&code, 0x0e); uleb(&code, 2); uleb(&code, 0); uleb(&code, 0); uleb(&code, 0);
    struct buf b = body_of(code.b, code.len), m = module_with(&b, 2);
    struct wv_module_report r;
    CHECK(check(&m, &r) == 0);
    for (size_t n = 0; n < m.len; n++) {
        struct buf cut = { m.b, n, n };
        int rc = check(&cut, &r);
        /* Cut between sections the rest is still a module (only the code section missing). */
        if (rc == 0) CHECK(r.functions == 0);
        else CHECK(r.fault == WV_MODULE_TRUNCATED || r.fault == WV_MODULE_MALFORMED || r.fault == WV_MODULE_LEB);
        CHECK(r.offset <= n);
    }
    /* The body one byte short of its end: the function's own end is gone. */
    struct buf s = { 0 }, m2 = { 0 };
    wasm_header(&m2);
    uleb(&s, 1); put8(&s, 0x60); uleb(&s, 0); uleb(&s, 0);
    section_keep(&m2, 1, &s);
    s.len = 0; uleb(&s, 1); uleb(&s, 0);
    section_keep(&m2, 3, &s);
    s.len = 0; uleb(&s, 1); uleb(&s, b.len - 1); put(&s, b.b, b.len - 1);
    section_keep(&m2, 10, &s);
    CHECK(check(&m2, &r) == -1 && r.fault == WV_MODULE_TRUNCATED && r.func == 0);
    /* A body size past its section. */
    m2.len = 0; wasm_header(&m2);
    s.len = 0; uleb(&s, 1); put8(&s, 0x60); uleb(&s, 0); uleb(&s, 0);
    section_keep(&m2, 1, &s);
    s.len = 0; uleb(&s, 1); uleb(&s, 0);
    section_keep(&m2, 3, &s);
    s.len = 0; uleb(&s, 1); uleb(&s, 1000); put(&s, b.b, b.len);
    section_keep(&m2, 10, &s);
    CHECK(check(&m2, &r) == -1 && r.fault == WV_MODULE_TRUNCATED);
    free(code.b); free(b.b); free(m.b); free(s.b); free(m2.b);
}

static void test_huge_counts(void)
{
    struct wv_module_report r;
    /* Counts near 2^32 in each counted place: each runs out of bytes, at once. */
    struct buf m = { 0 }, s = { 0 };
    wasm_header(&m);
    uleb(&s, 0xffffffffu); put8(&s, 0x60); uleb(&s, 0); uleb(&s, 0);
    section_keep(&m, 1, &s);
    CHECK(check(&m, &r) == -1 && r.fault == WV_MODULE_TRUNCATED);
    m.len = 0; wasm_header(&m);
    s.len = 0; uleb(&s, 0xffffffffu);
    section_keep(&m, 2, &s);
    CHECK(check(&m, &r) == -1 && r.fault == WV_MODULE_TRUNCATED);
    /* A function count the code section does not match. */
    m.len = 0; wasm_header(&m);
    s.len = 0; uleb(&s, 1); put8(&s, 0x60); uleb(&s, 0); uleb(&s, 0);
    section_keep(&m, 1, &s);
    s.len = 0; uleb(&s, 1); uleb(&s, 0);
    section_keep(&m, 3, &s);
    s.len = 0; uleb(&s, 0xffffffffu);
    section_keep(&m, 10, &s);
    CHECK(check(&m, &r) == -1 && r.fault == WV_MODULE_MALFORMED);
    /* Locals: one group of 2^32 - 1, and groups whose sum would wrap 32 bits. */
    struct buf b = { 0 };
    uleb(&b, 1); uleb(&b, 0xffffffffu); put8(&b, 0x7f); put8(&b, 0x0b);
    struct buf m2 = module_with(&b, 0);
    CHECK(check(&m2, &r) == -1 && r.fault == WV_MODULE_LOCALS && r.count == 0xffffffffu && r.func == 0);
    b.len = 0;
    uleb(&b, 2); uleb(&b, 0x80000000u); put8(&b, 0x7f); uleb(&b, 0x80000000u); put8(&b, 0x7f); put8(&b, 0x0b);
    free(m2.b);
    m2 = module_with(&b, 0);
    CHECK(check(&m2, &r) == -1 && r.fault == WV_MODULE_LOCALS);
    /* Groups each under the bound whose sum is over it. */
    b.len = 0;
    uleb(&b, 2); uleb(&b, WV_MODULE_MAX_LOCALS / 2 + 1); put8(&b, 0x7f); uleb(&b, WV_MODULE_MAX_LOCALS / 2); put8(&b, 0x7e);
    put8(&b, 0x0b);
    free(m2.b);
    m2 = module_with(&b, 0);
    CHECK(check(&m2, &r) == -1 && r.fault == WV_MODULE_LOCALS && r.count == WV_MODULE_MAX_LOCALS + 1);
    b.len = 0;
    uleb(&b, 1); uleb(&b, WV_MODULE_MAX_LOCALS + 1); put8(&b, 0x7f); put8(&b, 0x0b);
    free(m2.b);
    m2 = module_with(&b, 0);
    CHECK(check(&m2, &r) == -1 && r.fault == WV_MODULE_LOCALS && r.count == WV_MODULE_MAX_LOCALS + 1);
    /* br_table with 2^32 - 1 targets in a short body: it ends after two. */
    b.len = 0;
    const uint8_t table[] = { 0x00, 0x02, 0x40, 0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00 };
    put(&b, table, sizeof table);
    free(m2.b);
    m2 = module_with(&b, 0);
    CHECK(check(&m2, &r) == -1 && r.fault == WV_MODULE_TRUNCATED && r.offset == m2.len);
    /* A type with more results than wasm3's value moves may recurse through. */
    m.len = 0; wasm_header(&m);
    s.len = 0; uleb(&s, 1); put8(&s, 0x60); uleb(&s, 0); uleb(&s, WV_MODULE_MAX_VALUES + 1);
    for (uint32_t i = 0; i <= WV_MODULE_MAX_VALUES; i++) put8(&s, 0x7f);
    section_keep(&m, 1, &s);
    CHECK(check(&m, &r) == -1 && r.fault == WV_MODULE_VALUES && r.count == WV_MODULE_MAX_VALUES + 1 && r.offset == 13);
    m.len = 0; wasm_header(&m);
    s.len = 0; uleb(&s, 1); put8(&s, 0x60); uleb(&s, WV_MODULE_MAX_VALUES); 
    for (uint32_t i = 0; i < WV_MODULE_MAX_VALUES; i++) put8(&s, 0x7e);
    uleb(&s, WV_MODULE_MAX_VALUES);
    for (uint32_t i = 0; i < WV_MODULE_MAX_VALUES; i++) put8(&s, 0x7d);
    section_keep(&m, 1, &s);
    CHECK(check(&m, &r) == 0);
    free(m.b); free(s.b); free(b.b); free(m2.b);
}

static void test_malformed(void)
{
    const uint8_t else_alone[] = { 0x05 };
    const uint8_t else_in_block[] = { 0x02, 0x40, 0x05, 0x0b };
    const uint8_t two_elses[] = { 0x41, 0x00, 0x04, 0x40, 0x05, 0x05, 0x0b };
    const uint8_t branch_out[] = { 0x02, 0x40, 0x0c, 0x02, 0x0b };
    const uint8_t table_out[] = { 0x0e, 0x01, 0x00, 0x01 };
    const uint8_t block_type_index[] = { 0x02, 0x02, 0x0b };        /* the module has types 0 and 1 */
    const uint8_t block_type_ref[] = { 0x02, 0x70, 0x0b };
    const uint8_t reserved[] = { 0x3f, 0x01, 0x1a };
    const uint8_t reserved_long[] = { 0x3f, 0x80, 0x00, 0x1a };
    const uint8_t call_out[] = { 0x10, 0x01 };
    const uint8_t indirect_type[] = { 0x11, 0x02, 0x00 };
    expect_fault(else_alone, sizeof else_alone, WV_MODULE_MALFORMED);
    expect_fault(else_in_block, sizeof else_in_block, WV_MODULE_MALFORMED);
    expect_fault(two_elses, sizeof two_elses, WV_MODULE_MALFORMED);
    expect_fault(branch_out, sizeof branch_out, WV_MODULE_MALFORMED);
    expect_fault(table_out, sizeof table_out, WV_MODULE_MALFORMED);
    expect_fault(block_type_index, sizeof block_type_index, WV_MODULE_MALFORMED);
    expect_fault(block_type_ref, sizeof block_type_ref, WV_MODULE_MALFORMED);
    expect_fault(reserved, sizeof reserved, WV_MODULE_MALFORMED);
    expect_fault(reserved_long, sizeof reserved_long, WV_MODULE_MALFORMED);
    expect_fault(call_out, sizeof call_out, WV_MODULE_MALFORMED);
    expect_fault(indirect_type, sizeof indirect_type, WV_MODULE_MALFORMED);
    /* Bytes after the function's last end, inside its body. */
    struct wv_module_report r;
    struct buf b = { 0 };
    uleb(&b, 0); put8(&b, 0x0b); put8(&b, 0x01);
    struct buf m = module_with(&b, 0);
    CHECK(check(&m, &r) == -1 && r.fault == WV_MODULE_MALFORMED && r.func == 0 && r.offset == m.len - 1);
    CHECK(r.what && strcmp(r.what, "bytes after the function's last end") == 0);
    free(m.b);
    /* An empty body (wasm3 would skip it and leave the function without code). */
    b.len = 0;
    m = module_with(&b, 0);
    CHECK(check(&m, &r) == -1 && r.fault == WV_MODULE_MALFORMED);
    free(m.b);
    /* Header, section order and repeats, unknown section ids, functions without code. */
    struct buf h = { 0 }, s = { 0 };
    put(&h, "\0asm\x02\0\0\0", 8);
    CHECK(check(&h, &r) == -1 && r.fault == WV_MODULE_MALFORMED && r.offset == 0);
    h.len = 0; put(&h, "\0as", 3);
    CHECK(check(&h, &r) == -1 && r.fault == WV_MODULE_TRUNCATED);
    h.len = 0; wasm_header(&h);
    uleb(&s, 0);
    section_keep(&h, 3, &s); section_keep(&h, 1, &s);
    CHECK(check(&h, &r) == -1 && r.fault == WV_MODULE_MALFORMED && r.offset == 11);
    h.len = 0; wasm_header(&h);
    section_keep(&h, 1, &s); section_keep(&h, 1, &s);
    CHECK(check(&h, &r) == -1 && r.fault == WV_MODULE_MALFORMED);
    h.len = 0; wasm_header(&h);
    section_keep(&h, 13, &s);
    CHECK(check(&h, &r) == -1 && r.fault == WV_MODULE_MALFORMED);
    /* Custom sections anywhere; data count before code, as wasm3 orders them. */
    h.len = 0; wasm_header(&h);
    s.len = 0; uleb(&s, 4); put(&s, "name", 4); put8(&s, 0xff);
    section_keep(&h, 0, &s); section_keep(&h, 0, &s);
    CHECK(check(&h, &r) == 0);
    h.len = 0; wasm_header(&h);
    s.len = 0; uleb(&s, 1); put8(&s, 0x60); uleb(&s, 0); uleb(&s, 0);
    section_keep(&h, 1, &s);
    s.len = 0; uleb(&s, 1); uleb(&s, 0);
    section_keep(&h, 3, &s);
    CHECK(check(&h, &r) == -1 && r.fault == WV_MODULE_MALFORMED);
    s.len = 0; uleb(&s, 0);
    section_keep(&h, 12, &s);
    s.len = 0; uleb(&s, 1); uleb(&s, 2); uleb(&s, 0); put8(&s, 0x0b);
    section_keep(&h, 10, &s);
    CHECK(check(&h, &r) == 0);
    /* A section with bytes after what it holds. */
    h.len = 0; wasm_header(&h);
    s.len = 0; uleb(&s, 0); put8(&s, 0x00);
    section_keep(&h, 1, &s);
    CHECK(check(&h, &r) == -1 && r.fault == WV_MODULE_MALFORMED && r.offset == 11);
    free(b.b); free(h.b); free(s.b);
}

/* Seeded random corruption of a valid module: whatever the bytes, a clean answer and an
 * offset inside the module (AddressSanitizer watches every read). */
static void test_random_corruption(void)
{
    struct buf code = nested(0x04, 20);
    for (int i = 0; i < 10; i++) { put8(&code, 0x03); put8(&code, 0x40); }
    put8(&code, 0x10); uleb(&code, 0);
    for (int i = 0; i < 10; i++) put8(&code, 0x0b);
    put8(&code, 0x42); sleb(&code, -123456789012345LL); put8(&code, 0x1a);
    struct buf b = body_of(code.b, code.len), m = module_with(&b, 1);
    struct wv_module_report r;
    CHECK(check(&m, &r) == 0);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    int refused = 0;
    for (int round = 0; round < 20000; round++) {
        struct buf t = { 0 };
        put(&t, m.b, m.len);
        int flips = 1 + round % 4;
        for (int k = 0; k < flips; k++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            t.b[x % t.len] = (uint8_t)(x >> 32);
        }
        if (round % 7 == 0) t.len = (size_t)(x >> 40) % t.len;
        int rc = check(&t, &r);
        if (rc) {
            refused++;
            CHECK(r.fault != WV_MODULE_OK && r.offset <= t.len);
            char text[64];
            wv_module_report_text(&r, text, sizeof text);     /* cut: still NUL-terminated */
            CHECK(strlen(text) < sizeof text);
        }
        CHECK(r.max_nesting <= WV_MODULE_MAX_NESTING && r.max_loops <= WV_MODULE_MAX_LOOPS);
        free(t.b);
    }
    CHECK(refused > 10000);
    free(code.b); free(b.b); free(m.b);
}

/* The call-depth limit: at every loop nesting the check lets through, the most calls
 * the Wasm stack holds, each with that many loops open, fit the EL2 stack's budget. */
static void test_stack_budget(void)
{
    CHECK(wv_core_stack_bytes(0) == WV_CORE_MAX_CALLS * WV_WASM3_MIN_CALL_BYTES);
    uint32_t prev = 0xffffffffu;
    for (uint32_t loops = 0; loops <= WV_MODULE_MAX_LOOPS; loops++) {
        uint32_t bytes = wv_core_stack_bytes(loops), calls = bytes / WV_WASM3_MIN_CALL_BYTES;
        CHECK(bytes % WV_WASM3_MIN_CALL_BYTES == 0 && bytes <= prev);
        CHECK(wv_call_levels_bytes(calls, loops) + WV_STACK_RESERVE <= WV_STACK_SIZE);
        /* and no fewer than the budget allows: one more call would not fit */
        CHECK(calls == WV_CORE_MAX_CALLS || wv_call_levels_bytes(calls + 1, loops) > WV_STACK_LEVELS_BUDGET);
        CHECK(calls >= 2048);
        prev = bytes;
    }
    /* The figures docs/architecture.md gives. */
    CHECK(WV_STACK_LEVELS_BUDGET == 1961984u);
    CHECK(wv_core_stack_bytes(4) == 7213 * 8 && wv_core_stack_bytes(16) == 2313 * 8);
    /* What the guard page test's image gives a module at the loop bound: far past it. */
    CHECK(wv_call_levels_bytes(WV_CORE_MAX_CALLS, WV_MODULE_MAX_LOOPS) > WV_STACK_SIZE);
    /* Compiling the deepest nesting allowed: the function's own level and 512 more. */
    CHECK((WV_MODULE_MAX_NESTING + 1) * WV_WASM3_NEST_FRAME + WV_MODULE_MAX_VALUES * WV_WASM3_VALUE_FRAME
          <= WV_STACK_LEVELS_BUDGET);
}

static void test_text(void)
{
    struct wv_module_report r;
    memset(&r, 0, sizeof r);
    r.fault = WV_MODULE_TRUNCATED; r.what = "function body"; r.func = 12; r.offset = 0x1234;
    char text[128];
    wv_module_report_text(&r, text, sizeof text);
    CHECK(strcmp(text, "truncated: function body in function 12 at offset 0x1234") == 0);
    r.func = WV_MODULE_NO_FUNC;
    wv_module_report_text(&r, text, sizeof text);
    CHECK(strcmp(text, "truncated: function body at offset 0x1234") == 0);
    wv_module_report_text(&r, text, 10);
    CHECK(strcmp(text, "truncated") == 0);
    r.fault = WV_MODULE_LEB; r.what = "i32 constant"; r.func = 0; r.offset = 0;
    wv_module_report_text(&r, text, sizeof text);
    CHECK(strcmp(text, "malformed LEB128 number (i32 constant) in function 0 at offset 0x0") == 0);
    r.fault = WV_MODULE_OPCODE; r.opcode = 0xfc08; r.func = 4; r.offset = 0x99;
    wv_module_report_text(&r, text, sizeof text);
    CHECK(strcmp(text, "unknown opcode 0xfc08 in function 4 at offset 0x99") == 0);
}

/* A core module the build made: it passes with half of each bound to spare. */
static void test_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { printf("FAIL: cannot read %s\n", path); failures++; return; }
    struct buf m = { 0 };
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) put(&m, chunk, n);
    fclose(f);
    struct wv_module_report r;
    int rc = check(&m, &r);
    char text[192] = "passes";
    if (rc) wv_module_report_text(&r, text, sizeof text);
    printf("%s: %s; %u functions, deepest nesting %u (function %u), deepest loops %u (function %u), "
           "call depth limit %u\n", path, text, r.functions, r.max_nesting, r.max_nesting_func, r.max_loops,
           r.max_loops_func, wv_core_stack_bytes(r.max_loops) / WV_WASM3_MIN_CALL_BYTES);
    CHECK(rc == 0);
    CHECK(r.functions > 0);
    CHECK(r.max_nesting <= WV_MODULE_MAX_NESTING / 2);
    CHECK(r.max_loops <= WV_MODULE_MAX_LOOPS / 2);
    free(m.b);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++) test_file(argv[i]);
    } else {
        test_minimal();
        test_nesting_bound();
        test_loop_bound();
        test_every_instruction();
        test_unknown_opcodes();
        test_leb128();
        test_truncated();
        test_huge_counts();
        test_malformed();
        test_random_corruption();
        test_stack_budget();
        test_text();
    }
    printf("test_module_check: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
