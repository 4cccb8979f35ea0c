/* Isolation guests: each does something a VM must not be able to get away with, after
 * proving it runs. Built twice (tests/guests/CMakeLists.txt):
 *   ISOLATION_WRITE:  writes to IPA 0x50000000, which is another VM's RAM *physically*
 *                     but nothing in this VM's IPA space: stage 2 must stop this VM.
 *   ISOLATION_DEVICE: reads the virtio-mmio page a management VM owns (0x0a003000):
 *                     not mapped here, so this VM is stopped.
 * Both first write ICC_SGI1R_EL1 for every target list, Aff1 value and the broadcast
 * form (GICv3 spec 12.2.23): SGIs to CPUs the VM does not have are ignored, the VM
 * keeps running and no other VM sees them. */
#include <stdint.h>
#include "hvc.h"
#include "uart.h"
#include "print.h"

#define OTHER_RAM_IPA       0x50000000ul
#define OTHER_DEVICE_IPA    0x0a003e00ul
/* ICC_SGI1R_EL1 fields: TargetList [15:0], Aff1 [23:16], INTID [27:24], IRM [40]. */
#define SGI1R(intid, aff1, targets, irm) \
    (((uint64_t)(irm) << 40) | ((uint64_t)(intid) << 24) | ((uint64_t)(aff1) << 16) | (targets))

static void sgi(uint64_t v)
{
    __asm__ volatile("msr S3_0_C12_C11_5, %0; isb" : : "r"(v) : "memory");
}

static void sgi_spray(void)
{
    /* ICC_SRE_EL1.SRE: use the system-register interface (GICv3 spec 12.2.15). */
    uint64_t sre;
    __asm__ volatile("mrs %0, S3_0_C12_C12_5" : "=r"(sre));
    __asm__ volatile("msr S3_0_C12_C12_5, %0; isb" : : "r"(sre | 1));
    unsigned n = 0;
    for (uint64_t intid = 0; intid < 16; intid++) {
        sgi(SGI1R(intid, 0, 0xffffu, 0));
        sgi(SGI1R(intid, 1, 0xffffu, 0));
        sgi(SGI1R(intid, 0xff, 0x1u, 0));
        sgi(SGI1R(intid, 0, 0, 1));            /* IRM = 1: every PE but this one */
        n += 4;
    }
    uart_puts("isolation: ");
    print_dec(n);
    uart_puts(" SGIs to CPUs this VM does not have, still running\n");
}

void guest_main(void)
{
    uint64_t vcpus = 0;
    uint64_t idx = wv_hc_vm_info(&vcpus);
    uart_puts("isolation guest: vm ");
    print_dec(idx);
    uart_puts("\n");
    sgi_spray();
#if defined(ISOLATION_WRITE)
    uart_puts("READY iso-write\n");
    uart_puts("isolation: writing IPA 0x50000000\n");
    *(volatile uint32_t *)OTHER_RAM_IPA = 0xdeadbeef;
#elif defined(ISOLATION_DEVICE)
    uart_puts("READY iso-device\n");
    uart_puts("isolation: reading IPA 0xa003e00\n");
    (void)*(volatile uint32_t *)OTHER_DEVICE_IPA;
#else
#error "build with ISOLATION_WRITE or ISOLATION_DEVICE"
#endif
    for (;;) uart_puts("ERROR: still running after touching what is not ours\n");
}
