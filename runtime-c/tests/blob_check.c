/* blob_check FILE: the runtime's parser of the config blob's ownership part
 * (runtime-c/core/validate.c, wv_owner_parse) as a host program, built with one board's
 * description (boards/<name>/board.c). tools/config/blob_runtime.test.ts builds it and
 * gives it the blobs the tools encode, so that the two sides of docs/abi.md section 1
 * are checked against each other.
 * Prints one line per VM as the runtime sees it:
 *   vm NAME type T vcpus N cpus 0xMASK slice S flags F
 *   region IPA PA SIZE FLAGS      (one per region)
 *   frame IPA PA SIZE KIND SPI    (one per device frame)
 * Exit: 0 accepted, 2 refused (the reason on stderr), 64 usage or I/O error. */
#include "wv_validate.h"
#include "wv_board.h"
#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>

#define BLOB_MAX (1u << 20)

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: blob_check FILE\n"); return 64; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { fprintf(stderr, "blob_check: cannot open %s\n", argv[1]); return 64; }
    uint8_t *blob = malloc(BLOB_MAX);
    size_t len = blob ? fread(blob, 1, BLOB_MAX, f) : 0;
    fclose(f);
    if (!blob) return 64;
    /* Exactly the bytes read: the parser must not need more than the blob has. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) return 64;
    for (size_t i = 0; i < len; i++) exact[i] = blob[i];
    free(blob);
    static struct wv_vm_owner owners[WV_MAX_VMS];
    uint32_t count = 0;
    const char *err = 0;
    int rc = wv_owner_parse(exact, len, &wv_board, owners, WV_MAX_VMS, &count, &err);
    free(exact);
    if (rc != WV_OK) { fprintf(stderr, "refused: %s\n", err ? err : "(no reason given)"); return 2; }
    for (uint32_t i = 0; i < count; i++) {
        const struct wv_vm_owner *o = &owners[i];
        printf("vm %.16s type %" PRIu32 " vcpus %" PRIu32 " cpus 0x%" PRIx32 " slice %" PRIu32 " flags %" PRIu32 "\n",
               o->name, o->type, o->vcpu_count, o->pcpu_mask, o->slice_us, o->flags);
        for (uint32_t k = 0; k < o->region_count; k++)
            printf("region 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " %" PRIu32 "\n",
                   o->regions[k].ipa, o->regions[k].pa, o->regions[k].size, o->regions[k].flags);
        for (uint32_t k = 0; k < o->frame_count; k++)
            printf("frame 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " %" PRIu32 " %" PRIu32 "\n",
                   o->frames[k].ipa, o->frames[k].pa, o->frames[k].size, o->frames[k].flags, o->frame_spi[k]);
    }
    return 0;
}
