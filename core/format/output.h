/*
 * Rendering command output. Every command builds its result as a JSON value
 * (the stable shape scripts read with --json); the same value is rendered as
 * a readable table or as CSV, so the three views can never disagree.
 *
 * Shapes: a list is an array of flat objects (one per row, same keys in the
 * same order); a record is an object whose values are scalars, arrays of
 * scalars, or arrays of flat objects (sub-lists, shown as tables).
 */
#ifndef CB_FORMAT_OUTPUT_H
#define CB_FORMAT_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

typedef enum cb_output_mode {
	CB_OUTPUT_TEXT,
	CB_OUTPUT_JSON,
	CB_OUTPUT_CSV
} cb_output_mode;

/* Writes `value` to `f` in `mode`. CSV takes a list only (an array of
 * objects); a record in CSV mode is an error (CB_EUSAGE). Returns 0 or a
 * CB_E* code (CB_EIO when writing fails). */
int cb_output_render(FILE *f, const json_t *value, cb_output_mode mode);

/*
 * Lists made while they are written. A JSON output may hold lists of
 * millions of rows (an impact's per-account detail): as a tree, jansson
 * would hold a few hundred bytes per value of them. Such a list goes into
 * the tree as a placeholder (cb_output_stream_list), and
 * cb_output_stream_render writes the tree with each placeholder replaced by
 * its items, made and written one at a time, laid out exactly as a list in
 * the tree would be. A placeholder is a string no data can forge: it holds
 * a random number drawn for the stream.
 */
typedef json_t *(*cb_output_item_fn)(const void *ctx, size_t i); /* a new reference; NULL: memory */

typedef struct cb_output_list {
	cb_output_item_fn item;
	const void *ctx;
	size_t n;
} cb_output_list;

typedef struct cb_output_stream {
	unsigned long long nonce;
	cb_output_list *lists;
	size_t n, cap;
} cb_output_stream;

#define CB_OUTPUT_STREAM_INIT {0, NULL, 0, 0}

/* The placeholder of a list of n items, item(ctx, 0 .. n-1): a new string
 * value to put where the list goes; NULL when out of memory. */
json_t *cb_output_stream_list(cb_output_stream *s, cb_output_item_fn item, const void *ctx,
			      size_t n);
/* Writes `value` as JSON (as cb_output_render does) with its placeholders'
 * lists. Returns 0 or CB_EIO / CB_ENOMEM. */
int cb_output_stream_render(FILE *f, const json_t *value, const cb_output_stream *s);
void cb_output_stream_free(cb_output_stream *s);

/* Writes one field per RFC 4180: quoted when it holds a comma, quote, CR or
 * LF, or leading/trailing space, with quotes doubled. */
void cb_output_csv_field(FILE *f, const char *s);

/* A scalar as display text into out (outlen bytes): strings as they are,
 * integers in decimal, reals with up to 6 significant digits, true/false,
 * null as "-", an array of scalars joined by ", ". */
void cb_output_scalar_text(const json_t *v, char *out, size_t outlen);

#endif
