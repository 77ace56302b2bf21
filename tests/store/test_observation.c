/* The observation writer (store/observation.h): rows given one at a time
 * through its feed go in through one statement, on real SQLite files; a
 * feed that fails, or a row already stored, stops it with its error, and
 * the transaction's rollback leaves the table as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "store/observation.h"
#include "store/store.h"
#include "testlib.h"

static char *dir;
static char path[4096];

static void setup(void)
{
	dir = cbt_tempdir();
	snprintf(path, sizeof(path), "%s/test.db", dir);
}

static void teardown(void)
{
	cbt_rmrf(dir);
	free(dir);
}

/* A feed of `n` rows of one measure and account, times 0, 10, 20...; row
 * `fail_at` (1-based; 0: none) fails instead; `repeat_at` repeats the row
 * before it. Texts come from one buffer rewritten for each row, as a merge
 * keeps them. */
typedef struct feed {
	int64_t measure_id, account_id, batch_id;
	int n, given, fail_at, repeat_at;
	char source[32], note[32];
} feed;

static int next_row(void *ctx, cb_observation *o)
{
	feed *f = ctx;
	int i;

	if (f->given == f->n)
		return 0;
	i = ++f->given;
	if (i == f->fail_at)
		return cb_error_set(CB_EIO, "feed failed at row %d", i);
	if (i == f->repeat_at)
		i--;
	snprintf(f->source, sizeof(f->source), "src %d", i);
	snprintf(f->note, sizeof(f->note), "note %d", i);
	*o = (cb_observation){f->measure_id, f->account_id, 10 * (int64_t)i, f->batch_id, i,
			      i / 4.0, i % 3 ? f->source : NULL, i % 2 ? f->note : NULL};
	return 1;
}

/* Opens the store with one measure, one account and one batch. */
static cb_store *store_with_batch(feed *f)
{
	cb_store *s;
	char *out;

	ck_assert_int_eq(cb_store_open(path, CB_STORE_CREATE, &s), 0);
	ck_assert_int_eq(cb_store_begin(s), 0);
	ck_assert_int_eq(cb_store_measure_id(s, "m.one", 1, &f->measure_id), 0);
	ck_assert_int_eq(cb_store_batch_begin(s, "test.csv", &f->batch_id), 0);
	ck_assert_int_eq(cb_store_commit(s), 0);
	out = cbt_sh(NULL, "sqlite3 '%s' \"INSERT INTO account (key, name) VALUES ('acme', 'Acme');"
			   " SELECT id FROM account WHERE key = 'acme'\"",
		     path);
	f->account_id = atoll(out);
	free(out);
	ck_assert_int_gt(f->account_id, 0);
	return s;
}

static char *table(void)
{
	return cbt_sh(NULL,
		      "sqlite3 '%s' 'SELECT at, line, value, quote(source), quote(note) FROM "
		      "observation ORDER BY measure_id, account_id, at, batch_id, line'",
		      path);
}

START_TEST(rows_of_a_feed_go_in_with_their_texts)
{
	feed f = {.n = 1000};
	cb_observation_writer *w;
	cb_store *s = store_with_batch(&f);
	char *out, *count;

	ck_assert_int_eq(cb_store_begin(s), 0);
	ck_assert_int_eq(cb_store_observation_writer_new(s, &w), 0);
	ck_assert_int_eq(cb_store_observation_write_all(w, next_row, &f), 0);
	/* the same writer again: another feed, later rows */
	f = (feed){f.measure_id, f.account_id, f.batch_id, 1003, 1000, 0, 0, "", ""};
	ck_assert_int_eq(cb_store_observation_write_all(w, next_row, &f), 0);
	cb_store_observation_writer_free(w);
	ck_assert_int_eq(cb_store_commit(s), 0);
	cb_store_close(s);
	count = cbt_sh(NULL, "sqlite3 '%s' 'SELECT count(*), sum(line), count(source), count(note) "
			     "FROM observation'",
		       path);
	/* 1003 rows, lines 1..1003; sources on lines not divisible by 3,
	 * notes on odd lines */
	ck_assert_str_eq(count, "1003|503506|669|502\n");
	out = table();
	ck_assert_msg(strncmp(out, "10|1|0.25|'src 1'|'note 1'\n20|2|0.5|'src 2'|NULL\n"
				   "30|3|0.75|NULL|'note 3'\n",
			      72) == 0,
		      "%s", out);
	ck_assert_msg(cbt_has(out, "\n10030|1003|250.75|'src 1003'|'note 1003'\n"), "%.200s", out);
	free(out);
	free(count);
}
END_TEST

START_TEST(a_failing_feed_leaves_the_table_as_it_was)
{
	feed f = {.n = 500, .fail_at = 321};
	cb_observation_writer *w;
	cb_store *s = store_with_batch(&f);
	char *out;

	ck_assert_int_eq(cb_store_begin(s), 0);
	ck_assert_int_eq(cb_store_observation_writer_new(s, &w), 0);
	ck_assert_int_eq(cb_store_observation_write_all(w, next_row, &f), CB_EIO);
	ck_assert_str_eq(cb_error_last(), "feed failed at row 321");
	/* the 320 rows before the failure wait for the rollback */
	f = (feed){f.measure_id, f.account_id, f.batch_id, 330, 320, 0, 0, "", ""};
	ck_assert_int_eq(cb_store_observation_write_all(w, next_row, &f), 0);
	cb_store_observation_writer_free(w);
	ck_assert_int_eq(cb_store_rollback(s), 0);
	cb_store_close(s);
	out = cbt_sh(NULL, "sqlite3 '%s' 'SELECT count(*) FROM observation'", path);
	ck_assert_str_eq(out, "0\n");
	free(out);
}
END_TEST

/* Rows into a table that holds rows already, among them: SQLite keeps no
 * statement journal of the pages they change (its temporary file,
 * etilqs_*, is never opened), and the rows are all there after the
 * commit. */
START_TEST(rows_among_stored_rows_need_no_statement_journal)
{
	feed f = {.n = 20000};
	cb_observation_writer *w;
	cb_store *s = store_with_batch(&f);
	char *out;

	ck_assert_int_eq(cb_store_begin(s), 0);
	ck_assert_int_eq(cb_store_observation_writer_new(s, &w), 0);
	ck_assert_int_eq(cb_store_observation_write_all(w, next_row, &f), 0);
	cb_store_observation_writer_free(w);
	ck_assert_int_eq(cb_store_batch_finish(s, f.batch_id, "first", 20000, 0, 10, 200000), 0);
	ck_assert_int_eq(cb_store_commit(s), 0);
	/* the same times again under a second batch: every page changes */
	ck_assert_int_eq(cb_store_begin(s), 0);
	ck_assert_int_eq(cb_store_batch_begin(s, "again.csv", &f.batch_id), 0);
	f.given = 0;
	ck_assert_int_eq(cb_store_observation_writer_new(s, &w), 0);
	out = cbt_sh(NULL, "ls -l /proc/%ld/fd | grep -c etilqs", (long)getpid());
	ck_assert_str_eq(out, "0\n");
	free(out);
	ck_assert_int_eq(cb_store_observation_write_all(w, next_row, &f), 0);
	out = cbt_sh(NULL, "ls -l /proc/%ld/fd | grep -c etilqs", (long)getpid());
	ck_assert_str_eq(out, "0\n");
	free(out);
	cb_store_observation_writer_free(w);
	ck_assert_int_eq(cb_store_commit(s), 0);
	cb_store_close(s);
	out = cbt_sh(NULL, "sqlite3 '%s' 'SELECT count(*), count(DISTINCT batch_id) FROM observation'",
		     path);
	ck_assert_str_eq(out, "40000|2\n");
	free(out);
}
END_TEST

START_TEST(a_row_stored_twice_is_refused_whole)
{
	feed f = {.n = 300, .repeat_at = 200};
	cb_observation_writer *w;
	cb_store *s = store_with_batch(&f);
	char *out;

	ck_assert_int_eq(cb_store_begin(s), 0);
	ck_assert_int_eq(cb_store_observation_writer_new(s, &w), 0);
	ck_assert_int_eq(cb_store_observation_write_all(w, next_row, &f), CB_EEXISTS);
	/* the feed stopped at the repeated row */
	ck_assert_int_eq(f.given, 200);
	cb_store_observation_writer_free(w);
	ck_assert_int_eq(cb_store_rollback(s), 0);
	cb_store_close(s);
	out = cbt_sh(NULL, "sqlite3 '%s' 'SELECT count(*) FROM observation'", path);
	ck_assert_str_eq(out, "0\n");
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("store/observation");
	TCase *tc = tcase_create("writer");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rows_of_a_feed_go_in_with_their_texts);
	tcase_add_test(tc, a_failing_feed_leaves_the_table_as_it_was);
	tcase_add_test(tc, a_row_stored_twice_is_refused_whole);
	tcase_add_test(tc, rows_among_stored_rows_need_no_statement_journal);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
