/*
 * The CSV reader. libcsv parses; this file feeds it one physical line at a
 * time (up to and including its LF, CRLF or lone CR; a line longer than the
 * read buffer goes in pieces), so that it knows the line each record starts
 * on, at most one record completes per feed, and an over-long record is
 * refused before more of it is read. Blank lines never reach libcsv.
 * Unquoted fields are trimmed of surrounding spaces and tabs (libcsv's
 * default). A whole line that starts a record and holds no quote (most
 * lines of most files) is split here instead, the way libcsv splits it:
 * its fields are the text between commas, trimmed, each ended by a NUL
 * written over the comma, space or line break after it in the read
 * buffer, where the record's fields stay until the next record.
 */
#include "format/csv.h"

#include <assert.h>
#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/text.h"

#define READ_CHUNK 65536
#define PARSER_BLOCK 16384 /* libcsv grows its field buffer by this much */

struct cb_csv_reader {
	FILE *f;
	const char *name;
	struct csv_parser parser;
	char buf[READ_CHUNK];
	size_t pos, len; /* the unread bytes are buf[pos..len) */
	int eof, started, done, empty;
	int failed;        /* the error code once failed, else 0 */
	long line;         /* the physical line being fed, 1-based */
	size_t col;        /* bytes of that line fed before the current piece */
	long rec_start;    /* the line the record being built starts on; 0: none */
	size_t rec_bytes;  /* bytes of that record fed so far */
	long quote_line;   /* where the quoted field still open began; 0: none */
	size_t quote_field;
	size_t limit;
	size_t expect;     /* fields per record, from the header; 0: any */
	long records;      /* records handed out */
	/* The record being built, then handed out: its fields packed into
	 * arena, each with its NUL. */
	cb_buf arena;
	size_t *offs, *lens, nf, capf;
	char **ptrs;
	int ready; /* libcsv has completed a record */
	int plain; /* split lines without quotes here (cb_csv_set_plain) */
	cb_csv_record out;
};

static int fail(cb_csv_reader *r, int code, long line, const char *fmt, ...) CB_PRINTF(4, 5);

/* Records the reader's one error, "NAME:LINE: what" ("NAME: what" when
 * line is 0); returns its code. The first error stays. */
static int fail(cb_csv_reader *r, int code, long line, const char *fmt, ...)
{
	char what[300];
	va_list ap;

	if (r->failed)
		return r->failed;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (line > 0)
		cb_error_set(code, "%s:%ld: %s", r->name, line, what);
	else
		cb_error_set(code, "%s: %s", r->name, what);
	r->failed = code;
	return code;
}

static int grow_fields(cb_csv_reader *r)
{
	size_t cap = r->capf ? r->capf * 2 : 16;
	size_t *offs, *lens;
	char **ptrs;

	if ((offs = realloc(r->offs, cap * sizeof(*offs))))
		r->offs = offs;
	if ((lens = realloc(r->lens, cap * sizeof(*lens))))
		r->lens = lens;
	if ((ptrs = realloc(r->ptrs, cap * sizeof(*ptrs))))
		r->ptrs = ptrs;
	if (!offs || !lens || !ptrs)
		return CB_ENOMEM;
	r->capf = cap;
	return 0;
}

/* Counts the line breaks in s[0..len), as the reader counts lines. */
static long line_breaks(const char *s, size_t len)
{
	long n = 0;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n')))
			n++;
	return n;
}

/* libcsv's field callback: checks the field and packs it into the arena.
 * With CSV_APPEND_NULL, data[len] is a NUL, copied along. */
static void on_field(void *data, size_t len, void *ctx)
{
	cb_csv_reader *r = ctx;
	const char *s = data ? data : "";
	size_t bad;

	r->quote_line = 0;
	if (r->failed)
		return;
	if (r->nf == r->capf && grow_fields(r) < 0) {
		fail(r, CB_ENOMEM, r->line, "out of memory");
		return;
	}
	bad = cb_utf8_invalid_at(s, len);
	if (bad != (size_t)-1) {
		/* The field ends on the line being fed; the bad byte may sit
		 * on an earlier one of a quoted field's lines. */
		fail(r, CB_EINVALID, r->line - line_breaks(s + bad, len - bad),
		     "not valid UTF-8 (byte 0x%02X in field %zu); save the file as UTF-8",
		     (unsigned char)s[bad], r->nf + 1);
		return;
	}
	r->offs[r->nf] = r->arena.len;
	r->lens[r->nf] = len;
	if (cb_buf_append(&r->arena, data ? data : "", len + 1) < 0) {
		fail(r, CB_ENOMEM, r->line, "out of memory");
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
	csv_set_blk_size(&r->parser, PARSER_BLOCK);
	r->f = f;
	r->name = name;
	r->line = 1;
	r->limit = CB_CSV_RECORD_MAX;
	r->plain = 1;
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

void cb_csv_set_plain(cb_csv_reader *r, int on)
{
	r->plain = on;
}

/* Moves the unread bytes to the front of the buffer and reads more after
 * them. At the very start, skips a UTF-8 byte order mark and refuses
 * UTF-16. */
static int refill(cb_csv_reader *r)
{
	size_t got;

	assert(r->pos > 0 || r->len < sizeof(r->buf));
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	got = fread(r->buf + r->len, 1, sizeof(r->buf) - r->len, r->f);
	if (got == 0) {
		if (ferror(r->f))
			return fail(r, CB_EIO, 0, "cannot read: %s", strerror(errno));
		r->eof = 1;
	}
	r->len += got;
	if (!r->started && (r->len >= 3 || r->eof)) {
		const unsigned char *u = (const unsigned char *)r->buf;

		r->started = 1;
		if (r->len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
			r->pos = 3;
		else if (r->len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
			return fail(r, CB_EINVALID, 1, "the file is UTF-16; save it as UTF-8");
	}
	return 0;
}

/* Finds the next piece to feed, buf[pos..pos+*n): the rest of the current
 * line with its LF, CRLF or lone CR (*ends_line set), or, of a line longer
 * than the buffer, what the buffer holds. Returns 1, 0 at the end of the
 * file, or an error. */
static int next_piece(cb_csv_reader *r, size_t *n, int *ends_line)
{
	for (;;) {
		const char *p = r->buf + r->pos;
		size_t avail = r->len - r->pos;
		const char *lf = memchr(p, '\n', avail);
		const char *cr = memchr(p, '\r', lf ? (size_t)(lf - p) : avail);
		int rc;

		if (cr && (cr + 1 < p + avail || r->eof)) {
			/* Whether a CR ends the line alone needs the next byte. */
			*n = (size_t)(cr - p) + 1;
			if (*n < avail && p[*n] == '\n')
				(*n)++;
			*ends_line = 1;
			return 1;
		}
		if (lf && !cr) {
			*n = (size_t)(lf - p) + 1;
			*ends_line = 1;
			return 1;
		}
		if (r->eof) {
			*n = avail;
			*ends_line = 0;
			return avail > 0;
		}
		if (r->pos == 0 && r->len == sizeof(r->buf)) {
			/* A line longer than the buffer; a final CR waits for
			 * the byte after it. */
			*n = cr ? avail - 1 : avail;
			*ends_line = 0;
			return 1;
		}
		if ((rc = refill(r)) < 0)
			return rc;
	}
}

static void advance(cb_csv_reader *r, size_t n, int ends_line)
{
	r->pos += n;
	if (ends_line) {
		r->line++;
		r->col = 0;
	} else {
		r->col += n;
	}
}

/* Spaces, tabs and line breaks only: between records, libcsv would skip it. */
static int is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return 0;
	return 1;
}

/* Hands the next piece to libcsv, checking what libcsv does not. */
static int feed(cb_csv_reader *r, size_t n, int ends_line)
{
	const char *p = r->buf + r->pos;
	const char *nul;
	size_t parsed, at;

	if (!r->rec_start) {
		if (is_blank(p, n)) {
			advance(r, n, ends_line);
			return 0;
		}
		r->rec_start = r->line;
		r->rec_bytes = 0;
	}
	if (n > r->limit - r->rec_bytes)
		return fail(r, CB_EINVALID, r->rec_start, "record longer than %zu bytes", r->limit);
	r->rec_bytes += n;
	if ((nul = memchr(p, '\0', n)))
		return fail(r, CB_EINVALID, r->line,
			    "NUL byte at byte %zu of the line (is this a UTF-16 or binary file?)",
			    r->col + (size_t)(nul - p) + 1);
	parsed = csv_parse(&r->parser, p, n, on_field, on_record, r);
	if (r->failed)
		return r->failed;
	if (parsed != n) {
		if (csv_error(&r->parser) != CSV_EPARSE)
			return fail(r, CB_ENOMEM, r->line, "out of memory");
		/* libcsv stopped at the offending byte. */
		at = r->col + parsed + 1;
		if (r->parser.quoted)
			return fail(r, CB_EINVALID, r->line,
				    "malformed quotes: text after the closing quote of field %zu "
				    "(byte %zu of the line); a quote inside a quoted field is written twice",
				    r->nf + 1, at);
		return fail(r, CB_EINVALID, r->line,
			    "malformed quotes: a quote inside unquoted field %zu (byte %zu of the "
			    "line); put the field in quotes and write each quote inside it twice",
			    r->nf + 1, at);
	}
	if (r->parser.quoted && !r->quote_line) {
		r->quote_line = r->line;
		r->quote_field = r->nf + 1;
	}
	advance(r, n, ends_line);
	return 0;
}

/* Whether s[0..n) is all ASCII, eight bytes at a time: then its fields
 * need no UTF-8 check. */
static int all_ascii(const char *s, size_t n)
{
	uint64_t any = 0, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		any |= w;
	}
	for (; i < n; i++)
		any |= (unsigned char)s[i];
	return !(any & 0x8080808080808080u);
}

/* Splits buf[pos..pos+n), a whole line with its line break that starts a
 * record, when it holds no quote: 1 with the record handed out, 0 to
 * leave the line to libcsv (a quote, a NUL, over the limit), or an error
 * (invalid UTF-8, as on_field words it). */
static int split_plain(cb_csv_reader *r, size_t n, const cb_csv_record **rec)
{
	char *p = r->buf + r->pos, *end = p + n, *field = p;
	size_t nf = 0;
	int ascii;

	if (n > r->limit || memchr(p, '"', n) || memchr(p, '\0', n))
		return 0;
	ascii = all_ascii(p, n);
	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	for (;;) {
		char *comma = memchr(field, ',', (size_t)(end - field));
		char *a = field, *b = comma ? comma : end;
		size_t bad;

		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (!ascii && (bad = cb_utf8_invalid_at(a, (size_t)(b - a))) != (size_t)-1)
			return fail(r, CB_EINVALID, r->line,
				    "not valid UTF-8 (byte 0x%02X in field %zu); save the file as UTF-8",
				    (unsigned char)a[bad], nf + 1);
		if (nf == r->capf && grow_fields(r) < 0)
			return fail(r, CB_ENOMEM, r->line, "out of memory");
		*b = '\0'; /* over a space, the comma or the line break: all read */
		r->ptrs[nf] = a;
		r->lens[nf++] = (size_t)(b - a);
		if (!comma)
			break;
		field = comma + 1;
	}
	r->nf = nf;
	r->out.n = nf;
	r->out.fields = r->ptrs;
	r->out.lens = r->lens;
	r->out.line = r->line;
	r->records++;
	advance(r, n, 1);
	if (r->expect && nf != r->expect)
		return fail(r, CB_EINVALID, r->out.line, "%zu fields, the header has %zu", nf,
			    r->expect);
	*rec = &r->out;
	return 1;
}

/* Hands out the record libcsv just completed. */
static int emit(cb_csv_reader *r, const cb_csv_record **rec)
{
	r->ready = 0;
	for (size_t i = 0; i < r->nf; i++)
		r->ptrs[i] = r->arena.ptr + r->offs[i];
	r->out.n = r->nf;
	r->out.fields = r->ptrs;
	r->out.lens = r->lens;
	r->out.line = r->rec_start;
	r->rec_start = 0;
	r->quote_line = 0;
	r->records++;
	if (r->expect && r->nf != r->expect)
		return fail(r, CB_EINVALID, r->out.line, "%zu fields, the header has %zu", r->nf,
			    r->expect);
	*rec = &r->out;
	return 1;
}

/* The end of the file: the last record may still be in libcsv. */
static int finish(cb_csv_reader *r, const cb_csv_record **rec)
{
	r->done = 1;
	if (csv_fini(&r->parser, on_field, on_record, r) != 0) {
		long last = r->col > 0 || r->line == 1 ? r->line : r->line - 1;
		long opened = r->quote_line ? r->quote_line : r->rec_start;

		if (last == opened)
			return fail(r, CB_EINVALID, opened,
				    "a quoted field is never closed: the quote opening field %zu "
				    "runs to the end of the file",
				    r->quote_field);
		return fail(r, CB_EINVALID, opened,
			    "a quoted field is never closed: the quote opening field %zu runs to "
			    "the end of the file (line %ld)",
			    r->quote_field, last);
	}
	if (r->failed)
		return r->failed;
	if (r->ready)
		return emit(r, rec);
	if (r->records == 0) {
		r->empty = 1;
		return fail(r, CB_EINVALID, 0, "the file is empty");
	}
	return 0;
}

int cb_csv_next(cb_csv_reader *r, const cb_csv_record **rec)
{
	*rec = NULL;
	if (r->failed)
		return r->failed;
	if (r->done)
		return 0;
	/* The previous record's storage is reused. */
	cb_buf_clear(&r->arena);
	r->nf = 0;
	for (;;) {
		size_t n;
		int ends_line, rc;

		if ((rc = next_piece(r, &n, &ends_line)) < 0)
			return rc;
		if (rc == 0)
			return finish(r, rec);
		if (r->plain && ends_line && !r->rec_start && !is_blank(r->buf + r->pos, n) &&
		    (rc = split_plain(r, n, rec)) != 0)
			return rc;
		if ((rc = feed(r, n, ends_line)) < 0)
			return rc;
		if (r->ready)
			return emit(r, rec);
	}
}

int cb_csv_skip_rest(cb_csv_reader *r, long *lines)
{
	size_t n;
	int ends_line, rc, partial = 0;

	*lines = 0;
	if (r->done || r->failed)
		return 0;
	while ((rc = next_piece(r, &n, &ends_line)) == 1) {
		advance(r, n, ends_line);
		if (ends_line)
			++*lines;
		partial = !ends_line;
	}
	r->done = 1;
	if (rc < 0)
		return rc;
	*lines += partial;
	return 0;
}

/* A header name as compared: trimmed, ASCII lowercase (at most outlen - 1
 * bytes). */
static void header_name(const char *s, char *out, size_t outlen)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	cb_text_lower(out, outlen, s);
	len = strlen(out);
	while (len && (out[len - 1] == ' ' || out[len - 1] == '\t'))
		out[--len] = '\0';
}

static int missing_column(cb_csv_reader *r, const cb_csv_record *h, const char *name)
{
	cb_buf have = CB_BUF_INIT;
	int rc;

	for (size_t i = 0; i < h->n; i++)
		cb_buf_printf(&have, "%s%.60s", i ? ", " : "", h->fields[i]);
	rc = cb_error_set(CB_EINVALID, "%s:%ld: missing column '%s' (the header has: %s)", r->name,
			  h->line, name, cb_buf_cstr(&have));
	cb_buf_free(&have);
	return rc;
}

int cb_csv_header(cb_csv_reader *r, const char *const *required, const char *const *optional,
		  cb_csv_columns *cols)
{
	const char *const *lists[2] = {required, optional};
	const cb_csv_record *h;
	int rc;

	memset(cols, 0, sizeof(*cols));
	for (int l = 0; l < 2; l++)
		for (const char *const *name = lists[l]; name && *name; name++) {
			if (cols->n == CB_CSV_COLUMNS_MAX)
				return cb_error_set(CB_EINVALID, "too many columns");
			cols->names[cols->n] = *name;
			cols->index[cols->n++] = -1;
		}
	rc = cb_csv_next(r, &h);
	if (rc < 0 && r->empty)
		return cb_error_set(CB_EINVALID,
				    "%s: the file is empty; it needs a header line naming its columns",
				    r->name);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return cb_error_set(CB_EINVALID, "%s: no header line after line %ld", r->name,
				    r->line);
	for (size_t i = 0; i < h->n; i++) {
		char name[64];
		size_t k;

		header_name(h->fields[i], name, sizeof(name));
		if (!*name)
			return cb_error_set(CB_EINVALID, "%s:%ld: column %zu of the header has no name",
					    r->name, h->line, i + 1);
		for (k = 0; k < cols->n; k++)
			if (strcmp(cols->names[k], name) == 0)
				break;
		if (k == cols->n) {
			const char *hint = cb_text_suggest(name, cols->names, cols->n);

			if (hint)
				return cb_error_set(CB_EINVALID,
						    "%s:%ld: unknown column '%.60s' (did you mean '%s'?)",
						    r->name, h->line, h->fields[i], hint);
			return cb_error_set(CB_EINVALID, "%s:%ld: unknown column '%.60s'", r->name,
					    h->line, h->fields[i]);
		}
		if (cols->index[k] >= 0)
			return cb_error_set(CB_EINVALID, "%s:%ld: column '%s' appears twice", r->name,
					    h->line, cols->names[k]);
		cols->index[k] = (int)i;
	}
	/* The required names come first. */
	for (size_t k = 0; required && required[k]; k++)
		if (cols->index[k] < 0)
			return missing_column(r, h, cols->names[k]);
	r->expect = h->n;
	return 0;
}

int cb_csv_column(const cb_csv_columns *cols, const char *name)
{
	for (size_t k = 0; k < cols->n; k++)
		if (strcmp(cols->names[k], name) == 0)
			return cols->index[k];
	return -1;
}

const char *cb_csv_field_at(const cb_csv_record *rec, int column)
{
	return column >= 0 && (size_t)column < rec->n ? rec->fields[column] : "";
}

const char *cb_csv_field(const cb_csv_record *rec, const cb_csv_columns *cols, const char *name)
{
	return cb_csv_field_at(rec, cb_csv_column(cols, name));
}
