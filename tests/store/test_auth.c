/* The store's sign-in tables on a real SQLite file: credentials,
 * one-time invitations, web sessions, API tokens (a live name is unique,
 * a revoked one frees it) and failed sign-ins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "store/auth.h"
#include "store/person.h"
#include "store/store.h"
#include "testlib.h"

static char *dir;
static cb_store *s;
static int64_t jdoe, ana;

static int64_t add_person(const char *key)
{
	cb_person p = {.key = (char *)key, .name = (char *)key, .roles = CB_ROLE_TECHNICIAN};
	int64_t id = 0;

	ck_assert_int_eq(cb_store_begin(s), 0);
	ck_assert_msg(cb_store_person_insert(s, &p) == 0, "%s", cb_error_last());
	ck_assert_int_eq(cb_store_commit(s), 0);
	ck_assert_int_eq(cb_store_person_id(s, key, &id), 0);
	return id;
}

static void setup(void)
{
	char path[4096];

	dir = cbt_tempdir();
	snprintf(path, sizeof(path), "%s/test.db", dir);
	ck_assert_int_eq(cb_store_open(path, CB_STORE_CREATE, &s), 0);
	jdoe = add_person("jdoe");
	ana = add_person("ana");
}

static void teardown(void)
{
	cb_store_close(s);
	cbt_rmrf(dir);
	free(dir);
}

static void hash_of(unsigned char h[CB_STORE_TOKEN_HASH], int fill)
{
	memset(h, fill, CB_STORE_TOKEN_HASH);
}

START_TEST(credentials_are_set_and_replaced)
{
	char hash[CB_STORE_PWHASH_MAX], *out;
	int found = 1;

	ck_assert_int_eq(cb_store_credential_get(s, jdoe, hash, sizeof(hash), &found), 0);
	ck_assert_int_eq(found, 0);
	ck_assert_int_eq(cb_store_credential_set(s, jdoe, "$argon2id$v=19$one", 100), 0);
	ck_assert_int_eq(cb_store_credential_set(s, jdoe, "$argon2id$v=19$two", 200), 0);
	ck_assert_int_eq(cb_store_credential_get(s, jdoe, hash, sizeof(hash), &found), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_str_eq(hash, "$argon2id$v=19$two");
	/* the schema takes nothing but an Argon2id string */
	ck_assert_int_eq(cb_store_credential_set(s, ana, "plain text", 100), CB_EINVALID);
	out = cbt_sh(NULL, "sqlite3 '%s/test.db' 'SELECT person_id, set_at FROM credential'", dir);
	ck_assert_str_eq(out, "1|200\n");
	free(out);
}
END_TEST

START_TEST(invitations_are_used_once)
{
	unsigned char h[CB_STORE_TOKEN_HASH], other[CB_STORE_TOKEN_HASH];
	cb_invitation inv;
	int found, used;

	hash_of(h, 1);
	hash_of(other, 2);
	ck_assert_int_eq(cb_store_invitation_insert(s, h, jdoe, 100, 200), 0);
	ck_assert_int_eq(cb_store_invitation_get(s, other, &inv, &found), 0);
	ck_assert_int_eq(found, 0);
	ck_assert_int_eq(cb_store_invitation_get(s, h, &inv, &found), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_int_eq(inv.person_id, jdoe);
	ck_assert_int_eq(inv.expires_at, 200);
	ck_assert_int_eq(inv.used_at, 0);
	ck_assert_int_eq(cb_store_invitation_use(s, h, 150, &used), 0);
	ck_assert_int_eq(used, 1);
	ck_assert_int_eq(cb_store_invitation_use(s, h, 160, &used), 0);
	ck_assert_int_eq(used, 0);
	ck_assert_int_eq(cb_store_invitation_get(s, h, &inv, &found), 0);
	ck_assert_int_eq(inv.used_at, 150);
	/* a new one replaces the unused ones, not the history */
	ck_assert_int_eq(cb_store_invitation_insert(s, other, jdoe, 300, 400), 0);
	ck_assert_int_eq(cb_store_invitation_drop_unused(s, jdoe), 0);
	ck_assert_int_eq(cb_store_invitation_get(s, other, &inv, &found), 0);
	ck_assert_int_eq(found, 0);
	ck_assert_int_eq(cb_store_invitation_get(s, h, &inv, &found), 0);
	ck_assert_int_eq(found, 1);
	/* an expiry before its creation is refused */
	ck_assert_int_eq(cb_store_invitation_insert(s, other, jdoe, 300, 300), CB_EINVALID);
}
END_TEST

START_TEST(web_sessions_are_read_touched_and_ended)
{
	unsigned char a[CB_STORE_TOKEN_HASH], b[CB_STORE_TOKEN_HASH];
	cb_web_session w = {.person_id = 1, .created_at = 100, .expires_at = 1000, .last_seen = 100},
		       got;
	int found;

	hash_of(a, 3);
	hash_of(b, 4);
	w.person_id = jdoe;
	snprintf(w.csrf, sizeof(w.csrf), "csrf-a");
	ck_assert_int_eq(cb_store_web_session_insert(s, a, &w), 0);
	w.person_id = ana;
	snprintf(w.csrf, sizeof(w.csrf), "csrf-b");
	w.last_seen = 50;
	ck_assert_int_eq(cb_store_web_session_insert(s, b, &w), 0);
	ck_assert_int_eq(cb_store_web_session_touch(s, a, 120), 0);
	ck_assert_int_eq(cb_store_web_session_get(s, a, &got, &found), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_int_eq(got.person_id, jdoe);
	ck_assert_str_eq(got.csrf, "csrf-a");
	ck_assert_int_eq(got.last_seen, 120);
	/* idle since before 60: b goes, a stays */
	ck_assert_int_eq(cb_store_web_session_prune(s, 500, 60), 0);
	ck_assert_int_eq(cb_store_web_session_get(s, b, &got, &found), 0);
	ck_assert_int_eq(found, 0);
	ck_assert_int_eq(cb_store_web_session_delete(s, a, &found), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_int_eq(cb_store_web_session_delete(s, a, &found), 0);
	ck_assert_int_eq(found, 0);
	w.person_id = jdoe;
	ck_assert_int_eq(cb_store_web_session_insert(s, a, &w), 0);
	ck_assert_int_eq(cb_store_web_session_delete_person(s, jdoe), 0);
	ck_assert_int_eq(cb_store_web_session_get(s, a, &got, &found), 0);
	ck_assert_int_eq(found, 0);
}
END_TEST

static int count_tokens(const cb_api_token *t, void *ctx)
{
	(*(int *)ctx)++;
	return 0;
}

START_TEST(api_token_names_are_unique_while_live)
{
	unsigned char a[CB_STORE_TOKEN_HASH], b[CB_STORE_TOKEN_HASH];
	cb_api_token t;
	int found, n = 0;

	hash_of(a, 5);
	hash_of(b, 6);
	ck_assert_int_eq(cb_store_api_token_insert(s, jdoe, "export", a, 100), 0);
	ck_assert_int_eq(cb_store_api_token_insert(s, jdoe, "export", b, 110), CB_EEXISTS);
	ck_assert_int_eq(cb_store_api_token_insert(s, ana, "export", b, 110), 0); /* another person */
	ck_assert_int_eq(cb_store_api_token_by_hash(s, a, &t, &found), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_int_eq(t.person_id, jdoe);
	ck_assert_str_eq(t.name, "export");
	ck_assert_int_eq(t.last_used_at, 0);
	ck_assert_int_eq(cb_store_api_token_touch(s, t.id, 130), 0);
	ck_assert_int_eq(cb_store_api_token_revoke(s, jdoe, "export", 140, &found), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_int_eq(cb_store_api_token_revoke(s, jdoe, "export", 150, &found), 0);
	ck_assert_int_eq(found, 0);
	ck_assert_int_eq(cb_store_api_token_by_hash(s, a, &t, &found), 0);
	ck_assert_int_eq(t.last_used_at, 130);
	ck_assert_int_eq(t.revoked_at, 140);
	/* revoked, the name is free again */
	hash_of(b, 7);
	ck_assert_int_eq(cb_store_api_token_insert(s, jdoe, "export", b, 160), 0);
	ck_assert_int_eq(cb_store_api_token_each(s, jdoe, count_tokens, &n), 0);
	ck_assert_int_eq(n, 2);
}
END_TEST

START_TEST(signin_failures_count_within_a_window)
{
	int64_t n, last;

	for (int64_t at = 100; at < 105; at++)
		ck_assert_int_eq(cb_store_signin_failure_add(s, "person:jdoe", at, NULL), 0);
	ck_assert_int_eq(cb_store_signin_failure_add(s, "addr:10.0.0.1", 103, NULL), 0);
	{
		int64_t id = 0;

		ck_assert_int_eq(cb_store_signin_failure_add(s, "addr:10.0.0.1", 104, &id), 0);
		ck_assert_int_gt(id, 0);
		ck_assert_int_eq(cb_store_signin_failure_remove(s, id), 0);
	}
	ck_assert_int_eq(cb_store_signin_failure_count(s, "person:jdoe", 102, &n, &last), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(last, 104);
	ck_assert_int_eq(cb_store_signin_failure_prune(s, 104), 0);
	ck_assert_int_eq(cb_store_signin_failure_count(s, "person:jdoe", 0, &n, &last), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(cb_store_signin_failure_clear(s, "person:jdoe"), 0);
	ck_assert_int_eq(cb_store_signin_failure_count(s, "person:jdoe", 0, &n, &last), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(last, 0);
	ck_assert_int_eq(cb_store_signin_failure_count(s, "addr:10.0.0.1", 0, &n, &last), 0);
	ck_assert_int_eq(n, 0); /* pruned: before 104 */
	ck_assert_int_eq(cb_store_check(s), 0);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("store/auth");
	TCase *tc = tcase_create("auth");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, credentials_are_set_and_replaced);
	tcase_add_test(tc, invitations_are_used_once);
	tcase_add_test(tc, web_sessions_are_read_touched_and_ended);
	tcase_add_test(tc, api_token_names_are_unique_while_live);
	tcase_add_test(tc, signin_failures_count_within_a_window);
	suite_add_tcase(su, tc);
	return cbt_main(su);
}
