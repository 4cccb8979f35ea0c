/* SMC Calling Convention function IDs the fuzz guest calls (ARM DEN 0028) and PSCI's
 * (ARM DEN 0022, "PSCI 1.1", 5.1). */
#ifndef FUZZ_SMCCC_H
#define FUZZ_SMCCC_H

#define SMCCC_VERSION           0x80000000u
#define SMCCC_ARCH_FEATURES     0x80000001u
#define PSCI_VERSION            0x84000000u
#define PSCI_CPU_SUSPEND_64     0xC4000001u
#define PSCI_CPU_OFF            0x84000002u
#define PSCI_CPU_ON_32          0x84000003u
#define PSCI_CPU_ON_64          0xC4000003u
#define PSCI_AFFINITY_INFO_32   0x84000004u
#define PSCI_AFFINITY_INFO_64   0xC4000004u
#define PSCI_MIGRATE_INFO_TYPE  0x84000006u
#define PSCI_SYSTEM_OFF         0x84000008u
#define PSCI_SYSTEM_RESET       0x84000009u
#define PSCI_FEATURES           0x8400000Au
#define PSCI_SYSTEM_RESET2_64   0xC4000012u

/* PSCI return codes (DEN 0022 5.2.2) as 32-bit values in x0. */
#define PSCI_SUCCESS            0u
#define PSCI_ALREADY_ON         0xFFFFFFFCu     /* -4 */
#define PSCI_AFF_ON             0u
#define PSCI_AFF_OFF            1u

/* Owning-entity ranges the random IDs stay out of: the standard service calls (PSCI,
 * entity 4, bits [29:24]) may stop or reset the VM, so they are only made from the
 * list above. */
#define SMCCC_ENTITY_SHIFT      24
#define SMCCC_ENTITY_MASK       0x3fu
#define SMCCC_ENTITY_STANDARD   4u

#endif
