/* Management requests on the VM's virtio-console, which the hypervisor refuses (only
 * a VM of type mvm may manage, docs/wvctl.md "Protocol"): a minimal driver of the
 * virtio-mmio transport (virtio 1.2, 4.2.2 and 3.1.1 for the set-up order) that posts
 * request frames on the transmitq, in bursts. The device is set up again whenever the
 * random register accesses of mmio.c have reset it, stopped its queue or made it
 * need a reset. */
#include "fuzz.h"
#include "actions.h"
#include "access.h"

/* virtio-mmio registers (virtio 1.2, 4.2.2). */
#define VIO_DRIVER_FEATURES     0x020u
#define VIO_DRIVER_FEATURES_SEL 0x024u
#define VIO_QUEUE_SEL           0x030u
#define VIO_QUEUE_NUM           0x038u
#define VIO_QUEUE_READY         0x044u
#define VIO_QUEUE_NOTIFY        0x050u
#define VIO_STATUS              0x070u
#define VIO_QUEUE_DESC_LOW      0x080u
#define VIO_QUEUE_DESC_HIGH     0x084u
#define VIO_QUEUE_DRIVER_LOW    0x090u
#define VIO_QUEUE_DRIVER_HIGH   0x094u
#define VIO_QUEUE_DEVICE_LOW    0x0a0u
#define VIO_QUEUE_DEVICE_HIGH   0x0a4u
/* Device status bits (virtio 1.2, 2.1). */
#define ST_ACKNOWLEDGE          1u
#define ST_DRIVER               2u
#define ST_DRIVER_OK            4u
#define ST_FEATURES_OK          8u
#define ST_NEEDS_RESET          0x40u
#define ST_RUNNING              (ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK)
/* VIRTIO_F_VERSION_1 is feature bit 32: bit 0 of feature word 1 (virtio 1.2, 6). */
#define FEATURE_WORD_VERSION_1  1u
#define FEATURE_VERSION_1       1u
#define TRANSMITQ               1u
#define QUEUE_SIZE              8u
/* Management request frame (docs/wvctl.md, "Protocol"). */
#define MGMT_MAGIC              0x51525657u     /* "WVRQ" */
#define MGMT_COMMANDS           9u              /* 1 list .. 9 log */
#define MGMT_HEADER             16u
#define MGMT_PAYLOAD_MAX        16u
#define BURST_MAX               8u

struct vq_desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct vq_avail { uint16_t flags, idx, ring[QUEUE_SIZE], used_event; };
struct vq_used { uint16_t flags, idx; struct { uint32_t id, len; } ring[QUEUE_SIZE]; uint16_t avail_event; };

/* Split virtqueue areas (virtio 1.2, 2.7: alignments 16, 2, 4). */
static volatile struct vq_desc desc[QUEUE_SIZE] __attribute__((aligned(16)));
static volatile struct vq_avail avail __attribute__((aligned(16)));
static volatile struct vq_used used __attribute__((aligned(16)));
static volatile uint8_t frames[QUEUE_SIZE][MGMT_HEADER + MGMT_PAYLOAD_MAX] __attribute__((aligned(16)));
static uint16_t avail_idx;

static uint32_t exits;

static uint32_t rd(uint32_t off)
{
    exits++;
    return (uint32_t)access_read(fuzz_par.virtio_ipa + off, 4, 0);
}

static void wr(uint32_t off, uint32_t v)
{
    exits++;
    access_write(fuzz_par.virtio_ipa + off, 4, v);
}

static void wr64(uint32_t low, uint64_t v)
{
    wr(low, (uint32_t)v);
    wr(low + 4u, (uint32_t)(v >> 32));
}

static void setup(void)
{
    wr(VIO_STATUS, 0);
    wr(VIO_STATUS, ST_ACKNOWLEDGE);
    wr(VIO_STATUS, ST_ACKNOWLEDGE | ST_DRIVER);
    wr(VIO_DRIVER_FEATURES_SEL, 0);
    wr(VIO_DRIVER_FEATURES, 0);
    wr(VIO_DRIVER_FEATURES_SEL, FEATURE_WORD_VERSION_1);
    wr(VIO_DRIVER_FEATURES, FEATURE_VERSION_1);
    wr(VIO_STATUS, ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK);
    avail.flags = 0;
    avail.idx = 0;
    avail_idx = 0;
    used.idx = 0;
    wr(VIO_QUEUE_SEL, TRANSMITQ);
    wr(VIO_QUEUE_NUM, QUEUE_SIZE);
    wr64(VIO_QUEUE_DESC_LOW, (uintptr_t)desc);
    wr64(VIO_QUEUE_DRIVER_LOW, (uintptr_t)&avail);
    wr64(VIO_QUEUE_DEVICE_LOW, (uintptr_t)&used);
    wr(VIO_QUEUE_READY, 1);
    wr(VIO_STATUS, ST_RUNNING);
}

static int running(void)
{
    if (rd(VIO_STATUS) != ST_RUNNING)
        return 0;
    wr(VIO_QUEUE_SEL, TRANSMITQ);
    return rd(VIO_QUEUE_READY) == 1;
}

uint32_t act_mgmt_flood(struct prng *r)
{
    exits = 0;
    if (!fuzz_par.virtio_ipa)
        return 0;
    if (!running())
        setup();
    uint32_t n = 1u + prng_below(r, BURST_MAX);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t slot = avail_idx % QUEUE_SIZE, len = prng_below(r, MGMT_PAYLOAD_MAX + 1u);
        volatile uint8_t *f = frames[slot];
        uint32_t words[4] = {
            MGMT_MAGIC, 1u + prng_below(r, MGMT_COMMANDS), len, (uint32_t)prng_next(r),
        };
        for (uint32_t w = 0; w < 4; w++)
            ((volatile uint32_t *)f)[w] = words[w];
        for (uint32_t b = 0; b < len; b++)
            f[MGMT_HEADER + b] = (uint8_t)('a' + prng_below(r, 26));
        desc[slot].addr = (uintptr_t)f;
        desc[slot].len = MGMT_HEADER + len;
        desc[slot].flags = 0;
        desc[slot].next = 0;
        avail.ring[slot] = (uint16_t)slot;
        avail_idx++;
        __asm__ volatile("dmb ishst" : : : "memory");   /* ring before index (virtio 1.2, 2.7.13) */
        avail.idx = avail_idx;
        __asm__ volatile("dsb ishst" : : : "memory");   /* index before notify */
        wr(VIO_QUEUE_NOTIFY, TRANSMITQ);
    }
    return exits;
}
