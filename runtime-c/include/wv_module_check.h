/* The check a core module passes before wasm3 parses it (docs/architecture.md, "The EL2
 * stacks"). wasm3's compiler recurses on the native stack once per nested block, loop
 * and if, and its interpreter once per loop open around every call level, so how deep a
 * module nests decides how much of a CPU's EL2 stack it can take. The check walks every
 * function body, decoding every instruction wasm3 0.5.0 runs that a compiler of the core
 * emits (WebAssembly 1.0, sign extension, saturating truncation, memory.copy and
 * memory.fill, multi-value block types), and refuses a module that is truncated,
 * malformed, uses an opcode outside that set, or nests deeper than the bounds below.
 * Pure C, no wasm3, no hardware: host-tested by runtime-c/tests/test_module_check.c. */
#ifndef WV_MODULE_CHECK_H
#define WV_MODULE_CHECK_H
#include <stdint.h>
#include <stddef.h>

/* Blocks, loops and ifs open at once in one function body. Only compiling recurses per
 * level, once, at load (wv_stack_budget.h: 304 bytes at most, an if's): 512 levels and
 * the function's own take 152 KiB of EL2 stack. */
#define WV_MODULE_MAX_NESTING   512u
/* Loops open at once in one function body: each costs 48 bytes of EL2 stack at every
 * call level it encloses, so the module's deepest loop nesting sets its call-depth limit
 * (wv_stack_budget.h); past this many that limit (2,313 calls at 16) would get too low
 * to be of use. */
#define WV_MODULE_MAX_LOOPS     16u
/* Results of a function or block type, params of a block type: wasm3's compiler moves a
 * block's values with one 128-byte recursion per value. */
#define WV_MODULE_MAX_VALUES    64u
/* Locals of one function (wasm3 itself holds fewer: this only keeps counts sane). */
#define WV_MODULE_MAX_LOCALS    50000u

enum wv_module_fault {
    WV_MODULE_OK = 0,
    WV_MODULE_TRUNCATED,    /* ends inside a section, a body or an instruction */
    WV_MODULE_LEB,          /* a LEB128 number longer or larger than its type allows */
    WV_MODULE_MALFORMED,    /* any other break of the binary format (r->what says which) */
    WV_MODULE_OPCODE,       /* an opcode outside the set the check decodes */
    WV_MODULE_NESTING,      /* blocks, loops and ifs nested deeper than WV_MODULE_MAX_NESTING */
    WV_MODULE_LOOPS,        /* loops nested deeper than WV_MODULE_MAX_LOOPS */
    WV_MODULE_VALUES,       /* a type with more than WV_MODULE_MAX_VALUES params or results */
    WV_MODULE_LOCALS,       /* a function with more than WV_MODULE_MAX_LOCALS locals */
};

#define WV_MODULE_NO_FUNC   0xffffffffu

struct wv_module_report {
    enum wv_module_fault fault;
    const char *what;       /* for TRUNCATED, LEB and MALFORMED: what was being read */
    uint32_t offset;        /* byte offset in the module of the fault */
    uint32_t func;          /* function index (imported functions first) of the body at
                               fault, or WV_MODULE_NO_FUNC outside the code section */
    uint32_t opcode;        /* OPCODE: 0x00-0xff, or 0xfc00 | sub-opcode */
    uint32_t count;         /* NESTING, LOOPS: the depth reached; VALUES, LOCALS: the count */
    /* Whatever the outcome, for what was walked: the deepest nesting and loop nesting
     * and the function of each (the figures a module that passes is loaded with). */
    uint32_t max_nesting, max_nesting_func;
    uint32_t max_loops, max_loops_func;
    uint32_t functions;     /* function bodies walked */
};

/* 0 when `wasm` passes, else -1 with r->fault and the fields it names set. */
int wv_module_check(const uint8_t *wasm, size_t len, struct wv_module_report *r);

/* One line saying what a failed check found ("function 7 nests loops 17 deep at offset
 * 0x1a2b, over the limit of 16"), NUL-terminated in `buf` (cut to cap - 1 characters). */
void wv_module_report_text(const struct wv_module_report *r, char *buf, size_t cap);

#endif
