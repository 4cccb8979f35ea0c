#include "hello.h"
#include "hvc.h"
#include "uart.h"
#include "print.h"

int guest_hello(const char *tag, uint64_t *vcpus)
{
    uint64_t idx = wv_hc_vm_info(vcpus);
    if ((uint32_t)idx == (uint32_t)WV_HC_NOT_SUPPORTED) {
        uart_puts("hello from vm ?, ? vCPU(s)\n");
        uart_puts(tag);
        uart_puts(": no hypercalls (WV_HC_VM_INFO returned ");
        print_hex(idx);
        uart_puts("), metrics not reported\n");
        return 0;
    }
    uart_puts("hello from vm ");
    print_dec(idx);
    uart_puts(", ");
    print_dec(*vcpus);
    uart_puts(" vCPU(s)\n");
    return 1;
}
