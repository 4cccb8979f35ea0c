/* The native-part loader (wv_native_load.h). Every check is made before the image is
 * trusted with anything: the header and relocations on the bytes as given, the
 * descriptor's pointers on the relocated copy while it is still mapped read-write and
 * execute-never, and nothing of the image runs (init_module) until every check passed and
 * its text is read-only. The refusal texts are listed in docs/native-tier.md. */
#include "wv_native_load.h"
#include "wv_native_area.h"
#include "wv_sha256.h"
#include "wv_wasm_interface.h"
#include "wv_console.h"
#include "wv_core.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define HDR_SIZE    ((uint32_t)sizeof(struct wv_native_header))

static int refuse(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(char *why, size_t cap, const char *fmt, ...)
{
    static const char prefix[] = "native part refused: ";
    if (cap) {
        size_t n = sizeof prefix - 1 < cap - 1 ? sizeof prefix - 1 : cap - 1;
        memcpy(why, prefix, n);
        why[n] = 0;
        va_list ap;
        va_start(ap, fmt);
        wv_vsnprintf(why + n, cap - n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int page_aligned(uint32_t v) { return v % WV_NATIVE_PAGE == 0; }

/* ---- The header and relocations, on the bytes as given ---- */

static int check_header(const struct wv_native_header *h, size_t part_len, char *why, size_t cap)
{
    if (h->header_size != HDR_SIZE)
        return refuse(why, cap, "header size %u, this runtime's is %u", h->header_size, HDR_SIZE);
    if (h->abi_version != WV_NATIVE_ABI_VERSION)
        return refuse(why, cap, "native ABI version %u, this runtime speaks %u", h->abi_version, WV_NATIVE_ABI_VERSION);
    if (h->core_abi_version != WV_CORE_ABI_VERSION)
        return refuse(why, cap, "core ABI version %u, this runtime speaks %u", h->core_abi_version, WV_CORE_ABI_VERSION);
    if (h->cpu_baseline != WV_NATIVE_CPU_ARMV8A_GPR)
        return refuse(why, cap, "CPU baseline %u, this runtime runs %u (ARMv8.0-A, general-purpose registers only)",
                      h->cpu_baseline, WV_NATIVE_CPU_ARMV8A_GPR);
    if (!page_aligned(h->text_end) || !page_aligned(h->rodata_end) || !page_aligned(h->data_end) || !page_aligned(h->mem_size))
        return refuse(why, cap, "image boundaries not page-aligned (text_end 0x%x, rodata_end 0x%x, data_end 0x%x, mem_size 0x%x)",
                      h->text_end, h->rodata_end, h->data_end, h->mem_size);
    if (!(0 < h->text_end && h->text_end <= h->rodata_end && h->rodata_end <= h->data_end
          && h->data_end <= h->image_size && h->image_size <= h->mem_size))
        return refuse(why, cap, "image boundaries out of order (0 < text_end 0x%x <= rodata_end 0x%x <= data_end 0x%x"
                      " <= image_size 0x%x <= mem_size 0x%x does not hold)",
                      h->text_end, h->rodata_end, h->data_end, h->image_size, h->mem_size);
    if (h->mem_size > WV_NATIVE_MAX_IMAGE)
        return refuse(why, cap, "image of %u bytes, over the limit of %u", h->mem_size, WV_NATIVE_MAX_IMAGE);
    if (h->reloc_count > WV_NATIVE_MAX_RELOCS)
        return refuse(why, cap, "%u relocations, over the limit of %u", h->reloc_count, WV_NATIVE_MAX_RELOCS);
    uint64_t need = (uint64_t)HDR_SIZE + (uint64_t)h->reloc_count * sizeof(struct wv_native_reloc) + h->image_size;
    if (part_len < need)
        return refuse(why, cap, "file of %lu bytes, shorter than its header, %u relocations and %u image bytes (%lu)",
                      (unsigned long)part_len, h->reloc_count, h->image_size, (unsigned long)need);
    if (h->descriptor % 8 || h->descriptor < h->text_end
        || h->descriptor > h->rodata_end || h->rodata_end - h->descriptor < sizeof(struct wv_native_module))
        return refuse(why, cap, "descriptor at 0x%x is not an aligned struct wv_native_module inside rodata [0x%x, 0x%x)",
                      h->descriptor, h->text_end, h->rodata_end);
    if (h->max_frame_bytes == 0 || h->depth_limit == 0)
        return refuse(why, cap, "no stack figures (max_frame_bytes %u, depth_limit %u)", h->max_frame_bytes, h->depth_limit);
    uint64_t stack = (uint64_t)h->depth_limit * h->max_frame_bytes;
    if (stack > WV_NATIVE_STACK_BUDGET)
        return refuse(why, cap, "depth_limit %u * max_frame_bytes %u = %lu bytes of stack, over the budget of %u",
                      h->depth_limit, h->max_frame_bytes, (unsigned long)stack, (unsigned)WV_NATIVE_STACK_BUDGET);
    return 0;
}

static int check_relocs(const struct wv_native_header *h, const uint8_t *relocs, char *why, size_t cap)
{
    for (uint32_t i = 0; i < h->reloc_count; i++) {
        struct wv_native_reloc r;
        memcpy(&r, relocs + (size_t)i * sizeof r, sizeof r);
        if (r.where % 8)
            return refuse(why, cap, "relocation %u at 0x%x is not 8-byte aligned", i, r.where);
        if (r.where < h->text_end || r.where > h->data_end - 8)
            return refuse(why, cap, "relocation %u at 0x%x is outside rodata and data [0x%x, 0x%x)",
                          i, r.where, h->text_end, h->data_end);
        if (r.target >= h->mem_size)
            return refuse(why, cap, "relocation %u at 0x%x targets 0x%x, outside the image (0x%x bytes)",
                          i, r.where, r.target, h->mem_size);
    }
    return 0;
}

/* ---- The descriptor, on the relocated copy ---- */

struct img {
    uintptr_t base;
    const struct wv_native_header *h;
};

enum region { TEXT, RODATA, DATA };
static const char *const region_name[] = { "text", "rodata", "data" };

/* Is [p, p + n) inside the region (data: data and bss)? */
static int in_region(const struct img *m, uintptr_t p, uint64_t n, enum region r)
{
    uint32_t lo = r == TEXT ? 0 : r == RODATA ? m->h->text_end : m->h->rodata_end;
    uint32_t hi = r == TEXT ? m->h->text_end : r == RODATA ? m->h->rodata_end : m->h->mem_size;
    if (p < m->base + lo) return 0;
    uint64_t off = p - m->base;
    return off <= hi && n <= hi - off;
}

static int check_ptr(const struct img *m, const void *p, uint64_t n, uint32_t align, enum region r,
                     const char *what, char *why, size_t cap)
{
    uintptr_t a = (uintptr_t)p;
    if (!in_region(m, a, n, r) || a % align)
        return refuse(why, cap, "%s (%p) is not inside the image's %s", what, p, region_name[r]);
    return 0;
}

/* A NUL-terminated string inside rodata. */
static int check_str(const struct img *m, const char *s, const char *what, char *why, size_t cap)
{
    uintptr_t a = (uintptr_t)s;
    if (in_region(m, a, 1, RODATA)) {
        const char *end = (const char *)(m->base + m->h->rodata_end);
        for (const char *c = s; c < end; c++)
            if (!*c) return 0;
    }
    return refuse(why, cap, "%s (%p) is not a string inside the image's rodata", what, (const void *)s);
}

static int check_descriptor(const struct img *m, const struct wv_native_module *d, char *why, size_t cap)
{
    char what[48];
    if (check_ptr(m, d->exports, (uint64_t)d->export_count * sizeof *d->exports, 8, RODATA, "export table", why, cap)
        || check_ptr(m, d->imports, (uint64_t)d->import_count * sizeof *d->imports, 8, RODATA, "import table", why, cap)
        || check_ptr(m, d->import_slots, (uint64_t)d->import_count * sizeof(void *), 8, DATA, "import slots", why, cap)
        || check_ptr(m, d->rt, sizeof *d->rt, 8, DATA, "runtime table slot (rt)", why, cap)
        || check_ptr(m, (const void *)(uintptr_t)d->init_module, 4, 4, TEXT, "init_module", why, cap)
        || check_ptr(m, (const void *)(uintptr_t)d->instantiate, 4, 4, TEXT, "instantiate", why, cap)
        || check_ptr(m, (const void *)(uintptr_t)d->free, 4, 4, TEXT, "free", why, cap)
        || check_ptr(m, (const void *)(uintptr_t)d->memory, 4, 4, TEXT, "memory", why, cap))
        return -1;
    for (uint32_t i = 0; i < d->export_count; i++) {
        const struct wv_native_export *e = &d->exports[i];
        wv_snprintf(what, sizeof what, "export %u's name", i);
        if (check_str(m, e->name, what, why, cap)) return -1;
        wv_snprintf(what, sizeof what, "export %u's signature", i);
        if (check_str(m, e->sig, what, why, cap)) return -1;
        wv_snprintf(what, sizeof what, "export %u's function", i);
        if (check_ptr(m, (const void *)(uintptr_t)e->call, 4, 4, TEXT, what, why, cap)) return -1;
    }
    for (uint32_t i = 0; i < d->import_count; i++) {
        wv_snprintf(what, sizeof what, "import %u's name", i);
        if (check_str(m, d->imports[i].name, what, why, cap)) return -1;
        wv_snprintf(what, sizeof what, "import %u's signature", i);
        if (check_str(m, d->imports[i].sig, what, why, cap)) return -1;
    }
    return 0;
}

/* ---- The descriptor against the .wasm and the runtime ---- */

static int check_interface(const struct wv_native_module *d, const struct wv_wasm_interface *w, char *why, size_t cap)
{
    if (w->other_imports)
        return refuse(why, cap, "its .wasm imports %u tables, memories or globals; a native part binds functions only",
                      w->other_imports);
    if (d->import_count != w->import_count)
        return refuse(why, cap, "it imports %u functions, its .wasm %u", d->import_count, w->import_count);
    for (uint32_t i = 0; i < d->import_count; i++) {
        const struct wv_native_import *n = &d->imports[i];
        const struct wv_wasm_func *f = &w->imports[i];
        const char *wsig = wv_wasm_func_sig(w, f);
        if (!wv_wasm_name_is(f->module, "wv"))
            return refuse(why, cap, "its .wasm's import %u comes from module \"%.*s\", not \"wv\"",
                          i, (int)f->module.len, (const char *)f->module.p);
        if (!wv_wasm_name_is(f->name, n->name) || strcmp(n->sig, wsig))
            return refuse(why, cap, "import %u is %s %s, its .wasm's is %.*s %s",
                          i, n->name, n->sig, (int)f->name.len, (const char *)f->name.p, wsig[0] ? wsig : "(no signature)");
    }
    if (d->export_count != w->export_count)
        return refuse(why, cap, "it exports %u functions, its .wasm %u", d->export_count, w->export_count);
    for (uint32_t i = 0; i < w->export_count; i++) {
        const struct wv_wasm_func *f = &w->exports[i];
        const char *wsig = wv_wasm_func_sig(w, f);
        uint32_t k = 0;
        while (k < d->export_count && !wv_wasm_name_is(f->name, d->exports[k].name)) k++;
        if (k == d->export_count)
            return refuse(why, cap, "its .wasm exports %.*s, it does not", (int)f->name.len, (const char *)f->name.p);
        if (strcmp(d->exports[k].sig, wsig))
            return refuse(why, cap, "export %s is %s, in its .wasm %s",
                          d->exports[k].name, d->exports[k].sig, wsig[0] ? wsig : "(no signature)");
    }
    return 0;
}

static int bind_imports(const struct wv_native_module *d, const struct wv_import_fn *fns, size_t fn_count,
                        char *why, size_t cap)
{
    for (uint32_t i = 0; i < d->import_count; i++) {
        const struct wv_native_import *n = &d->imports[i];
        const struct wv_import_fn *named = 0;
        size_t k;
        for (k = 0; k < fn_count; k++) {
            if (strcmp(fns[k].name, n->name)) continue;
            named = &fns[k];
            if (!strcmp(fns[k].sig, n->sig)) break;
        }
        if (k == fn_count) {
            if (named)
                return refuse(why, cap, "import %s %s: the runtime's %s is %s", n->name, n->sig, n->name, named->sig);
            return refuse(why, cap, "import %s %s: the runtime has no function of that name", n->name, n->sig);
        }
        d->import_slots[i] = fns[k].fn;
    }
    return 0;
}

/* ---- Loading ---- */

int wv_native_load(const uint8_t *part, size_t part_len, const uint8_t *wasm, size_t wasm_len,
                   const struct wv_import_fn *fns, size_t fn_count,
                   const struct wv_native_rt *rt, struct wv_native_image **out,
                   char *why, size_t cap)
{
    struct wv_native_header h;
    *out = 0;
    if (part_len < sizeof h.magic || memcmp(part, WV_NATIVE_MAGIC, sizeof h.magic))
        return refuse(why, cap, "bad magic (not a native part)");
    if (part_len < sizeof h)
        return refuse(why, cap, "file of %lu bytes, shorter than its header (%u)", (unsigned long)part_len, HDR_SIZE);
    memcpy(&h, part, sizeof h);
    if (check_header(&h, part_len, why, cap)) return -1;
    const uint8_t *relocs = part + HDR_SIZE;
    const uint8_t *bytes = relocs + (size_t)h.reloc_count * sizeof(struct wv_native_reloc);
    for (uint32_t i = h.data_end; i < h.image_size; i++)
        if (bytes[i])
            return refuse(why, cap, "byte 0x%x of the image is in bss [0x%x, 0x%x) and not zero", i, h.data_end, h.mem_size);
    if (check_relocs(&h, relocs, why, cap)) return -1;
    uint8_t digest[WV_SHA256_BYTES];
    wv_sha256(wasm, wasm_len, digest);
    if (memcmp(digest, h.wasm_sha256, sizeof digest))
        return refuse(why, cap, "wasm_sha256 is not the SHA-256 of the .wasm it is loaded with");

    struct wv_wasm_interface w;
    struct wv_wasm_interface_error we;
    if (wv_wasm_interface_read(wasm, wasm_len, &w, &we))
        return refuse(why, cap, "its .wasm is malformed: %s at offset 0x%x", we.what, we.offset);

    /* Placed read-write and execute-never, checked there, then made W^X. */
    uint32_t pages = h.mem_size / WV_NATIVE_PAGE;
    struct wv_native_image *img = calloc(1, sizeof *img);
    uint8_t *base = img ? wv_native_area_alloc(pages) : 0;
    if (!base) {
        free(img);
        wv_wasm_interface_free(&w);
        return refuse(why, cap, "no room for %u pages in the native-code area", pages);
    }
    if (wv_native_area_protect(base, pages, WV_NATIVE_PROT_RW)) {
        refuse(why, cap, "the native-code area refused to map %u pages", pages);
        goto fail;
    }
    memcpy(base, bytes, h.data_end);
    memset(base + h.data_end, 0, h.mem_size - h.data_end);
    for (uint32_t i = 0; i < h.reloc_count; i++) {
        struct wv_native_reloc r;
        memcpy(&r, relocs + (size_t)i * sizeof r, sizeof r);
        uint64_t v = (uint64_t)(uintptr_t)base + r.target;
        memcpy(base + r.where, &v, sizeof v);
    }
    struct img m = { (uintptr_t)base, &h };
    const struct wv_native_module *d = (const struct wv_native_module *)(base + h.descriptor);
    if (check_descriptor(&m, d, why, cap) || check_interface(d, &w, why, cap)
        || bind_imports(d, fns, fn_count, why, cap))
        goto fail;
    *d->rt = rt;
    if (wv_native_area_protect(base + h.text_end, (h.rodata_end - h.text_end) / WV_NATIVE_PAGE, WV_NATIVE_PROT_R)
        || wv_native_area_protect(base, h.text_end / WV_NATIVE_PAGE, WV_NATIVE_PROT_RX)) {
        refuse(why, cap, "the native-code area refused to map %u pages", pages);
        goto fail;
    }
    wv_native_area_sync_code(base, h.text_end);
    wv_wasm_interface_free(&w);
    img->base = base;
    img->text_end = h.text_end;
    img->rodata_end = h.rodata_end;
    img->data_end = h.data_end;
    img->mem_size = h.mem_size;
    img->module = d;
    img->refs = 1;                          /* the module's */
    d->init_module();
    *out = img;
    return 0;
fail:
    wv_native_area_free(base);
    free(img);
    wv_wasm_interface_free(&w);
    return -1;
}

void wv_native_image_put(struct wv_native_image *img)
{
    if (!img || __atomic_sub_fetch(&img->refs, 1, __ATOMIC_ACQ_REL)) return;
    wv_native_area_free(img->base);
    free(img);
}
