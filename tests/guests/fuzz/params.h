/* The fuzz guest's parameters: a record the VM config loads into guest RAM as an image
 * of its own (`guest-fuzz-params.bin`, or the file `wasmvisor fuzz` writes per seed) at
 * FUZZ_PARAMS_IPA. Layout (little-endian, 64 bytes), mirrored by tools/fuzz/params.ts
 * (a tools test checks the two agree byte for byte on the defaults):
 *   0  u32 magic          FUZZ_PARAMS_MAGIC
 *   4  u32 version        FUZZ_PARAMS_VERSION
 *   8  u64 seed           the PRNG's seed (printed first: `fuzz: seed S`)
 *   16 u64 actions        the run's bound: `fuzz: done A actions` after this many; 0 = endless
 *   24 u32 report_every   one `fuzz: actions ...` line every this many actions
 *   28 u32 flags          FUZZ_FLAG_*
 *   32 u64 mem_base       the VM's RAM region the image lives in: its first byte
 *   40 u64 mem_size       and its length (the edges the memory actions probe)
 *   48 u64 virtio_ipa     the VM's virtio-console window, 0 when it has none
 *   56 u32 skip           bit i set: action i of main.c's table is never drawn (to get
 *                         past a known defect and on to others)
 *   60 u32 trace_from     with FUZZ_FLAG_TRACE: the first action named (0 and 1: every
 *                         one), to reach a late stop at full speed */
#ifndef FUZZ_PARAMS_H
#define FUZZ_PARAMS_H
#include <stdint.h>

#define FUZZ_PARAMS_IPA      0x40f00000ul   /* 15 MiB into the 16 MiB, far above the image */
#define FUZZ_PARAMS_MAGIC    0x315a4657u    /* "WFZ1" */
#define FUZZ_PARAMS_VERSION  1u

/* Accesses just outside the VM's RAM. The hypervisor stops a VM for such an access
 * today (docs/abi.md 3, "Faults"); with a config that injects a synchronous external
 * abort instead, the guest's vector counts and skips it. Off by default. */
#define FUZZ_FLAG_OUTSIDE_MEMORY  (1u << 0)
/* PSCI SYSTEM_RESET among the calls (the run then restarts the VM now and then). */
#define FUZZ_FLAG_SYSTEM_RESET    (1u << 1)
/* `fuzz: action <n> <name>` before every action: where a run that stops came to. */
#define FUZZ_FLAG_TRACE           (1u << 2)

struct fuzz_params {
    uint32_t magic;
    uint32_t version;
    uint64_t seed;
    uint64_t actions;
    uint32_t report_every;
    uint32_t flags;
    uint64_t mem_base;
    uint64_t mem_size;
    uint64_t virtio_ipa;
    uint32_t skip;
    uint32_t trace_from;
};

_Static_assert(sizeof(struct fuzz_params) == 64, "fuzz_params is 64 bytes (tools/fuzz/params.ts)");

#endif
