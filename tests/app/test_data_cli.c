/* `casebook data` end to end on real workspaces: imports that land whole or
 * not at all, every kind of bad CSV, idempotent batches, drop, series, and
 * the faults: SIGKILL in the middle of a large import, two imports at once. */
#include <jansson.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

static char *ws;

static void setup(void)
{
	cbt_run r;

	ws = cbt_workspace();
	cbt_casebook(&r, ws, NULL, "account", "add", "acme", "--name", "Acme", NULL);
	ck_assert_int_eq(r.status, 0);
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "account", "add", "globex", "--name", "Globex", NULL);
	ck_assert_int_eq(r.status, 0);
	cbt_run_free(&r);
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

static char *count_of(const char *sql)
{
	char *out = cbt_sh(NULL, "sqlite3 -readonly '%s/casebook.db' '%s'", ws, sql);

	out[strcspn(out, "\n")] = '\0';
	return out;
}

static void assert_count(const char *sql, const char *want)
{
	char *got = count_of(sql);

	ck_assert_msg(strcmp(got, want) == 0, "%s: got %s, want %s", sql, got, want);
	free(got);
}

START_TEST(import_rfc4180_and_read_back)
{
	char *csv = cbt_write(ws, "d.csv",
			      "\xEF\xBB\xBF" "Account,MEASURE,at,value,source,note\r\n"
			      "acme,survey.recommend,2025-01-05,9,crm,\r\n"
			      "acme,survey.recommend,2025-01-06T10:00:00+01:00,10,crm,\"a, quoted\r\n"
			      "note with \"\"quotes\"\"\"\r\n"
			      "\r\n"
			      "globex,survey.recommend,2025-02-01T23:30:00-01:00,3,,\r\n"
			      "acme,survey.recommend,2025-01-01,5,,\r\n");
	json_t *rows, *r2;
	json_error_t jerr;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "data", "import", csv, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "imported 4 rows as batch 1"));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "data", "list", "--json", NULL);
	rows = json_loads(r.out, 0, &jerr);
	ck_assert_ptr_nonnull(rows);
	ck_assert_uint_eq(json_array_size(rows), 4);
	r2 = json_array_get(rows, 2);
	ck_assert_str_eq(json_string_value(json_object_get(r2, "at")), "2025-01-06T09:00:00Z");
	ck_assert_str_eq(json_string_value(json_object_get(r2, "note")),
			 "a, quoted\r\nnote with \"quotes\"");
	ck_assert_int_eq(json_integer_value(json_object_get(r2, "line")), 3);
	/* Stored in UTC: 23:30 at -01:00 is the next day. */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 3), "at")),
			 "2025-02-02T00:30:00Z");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(rows, 3), "line")), 6);
	json_decref(rows);
	cbt_run_free(&r);
	/* Clustered by (measure, account, time), as the sqlite3 CLI sees it. */
	assert_count("SELECT count(*) FROM observation", "4");
	assert_count("SELECT sql LIKE \"%WITHOUT ROWID%\" FROM sqlite_master WHERE name = \"observation\"",
		     "1");
	/* A plain scan meets the rows in (measure, account, time) order,
	 * not in file order: the last line of the file comes first. */
	assert_count("SELECT group_concat(line, \",\") FROM observation", "7,2,3,6");
	free(csv);
}
END_TEST

START_TEST(same_bytes_twice_change_nothing_and_drop_takes_back)
{
	char *csv = cbt_write(ws, "d.csv", "account,measure,at,value\nacme,survey.recommend,2025-01-05,9\n");
	char *before;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "data", "import", csv, NULL);
	ck_assert_int_eq(r.status, 0);
	cbt_run_free(&r);
	before = cbt_db_dump(ws);
	cbt_casebook(&r, ws, NULL, "data", "import", csv, "--json", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(cbt_has(r.out, "\"already_imported\": true"));
	cbt_run_free(&r);
	{
		char *after = cbt_db_dump(ws);

		ck_assert_str_eq(before, after);
		free(after);
	}
	free(before);
	/* stdin with the same bytes is the same batch too. */
	cbt_casebook(&r, ws, "account,measure,at,value\nacme,survey.recommend,2025-01-05,9\n", "data",
		     "import", "-", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(cbt_has(r.out, "<stdin>: already imported as batch 1"));
	cbt_run_free(&r);

	cbt_casebook(&r, ws, NULL, "data", "batches", "--csv", NULL);
	ck_assert(cbt_has(r.out, "batch,sha256,source,rows,skipped,first_at,last_at,imported_at\r\n1,"));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "data", "drop", "1", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "dropped batch 1"));
	cbt_run_free(&r);
	assert_count("SELECT count(*) FROM observation", "0");
	assert_count("SELECT count(*) FROM batch", "0");
	cbt_casebook(&r, ws, NULL, "data", "drop", "1", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert(cbt_has(r.err, "no batch '1'"));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "data", "import", csv, NULL);
	ck_assert_int_eq(r.status, 0); /* importable again */
	cbt_run_free(&r);
	free(csv);
}
END_TEST

/* Imports `text` as a file and expects a refusal carrying `message`, with
 * the database exactly as it was. */
static void refused(const char *text, const char *message)
{
	char *before = cbt_db_dump(ws), *after;
	char *csv = cbt_write(ws, "bad.csv", text);
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "data", "import", csv, NULL);
	ck_assert_msg(r.status == 1, "exit %d for %s", r.status, message);
	ck_assert_msg(cbt_has(r.err, message), "want '%s' in: %s", message, r.err);
	cbt_run_free(&r);
	after = cbt_db_dump(ws);
	ck_assert_msg(strcmp(before, after) == 0, "database changed by a refused import (%s)", message);
	free(before), free(after), free(csv);
}

START_TEST(bad_csv_of_every_kind)
{
	char *huge = malloc(3u << 20);
	const char *head = "account,measure,at,value\n";

	refused("", "bad.csv: the file is empty");
	refused("account,measure,at,value\n", "bad.csv: no rows after the header");
	refused("account,measure,value\nacme,survey.recommend,9\n",
		"bad.csv:1: missing column 'at' (the header has: account, measure, value)");
	refused("account,measure,at,value,colour\nacme,survey.recommend,2025-01-01,9,red\n",
		"bad.csv:1: unknown column 'colour'");
	refused("account,measure,at,valeu\n", "unknown column 'valeu' (did you mean 'value'?)");
	refused("account,measure,at,value\nacme,survey.recommend,2025-01-01,\"9\n",
		"bad.csv:2: a quoted field is never closed");
	refused("account,measure,at,value\nacme,survey.recommend,2025-01-01,9\nacme,surv\"ey,2025,1\n",
		"bad.csv:3: malformed quotes");
	refused("account,measure,at,value\nacme,survey.recommend,2025-01-01,9,extra\n",
		"bad.csv:2: 5 fields, the header has 4");
	refused("account,measure,at,value\nacme,survey.recommend\n", "bad.csv:2: 2 fields, the header has 4");
	refused("account,measure,at,value\nacme,survey.recommend,2025-02-30,9\n",
		"bad.csv:2: 2025-02-30: February 2025 has 28 days");
	refused("account,measure,at,value\nacme,survey.recommend,2025-01-01T10:00,9\n",
		"bad.csv:2: 2025-01-01T10:00: a date-time needs its UTC offset");
	refused("account,measure,at,value\nacme,survey.recommend,01/02/2025,9\n",
		"bad.csv:2: '01/02/2025' is not a date");
	refused("account,measure,at,value\nacme,survey.recommend,2025-01-01,11\n",
		"bad.csv:2: value 11 out of range 0..10 for measure survey.recommend");
	refused("account,measure,at,value\nacme,survey.recommend,2025-01-01,8.5\n",
		"bad.csv:2: value 8.5 is not a whole number");
	refused("account,measure,at,value\nacme,survey.recommend,2025-01-01,nine\n",
		"bad.csv:2: value 'nine' is not a number");
	refused("account,measure,at,value\nacme,survey.recommend,2025-01-01,NaN\n", "value 'NaN' is not a number");
	refused("account,measure,at,value\nacme,survey.recommend,2025-01-01,inf\n", "value 'inf' is not a number");
	refused("account,measure,at,value\nacme,survey.recommend,2025-01-01,-Infinity\n",
		"value '-Infinity' is not a number");
	refused("account,measure,at,value\nacme,survey.recommend,2025-01-01,0x9\n", "value '0x9' is not a number");
	refused("account,measure,at,value\nacme,survey.recommend,2025-01-01,1e999\n", "value 1e999 is beyond the 1e15 Casebook takes either way");
	refused("account,measure,at,value\nacme,survey.recommend,2025-01-01,0x10\n", "value '0x10' is not a number");
	refused("account,measure,at,value\nacme,survey.recomend,2025-01-01,9\n",
		"bad.csv:2: unknown measure 'survey.recomend' (did you mean 'survey.recommend'?)");
	refused("account,measure,at,value\nacne,survey.recommend,2025-01-01,9\n",
		"bad.csv:2: unknown account 'acne' (did you mean 'acme'?); --create-accounts adds");
	refused("account,measure,at,value\nacme,survey.recommend,2025-01-01,9\nacme,survey.recommend,2025-01-02,\xff\n",
		"bad.csv:3: not valid UTF-8 (byte 0xFF in field 4)");
	{
		static const char nul[] = "account,measure,at,value\nacme,survey.recommend,2025-01-01,9\0\n";
		char *path = malloc(4096);
		FILE *f;
		char *before = cbt_db_dump(ws), *after;
		cbt_run r;

		snprintf(path, 4096, "%s/nul.csv", ws);
		f = fopen(path, "wb");
		fwrite(nul, 1, sizeof(nul) - 1, f);
		fclose(f);
		cbt_casebook(&r, ws, NULL, "data", "import", path, NULL);
		ck_assert_int_eq(r.status, 1);
		ck_assert_msg(cbt_has(r.err, "nul.csv:2: NUL byte"), "%s", r.err);
		cbt_run_free(&r);
		after = cbt_db_dump(ws);
		ck_assert_str_eq(before, after);
		free(before), free(after), free(path);
	}
	/* A 3 MiB line is refused at the limit, not read to its end. */
	strcpy(huge, head);
	memset(huge + strlen(head), 'x', (3u << 20) - strlen(head) - 2);
	huge[(3u << 20) - 2] = '\n';
	huge[(3u << 20) - 1] = '\0';
	refused(huge, "bad.csv:2: record longer than 1048576 bytes");
	free(huge);
}
END_TEST

START_TEST(errors_stop_after_twenty_and_say_what_was_not_read)
{
	char *text = malloc(1 << 20);
	size_t len = 0;
	cbt_run r;
	char *csv;

	len += (size_t)sprintf(text + len, "account,measure,at,value\n");
	for (int i = 0; i < 100; i++)
		len += (size_t)sprintf(text + len, "acme,survey.recommend,2025-01-01,%d\n", 20 + i);
	csv = cbt_write(ws, "many.csv", text);
	cbt_casebook(&r, ws, NULL, "data", "import", csv, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert(cbt_has(r.err, "many.csv:2: value 20 out of range"));
	ck_assert(cbt_has(r.err, "many.csv:21: value 39 out of range"));
	ck_assert(!cbt_has(r.err, "many.csv:22:"));
	ck_assert_msg(cbt_has(r.err, "many.csv: stopped after 20 errors; 80 more lines were not read"),
		      "%s", r.err);
	cbt_run_free(&r);
	assert_count("SELECT count(*) FROM observation", "0");
	free(text), free(csv);
}
END_TEST

START_TEST(create_accounts_and_dry_run)
{
	char *csv = cbt_write(ws, "new.csv",
			      "account,measure,at,value\nnewco,survey.recommend,2025-01-01,9\n"
			      "acme,survey.recommend,2025-01-01,7\n");
	char *before = cbt_db_dump(ws), *after;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "data", "import", csv, "--dry-run", "--create-accounts", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "2 rows are fine; nothing written (--dry-run)"));
	cbt_run_free(&r);
	after = cbt_db_dump(ws);
	ck_assert_str_eq(before, after);
	free(after);
	cbt_casebook(&r, ws, NULL, "data", "import", csv, "--dry-run", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert(cbt_has(r.err, "new.csv:2: unknown account 'newco'"));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "data", "import", csv, "--create-accounts", NULL);
	ck_assert_int_eq(r.status, 0);
	cbt_run_free(&r);
	assert_count("SELECT name FROM account WHERE key = \"newco\"", "newco");
	free(before), free(csv);
}
END_TEST

START_TEST(series_per_month_through_the_plugin)
{
	char text[4096];
	size_t len = 0;
	json_t *rows;
	json_error_t jerr;
	cbt_run r;
	char *csv;

	len += (size_t)sprintf(text + len, "account,measure,at,value\n");
	/* March: 10, 10, 9, 8, 3 -> 3 promoters, 1 detractor of 5 = 40.
	 * April: nothing. May: 2 answers -> too few. */
	static const int march[] = {10, 10, 9, 8, 3};
	for (int i = 0; i < 5; i++)
		len += (size_t)sprintf(text + len, "acme,survey.recommend,2025-03-%02d,%d\n", i + 1,
				       march[i]);
	len += (size_t)sprintf(text + len, "acme,survey.recommend,2025-05-02,9\n");
	len += (size_t)sprintf(text + len, "acme,survey.recommend,2025-05-31T23:59:59Z,9\n");
	len += (size_t)sprintf(text + len, "globex,survey.recommend,2025-04-01,0\n");
	csv = cbt_write(ws, "s.csv", text);
	cbt_casebook(&r, ws, NULL, "data", "import", csv, NULL);
	ck_assert_int_eq(r.status, 0);
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "data", "series", "--account", "acme", "--kpi", "nps", "--json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	rows = json_loads(r.out, 0, &jerr);
	ck_assert_ptr_nonnull(rows);
	ck_assert_uint_eq(json_array_size(rows), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 0), "period")), "2025-03");
	ck_assert_double_eq(json_real_value(json_object_get(json_array_get(rows, 0), "value")), 40.0);
	ck_assert(json_is_null(json_object_get(json_array_get(rows, 1), "value")));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 1), "reason")),
			 "no observations");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(rows, 2), "observations")), 2);
	ck_assert(cbt_has(json_string_value(json_object_get(json_array_get(rows, 2), "reason")),
			  "fewer than 5"));
	json_decref(rows);
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "data", "series", "--account", "acme", "--kpi", "nps", "--every",
		     "quarter", "--csv", NULL);
	ck_assert(cbt_has(r.out, "2025-Q1,2025-01-01,2025-04-01,40,5,\r\n"));
	ck_assert(cbt_has(r.out, "2025-Q2,2025-04-01,2025-07-01,,2,"));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "data", "series", "--account", "acme", "--kpi", "npx", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert(cbt_has(r.err, "unknown KPI 'npx'"));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "data", "series", "--account", "acme", "--kpi", "nps", "--every",
		     "fortnight", NULL);
	ck_assert_int_eq(r.status, 2);
	cbt_run_free(&r);
	free(csv);
}
END_TEST

/* Writes a CSV of n rows over the two accounts; returns its path. */
static char *big_csv(const char *name, int n, int offset)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", ws, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "account,measure,at,value\n");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s,survey.recommend,2025-%02d-%02dT%02d:%02d:%02dZ,%d\n",
			i % 2 ? "acme" : "globex", 1 + i % 12, 1 + i % 28, i % 24, (i / 24) % 60,
			(i + offset) % 60, i % 11);
	fclose(f);
	return strdup(path);
}

START_TEST(sigkill_leaves_the_batch_wholly_in_or_out)
{
	char *csv = big_csv("big.csv", 300000, 0);
	int in = 0, out = 0;

	for (int attempt = 0; attempt < 8; attempt++) {
		pid_t pid = fork();
		struct timespec delay = {0, (long)(40 + attempt * 60) * 1000000L};
		cbt_run r;
		char *rows, *batches;

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			int devnull = open("/dev/null", 1);

			dup2(devnull, 1), dup2(devnull, 2);
			execl(CASEBOOK_BINARY, CASEBOOK_BINARY, "-C", ws, "data", "import", csv, NULL);
			_exit(127);
		}
		nanosleep(&delay, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		rows = count_of("SELECT count(*) FROM observation");
		batches = count_of("SELECT count(*) FROM batch");
		ck_assert_msg((strcmp(rows, "0") == 0 && strcmp(batches, "0") == 0) ||
				      (strcmp(rows, "300000") == 0 && strcmp(batches, "1") == 0),
			      "after SIGKILL: %s rows in %s batches", rows, batches);
		if (strcmp(batches, "1") == 0) {
			in++;
			cbt_casebook(&r, ws, NULL, "data", "drop", "1", NULL);
			ck_assert_int_eq(r.status, 0);
			cbt_run_free(&r);
		} else {
			out++;
		}
		cbt_casebook(&r, ws, NULL, "check", NULL);
		ck_assert_msg(r.status == 0, "check after SIGKILL: %s", r.err);
		cbt_run_free(&r);
		free(rows), free(batches);
	}
	ck_assert_int_gt(out, 0); /* at least one kill landed mid-import */
	{
		cbt_run r;

		cbt_casebook(&r, ws, NULL, "data", "import", csv, NULL);
		ck_assert_msg(r.status == 0, "%s", r.err);
		cbt_run_free(&r);
		assert_count("SELECT count(*) FROM observation", "300000");
	}
	free(csv);
}
END_TEST

START_TEST(two_imports_at_once_both_land)
{
	char *a = big_csv("a.csv", 100000, 0), *b = big_csv("b.csv", 100000, 7);
	char *out;
	int st;
	cbt_run r;

	out = cbt_sh(&st, "('%s' -C '%s' data import '%s' & '%s' -C '%s' data import '%s' & wait) 2>&1",
		     CASEBOOK_BINARY, ws, a, CASEBOOK_BINARY, ws, b);
	ck_assert_msg(st == 0, "%s", out);
	ck_assert_msg(cbt_has(out, "a.csv: imported 100000 rows") &&
			      cbt_has(out, "b.csv: imported 100000 rows"),
		      "%s", out);
	free(out);
	assert_count("SELECT count(*) FROM observation", "200000");
	assert_count("SELECT count(*) FROM batch", "2");
	assert_count("SELECT count(*) FROM (SELECT batch_id FROM observation GROUP BY batch_id "
		     "HAVING count(*) = 100000)",
		     "2");
	cbt_casebook(&r, ws, NULL, "check", NULL);
	ck_assert_int_eq(r.status, 0);
	cbt_run_free(&r);
	free(a), free(b);
}
END_TEST

/* A short write during a long import waits for it, past its own busy
 * timeout (here cut to 200 ms), and says what it waits for; a writer that
 * announced nothing is waited for only the timeout. */
START_TEST(a_short_write_waits_for_an_import_and_says_so)
{
	char *csv = big_csv("long.csv", 50000, 0), *out;
	int st, waited = 0;
	cbt_run r;

	/* the import holds its lock 3 s before it commits, however fast */
	free(cbt_sh(&st, "CASEBOOK_TEST_HOLD_MS=3000 '%s' -C '%s' data import '%s' >'%s/import.out' "
			 "2>&1 &",
		    CASEBOOK_BINARY, ws, csv, ws));
	/* until the import holds the lock and has said so */
	for (int i = 0; i < 500 && !waited; i++) {
		char *has = cbt_sh(NULL, "test -s '%s/casebook.db-writer' && echo yes", ws);

		waited = cbt_has(has, "yes") != 0;
		free(has);
		if (!waited)
			nanosleep(&(struct timespec){0, 10000000L}, NULL);
	}
	ck_assert_msg(waited, "the import never announced itself");
	setenv("CASEBOOK_TEST_BUSY_MS", "200", 1);
	cbt_casebook(&r, ws, NULL, "account", "add", "initech", "--name", "Initech", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(cbt_has(r.err, "casebook: waiting for the database: another casebook is "
				     "importing ") &&
			      cbt_has(r.err, "long.csv (process ") &&
			      cbt_has(r.err, "this command goes on when it is done"),
		      "%s", r.err);
	cbt_run_free(&r);
	/* the import committed before the short write went on (it says so
	 * a moment later) */
	out = cbt_sh(NULL, "for i in $(seq 100); do test -s '%s/import.out' && break; sleep 0.1; "
			   "done; cat '%s/import.out'",
		     ws, ws);
	ck_assert_msg(cbt_has(out, "long.csv: imported 50000 rows"), "%s", out);
	free(out);
	cbt_casebook(&r, ws, NULL, "account", "show", "initech", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
	out = cbt_sh(NULL, "test -e '%s/casebook.db-writer' && echo left || echo gone", ws);
	ck_assert_str_eq(out, "gone\n");
	free(out);
	/* a writer that announced nothing: only the busy timeout */
	free(cbt_sh(&st, "((echo 'BEGIN IMMEDIATE;'; sleep 3; echo 'COMMIT;') | sqlite3 "
			 "'%s/casebook.db' >/dev/null 2>&1 &); for i in $(seq 100); do "
			 "sqlite3 '%s/casebook.db' 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1 || "
			 "break; sleep 0.02; done",
		    ws, ws));
	cbt_casebook(&r, ws, NULL, "account", "add", "hooli", "--name", "Hooli", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "the database is busy"), "%s", r.err);
	cbt_run_free(&r);
	unsetenv("CASEBOOK_TEST_BUSY_MS");
	nanosleep(&(struct timespec){3, 0}, NULL); /* the sqlite3 above ends */
	free(csv);
}
END_TEST

/* Two exports that overlap: the second repeats two stored observations
 * (same account, measure, time, value) and holds two new ones. Refused by
 * default with the count and the lines, the data unchanged; imported with
 * --skip-duplicates, the repeats counted in the batch. */
START_TEST(overlapping_exports_are_not_doubled)
{
	char *a = cbt_write(ws, "jan.csv",
			    "account,measure,at,value\n"
			    "acme,survey.recommend,2025-01-05,9\n"
			    "acme,survey.recommend,2025-01-06,7\n"
			    "globex,survey.recommend,2025-01-07,4\n"
			    "globex,survey.recommend,2025-01-07,5\n"); /* two at one instant */
	char *b = cbt_write(ws, "jan-feb.csv",
			    "account,measure,at,value\n"
			    "acme,survey.recommend,2025-02-01,8\n"
			    "globex,survey.recommend,2025-01-07,4\n"
			    "acme,survey.recommend,2025-01-06,6\n" /* another value: not a repeat */
			    "acme,survey.recommend,2025-01-05,9\n"
			    "globex,survey.recommend,2025-01-07,5\n");
	char *before, *after;
	json_t *j, *batches;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "data", "import", a, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
	before = cbt_db_dump(ws);
	for (int dry = 0; dry < 2; dry++) {
		cbt_casebook(&r, ws, NULL, "data", "import", b, dry ? "--dry-run" : NULL, NULL);
		ck_assert_int_eq(r.status, 1);
		ck_assert_msg(cbt_has(r.err, "jan-feb.csv: 3 rows have the same account, measure, "
					     "time and value as observations already stored by "
					     "other batches; nothing was imported") &&
				      cbt_has(r.err, "jan-feb.csv:3: already stored by batch 1, line 4") &&
				      cbt_has(r.err, "jan-feb.csv:5: already stored by batch 1, line 2") &&
				      cbt_has(r.err, "jan-feb.csv:6: already stored by batch 1, line 5") &&
				      cbt_has(r.err, "--skip-duplicates"),
			      "%s", r.err);
		/* the lines in file order, the 6 (another value) not among them */
		ck_assert_ptr_nonnull(strstr(r.err, ":3: already"));
		ck_assert(strstr(r.err, ":3: already") < strstr(r.err, ":5: already"));
		ck_assert(!cbt_has(r.err, ":4: already"));
		cbt_run_free(&r);
	}
	after = cbt_db_dump(ws);
	ck_assert_str_eq(before, after);
	free(after);
	cbt_casebook(&r, ws, NULL, "data", "import", b, "--skip-duplicates", "--json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	j = json_loads(r.out, 0, NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(j, 0), "rows")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(j, 0), "skipped")), 3);
	json_decref(j);
	cbt_run_free(&r);
	assert_count("SELECT count(*) FROM observation", "6");
	assert_count("SELECT count(*) FROM (SELECT 1 FROM observation GROUP BY measure_id, "
		     "account_id, at, value HAVING count(*) > 1)",
		     "0");
	cbt_casebook(&r, ws, NULL, "data", "batches", "--json", NULL);
	batches = json_loads(r.out, 0, NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(batches, 1), "rows")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(batches, 1), "skipped")),
			 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(batches, 0), "skipped")),
			 0);
	json_decref(batches);
	cbt_run_free(&r);
	/* the same bytes again: already imported, not a duplicate error */
	cbt_casebook(&r, ws, NULL, "data", "import", b, NULL);
	ck_assert_msg(r.status == 0 && cbt_has(r.out, "already imported as batch 2"), "%s%s", r.out,
		      r.err);
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "check", NULL);
	ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
	cbt_run_free(&r);
	/* the text output counts what was left out */
	{
		char *c = cbt_write(ws, "again.csv",
				    "account,measure,at,value\n"
				    "acme,survey.recommend,2025-02-01,8\n"
				    "acme,survey.recommend,2025-03-01,5\n");

		cbt_casebook(&r, ws, NULL, "data", "import", c, "--skip-duplicates", NULL);
		ck_assert_msg(r.status == 0 && cbt_has(r.out, "imported 1 rows as batch 3") &&
				      cbt_has(r.out, "again.csv: 1 rows left out: already stored by "
						     "other batches"),
			      "%s%s", r.out, r.err);
		cbt_run_free(&r);
		free(c);
	}
	free(before), free(a), free(b);
}
END_TEST

START_TEST(check_finds_tampered_data)
{
	char *csv = cbt_write(ws, "d.csv", "account,measure,at,value\nacme,survey.recommend,2025-01-05,9\n");
	char *out;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "data", "import", csv, NULL);
	ck_assert_int_eq(r.status, 0);
	cbt_run_free(&r);
	out = cbt_sh(NULL, "sqlite3 '%s/casebook.db' 'UPDATE batch SET rows = 5'", ws);
	free(out);
	cbt_casebook(&r, ws, NULL, "check", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "batch 1 says it holds 5 observations but holds 1"), "%s", r.err);
	cbt_run_free(&r);
	free(csv);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/data");
	TCase *tc = tcase_create("data");

	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, import_rfc4180_and_read_back);
	tcase_add_test(tc, same_bytes_twice_change_nothing_and_drop_takes_back);
	tcase_add_test(tc, bad_csv_of_every_kind);
	tcase_add_test(tc, errors_stop_after_twenty_and_say_what_was_not_read);
	tcase_add_test(tc, create_accounts_and_dry_run);
	tcase_add_test(tc, series_per_month_through_the_plugin);
	tcase_add_test(tc, sigkill_leaves_the_batch_wholly_in_or_out);
	tcase_add_test(tc, a_short_write_waits_for_an_import_and_says_so);
	tcase_add_test(tc, two_imports_at_once_both_land);
	tcase_add_test(tc, overlapping_exports_are_not_doubled);
	tcase_add_test(tc, check_finds_tampered_data);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
