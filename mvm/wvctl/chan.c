/* The channel to the hypervisor (chan.h). */
#include "chan.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int64_t chan_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The port carries binary frames, so the tty must pass every byte through
 * untouched: no echo (the hypervisor would read its own answer back as a
 * request), no canonical lines, no CR/LF translation either way, no signal or
 * flow-control characters, 8 data bits. POSIX termios, "Non-Canonical Mode
 * Input Processing": VMIN 1, VTIME 0. The port is wvctl's alone, so the mode
 * is left raw on exit: a tty set back to echo would bounce stray bytes.
 */
static int make_raw(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &t) != 0)
		return -1;
	cfmakeraw(&t);
	t.c_iflag &= ~(tcflag_t)(IXOFF | IXANY);
	t.c_cflag |= CREAD | CLOCAL;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	return tcsetattr(fd, TCSANOW, &t);
}

/* The fd named by WVCTL_FD, or -1 when the value is not a number. */
static int fd_from_env(const char *v)
{
	char *end;
	long n;
	errno = 0;
	n = strtol(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 || n > INT_MAX)
		return -1;
	return (int)n;
}

int chan_open(struct chan *c, char *err, size_t errlen)
{
	const char *env = getenv("WVCTL_FD");
	int flags;

	if (env != NULL) {
		c->fd = fd_from_env(env);
		snprintf(c->name_buf, sizeof c->name_buf, "WVCTL_FD=%.20s", env);
		c->name = c->name_buf;
		if (c->fd < 0) {
			snprintf(err, errlen, "WVCTL_FD=%s is not a file descriptor number", env);
			return -1;
		}
	} else {
		c->name = WV_CHAN_DEVICE;
		c->fd = open(WV_CHAN_DEVICE, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (c->fd < 0) {
			snprintf(err, errlen, "cannot open %s: %s (the VM needs a virtio-console device and the "
				 "virtio_console driver)", WV_CHAN_DEVICE, strerror(errno));
			return -1;
		}
	}
	flags = fcntl(c->fd, F_GETFL);
	if (flags < 0 || fcntl(c->fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "%s: %s", c->name, strerror(errno));
		return -1;
	}
	if (isatty(c->fd) && make_raw(c->fd) != 0) {
		snprintf(err, errlen, "%s: cannot make the tty raw: %s", c->name, strerror(errno));
		return -1;
	}
	return 0;
}

void chan_discard_input(struct chan *c)
{
	if (isatty(c->fd))
		tcflush(c->fd, TCIFLUSH);
}

/* Waits until fd is ready for `events` or the deadline passes. */
static enum chan_result wait_for(struct chan *c, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = events };
		int64_t left = deadline - chan_now_ms();
		int r;
		if (left <= 0)
			return CHAN_TIMEOUT;
		r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0)
			return CHAN_OK; /* readable, writable, or an error the next call reports */
		if (r < 0 && errno != EINTR)
			return CHAN_ERROR;
	}
}

enum chan_result chan_write(struct chan *c, const uint8_t *buf, size_t len, int64_t deadline)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(c->fd, buf + done, len - done);
		if (n > 0) {
			done += (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			enum chan_result r = wait_for(c, POLLOUT, deadline);
			if (r != CHAN_OK)
				return r;
		} else if (n < 0 && errno == EPIPE) {
			return CHAN_CLOSED;
		} else if (n < 0 && errno != EINTR) {
			return CHAN_ERROR;
		}
	}
	return CHAN_OK;
}

enum chan_result chan_read(struct chan *c, uint8_t *buf, size_t len, int64_t deadline, size_t *got)
{
	*got = 0;
	while (*got < len) {
		ssize_t n = read(c->fd, buf + *got, len - *got);
		if (n > 0) {
			*got += (size_t)n;
		} else if (n == 0) {
			return CHAN_CLOSED;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			enum chan_result r = wait_for(c, POLLIN, deadline);
			if (r != CHAN_OK)
				return r;
		} else if (errno != EINTR) {
			return CHAN_ERROR;
		}
	}
	return CHAN_OK;
}
