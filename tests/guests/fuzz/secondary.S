/* vCPU 1 of the fuzz guest: the fuzz vectors (vectors.S), then fuzz_cpu1_main (cpu1.c). */
#include "secondary_entry.inc"
    secondary_entry fuzz_cpu1_entry, fuzz_vectors, fuzz_cpu1_main
