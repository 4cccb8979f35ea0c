/* The management protocol over the hypervisor channel (docs/wvctl.md, docs/abi.md 6):
 * request and answer frames, and the commands the management VM may send. */
#ifndef WV_MGMT_H
#define WV_MGMT_H
#include <stdint.h>
#include <stddef.h>

#define WV_FRAME_HEADER     16u
#define WV_FRAME_REQ_MAGIC  0x51525657u     /* "WVRQ" */
#define WV_FRAME_ANS_MAGIC  0x53525657u     /* "WVRS" */
#define WV_FRAME_MAX        (4u << 20)      /* largest payload: a module file */

enum wv_mgmt_cmd {
    WV_CMD_LIST = 1, WV_CMD_INFO, WV_CMD_STOP, WV_CMD_START, WV_CMD_RESET, WV_CMD_VERSION,
    WV_CMD_UPDATE, WV_CMD_ROLLBACK, WV_CMD_LOG,
};
#define WV_CMD_LAST WV_CMD_LOG

enum wv_mgmt_status {
    WV_ST_OK = 0, WV_ST_REFUSED, WV_ST_BAD_REQUEST, WV_ST_NO_VM, WV_ST_STATE, WV_ST_UPDATE,
    WV_ST_BUSY, WV_ST_INTERNAL,
};

struct wv_frame {
    uint16_t command;
    uint16_t flags;
    uint32_t length;            /* payload bytes */
    uint32_t id;
};

/* Look for a whole request at the start of buf[0..len): 1 with *f filled when the header
 * and all its payload are there, 0 when more bytes are needed, -1 with *err when the
 * bytes cannot be a request (bad magic, payload over WV_FRAME_MAX). Pure: host-tested. */
int wv_frame_scan(const uint8_t *buf, size_t len, struct wv_frame *f, const char **err);
/* Write an answer header (16 bytes) for `payload_len` bytes of text. */
void wv_frame_answer(uint8_t hdr[WV_FRAME_HEADER], uint16_t command, uint16_t status,
                     uint32_t payload_len, uint32_t id);

/* An answer being built: text appended with wv_ans_printf, grown on the heap. */
struct wv_answer {
    uint16_t status;
    char *text;
    size_t len, cap;
};
void wv_ans_printf(struct wv_answer *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wv_ans_fail(struct wv_answer *a, uint16_t status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct wv_vm;
/* Carry out one request of `vm` (mgmt.c); the answer is in *a. */
void wv_mgmt_handle(struct wv_vm *vm, const struct wv_frame *f, const uint8_t *payload, struct wv_answer *a);

/* log.c: the hypervisor's recent messages (every wv_printf line), newest last. */
void wv_log_append(const char *s, size_t len);
size_t wv_log_copy(char *dst, size_t cap);

#endif
