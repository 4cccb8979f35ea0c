/* What the real-time guest measures and how often: every tunable in one place.
 * RT_TICK_US and RT_SAMPLES may come from the build (CMake cache variables
 * WV_RT_TICK_US and WV_RT_SAMPLES); the rest is fixed. tests/guests/README.md
 * documents the lines these values appear in. */
#ifndef RT_CONFIG_H
#define RT_CONFIG_H

/* Tick period, in microseconds of virtual-counter time. */
#ifndef RT_TICK_US
#define RT_TICK_US 1000u
#endif

/* Latency samples per round: one "rt latency ns" line (and three reports) each. */
#ifndef RT_SAMPLES
#define RT_SAMPLES 1000u
#endif

/* Ticks not sampled after arming (caches, first-touch faults, the VM's start-up);
 * "READY rt" comes once they have all arrived. */
#define RT_WARMUP_TICKS 10u

/* "rt: ERROR no timer interrupt" when no tick has arrived this long after arming. */
#define RT_FIRST_TICK_TIMEOUT_US 100000u

/* The EL1 virtual timer's interrupt: PPI 27 on QEMU virt, as the Server Base System
 * Architecture recommends; built with RT_PHYS_TIMER, the EL1 physical timer's, PPI 30.
 * Any priority the PMR lets through will do: only one interrupt is in use. */
#ifdef RT_PHYS_TIMER
#define RT_VTIMER_INTID    30u
#else
#define RT_VTIMER_INTID    27u
#endif
#define RT_VTIMER_PRIORITY 0x80u

/* Bound on each wait for the GIC (GICD_CTLR.RWP, GICR_WAKER.ChildrenAsleep). */
#define RT_GIC_WAIT_TIMEOUT_US 10000u

/* The tasks the tick releases, highest priority first (rate monotonic). */
#define RT_CONTROL_PERIOD_US   5000u        /* increments a counter */
#define RT_MONITOR_PERIOD_US   100000u      /* checks the control task, counts seconds */
#define RT_HEARTBEAT_PERIOD_US 1000000u     /* one "rt heartbeat" line per second */

/* WV_HC_REPORT metric ids (docs/abi.md section 3), values in ns. */
#define RT_METRIC_MIN_NS 10u
#define RT_METRIC_AVG_NS 11u
#define RT_METRIC_MAX_NS 12u
/* The hypervisor's share of the same ticks, its vector to the handler (bench VMs only). */
#define RT_METRIC_HYP_MIN_NS 13u
#define RT_METRIC_HYP_AVG_NS 14u
#define RT_METRIC_HYP_MAX_NS 15u

#define RT_US_PER_SECOND 1000000u
#define RT_NS_PER_SECOND 1000000000u

_Static_assert(RT_TICK_US > 0 && RT_SAMPLES > 0, "tick period and sample count must be positive");
_Static_assert(RT_CONTROL_PERIOD_US % RT_TICK_US == 0 && RT_MONITOR_PERIOD_US % RT_TICK_US == 0,
               "task periods must be whole numbers of ticks");
_Static_assert(RT_MONITOR_PERIOD_US % RT_CONTROL_PERIOD_US == 0,
               "the monitor checks a whole number of control runs");
_Static_assert(RT_HEARTBEAT_PERIOD_US % RT_MONITOR_PERIOD_US == 0,
               "heartbeats are counted in monitor runs");

#endif
