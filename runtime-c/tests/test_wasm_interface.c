/* Host test of the .wasm interface parser (runtime-c/core/wasm_interface.c): function
 * imports and exports with their wasm3-style signatures from a module made here, types
 * that have no such signature, non-function imports and exports, and malformed modules:
 * bad magic, sections out of order or repeated, sizes past the end or longer than their
 * contents, LEB128 numbers too long, indexes out of range, counts the section cannot
 * hold, and the module cut at every byte. Given files (the core modules the build makes:
 * `wasmvisor test` passes them), each must read with function imports from module "wv"
 * only and a signature for every import and export, as a native part of it needs. */
#include "wv_wasm_interface.h"
#include "wasm_writer.h"

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

/* Types: 0 (i32 i32) -> (), 1 () -> i64, 2 (i32 i32) -> i32, 3 (i32) -> i32,
 * 4 (f32 f64 i64) -> f64, 5 () -> (i32 i32), 6 65 i32 params -> ().
 * Imports: wv.console_write (0), env.mem (memory), wv.now (1), wv.pair (5).
 * Functions: 2, 3, 4, 6. Exports: wv_init (func 3), memory (mem 0), wv_handle_exit (4),
 * f (5), import_again (func 1), many (6). */
static struct buf good_module(void)
{
    struct buf m = { 0 }, s = { 0 };
    wasm_header(&m);
    uleb(&s, 7);
    functype(&s, I32 I32, "");
    functype(&s, "", I64);
    functype(&s, I32 I32, I32);
    functype(&s, I32, I32);
    functype(&s, F32 F64 I64, F64);
    functype(&s, "", I32 I32);
    put8(&s, 0x60); uleb(&s, 65); for (int i = 0; i < 65; i++) put8(&s, 0x7f); uleb(&s, 0);
    section(&m, 1, &s);
    uleb(&s, 4);
    wname(&s, "wv"); wname(&s, "console_write"); put8(&s, 0); uleb(&s, 0);
    wname(&s, "env"); wname(&s, "mem"); put8(&s, 2); put8(&s, 0); uleb(&s, 1);
    wname(&s, "wv"); wname(&s, "now"); put8(&s, 0); uleb(&s, 1);
    wname(&s, "wv"); wname(&s, "pair"); put8(&s, 0); uleb(&s, 5);
    section(&m, 2, &s);
    uleb(&s, 4); uleb(&s, 2); uleb(&s, 3); uleb(&s, 4); uleb(&s, 6);
    section(&m, 3, &s);
    uleb(&s, 6);
    wname(&s, "wv_init"); put8(&s, 0); uleb(&s, 3);
    wname(&s, "memory"); put8(&s, 2); uleb(&s, 0);
    wname(&s, "wv_handle_exit"); put8(&s, 0); uleb(&s, 4);
    wname(&s, "f"); put8(&s, 0); uleb(&s, 5);
    wname(&s, "import_again"); put8(&s, 0); uleb(&s, 1);
    wname(&s, "many"); put8(&s, 0); uleb(&s, 6);
    section(&m, 7, &s);
    put(&s, "\x04name", 5); put8(&s, 0);        /* a custom section after the exports */
    section(&m, 0, &s);
    uleb(&s, 4);
    for (int i = 0; i < 4; i++) { uleb(&s, 2); put8(&s, 0); put8(&s, 0x0b); }
    section(&m, 10, &s);
    free(s.b);
    return m;
}

static int refused(const uint8_t *b, size_t len, const char *what)
{
    struct wv_wasm_interface w;
    struct wv_wasm_interface_error e = { 0, 0 };
    if (wv_wasm_interface_read(b, len, &w, &e) == 0) {
        wv_wasm_interface_free(&w);
        printf("  accepted, expected a refusal (%s)\n", what);
        return 0;
    }
    if (what && !strstr(e.what, what)) { printf("  refused for \"%s\", expected \"%s\"\n", e.what, what); return 0; }
    return 1;
}

/* A module of the header and one section `id` with `content`. */
static int one_section_refused(uint8_t id, const void *content, size_t n, const char *what)
{
    struct buf m = { 0 }, s = { 0 };
    wasm_header(&m);
    put(&s, content, n);
    section(&m, id, &s);
    int r = refused(m.b, m.len, what);
    free(m.b); free(s.b);
    return r;
}

static void check_core(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { printf("FAIL: cannot open %s\n", path); failures++; return; }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    size_t got = fread(b, 1, (size_t)n, f);
    fclose(f);
    struct wv_wasm_interface w;
    struct wv_wasm_interface_error e;
    if (got != (size_t)n || wv_wasm_interface_read(b, got, &w, &e)) {
        printf("FAIL: %s does not read\n", path);
        failures++;
        free(b);
        return;
    }
    int found = 0;
    CHECK(w.other_imports == 0);
    for (uint32_t i = 0; i < w.import_count; i++) {
        CHECK(wv_wasm_name_is(w.imports[i].module, "wv"));
        CHECK(wv_wasm_func_sig(&w, &w.imports[i])[0] != 0);
    }
    for (uint32_t i = 0; i < w.export_count; i++) {
        CHECK(wv_wasm_func_sig(&w, &w.exports[i])[0] != 0);
        found += wv_wasm_name_is(w.exports[i].name, "wv_init") || wv_wasm_name_is(w.exports[i].name, "wv_handle_exit");
    }
    CHECK(found == 2);
    printf("%s: %u function imports, %u function exports\n", path, w.import_count, w.export_count);
    wv_wasm_interface_free(&w);
    free(b);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++) check_core(argv[i]);
        printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
        return failures != 0;
    }
    struct buf m = good_module();
    struct wv_wasm_interface w;
    struct wv_wasm_interface_error e;
    CHECK(wv_wasm_interface_read(m.b, m.len, &w, &e) == 0);
    CHECK(w.type_count == 7);
    CHECK(w.import_count == 3 && w.other_imports == 1);
    CHECK(wv_wasm_name_is(w.imports[0].module, "wv") && wv_wasm_name_is(w.imports[0].name, "console_write"));
    CHECK(!strcmp(wv_wasm_func_sig(&w, &w.imports[0]), "v(ii)"));
    CHECK(wv_wasm_name_is(w.imports[1].name, "now") && !strcmp(wv_wasm_func_sig(&w, &w.imports[1]), "I()"));
    CHECK(wv_wasm_name_is(w.imports[2].name, "pair") && !strcmp(wv_wasm_func_sig(&w, &w.imports[2]), ""));
    CHECK(w.export_count == 5);
    CHECK(wv_wasm_name_is(w.exports[0].name, "wv_init") && !strcmp(wv_wasm_func_sig(&w, &w.exports[0]), "i(ii)"));
    CHECK(wv_wasm_name_is(w.exports[1].name, "wv_handle_exit") && !strcmp(wv_wasm_func_sig(&w, &w.exports[1]), "i(i)"));
    CHECK(wv_wasm_name_is(w.exports[2].name, "f") && !strcmp(wv_wasm_func_sig(&w, &w.exports[2]), "F(fFI)"));
    CHECK(wv_wasm_name_is(w.exports[3].name, "import_again") && !strcmp(wv_wasm_func_sig(&w, &w.exports[3]), "I()"));
    CHECK(wv_wasm_name_is(w.exports[4].name, "many") && !strcmp(wv_wasm_func_sig(&w, &w.exports[4]), ""));
    CHECK(!wv_wasm_name_is(w.exports[0].name, "wv_ini") && !wv_wasm_name_is(w.exports[0].name, "wv_init_"));
    wv_wasm_interface_free(&w);

    /* A module of the header alone: nothing imported or exported. */
    CHECK(wv_wasm_interface_read(m.b, 8, &w, &e) == 0 && w.import_count == 0 && w.export_count == 0);
    wv_wasm_interface_free(&w);

    /* Cut at every byte: accepted only where a section ends, never read past the cut
     * (AddressSanitizer watches the copy's end). */
    size_t accepted = 0;
    for (size_t len = 0; len < m.len; len++) {
        uint8_t *cut = malloc(len ? len : 1);
        memcpy(cut, m.b, len);
        if (wv_wasm_interface_read(cut, len, &w, &e) == 0) { accepted++; wv_wasm_interface_free(&w); }
        free(cut);
    }
    CHECK(accepted == 6);   /* the header alone, then after the type, import, function, export, custom sections */

    /* Malformed. */
    uint8_t bad[64];
    memcpy(bad, m.b, 8); bad[0] = 1;
    CHECK(refused(bad, 8, "magic"));
    memcpy(bad, m.b, 8); bad[4] = 2;
    CHECK(refused(bad, 8, "magic"));
    CHECK(refused(m.b, 4, "magic"));
    {   /* the type section twice; the export section before the function section */
        struct buf t = { 0 }, s = { 0 };
        wasm_header(&t);
        uleb(&s, 0); section(&t, 1, &s);
        uleb(&s, 0); section(&t, 1, &s);
        CHECK(refused(t.b, t.len, "out of order"));
        t.len = 8;
        uleb(&s, 0); section(&t, 7, &s);
        uleb(&s, 0); section(&t, 3, &s);
        CHECK(refused(t.b, t.len, "out of order"));
        t.len = 8;
        put8(&t, 13); uleb(&t, 0);
        CHECK(refused(t.b, t.len, "section id"));
        t.len = 8;
        put8(&t, 1); uleb(&t, 100); put8(&t, 0);
        CHECK(refused(t.b, t.len, "past the end"));
        free(t.b); free(s.b);
    }
    CHECK(one_section_refused(1, "\x00\x00", 2, "contents end before it"));       /* 0 types, 1 byte over */
    CHECK(one_section_refused(1, "\x01\x61\x00\x00", 4, "type form"));
    CHECK(one_section_refused(1, "\x01\x60\x01\x40\x00", 5, "param type"));
    CHECK(one_section_refused(1, "\x01\x60\x00\x01\x7b", 5, "result type"));
    CHECK(one_section_refused(1, "\xff\xff\xff\xff\x0f", 5, "type count"));      /* more than it could hold */
    CHECK(one_section_refused(1, "\x80\x80\x80\x80\x80\x00", 6, "type count"));  /* LEB128 too long */
    CHECK(one_section_refused(1, "\x80\x80\x80\x80\x10", 5, "type count"));      /* over 32 bits */
    CHECK(one_section_refused(2, "\x01\x02wv\x01x\x00\x00", 8, "type index"));  /* no types */
    CHECK(one_section_refused(2, "\x01\x02wv\x01x\x07", 7, "import kind"));
    CHECK(one_section_refused(2, "\x01\x02wv\x05x", 6, "import name"));         /* name past the end */
    CHECK(one_section_refused(2, "\x01\x02wv\x01x\x03\x7f\x02", 8, "mutability"));
    CHECK(one_section_refused(2, "\x01\x02wv\x01x\x01\x6f\x00\x00", 9, "table"));
    CHECK(one_section_refused(2, "\x01\x02wv\x01x\x02\x02\x00", 8, "limits flags"));
    CHECK(one_section_refused(7, "\x01\x01x\x00\x00", 5, "exported function index"));
    CHECK(one_section_refused(7, "\x01\x01x\x05\x00", 5, "export kind"));
    CHECK(one_section_refused(3, "\x01\x00", 2, "type index"));
    CHECK(one_section_refused(3, "\x05\x00", 2, "function count"));

    free(m.b);
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures != 0;
}
