/* ARM semihosting ("Semihosting for AArch32 and AArch64", version 2): the operation
 * number in W0, the address of its parameter block in X1, then HLT #0xF000; the result
 * comes back in X0. Only a tracing image (wv_trace.h) and a replay image (wv_replay.h)
 * call these, and only on QEMU
 * started with -semihosting-config enable=on,target=native: elsewhere HLT is an
 * undefined instruction. The block's addresses are EL2 virtual addresses, which the
 * identity map makes physical ones too. */
#include "wv_semihosting.h"

#define SYS_OPEN        0x01u
#define SYS_CLOSE       0x02u
#define SYS_WRITE       0x05u
#define SYS_READ        0x06u
#define SYS_FLEN        0x0cu
#define SYS_GET_CMDLINE 0x15u
#define SYS_EXIT        0x18u
#define ADP_Stopped_ApplicationExit 0x20026u    /* SYS_EXIT's reason: the program ended */

static int64_t call(uint32_t op, void *block)
{
    register uint64_t x0 __asm__("x0") = op;
    register void *x1 __asm__("x1") = block;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    return (int64_t)x0;
}

/* The command line QEMU was given (-semihosting-config arg=...), NUL-terminated: its
 * length, or -1. */
int64_t wv_semihost_cmdline(char *buf, size_t cap)
{
    uint64_t block[2] = { (uint64_t)(uintptr_t)buf, cap };
    if (call(SYS_GET_CMDLINE, block) != 0) return -1;
    return (int64_t)block[1];
}

/* A host file handle, or -1. `mode` as in fopen's table of the spec (1 = "rb", 5 = "wb"). */
int64_t wv_semihost_open(const char *name, size_t len, uint32_t mode)
{
    uint64_t block[3] = { (uint64_t)(uintptr_t)name, mode, len };
    return call(SYS_OPEN, block);
}

/* The bytes NOT written: 0 when all were. */
int64_t wv_semihost_write(int64_t handle, const void *buf, size_t len)
{
    uint64_t block[3] = { (uint64_t)handle, (uint64_t)(uintptr_t)buf, len };
    return call(SYS_WRITE, block);
}

/* The bytes NOT read: 0 when all `len` were, `len` at the end of the file; -1 on error. */
int64_t wv_semihost_read(int64_t handle, void *buf, size_t len)
{
    uint64_t block[3] = { (uint64_t)handle, (uint64_t)(uintptr_t)buf, len };
    return call(SYS_READ, block);
}

/* The file's length in bytes, or -1. */
int64_t wv_semihost_flen(int64_t handle)
{
    uint64_t block[1] = { (uint64_t)handle };
    return call(SYS_FLEN, block);
}

/* 0, or -1. */
int64_t wv_semihost_close(int64_t handle)
{
    uint64_t block[1] = { (uint64_t)handle };
    return call(SYS_CLOSE, block);
}

/* End the program (QEMU exits with `status`). AArch64 takes a block: the reason and its
 * subcode, the exit status. */
void wv_semihost_exit(uint32_t status)
{
    uint64_t block[2] = { ADP_Stopped_ApplicationExit, status };
    for (;;) call(SYS_EXIT, block);
}
