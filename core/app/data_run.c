/*
 * Sorted runs (app/data_run.h). A row is written as a flags byte, then
 * the measure and account when they change, the time and the line as
 * zigzag varints of their differences from the row before, the value (a
 * varint when it is a whole number, else its 8 bytes), then the source
 * when it changes and the note, each as a varint length and its bytes. The
 * file is written and read through a buffer of our own with write(2) and
 * read(2): a run is written once and read once, front to back.
 */
#include "app/data_run.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/tempfile.h"
#include "base/text.h"

#define WRITE_BUFFER (256 << 10)
#define READ_BUFFER (16 << 10) /* each run of a merge has one: at least two rows */
/* The longest row: flags, four varints, a value, two texts and their
 * lengths. A buffer always holds a whole row before it is decoded. */
#define ROW_MAX (1 + 4 * 10 + 10 + 2 * (10 + CB_NOTE_MAX))

enum {
	SAME_MEASURE = 1,
	SAME_ACCOUNT = 2,
	SAME_SOURCE = 4, /* the source of the row before, or none again */
	HAS_SOURCE = 8,  /* a new source follows */
	HAS_NOTE = 16,
	WHOLE_VALUE = 32 /* the value as a zigzag varint */
};

struct cb_run {
	int fd;
	int reading;
	unsigned char *buf;
	size_t pos, len; /* writing: buf[0..len) not yet written; reading:
			  * buf[pos..len) not yet decoded */
	int eof;         /* reading: the file is read to its end */
	cb_run_row prev; /* the row before, written or read */
	int has_source;  /* of the row before */
	size_t source_len;
	char source[CB_NOTE_MAX + 1];
	char note[CB_NOTE_MAX + 1];
};

int cb_run_row_before(const cb_run_row *a, const cb_run_row *b)
{
	if (a->measure_id != b->measure_id)
		return a->measure_id < b->measure_id;
	if (a->account_id != b->account_id)
		return a->account_id < b->account_id;
	if (a->at != b->at)
		return a->at < b->at;
	return a->line < b->line;
}

int cb_run_new(const char *dir, cb_run **out)
{
	cb_run *run;
	int fd;

	*out = NULL;
	if ((fd = cb_tempfile_open(dir, "the import")) < 0)
		return CB_EIO;
	run = calloc(1, sizeof(*run));
	if (!run || !(run->buf = malloc(WRITE_BUFFER))) {
		free(run);
		close(fd);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	run->fd = fd;
	*out = run;
	return 0;
}

void cb_run_free(cb_run *run)
{
	if (!run)
		return;
	close(run->fd);
	free(run->buf);
	free(run);
}

static int write_out(cb_run *run)
{
	size_t done = 0;

	while (done < run->len) {
		ssize_t n = write(run->fd, run->buf + done, run->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return cb_error_set(CB_EIO, "cannot write the import's temporary file: %s",
					    n < 0 ? strerror(errno) : "nothing written");
		done += (size_t)n;
	}
	run->len = 0;
	return 0;
}

static unsigned char *put_varint(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

/* a - b as a zigzag number: small either way, whatever a and b are. */
static uint64_t zigzag_diff(int64_t a, int64_t b)
{
	uint64_t d = (uint64_t)a - (uint64_t)b;

	return (d << 1) ^ (0 - (d >> 63));
}

static int64_t zigzag_add(int64_t b, uint64_t z)
{
	return (int64_t)((uint64_t)b + ((z >> 1) ^ (0 - (z & 1))));
}

/* A whole number a varint keeps exactly (not -0). */
static int is_whole(double v)
{
	return fabs(v) < 9007199254740992.0 /* 2^53 */ && v == (double)(int64_t)v &&
	       !(v == 0 && signbit(v));
}

int cb_run_put(cb_run *run, const cb_run_row *r)
{
	const cb_run_row *prev = &run->prev;
	unsigned char *p, *flags;
	int same_source;
	int rc;

	assert(!run->reading && run->buf);
	if (r->source_len > CB_NOTE_MAX || r->note_len > CB_NOTE_MAX)
		return cb_error_set(CB_EINVALID, "a text of more than %d bytes for a run", CB_NOTE_MAX);
	if (run->len > WRITE_BUFFER - ROW_MAX && (rc = write_out(run)) < 0)
		return rc;
	same_source = r->source ? run->has_source && r->source_len == run->source_len &&
					  memcmp(r->source, run->source, r->source_len) == 0
				: !run->has_source;
	p = run->buf + run->len;
	flags = p++;
	*flags = (unsigned char)((r->measure_id == prev->measure_id ? SAME_MEASURE : 0) |
				 (r->account_id == prev->account_id ? SAME_ACCOUNT : 0) |
				 (same_source ? SAME_SOURCE : r->source ? HAS_SOURCE : 0) |
				 (r->note ? HAS_NOTE : 0) | (is_whole(r->value) ? WHOLE_VALUE : 0));
	if (!(*flags & SAME_MEASURE))
		p = put_varint(p, zigzag_diff(r->measure_id, prev->measure_id));
	if (!(*flags & SAME_ACCOUNT))
		p = put_varint(p, zigzag_diff(r->account_id, prev->account_id));
	p = put_varint(p, zigzag_diff(r->at, prev->at));
	p = put_varint(p, zigzag_diff(r->line, prev->line));
	if (*flags & WHOLE_VALUE) {
		p = put_varint(p, zigzag_diff((int64_t)r->value, 0));
	} else {
		memcpy(p, &r->value, sizeof(r->value));
		p += sizeof(r->value);
	}
	if (*flags & HAS_SOURCE) {
		p = put_varint(p, r->source_len);
		memcpy(p, r->source, r->source_len);
		p += r->source_len;
		memcpy(run->source, r->source, r->source_len);
		run->source_len = r->source_len;
		run->has_source = 1;
	} else if (!same_source) {
		run->has_source = 0;
	}
	if (*flags & HAS_NOTE) {
		p = put_varint(p, r->note_len);
		memcpy(p, r->note, r->note_len);
		p += r->note_len;
	}
	run->len = (size_t)(p - run->buf);
	run->prev = *r;
	return 0;
}

int cb_run_rewind(cb_run *run)
{
	int rc;

	if (!run->reading) {
		if ((rc = write_out(run)) < 0)
			return rc;
		/* The write buffer is not kept while the run waits for its
		 * merge; reading takes a smaller one. */
		free(run->buf);
		run->buf = NULL;
		run->reading = 1;
	}
	if (lseek(run->fd, 0, SEEK_SET) != 0)
		return cb_error_set(CB_EIO, "cannot read the import's temporary file: %s",
				    strerror(errno));
	run->pos = run->len = 0;
	run->eof = 0;
	run->prev = (cb_run_row){0};
	run->has_source = 0;
	return 0;
}

/* Makes buf[pos..len) hold a whole row, or the rest of the file. */
static int fill(cb_run *run)
{
	if (run->eof || run->len - run->pos >= ROW_MAX)
		return 0;
	if (!run->buf && !(run->buf = malloc(READ_BUFFER)))
		return cb_error_set(CB_ENOMEM, "out of memory");
	memmove(run->buf, run->buf + run->pos, run->len - run->pos);
	run->len -= run->pos;
	run->pos = 0;
	while (run->len < READ_BUFFER) {
		ssize_t n = read(run->fd, run->buf + run->len, READ_BUFFER - run->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cb_error_set(CB_EIO, "cannot read the import's temporary file: %s",
					    strerror(errno));
		if (n == 0) {
			run->eof = 1;
			break;
		}
		run->len += (size_t)n;
	}
	return 0;
}

/* Reads a varint from *p, not past end: 0, or -1 when it is cut short. */
static int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	uint64_t x = 0;

	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		unsigned char b = *(*p)++;

		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* Reads a text of at most CB_NOTE_MAX bytes into `to`, NUL-terminated. */
static int get_text(const unsigned char **p, const unsigned char *end, char *to, size_t *len)
{
	uint64_t n;

	if (get_varint(p, end, &n) < 0 || n > CB_NOTE_MAX || n > (uint64_t)(end - *p))
		return -1;
	memcpy(to, *p, n);
	to[n] = '\0';
	*p += n;
	*len = n;
	return 0;
}

int cb_run_next(cb_run *run, cb_run_row *r)
{
	const unsigned char *p, *end;
	cb_run_row *prev = &run->prev;
	uint64_t v;
	int rc, flags;

	assert(run->reading);
	if ((rc = fill(run)) < 0)
		return rc;
	if (run->pos == run->len)
		return 0;
	assert(run->eof || run->len - run->pos >= ROW_MAX);
	p = run->buf + run->pos;
	end = run->buf + run->len;
	flags = *p++;
	*r = *prev;
	if (!(flags & SAME_MEASURE)) {
		if (get_varint(&p, end, &v) < 0)
			goto cut;
		r->measure_id = zigzag_add(prev->measure_id, v);
	}
	if (!(flags & SAME_ACCOUNT)) {
		if (get_varint(&p, end, &v) < 0)
			goto cut;
		r->account_id = zigzag_add(prev->account_id, v);
	}
	if (get_varint(&p, end, &v) < 0)
		goto cut;
	r->at = zigzag_add(prev->at, v);
	if (get_varint(&p, end, &v) < 0)
		goto cut;
	r->line = zigzag_add(prev->line, v);
	if (flags & WHOLE_VALUE) {
		if (get_varint(&p, end, &v) < 0)
			goto cut;
		r->value = (double)zigzag_add(0, v);
	} else {
		if (end - p < (ptrdiff_t)sizeof(r->value))
			goto cut;
		memcpy(&r->value, p, sizeof(r->value));
		p += sizeof(r->value);
	}
	if (flags & HAS_SOURCE) {
		if (get_text(&p, end, run->source, &run->source_len) < 0)
			goto cut;
		run->has_source = 1;
	} else if (!(flags & SAME_SOURCE)) {
		run->has_source = 0;
	}
	r->source = run->has_source ? run->source : NULL;
	r->source_len = run->has_source ? run->source_len : 0;
	r->note = NULL;
	r->note_len = 0;
	if (flags & HAS_NOTE) {
		if (get_text(&p, end, run->note, &r->note_len) < 0)
			goto cut;
		r->note = run->note;
	}
	run->pos = (size_t)(p - run->buf);
	*prev = *r;
	return 1;
cut:
	return cb_error_set(CB_EIO, "the import's temporary file is cut short");
}

/* --- the merge ------------------------------------------------------------ */

typedef struct head {
	cb_run *run;
	cb_run_row row;
} head;

struct cb_run_merge {
	head *heads;
	head **heap; /* a min-heap of the runs not yet read through */
	size_t live;
	int started; /* heap[0]'s row was handed out and is still to be read past */
};

static void heap_down(head **heap, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < n && cb_run_row_before(&heap[l]->row, &heap[m]->row))
			m = l;
		if (l + 1 < n && cb_run_row_before(&heap[l + 1]->row, &heap[m]->row))
			m = l + 1;
		if (m == i)
			return;
		head *t = heap[i];
		heap[i] = heap[m];
		heap[m] = t;
		i = m;
	}
}

void cb_run_merge_free(cb_run_merge *m)
{
	if (!m)
		return;
	free(m->heads);
	free(m->heap);
	free(m);
}

int cb_run_merge_new(cb_run **runs, size_t n, cb_run_merge **out)
{
	cb_run_merge *m = calloc(1, sizeof(*m));
	int rc;

	*out = NULL;
	if (!m || !(m->heads = calloc(n ? n : 1, sizeof(head))) ||
	    !(m->heap = calloc(n ? n : 1, sizeof(head *)))) {
		cb_run_merge_free(m);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		m->heads[i].run = runs[i];
		if ((rc = cb_run_rewind(runs[i])) < 0 ||
		    (rc = cb_run_next(runs[i], &m->heads[i].row)) < 0) {
			cb_run_merge_free(m);
			return rc;
		}
		if (rc == 1)
			m->heap[m->live++] = &m->heads[i];
	}
	for (size_t i = m->live / 2; i-- > 0;)
		heap_down(m->heap, m->live, i);
	*out = m;
	return 0;
}

int cb_run_merge_next(cb_run_merge *m, const cb_run_row **r)
{
	int rc;

	if (m->started && m->live) {
		head *h = m->heap[0];

		if ((rc = cb_run_next(h->run, &h->row)) < 0)
			return rc;
		if (rc == 0)
			m->heap[0] = m->heap[--m->live];
		heap_down(m->heap, m->live, 0);
	}
	m->started = 1;
	if (!m->live)
		return 0;
	*r = &m->heap[0]->row;
	return 1;
}
