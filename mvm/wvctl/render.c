/* Rendering of answers (render.h). */
#include "render.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *grow(void *p, size_t count, size_t size)
{
	p = realloc(p, (count ? count : 1) * size);
	if (p == NULL) {
		fputs("wvctl: out of memory\n", stderr);
		exit(3);
	}
	return p;
}

static void parse_line(struct record *rec, char *line)
{
	char *save = NULL;
	rec->kv = NULL;
	rec->n = 0;
	for (char *w = strtok_r(line, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(w, '=');
		rec->kv = grow(rec->kv, rec->n + 1, sizeof *rec->kv);
		if (eq != NULL)
			*eq = '\0';
		rec->kv[rec->n].key = w;
		rec->kv[rec->n].value = eq != NULL ? eq + 1 : "";
		rec->n++;
	}
}

void records_parse(struct records *out, char *text)
{
	char *save = NULL;
	out->r = NULL;
	out->n = 0;
	for (char *line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line);
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		out->r = grow(out->r, out->n + 1, sizeof *out->r);
		parse_line(&out->r[out->n], line);
		if (out->r[out->n].n > 0)
			out->n++;
		else
			free(out->r[out->n].kv);
	}
}

void records_free(struct records *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->r[i].kv);
	free(rs->r);
	rs->r = NULL;
	rs->n = 0;
}

static int all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* A byte count as people read it: 268435456 -> "256M"; not a whole unit: as is. */
static const char *bytes_text(const char *v, char *buf, size_t cap)
{
	static const char units[] = "KMGT";
	uint64_t n;
	int u = -1;
	if (!all_digits(v) || strlen(v) > 19)
		return v;
	n = strtoull(v, NULL, 10);
	while (n != 0 && n % 1024 == 0 && u < 3) {
		n /= 1024;
		u++;
	}
	if (u < 0)
		return v;
	snprintf(buf, cap, "%" PRIu64 "%c", n, units[u]);
	return buf;
}

/* ---- table ---- */

struct column {
	const char *key;  /* the key, or for a sum column the group ("exits") */
	size_t group_len; /* sum column: length of the group name; 0 otherwise */
	char header[40];
	size_t width;
	int right; /* counts: right-aligned */
};

static void upper(char *dst, size_t cap, const char *src, size_t len)
{
	size_t i;
	for (i = 0; i < len && i + 1 < cap; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	dst[i] = '\0';
}

static int has_column(const struct column *cols, size_t n, const char *key, size_t group_len)
{
	for (size_t i = 0; i < n; i++) {
		if (cols[i].group_len != group_len)
			continue;
		if (group_len ? strncmp(cols[i].key, key, group_len) == 0 : strcmp(cols[i].key, key) == 0)
			return 1;
	}
	return 0;
}

static size_t columns_of(const struct records *rs, struct column **out)
{
	struct column *cols = NULL;
	size_t n = 0;
	for (size_t i = 0; i < rs->n; i++) {
		for (size_t j = 0; j < rs->r[i].n; j++) {
			const char *key = rs->r[i].kv[j].key;
			const char *dot = strchr(key, '.');
			if (dot != NULL && dot != key && !has_column(cols, n, key, (size_t)(dot - key))) {
				cols = grow(cols, n + 1, sizeof *cols);
				cols[n] = (struct column){ .key = key, .group_len = (size_t)(dot - key) };
				upper(cols[n].header, sizeof cols[n].header, key, cols[n].group_len);
				n++;
			}
			if (has_column(cols, n, key, 0))
				continue;
			cols = grow(cols, n + 1, sizeof *cols);
			cols[n] = (struct column){ .key = key };
			upper(cols[n].header, sizeof cols[n].header, dot && dot != key ? dot + 1 : key,
			      strlen(dot && dot != key ? dot + 1 : key));
			n++;
		}
	}
	*out = cols;
	return n;
}

/* The text of one cell; "-" when the record lacks the key. */
static const char *cell(const struct record *r, const struct column *c, char *buf, size_t cap)
{
	if (c->group_len) {
		uint64_t sum = 0;
		int seen = 0;
		for (size_t j = 0; j < r->n; j++) {
			const char *k = r->kv[j].key;
			if (strncmp(k, c->key, c->group_len) != 0 || k[c->group_len] != '.')
				continue;
			if (!all_digits(r->kv[j].value))
				return "-";
			sum += strtoull(r->kv[j].value, NULL, 10);
			seen = 1;
		}
		if (!seen)
			return "-";
		snprintf(buf, cap, "%" PRIu64, sum);
		return buf;
	}
	for (size_t j = 0; j < r->n; j++) {
		if (strcmp(r->kv[j].key, c->key) != 0)
			continue;
		if (strcmp(c->key, "memory") == 0)
			return bytes_text(r->kv[j].value, buf, cap);
		return r->kv[j].value[0] ? r->kv[j].value : "-";
	}
	return "-";
}

/* A count: digits, maybe with a unit letter ("256M"), or "-". */
static int count_like(const char *s)
{
	size_t i = 0;
	if (strcmp(s, "-") == 0)
		return 1;
	while (isdigit((unsigned char)s[i]))
		i++;
	return i > 0 && (s[i] == '\0' || (strchr("KMGT", s[i]) && s[i + 1] == '\0'));
}

void print_table(FILE *f, const struct records *rs)
{
	struct column *cols;
	size_t n = columns_of(rs, &cols);
	char buf[32];

	for (size_t c = 0; c < n; c++) {
		cols[c].width = strlen(cols[c].header);
		cols[c].right = 1;
		for (size_t i = 0; i < rs->n; i++) {
			const char *s = cell(&rs->r[i], &cols[c], buf, sizeof buf);
			size_t w = strlen(s);
			if (w > cols[c].width)
				cols[c].width = w;
			if (!count_like(s))
				cols[c].right = 0;
		}
	}
	for (size_t i = 0; i <= rs->n; i++) {
		for (size_t c = 0; c < n; c++) {
			const char *s = i == 0 ? cols[c].header : cell(&rs->r[i - 1], &cols[c], buf, sizeof buf);
			int pad = (int)(cols[c].width - strlen(s));
			const char *sep = c + 1 < n ? "  " : "";
			if (cols[c].right)
				fprintf(f, "%*s%s%s", pad, "", s, sep);
			else
				fprintf(f, "%s%*s", s, c + 1 < n ? pad + 2 : 0, "");
		}
		fputc('\n', f);
	}
	free(cols);
}

void print_fields(FILE *f, const struct record *r)
{
	size_t width = 0;
	char buf[32];
	for (size_t j = 0; j < r->n; j++)
		if (strlen(r->kv[j].key) > width)
			width = strlen(r->kv[j].key);
	for (size_t j = 0; j < r->n; j++) {
		const char *v = r->kv[j].value;
		if (strcmp(r->kv[j].key, "memory") == 0 && bytes_text(v, buf, sizeof buf) != v)
			fprintf(f, "%-*s  %s (%s bytes)\n", (int)width, r->kv[j].key, buf, v);
		else
			fprintf(f, "%-*s  %s\n", (int)width, r->kv[j].key, v);
	}
}

/* ---- JSON (RFC 8259) ---- */

static void json_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* Digits become a number, unless a leading zero would make it invalid JSON. */
static void json_value(FILE *f, const char *v)
{
	if (all_digits(v) && (v[0] != '0' || v[1] == '\0'))
		fputs(v, f);
	else
		json_string(f, v, strlen(v));
}

static void json_object(FILE *f, const struct record *r)
{
	fputc('{', f);
	for (size_t j = 0; j < r->n; j++) {
		if (j)
			fputc(',', f);
		json_string(f, r->kv[j].key, strlen(r->kv[j].key));
		fputc(':', f);
		json_value(f, r->kv[j].value);
	}
	fputc('}', f);
}

void print_json(FILE *f, const struct records *rs, int as_array)
{
	if (!as_array && rs->n == 1) {
		json_object(f, &rs->r[0]);
	} else {
		fputc('[', f);
		for (size_t i = 0; i < rs->n; i++) {
			if (i)
				fputc(',', f);
			json_object(f, &rs->r[i]);
		}
		fputc(']', f);
	}
	fputc('\n', f);
}

void print_json_lines(FILE *f, const char *key, const char *text, size_t len)
{
	size_t start = 0;
	int first = 1;
	fputc('{', f);
	json_string(f, key, strlen(key));
	fputs(":[", f);
	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t l = end - start;
		if (l > 0 && text[start + l - 1] == '\r')
			l--;
		if (!first)
			fputc(',', f);
		json_string(f, text + start, l);
		first = 0;
		start = end + 1;
	}
	fputs("]}\n", f);
}
