/* abort() for the EL2 image: wasm3 calls it on an internal inconsistency it cannot
 * report as an M3Result. Say so on the console and park this CPU; other CPUs and
 * their guests carry on. */
#include "wv_console.h"
#include "wv_arch.h"

void abort(void) __attribute__((noreturn));

void abort(void)
{
    wv_printf("[wasmvisor] PANIC: abort on CPU %u\n", wv_cpu_index());
    for (;;) wfi();
}
