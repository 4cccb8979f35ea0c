/* The call-depth limit of a core module's instances from its loop nesting
 * (wv_stack_budget.h; docs/architecture.md, "The EL2 stacks"). wasm3 bounds call depth
 * only through the instance's Wasm stack, and a call level costs native stack for every
 * loop open around it, so a module that nests loops deeper gets a smaller Wasm stack:
 * its deepest possible recursion then fits the EL2 stack as a module without loops does.
 *
 * The arithmetic: the stack is 2 MiB less its 4 KiB guard, 2,093,056 B; less the 128 KiB
 * reserve, 1,961,984 B for nested levels. A module nesting at most L loops gets
 * D = min(8,192, 1,961,984 / (80 + 48 L)) calls, a Wasm stack of 8 D bytes: L <= 3 keeps
 * 8,192 calls (at most 8,192 x 224 = 1,835,008 B), the core's L = 4 gets 7,213 (7,213 x
 * 272 = 1,961,936 B), the check's bound L = 16 gets 2,313 (2,313 x 848 = 1,961,424 B).
 * Without this, 8,192 calls inside 16 loops would take 6.9 MB. */
#include "wv_stack_budget.h"
#include "wv_module_check.h"

/* Compiling the deepest nesting the check lets through fits the same budget. */
_Static_assert((WV_MODULE_MAX_NESTING + 1) * WV_WASM3_NEST_FRAME + WV_MODULE_MAX_VALUES * WV_WASM3_VALUE_FRAME
               <= WV_STACK_LEVELS_BUDGET, "compiling the deepest nesting allowed overruns the EL2 stack");

uint32_t wv_core_stack_bytes(uint32_t max_loops)
{
    uint64_t calls = WV_STACK_LEVELS_BUDGET / wv_call_levels_bytes(1, max_loops);
    if (calls > WV_CORE_MAX_CALLS) calls = WV_CORE_MAX_CALLS;
    return (uint32_t)calls * WV_WASM3_MIN_CALL_BYTES;
}
