/* The first line every guest prints: its VM index and vCPU count (WV_HC_VM_INFO). */
#ifndef WV_GUEST_HELLO_H
#define WV_GUEST_HELLO_H
#include <stdint.h>

/* Prints `hello from vm <idx>, <n> vCPU(s)` and returns 1 with *vcpus set. Without a
 * wasmvisor hypervisor (directly on QEMU, whose PSCI answers the HVC NOT_SUPPORTED) it
 * prints `hello from vm ?, ? vCPU(s)` and `<tag>: no hypercalls (...), metrics not
 * reported`, and returns 0. */
int guest_hello(const char *tag, uint64_t *vcpus);

#endif
