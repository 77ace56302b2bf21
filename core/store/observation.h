/*
 * Customer KPI data in the store: measures (their keys, as plugins declare
 * them), batches (one imported file each, known by the SHA-256 of its
 * bytes) and observations, clustered by (measure, account, time).
 */
#ifndef CB_STORE_OBSERVATION_H
#define CB_STORE_OBSERVATION_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct cb_batch {
	int64_t id;
	char *sha256; /* 64 hex digits */
	char *source; /* the file name as given, or "<stdin>" */
	int64_t rows;
	int64_t first_at, last_at; /* Unix seconds; 0 when rows == 0 */
	int64_t skipped; /* rows left out as duplicates of earlier batches */
	char *imported_at;
} cb_batch;

void cb_batch_clear(cb_batch *b);

/* The id of measure `key`, adding the key when `create` (else
 * CB_ENOTFOUND). */
int cb_store_measure_id(cb_store *s, const char *key, int create, int64_t *id);

/* Finds a batch by its id ("12") or a prefix of its SHA-256 (at least 6
 * hex digits). CB_ENOTFOUND when none, CB_EINVALID when a prefix is
 * ambiguous. Caller clears *out. */
int cb_store_batch_find(cb_store *s, const char *ref, cb_batch *out);

/* Finds the batch with exactly this SHA-256; *found says whether. */
int cb_store_batch_by_sha(cb_store *s, const char *sha256, cb_batch *out, int *found);

/* Starts a batch for `source` under a placeholder hash; returns its id. */
int cb_store_batch_begin(cb_store *s, const char *source, int64_t *id);

/* Completes batch `id` with its hash and counts (`skipped`: rows left out
 * as duplicates). CB_EEXISTS when another batch has the same hash. */
int cb_store_batch_finish(cb_store *s, int64_t id, const char *sha256, int64_t rows,
			  int64_t skipped, int64_t first_at, int64_t last_at);

/* Deletes batch `id` and its observations; *rows gets how many went. */
int cb_store_batch_drop(cb_store *s, int64_t id, int64_t *rows);

typedef int (*cb_batch_fn)(const cb_batch *b, void *ctx);
int cb_store_batch_each(cb_store *s, cb_batch_fn fn, void *ctx);

/* The time span of every observation stored, from the batches' own spans:
 * *first_at and *last_at (Unix seconds) of the earliest and the latest;
 * *found is 0 when no batch holds a row (then the times are 0). */
int cb_store_observation_span(cb_store *s, int64_t *first_at, int64_t *last_at, int *found);

typedef struct cb_observation {
	int64_t measure_id, account_id, at, batch_id;
	int64_t line;
	double value;
	const char *source, *note; /* NULL when empty */
} cb_observation;

/* A prepared writer for many observations in one transaction. Caller
 * frees with cb_store_observation_writer_free. */
typedef struct cb_observation_writer cb_observation_writer;
int cb_store_observation_writer_new(cb_store *s, cb_observation_writer **w);

/* The rows of a bulk write, asked for one at a time: returns 1 with *o
 * filled, 0 when there are no more, or a negative code with its message
 * set. The row's source and note stay valid until the next call. */
typedef int (*cb_observation_next_fn)(void *ctx, cb_observation *o);

/* Writes every row `next` gives through one statement, whose cursor stays
 * open between rows: rows given in the table's key order (measure,
 * account, time) each land beside the one before. Returns 0, next's
 * negative code (its message kept), or the store's error (CB_EEXISTS for a
 * row already stored under the same key). After a failure the rows
 * written before it are still in the transaction, for the caller to roll
 * back: undoing the statement alone would need a journal of every page
 * of the table it touched. */
int cb_store_observation_write_all(cb_observation_writer *w, cb_observation_next_fn next,
				   void *ctx);
void cb_store_observation_writer_free(cb_observation_writer *w);

/* Reading the observations already stored for one measure and account
 * over a span of time, in time order, outside one batch: an import merges
 * them with its sorted rows to find the rows that repeat a stored
 * observation (an export imported twice in overlapping files). One range
 * read of the clustered table per measure and account of a chunk, empty
 * when the spans do not overlap. Caller frees with
 * cb_store_duplicate_finder_free. */
typedef struct cb_duplicate_finder cb_duplicate_finder;
int cb_store_duplicate_finder_new(cb_store *s, cb_duplicate_finder **out);
/* Starts reading measure `measure_id`, account `account_id`, times in
 * [from, to] (Unix seconds), leaving out batch `batch_id`. */
int cb_store_duplicate_range(cb_duplicate_finder *f, int64_t measure_id, int64_t account_id,
			     int64_t from, int64_t to, int64_t batch_id);
/* The next stored observation of the range: 1 with its time, value,
 * batch and line; 0 at the end; or a negative code. */
int cb_store_duplicate_next(cb_duplicate_finder *f, int64_t *at, double *value,
			    int64_t *batch_id, int64_t *line);
void cb_store_duplicate_finder_free(cb_duplicate_finder *f);

/* What `data list` reads: keys resolved, times as Unix seconds. */
typedef struct cb_observation_row {
	const char *measure, *account; /* keys */
	int64_t at, batch_id, line;
	double value;
	const char *source, *note;
} cb_observation_row;

typedef struct cb_observation_filter {
	const char *measure;  /* key, or NULL for all */
	const char *account;  /* key, or NULL */
	int64_t batch_id;     /* 0: any */
	int64_t from, to;     /* Unix seconds, [from, to); to = 0: open */
	int64_t limit;        /* 0: none */
} cb_observation_filter;

typedef int (*cb_observation_fn)(const cb_observation_row *o, void *ctx);

/* Calls fn for each observation matching `filter`, in (measure, account,
 * time) order. Unknown measure or account keys are CB_ENOTFOUND. */
int cb_store_observation_each(cb_store *s, const cb_observation_filter *filter,
			      cb_observation_fn fn, void *ctx);

/* A growable pair of arrays, one window's observations of one measure. */
typedef struct cb_series_buf {
	double *values;
	int64_t *times;
	size_t n, cap;
} cb_series_buf;

void cb_series_buf_free(cb_series_buf *b);

/* Appends one value at time `at` (Unix seconds). 0 or CB_ENOMEM. */
int cb_series_buf_push(cb_series_buf *b, int64_t at, double v);

/* Fills `out` (cleared first) with the values of measure `measure_id` for
 * account `account_id` in [from, to), in time order: one range scan of the
 * clustered table. */
int cb_store_observation_series(cb_store *s, int64_t measure_id, int64_t account_id,
				int64_t from, int64_t to, cb_series_buf *out);

/* A reader of many series with one prepared query, for loops over
 * accounts and measures (the impact report). Caller frees with
 * cb_store_series_reader_free. */
typedef struct cb_series_reader cb_series_reader;
int cb_store_series_reader_new(cb_store *s, cb_series_reader **out);
/* As cb_store_observation_series, appending nothing: `out` is refilled. */
int cb_store_series_read(cb_series_reader *r, int64_t measure_id, int64_t account_id, int64_t from,
			 int64_t to, cb_series_buf *out);
void cb_store_series_reader_free(cb_series_reader *r);

/* Verifies the KPI data: every observation's measure, account and batch
 * exist, and each batch's row count matches its observations. Returns 0 or
 * CB_EDB naming the first problem. */
int cb_store_observation_check(cb_store *s);

#endif
