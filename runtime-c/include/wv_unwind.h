/* A minimal setjmp/longjmp for unwinding out of native code on a Wasm trap
 * (arch/unwind.S). It saves only what AAPCS64 makes callee-saved among the general
 * registers, x19-x30 (x29 the frame pointer, x30 the return address), and SP; unlike a C
 * library's setjmp it never touches d8-d15 or any other FP/SIMD register: native code at
 * EL2 uses general registers only (wv_native_abi.h), and so does core/native_run.c, which
 * is built with -mgeneral-regs-only. What runs between a save and its jump must leave the
 * FP/SIMD callee-saved registers as it found them (native code and the runtime table's
 * functions do: they return before any jump, or never touch them). */
#ifndef WV_UNWIND_H
#define WV_UNWIND_H
#include <stdint.h>

struct wv_unwind {
    uint64_t x19_x30[12];
    uint64_t sp;
    uint64_t pad;
};
_Static_assert(sizeof(struct wv_unwind) == 112, "arch/unwind.S layout");

/* 0 when called; `value` (never 0) when wv_unwind_jump(u, value) comes back to it. The
 * function that called it must not have returned by then. */
int wv_unwind_save(struct wv_unwind *u) __attribute__((returns_twice));
/* Back into the wv_unwind_save that filled `u`, which then returns `value` (1 if 0). */
void wv_unwind_jump(struct wv_unwind *u, int value) __attribute__((noreturn));

#endif
