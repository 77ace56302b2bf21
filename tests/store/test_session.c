/* The store's programs, sessions, attendance and session accounts, on a real
 * SQLite file; people are set up with the sqlite3 CLI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "store/account.h"
#include "store/program.h"
#include "store/session.h"
#include "store/store.h"
#include "testlib.h"

static char *dir;
static char path[4096];
static cb_store *s;
static int64_t tco, alice, bob, carol, acme, globex;

static int64_t sql_id(const char *sql)
{
	int status;
	char *out = cbt_sh(&status, "sqlite3 '%s' \"%s\"", path, sql);
	int64_t id = strtoll(out, NULL, 10);

	ck_assert_msg(status == 0, "sqlite3 failed: %s", sql);
	free(out);
	return id;
}

static int64_t add_person(const char *key, const char *role)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO person(key, name) VALUES('%s', 'Name of %s');"
		 " INSERT INTO person_role VALUES(last_insert_rowid(), '%s');"
		 " SELECT id FROM person WHERE key = '%s';",
		 key, key, role, key);
	return sql_id(sql);
}

static void setup(void)
{
	cb_program p = {.key = "tco", .name = "Total Customer Orientation"};
	cb_account a = {.key = "acme", .name = "ACME"}, g = {.key = "globex", .name = "Globex"};

	dir = cbt_tempdir();
	snprintf(path, sizeof(path), "%s/test.db", dir);
	ck_assert_int_eq(cb_store_open(path, CB_STORE_CREATE, &s), 0);
	ck_assert_int_eq(cb_store_program_insert(s, &p), 0);
	ck_assert_int_eq(cb_store_program_id(s, "tco", &tco), 0);
	ck_assert_int_eq(cb_store_account_insert(s, &a), 0);
	ck_assert_int_eq(cb_store_account_insert(s, &g), 0);
	acme = sql_id("SELECT id FROM account WHERE key = 'acme'");
	globex = sql_id("SELECT id FROM account WHERE key = 'globex'");
	alice = add_person("alice", "trainer");
	bob = add_person("bob", "technician");
	carol = add_person("carol", "technician");
}

static void teardown(void)
{
	cb_store_close(s);
	cbt_rmrf(dir);
	free(dir);
}

static int64_t add_session(const char *key, const char *starts_on,
			   const char *ends_on, const char *format)
{
	cb_session x = {.key = (char *)key, .program_id = tco, .title = "TCO",
			.format = (char *)format, .starts_on = (char *)starts_on,
			.ends_on = (char *)ends_on, .trainer_id = alice};
	int64_t id = 0;

	ck_assert_int_eq(cb_store_session_insert(s, &x, &id), 0);
	ck_assert_int_gt(id, 0);
	return id;
}

START_TEST(programs_insert_get_list)
{
	cb_program p = {.key = "tco", .name = "Again"}, got;
	cb_program q = {.key = "lean", .name = "Lean Service", .description = "two\nlines"};
	int64_t id;

	ck_assert_int_eq(cb_store_program_insert(s, &p), CB_EEXISTS);
	ck_assert_str_eq(cb_error_last(), "program 'tco' already exists");
	ck_assert_int_eq(cb_store_program_insert(s, &q), 0);
	ck_assert_int_eq(cb_store_program_get(s, "lean", &got), 0);
	ck_assert_str_eq(got.description, "two\nlines");
	ck_assert_int_eq(got.session_count, 0);
	cb_program_clear(&got);
	ck_assert_int_eq(cb_store_program_get(s, "tcp", &got), CB_ENOTFOUND);
	ck_assert_str_eq(cb_error_last(), "unknown program 'tcp' (did you mean 'tco'?)");
	ck_assert_int_eq(cb_store_program_id(s, "nothing-like-it", &id), CB_ENOTFOUND);
	ck_assert_str_eq(cb_error_last(), "unknown program 'nothing-like-it'");
	add_session("tco-1", "2025-03-04", "2025-03-05", "virtual");
	ck_assert_int_eq(cb_store_program_get(s, "tco", &got), 0);
	ck_assert_int_eq(got.session_count, 1);
	ck_assert_ptr_null(got.description);
	cb_program_clear(&got);
}
END_TEST

START_TEST(session_round_trip_and_update)
{
	cb_session x = {.key = "tco-2025-03-04", .program_id = tco, .title = "TCO Munich",
			.format = "in-person", .starts_on = "2025-03-04",
			.ends_on = "2025-03-06", .trainer_id = alice, .location = "Munich",
			.has_cost = 1, .cost = 1200.5, .currency = "EUR", .notes = "a\nb"};
	cb_session got;
	int64_t id;
	int exists;

	ck_assert_int_eq(cb_store_session_insert(s, &x, &id), 0);
	ck_assert_int_eq(cb_store_session_insert(s, &x, NULL), CB_EEXISTS);
	ck_assert_str_eq(cb_error_last(), "session 'tco-2025-03-04' already exists");
	ck_assert_int_eq(cb_store_session_exists(s, "tco-2025-03-04", &exists), 0);
	ck_assert_int_eq(exists, 1);
	ck_assert_int_eq(cb_store_session_exists(s, "tco-2025-03-05", &exists), 0);
	ck_assert_int_eq(exists, 0);

	ck_assert_int_eq(cb_store_session_get(s, "tco-2025-03-04", &got), 0);
	ck_assert_int_eq(got.id, id);
	ck_assert_str_eq(got.program, "tco");
	ck_assert_str_eq(got.program_name, "Total Customer Orientation");
	ck_assert_str_eq(got.trainer, "alice");
	ck_assert_str_eq(got.trainer_name, "Name of alice");
	ck_assert_int_eq(got.has_cost, 1);
	ck_assert(got.cost == 1200.5);
	ck_assert_str_eq(got.currency, "EUR");
	ck_assert_str_eq(got.notes, "a\nb");
	ck_assert_str_eq(got.status, "scheduled");
	ck_assert_ptr_null(got.cancel_reason);
	ck_assert_int_eq(got.attendee_count, 0);

	/* Update writes every editable field, including clearing ones. */
	free(got.status);
	got.status = strdup("cancelled");
	free(got.location);
	got.location = NULL;
	got.has_cost = 0;
	free(got.currency);
	got.currency = NULL;
	ck_assert_int_eq(cb_store_session_update(s, &got), 0);
	cb_session_clear(&got);
	ck_assert_int_eq(cb_store_session_get(s, "tco-2025-03-04", &got), 0);
	ck_assert_str_eq(got.status, "cancelled");
	ck_assert_ptr_null(got.location);
	ck_assert_int_eq(got.has_cost, 0);
	cb_session_clear(&got);

	ck_assert_int_eq(cb_store_session_get(s, "tco-2025-03-03", &got), CB_ENOTFOUND);
	ck_assert_str_eq(cb_error_last(),
			 "unknown session 'tco-2025-03-03' (did you mean 'tco-2025-03-04'?)");
}
END_TEST

START_TEST(the_schema_refuses_what_validation_should_have_caught)
{
	cb_session x = {.key = "backwards", .program_id = tco, .title = "T",
			.format = "virtual", .starts_on = "2025-03-04",
			.ends_on = "2025-03-01"};

	ck_assert_int_eq(cb_store_session_insert(s, &x, NULL), CB_EINVALID);
	x.ends_on = "2025-03-05";
	x.format = "hybrid";
	ck_assert_int_eq(cb_store_session_insert(s, &x, NULL), CB_EINVALID);
	x.format = "virtual";
	x.program_id = 999;
	ck_assert_int_eq(cb_store_session_insert(s, &x, NULL), CB_EINVALID);
}
END_TEST

typedef struct keys {
	char text[512];
} keys;

static int join_keys(const cb_session *x, void *ctx)
{
	keys *k = ctx;
	size_t len = strlen(k->text);

	snprintf(k->text + len, sizeof(k->text) - len, "%s%s", len ? " " : "", x->key);
	return 0;
}

static const char *listed(const cb_session_filter *f)
{
	static keys k;

	k.text[0] = '\0';
	ck_assert_int_eq(cb_store_session_each(s, f, join_keys, &k), 0);
	return k.text;
}

START_TEST(list_filters)
{
	cb_session_filter f = {0};
	cb_session x;
	cb_program lean = {.key = "lean", .name = "Lean"};
	int64_t lean_id, bob_as_trainer;

	add_session("c", "2025-05-01", "2025-05-02", "blended");
	add_session("a", "2025-01-10", "2025-01-12", "in-person");
	add_session("b", "2025-03-01", "2025-03-01", "virtual");
	ck_assert_int_eq(cb_store_program_insert(s, &lean), 0);
	ck_assert_int_eq(cb_store_program_id(s, "lean", &lean_id), 0);
	bob_as_trainer = bob;
	{
		cb_session other = {.key = "d", .program_id = lean_id, .title = "Lean",
				    .format = "virtual", .starts_on = "2025-03-01",
				    .ends_on = "2025-03-02", .trainer_id = bob_as_trainer};

		ck_assert_int_eq(cb_store_session_insert(s, &other, NULL), 0);
	}

	ck_assert_str_eq(listed(NULL), "a b d c"); /* by start date, then key */
	f.program_id = tco;
	ck_assert_str_eq(listed(&f), "a b c");
	f = (cb_session_filter){.trainer_id = bob};
	ck_assert_str_eq(listed(&f), "d");
	f = (cb_session_filter){.format = "virtual"};
	ck_assert_str_eq(listed(&f), "b d");
	/* --from keeps sessions still running then; --to those started. */
	f = (cb_session_filter){.from = "2025-01-12", .to = "2025-03-01"};
	ck_assert_str_eq(listed(&f), "a b d");
	f = (cb_session_filter){.from = "2025-01-13"};
	ck_assert_str_eq(listed(&f), "b d c");

	ck_assert_int_eq(cb_store_session_get(s, "c", &x), 0);
	free(x.status);
	x.status = strdup("cancelled");
	ck_assert_int_eq(cb_store_session_update(s, &x), 0);
	cb_session_clear(&x);
	f = (cb_session_filter){.status = "cancelled"};
	ck_assert_str_eq(listed(&f), "c");
	f = (cb_session_filter){.status = "scheduled", .program_id = tco};
	ck_assert_str_eq(listed(&f), "a b");
}
END_TEST

START_TEST(session_ids_of_a_program)
{
	int64_t a, b, c, *ids;
	size_t n;
	cb_session x;

	ck_assert_int_eq(cb_store_session_ids_by_program(s, tco, 1, &ids, &n), 0);
	ck_assert_ptr_null(ids);
	ck_assert_uint_eq(n, 0);
	c = add_session("c", "2025-05-01", "2025-05-02", "blended");
	a = add_session("a", "2025-01-10", "2025-01-12", "in-person");
	b = add_session("b", "2025-03-01", "2025-03-01", "virtual");
	ck_assert_int_eq(cb_store_session_get(s, "b", &x), 0);
	free(x.status);
	x.status = strdup("cancelled");
	ck_assert_int_eq(cb_store_session_update(s, &x), 0);
	cb_session_clear(&x);

	ck_assert_int_eq(cb_store_session_ids_by_program(s, tco, 1, &ids, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert(ids[0] == a && ids[1] == b && ids[2] == c);
	free(ids);
	ck_assert_int_eq(cb_store_session_ids_by_program(s, tco, 0, &ids, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(ids[0] == a && ids[1] == c);
	free(ids);
	ck_assert_int_eq(cb_store_session_ids_by_program(s, tco + 100, 1, &ids, &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(person_lookup_checks_roles)
{
	int64_t id = 0;

	ck_assert_int_eq(cb_store_session_person_id(s, "alice", "trainer", "trainer", &id), 0);
	ck_assert(id == alice);
	ck_assert_int_eq(cb_store_session_person_id(s, "bob", "trainer", "trainer", &id),
			 CB_EINVALID);
	ck_assert_str_eq(cb_error_last(),
			 "trainer 'bob' does not hold the trainer role (roles: technician)");
	ck_assert_int_eq(cb_store_session_person_id(s, "bob", "person", NULL, &id), 0);
	ck_assert(id == bob);
	ck_assert_int_eq(cb_store_session_person_id(s, "alicia", "trainer", "trainer", &id),
			 CB_ENOTFOUND);
	ck_assert_str_eq(cb_error_last(), "unknown trainer 'alicia' (did you mean 'alice'?)");
	/* Several roles, and none. */
	sql_id("INSERT INTO person_role VALUES((SELECT id FROM person WHERE key='bob'), 'consultant')");
	sql_id("INSERT INTO person(key, name) VALUES('dora', 'Dora')");
	ck_assert_int_eq(cb_store_session_person_id(s, "bob", "trainer", "trainer", &id),
			 CB_EINVALID);
	ck_assert_str_eq(cb_error_last(),
			 "trainer 'bob' does not hold the trainer role (roles: consultant, technician)");
	ck_assert_int_eq(cb_store_session_person_id(s, "dora", "trainer", "trainer", &id),
			 CB_EINVALID);
	ck_assert_str_eq(cb_error_last(),
			 "trainer 'dora' does not hold the trainer role (roles: none)");
}
END_TEST

static int count_rows(const cb_attendance *a, void *ctx)
{
	(void)a;
	++*(int *)ctx;
	return 0;
}

START_TEST(attendance_upsert_get_delete)
{
	int64_t sid = add_session("tco-1", "2025-03-04", "2025-03-05", "virtual");
	cb_attendance a = {.person_id = bob, .status = "attended", .has_reaction = 1,
			   .reaction = 4, .has_pre = 1, .pre_score = 55};
	cb_attendance got;
	cb_session x;
	int found, n = 0;

	ck_assert_int_eq(cb_store_attendance_get(s, sid, bob, &got, &found), 0);
	ck_assert_int_eq(found, 0);
	ck_assert_int_eq(cb_store_attendance_put(s, sid, &a), 0);
	ck_assert_int_eq(cb_store_attendance_get(s, sid, bob, &got, &found), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_str_eq(got.person, "bob");
	ck_assert_str_eq(got.name, "Name of bob");
	ck_assert_str_eq(got.status, "attended");
	ck_assert_int_eq(got.reaction, 4);
	ck_assert(got.has_pre && got.pre_score == 55);
	ck_assert_int_eq(got.has_post, 0);
	cb_attendance_clear(&got);

	/* The same person again replaces the row. */
	a.status = "partial";
	a.has_post = 1;
	a.post_score = 80.5;
	a.has_reaction = 0;
	ck_assert_int_eq(cb_store_attendance_put(s, sid, &a), 0);
	ck_assert_int_eq(cb_store_attendance_get(s, sid, bob, &got, &found), 0);
	ck_assert_str_eq(got.status, "partial");
	ck_assert_int_eq(got.has_reaction, 0);
	ck_assert(got.post_score == 80.5);
	cb_attendance_clear(&got);

	a = (cb_attendance){.person_id = carol}; /* NULL status: attended */
	ck_assert_int_eq(cb_store_attendance_put(s, sid, &a), 0);
	ck_assert_int_eq(cb_store_attendance_each(s, sid, count_rows, &n), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(cb_store_session_get(s, "tco-1", &x), 0);
	ck_assert_int_eq(x.attendee_count, 2);
	cb_session_clear(&x);

	/* Scores outside the schema's ranges never reach the table. */
	a.has_reaction = 1;
	a.reaction = 6;
	ck_assert_int_eq(cb_store_attendance_put(s, sid, &a), CB_EINVALID);

	ck_assert_int_eq(cb_store_attendance_delete(s, sid, carol, &found), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_int_eq(cb_store_attendance_delete(s, sid, carol, &found), 0);
	ck_assert_int_eq(found, 0);
	n = 0;
	ck_assert_int_eq(cb_store_attendance_each(s, sid, count_rows, &n), 0);
	ck_assert_int_eq(n, 1);
}
END_TEST

static int join_accounts(const cb_account *a, void *ctx)
{
	keys *k = ctx;
	size_t len = strlen(k->text);

	snprintf(k->text + len, sizeof(k->text) - len, "%s%s", len ? " " : "", a->key);
	return 0;
}

START_TEST(session_accounts)
{
	int64_t sid = add_session("tco-1", "2025-03-04", "2025-03-05", "virtual");
	int64_t *ids;
	size_t n;
	keys k = {""};
	cb_session x;
	int found;

	ck_assert_int_eq(cb_store_session_account_ids(s, sid, &ids, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(ids);
	ck_assert_int_eq(cb_store_session_account_add(s, sid, globex), 0);
	ck_assert_int_eq(cb_store_session_account_add(s, sid, acme), 0);
	ck_assert_int_eq(cb_store_session_account_add(s, sid, acme), CB_EEXISTS);
	ck_assert_int_eq(cb_store_session_account_each(s, sid, join_accounts, &k), 0);
	ck_assert_str_eq(k.text, "acme globex");
	ck_assert_int_eq(cb_store_session_account_ids(s, sid, &ids, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(ids[0] == (acme < globex ? acme : globex));
	ck_assert(ids[1] == (acme < globex ? globex : acme));
	free(ids);
	ck_assert_int_eq(cb_store_session_get(s, "tco-1", &x), 0);
	ck_assert_int_eq(x.account_count, 2);
	cb_session_clear(&x);

	ck_assert_int_eq(cb_store_session_account_remove(s, sid, acme, &found), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_int_eq(cb_store_session_account_remove(s, sid, acme, &found), 0);
	ck_assert_int_eq(found, 0);
	ck_assert_int_eq(cb_store_session_account_ids(s, sid, &ids, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert(ids[0] == globex);
	free(ids);
	ck_assert_int_eq(cb_store_check(s), 0);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("store/session");
	TCase *tc = tcase_create("session");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, programs_insert_get_list);
	tcase_add_test(tc, session_round_trip_and_update);
	tcase_add_test(tc, the_schema_refuses_what_validation_should_have_caught);
	tcase_add_test(tc, list_filters);
	tcase_add_test(tc, session_ids_of_a_program);
	tcase_add_test(tc, person_lookup_checks_roles);
	tcase_add_test(tc, attendance_upsert_get_delete);
	tcase_add_test(tc, session_accounts);
	suite_add_tcase(suite, tc);
	return cbt_main(suite);
}
