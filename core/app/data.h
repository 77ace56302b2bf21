/*
 * Importing customer KPI observations: one CSV file is one batch, checked
 * row by row against the plugins' measure declarations, written all or
 * nothing, known by the SHA-256 of its bytes so that importing it twice
 * changes nothing.
 */
#ifndef CB_APP_DATA_H
#define CB_APP_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "app/workspace.h"
#include "store/observation.h"

#define CB_IMPORT_MAX_ERRORS 20

typedef struct cb_data_import_options {
	int create_accounts; /* add unknown accounts instead of refusing them */
	int dry_run;         /* check everything, write nothing */
	/* leave out rows that repeat an observation another batch stored
	 * (same account, measure, time and value) instead of refusing */
	int skip_duplicates;
	/* Told every so often how many bytes of how many are read (total 0
	 * when unknown, e.g. stdin). May be NULL. */
	void (*progress)(uint64_t done, uint64_t total, void *ctx);
	void *progress_ctx;
	/* What messages and the batch call the file (an upload's own name
	 * where `path` is a temporary copy); NULL: `path`. */
	const char *name;
	/* Rows sorted at a time and sorted runs merged at once; 0: the
	 * defaults (262,144 and 512). Tests make them small to see a large
	 * file's way through small data. */
	size_t chunk_rows, max_runs;
} cb_data_import_options;

typedef struct cb_data_import_result {
	int64_t batch_id;    /* 0 for a dry run */
	char sha256[65];     /* of the file's bytes */
	int64_t rows;        /* stored (or, for a dry run, that would be) */
	int64_t skipped;     /* left out as duplicates (--skip-duplicates) */
	int already;         /* the same bytes were imported before: nothing changed */
	int64_t accounts_created;
} cb_data_import_result;

/* Imports the CSV file at `path` ("-": stdin). On bad input returns
 * CB_EINVALID with every error found ("FILE:LINE: what", one per line, at
 * most CB_IMPORT_MAX_ERRORS, then how many lines were not read) and writes
 * nothing. Rows repeating an observation that another batch stored (the
 * same account, measure, time and value: an export imported twice in
 * overlapping files) are CB_EINVALID too, with their count and first
 * lines, unless o->skip_duplicates leaves them out. */
int cb_app_data_import(cb_workspace *ws, const char *path, const cb_data_import_options *o,
		       cb_data_import_result *result);

/* Drops the batch `ref` (number or hash prefix) and its observations; fills
 * *batch (caller clears) and *rows. */
int cb_app_data_drop(cb_workspace *ws, const char *ref, cb_batch *batch, int64_t *rows);

#endif
