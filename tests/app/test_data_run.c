/* The import's sorted runs (app/data_run.h) in real temporary files: rows
 * come back as they went in, whatever their fields' differences, texts
 * and values; a merge hands out every run's rows in row order; a run cut
 * short is an error, not rows made up. */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/data_run.h"
#include "base/error.h"
#include "base/text.h"
#include "testlib.h"

static char *dir;

static void setup(void)
{
	dir = cbt_tempdir();
}

static void teardown(void)
{
	cbt_rmrf(dir);
	free(dir);
}

static uint64_t state = 88172645463325252u;

static uint64_t next_random(void) /* xorshift64 */
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

/* Texts the rows point into: a few sources, notes of every length up to
 * the limit. */
static char sources[3][16] = {"crm export", "survey", "x"};
static char long_note[CB_NOTE_MAX + 1];

/* Row i of a generated series: every field's change from the row before
 * is sometimes none, small, huge or negative. */
static cb_run_row row_of(uint64_t x, int64_t i)
{
	static const int64_t extremes[] = {INT64_MIN, INT64_MAX, 0, -1, 1, 1LL << 40};
	cb_run_row r = {0};
	int s = (int)(x % 5), n = (int)(x >> 8) % 4;

	r.measure_id = (x >> 12) % 7 == 0 ? extremes[(x >> 16) % 6] : 1 + (int64_t)(x >> 20) % 3;
	r.account_id = (x >> 24) % 11 == 0 ? extremes[(x >> 28) % 6] : 1 + (int64_t)(x >> 32) % 200;
	r.at = (x >> 36) % 13 == 0 ? extremes[(x >> 40) % 6] : 1704067200 + i * 37;
	r.line = (x >> 44) % 17 == 0 ? extremes[(x >> 48) % 6] : i + 2;
	switch ((x >> 52) % 6) {
	case 0: r.value = 0; break;
	case 1: r.value = -(double)(x >> 56); break;                  /* whole, negative */
	case 2: r.value = 9007199254740993.0; break;                  /* whole, beyond 2^53 */
	case 3: r.value = 1e15; break;
	case 4: r.value = (double)(int64_t)(x >> 40) / 100.0; break;  /* two decimals */
	default: r.value = -0.5; break;
	}
	if (s < 3) {
		r.source = sources[s];
		r.source_len = strlen(sources[s]);
	}
	if (n == 1) {
		r.note = long_note + CB_NOTE_MAX - (x >> 4) % (CB_NOTE_MAX + 1);
		r.note_len = strlen(r.note);
	} else if (n == 2) {
		r.note = long_note; /* the longest there is */
		r.note_len = CB_NOTE_MAX;
	}
	return r;
}

static void assert_same(const cb_run_row *got, const cb_run_row *want, long i)
{
	ck_assert_msg(got->measure_id == want->measure_id && got->account_id == want->account_id &&
			      got->at == want->at && got->line == want->line,
		      "row %ld: key (%lld %lld %lld %lld), not (%lld %lld %lld %lld)", i,
		      (long long)got->measure_id, (long long)got->account_id, (long long)got->at,
		      (long long)got->line, (long long)want->measure_id,
		      (long long)want->account_id, (long long)want->at, (long long)want->line);
	ck_assert_msg(memcmp(&got->value, &want->value, sizeof(double)) == 0,
		      "row %ld: value %.17g, not %.17g", i, got->value, want->value);
	ck_assert_msg((got->source == NULL) == (want->source == NULL), "row %ld: source", i);
	if (want->source) {
		ck_assert_uint_eq(got->source_len, want->source_len);
		ck_assert_str_eq(got->source, want->source);
	}
	ck_assert_msg((got->note == NULL) == (want->note == NULL), "row %ld: note", i);
	if (want->note) {
		ck_assert_uint_eq(got->note_len, want->note_len);
		ck_assert_str_eq(got->note, want->note);
	}
}

START_TEST(rows_come_back_as_they_went_in)
{
	enum { N = 20000 };
	cb_run *run;
	cb_run_row got;
	uint64_t seed;

	memset(long_note, 'n', CB_NOTE_MAX);
	state = 88172645463325252u;
	seed = state;
	ck_assert_int_eq(cb_run_new(dir, &run), 0);
	for (long i = 0; i < N; i++) {
		cb_run_row r = row_of(next_random(), i);

		ck_assert_int_eq(cb_run_put(run, &r), 0);
	}
	/* read twice: a rewind starts over */
	for (int pass = 0; pass < 2; pass++) {
		ck_assert_int_eq(cb_run_rewind(run), 0);
		state = seed;
		for (long i = 0; i < N; i++) {
			cb_run_row want = row_of(next_random(), i);

			ck_assert_int_eq(cb_run_next(run, &got), 1);
			assert_same(&got, &want, i);
		}
		ck_assert_int_eq(cb_run_next(run, &got), 0);
	}
	cb_run_free(run);
}
END_TEST

START_TEST(an_empty_run_reads_nothing)
{
	cb_run *run;
	cb_run_row got;

	ck_assert_int_eq(cb_run_new(dir, &run), 0);
	ck_assert_int_eq(cb_run_rewind(run), 0);
	ck_assert_int_eq(cb_run_next(run, &got), 0);
	cb_run_free(run);
}
END_TEST

START_TEST(a_merge_hands_out_every_row_in_order)
{
	enum { RUNS = 7, ROWS = 3000 };
	cb_run *runs[RUNS];
	cb_run_merge *m;
	const cb_run_row *r;
	cb_run_row prev = {0};
	long n = 0, with_source = 0;

	for (int k = 0; k < RUNS; k++) {
		ck_assert_int_eq(cb_run_new(dir, &runs[k]), 0);
		/* run k: rows of measures 1..3, accounts 1..5, times spread;
		 * each run in row order, the runs interleaved */
		for (long i = 0; i < ROWS; i++) {
			cb_run_row w = {1 + i * 3 / ROWS,
					1 + (i % 1000) / 200,
					1000 * (i % 200) + k,
					i * RUNS + k,
					(double)i,
					k % 2 ? "odd run" : NULL,
					NULL,
					k % 2 ? 7 : 0,
					0};

			ck_assert_int_eq(cb_run_put(runs[k], &w), 0);
		}
	}
	ck_assert_int_eq(cb_run_merge_new(runs, RUNS, &m), 0);
	while (cb_run_merge_next(m, &r) == 1) {
		if (n)
			ck_assert_msg(cb_run_row_before(&prev, r), "row %ld out of order", n);
		with_source += r->source && strcmp(r->source, "odd run") == 0;
		prev = *r;
		n++;
	}
	ck_assert_int_eq(n, RUNS * ROWS);
	ck_assert_int_eq(with_source, 3 * ROWS);
	ck_assert_int_eq(cb_run_merge_next(m, &r), 0);
	cb_run_merge_free(m);
	for (int k = 0; k < RUNS; k++)
		cb_run_free(runs[k]);
}
END_TEST

/* The /proc/self/fd link of the one file open in `dir`. */
static int run_file(char *out, size_t outlen)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int found = -1;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		char link[4096], target[4096];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, dir, strlen(dir)) == 0 && target[strlen(dir)] == '/') {
			snprintf(out, outlen, "%s", link);
			found = 0;
		}
	}
	closedir(d);
	return found;
}

START_TEST(a_run_cut_short_is_an_error)
{
	cb_run *run;
	cb_run_row got, w = {1, 2, 3, 4, 0.25, "source", NULL, 6, 0};
	char path[4096];
	int rc = 1;
	long rows = 0;

	ck_assert_int_eq(cb_run_new(dir, &run), 0);
	for (int i = 0; i < 100; i++) {
		w.at += 10;
		ck_assert_int_eq(cb_run_put(run, &w), 0);
	}
	ck_assert_int_eq(cb_run_rewind(run), 0);
	/* The run's file has no name: cut it through /proc/self/fd. */
	ck_assert_int_eq(run_file(path, sizeof(path)), 0);
	ck_assert_int_eq(truncate(path, 100 * 9 + 7), 0);
	while ((rc = cb_run_next(run, &got)) == 1)
		rows++;
	ck_assert_int_eq(rc, CB_EIO);
	ck_assert_str_eq(cb_error_last(), "the import's temporary file is cut short");
	ck_assert_int_lt(rows, 100);
	cb_run_free(run);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/data_run");
	TCase *tc = tcase_create("runs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rows_come_back_as_they_went_in);
	tcase_add_test(tc, an_empty_run_reads_nothing);
	tcase_add_test(tc, a_merge_hands_out_every_row_in_order);
	tcase_add_test(tc, a_run_cut_short_is_an_error);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
