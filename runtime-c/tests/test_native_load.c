/* Host test of the native-part loader (runtime-c/core/native_load.c) and the page runs of
 * its area (page_runs.c). Native parts are made here: a header, relocations and a fake
 * image whose descriptor, tables and strings sit where the real build puts them, every
 * pointer an image offset with its relocation, and a .wasm with the same imports and
 * exports. One part passes (relocations applied, bss zeroed, import slots and rt filled,
 * each region mapped W^X, init_module run: one host `ret`); each check of the loader is
 * then made to fail once by changing one thing, and must refuse with its own message
 * and leave nothing allocated. The area is native_area_stub.c: mmap'd pages whose
 * protections are real, so a write after a region was made read-only would fault. */
#include "wv_native_load.h"
#include "wv_page_runs.h"
#include "wv_sha256.h"
#include "wv_core.h"
#include "native_area_stub.h"
#include "wasm_writer.h"
#include <stddef.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

/* ---- The fake image ---- */

#define TEXT_END    0x1000u
#define RODATA_END  0x2000u
#define DATA_END    0x3000u
#define MEM_SIZE    0x4000u
#define DESC        0x1000u     /* struct wv_native_module */
#define EXPORTS     0x1100u     /* 2 struct wv_native_export */
#define IMPORTS     0x1200u     /* 2 struct wv_native_import */
#define STRINGS     0x1400u
#define UNTERMINATED 0x1ff8u    /* 8 bytes up to rodata's end, no NUL */
#define RT_SLOT     0x2100u     /* in data */
#define DATA_PTR    0x2200u     /* a pointer in data, to STRINGS */
#define SLOTS       0x3000u     /* in bss */
#define FN_INIT     0x000u
#define FN_INST     0x010u
#define FN_FREE     0x020u
#define FN_MEM      0x030u
#define FN_EXP0     0x040u
#define FN_EXP1     0x050u

#define MOD(f)      (DESC + (uint32_t)offsetof(struct wv_native_module, f))
#define EXP(i, f)   (EXPORTS + (i) * (uint32_t)sizeof(struct wv_native_export) + (uint32_t)offsetof(struct wv_native_export, f))
#define IMP(i, f)   (IMPORTS + (i) * (uint32_t)sizeof(struct wv_native_import) + (uint32_t)offsetof(struct wv_native_import, f))

struct part {
    struct wv_native_header h;
    struct wv_native_reloc rel[64];
    uint32_t nrel;
    uint32_t str_at;
    uint8_t img[MEM_SIZE];
    size_t cut;                 /* bytes dropped from the end of the file */
};

/* Strings of the fake image (offsets, set by good_part). */
static uint32_t S_console_write, S_vii, S_now, S_I, S_wv_init, S_iii, S_wv_handle_exit, S_ii, S_other, S_iiI;

static void ptr(struct part *p, uint32_t where, uint32_t target)
{
    memset(p->img + where, 0, 8);
    for (uint32_t i = 0; i < p->nrel; i++)
        if (p->rel[i].where == where) { p->rel[i].target = target; return; }
    p->rel[p->nrel].where = where;
    p->rel[p->nrel++].target = target;
}

static void unptr(struct part *p, uint32_t where)
{
    for (uint32_t i = 0; i < p->nrel; i++)
        if (p->rel[i].where == where) { p->rel[i] = p->rel[--p->nrel]; return; }
}

static void u32_at(struct part *p, uint32_t at, uint32_t v) { memcpy(p->img + at, &v, 4); }

static uint32_t str(struct part *p, const char *s)
{
    uint32_t at = p->str_at;
    memcpy(p->img + at, s, strlen(s) + 1);
    p->str_at += (uint32_t)strlen(s) + 1;
    return at;
}

/* A host `ret` at every function's place: init_module really runs. */
static void ret_at(struct part *p, uint32_t at)
{
#if defined(__x86_64__) || defined(__i386__)
    p->img[at] = 0xc3;
#elif defined(__aarch64__)
    static const uint8_t ret[4] = { 0xc0, 0x03, 0x5f, 0xd6 };
    memcpy(p->img + at, ret, 4);
#else
#error "no host ret instruction for this host"
#endif
}

static void set_sha(struct part *p, const struct buf *wasm)
{
    wv_sha256(wasm->b, wasm->len, p->h.wasm_sha256);
}

static void good_part(struct part *p, const struct buf *wasm)
{
    memset(p, 0, sizeof *p);
    memcpy(p->h.magic, WV_NATIVE_MAGIC, 8);
    p->h.header_size = sizeof p->h;
    p->h.abi_version = WV_NATIVE_ABI_VERSION;
    p->h.core_abi_version = WV_CORE_ABI_VERSION;
    p->h.cpu_baseline = WV_NATIVE_CPU_ARMV8A_GPR;
    p->h.text_end = TEXT_END;
    p->h.rodata_end = RODATA_END;
    p->h.data_end = DATA_END;
    p->h.image_size = DATA_END;
    p->h.mem_size = MEM_SIZE;
    p->h.descriptor = DESC;
    p->h.max_frame_bytes = 256;
    p->h.depth_limit = 500;
    memcpy(p->h.translator, "wasm2c 1.0.32-1", 15);
    memcpy(p->h.compiler, "gcc 12.2.0 -O2", 14);
    set_sha(p, wasm);
    for (uint32_t f = 0; f <= FN_EXP1; f += 0x10) ret_at(p, f);
    memset(p->img + 0x800, 0xd4, 0x100);            /* more "code" */
    p->str_at = STRINGS;
    S_console_write = str(p, "console_write"); S_vii = str(p, "v(ii)");
    S_now = str(p, "now"); S_I = str(p, "I()");
    S_wv_init = str(p, "wv_init"); S_iii = str(p, "i(ii)");
    S_wv_handle_exit = str(p, "wv_handle_exit"); S_ii = str(p, "i(i)");
    S_other = str(p, "other"); S_iiI = str(p, "i(iI)");
    memcpy(p->img + UNTERMINATED, "abcdefgh", 8);
    u32_at(p, MOD(instance_size), 200);
    u32_at(p, MOD(export_count), 2);
    u32_at(p, MOD(import_count), 2);
    ptr(p, MOD(exports), EXPORTS);
    ptr(p, MOD(imports), IMPORTS);
    ptr(p, MOD(import_slots), SLOTS);
    ptr(p, MOD(rt), RT_SLOT);
    ptr(p, MOD(init_module), FN_INIT);
    ptr(p, MOD(instantiate), FN_INST);
    ptr(p, MOD(free), FN_FREE);
    ptr(p, MOD(memory), FN_MEM);
    ptr(p, EXP(0, name), S_wv_init); ptr(p, EXP(0, sig), S_iii); ptr(p, EXP(0, call), FN_EXP0);
    ptr(p, EXP(1, name), S_wv_handle_exit); ptr(p, EXP(1, sig), S_ii); ptr(p, EXP(1, call), FN_EXP1);
    ptr(p, IMP(0, name), S_console_write); ptr(p, IMP(0, sig), S_vii);
    ptr(p, IMP(1, name), S_now); ptr(p, IMP(1, sig), S_I);
    ptr(p, DATA_PTR, STRINGS);
    memset(p->img + 0x2800, 0x5a, 0x100);           /* initialised data */
}

static struct buf file_of(const struct part *p)
{
    struct buf f = { 0 };
    struct wv_native_header h = p->h;
    if (h.reloc_count == 0) h.reloc_count = p->nrel;
    put(&f, &h, sizeof h);
    put(&f, p->rel, (size_t)p->nrel * sizeof p->rel[0]);
    put(&f, p->img, p->h.image_size < MEM_SIZE ? p->h.image_size : MEM_SIZE);
    f.len -= p->cut < f.len ? p->cut : f.len;
    return f;
}

/* ---- The .wasm it comes from ---- */

struct wasm_opts {
    const char *import_module;      /* "wv" */
    int memory_import;              /* also import a memory */
    int one_import;                 /* import console_write only */
    int one_export;                 /* export wv_handle_exit only */
    int export_sig_iI;              /* wv_handle_exit takes (i32 i64) */
};

static struct buf make_wasm(struct wasm_opts o)
{
    struct buf m = { 0 }, s = { 0 };
    wasm_header(&m);
    uleb(&s, 5);
    functype(&s, I32 I32, "");          /* 0 v(ii) */
    functype(&s, "", I64);              /* 1 I() */
    functype(&s, I32 I32, I32);         /* 2 i(ii) */
    functype(&s, I32, I32);             /* 3 i(i) */
    functype(&s, I32 I64, I32);         /* 4 i(iI) */
    section(&m, 1, &s);
    uleb(&s, (o.one_import ? 1 : 2) + (o.memory_import ? 1 : 0));
    wname(&s, o.import_module ? o.import_module : "wv"); wname(&s, "console_write"); put8(&s, 0); uleb(&s, 0);
    if (o.memory_import) { wname(&s, "wv"); wname(&s, "mem"); put8(&s, 2); put8(&s, 0); uleb(&s, 1); }
    if (!o.one_import) { wname(&s, "wv"); wname(&s, "now"); put8(&s, 0); uleb(&s, 1); }
    section(&m, 2, &s);
    uleb(&s, 2); uleb(&s, 2); uleb(&s, o.export_sig_iI ? 4 : 3);
    section(&m, 3, &s);
    if (!o.memory_import) { uleb(&s, 1); put8(&s, 0); uleb(&s, 1); section(&m, 5, &s); }
    uint32_t first = (o.one_import ? 1 : 2) + 0;
    uleb(&s, o.one_export ? 2 : 3);
    if (!o.one_export) { wname(&s, "wv_init"); put8(&s, 0); uleb(&s, first); }
    wname(&s, "wv_handle_exit"); put8(&s, 0); uleb(&s, first + 1);
    wname(&s, "memory"); put8(&s, 2); uleb(&s, 0);
    section(&m, 7, &s);
    uleb(&s, 2);
    for (int i = 0; i < 2; i++) { uleb(&s, 4); put8(&s, 0); put8(&s, 0x41); put8(&s, 0); put8(&s, 0x0b); }
    section(&m, 10, &s);
    free(s.b);
    return m;
}

/* ---- The runtime side ---- */

static void fn_console_write(void) {}
static void fn_now(void) {}
static void fn_unused(void) {}
static const struct wv_import_fn fns[] = {
    { "chan_send", "i(ii)", (void *)fn_unused },
    { "now", "I()", (void *)fn_now },
    { "console_write", "v(ii)", (void *)fn_console_write },
};
static const struct wv_import_fn fns_without_now[] = {
    { "console_write", "v(ii)", (void *)fn_console_write },
};
static const struct wv_import_fn fns_other_now[] = {
    { "now", "i()", (void *)fn_now },
    { "console_write", "v(ii)", (void *)fn_console_write },
};

static void *t_alloc(size_t n) { return calloc(1, n); }
static void *t_realloc(void *p, size_t n) { return realloc(p, n); }
static void t_free(void *p) { free(p); }
static void __attribute__((noreturn)) t_trap(uint32_t c) { printf("FAIL: trap %u\n", c); exit(1); }
static const struct wv_native_rt test_rt = { WV_NATIVE_ABI_VERSION, t_alloc, t_realloc, t_free, t_trap };

/* ---- Loading ---- */

static int load_with(const struct part *p, const struct buf *wasm, const struct wv_import_fn *f, size_t nf,
                     struct wv_native_image **img, char *why, size_t cap)
{
    struct buf file = file_of(p);
    int r = wv_native_load(file.b, file.len, wasm->b, wasm->len, f, nf, &test_rt, img, why, cap);
    free(file.b);
    return r;
}

static void refused_with(int line, const struct part *p, const struct buf *wasm,
                         const struct wv_import_fn *f, size_t nf, const char *want)
{
    struct wv_native_image *img = (struct wv_native_image *)1;
    char why[256] = "";
    int r = load_with(p, wasm, f, nf, &img, why, sizeof why);
    printf("  %s\n", why);
    if (r != -1 || img != 0 || !strstr(why, want) || strncmp(why, "native part refused: ", 21)
        || native_area_stub_live_runs != 0) {
        printf("FAIL line %d: expected a refusal naming \"%s\" (r %d, live runs %d)\n", line, want, r,
               native_area_stub_live_runs);
        failures++;
    }
}

#define REFUSED(p, want) refused_with(__LINE__, p, &wasm, fns, 3, want)
#define REFUSED_W(p, w, want) refused_with(__LINE__, p, w, fns, 3, want)
#define REFUSED_F(p, f, want) refused_with(__LINE__, p, &wasm, f, sizeof f / sizeof f[0], want)

static uint64_t u64_at(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static void test_good(const struct buf *wasm)
{
    struct part *p = malloc(sizeof *p);
    good_part(p, wasm);
    struct wv_native_image *img = 0;
    char why[256] = "";
    int r = load_with(p, wasm, fns, 3, &img, why, sizeof why);
    if (r) printf("FAIL: %s\n", why);
    CHECK(r == 0 && img);
    if (!img) { free(p); return; }
    uint8_t *b = img->base;
    uintptr_t base = (uintptr_t)b;
    CHECK(b >= native_area_stub_base() && (base & 0xfff) == 0);
    CHECK((uintptr_t)img->module == base + DESC);
    CHECK(img->text_end == TEXT_END && img->rodata_end == RODATA_END && img->data_end == DATA_END && img->mem_size == MEM_SIZE);
    for (uint32_t i = 0; i < p->nrel; i++) CHECK(u64_at(b + p->rel[i].where) == base + p->rel[i].target);
    CHECK(u64_at(b + DATA_PTR) == base + STRINGS);
    CHECK(img->module->import_slots[0] == (void *)fn_console_write);
    CHECK(img->module->import_slots[1] == (void *)fn_now);
    CHECK(*img->module->rt == &test_rt);
    CHECK(!strcmp(img->module->exports[1].name, "wv_handle_exit"));
    CHECK(memcmp(b + 0x2800, p->img + 0x2800, 0x100) == 0);
    int bss_zero = 1;
    for (uint32_t i = SLOTS + 16; i < MEM_SIZE; i++) bss_zero &= b[i] == 0;
    CHECK(bss_zero);
    CHECK(native_area_stub_prot(b) == WV_NATIVE_PROT_RX);
    CHECK(native_area_stub_prot(b + TEXT_END) == WV_NATIVE_PROT_R);
    CHECK(native_area_stub_prot(b + RODATA_END) == WV_NATIVE_PROT_RW);
    CHECK(native_area_stub_prot(b + DATA_END) == WV_NATIVE_PROT_RW);
    CHECK(native_area_stub_syncs == 1);
    CHECK(native_area_stub_live_runs == 1);

    /* A second image beside it (a live update's), then both freed. */
    struct wv_native_image *img2 = 0;
    CHECK(load_with(p, wasm, fns, 3, &img2, why, sizeof why) == 0 && img2 && img2->base >= b + MEM_SIZE);
    CHECK(img->refs == 1 && img2->refs == 1);     /* their modules' */
    img->refs++;                                  /* an instance of it */
    wv_native_image_put(img);                     /* its module lets go: the instance keeps it */
    CHECK(native_area_stub_live_runs == 2 && native_area_stub_prot(b) == WV_NATIVE_PROT_RX);
    wv_native_image_put(img);                     /* the instance goes: so does the image */
    CHECK(native_area_stub_live_runs == 1);
    CHECK(native_area_stub_prot(b) == WV_NATIVE_PROT_NONE);
    wv_native_image_put(img2);
    CHECK(native_area_stub_live_runs == 0);
    free(p);
}

static void test_refusals(void)
{
    struct buf wasm = make_wasm((struct wasm_opts){ 0 });
    struct part *p = malloc(sizeof *p);
    uint8_t *all;

    printf("refusals:\n");
    good_part(p, &wasm); p->h.magic[0] = 'X';                   REFUSED(p, "bad magic");
    {   /* shorter than the header */
        struct buf f = { 0 };
        good_part(p, &wasm);
        put(&f, &p->h, 40);
        struct wv_native_image *img;
        char why[200];
        CHECK(wv_native_load(f.b, f.len, wasm.b, wasm.len, fns, 3, &test_rt, &img, why, sizeof why) == -1);
        printf("  %s\n", why);
        CHECK(strstr(why, "shorter than its header (") != 0);
        free(f.b);
    }
    good_part(p, &wasm); p->h.header_size = 999;                REFUSED(p, "header size 999");
    good_part(p, &wasm); p->h.abi_version = 1;                  REFUSED(p, "native ABI version 1");   /* the one before */
    good_part(p, &wasm); p->h.core_abi_version = 99;            REFUSED(p, "core ABI version 99");
    good_part(p, &wasm); p->h.cpu_baseline = 2;                 REFUSED(p, "CPU baseline 2");
    good_part(p, &wasm); p->h.rodata_end = 0x1800;              REFUSED(p, "not page-aligned");
    good_part(p, &wasm); p->h.mem_size = 0x4800;                REFUSED(p, "not page-aligned");
    good_part(p, &wasm); p->h.text_end = 0x3000;                REFUSED(p, "out of order");
    good_part(p, &wasm); p->h.text_end = 0;                     REFUSED(p, "out of order");
    good_part(p, &wasm); p->h.image_size = 0x5000;              REFUSED(p, "out of order");
    good_part(p, &wasm); p->h.mem_size = WV_NATIVE_MAX_IMAGE + WV_NATIVE_PAGE; REFUSED(p, "over the limit of 4194304");
    good_part(p, &wasm); p->h.reloc_count = WV_NATIVE_MAX_RELOCS + 1; REFUSED(p, "relocations, over the limit of 65536");
    good_part(p, &wasm); p->cut = 1;                            REFUSED(p, "shorter than its header, ");
    good_part(p, &wasm); p->h.image_size = DATA_END + 0x10; p->img[DATA_END + 8] = 1; REFUSED(p, "in bss");
    good_part(p, &wasm); p->rel[0].where += 4;                  REFUSED(p, "not 8-byte aligned");
    good_part(p, &wasm); p->rel[0].where = 0x800;               REFUSED(p, "outside rodata and data");
    good_part(p, &wasm); p->rel[0].where = DATA_END;            REFUSED(p, "outside rodata and data");
    good_part(p, &wasm); p->rel[0].target = MEM_SIZE;           REFUSED(p, "outside the image");
    good_part(p, &wasm); p->h.descriptor = RODATA_END;          REFUSED(p, "descriptor at");
    good_part(p, &wasm); p->h.descriptor = RODATA_END - 8;      REFUSED(p, "descriptor at");
    good_part(p, &wasm); p->h.descriptor = DESC + 4;            REFUSED(p, "descriptor at");
    good_part(p, &wasm); p->h.descriptor = 0x800;               REFUSED(p, "descriptor at");
    good_part(p, &wasm); p->h.wasm_sha256[31] ^= 1;             REFUSED(p, "wasm_sha256");
    good_part(p, &wasm); p->h.depth_limit = 0;                  REFUSED(p, "no stack figures");
    good_part(p, &wasm); p->h.max_frame_bytes = 0;              REFUSED(p, "no stack figures");
    good_part(p, &wasm); p->h.depth_limit = 8192; p->h.max_frame_bytes = 240; REFUSED(p, "over the budget");
    {   /* a malformed .wasm with its own digest */
        struct buf bad = { 0 };
        put(&bad, wasm.b, wasm.len - 3);
        good_part(p, &bad);                                     REFUSED_W(p, &bad, "its .wasm is malformed");
        free(bad.b);
    }

    /* The descriptor's pointers, after relocation. */
    good_part(p, &wasm); ptr(p, MOD(exports), 0x2400);          REFUSED(p, "export table");
    good_part(p, &wasm); ptr(p, MOD(exports), RODATA_END - 24); REFUSED(p, "export table");   /* its second entry past rodata */
    good_part(p, &wasm); unptr(p, MOD(exports));                REFUSED(p, "export table");   /* left unrelocated */
    good_part(p, &wasm); ptr(p, MOD(exports), EXPORTS + 4);     REFUSED(p, "export table");   /* misaligned */
    good_part(p, &wasm); ptr(p, MOD(imports), FN_EXP0);         REFUSED(p, "import table");
    good_part(p, &wasm); ptr(p, MOD(import_slots), STRINGS);    REFUSED(p, "import slots");
    good_part(p, &wasm); ptr(p, MOD(import_slots), MEM_SIZE - 8); REFUSED(p, "import slots");
    good_part(p, &wasm); ptr(p, MOD(rt), DESC);                 REFUSED(p, "runtime table slot");
    good_part(p, &wasm); ptr(p, MOD(init_module), RT_SLOT);     REFUSED(p, "init_module");
    good_part(p, &wasm); ptr(p, MOD(instantiate), STRINGS);     REFUSED(p, "instantiate");
    good_part(p, &wasm); ptr(p, MOD(free), FN_FREE + 2);        REFUSED(p, "free (");
    good_part(p, &wasm); ptr(p, MOD(memory), SLOTS);            REFUSED(p, "memory (");
    good_part(p, &wasm); ptr(p, EXP(0, name), FN_EXP0);         REFUSED(p, "export 0's name");
    good_part(p, &wasm); ptr(p, EXP(1, sig), UNTERMINATED);     REFUSED(p, "export 1's signature");
    good_part(p, &wasm); ptr(p, EXP(0, call), STRINGS);         REFUSED(p, "export 0's function");
    good_part(p, &wasm); ptr(p, IMP(0, name), DATA_PTR);        REFUSED(p, "import 0's name");
    good_part(p, &wasm); ptr(p, IMP(1, sig), UNTERMINATED);     REFUSED(p, "import 1's signature");

    /* Against the .wasm. */
    {
        struct buf w = make_wasm((struct wasm_opts){ .memory_import = 1 });
        good_part(p, &w);                                       REFUSED_W(p, &w, "tables, memories or globals");
        free(w.b);
        w = make_wasm((struct wasm_opts){ .import_module = "env" });
        good_part(p, &w);                                       REFUSED_W(p, &w, "comes from module \"env\"");
        free(w.b);
        w = make_wasm((struct wasm_opts){ .one_import = 1 });
        good_part(p, &w);                                       REFUSED_W(p, &w, "it imports 2 functions, its .wasm 1");
        free(w.b);
        w = make_wasm((struct wasm_opts){ .one_export = 1 });
        good_part(p, &w);                                       REFUSED_W(p, &w, "it exports 2 functions, its .wasm 1");
        free(w.b);
        w = make_wasm((struct wasm_opts){ .export_sig_iI = 1 });
        good_part(p, &w);                                       REFUSED_W(p, &w, "export wv_handle_exit is i(i), in its .wasm i(iI)");
        free(w.b);
    }
    good_part(p, &wasm); ptr(p, IMP(0, name), S_other);         REFUSED(p, "import 0 is other v(ii), its .wasm's is console_write v(ii)");
    good_part(p, &wasm); ptr(p, IMP(1, sig), S_iiI);            REFUSED(p, "import 1 is now i(iI)");
    good_part(p, &wasm);                                        /* the imports' order swapped */
    ptr(p, IMP(0, name), S_now); ptr(p, IMP(0, sig), S_I); ptr(p, IMP(1, name), S_console_write); ptr(p, IMP(1, sig), S_vii);
                                                                REFUSED(p, "import 0 is now I()");
    good_part(p, &wasm); u32_at(p, MOD(import_count), 1);       REFUSED(p, "it imports 1 functions, its .wasm 2");
    good_part(p, &wasm); ptr(p, EXP(0, name), S_other);         REFUSED(p, "its .wasm exports wv_init, it does not");
    good_part(p, &wasm); ptr(p, EXP(0, name), S_wv_handle_exit); REFUSED(p, "its .wasm exports wv_init, it does not"); /* a name twice */
    good_part(p, &wasm); ptr(p, EXP(1, sig), S_iiI);            REFUSED(p, "export wv_handle_exit is i(iI), in its .wasm i(i)");

    /* Against the runtime's functions. */
    good_part(p, &wasm);                                        REFUSED_F(p, fns_without_now, "import now I(): the runtime has no function of that name");
    good_part(p, &wasm);                                        REFUSED_F(p, fns_other_now, "import now I(): the runtime's now is i()");

    /* No room left in the area. */
    all = wv_native_area_alloc(WV_NATIVE_AREA_SIZE / WV_PAGE_RUNS_PAGE - 3);
    CHECK(all != 0);
    native_area_stub_live_runs = 0;     /* `all` is counted apart */
    good_part(p, &wasm);                                        refused_with(__LINE__, p, &wasm, fns, 3, "no room for 4 pages");
    wv_native_area_free(all);
    native_area_stub_live_runs = 0;

    free(p);
    free(wasm.b);
}

static void test_page_runs(void)
{
    static struct wv_page_runs a;
    wv_page_runs_init(&a, 0x100000, 16);
    uintptr_t r1 = wv_page_runs_alloc(&a, 4), r2 = wv_page_runs_alloc(&a, 8), r3 = wv_page_runs_alloc(&a, 4);
    CHECK(r1 == 0x100000 && r2 == 0x104000 && r3 == 0x10c000);
    CHECK(wv_page_runs_alloc(&a, 1) == 0);
    CHECK(wv_page_runs_alloc(&a, 0) == 0 && wv_page_runs_alloc(&a, 17) == 0);
    CHECK(wv_page_runs_free(&a, r2 + 0x1000) == 0);        /* not a run's first page */
    CHECK(wv_page_runs_free(&a, r2 + 1) == 0 && wv_page_runs_free(&a, 0x200000) == 0);
    CHECK(wv_page_runs_free(&a, r2) == 8);
    CHECK(wv_page_runs_free(&a, r2) == 0);                  /* twice */
    CHECK(wv_page_runs_alloc(&a, 9) == 0);                  /* 8 free in the middle only */
    uintptr_t r4 = wv_page_runs_alloc(&a, 3), r5 = wv_page_runs_alloc(&a, 5);
    CHECK(r4 == 0x104000 && r5 == 0x107000);
    CHECK(wv_page_runs_free(&a, r1) == 4 && wv_page_runs_free(&a, r4) == 3);
    CHECK(wv_page_runs_alloc(&a, 7) == 0x100000);           /* the freed neighbours make one run */
}

int main(void)
{
    native_area_stub_init();
    struct buf wasm = make_wasm((struct wasm_opts){ 0 });
    test_good(&wasm);
    free(wasm.b);
    native_area_stub_init();
    test_refusals();
    test_page_runs();
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures != 0;
}
