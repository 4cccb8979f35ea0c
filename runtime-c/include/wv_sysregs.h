/* EL1 registers the core may set for a vCPU through the `sysreg_write` import. */
#ifndef WV_SYSREGS_H
#define WV_SYSREGS_H

#define WV_SYSREG_SCTLR_EL1     1
#define WV_SYSREG_VBAR_EL1      2
#define WV_SYSREG_SP_EL1        3
#define WV_SYSREG_CNTVOFF_EL2   4
#define WV_SYSREG_VMPIDR_EL2    5
#define WV_SYSREG_MAX           5

#endif
