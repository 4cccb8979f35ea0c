/* How much of a CPU's EL2 stack wasm3 may take for a core module, and the call-depth
 * limit that keeps it there (docs/architecture.md, "The EL2 stacks"). The frame sizes
 * are those of the image's wasm3 (aarch64, -O3 -fbuiltin, CMakeLists.txt), read in its
 * code (`aarch64-linux-gnu-objdump -dr libwasm3.a`) and measured by running it: each is
 * what one more level of that kind moves the stack pointer by. They change with the
 * compiler or its flags: measure again then. */
#ifndef WV_STACK_BUDGET_H
#define WV_STACK_BUDGET_H
#include <stdint.h>
#include "wv_asm.h"

/* Running: a Wasm call runs inside op_Call's (or op_CallIndirect's) C frame, a loop
 * inside op_Loop's; every other operation ends in a jump to the next. */
#define WV_WASM3_CALL_FRAME     80u
#define WV_WASM3_LOOP_FRAME     48u
/* Compiling: one nested block or loop is CompileBlock (160) + CompileBlockStatements (64)
 * (Compile_LoopOrBlock tail-calls CompileBlock); an if adds Compile_If (80), its else
 * CompileElseBlock (64) instead. And one CopyStackSlotsR frame per value a block hands
 * over. */
#define WV_WASM3_NEST_FRAME     304u
#define WV_WASM3_VALUE_FRAME    128u
/* The least a Wasm call takes of the instance's Wasm stack: wasm3 gives every callee at
 * least one slot, 8-byte aligned (CompileCallArgsAndReturn), so a Wasm stack of n bytes
 * holds at most n / 8 nested calls; one more is the trap "call depth limit reached". */
#define WV_WASM3_MIN_CALL_BYTES 8u
/* The most calls any module may nest (a 64 KiB Wasm stack). */
#define WV_CORE_MAX_CALLS       8192u
/* Left on the stack besides the nested levels: the path into the core (a trap, or a
 * live update calling a staged instance: a few KiB), a host import at the deepest call
 * level (under 4 KiB), wasm3's parser and the compiler's leaf functions (under 12 KiB). */
#define WV_STACK_RESERVE        (128u * 1024)
/* What the nested levels may take: running calls, or compiling (never both: every
 * function is compiled at load, before any call). */
#define WV_STACK_LEVELS_BUDGET  (WV_STACK_SIZE - WV_STACK_RESERVE)

/* The Wasm stack, in bytes, of an instance of a module whose functions nest at most
 * `max_loops` loops: the most calls whose frames, each with that many loops open, fit
 * the budget, at WV_WASM3_MIN_CALL_BYTES each, and never more than WV_CORE_MAX_CALLS. */
uint32_t wv_core_stack_bytes(uint32_t max_loops);

/* The native stack `calls` nested calls with `loops` loops open in each may take. */
static inline uint64_t wv_call_levels_bytes(uint64_t calls, uint32_t loops)
{
    return calls * (WV_WASM3_CALL_FRAME + (uint64_t)loops * WV_WASM3_LOOP_FRAME);
}

#endif
