/* Population count for code built with general registers only. With -mgeneral-regs-only
 * gcc calls libgcc's __popcountdi2 for __builtin_popcount*, and libgcc's counts with the
 * SIMD CNT instruction, which would overwrite a guest's vector register v0 that EL2
 * keeps in the CPU across exits (runtime-c/arch/fpsimd.c). Linked ahead of libgcc. */
int __popcountdi2(long long v);
int __popcountsi2(int v);

int __popcountdi2(long long v)
{
    unsigned long long x = (unsigned long long)v;
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (int)((x * 0x0101010101010101ull) >> 56);
}

int __popcountsi2(int v)
{
    return __popcountdi2((long long)(unsigned)v);
}
