/* The byte channel to the hypervisor: the virtio-console port /dev/hvc0, or for
 * tests an inherited file descriptor (WVCTL_FD=<n>). Every transfer has a
 * deadline, so a hypervisor that never answers cannot hang wvctl. */
#ifndef WVCTL_CHAN_H
#define WVCTL_CHAN_H

#include <stddef.h>
#include <stdint.h>

#define WV_CHAN_DEVICE "/dev/hvc0"

struct chan {
	int fd;
	const char *name; /* for messages: "/dev/hvc0" or "WVCTL_FD=3" */
	char name_buf[32];
};

enum chan_result {
	CHAN_OK = 0,
	CHAN_TIMEOUT, /* the deadline passed first */
	CHAN_CLOSED,  /* end of file: the other side went away */
	CHAN_ERROR,   /* a system call failed; errno says why */
};

/* Opens the channel (raw, non-blocking). 0, or -1 with a sentence in err. */
int chan_open(struct chan *c, char *err, size_t errlen);
/* CLOCK_MONOTONIC in milliseconds: deadlines are this plus a timeout. */
int64_t chan_now_ms(void);
/* Drops bytes that arrived before this request (a late answer to an earlier
 * wvctl that gave up): only a tty keeps such bytes. */
void chan_discard_input(struct chan *c);
enum chan_result chan_write(struct chan *c, const uint8_t *buf, size_t len, int64_t deadline);
/* Reads exactly len bytes; *got says how many came before a failure. */
enum chan_result chan_read(struct chan *c, uint8_t *buf, size_t len, int64_t deadline, size_t *got);

#endif
