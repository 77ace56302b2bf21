/*
 * Importing records (accounts, people, sessions) from the CSV files
 * trainers keep: all rows or none, every bad row reported with its line.
 */
#ifndef CB_APP_IMPORT_H
#define CB_APP_IMPORT_H

#include <stddef.h>

#include "app/workspace.h"
#include "format/csv.h"

/* Handles one row (rec->line is where it starts; rec and cols are
 * borrowed for the call): 0 when it went in; CB_EINVALID, CB_EEXISTS or
 * CB_ENOTFOUND (message in cb_error_last, without file and line) when the
 * row is at fault; any other negative code stops the import. Runs inside
 * the import's transaction, as a savepoint of its own that is rolled back
 * when the row fails. */
typedef int (*cb_import_row_fn)(cb_workspace *ws, const cb_csv_record *rec,
				const cb_csv_columns *cols, void *ctx);

/* Reads `path` ("-": stdin, called "<stdin>" in messages) with the given
 * columns (see cb_csv_header) and feeds each row to fn, all in one
 * transaction that is committed only when every row went in. Otherwise
 * rolls back and returns CB_EINVALID with every error, one
 * "FILE:LINE: what" per line: the bad rows (at most 20; then reading stops
 * and a last line says how many lines were not read) and a broken CSV
 * structure, which ends the reading. A header-only file is an error.
 * *imported counts the rows added (0 on failure). */
int cb_app_import_csv(cb_workspace *ws, const char *path, const char *const *required,
		      const char *const *optional, cb_import_row_fn fn, void *ctx,
		      size_t *imported);

/* The three record imports; columns as documented in their commands'
 * help: accounts (key, name; industry, region; each row checked by
 * cb_app_account_validate, and a key taken in the workspace or by an
 * earlier line of the file is an error), people (key, name, roles;
 * email), sessions (program, title, format, start, end, trainer; key,
 * location, cost, currency, attendees, accounts, notes; lists in a cell
 * are separated by ';'). */
int cb_app_account_import(cb_workspace *ws, const char *path, size_t *imported);
int cb_app_person_import(cb_workspace *ws, const char *path, size_t *imported);
int cb_app_session_import(cb_workspace *ws, const char *path, size_t *imported);

#endif
