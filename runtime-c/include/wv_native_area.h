/* The native-code area: where loaded native parts live (docs/native-tier.md, "Loading the
 * native part"). At EL2 it is a 2 MiB-aligned stretch of the image (wasmvisor.lds) that
 * the RAM identity map does not cover: arch/mmu.c maps it page by page, each page invalid
 * until a native part's run is mapped, then code read-only and executable, everything
 * else execute-never (W^X). arch/native_area.c implements this interface at EL2; the host
 * tests stub it (runtime-c/tests/native_area_stub.c), so the loader's checks run there. */
#ifndef WV_NATIVE_AREA_H
#define WV_NATIVE_AREA_H
#include <stdint.h>
#include <stddef.h>

#define WV_NATIVE_AREA_SIZE     (4u << 20)

enum wv_native_prot {
    WV_NATIVE_PROT_NONE,    /* invalid: any access faults */
    WV_NATIVE_PROT_RW,      /* read-write, execute-never */
    WV_NATIVE_PROT_RX,      /* read-only, executable */
    WV_NATIVE_PROT_R,       /* read-only, execute-never */
};

/* A run of `pages` pages of the area, all invalid (PROT_NONE), or 0 when none is free. */
uint8_t *wv_native_area_alloc(uint32_t pages);
/* Give [va, va + pages * 4 KiB), inside one run, the protection `prot`; visible to every
 * CPU when it returns. 0, or -1 when the pages are not the area's. */
int wv_native_area_protect(uint8_t *va, uint32_t pages, enum wv_native_prot prot);
/* Make code written through a writable mapping, now mapped executable at [va, va + len),
 * visible to instruction fetches on every CPU. */
void wv_native_area_sync_code(uint8_t *va, size_t len);
/* Unmap the run starting at `va` and give its pages back. */
void wv_native_area_free(uint8_t *va);

#endif
