/*
 * The sorted runs of an observation import (app/data.c): a chunk's rows,
 * sorted, kept in an unnamed temporary file beside the database, then read
 * back by a merge of all the runs that hands their rows out in row order.
 * A run keeps its rows packed: each field as its difference from the row
 * before it (a few bytes in a sorted run), the source once for as long as
 * it stays the same, so that a run is about a third of the rows' size.
 */
#ifndef CB_APP_DATA_RUN_H
#define CB_APP_DATA_RUN_H

#include <stddef.h>
#include <stdint.h>

/* A row of a run. Texts are NUL-terminated, at most CB_NOTE_MAX bytes;
 * NULL when absent. */
typedef struct cb_run_row {
	int64_t measure_id, account_id, at, line;
	double value;
	const char *source, *note;
	size_t source_len, note_len;
} cb_run_row;

typedef struct cb_run cb_run;

/* Starts an empty run in an unnamed file in folder `dir` (gone when the
 * run is freed or the process dies). Caller frees with cb_run_free. */
int cb_run_new(const char *dir, cb_run **out);

/* Appends a row (its texts are copied). 0 or CB_EIO. */
int cb_run_put(cb_run *run, const cb_run_row *r);

/* Ends the writing and goes back to the first row for reading. */
int cb_run_rewind(cb_run *run);

/* Reads the next row: 1 with *r, 0 at the end, or CB_EIO. Its texts stay
 * valid until the next call. */
int cb_run_next(cb_run *run, cb_run_row *r);

void cb_run_free(cb_run *run);

/* Whether row a comes before row b: (measure, account, time, line). */
int cb_run_row_before(const cb_run_row *a, const cb_run_row *b);

/* A merge of sorted runs, rewound and read through to their ends (the
 * runs are borrowed: the caller frees them after the merge). Caller frees
 * with cb_run_merge_free. */
typedef struct cb_run_merge cb_run_merge;
int cb_run_merge_new(cb_run **runs, size_t n, cb_run_merge **out);

/* The next row of all the runs in row order: 1 with *r, 0 at the end, or
 * CB_EIO. The row and its texts stay valid until the next call. */
int cb_run_merge_next(cb_run_merge *m, const cb_run_row **r);

void cb_run_merge_free(cb_run_merge *m);

#endif
