/* The fuzz guest's exception handler (vectors.S): what a hostile guest provokes must
 * not stop it, so a synchronous data abort (an external abort the hypervisor injects
 * for an access outside the VM's memory, or an alignment fault) and an UNDEFINED
 * instruction are counted and stepped over, an SError counted, an IRQ acknowledged
 * and ended. Anything else (an instruction abort, a PC or SP alignment fault, an
 * exception from a lower EL) cannot be stepped over and is reported by
 * common/exception.c, which stops the guest. */
#include "fuzz.h"
#include "gic.h"
#include "exception.h"

/* ESR_ELx.EC (ARM ARM D17.2.37, ESR_EL1). */
#define ESR_EC_SHIFT        26
#define ESR_EC_MASK         0x3fu
#define EC_UNKNOWN          0x00u   /* UNDEFINED instruction among others */
#define EC_DABT_SAME_EL     0x25u
#define ESR_IL              (1ull << 25)  /* 32-bit instruction: 4 bytes to skip */
#define INSTR_BYTES         4u

/* Vector index = group * 4 + kind (vectors.S); the guest runs at EL1h: group 1. */
#define VEC_GROUP_SPX       1u
#define VEC_SYNC            0u
#define VEC_IRQ             1u
#define VEC_FIQ             2u
#define VEC_SERROR          3u

static void skip_instruction(void)
{
    SYSREG_WRITE(elr_el1, SYSREG_READ(elr_el1) + INSTR_BYTES);
}

void fuzz_exception(uint64_t index)
{
    if ((index >> 2) != VEC_GROUP_SPX)
        wv_exception_report(index);
    switch (index & 3u) {
    case VEC_SYNC: {
        uint64_t esr = SYSREG_READ(esr_el1);
        uint32_t ec = (uint32_t)(esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
        if (ec == EC_DABT_SAME_EL && (esr & ESR_IL)) {
            fuzz_count.aborts++;
            skip_instruction();
            return;
        }
        if (ec == EC_UNKNOWN && (esr & ESR_IL)) {
            fuzz_count.undefs++;
            skip_instruction();
            return;
        }
        wv_exception_report(index);
    }
    case VEC_IRQ:
        fuzz_count.irqs += fuzz_gic_drain(0);
        return;
    case VEC_FIQ:
        /* Group 0 interrupts signal FIQ (GICv3 spec 1.2.4); the guest runs with F masked,
         * but a FIQ taken anyway is ended the same way. */
        fuzz_count.irqs += fuzz_gic_drain(1);
        return;
    default:
        /* An SError is not tied to an instruction: nothing to skip (ARM ARM D1.3.3). */
        fuzz_count.aborts++;
        return;
    }
}
