/* ARM semihosting calls ("Semihosting for AArch32 and AArch64"), arch/semihosting.c:
 * the file a tracing image writes its trace to (wv_trace.h) and a replay image reads it
 * from (wv_replay.h), and the end of a replay's run. Only on QEMU started with
 * semihosting on: elsewhere the HLT they use is an undefined instruction. */
#ifndef WV_SEMIHOSTING_H
#define WV_SEMIHOSTING_H
#include <stdint.h>
#include <stddef.h>

int64_t wv_semihost_cmdline(char *buf, size_t cap);
int64_t wv_semihost_open(const char *name, size_t len, uint32_t mode);
int64_t wv_semihost_write(int64_t handle, const void *buf, size_t len);
int64_t wv_semihost_flen(int64_t handle);
int64_t wv_semihost_read(int64_t handle, void *buf, size_t len);
int64_t wv_semihost_close(int64_t handle);
void wv_semihost_exit(uint32_t status) __attribute__((noreturn));

#endif
