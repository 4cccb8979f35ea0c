/* vCPU 1's entry, where PSCI CPU_ON starts it at EL1h, MMU off, DAIF masked
 * (docs/abi.md 3): the fuzz vectors, its own stack (fresh at every CPU_ON), then C.
 * vCPU 0 zeroed .bss, this stack included, before its first CPU_ON. */
    .equ    STACK1_SIZE, 8192

    .text
    .global fuzz_cpu1_entry
    .type   fuzz_cpu1_entry, %function
fuzz_cpu1_entry:
    adrp    x1, fuzz_vectors
    add     x1, x1, :lo12:fuzz_vectors
    msr     vbar_el1, x1
    isb
    adrp    x1, fuzz_stack1_top
    add     x1, x1, :lo12:fuzz_stack1_top
    mov     sp, x1
    mov     x29, #0
    mov     x30, #0
    bl      fuzz_cpu1_main
    mov     x0, #16                 /* "guest_main returned" for the reporter */
    b       wv_exception_entry
    .size   fuzz_cpu1_entry, . - fuzz_cpu1_entry

    .bss
    .balign 16
fuzz_stack1:
    .space  STACK1_SIZE
fuzz_stack1_top:
