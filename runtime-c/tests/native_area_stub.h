/* What the host tests' native-code area (native_area_stub.c) lets them see. */
#ifndef NATIVE_AREA_STUB_H
#define NATIVE_AREA_STUB_H
#include "wv_native_area.h"

extern int native_area_stub_live_runs;     /* runs allocated and not freed */
extern int native_area_stub_syncs;         /* wv_native_area_sync_code calls */
void native_area_stub_init(void);          /* everything free, unmapped, filled with 0xa5 */
uint8_t *native_area_stub_base(void);
enum wv_native_prot native_area_stub_prot(const uint8_t *va);

#endif
