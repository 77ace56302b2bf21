/*
 * The CSV reader. libcsv parses; this file feeds it one physical line at a
 * time (a segment ends after each CR or LF), so that it always knows which
 * line a record starts on, at most one record completes per segment, and
 * an over-long record is caught as it grows. Unquoted fields are trimmed of
 * surrounding spaces and tabs (libcsv's default).
 */
#include "format/csv.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/text.h"

#define READ_CHUNK 65536

struct cb_csv_reader {
	FILE *f;
	const char *name;
	struct csv_parser parser;
	char buf[READ_CHUNK];
	size_t pos, len;
	int eof, finished, failed, bom_checked, any;
	long line;      /* the physical line being fed, 1-based */
	long rec_start; /* where the record being built began; 0: none yet */
	size_t rec_bytes, limit, expect;
	/* the record being built, then handed out */
	cb_buf arena;
	size_t *offs, *lens, nf, capf;
	char **ptrs;
	int ready;
	cb_csv_record out;
};

static void fail(cb_csv_reader *r, long line, const char *what)
{
	if (!r->failed)
		cb_error_set(CB_EINVALID, "%s:%ld: %s", r->name, line, what);
	r->failed = 1;
}

static void on_field(void *data, size_t len, void *ctx)
{
	cb_csv_reader *r = ctx;
	size_t bad;

	if (r->failed)
		return;
	if (r->nf == r->capf) {
		size_t cap = r->capf ? r->capf * 2 : 16;
		size_t *offs = realloc(r->offs, cap * sizeof(*offs));
		size_t *lens = offs ? realloc(r->lens, cap * sizeof(*lens)) : NULL;

		if (offs)
			r->offs = offs;
		if (!lens) {
			fail(r, r->line, "out of memory");
			return;
		}
		r->lens = lens;
		r->capf = cap;
	}
	bad = cb_utf8_invalid_at(data ? data : "", len);
	if (bad != (size_t)-1) {
		char msg[120];

		snprintf(msg, sizeof(msg), "not valid UTF-8 (byte 0x%02X in field %zu)",
			 ((unsigned char *)data)[bad], r->nf + 1);
		fail(r, r->rec_start ? r->rec_start : r->line, msg);
		return;
	}
	r->offs[r->nf] = r->arena.len;
	r->lens[r->nf] = len;
	if (cb_buf_append(&r->arena, data ? data : "", len) < 0 ||
	    cb_buf_putc(&r->arena, '\0') < 0) {
		fail(r, r->line, "out of memory");
		return;
	}
	r->nf++;
}

static void on_record(int c, void *ctx)
{
	cb_csv_reader *r = ctx;

	(void)c;
	if (!r->failed)
		r->ready = 1;
}

int cb_csv_open(FILE *f, const char *name, cb_csv_reader **out)
{
	cb_csv_reader *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return cb_error_set(CB_ENOMEM, "out of memory");
	if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		free(r);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	r->f = f;
	r->name = name;
	r->line = 1;
	r->limit = CB_CSV_RECORD_MAX;
	*out = r;
	return 0;
}

void cb_csv_close(cb_csv_reader *r)
{
	if (!r)
		return;
	csv_free(&r->parser);
	cb_buf_free(&r->arena);
	free(r->offs);
	free(r->lens);
	free(r->ptrs);
	free(r);
}

void cb_csv_set_limit(cb_csv_reader *r, size_t max_record)
{
	r->limit = max_record;
}

static int refill(cb_csv_reader *r)
{
	r->pos = 0;
	r->len = fread(r->buf, 1, sizeof(r->buf), r->f);
	if (r->len == 0) {
		if (ferror(r->f))
			return cb_error_set(CB_EIO, "%s: cannot read the file", r->name);
		r->eof = 1;
	}
	if (!r->bom_checked && r->len) {
		r->bom_checked = 1;
		if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
			r->pos = 3;
	}
	return 0;
}

/* Hands out the record just completed. */
static int emit(cb_csv_reader *r, const cb_csv_record **rec)
{
	char **ptrs;

	r->ready = 0;
	ptrs = realloc(r->ptrs, (r->nf ? r->nf : 1) * sizeof(*ptrs));
	if (!ptrs)
		return cb_error_set(CB_ENOMEM, "out of memory");
	r->ptrs = ptrs;
	for (size_t i = 0; i < r->nf; i++)
		ptrs[i] = r->arena.ptr + r->offs[i];
	r->out.n = r->nf;
	r->out.fields = ptrs;
	r->out.lens = r->lens;
	r->out.line = r->rec_start ? r->rec_start : r->line;
	r->rec_start = 0;
	r->rec_bytes = 0;
	r->any = 1;
	if (r->expect && r->nf != r->expect) {
		char msg[100];

		snprintf(msg, sizeof(msg), "%zu fields, the header has %zu", r->nf, r->expect);
		fail(r, r->out.line, msg);
		return CB_EINVALID;
	}
	*rec = &r->out;
	return 1;
}

int cb_csv_next(cb_csv_reader *r, const cb_csv_record **rec)
{
	int rc;

	*rec = NULL;
	if (r->failed)
		return CB_EINVALID;
	if (r->finished)
		return 0;
	/* The previous record's storage is reused. */
	cb_buf_clear(&r->arena);
	r->nf = 0;
	for (;;) {
		const char *seg;
		size_t n = 0, parsed;
		int newline;

		if (r->pos == r->len) {
			if (r->eof || (rc = refill(r)) < 0 || r->eof) {
				if (rc < 0)
					return rc;
				if (csv_fini(&r->parser, on_field, on_record, r) != 0) {
					fail(r, r->rec_start ? r->rec_start : r->line,
					     "a quoted field is never closed (its record starts here)");
					return CB_EINVALID;
				}
				r->finished = 1;
				if (r->failed)
					return CB_EINVALID;
				return r->ready ? emit(r, rec) : 0;
			}
			continue;
		}
		seg = r->buf + r->pos;
		while (r->pos + n < r->len && seg[n] != '\n' && seg[n] != '\r' && seg[n] != '\0')
			n++;
		if (r->pos + n < r->len && seg[n] == '\0') {
			fail(r, r->line, "NUL byte");
			return CB_EINVALID;
		}
		newline = r->pos + n < r->len;
		if (newline)
			n++; /* the CR or LF itself */
		if (!r->rec_start && !(n == 1 && newline))
			r->rec_start = r->line;
		r->rec_bytes += n;
		if (r->rec_bytes > r->limit) {
			char msg[80];

			snprintf(msg, sizeof(msg), "record longer than %zu bytes", r->limit);
			fail(r, r->rec_start ? r->rec_start : r->line, msg);
			return CB_EINVALID;
		}
		parsed = csv_parse(&r->parser, seg, n, on_field, on_record, r);
		r->pos += n;
		if (newline && seg[n - 1] == '\n')
			r->line++;
		if (parsed != n) {
			fail(r, newline && seg[n - 1] == '\n' ? r->line - 1 : r->line,
			     csv_error(&r->parser) == CSV_EPARSE
				     ? "malformed quotes (a quote inside an unquoted field, or text "
				       "right after a closing quote)"
				     : "out of memory");
			return CB_EINVALID;
		}
		if (r->failed)
			return CB_EINVALID;
		if (r->ready)
			return emit(r, rec);
	}
}

static void trimmed_lower(const char *s, char *out, size_t outlen)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	cb_text_lower(out, outlen, s);
	len = strlen(out);
	while (len && (out[len - 1] == ' ' || out[len - 1] == '\t'))
		out[--len] = '\0';
}

int cb_csv_header(cb_csv_reader *r, const char *const *required, const char *const *optional,
		  cb_csv_columns *cols)
{
	const cb_csv_record *h;
	int rc;

	memset(cols, 0, sizeof(*cols));
	for (const char *const *lists[2] = {required, optional}, *const **l = lists; l < lists + 2;
	     l++)
		for (const char *const *name = *l; name && *name; name++) {
			if (cols->n == CB_CSV_COLUMNS_MAX)
				return cb_error_set(CB_EINVALID, "too many columns");
			cols->names[cols->n] = *name;
			cols->index[cols->n++] = -1;
		}
	rc = cb_csv_next(r, &h);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return cb_error_set(CB_EINVALID, "%s: the file is empty; it needs a header line naming its columns",
				    r->name);
	for (size_t i = 0; i < h->n; i++) {
		char name[64];
		size_t k;

		trimmed_lower(h->fields[i], name, sizeof(name));
		for (k = 0; k < cols->n; k++)
			if (strcmp(cols->names[k], name) == 0)
				break;
		if (k == cols->n) {
			const char *hint = cb_text_suggest(name, cols->names, cols->n);

			if (hint)
				return cb_error_set(CB_EINVALID, "%s:%ld: unknown column '%.60s' (did you mean '%s'?)",
						    r->name, h->line, h->fields[i], hint);
			return cb_error_set(CB_EINVALID, "%s:%ld: unknown column '%.60s'", r->name,
					    h->line, h->fields[i]);
		}
		if (cols->index[k] >= 0)
			return cb_error_set(CB_EINVALID, "%s:%ld: column '%s' appears twice", r->name,
					    h->line, cols->names[k]);
		cols->index[k] = (int)i;
	}
	for (const char *const *name = required; name && *name; name++) {
		for (size_t k = 0; k < cols->n; k++) {
			if (strcmp(cols->names[k], *name) != 0 || cols->index[k] >= 0)
				continue;
			{
				cb_buf have = CB_BUF_INIT;

				for (size_t i = 0; i < h->n; i++)
					cb_buf_printf(&have, "%s%s", i ? ", " : "", h->fields[i]);
				rc = cb_error_set(CB_EINVALID, "%s:%ld: missing column '%s' (the header has: %s)",
						  r->name, h->line, *name, cb_buf_cstr(&have));
				cb_buf_free(&have);
				return rc;
			}
		}
	}
	r->expect = h->n;
	return 0;
}

const char *cb_csv_field(const cb_csv_record *rec, const cb_csv_columns *cols, const char *name)
{
	for (size_t k = 0; k < cols->n; k++)
		if (strcmp(cols->names[k], name) == 0)
			return cols->index[k] >= 0 && (size_t)cols->index[k] < rec->n
				       ? rec->fields[cols->index[k]]
				       : "";
	return "";
}
