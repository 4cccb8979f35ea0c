/* vCPU register frames and per-physical-CPU state (mechanism only). */
#ifndef WV_VCPU_H
#define WV_VCPU_H
#define WV_MAX_RUNQ     16
#include <stdint.h>
#include "wv_asm.h"
#include "wv_gic_ops.h"
#include "wv_lock.h"
#include "wv_debug.h"
#include "wv_native_abi.h"

/* A vCPU's general registers and the exception's syndrome, saved on every trap by
 * vectors.S where the vCPU's `frame` points: the first 288 bytes of an exit record
 * (docs/abi.md 2), so that where the core's memory never moves the record itself is the
 * frame (wasm_host.c). Offsets in wv_asm.h. */
struct wv_vcpu_regs {
    uint64_t x[31];
    uint64_t pc;
    uint64_t spsr;      /* for the core to read and propose; the vCPU resumes with wv_vcpu.spsr */
    uint64_t esr;
    uint64_t far;
    uint64_t hpfar;
};
_Static_assert(sizeof(struct wv_vcpu_regs) == FRAME_SIZE, "frame layout");
_Static_assert(__builtin_offsetof(struct wv_vcpu_regs, spsr) == FRAME_SPSR, "frame layout");

/* A vCPU's FP/SIMD registers, saved only when EL2 code that uses them is about to run
 * (arch/fpsimd.c); offsets in wv_asm.h. */
struct wv_fp_regs {
    uint64_t fpsr;
    uint64_t fpcr;
    __uint128_t q[32];
};
_Static_assert(sizeof(struct wv_fp_regs) == FP_SIZE, "FP/SIMD layout");
_Static_assert(__builtin_offsetof(struct wv_fp_regs, q) == FP_Q0, "FP/SIMD layout");

/* EL1 system registers of a vCPU: only swapped when a physical CPU changes vCPU. */
struct wv_el1_state {
    uint64_t sctlr, ttbr0, ttbr1, tcr, mair, amair, vbar, contextidr, tpidr_el0, tpidrro_el0,
        tpidr_el1, sp_el0, sp_el1, elr_el1, spsr_el1, esr, far, afsr0, afsr1, par, cpacr, csselr,
        cntkctl, cntv_ctl, cntv_cval, cntp_ctl, cntp_cval;
};

struct wv_vm;

enum wv_vcpu_state { VCPU_OFF = 0, VCPU_RUNNABLE, VCPU_IDLE, VCPU_STOPPED };

struct wv_vcpu {
    /* VCPU_FRAME: where vectors.S saves its registers and wv_guest_enter loads them from:
     * `regs` below, or its exit record in the core instance's memory, which the core
     * reads and writes in place (wasm_host.c). Moved by the vCPU's own CPU when it exits
     * to an instance that keeps it elsewhere, by a boot while the vCPU is off, and, for an
     * off or stopped vCPU out of its guest, when a replaced instance is freed. */
    struct wv_vcpu_regs *frame;
    /* VCPU_SPSR: the PSTATE it resumes with. Never read from the frame, which the core
     * may write: set by the vector and, checked, from what the core proposes. */
    uint64_t spsr;
    struct wv_fp_regs fp;           /* VCPU_FP */
    struct wv_vcpu_regs regs;       /* the frame while no instance holds it in place */
    struct wv_el1_state el1;
    struct wv_debug_state debug;    /* swapped with el1 (debug_regs.c) */
    struct wv_pmu_state pmu;
    struct wv_vm *vm;
    uint32_t index;                 /* within its VM */
    uint32_t pcpu;
    volatile uint32_t state;
    uint32_t fresh;                 /* booted, not yet entered: reset the virtual CPU interface */
    volatile uint32_t boots;        /* times vcpu_boot started it: a trap path that sees this
                                     * change under it must not resume the old context */
    volatile uint32_t in_guest;     /* 1 from guest entry to the next trap */
    uint32_t switched_out;          /* its virtual CPU interface is saved in `gic` */
    uint32_t vtimer_masked;         /* the core masked the virtual timer PPI for it */
    uint32_t ptimer_masked;         /* the core masked the physical timer PPI for it */
    struct wv_gic_vcpu_state gic;
    uint64_t vmpidr;
};
_Static_assert(__builtin_offsetof(struct wv_vcpu, frame) == VCPU_FRAME, "vcpu layout");
_Static_assert(__builtin_offsetof(struct wv_vcpu, spsr) == VCPU_SPSR, "vcpu layout");
_Static_assert(__builtin_offsetof(struct wv_vcpu, fp) == VCPU_FP, "vcpu layout");

struct wv_pcpu {
    uint64_t stack_top;             /* PCPU_STACK_TOP */
    struct wv_vcpu *current;        /* PCPU_CURRENT: the vCPU in the guest (vectors.S saves into its frame) */
    /* PCPU_NATIVE_DEPTH: the call depth of native code running on this CPU, counted by the
     * native part's own code through TPIDR_EL2 (wv_native_abi.h), saved and restored
     * around every call into it (core/native_run.c). */
    uint32_t native_depth;
    uint32_t index;
    struct wv_fp_regs *fp_live;     /* PCPU_FP_LIVE: whose FP/SIMD state this CPU's registers hold, or 0 (arch/fpsimd.c) */
    uint64_t trap_cntvct;           /* PCPU_TRAP_CNTVCT: CNTVCT_EL0 at the vector of the trap
                                     * this CPU handles (vectors.S): the exit record's cntvct */
    struct wv_vcpu *vcpu;           /* the vCPU this CPU runs (one per CPU for now) */
    struct wv_vcpu *loaded;         /* whose EL1 state is in the registers */
    struct wv_vm *exit_vm;          /* the VM whose exit this CPU is handling, else 0 */
    /* The vCPUs placed on this CPU (sched.c): round robin with a time slice when there
     * are several, no tick at all when there is one. */
    struct wv_vcpu *runq[WV_MAX_RUNQ];
    uint32_t nrun;
    wv_spinlock_t runq_lock;        /* taken by whoever adds to runq (any CPU): wv_runq_add */
    uint32_t hw_mapped;             /* pINTID the core handed to the guest (HW=1) in this exit, else ~0 */
};

extern struct wv_pcpu wv_pcpus[WV_MAX_CPUS];
_Static_assert(__builtin_offsetof(struct wv_pcpu, stack_top) == PCPU_STACK_TOP, "pcpu layout");
_Static_assert(__builtin_offsetof(struct wv_pcpu, current) == PCPU_CURRENT, "pcpu layout");
_Static_assert(__builtin_offsetof(struct wv_pcpu, native_depth) == PCPU_NATIVE_DEPTH, "pcpu layout");
_Static_assert(__builtin_offsetof(struct wv_pcpu, fp_live) == PCPU_FP_LIVE, "pcpu layout");
_Static_assert(__builtin_offsetof(struct wv_pcpu, trap_cntvct) == PCPU_TRAP_CNTVCT, "pcpu layout");
_Static_assert(__builtin_offsetof(struct wv_pcpu, native_depth) == WV_NATIVE_PCPU_DEPTH, "native ABI: per-CPU depth");
_Static_assert(sizeof(((struct wv_pcpu *)0)->native_depth) == 4, "native ABI: per-CPU depth is a uint32_t");

void wv_guest_enter(struct wv_vcpu *vcpu) __attribute__((noreturn));
/* arch/fpsimd.c: the guest's FP/SIMD registers stay in the CPU across exits. Spill them
 * to their frame before EL2 code that uses FP/SIMD registers (wasm3); own: a frame's
 * state into the registers (wv_guest_enter); forget: the frame's saved state is the one
 * to load (a vCPU booted afresh). */
void wv_fpsimd_spill(void);
void wv_fpsimd_own(struct wv_fp_regs *fp);
void wv_fpsimd_forget(struct wv_fp_regs *fp);
void wv_vcpu_run(struct wv_vcpu *vcpu) __attribute__((noreturn));
/* Run a runnable vCPU of this CPU, else sleep until there is one (sched.c). */
void wv_idle_cpu(void) __attribute__((noreturn));
/* sched.c */
void wv_sched_add(uint32_t cpu, struct wv_vcpu *v);
int wv_sched_tick(struct wv_vcpu *current);         /* the slice ended (PPI 26) */
void wv_sched_arm(struct wv_pcpu *p);               /* a vCPU starts its slice */
void wv_sched_resume(void);                         /* about to return to the guest */
int wv_sched_yield(struct wv_vcpu *current);        /* WFE: the next runnable vCPU here, if any */
void wv_sched_wfi(struct wv_vcpu *v);               /* WFI with nothing to take */
void wv_el1_save(struct wv_el1_state *s);
void wv_el1_restore(const struct wv_el1_state *s);

#endif
