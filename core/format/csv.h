/*
 * Reading CSV (RFC 4180) as a stream of records, built on libcsv: quoted
 * fields with commas, doubled quotes and line breaks, CRLF or LF, a UTF-8
 * byte order mark skipped, blank lines skipped. Every record carries the
 * line it starts on, and every error says NAME:LINE. Memory is bounded by
 * the longest record (itself capped), never by the file's size.
 */
#ifndef CB_FORMAT_CSV_H
#define CB_FORMAT_CSV_H

#include <stddef.h>
#include <stdio.h>

#define CB_CSV_RECORD_MAX (1u << 20) /* bytes of one record, by default */
#define CB_CSV_COLUMNS_MAX 32

typedef struct cb_csv_reader cb_csv_reader;

typedef struct cb_csv_record {
	size_t n;      /* fields, at least 1 */
	char **fields; /* NUL-terminated; valid until the next cb_csv_next */
	size_t *lens;  /* their lengths in bytes */
	long line;     /* the physical line the record starts on, 1-based */
} cb_csv_record;

/* Starts reading `f` (borrowed; the caller closes it). `name` (borrowed,
 * e.g. the path or "<stdin>") is the file as messages call it. Caller
 * frees with cb_csv_close. */
int cb_csv_open(FILE *f, const char *name, cb_csv_reader **out);
void cb_csv_close(cb_csv_reader *r);

/* Changes the record size limit (bytes; default CB_CSV_RECORD_MAX). */
void cb_csv_set_limit(cb_csv_reader *r, size_t max_record);

/* Whether lines without a quote are split by the reader itself, as libcsv
 * would split them (on by default, and faster); off hands every line to
 * libcsv, for the tests that hold the two to the same records. */
void cb_csv_set_plain(cb_csv_reader *r, int on);

/* The next record: returns 1 with *rec set, 0 at the end, CB_EIO when the
 * file cannot be read, or CB_EINVALID ("NAME:LINE: what") for a quoted
 * field never closed, malformed quotes (a quote inside an unquoted field,
 * text after a closing quote), a NUL byte, invalid UTF-8, a record over
 * the limit (found before reading further), a file with no record at all
 * ("NAME: the file is empty"), or (after cb_csv_header) a record whose
 * field count differs from the header's. Lines end with LF, CRLF or a lone
 * CR. After an error the reader is done and keeps returning it. */
int cb_csv_next(cb_csv_reader *r, const cb_csv_record **rec);

/* Reads the rest of the file without parsing it, for a caller that stops
 * early and wants to say how much it left: *lines is the number of lines
 * after the last record handed out. The reader is done afterwards.
 * Returns 0 or CB_EIO. */
int cb_csv_skip_rest(cb_csv_reader *r, long *lines);

/* Which column holds which named field. */
typedef struct cb_csv_columns {
	size_t n;
	const char *names[CB_CSV_COLUMNS_MAX]; /* borrowed from the caller's lists */
	int index[CB_CSV_COLUMNS_MAX];         /* column, or -1 when absent */
} cb_csv_columns;

/* Reads the first record as the header and maps the NULL-terminated lists
 * of `required` and `optional` names (lowercase; header names are compared
 * trimmed and case-insensitively) to columns. From then on cb_csv_next
 * refuses a record with a different number of fields. Errors (CB_EINVALID,
 * "NAME:LINE: what"): an empty file, a missing required column (listing
 * the header), an unknown column (suggesting a close name), a column named
 * twice, a column without a name. */
int cb_csv_header(cb_csv_reader *r, const char *const *required, const char *const *optional,
		  cb_csv_columns *cols);

/* The field named `name` in `rec` ("" when the column is absent).
 * Borrowed from `rec`. */
const char *cb_csv_field(const cb_csv_record *rec, const cb_csv_columns *cols, const char *name);

/* The column of the field named `name`, or -1 when it is absent: looked up
 * once, for a loop over many records to read with cb_csv_field_at. */
int cb_csv_column(const cb_csv_columns *cols, const char *name);

/* The field in `column` of `rec` ("" for -1). Borrowed from `rec`. */
const char *cb_csv_field_at(const cb_csv_record *rec, int column);

#endif
