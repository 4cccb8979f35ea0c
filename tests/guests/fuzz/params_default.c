/* The default parameters (params.h), built into guest-fuzz-params.bin: what
 * vmconfigs/fuzz.json loads when it is run as it is (`wasmvisor run fuzz`).
 * `wasmvisor fuzz` writes its own record per seed instead. */
#include "params.h"

#define FUZZ_DEFAULT_SEED          1u
#define FUZZ_DEFAULT_ACTIONS       200000u
#define FUZZ_DEFAULT_REPORT_EVERY  10000u
#define FUZZ_DEFAULT_MEM_BASE      0x40000000u
#define FUZZ_DEFAULT_MEM_SIZE      0x01000000u      /* 16 MiB */
#define FUZZ_DEFAULT_VIRTIO_IPA    0x0a000000u

const struct fuzz_params fuzz_params_default __attribute__((section(".fuzz_params"), used)) = {
    .magic = FUZZ_PARAMS_MAGIC,
    .version = FUZZ_PARAMS_VERSION,
    .seed = FUZZ_DEFAULT_SEED,
    .actions = FUZZ_DEFAULT_ACTIONS,
    .report_every = FUZZ_DEFAULT_REPORT_EVERY,
    .flags = 0,
    .mem_base = FUZZ_DEFAULT_MEM_BASE,
    .mem_size = FUZZ_DEFAULT_MEM_SIZE,
    .virtio_ipa = FUZZ_DEFAULT_VIRTIO_IPA,
    .skip = 0,
    .trace_from = 0,
};
