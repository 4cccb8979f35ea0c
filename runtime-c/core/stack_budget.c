/* The call-depth limit of a core module's instances from its loop nesting
 * (wv_stack_budget.h; docs/architecture.md, "The EL2 stacks"). wasm3 bounds call depth
 * only through the instance's Wasm stack, and a call level costs native stack for every
 * loop open around it, so a module that nests loops deeper gets a smaller Wasm stack:
 * its deepest possible recursion then fits the EL2 stack as a module without loops does. */
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
