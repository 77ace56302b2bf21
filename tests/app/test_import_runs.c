/* `data import` of a file larger than one sorted chunk: its sorted runs are
 * kept in unnamed temporary files and merged into the store once the whole
 * file is read and checked (core/app/data.c). Small chunks (chunk_rows) and
 * few runs at once (max_runs) take small data the way a 100M-row file goes:
 * runs, runs merged into one, the final merge. Checked against the same file
 * imported as one chunk, on real SQLite files. */
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "app/data.h"
#include "app/workspace.h"
#include "base/buf.h"
#include "base/error.h"
#include "testlib.h"

#define ROWS 2000

static char *one, *many; /* workspaces: imported as one chunk, as runs */

static void add_accounts(const char *ws)
{
	static const char *const keys[] = {"acme", "globex", "initech", "umbrella", "hooli"};
	cbt_run r;

	for (size_t i = 0; i < 5; i++) {
		cbt_casebook(&r, ws, NULL, "account", "add", keys[i], "--name", keys[i], NULL);
		ck_assert_msg(r.status == 0, "%s", r.err);
		cbt_run_free(&r);
	}
}

static void setup(void)
{
	one = cbt_workspace();
	many = cbt_workspace();
	add_accounts(one);
	add_accounts(many);
}

static void teardown(void)
{
	cbt_rmrf(one);
	cbt_rmrf(many);
	free(one);
	free(many);
}

/* ROWS observations in an order unlike the table's (times spread, accounts
 * and measures mixed by a fixed generator), a source on some and a note on
 * others; with `bad_line` > 0 that line holds a value no measure takes.
 * Rows with index in [dup_from, dup_to) only: a file that repeats part of
 * another. */
static char *observations(const char *dir, const char *name, int from, int to, int bad_line)
{
	static const char *const accounts[] = {"acme", "globex", "initech", "umbrella", "hooli"};
	static const char *const measures[] = {"repair.hours", "call.response_hours"};
	cb_buf b = CB_BUF_INIT;
	unsigned x = 12345;
	char *path;

	cb_buf_puts(&b, "account,measure,at,value,source,note\n");
	for (int i = 0; i < ROWS; i++) {
		int day = (int)((unsigned)i * 7919u % 700u), sec = (int)((unsigned)i * 104729u % 86400u);
		long line = (long)(i - from) + 2;

		x = x * 1103515245u + 12345u;
		if (i < from || i >= to)
			continue;
		cb_buf_printf(&b, "%s,%s,2024-%02d-%02dT%02d:%02d:%02dZ,", accounts[(x >> 8) % 5],
			      measures[(x >> 16) % 2], 1 + day / 60 % 12, 1 + day % 28, sec / 3600,
			      sec / 60 % 60, sec % 60);
		if (line == bad_line)
			cb_buf_puts(&b, "-7");
		else
			cb_buf_printf(&b, "%d.%02d", (int)(x >> 20) % 48, (int)(x >> 4) % 100);
		cb_buf_printf(&b, ",%s,%s\n", i % 3 == 0 ? "crm export" : "",
			      i % 5 == 0 ? "\"a note, with a comma\"" : "");
	}
	path = cbt_write(dir, name, cb_buf_cstr(&b));
	cb_buf_free(&b);
	return path;
}

static int import(const char *ws, const char *path, size_t chunk, size_t runs, int skip,
		  cb_data_import_result *res)
{
	cb_data_import_options o = {0};
	cb_workspace *w;
	int rc;

	o.chunk_rows = chunk;
	o.max_runs = runs;
	o.skip_duplicates = skip;
	ck_assert_int_eq(cb_workspace_open(ws, 0, &w), 0);
	rc = cb_app_data_import(w, path, &o, res);
	cb_workspace_close(w);
	return rc;
}

/* Every stored observation, in the table's order, as text. */
static char *stored(const char *ws)
{
	char db[4096];
	sqlite3 *s;
	sqlite3_stmt *st;
	cb_buf b = CB_BUF_INIT;
	char *out;

	snprintf(db, sizeof(db), "%s/casebook.db", ws);
	ck_assert_int_eq(sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(s,
					    "SELECT m.key, a.key, o.at, o.value, o.line, "
					    "coalesce(o.source, '-'), coalesce(o.note, '-') "
					    "FROM observation o JOIN measure m ON m.id = o.measure_id "
					    "JOIN account a ON a.id = o.account_id ORDER BY 1, 2, 3, 5",
					    -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		cb_buf_printf(&b, "%s %s %lld %.17g %lld %s %s\n", sqlite3_column_text(st, 0),
			      sqlite3_column_text(st, 1), (long long)sqlite3_column_int64(st, 2),
			      sqlite3_column_double(st, 3), (long long)sqlite3_column_int64(st, 4),
			      sqlite3_column_text(st, 5), sqlite3_column_text(st, 6));
	sqlite3_finalize(st);
	sqlite3_close(s);
	out = strdup(cb_buf_cstr(&b));
	cb_buf_free(&b);
	return out;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* No temporary file of an import is left in the workspace folder. */
static void no_leftovers(const char *ws)
{
	DIR *d = opendir(ws);
	struct dirent *e;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		ck_assert_msg(strncmp(e->d_name, ".casebook-tmp-", 14) != 0, "left behind: %s",
			      e->d_name);
	closedir(d);
}

START_TEST(runs_merge_to_what_one_chunk_stores)
{
	char *csv = observations(one, "obs.csv", 0, ROWS, 0);
	cb_data_import_result a, b;
	char *want, *got;

	ck_assert_int_eq(import(one, csv, 0, 0, 0, &a), 0);
	/* 64 rows a chunk: 32 runs; 4 merged at once: runs merged into one
	 * again and again before the last merge. */
	ck_assert_int_eq(import(many, csv, 64, 4, 0, &b), 0);
	ck_assert_int_eq(a.rows, ROWS);
	ck_assert_int_eq(b.rows, ROWS);
	ck_assert_str_eq(a.sha256, b.sha256);
	want = stored(one);
	got = stored(many);
	ck_assert_uint_eq(count_lines(want), ROWS);
	ck_assert_str_eq(got, want);
	ck_assert_msg(cbt_has(want, "crm export") && cbt_has(want, "a note, with a comma"), "%.300s",
		      want);
	no_leftovers(many);
	free(want);
	free(got);
	free(csv);
}
END_TEST

/* Rows repeating observations stored before are found in every chunk: the
 * file is refused naming them, or with skip_duplicates they are left out;
 * either way the runs and the store agree with one chunk's answer. */
START_TEST(duplicates_are_found_across_runs)
{
	char *first = observations(many, "first.csv", 0, 1200, 0);
	char *second = observations(many, "second.csv", 1000, ROWS, 0);
	cb_data_import_result r;
	char *before, *after;

	ck_assert_int_eq(import(many, first, 64, 4, 0, &r), 0);
	ck_assert_int_eq(r.rows, 1200);
	before = stored(many);
	ck_assert_int_eq(import(many, second, 64, 4, 0, &r), CB_EINVALID);
	ck_assert_msg(cbt_has(cb_error_last(), "200 rows have the same account, measure, time and "
					       "value as observations already stored"),
		      "%s", cb_error_last());
	ck_assert_msg(cbt_has(cb_error_last(), "second.csv:2: already stored by batch"), "%s",
		      cb_error_last());
	after = stored(many);
	ck_assert_str_eq(after, before);
	free(after);
	ck_assert_int_eq(import(many, second, 64, 4, 1, &r), 0);
	ck_assert_int_eq(r.rows, 800);
	ck_assert_int_eq(r.skipped, 200);
	after = stored(many);
	ck_assert_uint_eq(count_lines(after), ROWS);
	no_leftovers(many);
	free(before);
	free(after);
	free(first);
	free(second);
}
END_TEST

/* A bad row in the last chunk, after many runs were kept: nothing is
 * stored, the message names the line, and no temporary file stays. */
START_TEST(a_bad_row_after_many_runs_stores_nothing)
{
	char *csv = observations(many, "obs.csv", 0, ROWS, 1990);
	cb_data_import_result r;
	char *dump = cbt_db_dump(many), *again;

	ck_assert_int_eq(import(many, csv, 64, 4, 0, &r), CB_EINVALID);
	ck_assert_msg(cbt_has(cb_error_last(), "obs.csv:1990: value -7 out of range"), "%s",
		      cb_error_last());
	again = cbt_db_dump(many);
	ck_assert_str_eq(again, dump);
	no_leftovers(many);
	free(dump);
	free(again);
	free(csv);
}
END_TEST

/* Rows whose (measure, account, time) do not pack into 64 bits: an account
 * whose id is 2^40 beside ids 1..5, times from 1905 to 2095. Each chunk is
 * then sorted by comparisons instead of the radix sort, and the duplicates
 * of an overlapping file are found the same. */
static char *wide_rows(const char *dir, const char *name, int from, int to)
{
	static const char *const accounts[] = {"acme", "far", "globex"};
	cb_buf b = CB_BUF_INIT;
	char *path;

	cb_buf_puts(&b, "account,measure,at,value\n");
	for (int i = from; i < to; i++)
		cb_buf_printf(&b, "%s,repair.hours,%04d-%02d-%02dT00:00:%02dZ,%d.5\n",
			      accounts[i % 3], 1905 + (i * 37) % 190, 1 + i % 12, 1 + i % 28,
			      i % 60, i % 40);
	path = cbt_write(dir, name, cb_buf_cstr(&b));
	cb_buf_free(&b);
	return path;
}

START_TEST(keys_wider_than_64_bits_sort_and_find_duplicates)
{
	char *first = wide_rows(many, "first.csv", 0, 600);
	char *second = wide_rows(many, "second.csv", 500, 900);
	char *copy = wide_rows(one, "first.csv", 0, 600);
	char *out, *want, *got;
	cb_data_import_result r;
	int status;

	out = cbt_sh(&status, "sqlite3 '%s/casebook.db' \"INSERT INTO account (id, key, name) "
			      "VALUES (1099511627776, 'far', 'Far')\"",
		     many);
	ck_assert_int_eq(status, 0);
	free(out);
	out = cbt_sh(&status, "sqlite3 '%s/casebook.db' \"INSERT INTO account (key, name) "
			      "VALUES ('far', 'Far')\"",
		     one);
	ck_assert_int_eq(status, 0);
	free(out);
	ck_assert_int_eq(import(many, first, 64, 4, 0, &r), 0);
	ck_assert_int_eq(r.rows, 600);
	ck_assert_int_eq(import(one, copy, 0, 0, 0, &r), 0);
	want = stored(one);
	got = stored(many);
	ck_assert_str_eq(got, want);
	free(got);
	ck_assert_int_eq(import(many, second, 64, 4, 0, &r), CB_EINVALID);
	/* rows 500..599 repeat: lines 2..101 of second.csv, the first five
	 * named */
	ck_assert_msg(cbt_has(cb_error_last(), "second.csv: 100 rows have the same account"), "%s",
		      cb_error_last());
	for (int line = 2; line <= 6; line++) {
		char where[64];

		snprintf(where, sizeof(where), "second.csv:%d: already stored by batch", line);
		ck_assert_msg(cbt_has(cb_error_last(), where), "%s", cb_error_last());
	}
	ck_assert_int_eq(import(many, second, 64, 4, 1, &r), 0);
	ck_assert_int_eq(r.rows, 300);
	ck_assert_int_eq(r.skipped, 100);
	free(want);
	free(first);
	free(second);
	free(copy);
}
END_TEST

/* A file refused on its first row is still read to its end for more
 * errors, but keeps none of the rows after it: memory stays flat (it grew
 * with every row's note, 48 MB here, to the file's end). */
START_TEST(rows_after_an_error_are_not_kept)
{
	char path[4096];
	struct rusage before, after;
	cb_data_import_result r;
	FILE *f;

	snprintf(path, sizeof(path), "%s/notes.csv", many);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "account,measure,at,value,note\nacme,repair.hours,2024-01-01,-7,bad\n");
	for (int i = 0; i < 400000; i++)
		fprintf(f, "globex,repair.hours,2024-01-01T00:00:%02dZ,5,note %07d: %0100d\n", i % 60,
			i, i);
	ck_assert_int_eq(fclose(f), 0);
	getrusage(RUSAGE_SELF, &before);
	ck_assert_int_eq(import(many, path, 0, 0, 0, &r), CB_EINVALID);
	getrusage(RUSAGE_SELF, &after);
	ck_assert_msg(cbt_has(cb_error_last(), "notes.csv:2: value -7 out of range"), "%s",
		      cb_error_last());
	ck_assert_msg(after.ru_maxrss - before.ru_maxrss < 16 * 1024, "grew by %ld KiB",
		      after.ru_maxrss - before.ru_maxrss);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/import_runs");
	TCase *tc = tcase_create("runs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, runs_merge_to_what_one_chunk_stores);
	tcase_add_test(tc, duplicates_are_found_across_runs);
	tcase_add_test(tc, a_bad_row_after_many_runs_stores_nothing);
	tcase_add_test(tc, keys_wider_than_64_bits_sort_and_find_duplicates);
	tcase_add_test(tc, rows_after_an_error_are_not_kept);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
