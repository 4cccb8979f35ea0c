/* The libm functions wasm3 references (its f32/f64 rounding and sign operators),
 * each a single AArch64 instruction through the compiler's builtins. Built with
 * -fno-math-errno (runtime-c/lib/CMakeLists.txt) so that no builtin falls back to a
 * library call, which here would be a call to itself.
 *
 * rint rounds to nearest, ties to even (FRINTN), whatever FPCR.RMode says: that is
 * what Wasm's nearest means, and it is the mode the runtime runs in anyway. */
#include <stdint.h>

#ifndef __aarch64__
#error "math.c relies on AArch64 rounding instructions; build it for the EL2 image only"
#endif

double ceil(double x) { return __builtin_ceil(x); }
float ceilf(float x) { return __builtin_ceilf(x); }
double floor(double x) { return __builtin_floor(x); }
float floorf(float x) { return __builtin_floorf(x); }
double trunc(double x) { return __builtin_trunc(x); }
float truncf(float x) { return __builtin_truncf(x); }
double rint(double x) { return __builtin_roundeven(x); }
float rintf(float x) { return __builtin_roundevenf(x); }
double fabs(double x) { return __builtin_fabs(x); }
float fabsf(float x) { return __builtin_fabsf(x); }
double copysign(double x, double y) { return __builtin_copysign(x, y); }
float copysignf(float x, float y) { return __builtin_copysignf(x, y); }
double sqrt(double x) { return __builtin_sqrt(x); }
float sqrtf(float x) { return __builtin_sqrtf(x); }
