/*
 * Table, CSV and JSON writers for command output. Column widths count UTF-8
 * code points (each taken as one column wide); long cells are cut with "…"
 * in tables only.
 */
#define _GNU_SOURCE /* memmem */
#include "format/output.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/buf.h"
#include "base/error.h"

/* 15 significant digits: 0.95 prints as 0.95, not as its nearest binary
 * double spelled out. */
#define JSON_FLAGS (JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))

#define CELL_MAX 4096   /* bytes of one rendered cell */
#define COLUMN_MAX 48   /* display width at which a table cell is cut */

static size_t display_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

/* Byte length of the first `cols` code points of s. */
static size_t prefix_bytes(const char *s, size_t cols)
{
	size_t i = 0, w = 0;

	while (s[i]) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (w == cols)
				break;
			w++;
		}
		i++;
	}
	return i;
}

static void scalar_into(const json_t *v, cb_buf *b)
{
	char num[64];

	switch (json_typeof(v)) {
	case JSON_STRING:
		cb_buf_append(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		cb_buf_puts(b, num);
		break;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.6g", json_real_value(v));
		cb_buf_puts(b, num);
		break;
	case JSON_TRUE:
		cb_buf_puts(b, "true");
		break;
	case JSON_FALSE:
		cb_buf_puts(b, "false");
		break;
	case JSON_NULL:
		cb_buf_puts(b, "-");
		break;
	case JSON_ARRAY: {
		size_t i;
		json_t *item;

		if (json_array_size(v) == 0)
			cb_buf_puts(b, "-");
		json_array_foreach(v, i, item) {
			if (i)
				cb_buf_puts(b, ", ");
			if (json_is_object(item) || json_is_array(item))
				cb_buf_puts(b, "…");
			else
				scalar_into(item, b);
		}
		break;
	}
	case JSON_OBJECT:
		cb_buf_puts(b, "…");
		break;
	}
}

void cb_output_scalar_text(const json_t *v, char *out, size_t outlen)
{
	cb_buf b = CB_BUF_INIT;

	if (!outlen)
		return;
	scalar_into(v, &b);
	snprintf(out, outlen, "%s", cb_buf_cstr(&b));
	cb_buf_free(&b);
}

void cb_output_csv_field(FILE *f, const char *s)
{
	size_t len = strlen(s);
	int quote = len && (s[0] == ' ' || s[len - 1] == ' ');

	if (!quote && strpbrk(s, ",\"\r\n"))
		quote = 1;
	if (!quote) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int is_list(const json_t *v)
{
	size_t i;
	json_t *item;

	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, item) if (!json_is_object(item)) return 0;
	return 1;
}

/* Collects the column names: the first row's keys, then any new ones. */
static int list_columns(const json_t *rows, const char ***cols, size_t *ncols)
{
	size_t i, cap = 0;
	json_t *row;

	*cols = NULL;
	*ncols = 0;
	json_array_foreach(rows, i, row) {
		const char *key;
		json_t *val;

		json_object_foreach((json_t *)row, key, val) {
			size_t k;

			(void)val;
			for (k = 0; k < *ncols; k++)
				if (strcmp((*cols)[k], key) == 0)
					break;
			if (k < *ncols)
				continue;
			if (*ncols == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				const char **c = realloc(*cols, ncap * sizeof(*c));

				if (!c)
					return cb_error_set(CB_ENOMEM, "out of memory");
				*cols = c;
				cap = ncap;
			}
			(*cols)[(*ncols)++] = key;
		}
	}
	return 0;
}

static void cell_text(const json_t *row, const char *col, char *out, size_t outlen)
{
	const json_t *v = json_object_get(row, col);

	if (!v) {
		snprintf(out, outlen, "-");
		return;
	}
	cb_output_scalar_text(v, out, outlen);
	/* One line per row in a table. */
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
}

static int render_table(FILE *f, const json_t *rows, const char *indent)
{
	const char **cols;
	size_t ncols, *width, i, c;
	char *cell;
	json_t *row;
	int rc;

	if ((rc = list_columns(rows, &cols, &ncols)) < 0)
		return rc;
	if (json_array_size(rows) == 0) {
		fprintf(f, "%s(none)\n", indent);
		free(cols);
		return 0;
	}
	width = calloc(ncols ? ncols : 1, sizeof(*width));
	cell = malloc(CELL_MAX);
	if (!width || !cell) {
		free(width), free(cell), free(cols);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	for (c = 0; c < ncols; c++)
		width[c] = display_width(cols[c]);
	json_array_foreach(rows, i, row) {
		for (c = 0; c < ncols; c++) {
			size_t w;

			cell_text(row, cols[c], cell, CELL_MAX);
			w = display_width(cell);
			if (w > COLUMN_MAX)
				w = COLUMN_MAX;
			if (w > width[c])
				width[c] = w;
		}
	}
	fputs(indent, f);
	for (c = 0; c < ncols; c++) {
		if (c + 1 < ncols)
			fprintf(f, "%-*s  ", (int)width[c], cols[c]);
		else
			fputs(cols[c], f);
	}
	fputc('\n', f);
	json_array_foreach(rows, i, row) {
		fputs(indent, f);
		for (c = 0; c < ncols; c++) {
			size_t w, bytes;

			cell_text(row, cols[c], cell, CELL_MAX);
			w = display_width(cell);
			if (w > COLUMN_MAX) {
				bytes = prefix_bytes(cell, COLUMN_MAX - 1);
				fwrite(cell, 1, bytes, f);
				fputs("…", f);
				w = COLUMN_MAX;
			} else {
				fputs(cell, f);
			}
			if (c + 1 < ncols)
				fprintf(f, "%*s", (int)(width[c] - w + 2), "");
		}
		fputc('\n', f);
	}
	free(width), free(cell), free(cols);
	return 0;
}

static int render_record(FILE *f, const json_t *obj)
{
	const char *key;
	json_t *val;
	size_t keyw = 0;
	char *cell = malloc(CELL_MAX);
	int rc = 0;

	if (!cell)
		return cb_error_set(CB_ENOMEM, "out of memory");
	json_object_foreach((json_t *)obj, key, val) {
		if (!(is_list(val) && json_array_size(val) > 0) && strlen(key) > keyw)
			keyw = strlen(key);
	}
	json_object_foreach((json_t *)obj, key, val) {
		if (is_list(val) && json_array_size(val) > 0)
			continue;
		cb_output_scalar_text(val, cell, CELL_MAX);
		fprintf(f, "%-*s  %s\n", (int)keyw + 1, key, cell);
	}
	json_object_foreach((json_t *)obj, key, val) {
		if (!(is_list(val) && json_array_size(val) > 0))
			continue;
		fprintf(f, "\n%s:\n", key);
		if ((rc = render_table(f, val, "  ")) < 0)
			break;
	}
	free(cell);
	return rc;
}

static int render_csv(FILE *f, const json_t *rows)
{
	const char **cols;
	size_t ncols, i, c;
	char *cell;
	json_t *row;
	int rc;

	if (!is_list(rows))
		return cb_error_set(CB_EUSAGE, "--csv needs a list; use --json for a single record");
	if ((rc = list_columns(rows, &cols, &ncols)) < 0)
		return rc;
	cell = malloc(CELL_MAX);
	if (!cell) {
		free(cols);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	for (c = 0; c < ncols; c++) {
		if (c)
			fputc(',', f);
		cb_output_csv_field(f, cols[c]);
	}
	fputs("\r\n", f);
	json_array_foreach(rows, i, row) {
		for (c = 0; c < ncols; c++) {
			const json_t *v = json_object_get(row, cols[c]);

			if (c)
				fputc(',', f);
			if (!v || json_is_null(v))
				continue;
			if (json_is_array(v)) {
				/* Lists inside a cell are ';'-separated, as
				 * the importers read them. */
				cb_buf b = CB_BUF_INIT;
				size_t k;
				json_t *item;

				json_array_foreach(v, k, item) {
					if (k)
						cb_buf_putc(&b, ';');
					scalar_into(item, &b);
				}
				cb_output_csv_field(f, cb_buf_cstr(&b));
				cb_buf_free(&b);
				continue;
			}
			cb_output_scalar_text(v, cell, CELL_MAX);
			cb_output_csv_field(f, cell);
		}
		fputs("\r\n", f);
	}
	free(cell);
	free(cols);
	return 0;
}

/* --- lists made while they are written --------------------------------------- */

/* A placeholder is the string "\x01cb-list-NONCE-I", which the JSON writer
 * spells with \u0001: its start as written, and the longest it can be. */
#define LIST_MARK "\"\\u0001cb-list-"
#define LIST_MARK_MAX 64

json_t *cb_output_stream_list(cb_output_stream *s, cb_output_item_fn item, const void *ctx,
			      size_t n)
{
	char mark[LIST_MARK_MAX];

	if (!s->nonce) {
		unsigned long long v = 0;

		if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
			v = (unsigned long long)time(NULL) ^ (unsigned long long)(uintptr_t)s;
		s->nonce = v | 1;
	}
	if (cb_array_reserve(&s->lists, &s->cap, s->n, sizeof(*s->lists), 4) < 0)
		return NULL;
	s->lists[s->n] = (cb_output_list){item, ctx, n};
	snprintf(mark, sizeof(mark), "\001cb-list-%016llx-%zu", s->nonce, s->n);
	s->n++;
	return json_string(mark);
}

void cb_output_stream_free(cb_output_stream *s)
{
	free(s->lists);
	*s = (cb_output_stream)CB_OUTPUT_STREAM_INIT;
}

/* The writer between jansson and the file: it holds back what may be the
 * start of a placeholder until it knows, and writes a list in its place. */
typedef struct list_writer {
	FILE *f;
	const cb_output_stream *s;
	cb_buf held;
	char mark[LIST_MARK_MAX]; /* LIST_MARK NONCE "-" */
	size_t mark_len;
	size_t indent;  /* leading blanks of the line being written */
	int leading;    /* still in them */
	int failed;     /* CB_E* code, or 0 */
} list_writer;

static void put(list_writer *w, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n')
			w->indent = 0, w->leading = 1;
		else if (p[i] == ' ' && w->leading)
			w->indent++;
		else
			w->leading = 0;
	}
	if (n && fwrite(p, 1, n, w->f) != n && !w->failed)
		w->failed = cb_error_set(CB_EIO, "cannot write output");
}

static void blanks(list_writer *w, size_t n)
{
	static const char sp[] = "                                ";

	for (; n > 0 && !w->failed; n -= n < 32 ? n : 32)
		put(w, sp, n < 32 ? n : 32);
}

/* List i laid out as jansson lays out an array on a line indented by
 * `indent`: each item on its own lines, 2 blanks deeper. */
static void put_list(list_writer *w, const cb_output_list *l)
{
	size_t indent = w->indent;

	if (l->n == 0) {
		put(w, "[]", 2);
		return;
	}
	put(w, "[\n", 2);
	for (size_t i = 0; i < l->n && !w->failed; i++) {
		json_t *v = l->item(l->ctx, i);
		char *text = v ? json_dumps(v, JSON_FLAGS) : NULL;
		const char *p = text;

		json_decref(v);
		if (!text) {
			w->failed = cb_error_set(CB_ENOMEM, "out of memory while writing the JSON output");
			break;
		}
		blanks(w, indent + 2);
		for (const char *nl; (nl = strchr(p, '\n')); p = nl + 1) {
			put(w, p, (size_t)(nl - p) + 1);
			blanks(w, indent + 2);
		}
		put(w, p, strlen(p));
		put(w, i + 1 < l->n ? ",\n" : "\n", i + 1 < l->n ? 2 : 1);
		free(text);
	}
	blanks(w, indent);
	put(w, "]", 1);
}

/* Writes what is held, but for a tail that may begin a placeholder unless
 * `all`; a whole placeholder is replaced by its list. */
static void drain(list_writer *w, int all)
{
	size_t at = 0;

	if (!w->held.ptr)
		return;
	while (!w->failed) {
		const char *p = w->held.ptr + at, *end = w->held.ptr + w->held.len;
		const char *m = memmem(p, (size_t)(end - p), w->mark, w->mark_len);
		size_t i = 0;
		const char *q;

		if (!m) {
			size_t keep = all ? 0 : w->mark_len + 24;
			size_t n = (size_t)(end - p) > keep ? (size_t)(end - p) - keep : 0;

			put(w, p, n);
			at += n;
			break;
		}
		put(w, p, (size_t)(m - p));
		at += (size_t)(m - p);
		for (q = m + w->mark_len; q < end && *q >= '0' && *q <= '9'; q++)
			i = i * 10 + (size_t)(*q - '0');
		if (q == end && !all)
			break; /* the rest comes next */
		if (q == end || *q != '"' || q == m + w->mark_len || i >= w->s->n) {
			/* Not one of ours: written as it is. */
			put(w, m, 1);
			at++;
			continue;
		}
		put_list(w, &w->s->lists[i]);
		at += (size_t)(q + 1 - m);
	}
	memmove(w->held.ptr, w->held.ptr + at, w->held.len - at);
	w->held.len -= at;
}

static int on_dump(const char *buffer, size_t size, void *data)
{
	list_writer *w = data;

	if (cb_buf_append(&w->held, buffer, size) < 0) {
		w->failed = CB_ENOMEM;
		return -1;
	}
	if (w->held.len >= 65536)
		drain(w, 0);
	return w->failed ? -1 : 0;
}

int cb_output_stream_render(FILE *f, const json_t *value, const cb_output_stream *s)
{
	list_writer w = {f, s, CB_BUF_INIT, {0}, 0, 0, 1, 0};
	int rc;

	w.mark_len = (size_t)snprintf(w.mark, sizeof(w.mark), LIST_MARK "%016llx-", s->nonce);
	rc = json_dump_callback(value, on_dump, &w, JSON_FLAGS);
	if (rc == 0)
		drain(&w, 1);
	cb_buf_free(&w.held);
	if (w.failed)
		return w.failed;
	if (rc < 0)
		return cb_error_set(CB_EIO, "cannot write output");
	if (fputc('\n', f) == EOF || fflush(f) != 0 || ferror(f))
		return cb_error_set(CB_EIO, "cannot write output");
	return 0;
}

int cb_output_render(FILE *f, const json_t *value, cb_output_mode mode)
{
	int rc = 0;

	switch (mode) {
	case CB_OUTPUT_JSON:
		/* 15 significant digits: 0.95 prints as 0.95, not as its
		 * nearest binary double spelled out. */
		if (json_dumpf(value, f, JSON_FLAGS) < 0)
			return cb_error_set(CB_EIO, "cannot write output");
		fputc('\n', f);
		break;
	case CB_OUTPUT_CSV:
		rc = render_csv(f, value);
		break;
	case CB_OUTPUT_TEXT:
		if (is_list(value))
			rc = render_table(f, value, "");
		else if (json_is_object(value))
			rc = render_record(f, value);
		else {
			char cell[CELL_MAX];

			cb_output_scalar_text(value, cell, sizeof(cell));
			fprintf(f, "%s\n", cell);
		}
		break;
	}
	if (rc == 0 && (fflush(f) != 0 || ferror(f)))
		return cb_error_set(CB_EIO, "cannot write output");
	return rc;
}
