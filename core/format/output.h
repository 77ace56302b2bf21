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

/* Writes one field per RFC 4180: quoted when it holds a comma, quote, CR or
 * LF, or leading/trailing space, with quotes doubled. */
void cb_output_csv_field(FILE *f, const char *s);

/* A scalar as display text into out (outlen bytes): strings as they are,
 * integers in decimal, reals with up to 6 significant digits, true/false,
 * null as "-", an array of scalars joined by ", ". */
void cb_output_scalar_text(const json_t *v, char *out, size_t outlen);

#endif
