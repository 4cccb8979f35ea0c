/* What the SGI guest measures and how often: every tunable in one place.
 * README.md (here) documents the lines these values appear in. */
#ifndef SGI_CONFIG_H
#define SGI_CONFIG_H

/* Round trips timed, after the untimed warm-up ones (first-touch costs, the
 * hypervisor's first exits of each kind). */
#define SGI_ROUND_TRIPS 1000u
#define SGI_WARMUP      100u

/* The two SGIs: vCPU 0 sends SGI_PING to vCPU 1, whose handler answers with SGI_PONG. */
#define SGI_PING 1u
#define SGI_PONG 2u
#define SGI_PRIORITY 0x80u

/* Bound on each wait for the GIC (GICD_CTLR.RWP, GICR_WAKER.ChildrenAsleep). */
#define SGI_GIC_WAIT_TIMEOUT_US 10000u

/* WV_HC_REPORT metric ids (docs/abi.md section 3), values in ns. */
#define SGI_METRIC_AVG_NS 20u
#define SGI_METRIC_MIN_NS 21u
#define SGI_METRIC_MAX_NS 22u

/* PSCI CPU_ON, SMC64/HVC64 function ID (PSCI, ARM DEN 0022). */
#define PSCI_CPU_ON_64 0xC4000003u

#define SGI_US_PER_SECOND 1000000u
#define SGI_NS_PER_SECOND 1000000000u

#endif
