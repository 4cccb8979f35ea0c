/* The interface of a .wasm module: its function imports and function exports with their
 * signatures, read from the type, import, function and export sections. The native-part
 * loader (native_load.c) compares a native part's import and export lists with these.
 * Pure C, host-tested by runtime-c/tests/test_wasm_interface.c. Only the sections named
 * are decoded; every other section is skipped by its size. */
#ifndef WV_WASM_INTERFACE_H
#define WV_WASM_INTERFACE_H
#include <stdint.h>
#include <stddef.h>

/* A signature written as wasm3 writes one: the result ('v' for none) then the params in
 * parentheses, i = i32, I = i64, f = f32, F = f64: "i(iiI)". At most this many params;
 * a type with more, or with more than one result, has no signature (sig[0] == 0). */
#define WV_WASM_SIG_PARAMS  64u
#define WV_WASM_SIG_MAX     (WV_WASM_SIG_PARAMS + 4u)

struct wv_wasm_name {
    const uint8_t *p;       /* into the module's bytes; not NUL-terminated */
    uint32_t len;
};

struct wv_wasm_func {
    struct wv_wasm_name module;     /* imports: the import module; exports: empty */
    struct wv_wasm_name name;
    uint32_t type;                  /* index into sigs */
};

struct wv_wasm_interface {
    uint32_t type_count;
    char (*sigs)[WV_WASM_SIG_MAX];  /* one per type, NUL-terminated, "" when none */
    uint32_t import_count;          /* function imports, in the import section's order */
    struct wv_wasm_func *imports;
    uint32_t other_imports;         /* table, memory and global imports */
    uint32_t export_count;          /* function exports, in the export section's order */
    struct wv_wasm_func *exports;
};

struct wv_wasm_interface_error {
    const char *what;       /* what was being read, or what is wrong */
    uint32_t offset;        /* byte offset in the module */
};

/* 0 with `out` filled (free it with wv_wasm_interface_free), or -1 with `e` set and
 * nothing left allocated. */
int wv_wasm_interface_read(const uint8_t *wasm, size_t len, struct wv_wasm_interface *out,
                           struct wv_wasm_interface_error *e);
void wv_wasm_interface_free(struct wv_wasm_interface *w);

/* The signature of function import or export `f`, "" when its type has none. */
static inline const char *wv_wasm_func_sig(const struct wv_wasm_interface *w, const struct wv_wasm_func *f)
{
    return w->sigs[f->type];
}

/* Is `name` exactly the NUL-terminated string `s`? */
int wv_wasm_name_is(struct wv_wasm_name name, const char *s);

#endif
