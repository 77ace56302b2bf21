/*
 * libFuzzer harness for the CSV reader (core/format/csv.c); scripts/fuzz builds and runs it.
 * Each input is read as it is and (one in four) again behind blank padding that puts the reader's
 * read-buffer edge on an input-chosen byte: both readings must hand out the same records and error.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/error.h"
#include "base/text.h"
#include "format/csv.h"

/* The size of csv.c's read buffer (READ_CHUNK there). glibc's fread fills the buffer whatever
 * sizes the stream reads in, so the buffer's edge is the only chunk boundary the reader sees;
 * were the size to change, the harness would still be right, just less pointed. */
#define READ_BUFFER 65536

#define CHECK(cond) ((cond) ? (void)0 : check_failed(#cond, __LINE__))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_failed(const char *cond, int line)
{
	fprintf(stderr, "fuzz_csv.c:%d: invariant broken: %s (last error: '%s')\n", line, cond,
		cb_error_last());
	abort();
}

/* The stream the reader gets: data[0..head) (a byte order mark), then `pad` blanks (spaces, the
 * last one a line feed when pad_line), then the rest of the data. Reading fails with EIO at
 * stream offset fail_at. */
typedef struct source {
	const uint8_t *data;
	size_t len, head, pad, fail_at, pos;
	int pad_line;
} source;

static ssize_t source_read(void *cookie, char *buf, size_t size)
{
	source *s = cookie;
	size_t total = s->len + s->pad, end = total < s->fail_at ? total : s->fail_at, n = 0;

	if (s->pos >= s->fail_at) {
		errno = EIO;
		return -1;
	}
	while (n < size && s->pos < end) {
		size_t piece;

		if (s->pos < s->head) {
			piece = s->head - s->pos;
			piece = piece < size - n ? piece : size - n;
			memcpy(buf + n, s->data + s->pos, piece);
		} else if (s->pos < s->head + s->pad) {
			piece = s->head + s->pad - s->pos;
			piece = piece < size - n ? piece : size - n;
			memset(buf + n, ' ', piece);
			if (s->pad_line && s->pos + piece == s->head + s->pad)
				buf[n + piece - 1] = '\n';
		} else {
			piece = end - s->pos;
			piece = piece < size - n ? piece : size - n;
			memcpy(buf + n, s->data + s->pos - s->pad, piece);
		}
		n += piece;
		s->pos += piece;
	}
	return (ssize_t)n;
}

typedef struct options {
	int header;      /* read the first record with cb_csv_header */
	size_t limit;    /* the record size limit; 0: the default */
	long stop_after; /* records to take before cb_csv_skip_rest; 0: read them all */
	size_t fail_at;  /* data offset where reading fails; SIZE_MAX: never */
} options;

/* What one reading saw, to compare with another. */
typedef struct outcome {
	long records;    /* the header, when read, and the records handed out */
	uint64_t digest; /* of the header's columns and every record's line and fields */
	int rc;          /* how the reading ended: 0 or an error code */
	long error_line; /* LINE of "t.csv:LINE: ..."; 0 when the message names none */
	long skipped;    /* the lines cb_csv_skip_rest counted */
} outcome;

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *u = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ u[i]) * 0x100000001b3ull;
	return h;
}

/* The columns of `casebook data import`. */
static const char *const required[] = {"account", "measure", "at", "value", NULL};
static const char *const optional[] = {"source", "note", NULL};

/* Checks a record handed out and adds it to the digest. `shift` is the padding's line count. */
static void take_record(const cb_csv_record *rec, const options *o, const cb_csv_columns *cols,
			size_t header_n, long *prev_line, long last_line, long shift, outcome *out)
{
	size_t bytes = 0;
	long line;

	CHECK(rec && rec->n >= 1 && rec->fields && rec->lens);
	for (size_t i = 0; i < rec->n; i++) {
		CHECK(rec->fields[i]);
		CHECK(rec->fields[i][rec->lens[i]] == '\0');
		CHECK(strlen(rec->fields[i]) == rec->lens[i]); /* a NUL is refused */
		CHECK(cb_utf8_invalid_at(rec->fields[i], rec->lens[i]) == (size_t)-1);
		bytes += rec->lens[i];
	}
	CHECK(bytes <= (o->limit ? o->limit : CB_CSV_RECORD_MAX));
	CHECK(rec->line > *prev_line && rec->line <= last_line);
	*prev_line = rec->line;
	if (o->header) {
		CHECK(rec->n == header_n);
		for (size_t k = 0; k < cols->n; k++) {
			const char *v = cb_csv_field(rec, cols, cols->names[k]);

			CHECK(v);
			CHECK(cols->index[k] < 0 ? *v == '\0' : v == rec->fields[cols->index[k]]);
		}
		CHECK(*cb_csv_field(rec, cols, "no such column") == '\0');
	}
	line = rec->line - shift;
	out->digest = mix(out->digest, &line, sizeof(line));
	out->digest = mix(out->digest, &rec->n, sizeof(rec->n));
	for (size_t i = 0; i < rec->n; i++) {
		out->digest = mix(out->digest, &rec->lens[i], sizeof(rec->lens[i]));
		out->digest = mix(out->digest, rec->fields[i], rec->lens[i]);
	}
	out->records++;
}

/* Checks the message of a reading that failed with `rc` and notes its line. */
static void take_error(int rc, const options *o, long last_line, long shift, outcome *out)
{
	const char *msg = cb_error_last();

	CHECK(rc == CB_EINVALID || (rc == CB_EIO && o->fail_at != SIZE_MAX));
	CHECK(strncmp(msg, "t.csv:", 6) == 0 && msg[6] != '\0');
	out->rc = rc;
	if (msg[6] >= '0' && msg[6] <= '9') {
		out->error_line = strtol(msg + 6, NULL, 10);
		CHECK(out->error_line >= 1 && out->error_line <= last_line);
		out->error_line -= shift;
	}
}

/* Reads `src` to its end, or to o->stop_after records and the skip of the rest, checking every
 * record and the end. `last_line` is the stream's last line. */
static void read_all(source *src, const options *o, long last_line, long shift, outcome *out)
{
	static const cookie_io_functions_t io = {.read = source_read};
	cb_csv_reader *r;
	cb_csv_columns cols = {0};
	const cb_csv_record *rec = NULL;
	size_t header_n = 0;
	long prev_line = 0;
	int rc;
	FILE *f;

	memset(out, 0, sizeof(*out));
	out->digest = 0xcbf29ce484222325ull;
	CHECK((f = fopencookie(src, "r", io)) != NULL);
	cb_error_clear();
	CHECK(cb_csv_open(f, "t.csv", &r) == 0);
	if (o->limit)
		cb_csv_set_limit(r, o->limit);
	if (o->header) {
		if ((rc = cb_csv_header(r, required, optional, &cols)) < 0) {
			take_error(rc, o, last_line, shift, out);
			goto done;
		}
		/* Each header column names one known column, none twice. */
		for (size_t k = 0; k < cols.n; k++)
			header_n += cols.index[k] >= 0;
		for (size_t k = 0; k < cols.n; k++)
			CHECK(cols.index[k] < (int)header_n);
		out->digest = mix(out->digest, cols.index, sizeof(cols.index));
		out->records++;
	}
	while ((rc = cb_csv_next(r, &rec)) == 1) {
		take_record(rec, o, &cols, header_n, &prev_line, last_line, shift, out);
		if (o->stop_after && out->records >= o->stop_after) {
			rc = cb_csv_skip_rest(r, &out->skipped);
			CHECK(rc == 0 || (rc == CB_EIO && o->fail_at != SIZE_MAX));
			CHECK(out->skipped >= 0 && out->skipped <= last_line - prev_line);
			break;
		}
	}
	if (rc < 0)
		take_error(rc, o, last_line, shift, out);
	/* Finished or failed, the reader stays so. */
	CHECK(cb_csv_next(r, &rec) == rc && rec == NULL);
done:
	cb_csv_close(r);
	fclose(f);
}

/* Whether two readings of the same data agree. When one of them met the read error, the other
 * may have met a different one first (a line longer than the buffer is checked piece by piece
 * before the read that fails), so then only what they handed out must agree. */
static int same(const outcome *a, const outcome *b)
{
	if (a->records != b->records || a->digest != b->digest || a->skipped != b->skipped)
		return 0;
	if ((a->rc == CB_EIO) != (b->rc == CB_EIO))
		return 1;
	return a->rc == b->rc && a->error_line == b->error_line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The reading's options come from a hash of the input, so that the corpus stays plain CSV
	 * files; every mutation draws them anew. */
	uint64_t h = mix(0xcbf29ce484222325ull, data, size);
	options o = {0};
	source plain = {.data = data, .len = size, .fail_at = SIZE_MAX};
	source padded;
	outcome a, b;
	long lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'));
	o.header = h & 1;
	if (((h >> 1) & 3) == 0)
		o.limit = 1 + (h >> 8) % (size + 2);
	if (((h >> 4) & 3) == 0)
		o.stop_after = 1 + (long)((h >> 16) % 8);
	o.fail_at = ((h >> 6) & 3) == 0 ? (h >> 24) % (size + 1) : SIZE_MAX;
	plain.fail_at = o.fail_at;
	read_all(&plain, &o, lines, 0, &a);

	/* The same reading behind padding: on a line of its own, or (without a limit, which would
	 * count it) as blanks before the first field, which the reader trims. A UTF-16 mark must
	 * stay first to be recognised. Only one input in four: the reader's pass over the 64 KiB
	 * of padding, traced byte by byte, costs more than the rest of the work. */
	if (((h >> 40) & 3) != 0)
		return 0;
	if (size >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) || (data[0] == 0xFE && data[1] == 0xFF)))
		return 0;
	padded = (source){.data = data, .len = size, .fail_at = SIZE_MAX};
	if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		padded.head = 3;
	padded.pad_line = o.limit || ((h >> 3) & 1);
	padded.pad = READ_BUFFER - (padded.head + (h >> 32) % (size - padded.head + 1)) % READ_BUFFER;
	if (o.fail_at != SIZE_MAX)
		padded.fail_at = o.fail_at + (o.fail_at >= padded.head ? padded.pad : 0);
	read_all(&padded, &o, lines + padded.pad_line, padded.pad_line, &b);
	if (!same(&a, &b)) {
		fprintf(stderr,
			"plain: %ld records, rc %d, error line %ld, skipped %ld\n"
			"padded (%zu blanks%s): %ld records, rc %d, error line %ld, skipped %ld\n",
			a.records, a.rc, a.error_line, a.skipped, padded.pad,
			padded.pad_line ? " on a line" : "", b.records, b.rc, b.error_line, b.skipped);
		CHECK(!"the padded reading differs");
	}
	return 0;
}
