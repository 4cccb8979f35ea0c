/* Entry point of every test guest.
 *
 * vCPU 0 arrives here at EL1h (SP_EL1 selected), MMU off, DAIF masked, x0 = the
 * device tree's address or 0 for none, at the address where guest.lds puts this
 * section (IPA 0x40000000 unless the guest moves it). x0 is kept for the guest in
 * wv_boot_x0 (exception.h). Nothing else is set up:
 * the stack pointer, .bss and VBAR_EL1 hold whatever they hold, so this code
 * installs the vector table first (any fault from here on is reported, never
 * silent), then sets SP, zeroes .bss and calls guest_main, which does not return.
 *
 * Only PC-relative addressing (ADRP/ADD) is used, so the code runs where it is
 * loaded; guest.lds links it at the load address anyway. */

    .section .text.boot, "ax"
    .global _start
    .type   _start, %function
_start:
    mov     x19, x0                 /* x0 at entry, kept over the set-up below */
    /* VBAR_EL1 first. The write is a system register write, so an ISB is needed
     * before an exception is guaranteed to use the new value (ARM ARM,
     * "Synchronization requirements for AArch64 System registers"). */
    adrp    x1, wv_vectors
    add     x1, x1, :lo12:wv_vectors
    msr     vbar_el1, x1
    isb

    /* SP_EL1 to the top of the stack in .bss. The AAPCS64 wants it 16-byte
     * aligned; guest.lds aligns __stack_top. */
    adrp    x1, __stack_top
    add     x1, x1, :lo12:__stack_top
    mov     sp, x1

    /* Zero .bss (which includes the stack; nothing is on it yet). guest.lds
     * aligns both ends to 16 bytes. */
    adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:
    adrp    x1, wv_boot_x0
    str     x19, [x1, :lo12:wv_boot_x0]
    mov     x29, #0                 /* end of the frame-record chain */
    mov     x30, #0
    bl      guest_main

    /* guest_main must not return; if it does, say so and stop (vector index 16
     * is "guest_main returned" for the reporter). */
    mov     x0, #16
    b       wv_exception_entry
    .size   _start, . - _start

    /* In .data, not .bss: written after .bss is zeroed. */
    .section .data
    .balign 8
    .global wv_boot_x0
wv_boot_x0:
    .quad   0
