/* The management protocol between wvctl and the hypervisor (docs/wvctl.md,
 * "Protocol"): a 16-byte header, little-endian, then the payload.
 *   0 u32 magic   4 u16 command   6 u16 flags (request, 0) / status (response)
 *   8 u32 payload length          12 u32 request id (echoed by the response) */
#ifndef WVCTL_PROTO_H
#define WVCTL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define WV_HDR_LEN 16u
#define WV_REQ_MAGIC 0x51525657u /* "WVRQ" */
#define WV_RSP_MAGIC 0x53525657u /* "WVRS" */
/* The most payload a frame carries, either way. */
#define WV_MAX_PAYLOAD (4u << 20)

enum wv_command {
	WV_CMD_LIST = 1,
	WV_CMD_INFO = 2,
	WV_CMD_STOP = 3,
	WV_CMD_START = 4,
	WV_CMD_RESET = 5,
	WV_CMD_VERSION = 6,
	WV_CMD_UPDATE = 7,
	WV_CMD_ROLLBACK = 8,
	WV_CMD_LOG = 9,
};

enum wv_status {
	WV_ST_OK = 0,
	WV_ST_REFUSED = 1,
	WV_ST_BAD_REQUEST = 2,
	WV_ST_NO_SUCH_VM = 3,
	WV_ST_WRONG_STATE = 4,
	WV_ST_UPDATE_REFUSED = 5,
	WV_ST_BUSY = 6,
	WV_ST_INTERNAL = 7,
};

struct wv_hdr {
	uint32_t magic;
	uint16_t command;
	uint16_t word; /* flags in a request, status in a response */
	uint32_t len;
	uint32_t id;
};

void wv_hdr_encode(uint8_t out[WV_HDR_LEN], const struct wv_hdr *h);
void wv_hdr_decode(struct wv_hdr *h, const uint8_t in[WV_HDR_LEN]);
/* "no such VM" for WV_ST_NO_SUCH_VM; "unknown status" for codes not listed above. */
const char *wv_status_name(unsigned status);

#endif
