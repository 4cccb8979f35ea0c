/* Force-included (gcc -include) ahead of everything the native part compiles: the
 * wasm2c translation of a core module, its bind.c and rt.c (docs/native-tier.md).
 *
 * wasm2c's generated code counts nested Wasm calls in one global,
 * wasm_rt_call_stack_depth, declared by wasm-rt.h. Two CPUs may run native code of the
 * same image at once, so the count lives in each CPU's struct wv_pcpu instead: a
 * uint32_t at byte WV_NATIVE_PCPU_DEPTH of the structure whose address TPIDR_EL2 holds
 * (wv_native_abi.h). The declaration below comes before wasm-rt.h's `extern uint32_t
 * wasm_rt_call_stack_depth;`, and the macro after it makes every later mention of the
 * name, that declaration included, the per-CPU counter: nothing ever refers to a
 * global of that name, so the image needs no such symbol. */
#ifndef WV_NATIVE_PRELUDE_H
#define WV_NATIVE_PRELUDE_H
#include <stdint.h>
#include "wv_native_abi.h"

static inline __attribute__((always_inline)) uint32_t *wv_native_depth(void)
{
    uintptr_t pcpu;
    __asm__ volatile("mrs %0, tpidr_el2" : "=r"(pcpu));
    return (uint32_t *)(pcpu + WV_NATIVE_PCPU_DEPTH);
}

extern uint32_t wasm_rt_call_stack_depth;
#define wasm_rt_call_stack_depth (*wv_native_depth())

/* The native part has no signal handler: every memory access is bounds-checked. */
#ifndef WASM_RT_MEMCHECK_SIGNAL_HANDLER
#define WASM_RT_MEMCHECK_SIGNAL_HANDLER 0
#endif

#endif
