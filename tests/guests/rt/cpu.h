/* PE-level helpers of the real-time guest: system register access, the IRQ mask,
 * WFI. Every asm statement clobbers "memory", so each one is also a compiler barrier:
 * data the interrupt handler shares with the background loop is re-read after it. */
#ifndef RT_CPU_H
#define RT_CPU_H

#include <stdint.h>

#define SYSREG_READ(r) ({ uint64_t v_; __asm__ volatile("mrs %0, " #r : "=r"(v_) : : "memory"); v_; })
#define SYSREG_WRITE(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")

/* A system register write takes effect for later instructions only after a context
 * synchronization event (ARM ARM, "Synchronization requirements for AArch64 System
 * registers"). */
static inline void isb(void)
{
    __asm__ volatile("isb" : : : "memory");
}

/* PSTATE.I through DAIFSet/DAIFClr (immediate bit 1 is I; ARM ARM, MSR (immediate)).
 * F, A and D stay masked as the VM was entered. */
#define DAIF_IMM_I 2
static inline void irq_mask(void)
{
    __asm__ volatile("msr daifset, %0" : : "i"(DAIF_IMM_I) : "memory");
}

static inline void irq_unmask(void)
{
    __asm__ volatile("msr daifclr, %0" : : "i"(DAIF_IMM_I) : "memory");
}

/* WFI is woken by a pending interrupt even while PSTATE.I masks it (ARM ARM, "Wait
 * for Interrupt": the wake-up events do not depend on PSTATE.{I,F}). Called with
 * IRQs masked, so an interrupt arriving between the caller's last check and the WFI
 * is not lost: it ends the WFI, and is taken once the caller unmasks. */
static inline void wait_for_interrupt(void)
{
    __asm__ volatile("wfi" : : : "memory");
}

#endif
