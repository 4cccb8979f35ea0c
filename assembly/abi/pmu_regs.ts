// The PMU registers the `pmu_read` / `pmu_write` imports name by number (docs/abi.md 2);
// the runtime's copy is runtime-c/include/wv_pmu.h (a tools test checks they agree).

export const PMU_PMCR: i32 = 0;
export const PMU_CNTENSET: i32 = 1;
export const PMU_CNTENCLR: i32 = 2;
export const PMU_OVSCLR: i32 = 3;
/** Write only. */
export const PMU_SWINC: i32 = 4;
export const PMU_SELR: i32 = 5;
/** Read only. */
export const PMU_CEID0: i32 = 6;
/** Read only. */
export const PMU_CEID1: i32 = 7;
export const PMU_CCNTR: i32 = 8;
export const PMU_USERENR: i32 = 9;
export const PMU_INTENSET: i32 = 10;
export const PMU_INTENCLR: i32 = 11;
export const PMU_OVSSET: i32 = 12;
export const PMU_CCFILTR: i32 = 13;
/** + n: PMEVCNTR<n>_EL0, n < PMCR_EL0.N. */
export const PMU_EVCNTR0: i32 = 32;
/** + n: PMEVTYPER<n>_EL0, n < PMCR_EL0.N. */
export const PMU_EVTYPER0: i32 = 64;

/** PMCCFILTR_EL0.NSH / PMEVTYPER<n>_EL0.NSH [27]: count at EL2. The runtime refuses it set. */
export const PMU_FILTER_NSH: u64 = 1 << 27;
