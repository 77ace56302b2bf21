/* `casebook person invite` and `casebook person token` end to end: what
 * they print, that what they print works (the invitation sets a password
 * one can sign in with, the API token opens the API until revoked), that
 * the database keeps only hashes, and that bad input is refused with a
 * clear message and a non-zero exit, the database unchanged. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/auth.h"
#include "app/workspace.h"
#include "base/error.h"
#include "testlib.h"

static char *ws;

static cbt_run run_argv(const char *const *a)
{
	cbt_run r;

	cbt_casebook(&r, ws, NULL, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], NULL);
	return r;
}

#define RUN(...) run_argv((const char *const[10]){__VA_ARGS__})

static void ok_argv(const char *const *a)
{
	cbt_run r = run_argv(a);

	ck_assert_msg(r.status == 0, "%s %s: %s", a[0], a[1], r.err);
	cbt_run_free(&r);
}

#define OK(...) ok_argv((const char *const[10]){__VA_ARGS__})

static json_t *json_argv(const char *const *a)
{
	cbt_run r = run_argv(a);
	json_error_t jerr;
	json_t *v;

	ck_assert_msg(r.status == 0, "%s %s: %s", a[0], a[1], r.err);
	v = json_loads(r.out, 0, &jerr);
	ck_assert_msg(v != NULL, "not JSON: %s", r.out);
	cbt_run_free(&r);
	return v;
}

#define JSON(...) json_argv((const char *const[10]){__VA_ARGS__})

/* A refused command: exit `code`, `message` on stderr, nothing on stdout,
 * the database as it was. */
static void refused_argv(int code, const char *message, const char *const *a)
{
	char *before = cbt_db_dump(ws), *after;
	cbt_run r = run_argv(a);

	ck_assert_msg(r.status == code, "%s %s %s: exit %d, want %d: %s", a[0], a[1], a[2],
		      r.status, code, r.err);
	ck_assert_msg(cbt_has(r.err, message), "want '%s' in: %s", message, r.err);
	ck_assert_str_eq(r.out, "");
	cbt_run_free(&r);
	after = cbt_db_dump(ws);
	ck_assert_msg(strcmp(before, after) == 0, "the database changed: %s", message);
	free(before), free(after);
}

#define REFUSED(code, message, ...) refused_argv(code, message, (const char *const[10]){__VA_ARGS__})

static void setup(void)
{
	ws = cbt_workspace();
	OK("person", "add", "jdoe", "--name", "Jane Doe", "--role", "technician", NULL);
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

START_TEST(invite_prints_a_link_that_sets_a_password)
{
	static const char password[] = "a long secret 2025";
	char token[CB_AUTH_TOKEN_SIZE], *dump;
	cb_workspace *w;
	cb_auth_session s;
	const char *url, *slash;
	json_t *v;
	cbt_run r;

	/* text: the link on its own line, BASE/invite/TOKEN */
	r = RUN("person", "invite", "jdoe", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(cbt_has(r.out, "invitation for jdoe (Jane Doe), valid until ") &&
			      cbt_has(r.out, "(72 hours), once:\nhttp://127.0.0.1:8080/invite/"),
		      "%s", r.out);
	cbt_run_free(&r);
	/* JSON, another server address and lifetime; it replaces the first */
	v = JSON("person", "invite", "jdoe", "--expires", "2", "--url", "https://cb.example.com/",
		 "--json");
	ck_assert_str_eq(jstr(v, "person"), "jdoe");
	ck_assert_int_eq(json_integer_value(json_object_get(v, "hours")), 2);
	ck_assert_uint_eq(strlen(jstr(v, "expires_at")), 20);
	url = jstr(v, "url");
	ck_assert_msg(strncmp(url, "https://cb.example.com/invite/", 30) == 0, "%s", url);
	slash = strrchr(url, '/');
	ck_assert_uint_eq(strlen(slash + 1), 43);
	snprintf(token, sizeof(token), "%s", slash + 1);
	json_decref(v);
	/* only its hash is kept */
	dump = cbt_db_dump(ws);
	ck_assert_ptr_null(strstr(dump, token));
	free(dump);
	dump = cbt_sh(NULL, "sqlite3 '%s/casebook.db' 'SELECT count(*) FROM invitation'", ws);
	ck_assert_str_eq(dump, "1\n");
	free(dump);

	/* the link sets the password, once; then jdoe signs in */
	ck_assert_int_eq(cb_workspace_open(ws, 0, &w), 0);
	ck_assert_msg(cb_auth_invitation_accept(w, token, password, NULL) == 0, "%s", cb_error_last());
	ck_assert_int_eq(cb_auth_invitation_accept(w, token, password, NULL), CB_EAUTH);
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", password, "127.0.0.1", &s), 0);
	ck_assert_str_eq(s.actor.key, "jdoe");
	cb_workspace_close(w);
	/* the password is nowhere to be seen, in the database or in what
	 * the command line prints */
	dump = cbt_db_dump(ws);
	ck_assert_ptr_null(strstr(dump, password));
	free(dump);
	r = RUN("person", "show", "jdoe", "--json", NULL);
	ck_assert_ptr_null(strstr(r.out, password));
	ck_assert_ptr_null(strstr(r.err, password));
	cbt_run_free(&r);

	/* help: the usage line first */
	r = RUN("person", "invite", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(strncmp(r.out, "usage: casebook person invite KEY [--expires HOURS]", 51) == 0);
	cbt_run_free(&r);
}
END_TEST

START_TEST(invite_refuses_bad_input)
{
	REFUSED(1, "unknown person 'jdo' (did you mean 'jdoe'?)", "person", "invite", "jdo", NULL);
	REFUSED(2, "--expires: 0 is out of range 1..720 (hours)", "person", "invite", "jdoe",
		"--expires", "0", NULL);
	REFUSED(2, "--expires: 721 is out of range 1..720", "person", "invite", "jdoe", "--expires",
		"721", NULL);
	REFUSED(2, "--expires: 'soon' is not a whole number", "person", "invite", "jdoe",
		"--expires", "soon", NULL);
	REFUSED(2, "--url must start with http:// or https://", "person", "invite", "jdoe", "--url",
		"javascript:alert(1)", NULL);
	REFUSED(2, "--url may hold printable ASCII only", "person", "invite", "jdoe", "--url",
		"http://a b", NULL);
	REFUSED(2, "person invite takes one KEY", "person", "invite", NULL);
	REFUSED(2, "person invite has no --csv", "person", "invite", "jdoe", "--csv", NULL);
}
END_TEST

START_TEST(token_is_shown_once_and_works_until_revoked)
{
	char token[CB_AUTH_TOKEN_SIZE], *dump, *nl;
	cb_workspace *w;
	cb_actor who;
	json_t *v, *row;
	cbt_run r;

	r = RUN("person", "token", "jdoe", "--name", "export", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(cbt_has(r.out, "API token 'export' for jdoe (shown only this once"), "%s",
		      r.out);
	nl = strchr(r.out, '\n');
	ck_assert_ptr_nonnull(nl);
	snprintf(token, sizeof(token), "%s", nl + 1);
	token[strcspn(token, "\n")] = '\0';
	ck_assert_msg(strncmp(token, "cbk_", 4) == 0 && strlen(token) == 47, "%s", token);
	cbt_run_free(&r);
	dump = cbt_db_dump(ws);
	ck_assert_ptr_null(strstr(dump, token));
	free(dump);

	ck_assert_int_eq(cb_workspace_open(ws, 0, &w), 0);
	ck_assert_int_eq(cb_auth_token_check(w, token, &who), 0);
	ck_assert_str_eq(who.key, "jdoe");
	cb_workspace_close(w);

	/* --json gives it too; --list never does */
	v = JSON("person", "token", "jdoe", "--name", "backup", "--json", NULL);
	ck_assert_str_eq(jstr(v, "name"), "backup");
	ck_assert(strncmp(jstr(v, "token"), "cbk_", 4) == 0);
	json_decref(v);
	v = JSON("person", "token", "jdoe", "--list", "--json", NULL);
	ck_assert_uint_eq(json_array_size(v), 2);
	row = json_array_get(v, 1);
	ck_assert_str_eq(jstr(row, "name"), "export");
	ck_assert_ptr_null(json_object_get(row, "token"));
	ck_assert(json_is_string(json_object_get(row, "last_used_at")));
	ck_assert(json_is_null(json_object_get(row, "revoked_at")));
	json_decref(v);

	/* revoked: it opens nothing */
	r = RUN("person", "token", "jdoe", "--revoke", "export", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "revoked API token 'export' of jdoe\n");
	cbt_run_free(&r);
	ck_assert_int_eq(cb_workspace_open(ws, 0, &w), 0);
	ck_assert_int_eq(cb_auth_token_check(w, token, &who), CB_EAUTH);
	cb_workspace_close(w);
	v = JSON("person", "token", "jdoe", "--list", "--json", NULL);
	ck_assert(json_is_string(json_object_get(json_array_get(v, 1), "revoked_at")));
	json_decref(v);

	r = RUN("person", "token", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(strncmp(r.out, "usage: casebook person token KEY --name NAME", 44) == 0);
	cbt_run_free(&r);
}
END_TEST

START_TEST(token_refuses_bad_input)
{
	OK("person", "token", "jdoe", "--name", "export", NULL);
	REFUSED(2, "person token needs --name NAME (or --list, or --revoke NAME)", "person", "token",
		"jdoe", NULL);
	REFUSED(2, "give one of --name, --list and --revoke", "person", "token", "jdoe", "--name",
		"x", "--list", NULL);
	REFUSED(2, "person token takes one KEY", "person", "token", "--name", "x", NULL);
	REFUSED(2, "only person token --list has --csv", "person", "token", "jdoe", "--name", "x",
		"--csv", NULL);
	REFUSED(1, "unknown person 'nobody'", "person", "token", "nobody", "--name", "export", NULL);
	REFUSED(1, "person 'jdoe' already has an API token named 'export'", "person", "token", "jdoe",
		"--name", "export", NULL);
	REFUSED(1, "token name", "person", "token", "jdoe", "--name", "no spaces", NULL);
	REFUSED(1, "person 'jdoe' has no live API token named 'nope'", "person", "token", "jdoe",
		"--revoke", "nope", NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/auth_cli");
	TCase *tc = tcase_create("auth_cli");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, invite_prints_a_link_that_sets_a_password);
	tcase_add_test(tc, invite_refuses_bad_input);
	tcase_add_test(tc, token_is_shown_once_and_works_until_revoked);
	tcase_add_test(tc, token_refuses_bad_input);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
