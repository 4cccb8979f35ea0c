/* The C library subset the runtime and wasm3 use, implemented in runtime-c/lib so that
 * no other libc is linked into the EL2 image (picolibc's keeps errno in TLS through
 * TPIDR_EL0, which belongs to the guest while the hypervisor runs).
 *
 * The lib's own sources include this header instead of <string.h>/<stdlib.h>.
 * Built with -DWV_HOST_TEST (runtime-c/tests), every name gets a wv_ prefix so that the
 * functions can be linked next to the host's libc and compared with it. */
#ifndef WV_LIBC_H
#define WV_LIBC_H
#include <stddef.h>
#include <stdint.h>

#ifdef WV_HOST_TEST
#define memcpy      wv_memcpy
#define memmove     wv_memmove
#define memset      wv_memset
#define memcmp      wv_memcmp
#define strlen      wv_strlen
#define strcmp      wv_strcmp
#define strncmp     wv_strncmp
#define strchr      wv_strchr
#define malloc      wv_malloc
#define free        wv_free
#define calloc      wv_calloc
#define realloc     wv_realloc
#define strtoul     wv_strtoul
#define strtoull    wv_strtoull
#define strtod      wv_strtod
#endif

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

void *malloc(size_t n);
void free(void *p);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t n);

unsigned long strtoul(const char *restrict s, char **restrict end, int base);
unsigned long long strtoull(const char *restrict s, char **restrict end, int base);
double strtod(const char *restrict s, char **restrict end);

#endif
