/* Frame headers, byte by byte so that the layout does not depend on the
 * compiler's struct packing or the CPU's byte order. */
#include "proto.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | ((uint32_t)get16(p + 2) << 16);
}

void wv_hdr_encode(uint8_t out[WV_HDR_LEN], const struct wv_hdr *h)
{
	put32(out + 0, h->magic);
	put16(out + 4, h->command);
	put16(out + 6, h->word);
	put32(out + 8, h->len);
	put32(out + 12, h->id);
}

void wv_hdr_decode(struct wv_hdr *h, const uint8_t in[WV_HDR_LEN])
{
	h->magic = get32(in + 0);
	h->command = get16(in + 4);
	h->word = get16(in + 6);
	h->len = get32(in + 8);
	h->id = get32(in + 12);
}

const char *wv_status_name(unsigned status)
{
	switch (status) {
	case WV_ST_OK: return "ok";
	case WV_ST_REFUSED: return "refused (not the management VM)";
	case WV_ST_BAD_REQUEST: return "bad request";
	case WV_ST_NO_SUCH_VM: return "no such VM";
	case WV_ST_WRONG_STATE: return "wrong state";
	case WV_ST_UPDATE_REFUSED: return "update refused";
	case WV_ST_BUSY: return "busy (an update is in progress)";
	case WV_ST_INTERNAL: return "internal error";
	default: return "unknown status";
	}
}
