/* The hypervisor's answers, for people and for programs (docs/wvctl.md,
 * "Output"). An answer is text: one record per line, each a list of
 * space-separated key=value pairs. */
#ifndef WVCTL_RENDER_H
#define WVCTL_RENDER_H

#include <stddef.h>
#include <stdio.h>

struct kv {
	const char *key;
	const char *value; /* "" for a word without '=' */
};

struct record {
	struct kv *kv;
	size_t n;
};

struct records {
	struct record *r;
	size_t n;
};

/* Splits `text` (NUL-terminated; modified in place, and must outlive `out`)
 * into records, one per non-empty line. */
void records_parse(struct records *out, char *text);
void records_free(struct records *rs);

/* A table: a column per key, in the order keys first appear; keys "group.x"
 * get a column "X" after a column "GROUP" holding their sum. */
void print_table(FILE *f, const struct records *rs);
/* One record as "key  value" lines. */
void print_fields(FILE *f, const struct record *r);
/* Each record a JSON object, values of digits as numbers; an array of them,
 * or the one object when `as_array` is 0 and there is exactly one record. */
void print_json(FILE *f, const struct records *rs, int as_array);
/* Text lines as {"log":["line", ...]}. */
void print_json_lines(FILE *f, const char *key, const char *text, size_t len);

#endif
