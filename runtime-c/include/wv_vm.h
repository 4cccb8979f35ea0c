/* What the runtime knows of a VM: what it owns (checked by every effectful import)
 * and the mechanism objects (vCPU frames, stage-2 table pages, the core instance). */
#ifndef WV_VM_H
#define WV_VM_H
#include <stdint.h>
#include <stddef.h>
#include "wv_vcpu.h"

#define WV_MAX_VMS          8
#define WV_MAX_VCPUS        8
#define WV_MAX_REGIONS      8
#define WV_MAX_DEVICES      8
#define WV_MAX_IMAGES       4
#define WV_VM_FLAG_BENCH    1u      /* config blob record flags bit 0: a benchmark VM */
#define WV_MAX_S2_TABLES    512

struct wv_region {
    uint64_t ipa, pa, size;
    uint32_t flags;
};

/* The ownership facts of one VM, from the built-in config blob (docs/abi.md 1). */
struct wv_vm_owner {
    char name[16];
    uint32_t type;
    uint32_t vcpu_count;
    uint32_t pcpu_mask;
    uint32_t region_count;
    uint32_t slice_us;              /* time slice where its vCPUs share a CPU (0: default) */
    uint32_t flags;                 /* WV_VM_FLAG_* of its record */
    struct wv_region regions[WV_MAX_REGIONS];
    /* Physical device frames the VM may map (docs/abi.md 1, device kinds 5 and 6):
     * stage 2 maps them only as Device memory. */
    uint32_t frame_count;
    struct wv_region frames[WV_MAX_DEVICES];
    /* The SPI of each frame (kind 6: the blob's irq, 32..1019), 0 for none: the physical
     * interrupts the VM owns (docs/abi.md 4). */
    uint32_t frame_spi[WV_MAX_DEVICES];
    /* The images of the image table its record loads (docs/abi.md 1, image[]): the only
     * ones image_load copies into it. */
    uint32_t image_count;
    uint32_t images[WV_MAX_IMAGES];
};

struct wv_core_instance;    /* wasm_host.c */

struct wv_vm {
    uint32_t index;
    uint32_t vmid;
    struct wv_vm_owner own;
    struct wv_vcpu vcpus[WV_MAX_VCPUS];
    uint64_t *s2_tables[WV_MAX_S2_TABLES];  /* handle -> page */
    uint8_t s2_level[WV_MAX_S2_TABLES];     /* handle -> lookup level (wv_validate.h) */
    uint32_t s2_table_count;
    uint64_t vttbr, vtcr;
    volatile uint32_t stopped;
    struct wv_core_instance *core;
};

extern struct wv_vm wv_vms[WV_MAX_VMS];
extern uint32_t wv_vm_count;

#endif
