/* The native part of a core module: the layout the build writes and the EL2 loader
 * (core/native_load.c) checks (docs/native-tier.md). The build translates the module's
 * .wasm with wasm2c into C, compiles that with runtime-c/native/ (the wasm-rt functions
 * the translation calls, forwarded to the runtime) into one position-independent aarch64
 * image, and writes it as: this header, the relocation list, then the image. The image is
 * linked at address 0; the loader copies it to a page-aligned place, applies the
 * relocations, maps text RX, rodata R and data RW with execute-never (W^X), and binds
 * the imports to the same checked import functions wasm3 instances use.
 *
 * Included by the runtime (EL2), the native part's own C (runtime-c/native/) and the
 * host tests: fixed-width fields only, little-endian, no pointers in the header. */
#ifndef WV_NATIVE_ABI_H
#define WV_NATIVE_ABI_H
#include <stdint.h>
#include <stddef.h>

#define WV_NATIVE_MAGIC         "WVNAT\0" "1\n"     /* 8 bytes */
/* This header, the descriptor, the runtime table and the per-CPU call depth below: a
 * native part built for another version is refused. */
#define WV_NATIVE_ABI_VERSION   2u
/* The CPU features the image may use: ARMv8.0-A, general-purpose registers only (built
 * -mgeneral-regs-only: it never touches FP/SIMD registers, so the trap path need not save
 * a guest's for it). */
#define WV_NATIVE_CPU_ARMV8A_GPR 1u
#define WV_NATIVE_PAGE          4096u
#define WV_NATIVE_MAX_IMAGE     (4u << 20)          /* image bytes, bss included */
#define WV_NATIVE_MAX_RELOCS    65536u
/* An instance's linear memory at most, in 64 KiB pages: the native part's runtime
 * (runtime-c/native/rt.c) allocates it at once and never moves it, so that the vCPUs'
 * exit records in it can be their register frames (docs/abi.md 2). */
#define WV_NATIVE_MEMORY_PAGES  16u

/* The call depth of native code on this CPU: a uint32_t at this byte offset of the CPU's
 * struct wv_pcpu, whose address TPIDR_EL2 holds. wasm2c's generated code counts calls in
 * one global; the native part's prelude (runtime-c/native/prelude.h) turns that global
 * into this per-CPU counter, so two CPUs running native code never share a count. */
#define WV_NATIVE_PCPU_DEPTH    16u

struct wv_native_header {
    uint8_t  magic[8];          /* WV_NATIVE_MAGIC */
    uint32_t header_size;       /* sizeof (struct wv_native_header) */
    uint32_t abi_version;       /* WV_NATIVE_ABI_VERSION */
    uint32_t core_abi_version;  /* the WV_CORE_ABI_VERSION of the module it was translated from */
    uint32_t cpu_baseline;      /* WV_NATIVE_CPU_* */
    /* The image, offsets from its start, each boundary a multiple of WV_NATIVE_PAGE:
     * [0, text_end) code (RX), [text_end, rodata_end) read-only data, relocations applied
     * before it is made read-only (R, XN), [rodata_end, data_end) data (RW, XN),
     * [data_end, mem_size) zero-filled data (bss, RW, XN). The file holds image_size
     * bytes of the image: data_end <= image_size <= mem_size. */
    uint32_t text_end, rodata_end, data_end, image_size, mem_size;
    uint32_t reloc_count;       /* struct wv_native_reloc entries after the header */
    uint32_t descriptor;        /* image offset of the struct wv_native_module, in rodata */
    /* Stack: the largest frame of any function in the image (gcc -fstack-usage, static
     * frames only: the build refuses dynamic ones) and the call depth at which the code
     * traps (WASM_RT_MAX_CALL_STACK_DEPTH): the loader refuses an image whose
     * depth_limit * max_frame_bytes does not fit the EL2 stack's budget for the core. */
    uint32_t max_frame_bytes, depth_limit;
    uint8_t  wasm_sha256[32];   /* SHA-256 of the .wasm it was translated from */
    char     translator[32];    /* e.g. "wasm2c 1.0.32-1", NUL-padded */
    char     compiler[32];      /* e.g. "gcc 12.2.0 -O2", NUL-padded */
};

/* R_AARCH64_RELATIVE, the one relocation kind an image may carry: the u64 at image
 * offset `where` becomes (image base + `target`). where is a multiple of 8, lies in
 * [text_end, data_end) (never in code), target < mem_size. */
struct wv_native_reloc {
    uint32_t where, target;
};

/* ---- Inside the image (pointers are image addresses after relocation) ---- */

/* Signatures are written as wasm3 writes them: result then parameters, i = i32,
 * I = i64, v = none; "i(iiI)" takes i32, i32, i64 and gives an i32. */
struct wv_native_export {
    const char *name;
    const char *sig;
    /* Every export behind one calling convention: args[k] holds parameter k (an i32
     * zero-extended), the result comes back the same way (0 for none). */
    uint64_t (*call)(void *instance, const uint64_t *args);
};

struct wv_native_import {
    const char *name;           /* module "wv": the only import module a core has */
    const char *sig;
};

/* What the native part asks of the runtime, through the table the loader hands it. */
struct wv_native_rt {
    uint32_t version;                       /* WV_NATIVE_ABI_VERSION */
    void *(*alloc_zeroed)(size_t size);     /* 0 when out of memory */
    void *(*realloc)(void *p, size_t size); /* grow a linear memory or table; 0 on failure */
    void (*free)(void *p);
    /* A Wasm trap (wasm_rt_trap): unwinds to the runtime call that entered the native
     * code on this CPU, which stops the instance's VM. Never returns. */
    void (*trap)(uint32_t wasm_rt_trap_code) __attribute__((noreturn));
};

struct wv_native_module {
    uint32_t instance_size;     /* bytes of one instance (wasm2c's instance struct) */
    uint32_t export_count, import_count;
    const struct wv_native_export *exports;
    const struct wv_native_import *imports;     /* in the order of the .wasm's import section */
    /* import_count slots the loader fills with the runtime's import functions, each
     * called as fn(import_ctx, wasm parameters...) (the C types of its signature). */
    void **import_slots;
    const struct wv_native_rt **rt;             /* the loader stores its table here */
    void (*init_module)(void);                  /* once per loaded image, before any instance */
    /* Build an instance in `instance` (instance_size zeroed bytes); its imports get
     * `import_ctx` as their first argument. Allocates through rt->alloc_zeroed and traps
     * (rt->trap) when that fails. */
    void (*instantiate)(void *instance, void *import_ctx);
    void (*free)(void *instance);
    /* The instance's linear memory: its bytes and their count. */
    uint8_t *(*memory)(void *instance, uint64_t *size);
};

#endif
