/* The store: schema migrations, transactions, checks, on real SQLite files. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "store/account.h"
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

static int count_accounts(cb_store *s)
{
	int n = 0;

	(void)s;
	{
		char *out = cbt_sh(NULL, "sqlite3 '%s' 'SELECT count(*) FROM account'", path);

		n = atoi(out);
		free(out);
	}
	return n;
}

START_TEST(create_migrates_to_latest_and_refuses_existing)
{
	cb_store *s;
	int v = -1;

	ck_assert_int_eq(cb_store_open(path, CB_STORE_CREATE, &s), 0);
	ck_assert_int_eq(cb_store_schema_version(s, &v), 0);
	ck_assert_int_eq(v, cb_store_schema_latest());
	ck_assert_int_ge(v, 1);
	ck_assert_int_eq(cb_store_check(s), 0);
	cb_store_close(s);
	ck_assert_int_eq(cb_store_open(path, CB_STORE_CREATE, &s), CB_EEXISTS);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(cb_store_open(path, 0, &s), 0);
	cb_store_close(s);
}
END_TEST

START_TEST(a_newer_schema_is_refused)
{
	cb_store *s;
	char *out;

	ck_assert_int_eq(cb_store_open(path, CB_STORE_CREATE, &s), 0);
	cb_store_close(s);
	out = cbt_sh(NULL, "sqlite3 '%s' 'PRAGMA user_version = 999'", path);
	free(out);
	ck_assert_int_eq(cb_store_open(path, 0, &s), CB_EDB);
	ck_assert_msg(strstr(cb_error_last(), "schema version 999"), "%s", cb_error_last());
}
END_TEST

START_TEST(rollback_undoes_and_nesting_commits_once)
{
	cb_store *s;
	cb_account a = {.key = "acme", .name = "Acme"};
	cb_account b = {.key = "globex", .name = "Globex"};

	ck_assert_int_eq(cb_store_open(path, CB_STORE_CREATE, &s), 0);
	ck_assert_int_eq(cb_store_begin(s), 0);
	ck_assert_int_eq(cb_store_account_insert(s, &a), 0);
	ck_assert_int_eq(cb_store_rollback(s), 0);
	ck_assert_int_eq(count_accounts(s), 0);

	ck_assert_int_eq(cb_store_begin(s), 0);
	ck_assert_int_eq(cb_store_begin(s), 0); /* nested */
	ck_assert_int_eq(cb_store_account_insert(s, &a), 0);
	ck_assert_int_eq(cb_store_commit(s), 0);
	ck_assert_int_eq(count_accounts(s), 0); /* inner commit writes nothing yet */
	ck_assert_int_eq(cb_store_account_insert(s, &b), 0);
	ck_assert_int_eq(cb_store_commit(s), 0);
	ck_assert_int_eq(count_accounts(s), 2);
	ck_assert_int_eq(cb_store_commit(s), CB_EDB); /* no transaction open */

	/* An inner rollback undoes the inner work only. */
	{
		cb_account c = {.key = "initech", .name = "Initech"};
		cb_account d = {.key = "umbrella", .name = "Umbrella"};

		ck_assert_int_eq(cb_store_begin(s), 0);
		ck_assert_int_eq(cb_store_account_insert(s, &c), 0);
		ck_assert_int_eq(cb_store_begin(s), 0);
		ck_assert_int_eq(cb_store_account_insert(s, &d), 0);
		ck_assert_int_eq(cb_store_rollback(s), 0);
		ck_assert_int_eq(cb_store_commit(s), 0);
		ck_assert_int_eq(count_accounts(s), 3);
	}
	cb_store_close(s);
}
END_TEST

START_TEST(duplicate_keys_and_missing_keys)
{
	cb_store *s;
	cb_account a = {.key = "acme", .name = "Acme"}, got;

	ck_assert_int_eq(cb_store_open(path, CB_STORE_CREATE, &s), 0);
	ck_assert_int_eq(cb_store_account_insert(s, &a), 0);
	ck_assert_int_eq(cb_store_account_insert(s, &a), CB_EEXISTS);
	ck_assert_str_eq(cb_error_last(), "account 'acme' already exists");
	ck_assert_int_eq(cb_store_account_get(s, "acne", &got), CB_ENOTFOUND);
	ck_assert_str_eq(cb_error_last(), "unknown account 'acne' (did you mean 'acme'?)");
	ck_assert_int_eq(cb_store_account_get(s, "acme", &got), 0);
	ck_assert_str_eq(got.name, "Acme");
	ck_assert_ptr_null(got.industry);
	cb_account_clear(&got);
	cb_store_close(s);
}
END_TEST

START_TEST(read_only_store_refuses_transactions)
{
	cb_store *s;
	cb_account a = {.key = "acme", .name = "Acme"};

	ck_assert_int_eq(cb_store_open(path, CB_STORE_CREATE, &s), 0);
	cb_store_close(s);
	ck_assert_int_eq(cb_store_open(path, CB_STORE_READONLY, &s), 0);
	ck_assert(cb_store_is_readonly(s));
	ck_assert_int_eq(cb_store_begin(s), CB_EREADONLY);
	ck_assert_int_eq(cb_store_account_insert(s, &a), CB_EREADONLY);
	cb_store_close(s);
}
END_TEST

START_TEST(writers_in_turn_see_each_others_commits)
{
	cb_store *s1, *s2;
	cb_account a = {.key = "acme", .name = "Acme"};
	char *out;

	ck_assert_int_eq(cb_store_open(path, CB_STORE_CREATE, &s1), 0);
	ck_assert_int_eq(cb_store_open(path, 0, &s2), 0);
	ck_assert_int_eq(cb_store_begin(s1), 0);
	ck_assert_int_eq(cb_store_account_insert(s1, &a), 0);
	/* A reader in another process sees the last committed state. */
	out = cbt_sh(NULL, "sqlite3 '%s' 'SELECT count(*) FROM account'", path);
	ck_assert_str_eq(out, "0\n");
	free(out);
	ck_assert_int_eq(cb_store_commit(s1), 0);
	ck_assert_int_eq(cb_store_begin(s2), 0);
	ck_assert_int_eq(cb_store_account_insert(s2, &a), CB_EEXISTS);
	cb_store_rollback(s2);
	cb_store_close(s1);
	cb_store_close(s2);
}
END_TEST

/* One of a server's connection threads: its own store, queued, writing
 * WRITES accounts, each transaction holding the lock 20 ms. */
#define WRITERS 8
#define WRITES 4

typedef struct writer {
	int id, failed;
} writer;

static void *write_in_turn(void *arg)
{
	writer *w = arg;
	cb_store *s;

	if (cb_store_open(path, 0, &s) < 0) {
		w->failed = 1;
		return NULL;
	}
	cb_store_queue_writers(s);
	cb_store_set_busy_timeout(s, 50);
	for (int i = 0; i < WRITES; i++) {
		char key[32];
		cb_account a = {.key = key, .name = "Queued"};
		struct timespec hold = {0, 20 * 1000000L};

		snprintf(key, sizeof(key), "w%d-%d", w->id, i);
		if (cb_store_begin(s) < 0) {
			w->failed++;
			continue;
		}
		if (cb_store_account_insert(s, &a) < 0) {
			w->failed++;
			cb_store_rollback(s);
			continue;
		}
		nanosleep(&hold, NULL);
		if (cb_store_commit(s) < 0)
			w->failed++;
	}
	cb_store_close(s);
	return NULL;
}

/* Eight threads each holding the write lock 20 ms would keep one waiting
 * past a 50 ms busy timeout (SQLite's busy handler polls: no order), and
 * it would fail with "the database is busy"; queued, each waits its turn
 * and every write lands. */
START_TEST(queued_writers_of_a_process_take_turns)
{
	pthread_t t[WRITERS];
	writer w[WRITERS];
	cb_store *s;

	ck_assert_int_eq(cb_store_open(path, CB_STORE_CREATE, &s), 0);
	cb_store_close(s);
	for (int i = 0; i < WRITERS; i++) {
		w[i] = (writer){i, 0};
		ck_assert_int_eq(pthread_create(&t[i], NULL, write_in_turn, &w[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(t[i], NULL);
		ck_assert_msg(w[i].failed == 0, "writer %d: %d of its writes failed", i,
			      w[i].failed);
	}
	ck_assert_int_eq(count_accounts(NULL), WRITERS * WRITES);
}
END_TEST

/* A write a read may skip does not wait: not while another store holds
 * the lock (not even the busy timeout), and at once when it is free. */
START_TEST(begin_if_free_does_not_wait)
{
	cb_store *s1, *s2;
	struct timespec t0, t1;

	ck_assert_int_eq(cb_store_open(path, CB_STORE_CREATE, &s1), 0);
	ck_assert_int_eq(cb_store_open(path, 0, &s2), 0);
	cb_store_queue_writers(s1);
	cb_store_queue_writers(s2);
	ck_assert_int_eq(cb_store_begin(s1), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(cb_store_begin_if_free(s2), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_msg((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 500,
		      "begin_if_free waited for the other writer");
	ck_assert_int_eq(cb_store_commit(s1), 0);
	ck_assert_int_eq(cb_store_begin_if_free(s2), 1);
	ck_assert_int_eq(cb_store_commit(s2), 0);
	/* A store of another process holding the lock (not in the queue). */
	cb_store_close(s1);
	ck_assert_int_eq(cb_store_open(path, 0, &s1), 0);
	ck_assert_int_eq(cb_store_begin(s1), 0);
	ck_assert_int_eq(cb_store_begin_if_free(s2), 0);
	cb_store_rollback(s1);
	cb_store_close(s1);
	cb_store_close(s2);
}
END_TEST

/* What migration 7 added besides the roles: gone, to make a file as an
 * earlier version wrote it. */
#define DROP_SIGNIN_TABLES                                                                 \
	" DROP TABLE credential; DROP TABLE invitation; DROP TABLE web_session;"           \
	" DROP TABLE api_token; DROP TABLE signin_failure;"

/* Undoes migration 8 in the database at `path`: the data version's
 * triggers and table. */
static void drop_data_version(const char *db)
{
	char *out = cbt_sh(NULL,
			   "sqlite3 '%s' \"SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master"
			   " WHERE type = 'trigger' AND name LIKE 'data_version_%%'\" | sqlite3 '%s' &&"
			   " sqlite3 '%s' 'DROP TABLE data_version' 2>&1",
			   db, db, db);

	ck_assert_str_eq(out, "");
	free(out);
}

/* A database of schema version 4 (before the statuses rejected and
 * withdrawn) upgrades in place: case_study is rebuilt with the new CHECK,
 * and its sessions, claims and reviews (which reference it) survive. */
START_TEST(version_4_case_index_upgrades_keeping_its_rows)
{
	cb_store *s;
	char *out;
	int v = 0;

	ck_assert_int_eq(cb_store_open(path, CB_STORE_CREATE, &s), 0);
	cb_store_close(s);
	drop_data_version(path);
	/* Make it what version 4 wrote: the old CHECK, one case with a
	 * session, a claim and a review. */
	out = cbt_sh(NULL,
		     "sqlite3 '%s' \"PRAGMA foreign_keys = OFF;" DROP_SIGNIN_TABLES " DROP TABLE case_study;"
		     " ALTER TABLE batch DROP COLUMN skipped;"
		     " CREATE TABLE case_study (id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE,"
		     " title TEXT NOT NULL, technician TEXT NOT NULL,"
		     " technician_id INTEGER REFERENCES person(id), account TEXT NOT NULL,"
		     " account_id INTEGER REFERENCES account(id), status TEXT NOT NULL CHECK (status IN"
		     " ('submitted','changes-requested','approved','published')), head TEXT NOT NULL,"
		     " submitted_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
		     " INSERT INTO case_study VALUES (7, 'a-case', 'A case', 'jo', NULL, 'acme', NULL,"
		     " 'approved', 'abc', '2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z');"
		     " INSERT INTO case_session VALUES (7, 0, 'tco-2025-02-10');"
		     " INSERT INTO case_claim VALUES (7, 0, 'nps', 10, 20, '2025-01-01', '2025-03-31', NULL);"
		     " INSERT INTO case_review VALUES (7, 0, NULL, 'Ana', 'ana@x.example', 'approved', '',"
		     " '2025-01-02T00:00:00Z', 'abc');"
		     " PRAGMA user_version = 4;\" 2>&1",
		     path);
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_int_eq(cb_store_open(path, 0, &s), 0);
	ck_assert_int_eq(cb_store_schema_version(s, &v), 0);
	ck_assert_int_eq(v, cb_store_schema_latest());
	ck_assert_int_eq(cb_store_check(s), 0);
	cb_store_close(s);
	out = cbt_sh(NULL,
		     "sqlite3 '%s' \"PRAGMA foreign_keys = ON;"
		     " SELECT slug || ' ' || status FROM case_study;"
		     " SELECT count(*) FROM case_session WHERE case_id = 7;"
		     " SELECT count(*) FROM case_claim WHERE case_id = 7;"
		     " SELECT count(*) FROM case_review WHERE case_id = 7;"
		     " PRAGMA foreign_key_check; PRAGMA integrity_check;"
		     " UPDATE case_study SET status = 'withdrawn';"
		     " SELECT status FROM case_study;\" 2>&1",
		     path);
	ck_assert_str_eq(out, "a-case approved\n1\n1\n1\nok\nwithdrawn\n");
	free(out);
	/* the CHECK still refuses what is not a status */
	out = cbt_sh(NULL, "sqlite3 '%s' \"UPDATE case_study SET status = 'lost'\" 2>&1", path);
	ck_assert_msg(strstr(out, "CHECK constraint failed"), "%s", out);
	free(out);
	/* and the rebuilt table's indexes are there */
	out = cbt_sh(NULL, "sqlite3 '%s' \"SELECT name FROM sqlite_master WHERE type = 'index'"
			   " AND tbl_name = 'case_study' AND sql IS NOT NULL ORDER BY name\"",
		     path);
	ck_assert_str_eq(out, "case_study_by_account\ncase_study_by_technician\n");
	free(out);
}
END_TEST

/* A version 6 database (roles technician, trainer, consultant only)
 * upgrades in place: person_role is rebuilt with the wider CHECK, keeping
 * every person's roles. */
START_TEST(version_6_person_roles_upgrade_keeping_their_rows)
{
	cb_store *s;
	char *out;
	int v = 0;

	ck_assert_int_eq(cb_store_open(path, CB_STORE_CREATE, &s), 0);
	cb_store_close(s);
	drop_data_version(path);
	out = cbt_sh(NULL,
		     "sqlite3 '%s' \"PRAGMA foreign_keys = OFF;" DROP_SIGNIN_TABLES " DROP TABLE person_role;"
		     " CREATE TABLE person_role (person_id INTEGER NOT NULL REFERENCES person(id)"
		     " ON DELETE CASCADE, role TEXT NOT NULL CHECK (role IN"
		     " ('technician','trainer','consultant')), PRIMARY KEY (person_id, role))"
		     " WITHOUT ROWID;"
		     " INSERT INTO person (id, key, name) VALUES (3, 'ana', 'Ana');"
		     " INSERT INTO person_role VALUES (3, 'trainer'), (3, 'consultant');"
		     " PRAGMA user_version = 6;\" 2>&1",
		     path);
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_int_eq(cb_store_open(path, 0, &s), 0);
	ck_assert_int_eq(cb_store_schema_version(s, &v), 0);
	ck_assert_int_eq(v, cb_store_schema_latest());
	ck_assert_int_eq(cb_store_check(s), 0);
	cb_store_close(s);
	out = cbt_sh(NULL,
		     "sqlite3 '%s' \"PRAGMA foreign_keys = ON;"
		     " SELECT person_id || ' ' || role FROM person_role ORDER BY role;"
		     " INSERT INTO person_role VALUES (3, 'manager'), (3, 'admin');"
		     " SELECT count(*) FROM person_role;"
		     " SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
		     " ('credential', 'invitation', 'web_session', 'api_token', 'signin_failure');\" 2>&1",
		     path);
	ck_assert_str_eq(out, "3 consultant\n3 trainer\n4\n5\n");
	free(out);
	/* deleting the person still takes their roles with them */
	out = cbt_sh(NULL,
		     "sqlite3 '%s' \"PRAGMA foreign_keys = ON; DELETE FROM person;"
		     " SELECT count(*) FROM person_role;\" 2>&1",
		     path);
	ck_assert_str_eq(out, "0\n");
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("store/store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, create_migrates_to_latest_and_refuses_existing);
	tcase_add_test(tc, a_newer_schema_is_refused);
	tcase_add_test(tc, version_4_case_index_upgrades_keeping_its_rows);
	tcase_add_test(tc, version_6_person_roles_upgrade_keeping_their_rows);
	tcase_add_test(tc, rollback_undoes_and_nesting_commits_once);
	tcase_add_test(tc, duplicate_keys_and_missing_keys);
	tcase_add_test(tc, read_only_store_refuses_transactions);
	tcase_add_test(tc, writers_in_turn_see_each_others_commits);
	tcase_add_test(tc, queued_writers_of_a_process_take_turns);
	tcase_add_test(tc, begin_if_free_does_not_wait);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
