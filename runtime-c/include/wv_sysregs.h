/* EL1 registers the core may set for a vCPU through the `sysreg_write` import, and read
 * (the EL1 ones) through `sysreg_read` for the vCPU whose exit it is handling. */
#ifndef WV_SYSREGS_H
#define WV_SYSREGS_H

#define WV_SYSREG_SCTLR_EL1     1
#define WV_SYSREG_VBAR_EL1      2
#define WV_SYSREG_SP_EL1        3
#define WV_SYSREG_CNTVOFF_EL2   4
#define WV_SYSREG_VMPIDR_EL2    5
/* A vCPU's exception state (ARM ARM D1.10 "Exception entry"): the core sets these to
 * inject an exception, and only for the vCPU whose exit it is handling. */
#define WV_SYSREG_ELR_EL1       6
#define WV_SYSREG_SPSR_EL1      7
#define WV_SYSREG_ESR_EL1       8
#define WV_SYSREG_FAR_EL1       9
#define WV_SYSREG_MAX           9

#endif
