/* The guest's IRQ handler, called by the vector (common/irq_vectors.S). */
#ifndef RT_IRQ_H
#define RT_IRQ_H

#include <stdint.h>

/* `entry_ticks`: CNTVCT_EL0, read by the vector before anything else. Runs with
 * IRQs masked (taking the exception masked them) and returns to the vector, which
 * restores the interrupted context. */
void guest_irq(uint64_t entry_ticks);

#endif
