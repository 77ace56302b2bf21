/* The store's people, roles and coverage, on real SQLite files: insert, get,
 * update, each, and coverage periods (overlaps refused, who covers what on a
 * day). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "store/account.h"
#include "store/coverage.h"
#include "store/person.h"
#include "store/store.h"
#include "testlib.h"

static char *dir;
static cb_store *s;

static void setup(void)
{
	char path[4096];

	dir = cbt_tempdir();
	snprintf(path, sizeof(path), "%s/test.db", dir);
	ck_assert_int_eq(cb_store_open(path, CB_STORE_CREATE, &s), 0);
}

static void teardown(void)
{
	cb_store_close(s);
	cbt_rmrf(dir);
	free(dir);
}

static int64_t add_person(const char *key, const char *name, unsigned roles)
{
	cb_person p = {.key = (char *)key, .name = (char *)name, .roles = roles};
	int64_t id = 0;

	ck_assert_int_eq(cb_store_begin(s), 0);
	ck_assert_msg(cb_store_person_insert(s, &p) == 0, "%s", cb_error_last());
	ck_assert_int_eq(cb_store_commit(s), 0);
	ck_assert_int_eq(cb_store_person_id(s, key, &id), 0);
	return id;
}

static int64_t add_account(const char *key)
{
	cb_account a = {.key = (char *)key, .name = (char *)key};
	int64_t id = 0;

	ck_assert_int_eq(cb_store_account_insert(s, &a), 0);
	ck_assert_int_eq(cb_store_account_id(s, key, &id), 0);
	return id;
}

START_TEST(role_names_round_trip)
{
	ck_assert_uint_eq(cb_role_parse("technician"), CB_ROLE_TECHNICIAN);
	ck_assert_uint_eq(cb_role_parse("trainer"), CB_ROLE_TRAINER);
	ck_assert_uint_eq(cb_role_parse("consultant"), CB_ROLE_CONSULTANT);
	ck_assert_uint_eq(cb_role_parse("manager"), CB_ROLE_MANAGER);
	ck_assert_uint_eq(cb_role_parse("admin"), CB_ROLE_ADMIN);
	ck_assert_uint_eq(CB_ROLE_MANAGER, 8);
	ck_assert_uint_eq(CB_ROLE_ADMIN, 16);
	ck_assert_uint_eq(cb_role_parse("Trainer"), 0);
	ck_assert_uint_eq(cb_role_parse(""), 0);
	ck_assert_str_eq(cb_role_name(CB_ROLE_CONSULTANT), "consultant");
	ck_assert_str_eq(cb_role_name(CB_ROLE_MANAGER), "manager");
	ck_assert_str_eq(cb_role_name(CB_ROLE_ADMIN), "admin");
	for (unsigned r = 1; r <= CB_ROLE_LAST; r <<= 1)
		ck_assert_uint_eq(cb_role_parse(cb_role_name(r)), r);
	ck_assert_str_eq(cb_role_name(CB_ROLE_TRAINER | CB_ROLE_TECHNICIAN), "?");
}
END_TEST

START_TEST(insert_and_get_keep_fields_and_roles)
{
	cb_person p = {.key = "ana",
		       .name = "Robert'); DROP TABLE person;--",
		       .email = "ana@example.com",
		       .roles = CB_ROLE_TRAINER | CB_ROLE_CONSULTANT},
		  got;
	char *out;

	ck_assert_int_eq(cb_store_begin(s), 0);
	ck_assert_int_eq(cb_store_person_insert(s, &p), 0);
	ck_assert_int_eq(cb_store_commit(s), 0);
	ck_assert_int_eq(cb_store_person_get(s, "ana", &got), 0);
	ck_assert_int_gt(got.id, 0);
	ck_assert_str_eq(got.key, "ana");
	ck_assert_str_eq(got.name, "Robert'); DROP TABLE person;--");
	ck_assert_str_eq(got.email, "ana@example.com");
	ck_assert_uint_eq(got.roles, CB_ROLE_TRAINER | CB_ROLE_CONSULTANT);
	ck_assert_ptr_nonnull(got.created_at);
	ck_assert_uint_eq(strlen(got.created_at), 20);
	cb_person_clear(&got);
	ck_assert_ptr_null(got.key);
	/* One row per role, named as the schema's CHECK wants. */
	out = cbt_sh(NULL, "sqlite3 '%s/test.db' 'SELECT role FROM person_role ORDER BY role'", dir);
	ck_assert_str_eq(out, "consultant\ntrainer\n");
	free(out);
}
END_TEST

/* Every role, the new manager and admin too, goes in and comes back. */
START_TEST(all_five_roles_round_trip)
{
	cb_person got;
	char *out;

	add_person("boss", "Bo Ss", CB_ROLE_ALL);
	add_person("mia", "Mia", CB_ROLE_MANAGER);
	ck_assert_int_eq(cb_store_person_get(s, "boss", &got), 0);
	ck_assert_uint_eq(got.roles, CB_ROLE_ALL);
	cb_person_clear(&got);
	ck_assert_int_eq(cb_store_person_get(s, "mia", &got), 0);
	ck_assert_uint_eq(got.roles, CB_ROLE_MANAGER);
	cb_person_clear(&got);
	out = cbt_sh(NULL, "sqlite3 '%s/test.db' 'SELECT role FROM person_role ORDER BY role'", dir);
	ck_assert_str_eq(out, "admin\nconsultant\nmanager\nmanager\ntechnician\ntrainer\n");
	free(out);
	/* the CHECK still refuses a role that is not one */
	out = cbt_sh(NULL,
		     "sqlite3 '%s/test.db' \"INSERT INTO person_role VALUES (1, 'boss')\" 2>&1", dir);
	ck_assert_msg(strstr(out, "CHECK constraint failed"), "%s", out);
	free(out);
}
END_TEST

START_TEST(duplicate_and_unknown_keys)
{
	cb_person p = {.key = "jdoe", .name = "Jane", .roles = CB_ROLE_TECHNICIAN}, got;

	add_person("jdoe", "Jane Doe", CB_ROLE_TECHNICIAN);
	ck_assert_int_eq(cb_store_begin(s), 0);
	ck_assert_int_eq(cb_store_person_insert(s, &p), CB_EEXISTS);
	ck_assert_str_eq(cb_error_last(), "person 'jdoe' already exists");
	ck_assert_int_eq(cb_store_rollback(s), 0);
	ck_assert_int_eq(cb_store_person_get(s, "jdo", &got), CB_ENOTFOUND);
	ck_assert_str_eq(cb_error_last(), "unknown person 'jdo' (did you mean 'jdoe'?)");
	ck_assert_ptr_null(got.key);
	{
		int64_t id = 7;

		ck_assert_int_eq(cb_store_person_id(s, "zzzzzz", &id), CB_ENOTFOUND);
		ck_assert(strncmp(cb_error_last(), "unknown person 'zzzzzz'", 23) == 0);
	}
}
END_TEST

START_TEST(update_rewrites_fields_and_roles)
{
	cb_person got;
	int64_t id = add_person("jdoe", "Jane Doe", CB_ROLE_TECHNICIAN);

	add_person("ana", "Ana", CB_ROLE_TRAINER);
	ck_assert_int_eq(cb_store_person_get(s, "jdoe", &got), 0);
	free(got.key);
	got.key = strdup("jane");
	got.roles = CB_ROLE_TRAINER | CB_ROLE_CONSULTANT;
	ck_assert_int_eq(cb_store_begin(s), 0);
	ck_assert_int_eq(cb_store_person_update(s, &got), 0);
	ck_assert_int_eq(cb_store_commit(s), 0);
	cb_person_clear(&got);
	ck_assert_int_eq(cb_store_person_get(s, "jane", &got), 0);
	ck_assert_int_eq(got.id, id);
	ck_assert_uint_eq(got.roles, CB_ROLE_TRAINER | CB_ROLE_CONSULTANT);
	/* Renaming onto a taken key is refused. */
	free(got.key);
	got.key = strdup("ana");
	ck_assert_int_eq(cb_store_begin(s), 0);
	ck_assert_int_eq(cb_store_person_update(s, &got), CB_EEXISTS);
	ck_assert_str_eq(cb_error_last(), "person 'ana' already exists");
	ck_assert_int_eq(cb_store_rollback(s), 0);
	cb_person_clear(&got);
	ck_assert_int_eq(cb_store_person_get(s, "jane", &got), 0);
	ck_assert_str_eq(got.name, "Jane Doe");
	cb_person_clear(&got);
}
END_TEST

struct seen {
	char keys[256];
	int stop_after;
	int count;
};

static int note_key(const cb_person *p, void *ctx)
{
	struct seen *seen = ctx;

	strcat(seen->keys, p->key);
	strcat(seen->keys, " ");
	return ++seen->count == seen->stop_after ? 42 : 0;
}

START_TEST(each_filters_by_role_in_key_order)
{
	struct seen seen = {0};

	add_person("zed", "Zed", CB_ROLE_TECHNICIAN);
	add_person("ana", "Ana", CB_ROLE_TRAINER | CB_ROLE_CONSULTANT);
	add_person("mo", "Mo", CB_ROLE_TECHNICIAN | CB_ROLE_TRAINER);
	ck_assert_int_eq(cb_store_person_each(s, 0, note_key, &seen), 0);
	ck_assert_str_eq(seen.keys, "ana mo zed ");
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(cb_store_person_each(s, CB_ROLE_TECHNICIAN, note_key, &seen), 0);
	ck_assert_str_eq(seen.keys, "mo zed ");
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(cb_store_person_each(s, CB_ROLE_CONSULTANT, note_key, &seen), 0);
	ck_assert_str_eq(seen.keys, "ana ");
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(
		cb_store_person_each(s, CB_ROLE_CONSULTANT | CB_ROLE_TECHNICIAN, note_key, &seen),
		0);
	ck_assert_str_eq(seen.keys, "ana mo zed ");
	/* The callback's non-zero return stops the walk and comes back. */
	memset(&seen, 0, sizeof(seen));
	seen.stop_after = 2;
	ck_assert_int_eq(cb_store_person_each(s, 0, note_key, &seen), 42);
	ck_assert_str_eq(seen.keys, "ana mo ");
}
END_TEST

static int cover(int64_t person, int64_t account, const char *from, const char *to)
{
	int rc;

	ck_assert_int_eq(cb_store_begin(s), 0);
	rc = cb_store_coverage_insert(s, person, account, from, to);
	if (rc == 0)
		ck_assert_int_eq(cb_store_commit(s), 0);
	else
		ck_assert_int_eq(cb_store_rollback(s), 0);
	return rc;
}

START_TEST(overlapping_coverage_is_refused)
{
	int64_t jdoe = add_person("jdoe", "Jane", CB_ROLE_TECHNICIAN);
	int64_t mo = add_person("mo", "Mo", CB_ROLE_TECHNICIAN);
	int64_t acme = add_account("acme"), globex = add_account("globex");
	char *before, *after;

	ck_assert_int_eq(cover(jdoe, acme, "2025-01-01", "2025-06-30"), 0);
	before = cbt_sh(NULL, "sqlite3 '%s/test.db' 'SELECT * FROM coverage'", dir);
	/* Both ends count: sharing one day is an overlap. */
	ck_assert_int_eq(cover(jdoe, acme, "2025-06-30", NULL), CB_EEXISTS);
	ck_assert_str_eq(cb_error_last(),
			 "the period overlaps the one recorded from 2025-01-01 to 2025-06-30");
	ck_assert_int_eq(cover(jdoe, acme, "2024-01-01", "2025-01-01"), CB_EEXISTS);
	ck_assert_int_eq(cover(jdoe, acme, "2025-03-01", "2025-03-31"), CB_EEXISTS);
	ck_assert_int_eq(cover(jdoe, acme, "2024-01-01", NULL), CB_EEXISTS);
	ck_assert_int_eq(cover(jdoe, acme, "2024-01-01", "2026-01-01"), CB_EEXISTS);
	after = cbt_sh(NULL, "sqlite3 '%s/test.db' 'SELECT * FROM coverage'", dir);
	ck_assert_str_eq(before, after);
	free(before), free(after);
	/* Touching periods, other accounts and other people are fine. */
	ck_assert_int_eq(cover(jdoe, acme, "2024-01-01", "2024-12-31"), 0);
	ck_assert_int_eq(cover(jdoe, acme, "2025-07-01", NULL), 0);
	ck_assert_int_eq(cover(jdoe, globex, "2025-03-01", NULL), 0);
	ck_assert_int_eq(cover(mo, acme, "2025-03-01", "2025-03-01"), 0);
	/* An open-ended period overlaps everything after its start. */
	ck_assert_int_eq(cover(jdoe, acme, "2030-01-01", "2030-01-31"), CB_EEXISTS);
	ck_assert_str_eq(cb_error_last(),
			 "the period overlaps the one recorded from 2025-07-01 with no end");
	/* The schema refuses an end before the start even without the app. */
	ck_assert_int_eq(cover(mo, globex, "2025-03-01", "2025-02-01"), CB_EINVALID);
}
END_TEST

static int note_coverage(const cb_coverage *c, void *ctx)
{
	char *out = ctx, line[128];

	snprintf(line, sizeof(line), "%s@%s:%s..%s ", c->person, c->account, c->from_on,
		 c->to_on ? c->to_on : "");
	strcat(out, line);
	ck_assert_int_gt(c->person_id, 0);
	ck_assert_int_gt(c->account_id, 0);
	return 0;
}

START_TEST(coverage_lists_and_days)
{
	int64_t jdoe = add_person("jdoe", "Jane", CB_ROLE_TECHNICIAN);
	int64_t mo = add_person("mo", "Mo", CB_ROLE_TECHNICIAN);
	int64_t acme = add_account("acme"), globex = add_account("globex");
	int64_t initech = add_account("initech");
	char out[1024] = "";
	int64_t *ids;
	size_t n;

	ck_assert_int_eq(cover(jdoe, globex, "2025-01-01", "2025-06-30"), 0);
	ck_assert_int_eq(cover(jdoe, acme, "2025-03-01", NULL), 0);
	ck_assert_int_eq(cover(mo, acme, "2024-01-01", "2025-03-01"), 0);
	ck_assert_int_eq(cover(jdoe, globex, "2026-01-01", NULL), 0);

	ck_assert_int_eq(cb_store_coverage_each(s, 0, 0, note_coverage, out), 0);
	ck_assert_str_eq(out, "jdoe@acme:2025-03-01.. jdoe@globex:2025-01-01..2025-06-30 "
			      "jdoe@globex:2026-01-01.. mo@acme:2024-01-01..2025-03-01 ");
	out[0] = '\0';
	ck_assert_int_eq(cb_store_coverage_each(s, 0, acme, note_coverage, out), 0);
	ck_assert_str_eq(out, "jdoe@acme:2025-03-01.. mo@acme:2024-01-01..2025-03-01 ");
	out[0] = '\0';
	ck_assert_int_eq(cb_store_coverage_each(s, mo, 0, note_coverage, out), 0);
	ck_assert_str_eq(out, "mo@acme:2024-01-01..2025-03-01 ");
	out[0] = '\0';
	ck_assert_int_eq(cb_store_coverage_each(s, mo, globex, note_coverage, out), 0);
	ck_assert_str_eq(out, "");

	/* Days: both ends of a period are included. */
	ck_assert_int_eq(cb_store_coverage_accounts_on(s, jdoe, "2025-03-01", &ids, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ids[0], acme);
	ck_assert_int_eq(ids[1], globex);
	free(ids);
	ck_assert_int_eq(cb_store_coverage_accounts_on(s, jdoe, "2025-07-01", &ids, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ids[0], acme);
	free(ids);
	ck_assert_int_eq(cb_store_coverage_accounts_on(s, jdoe, "2024-12-31", &ids, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(ids);
	ck_assert_int_eq(cb_store_coverage_people_on(s, acme, "2025-03-01", &ids, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ids[0], jdoe);
	ck_assert_int_eq(ids[1], mo);
	free(ids);
	ck_assert_int_eq(cb_store_coverage_people_on(s, acme, "2025-03-02", &ids, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ids[0], jdoe);
	free(ids);
	ck_assert_int_eq(cb_store_coverage_people_on(s, initech, "2025-03-02", &ids, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(ids);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("store/person");
	TCase *tc = tcase_create("person");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, role_names_round_trip);
	tcase_add_test(tc, all_five_roles_round_trip);
	tcase_add_test(tc, insert_and_get_keep_fields_and_roles);
	tcase_add_test(tc, duplicate_and_unknown_keys);
	tcase_add_test(tc, update_rewrites_fields_and_roles);
	tcase_add_test(tc, each_filters_by_role_in_key_order);
	tcase_add_test(tc, overlapping_coverage_is_refused);
	tcase_add_test(tc, coverage_lists_and_days);
	suite_add_tcase(suite, tc);
	return cbt_main(suite);
}
