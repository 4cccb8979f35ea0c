#ifndef WV_PSCI_H
#define WV_PSCI_H
#include <stdint.h>

/* Function IDs, PSCI 1.1 (DEN0022D) table 5.1. */
#define PSCI_VERSION        0x84000000u
#define PSCI_CPU_ON_64      0xC4000003u
#define PSCI_SYSTEM_OFF     0x84000008u

int64_t wv_psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);
void wv_psci_system_off(void);

#endif
