/* Request and answer frames of the management protocol (wv_mgmt.h). No hardware: the
 * same file builds for the host tests (runtime-c/tests/test_mgmt_frame.c). */
#include "wv_mgmt.h"
#include "wv_le.h"

int wv_frame_scan(const uint8_t *buf, size_t len, struct wv_frame *f, const char **err)
{
    /* Judge the magic as soon as its bytes are in: garbage is refused at once rather
     * than waited on until 16 bytes have come. */
    static const uint8_t magic[4] = { 'W', 'V', 'R', 'Q' };
    for (size_t i = 0; i < len && i < 4; i++)
        if (buf[i] != magic[i]) { *err = "not a request frame (bad magic)"; return -1; }
    if (len < WV_FRAME_HEADER) return 0;
    f->command = (uint16_t)(buf[4] | buf[5] << 8);
    f->flags = (uint16_t)(buf[6] | buf[7] << 8);
    f->length = wv_get32(buf + 8);
    f->id = wv_get32(buf + 12);
    if (f->length > WV_FRAME_MAX) { *err = "request payload larger than 4 MiB"; return -1; }
    return len - WV_FRAME_HEADER >= f->length ? 1 : 0;
}

void wv_frame_answer(uint8_t hdr[WV_FRAME_HEADER], uint16_t command, uint16_t status,
                     uint32_t payload_len, uint32_t id)
{
    wv_put32(hdr, WV_FRAME_ANS_MAGIC);
    hdr[4] = (uint8_t)command; hdr[5] = (uint8_t)(command >> 8);
    hdr[6] = (uint8_t)status; hdr[7] = (uint8_t)(status >> 8);
    wv_put32(hdr + 8, payload_len);
    wv_put32(hdr + 12, id);
}
