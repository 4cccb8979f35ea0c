/* The management commands (docs/wvctl.md): what `wvctl` in the management VM asks of
 * the hypervisor, carried out after the exit that completed the request (chan.c). Only
 * the management VM's requests get here. Answers are lines of key=value pairs. */
#include "wv_mgmt.h"
#include "wv_le.h"
#include "wv_update.h"
#include "wv_core.h"
#include "wv_console.h"
#include "wv_arch.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define VM_TYPE_MVM     0u
#define LOG_MAX         8192u

static const char *const type_names[] = { "mvm", "gvm", "rtvm" };
static const char *const exit_names[] = { "data_abort", "hvc", "sysreg", "wfx", "irq", "other" };
/* core/vm.ts VmState: 0 empty, 1 running, 2 stopped. */
static const char *const core_states[] = { "empty", "running", "stopped" };

static void ans_vprintf(struct wv_answer *a, const char *fmt, va_list ap)
{
    char line[512];
    int n = wv_vsnprintf(line, sizeof line, fmt, ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof line) n = sizeof line - 1;
    if (a->len + (size_t)n + 1 > a->cap) {
        size_t cap = a->cap ? a->cap : 256;
        while (cap < a->len + (size_t)n + 1) cap *= 2;
        char *p = realloc(a->text, cap);
        if (!p) return;
        a->text = p;
        a->cap = cap;
    }
    memcpy(a->text + a->len, line, (size_t)n);
    a->len += (size_t)n;
    a->text[a->len] = 0;
}

void wv_ans_printf(struct wv_answer *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ans_vprintf(a, fmt, ap);
    va_end(ap);
}

void wv_ans_fail(struct wv_answer *a, uint16_t status, const char *fmt, ...)
{
    a->status = status;
    a->len = 0;
    va_list ap;
    va_start(ap, fmt);
    ans_vprintf(a, fmt, ap);
    va_end(ap);
}

/* One VM's line: the runtime's view (type, whether stopped) and the core's (state, RAM,
 * exits by class). */
static void vm_line(struct wv_answer *a, struct wv_vm *vm)
{
    uint8_t info[WV_VM_INFO_SIZE];
    const char *err = 0;
    struct wv_core_instance *c = wv_core_acquire(vm);
    int ok = c && !wv_core_vm_info(c, info, &err);
    if (c) wv_core_release(c);
    uint32_t t = vm->own.type;
    wv_ans_printf(a, "name=%s type=%s", vm->own.name, t < 3 ? type_names[t] : "?");
    if (!ok) {
        wv_ans_printf(a, " state=%s vcpus=%u\n", vm->stopped ? "stopped" : "no-core", vm->own.vcpu_count);
        return;
    }
    uint32_t cs = wv_get32(info + 20);
    const char *state = vm->stopped ? "stopped" : cs < 3 ? core_states[cs] : "?";
    wv_ans_printf(a, " state=%s vcpus=%u vcpus_on=%u memory=%lu", state, wv_get32(info + 24),
                  (uint32_t)__builtin_popcount(wv_get32(info + 28)), (unsigned long)wv_get64(info + 32));
    for (int i = 0; i < 6; i++) wv_ans_printf(a, " exits.%s=%lu", exit_names[i], (unsigned long)wv_get64(info + 40 + 8 * i));
    wv_ans_printf(a, "\n");
}

static struct wv_vm *by_name(const uint8_t *p, uint32_t len)
{
    for (uint32_t i = 0; i < wv_vm_count; i++) {
        const char *n = wv_vms[i].own.name;
        if (strlen(n) == len && !memcmp(n, p, len)) return &wv_vms[i];
    }
    return 0;
}

/* Commands that name a VM: find it, or say why not. */
static struct wv_vm *target(const struct wv_frame *f, const uint8_t *p, struct wv_answer *a)
{
    uint32_t len = f->length;
    while (len && (p[len - 1] == '\n' || p[len - 1] == 0)) len--;
    if (len == 0 || len > 15) { wv_ans_fail(a, WV_ST_BAD_REQUEST, "a VM name is needed (1 to 15 characters)"); return 0; }
    struct wv_vm *vm = by_name(p, len);
    if (!vm) wv_ans_fail(a, WV_ST_NO_VM, "no VM named %.*s (wvctl list shows them)", (int)len, (const char *)p);
    return vm;
}

static void lifecycle(struct wv_vm *self, uint16_t cmd, struct wv_vm *vm, struct wv_answer *a)
{
    if (vm == self && cmd != WV_CMD_START) {
        wv_ans_fail(a, WV_ST_STATE, "vm %s is the management VM: it %s", vm->own.name,
                    cmd == WV_CMD_STOP ? "cannot stop itself" : "restarts itself with reboot");
        return;
    }
    switch (cmd) {
    case WV_CMD_STOP:
        if (vm->stopped) { wv_ans_fail(a, WV_ST_STATE, "vm %s is already stopped", vm->own.name); return; }
        wv_vm_stop(vm, "stopped by the management VM");
        break;
    case WV_CMD_START:
        if (!vm->stopped) { wv_ans_fail(a, WV_ST_STATE, "vm %s is running (reset restarts it)", vm->own.name); return; }
        if (!vm->core) { wv_ans_fail(a, WV_ST_STATE, "vm %s has no core instance (it failed to build)", vm->own.name); return; }
        if (wv_vm_restart(vm, 0)) { wv_ans_fail(a, WV_ST_STATE, "vm %s could not be started (see wvctl log)", vm->own.name); return; }
        break;
    case WV_CMD_RESET:
        if (vm->stopped) { wv_ans_fail(a, WV_ST_STATE, "vm %s is stopped (start restarts it)", vm->own.name); return; }
        if (wv_vm_restart(vm, 0)) { wv_ans_fail(a, WV_ST_STATE, "vm %s could not be restarted (see wvctl log)", vm->own.name); return; }
        break;
    }
    vm_line(a, vm);
}

void wv_mgmt_handle(struct wv_vm *self, const struct wv_frame *f, const uint8_t *p, struct wv_answer *a)
{
    a->status = WV_ST_OK;
    if (self->own.type != VM_TYPE_MVM) {    /* chan.c refuses these before they get here */
        wv_ans_fail(a, WV_ST_REFUSED, "refused: only the management VM may command the hypervisor");
        return;
    }
    struct wv_vm *vm;
    switch (f->command) {
    case WV_CMD_LIST:
        for (uint32_t i = 0; i < wv_vm_count; i++) vm_line(a, &wv_vms[i]);
        break;
    case WV_CMD_INFO:
        if ((vm = target(f, p, a))) vm_line(a, vm);
        break;
    case WV_CMD_STOP: case WV_CMD_START: case WV_CMD_RESET:
        if ((vm = target(f, p, a))) lifecycle(self, f->command, vm, a);
        break;
    case WV_CMD_VERSION:
        wv_update_describe(a);
        break;
    case WV_CMD_UPDATE:
        wv_printf("[wasmvisor] update requested by vm %s (%u bytes)\n", self->own.name, f->length);
        wv_update_apply(p, f->length, a);
        break;
    case WV_CMD_ROLLBACK:
        wv_printf("[wasmvisor] rollback requested by vm %s\n", self->own.name);
        wv_update_rollback(a);
        break;
    case WV_CMD_LOG: {
        char *buf = malloc(LOG_MAX + 1);
        if (!buf) { wv_ans_fail(a, WV_ST_INTERNAL, "out of memory"); break; }
        size_t n = wv_log_copy(buf, LOG_MAX);
        buf[n] = 0;
        a->text = buf; a->len = n; a->cap = LOG_MAX + 1;
        break;
    }
    default:
        wv_ans_fail(a, WV_ST_BAD_REQUEST, "unknown command %u", f->command);
    }
}
