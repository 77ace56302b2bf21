/*
 * Importing observations. The file streams through the CSV reader once;
 * rows are checked, resolved to ids and gathered in chunks sorted by
 * (measure, account, time). A file of one chunk is written as it is. A
 * larger one keeps each sorted chunk as a packed run (app/data_run.h) in an
 * unnamed temporary file beside the database and, once the whole file is
 * read and checked, merges the runs, so that the clustered table takes
 * every row in its own order, through one statement (the store's
 * cb_store_observation_write_all), appended, instead of one pass over most
 * of its leaf pages per chunk (the
 * system time of a 10M-row import grew 28-fold with chunks written one by
 * one). Memory is one chunk and a read buffer per run, whatever the file's
 * size; past MAX_RUNS runs the runs are merged into one first, so that the
 * open files stay bounded too. Everything runs in one transaction: a
 * failed import, or one killed half-way, leaves nothing (the temporary
 * files have no name and go with the process).
 */
#define _GNU_SOURCE /* fopencookie, qsort_r */
#include "app/data.h"

#include <errno.h>
#include <math.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/account.h"
#include "app/data_run.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/error.h"
#include "base/sort.h"
#include "base/text.h"
#include "format/csv.h"
#include "store/account.h"

/* Rows sorted at a time, and sorted runs merged at once: one merge takes
 * 134M rows, so that a row of a 100M-row file is written to a run and
 * read back once, as in a smaller one (past MAX_RUNS runs they are merged
 * into one first, and the rows of those pass twice). Memory is some 22
 * MiB of chunk and a 16 KiB read buffer per run, and open files stay
 * below the usual limit of 1,024. */
#define CHUNK_ROWS 262144
#define MAX_RUNS 512
/* bytes of sources and notes a chunk keeps: a chunk ends at this much
 * text, so that long notes on every row cannot grow memory */
#define TEXT_MAX (16 << 20)
#define IMPORT_BUSY_MS (30 * 60 * 1000) /* wait for another import this long */
#define DUPS_SHOWN 5 /* duplicate rows a refusal names */

/* --- the file: read once, hashed and counted on the way ------------------- */

typedef struct source {
	FILE *raw;
	struct sha256_ctx sha;
	uint64_t bytes, total;
	const cb_data_import_options *o;
} source;

static ssize_t source_read(void *cookie, char *buf, size_t size)
{
	source *src = cookie;
	size_t n = fread(buf, 1, size, src->raw);

	if (n == 0 && ferror(src->raw))
		return -1;
	sha256_update(&src->sha, n, (const uint8_t *)buf);
	src->bytes += n;
	if (src->o->progress)
		src->o->progress(src->bytes, src->total, src->o->progress_ctx);
	return (ssize_t)n;
}

static void sha_hex(struct sha256_ctx *ctx, char out[65])
{
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_digest(ctx, sizeof(digest), digest);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

/* --- lookups: accounts and measures by key, kept in memory --------------- */

typedef struct key_map {
	char **keys;
	int64_t *ids;
	const void **defs;
	size_t cap, n; /* cap a power of two; open addressing */
} key_map;

static uint64_t hash_key(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void map_free(key_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys ? m->keys[i] : NULL);
	free(m->keys);
	free(m->ids);
	free(m->defs);
	*m = (key_map){0};
}

static size_t map_slot(const key_map *m, const char *key)
{
	size_t i = (size_t)hash_key(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int map_put(key_map *m, const char *key, int64_t id, const void *def)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		key_map bigger = {0};

		bigger.cap = m->cap ? m->cap * 2 : 256;
		bigger.keys = calloc(bigger.cap, sizeof(char *));
		bigger.ids = calloc(bigger.cap, sizeof(int64_t));
		bigger.defs = calloc(bigger.cap, sizeof(void *));
		if (!bigger.keys || !bigger.ids || !bigger.defs) {
			map_free(&bigger);
			return cb_error_set(CB_ENOMEM, "out of memory");
		}
		for (size_t k = 0; k < m->cap; k++) {
			if (!m->keys[k])
				continue;
			i = map_slot(&bigger, m->keys[k]);
			bigger.keys[i] = m->keys[k];
			bigger.ids[i] = m->ids[k];
			bigger.defs[i] = m->defs[k];
			m->keys[k] = NULL;
		}
		bigger.n = m->n;
		map_free(m);
		*m = bigger;
	}
	i = map_slot(m, key);
	if (!m->keys[i]) {
		if (!(m->keys[i] = strdup(key)))
			return cb_error_set(CB_ENOMEM, "out of memory");
		m->n++;
	}
	m->ids[i] = id;
	m->defs[i] = def;
	return 0;
}

/* The slot of `key`, or -1. */
static ptrdiff_t map_get(const key_map *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return -1;
	i = map_slot(m, key);
	return m->keys[i] ? (ptrdiff_t)i : -1;
}

static int collect_account(const cb_account *a, void *ctx)
{
	return map_put(ctx, a->key, a->id, NULL);
}

/* --- rows ------------------------------------------------------------------ */

typedef struct row {
	int64_t measure_id, account_id, at, line;
	double value;
	uint32_t source, note; /* offsets into the chunk's text + 1; 0: none */
	uint16_t source_len, note_len; /* at most CB_NOTE_MAX */
	uint8_t dup; /* repeats an observation another batch stored */
} row;

static int row_order(const void *pa, const void *pb)
{
	const row *a = pa, *b = pb;

	if (a->measure_id != b->measure_id)
		return a->measure_id < b->measure_id ? -1 : 1;
	if (a->account_id != b->account_id)
		return a->account_id < b->account_id ? -1 : 1;
	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return (a->line > b->line) - (a->line < b->line);
}

/* A text kept in the chunk's text: its offset + 1 (0: none) and length. */
typedef struct kept_text {
	uint32_t at;
	uint16_t len;
} kept_text;

typedef struct import {
	cb_workspace *ws;
	const cb_data_import_options *o;
	const source *src; /* the file, for progress while the runs merge */
	const char *name; /* for messages */
	cb_plugin_host *host;
	key_map accounts, measures;
	cb_observation_writer *writer;
	int64_t batch_id;
	row *rows;
	size_t nrows, chunk_rows, max_runs;
	cb_sort_item *order, *scratch; /* the chunk's rows in row order (sort_chunk) */
	cb_buf text; /* source and note strings of the chunk (at most TEXT_MAX) */
	kept_text last_source, last_note; /* the last kept in the text (add_text) */
	/* the file's columns (cb_csv_column), looked up once */
	int col_account, col_measure, col_at, col_value, col_source, col_note;
	cb_run **runs; /* sorted runs waiting for the merge (max_runs) */
	size_t nruns;
	int64_t total, first_at, last_at, created;
	cb_buf errors;
	int nerrors;
	/* observations stored before by other batches (none looked for when
	 * the store holds no observations); see mark_duplicates */
	cb_duplicate_finder *dups;
	int64_t ndups;
	struct dup_seen {
		int64_t line, batch_id, batch_line;
	} first_dups[DUPS_SHOWN]; /* the earliest lines, in file order */
	int nfirst;
	struct stored *same; /* the stored rows of one instant (mark_group) */
	size_t nsame;        /* its capacity */
} import;

/* Keeps the DUPS_SHOWN smallest line numbers among the duplicates seen. */
static void dup_note(import *im, int64_t line, int64_t batch_id, int64_t batch_line)
{
	int i = im->nfirst < DUPS_SHOWN ? im->nfirst++ : DUPS_SHOWN;

	if (i == DUPS_SHOWN && line > im->first_dups[DUPS_SHOWN - 1].line)
		return;
	if (i == DUPS_SHOWN)
		i = DUPS_SHOWN - 1;
	while (i > 0 && im->first_dups[i - 1].line > line) {
		im->first_dups[i] = im->first_dups[i - 1];
		i--;
	}
	im->first_dups[i] = (struct dup_seen){line, batch_id, batch_line};
}

#define PREFETCH_AHEAD 16 /* rows: a row's load takes longer than its use */

/* The chunk's k-th row in row order, once sorted. The rows are read in
 * that order, each from anywhere in the chunk: the one a few places on is
 * asked for already. */
static row *sorted(const import *im, size_t k)
{
	if (k + PREFETCH_AHEAD < im->nrows)
		__builtin_prefetch(&im->rows[im->order[k + PREFETCH_AHEAD].index]);
	return &im->rows[im->order[k].index];
}

static int item_order(const void *pa, const void *pb, void *ctx)
{
	const row *rows = ctx;

	return row_order(&rows[((const cb_sort_item *)pa)->index],
			 &rows[((const cb_sort_item *)pb)->index]);
}

/* Bits needed for the values 0..span. */
static int span_bits(uint64_t span)
{
	return span ? 64 - __builtin_clzll(span) : 0;
}

/* Puts the chunk's rows in row order (sorted). The rows are in line order,
 * so a stable sort by (measure, account, time) is the row order; when the
 * three, less their smallest values in the chunk, pack into 64 bits (some
 * 30 bits for 10 measures, 200 accounts and a day of times) the order is a
 * radix sort of those keys, a few linear passes, else a comparison sort. */
static void sort_chunk(import *im)
{
	int64_t lo[3], hi[3];
	int bits[3];

	for (int p = 0; p < 3; p++)
		lo[p] = INT64_MAX, hi[p] = INT64_MIN;
	for (size_t i = 0; i < im->nrows; i++) {
		const row *r = &im->rows[i];
		int64_t v[3] = {r->measure_id, r->account_id, r->at};

		for (int p = 0; p < 3; p++) {
			lo[p] = v[p] < lo[p] ? v[p] : lo[p];
			hi[p] = v[p] > hi[p] ? v[p] : hi[p];
		}
	}
	for (int p = 0; p < 3; p++)
		bits[p] = span_bits((uint64_t)hi[p] - (uint64_t)lo[p]);
	if (bits[0] + bits[1] + bits[2] > 64) {
		for (size_t i = 0; i < im->nrows; i++)
			im->order[i] = (cb_sort_item){0, (uint32_t)i};
		qsort_r(im->order, im->nrows, sizeof(*im->order), item_order, im->rows);
		return;
	}
	for (size_t i = 0; i < im->nrows; i++) {
		const row *r = &im->rows[i];
		uint64_t m = (uint64_t)r->measure_id - (uint64_t)lo[0];
		uint64_t a = (uint64_t)r->account_id - (uint64_t)lo[1];
		uint64_t t = (uint64_t)r->at - (uint64_t)lo[2];

		/* shifts of 64 are undefined: a part of 0 bits is 0 */
		m = bits[0] ? m << (bits[1] + bits[2]) : 0;
		a = bits[1] ? a << bits[2] : 0;
		im->order[i] = (cb_sort_item){m | a | t, (uint32_t)i};
	}
	cb_sort_radix(im->order, im->scratch, im->nrows);
}

typedef struct stored {
	double value;
	int64_t batch_id, line;
} stored;

/* Marks the rows rows[from..to) (one measure and account, in time order)
 * that repeat an observation stored by another batch: a merge with the
 * stored rows of their span, keeping those of one instant at a time. */
static int mark_group(import *im, size_t from, size_t to)
{
	const row *first = sorted(im, from);
	int64_t at = 0, batch_id = 0, line = 0, here = 0;
	double value = 0;
	size_t n = 0;
	int have, rc, ready = 0;

	if (!first->measure_id || !first->account_id)
		return 0; /* unknown to the store (a dry run): nothing stored */
	if ((rc = cb_store_duplicate_range(im->dups, first->measure_id, first->account_id,
					   first->at, sorted(im, to - 1)->at, im->batch_id)) < 0)
		return rc;
	if ((have = cb_store_duplicate_next(im->dups, &at, &value, &batch_id, &line)) < 0)
		return have;
	for (size_t k = from; k < to; k++) {
		row *r = sorted(im, k);

		if (!ready || r->at != here) {
			here = r->at, ready = 1, n = 0;
			while (have == 1 && at < here)
				have = cb_store_duplicate_next(im->dups, &at, &value, &batch_id, &line);
			while (have == 1 && at == here) {
				if (n == im->nsame) {
					size_t cap = im->nsame ? im->nsame * 2 : 16;
					stored *more = realloc(im->same, cap * sizeof(stored));

					if (!more)
						return cb_error_set(CB_ENOMEM, "out of memory");
					im->same = more, im->nsame = cap;
				}
				im->same[n++] = (stored){value, batch_id, line};
				have = cb_store_duplicate_next(im->dups, &at, &value, &batch_id, &line);
			}
			if (have < 0)
				return have;
		}
		for (size_t i = 0; i < n; i++) {
			if (im->same[i].value == r->value) {
				r->dup = 1;
				im->ndups++;
				dup_note(im, r->line, im->same[i].batch_id, im->same[i].line);
				break;
			}
		}
	}
	return 0;
}

/* Marks the chunk's rows (sorted) that repeat stored observations. */
static int mark_duplicates(import *im)
{
	size_t from = 0;
	int rc;

	if (!im->dups)
		return 0;
	for (size_t k = 1; k <= im->nrows; k++) {
		const row *group = sorted(im, from), *r = k < im->nrows ? sorted(im, k) : NULL;

		if (r && r->measure_id == group->measure_id && r->account_id == group->account_id)
			continue;
		if ((rc = mark_group(im, from, k)) < 0)
			return rc;
		from = k;
	}
	return 0;
}

/* --- sorted runs ------------------------------------------------------------ */

/* A source or note of the chunk (an offset + 1 into its text; 0: none). */
static const char *chunk_text(const import *im, uint32_t at)
{
	return at ? im->text.ptr + at - 1 : NULL;
}

#define PROGRESS_ROWS 65536 /* rows merged between reports of progress */

/* The rows the store takes from a merge (cb_observation_next_fn). */
typedef struct merge_feed {
	cb_run_merge *m;
	const import *im;
	uint64_t given;
} merge_feed;

static int feed_merge(void *ctx, cb_observation *o)
{
	merge_feed *f = ctx;
	const cb_run_row *r;
	int rc = cb_run_merge_next(f->m, &r);

	if (rc != 1)
		return rc;
	*o = (cb_observation){r->measure_id, r->account_id, r->at, f->im->batch_id, r->line,
			      r->value, r->source, r->note};
	/* The file is read: the bar says so while the table takes the rows
	 * (and appears if the reading alone was too quick for it). */
	if (++f->given % PROGRESS_ROWS == 0 && f->im->o->progress)
		f->im->o->progress(f->im->src->bytes, f->im->src->total, f->im->o->progress_ctx);
	return 1;
}

/* Frees the runs kept so far. */
static void runs_free(import *im)
{
	for (size_t i = 0; i < im->nruns; i++)
		cb_run_free(im->runs[i]);
	im->nruns = 0;
}

/* Merges the runs kept so far into the store, or into one new run `to`;
 * frees them. */
static int merge_runs(import *im, cb_run *to)
{
	merge_feed f = {NULL, im, 0};
	const cb_run_row *r;
	int rc;

	if ((rc = cb_run_merge_new(im->runs, im->nruns, &f.m)) == 0) {
		if (!to)
			rc = cb_store_observation_write_all(im->writer, feed_merge, &f);
		else
			while ((rc = cb_run_merge_next(f.m, &r)) == 1)
				if ((rc = cb_run_put(to, r)) < 0)
					break;
	}
	cb_run_merge_free(f.m);
	runs_free(im);
	return rc < 0 ? rc : 0;
}

/* Keeps the chunk's rows (sorted, duplicates left out) as a new run. */
static int spill(import *im)
{
	cb_run *run;
	int rc;

	if (im->nruns == im->max_runs) {
		/* Bounded open files: the runs so far become one. */
		if ((rc = cb_run_new(im->ws->dir, &run)) < 0)
			return rc;
		if ((rc = merge_runs(im, run)) < 0 || (rc = cb_run_rewind(run)) < 0) {
			cb_run_free(run);
			return rc;
		}
		im->runs[im->nruns++] = run;
	}
	if ((rc = cb_run_new(im->ws->dir, &run)) < 0)
		return rc;
	im->runs[im->nruns++] = run;
	for (size_t i = 0; i < im->nrows; i++) {
		const row *r = sorted(im, i);
		cb_run_row w = {r->measure_id,		  r->account_id, r->at,		r->line,
				r->value,		  chunk_text(im, r->source),
				chunk_text(im, r->note), r->source_len,  r->note_len};

		if (!r->dup && (rc = cb_run_put(run, &w)) < 0)
			return rc;
	}
	/* written out, its write buffer freed while it waits */
	return cb_run_rewind(run);
}

/* The chunk's rows the store takes (cb_observation_next_fn): sorted,
 * duplicates left out. */
typedef struct chunk_feed {
	const import *im;
	size_t i;
} chunk_feed;

static int feed_chunk(void *ctx, cb_observation *o)
{
	chunk_feed *f = ctx;
	const import *im = f->im;

	while (f->i < im->nrows && sorted(im, f->i)->dup)
		f->i++;
	if (f->i == im->nrows)
		return 0;
	const row *r = sorted(im, f->i++);
	*o = (cb_observation){r->measure_id, r->account_id, r->at, im->batch_id, r->line,
			      r->value, chunk_text(im, r->source), chunk_text(im, r->note)};
	return 1;
}

/* Writes the chunk's rows (sorted, duplicates left out) into the store. */
static int write_chunk(import *im)
{
	chunk_feed f = {im, 0};

	return cb_store_observation_write_all(im->writer, feed_chunk, &f);
}

/* Sorts the chunk and marks its duplicates (a dry run counts them and
 * writes nothing), then writes it: into the store when it is the whole
 * file (`last` with no run kept), else as a run; after the last chunk,
 * every run is merged into the store. */
static int flush(import *im, int last)
{
	int rc = 0;

	if (im->nrows && !im->nerrors && (im->dups || !im->o->dry_run)) {
		sort_chunk(im);
		if ((rc = mark_duplicates(im)) == 0 && !im->o->dry_run)
			rc = last && !im->nruns ? write_chunk(im) : spill(im);
	}
	im->nrows = 0;
	cb_buf_clear(&im->text);
	im->last_source = im->last_note = (kept_text){0, 0};
	if (rc == 0 && last && im->nruns && !im->nerrors)
		rc = merge_runs(im, NULL);
	return rc;
}

/* Records one bad row; returns 1 when the import must stop reading. */
static int row_error(import *im, long line, const char *msg)
{
	cb_buf_printf(&im->errors, "%s%s:%ld: ", im->nerrors ? "\n" : "", im->name, line);
	cb_text_one_line(&im->errors, msg, strlen(msg));
	return ++im->nerrors >= CB_IMPORT_MAX_ERRORS;
}

/* Keeps a source or note `s` (len bytes) in the chunk's text: *at gets its
 * offset + 1 (0 when empty) and *out_len its length. A text the same as
 * the last one kept in its column (`last`), as a file's source mostly is,
 * is checked and kept once for all its rows. */
static int add_text(import *im, const char *what, const char *s, size_t len, uint32_t *at,
		    uint16_t *out_len, kept_text *last)
{
	int rc;

	*at = 0;
	*out_len = 0;
	if (!len)
		return 0;
	if (last->at && last->len == len && memcmp(chunk_text(im, last->at), s, len) == 0) {
		*at = last->at;
		*out_len = last->len;
		return 0;
	}
	if ((rc = cb_text_check(what, s, CB_NOTE_MAX, 0, 1)) < 0)
		return rc;
	*at = (uint32_t)im->text.len + 1;
	*out_len = (uint16_t)len;
	*last = (kept_text){*at, *out_len};
	return cb_buf_append(&im->text, s, len + 1);
}

/* Resolves a measure key to its declaration and id. */
static int measure_of(import *im, const char *key, const cb_measure_def **def, int64_t *id)
{
	ptrdiff_t slot = map_get(&im->measures, key);
	int rc;

	if (slot >= 0) {
		*def = im->measures.defs[slot];
		*id = im->measures.ids[slot];
		return 0;
	}
	*def = cb_plugin_measure_find(im->host, key);
	if (!*def) {
		const char *names[512];
		size_t n = 0;
		const char *hint;

		for (size_t i = 0; i < cb_plugin_measure_count(im->host) && n < 512; i++)
			names[n++] = cb_plugin_measure_at(im->host, i)->key;
		hint = cb_text_suggest(key, names, n);
		if (hint)
			return cb_error_set(CB_EINVALID, "unknown measure '%.80s' (did you mean '%s'?)",
					    key, hint);
		return cb_error_set(CB_EINVALID,
				    "unknown measure '%.80s': no plugin declares it ('casebook measure list')",
				    key);
	}
	*id = 0;
	/* a dry run adds no measure, but finds a stored one: its duplicates */
	rc = cb_store_measure_id(im->ws->store, key, !im->o->dry_run, id);
	if (rc == CB_ENOTFOUND && im->o->dry_run)
		*id = 0, rc = 0;
	if (rc < 0)
		return rc;
	return map_put(&im->measures, key, *id, *def);
}

static int account_of(import *im, const char *key, int64_t *id)
{
	ptrdiff_t slot = map_get(&im->accounts, key);
	cb_account a = {0};
	int rc;

	if (slot >= 0) {
		*id = im->accounts.ids[slot];
		return 0;
	}
	if (!im->o->create_accounts) {
		/* Let the store word it, with its "did you mean". */
		rc = cb_store_account_id(im->ws->store, key, id);
		if (rc == CB_ENOTFOUND) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s", cb_error_last());
			rc = cb_error_set(CB_EINVALID, "%s; --create-accounts adds unknown accounts",
					  msg);
		}
		return rc < 0 ? rc : 0;
	}
	a.key = (char *)key;
	a.name = (char *)key;
	if ((rc = cb_app_account_validate(&a)) < 0)
		return rc;
	*id = -(int64_t)im->accounts.n - 1; /* a dry run never writes it */
	if (!im->o->dry_run) {
		if ((rc = cb_store_account_insert(im->ws->store, &a)) < 0 ||
		    (rc = cb_store_account_id(im->ws->store, key, id)) < 0)
			return rc;
	}
	im->created++;
	return map_put(&im->accounts, key, *id, NULL);
}

/* The length of the field in `column` of `rec` (0 for -1). */
static size_t field_len(const cb_csv_record *rec, int column)
{
	return column >= 0 && (size_t)column < rec->n ? rec->lens[column] : 0;
}

/* Checks one record and adds it to the chunk. Returns 0, 1 to stop
 * reading (too many errors), or a negative code for a failure that is not
 * the row's fault (the store, memory). */
static int take_row(import *im, const cb_csv_record *rec)
{
	const char *account = cb_csv_field_at(rec, im->col_account);
	const char *measure = cb_csv_field_at(rec, im->col_measure);
	const char *at_text = cb_csv_field_at(rec, im->col_at);
	const char *value_text = cb_csv_field_at(rec, im->col_value);
	const char *src = cb_csv_field_at(rec, im->col_source);
	const char *note = cb_csv_field_at(rec, im->col_note);
	const cb_measure_def *def;
	row r = {0};
	int rc;

	r.line = rec->line;
	if (!*account)
		return row_error(im, rec->line, "the account is empty");
	if (!*measure)
		return row_error(im, rec->line, "the measure is empty");
	if ((rc = account_of(im, account, &r.account_id)) < 0 ||
	    (rc = measure_of(im, measure, &def, &r.measure_id)) < 0) {
		if (rc != CB_EINVALID && rc != CB_ENOTFOUND)
			return rc;
		return row_error(im, rec->line, cb_error_last());
	}
	if (cb_datetime_parse(at_text, &r.at) < 0)
		return row_error(im, rec->line, cb_error_last());
	if ((rc = cb_decimal_parse(value_text, &r.value)) < 0) {
		char msg[200];

		if (rc == -1)
			snprintf(msg, sizeof(msg), "value '%.40s' is not a number (measure %s)",
				 value_text, def->key);
		else
			snprintf(msg, sizeof(msg),
				 "value %.40s is beyond the " CB_NUMBER_MAX_TEXT
				 " Casebook takes either way (measure %s)",
				 value_text, def->key);
		return row_error(im, rec->line, msg);
	}
	if (cb_plugin_measure_check(def, r.value) < 0)
		return row_error(im, rec->line, cb_error_last());
	if ((rc = add_text(im, "source", src, field_len(rec, im->col_source), &r.source,
			   &r.source_len, &im->last_source)) < 0 ||
	    (rc = add_text(im, "note", note, field_len(rec, im->col_note), &r.note, &r.note_len,
			   &im->last_note)) < 0) {
		if (rc != CB_EINVALID)
			return rc;
		return row_error(im, rec->line, cb_error_last());
	}
	if (im->nerrors) {
		/* Nothing will be written: only look for more errors, keeping
		 * no rows and no texts, or they would grow to the file's end. */
		im->nrows = 0;
		cb_buf_clear(&im->text);
		im->last_source = im->last_note = (kept_text){0, 0};
		return 0;
	}
	if (im->total == 0 || r.at < im->first_at)
		im->first_at = r.at;
	if (im->total == 0 || r.at > im->last_at)
		im->last_at = r.at;
	im->total++;
	im->rows[im->nrows++] = r;
	if (im->nrows == im->chunk_rows || im->text.len >= TEXT_MAX)
		return flush(im, 0);
	return 0;
}

/* The refusal of a file that repeats stored observations: how many, the
 * first lines and where each was stored, and the two ways on. */
static int duplicates_refused(import *im)
{
	cb_buf b = CB_BUF_INIT;
	int rc;

	cb_buf_printf(&b,
		      "%s: %lld %s the same account, measure, time and value as observations "
		      "already stored by other batches; nothing was imported",
		      im->name, (long long)im->ndups, im->ndups == 1 ? "row has" : "rows have");
	for (int i = 0; i < im->nfirst; i++)
		cb_buf_printf(&b, "\n%s:%lld: already stored by batch %lld, line %lld", im->name,
			      (long long)im->first_dups[i].line, (long long)im->first_dups[i].batch_id,
			      (long long)im->first_dups[i].batch_line);
	if (im->ndups > im->nfirst)
		cb_buf_printf(&b, "\n... and %lld more", (long long)(im->ndups - im->nfirst));
	cb_buf_printf(&b, "\n%s: import the other rows with --skip-duplicates, or drop the earlier "
			  "batch first (casebook data drop BATCH) to replace it",
		      im->name);
	rc = cb_error_set(CB_EINVALID, "%s", cb_buf_cstr(&b));
	cb_buf_free(&b);
	return rc;
}

static void import_free(import *im)
{
	map_free(&im->accounts);
	map_free(&im->measures);
	cb_store_observation_writer_free(im->writer);
	cb_store_duplicate_finder_free(im->dups);
	free(im->same);
	free(im->rows);
	free(im->order);
	free(im->scratch);
	runs_free(im);
	free(im->runs);
	cb_buf_free(&im->text);
	cb_buf_free(&im->errors);
}

int cb_app_data_import(cb_workspace *ws, const char *path, const cb_data_import_options *o,
		       cb_data_import_result *result)
{
	static const char *const required[] = {"account", "measure", "at", "value", NULL};
	static const char *const optional[] = {"source", "note", NULL};
	static const cookie_io_functions_t io = {source_read, NULL, NULL, NULL};
	int is_stdin = strcmp(path, "-") == 0;
	import im = {0};
	source src = {0};
	cb_csv_reader *reader = NULL;
	cb_csv_columns cols;
	const cb_csv_record *rec;
	FILE *f = NULL;
	int rc, began = 0, stopped = 0;

	memset(result, 0, sizeof(*result));
	if ((rc = cb_rights_require(ws, CB_ACT_DATA_IMPORT, NULL)) < 0)
		return rc;
	im.ws = ws;
	im.o = o;
	im.name = o && o->name ? o->name : is_stdin ? "<stdin>" : path;
	src.o = o;
	im.src = &src;
	sha256_init(&src.sha);
	src.raw = is_stdin ? stdin : fopen(path, "rb");
	if (!src.raw)
		return cb_error_set(CB_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (!is_stdin) {
		struct stat st;

		if (fstat(fileno(src.raw), &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				fclose(src.raw);
				return cb_error_set(CB_EINVALID, "%s is a folder, not a CSV file", path);
			}
			src.total = (uint64_t)st.st_size;
		}
	}
	f = fopencookie(&src, "r", io);
	if (!f) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = cb_workspace_plugins(ws, &im.host)) < 0)
		goto done;
	im.chunk_rows = o->chunk_rows ? o->chunk_rows : CHUNK_ROWS;
	im.max_runs = o->max_runs >= 2 ? o->max_runs : MAX_RUNS;
	if (im.chunk_rows > UINT32_MAX)
		im.chunk_rows = UINT32_MAX; /* the sort's indexes */
	im.rows = malloc(im.chunk_rows * sizeof(row));
	im.order = malloc(im.chunk_rows * sizeof(*im.order));
	im.scratch = malloc(im.chunk_rows * sizeof(*im.scratch));
	im.runs = calloc(im.max_runs, sizeof(*im.runs));
	if (!im.rows || !im.order || !im.scratch || !im.runs) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = cb_csv_open(f, im.name, &reader)) < 0 ||
	    (rc = cb_csv_header(reader, required, optional, &cols)) < 0)
		goto done;
	im.col_account = cb_csv_column(&cols, "account");
	im.col_measure = cb_csv_column(&cols, "measure");
	im.col_at = cb_csv_column(&cols, "at");
	im.col_value = cb_csv_column(&cols, "value");
	im.col_source = cb_csv_column(&cols, "source");
	im.col_note = cb_csv_column(&cols, "note");
	if (!o->dry_run) {
		cb_store_set_busy_timeout(ws->store, IMPORT_BUSY_MS);
		if ((rc = cb_store_begin(ws->store)) < 0)
			goto done;
		began = 1;
		{
			char what[300];

			/* others wait for it, and say what for */
			snprintf(what, sizeof(what), "importing %s", im.name);
			cb_store_announce(ws->store, what);
		}
		if ((rc = cb_store_batch_begin(ws->store, im.name, &im.batch_id)) < 0 ||
		    (rc = cb_store_observation_writer_new(ws->store, &im.writer)) < 0)
			goto done;
	}
	if ((rc = cb_store_account_each(ws->store, collect_account, &im.accounts)) < 0)
		goto done;
	{
		int64_t first, last;
		int any;

		/* An empty store holds nothing to repeat: no lookups. */
		if ((rc = cb_store_observation_span(ws->store, &first, &last, &any)) < 0 ||
		    (any && (rc = cb_store_duplicate_finder_new(ws->store, &im.dups)) < 0))
			goto done;
	}
	while ((rc = cb_csv_next(reader, &rec)) == 1) {
		if ((rc = take_row(&im, rec)) < 0)
			goto done;
		if (rc == 1) {
			stopped = 1;
			break;
		}
	}
	if (rc < 0) {
		if (rc != CB_EINVALID)
			goto done;
		/* A broken CSV structure ends the reading; its message has
		 * the file and line already. */
		cb_buf_printf(&im.errors, "%s%s", im.nerrors ? "\n" : "", cb_error_last());
		im.nerrors++;
	}
	if (im.nerrors) {
		if (stopped) {
			long unread = 0;

			/* Say how much of the file was never looked at, counting
			 * lines without parsing them. */
			if (cb_csv_skip_rest(reader, &unread) == 0 && unread)
				cb_buf_printf(&im.errors,
					      "\n%s: stopped after %d errors; %ld more lines were not read",
					      im.name, im.nerrors, unread);
		}
		rc = cb_error_set(CB_EINVALID, "%s", cb_buf_cstr(&im.errors));
		goto done;
	}
	if (im.total == 0) {
		rc = cb_error_set(CB_EINVALID, "%s: no rows after the header", im.name);
		goto done;
	}
	sha_hex(&src.sha, result->sha256);
	{
		cb_batch earlier;
		int found;

		if ((rc = cb_store_batch_by_sha(ws->store, result->sha256, &earlier, &found)) < 0)
			goto done;
		if (found) {
			result->already = 1;
			result->batch_id = earlier.id;
			result->rows = earlier.rows;
			cb_batch_clear(&earlier);
			rc = 0;
			goto done; /* rolled back below: nothing changes */
		}
	}
	if ((rc = flush(&im, 1)) < 0)
		goto done;
	if (im.ndups && !o->skip_duplicates) {
		rc = duplicates_refused(&im);
		goto done;
	}
	result->rows = im.total - im.ndups;
	result->skipped = im.ndups;
	result->accounts_created = im.created;
	if (o->dry_run)
		goto done;
	if (result->rows == 0)
		im.first_at = im.last_at = 0;
	if ((rc = cb_store_batch_finish(ws->store, im.batch_id, result->sha256, result->rows,
					im.ndups, im.first_at, im.last_at)) < 0)
		goto done;
	cb_store_observation_writer_free(im.writer);
	im.writer = NULL;
	if ((rc = cb_store_commit(ws->store)) < 0)
		goto done;
	began = 0;
	result->batch_id = im.batch_id;
done:
	if (began)
		cb_store_rollback(ws->store);
	cb_csv_close(reader);
	if (f)
		fclose(f);
	if (!is_stdin)
		fclose(src.raw);
	import_free(&im);
	return rc;
}

int cb_app_data_drop(cb_workspace *ws, const char *ref, cb_batch *batch, int64_t *rows)
{
	int rc;

	*batch = (cb_batch){0};
	if ((rc = cb_rights_require(ws, CB_ACT_DATA_IMPORT, NULL)) < 0 ||
	    (rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = cb_store_batch_find(ws->store, ref, batch)) < 0 ||
	    (rc = cb_store_batch_drop(ws->store, batch->id, rows)) < 0) {
		cb_store_rollback(ws->store);
		cb_batch_clear(batch);
		return rc;
	}
	return cb_store_commit(ws->store);
}
