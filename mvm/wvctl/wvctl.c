/* wvctl: manages the hypervisor from the management VM, over the virtio-console
 * port /dev/hvc0 (docs/wvctl.md). One request frame out, one response frame
 * back (proto.h); the hypervisor's text is printed as a table, as fields or as
 * JSON (render.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chan.h"
#include "proto.h"
#include "render.h"

/* Exit codes (docs/wvctl.md, "Exit status"). */
enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_CHANNEL = 3 };

#define TIMEOUT_MS 10000
#define UPDATE_TIMEOUT_MS 30000 /* an update pauses and restores every VM */
#define MAX_TIMEOUT_MS 3600000
#define VM_NAME_MAX 15 /* docs/abi.md section 1: name[16], NUL-padded */

enum arg_kind { ARG_NONE, ARG_VM, ARG_FILE };

/* How an answer is shown: a table of records; one record as fields; an update's
 * result line then a table of its VMs; text as it is; a confirmation. */
enum shape { SHAPE_TABLE, SHAPE_FIELDS, SHAPE_RESULT, SHAPE_TEXT, SHAPE_ACTION };

struct command {
	const char *name;
	enum wv_command code;
	enum arg_kind arg;
	enum shape shape;
	int timeout_ms;
	const char *help;
};

static const struct command commands[] = {
	{ "list", WV_CMD_LIST, ARG_NONE, SHAPE_TABLE, TIMEOUT_MS,
	  "the VMs: name, type, state, vCPUs, memory, exits by kind" },
	{ "info", WV_CMD_INFO, ARG_VM, SHAPE_FIELDS, TIMEOUT_MS, "one VM, with every detail the hypervisor has" },
	{ "stop", WV_CMD_STOP, ARG_VM, SHAPE_ACTION, TIMEOUT_MS, "stop a running VM" },
	{ "start", WV_CMD_START, ARG_VM, SHAPE_ACTION, TIMEOUT_MS, "start a stopped VM" },
	{ "reset", WV_CMD_RESET, ARG_VM, SHAPE_ACTION, TIMEOUT_MS, "restart a VM from its images" },
	{ "version", WV_CMD_VERSION, ARG_NONE, SHAPE_FIELDS, TIMEOUT_MS,
	  "the core module running: version, ABI, state layout, sha256" },
	{ "update", WV_CMD_UPDATE, ARG_FILE, SHAPE_RESULT, UPDATE_TIMEOUT_MS,
	  "replace the core module by FILE (a signed .wvm) while the VMs keep running" },
	{ "rollback", WV_CMD_ROLLBACK, ARG_NONE, SHAPE_RESULT, UPDATE_TIMEOUT_MS,
	  "go back to the core module that ran before the last update" },
	{ "log", WV_CMD_LOG, ARG_NONE, SHAPE_TEXT, TIMEOUT_MS, "the hypervisor's recent messages" },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fputs("usage: wvctl [--json] COMMAND [ARG]\n\n"
	      "Manages the hypervisor from the management VM, over " WV_CHAN_DEVICE ".\n\ncommands:\n", f);
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const struct command *c = &commands[i];
		const char *arg = c->arg == ARG_VM ? " VM" : c->arg == ARG_FILE ? " FILE" : "";
		fprintf(f, "  %s%-*s %s\n", c->name, (int)(13 - strlen(c->name)), arg, c->help);
	}
	fputs("\noptions:\n"
	      "  --json        JSON instead of tables (numbers for values of digits)\n"
	      "  --help        this text\n\n"
	      "exit status: 0 done; 1 the hypervisor refused (its reason on stderr); 2 usage error;\n"
	      "  3 channel error or no answer in time (10 s, update and rollback 30 s)\n"
	      "environment: WVCTL_TIMEOUT_MS=<ms> another time limit; WVCTL_FD=<n> use the open file\n"
	      "  descriptor n instead of " WV_CHAN_DEVICE "\n", f);
}

static int usage_error(const char *fmt, const char *what)
{
	fputs("wvctl: ", stderr);
	fprintf(stderr, fmt, what);
	fputs(" (wvctl --help lists the commands)\n", stderr);
	return EXIT_USAGE;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* docs/abi.md section 1: 1..15 characters of [a-z0-9_-]. */
static int vm_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > VM_NAME_MAX)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* The whole of FILE, for an update: 1 byte to WV_MAX_PAYLOAD. */
static int read_module(const char *path, uint8_t **data, uint32_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	size_t got;
	if (f == NULL || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "wvctl: cannot read %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return EXIT_USAGE;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0 || (uint64_t)st.st_size > WV_MAX_PAYLOAD) {
		fprintf(stderr, "wvctl: %s: %s\n", path, !S_ISREG(st.st_mode) ? "not a regular file"
			: st.st_size == 0 ? "empty, not a module file"
			: "larger than the 4 MiB a request carries");
		fclose(f);
		return EXIT_USAGE;
	}
	*data = malloc((size_t)st.st_size);
	got = *data ? fread(*data, 1, (size_t)st.st_size, f) : 0;
	fclose(f);
	if (got != (size_t)st.st_size) {
		fprintf(stderr, "wvctl: cannot read %s: %s\n", path, *data ? "it changed while being read" : "out of memory");
		return EXIT_USAGE;
	}
	*len = (uint32_t)got;
	return EXIT_OK;
}

/* WVCTL_TIMEOUT_MS, or the command's own limit; -1 when the variable is not a number of ms. */
static int timeout_ms(const struct command *cmd)
{
	const char *v = getenv("WVCTL_TIMEOUT_MS");
	char *end;
	long ms;
	if (v == NULL)
		return cmd->timeout_ms;
	errno = 0;
	ms = strtol(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 || ms < 1 || ms > MAX_TIMEOUT_MS)
		return -1;
	return (int)ms;
}

/* Different for every request, so that a late answer to an earlier one is told apart. */
static uint32_t new_request_id(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint32_t)ts.tv_nsec ^ ((uint32_t)ts.tv_sec << 10) ^ ((uint32_t)getpid() << 20);
}

struct answer {
	unsigned status;
	char *text; /* NUL-terminated */
	uint32_t len;
};

/* Why the channel failed, as "wvctl: /dev/hvc0: <what> (<how>)"; returns EXIT_CHANNEL. */
static int channel_failed(const struct chan *c, enum chan_result r, const char *what, int ms)
{
	fprintf(stderr, "wvctl: %s: %s (", c->name, what);
	if (r == CHAN_TIMEOUT)
		fprintf(stderr, "nothing more within %d ms", ms);
	else if (r == CHAN_CLOSED)
		fputs("the channel was closed", stderr);
	else
		fputs(strerror(errno), stderr);
	fputs(")\n", stderr);
	return EXIT_CHANNEL;
}

/*
 * Sends one request and waits for its answer. Frames with another request id
 * are late answers to an earlier wvctl that gave up: they are read and dropped.
 * A frame without the response magic, or longer than a frame may be, means the
 * channel is out of step: the exchange fails rather than guess.
 */
static int exchange(struct chan *c, uint16_t command, const uint8_t *payload, uint32_t len, int ms,
		    struct answer *a)
{
	const int64_t deadline = chan_now_ms() + ms;
	const uint32_t id = new_request_id();
	struct wv_hdr h = { .magic = WV_REQ_MAGIC, .command = command, .word = 0, .len = len, .id = id };
	uint8_t *frame = malloc(WV_HDR_LEN + (size_t)len);
	uint8_t raw[WV_HDR_LEN];
	unsigned stale = 0;
	enum chan_result r;
	size_t got;
	char what[160];

	if (frame == NULL) {
		fputs("wvctl: out of memory\n", stderr);
		return EXIT_CHANNEL;
	}
	wv_hdr_encode(frame, &h);
	if (len)
		memcpy(frame + WV_HDR_LEN, payload, len);
	chan_discard_input(c);
	r = chan_write(c, frame, WV_HDR_LEN + (size_t)len, deadline);
	free(frame);
	if (r != CHAN_OK)
		return channel_failed(c, r, "the request could not be sent", ms);

	for (;;) {
		r = chan_read(c, raw, WV_HDR_LEN, deadline, &got);
		if (r != CHAN_OK) {
			if (got)
				snprintf(what, sizeof what, "the answer stopped after %zu of its %u header bytes", got,
					 WV_HDR_LEN);
			else
				snprintf(what, sizeof what, "no answer from the hypervisor%s",
					 stale ? " (only answers to earlier requests)" : "");
			return channel_failed(c, r, what, ms);
		}
		wv_hdr_decode(&h, raw);
		if (h.magic != WV_RSP_MAGIC) {
			fprintf(stderr, "wvctl: %s: the answer does not start with the response magic 0x%08x "
				"(\"WVRS\"): it starts with 0x%08x\n", c->name, WV_RSP_MAGIC, h.magic);
			return EXIT_CHANNEL;
		}
		if (h.len > WV_MAX_PAYLOAD) {
			fprintf(stderr, "wvctl: %s: the answer claims %u payload bytes, more than the %u a frame "
				"carries\n", c->name, h.len, WV_MAX_PAYLOAD);
			return EXIT_CHANNEL;
		}
		a->text = malloc((size_t)h.len + 1);
		if (a->text == NULL) {
			fputs("wvctl: out of memory\n", stderr);
			return EXIT_CHANNEL;
		}
		r = chan_read(c, (uint8_t *)a->text, h.len, deadline, &got);
		if (r != CHAN_OK) {
			snprintf(what, sizeof what, "the answer stopped after %zu of its %u payload bytes", got, h.len);
			free(a->text);
			return channel_failed(c, r, what, ms);
		}
		if (h.id != id) {
			free(a->text);
			stale++;
			continue;
		}
		a->text[h.len] = '\0';
		a->len = h.len;
		a->status = h.word;
		return EXIT_OK;
	}
}

static void print_text(const char *text, size_t len)
{
	fwrite(text, 1, len, stdout);
	if (len > 0 && text[len - 1] != '\n')
		fputc('\n', stdout);
}

/* The answer of a command that succeeded, on stdout. */
static void render(const struct command *cmd, const char *arg, int json, struct answer *a)
{
	struct records rs;

	if (cmd->shape == SHAPE_TEXT) {
		if (json)
			print_json_lines(stdout, "log", a->text, a->len);
		else
			print_text(a->text, a->len);
		return;
	}
	if (!json && cmd->shape == SHAPE_ACTION) {
		if (a->len)
			print_text(a->text, a->len);
		else
			printf("%s %s: done\n", cmd->name, arg);
		return;
	}
	records_parse(&rs, a->text);
	if (json) {
		print_json(stdout, &rs, cmd->shape == SHAPE_TABLE || cmd->shape == SHAPE_RESULT);
	} else if (cmd->shape == SHAPE_TABLE) {
		print_table(stdout, &rs);
	} else if (rs.n > 0) {
		/* fields (info, version), or an update's result line then its VMs */
		struct records rest = { rs.r + 1, rs.n - 1 };
		print_fields(stdout, &rs.r[0]);
		if (cmd->shape == SHAPE_RESULT && rest.n > 0) {
			fputc('\n', stdout);
			print_table(stdout, &rest);
		} else {
			for (size_t i = 1; i < rs.n; i++) {
				fputc('\n', stdout);
				print_fields(stdout, &rs.r[i]);
			}
		}
	}
	records_free(&rs);
}

int main(int argc, char **argv)
{
	const char *words[3];
	int nwords = 0, json = 0, ms, code;
	const struct command *cmd;
	uint8_t *payload = NULL;
	uint32_t len = 0;
	struct chan chan;
	struct answer a = { 0, NULL, 0 };
	char err[256];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (argv[i][0] == '-') {
			return usage_error("unknown option %s", argv[i]);
		} else if (nwords < 3) {
			words[nwords++] = argv[i];
		} else {
			return usage_error("too many arguments, from \"%s\" on", argv[i]);
		}
	}
	if (nwords == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(words[0], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	cmd = find_command(words[0]);
	if (cmd == NULL)
		return usage_error("unknown command \"%s\"", words[0]);
	if (cmd->arg == ARG_NONE && nwords > 1)
		return usage_error("%s takes no argument", cmd->name);
	if (cmd->arg != ARG_NONE && nwords != 2)
		return usage_error(cmd->arg == ARG_VM ? "%s needs one argument: the VM's name"
						      : "%s needs one argument: the module file", cmd->name);
	if (cmd->arg == ARG_VM && !vm_name_ok(words[1]))
		return usage_error("\"%s\" is not a VM name (1 to 15 of a-z, 0-9, _ and -)", words[1]);
	ms = timeout_ms(cmd);
	if (ms < 0)
		return usage_error("WVCTL_TIMEOUT_MS=%s is not a number of milliseconds (1..3600000)",
				   getenv("WVCTL_TIMEOUT_MS"));
	if (cmd->arg == ARG_VM) {
		payload = (uint8_t *)words[1];
		len = (uint32_t)strlen(words[1]);
	} else if (cmd->arg == ARG_FILE) {
		code = read_module(words[1], &payload, &len);
		if (code != EXIT_OK)
			return code;
	}

	/* A channel that goes away must give an error from write(), not kill wvctl. */
	signal(SIGPIPE, SIG_IGN);
	if (chan_open(&chan, err, sizeof err) != 0) {
		fprintf(stderr, "wvctl: %s\n", err);
		return EXIT_CHANNEL;
	}
	code = exchange(&chan, (uint16_t)cmd->code, payload, len, ms, &a);
	if (cmd->arg == ARG_FILE)
		free(payload);
	if (code != EXIT_OK)
		return code;
	if (a.status != WV_ST_OK) {
		while (a.len > 0 && (a.text[a.len - 1] == '\n' || a.text[a.len - 1] == '\r'))
			a.text[--a.len] = '\0';
		if (a.len)
			fprintf(stderr, "wvctl: %s\n", a.text);
		else
			fprintf(stderr, "wvctl: %s: %s (status %u)\n", cmd->name, wv_status_name(a.status), a.status);
		free(a.text);
		return EXIT_REFUSED;
	}
	render(cmd, nwords > 1 ? words[1] : "", json, &a);
	free(a.text);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_CHANNEL;
}
