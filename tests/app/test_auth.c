/* Signing in (app/auth.h) on a real workspace, with the workspace's clock
 * set by the test: invitations work once and expire; passwords are kept
 * as Argon2id and appear nowhere in the database files; every sign-in
 * gives new tokens, kept only hashed; sessions expire and end; the
 * throttle per person and per address; API tokens; an unknown person and
 * a wrong password read the same. */
#define _GNU_SOURCE /* memmem */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/auth.h"
#include "app/workspace.h"
#include "base/error.h"
#include "testlib.h"

static char *dir;
static cb_workspace *w;
static int64_t fake_now = 1750000000; /* 2025-06-15 */

static int64_t fake_clock(void)
{
	return fake_now;
}

static void ok_args(const char *const *a)
{
	cbt_run r;

	cbt_casebook(&r, dir, NULL, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], NULL);
	ck_assert_msg(r.status == 0, "%s %s: %s", a[0], a[1], r.err);
	cbt_run_free(&r);
}

#define OK(...) ok_args((const char *const[10]){__VA_ARGS__})

static const char jdoe_password[] = "correct horse battery 42";

static void setup(void)
{
	dir = cbt_workspace();
	OK("person", "add", "jdoe", "--name", "Jane Doe", "--role", "technician", "--email",
	   "jane@example.com");
	OK("person", "add", "ana", "--name", "Ana Martin", "--role", "trainer", NULL, NULL);
	ck_assert_int_eq(cb_workspace_open(dir, 0, &w), 0);
	w->clock = fake_clock;
	fake_now = 1750000000;
}

static void teardown(void)
{
	cb_workspace_close(w);
	cbt_rmrf(dir);
	free(dir);
}

/* Invites jdoe and sets their password. */
static void jdoe_has_password(void)
{
	char token[CB_AUTH_TOKEN_SIZE];

	ck_assert_int_eq(cb_auth_invite(w, "jdoe", 3600, token, NULL), 0);
	ck_assert_msg(cb_auth_invitation_accept(w, token, jdoe_password, NULL) == 0, "%s",
		      cb_error_last());
}

/* One sqlite3 query's output (caller frees). */
static char *sql(const char *query)
{
	return cbt_sh(NULL, "sqlite3 '%s/casebook.db' \"%s\"", dir, query);
}

static long sql_count(const char *query)
{
	char *out = sql(query);
	long n = atol(out);

	free(out);
	return n;
}

/* Whether `needle` is anywhere in the workspace's database files. */
static int on_disk(const char *needle)
{
	static const char *const files[] = {"casebook.db", "casebook.db-wal"};
	int seen = 0;

	for (size_t i = 0; i < 2; i++) {
		char path[4200];
		FILE *f;
		char *data;
		long len;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (!(f = fopen(path, "rb")))
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		data = malloc((size_t)len + 1);
		ck_assert_ptr_nonnull(data);
		ck_assert_int_eq(fread(data, 1, (size_t)len, f), (size_t)len);
		fclose(f);
		seen |= memmem(data, (size_t)len, needle, strlen(needle)) != NULL;
		free(data);
	}
	return seen;
}

START_TEST(an_invitation_works_once_and_expires)
{
	char token[CB_AUTH_TOKEN_SIZE], older[CB_AUTH_TOKEN_SIZE];
	int64_t expires = 0;
	cb_actor who;

	ck_assert_int_eq(cb_auth_invite(w, "jdoe", 3600, token, &expires), 0);
	ck_assert_uint_eq(strlen(token), 43);
	ck_assert_int_eq(expires, fake_now + 3600);
	/* a refused password leaves the invitation usable, and is never quoted */
	ck_assert_int_eq(cb_auth_invitation_accept(w, token, "short9", &who), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "the password is 6 bytes long; it needs at least 10");
	ck_assert_int_eq(cb_auth_invitation_accept(w, token, "JANE@example.COM", &who), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "the password must not be the person's email address");
	ck_assert_ptr_null(strstr(cb_error_last(), "JANE"));
	/* accepted once */
	ck_assert_int_eq(cb_auth_invitation_accept(w, token, jdoe_password, &who), 0);
	ck_assert_str_eq(who.key, "jdoe");
	ck_assert_int_eq(cb_auth_invitation_accept(w, token, "another password 1", &who), CB_EAUTH);
	ck_assert_msg(strstr(cb_error_last(), "already used, on 2025-06-15"), "%s", cb_error_last());
	/* expired: an hour and a second later */
	ck_assert_int_eq(cb_auth_invite(w, "jdoe", 3600, token, NULL), 0);
	fake_now += 3600;
	ck_assert_int_eq(cb_auth_invitation_accept(w, token, "another password 1", &who), CB_EAUTH);
	ck_assert_msg(strstr(cb_error_last(), "this invitation link expired on 2025-06-15"), "%s",
		      cb_error_last());
	/* a new invitation replaces the unused one */
	ck_assert_int_eq(cb_auth_invite(w, "jdoe", 3600, older, NULL), 0);
	ck_assert_int_eq(cb_auth_invite(w, "jdoe", 3600, token, NULL), 0);
	ck_assert_str_ne(older, token);
	ck_assert_int_eq(cb_auth_invitation_accept(w, older, "another password 1", &who), CB_EAUTH);
	ck_assert_msg(strstr(cb_error_last(), "not known"), "%s", cb_error_last());
	ck_assert_int_eq(cb_auth_invitation_accept(w, "nonsense", "another password 1", &who),
			 CB_EAUTH);
	ck_assert_int_eq(cb_auth_invitation_accept(w, NULL, "another password 1", &who), CB_EAUTH);
	/* bounds and unknowns */
	ck_assert_int_eq(cb_auth_invite(w, "jdoe", 0, token, NULL), CB_EINVALID);
	ck_assert_int_eq(cb_auth_invite(w, "jdoe", CB_AUTH_INVITE_TTL_MAX + 1, token, NULL),
			 CB_EINVALID);
	ck_assert_str_eq(token, "");
	ck_assert_int_eq(cb_auth_invite(w, "jdo", 3600, token, NULL), CB_ENOTFOUND);
	ck_assert_str_eq(cb_error_last(), "unknown person 'jdo' (did you mean 'jdoe'?)");
	/* only an administrator invites */
	{
		cb_actor ana;

		ck_assert_int_eq(cb_auth_actor_of(w, "ana", &ana), 0);
		cb_workspace_set_actor(w, &ana);
		ck_assert_int_eq(cb_auth_invite(w, "jdoe", 3600, token, NULL), CB_EFORBIDDEN);
		ck_assert_str_eq(cb_error_last(),
				 "ana (trainer) may not invite people to sign in: no trainer may");
	}
}
END_TEST

START_TEST(passwords_are_argon2id_and_never_on_disk)
{
	static const char wrong[] = "wrong but secret 9";
	cb_auth_session s;
	char invite[CB_AUTH_TOKEN_SIZE], *out, *dump;
	cb_person p = {.key = "jdoe", .email = "jane@example.com"};

	ck_assert_int_eq(cb_auth_invite(w, "jdoe", 3600, invite, NULL), 0);
	ck_assert_int_eq(cb_auth_invitation_accept(w, invite, jdoe_password, NULL), 0);
	out = sql("SELECT hash FROM credential");
	ck_assert_msg(strncmp(out, "$argon2id$v=19$m=65536,t=2,p=1$", 31) == 0, "%s", out);
	free(out);
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", wrong, "10.0.0.1", &s), CB_EAUTH);
	ck_assert_ptr_null(strstr(cb_error_last(), wrong));
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", jdoe_password, "10.0.0.1", &s), 0);
	/* neither password, nor the invitation, session or CSRF token */
	ck_assert(!on_disk(jdoe_password));
	ck_assert(!on_disk(wrong));
	ck_assert(!on_disk(invite));
	ck_assert(!on_disk(s.token));
	dump = cbt_db_dump(dir);
	ck_assert_ptr_null(strstr(dump, jdoe_password));
	ck_assert_ptr_null(strstr(dump, s.token));
	free(dump);
	/* the policy */
	ck_assert_int_eq(cb_auth_password_check(&p, "JDoe"), CB_EINVALID);
	ck_assert_int_eq(cb_auth_password_check(&p, "123456789"), CB_EINVALID);
	ck_assert_int_eq(cb_auth_password_check(&p, "1234567890"), 0);
	p.key = "jdoe-the-tech";
	ck_assert_int_eq(cb_auth_password_check(&p, "JDOE-THE-TECH"), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "the password must not be the person's key");
	{
		char *big = malloc(CB_AUTH_PASSWORD_MAX + 2);

		memset(big, 'x', CB_AUTH_PASSWORD_MAX + 1);
		big[CB_AUTH_PASSWORD_MAX + 1] = '\0';
		ck_assert_int_eq(cb_auth_password_check(&p, big), CB_EINVALID);
		ck_assert_str_eq(cb_error_last(), "the password is longer than 1024 bytes");
		big[CB_AUTH_PASSWORD_MAX] = '\0';
		ck_assert_int_eq(cb_auth_password_check(&p, big), 0);
		free(big);
	}
}
END_TEST

START_TEST(each_signin_gives_new_tokens_kept_hashed)
{
	cb_auth_session a, b, got;
	unsigned char h[32];
	char hex[65], query[200], *out;

	jdoe_has_password();
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", jdoe_password, "10.0.0.1", &a), 0);
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", jdoe_password, "10.0.0.1", &b), 0);
	ck_assert_uint_eq(strlen(a.token), 43);
	ck_assert_str_ne(a.token, b.token);
	ck_assert_str_ne(a.csrf, b.csrf);
	ck_assert_str_ne(a.token, a.csrf);
	ck_assert_str_eq(a.actor.key, "jdoe");
	ck_assert_uint_eq(a.actor.roles, CB_ROLE_TECHNICIAN);
	ck_assert_int_eq(a.actor.is_admin, 0);
	ck_assert_int_eq(a.expires_at, fake_now + CB_AUTH_SESSION_MAX);
	/* stored as BLAKE2b-256 of the token's text, nothing else */
	crypto_generichash(h, sizeof(h), (const unsigned char *)a.token, strlen(a.token), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(query, sizeof(query), "SELECT count(*) FROM web_session WHERE lower(hex(token_hash)) = '%s'",
		 hex);
	ck_assert_int_eq(sql_count(query), 1);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM web_session"), 2);
	out = sql("SELECT typeof(token_hash), length(token_hash) FROM web_session LIMIT 1");
	ck_assert_str_eq(out, "blob|32\n");
	free(out);
	/* the cookie finds its session and CSRF token */
	ck_assert_int_eq(cb_auth_session_get(w, a.token, &got), 0);
	ck_assert_str_eq(got.actor.key, "jdoe");
	ck_assert_str_eq(got.csrf, a.csrf);
	ck_assert_str_eq(got.token, "");
	ck_assert_int_eq(cb_auth_csrf_check(&got, a.csrf), 0);
	ck_assert_int_eq(cb_auth_csrf_check(&got, b.csrf), CB_EFORBIDDEN);
	ck_assert_int_eq(cb_auth_csrf_check(&got, ""), CB_EFORBIDDEN);
	ck_assert_int_eq(cb_auth_csrf_check(&got, NULL), CB_EFORBIDDEN);
	a.csrf[10] = '\0';
	ck_assert_int_eq(cb_auth_csrf_check(&got, a.csrf), CB_EFORBIDDEN);
	ck_assert_int_eq(cb_auth_session_get(w, "x", &got), CB_EAUTH);
	ck_assert_int_eq(cb_auth_session_get(w, NULL, &got), CB_EAUTH);
	/* signing out ends this session only */
	ck_assert_int_eq(cb_auth_signout(w, a.token), 0);
	ck_assert_int_eq(cb_auth_session_get(w, a.token, &got), CB_EAUTH);
	ck_assert_msg(strstr(cb_error_last(), "unknown or was ended"), "%s", cb_error_last());
	ck_assert_int_eq(cb_auth_signout(w, a.token), 0);
	ck_assert_int_eq(cb_auth_session_get(w, b.token, &got), 0);
	/* a new password ends them all */
	jdoe_has_password();
	ck_assert_int_eq(cb_auth_session_get(w, b.token, &got), CB_EAUTH);
}
END_TEST

START_TEST(sessions_expire_idle_and_absolute)
{
	cb_auth_session a, got;

	jdoe_has_password();
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", jdoe_password, NULL, &a), 0);
	/* idle: 12 hours pass, fine; a second more is too long */
	fake_now += CB_AUTH_SESSION_IDLE;
	ck_assert_int_eq(cb_auth_session_get(w, a.token, &got), 0);
	ck_assert_int_eq(got.idle_expires_at, fake_now + CB_AUTH_SESSION_IDLE);
	fake_now += CB_AUTH_SESSION_IDLE + 1;
	ck_assert_int_eq(cb_auth_session_get(w, a.token, &got), CB_EAUTH);
	ck_assert_str_eq(cb_error_last(),
			 "this sign-in expired (12 hours without a request); sign in again");
	ck_assert_int_eq(sql_count("SELECT count(*) FROM web_session"), 0);
	/* absolute: used every 11 hours, it still ends after 7 days */
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", jdoe_password, NULL, &a), 0);
	for (int i = 0; i < 15; i++) {
		fake_now += 11 * 3600;
		ck_assert_msg(cb_auth_session_get(w, a.token, &got) == 0, "after %d h: %s",
			      (i + 1) * 11, cb_error_last());
	}
	fake_now += 11 * 3600; /* 176 h > 168 h */
	ck_assert_int_eq(cb_auth_session_get(w, a.token, &got), CB_EAUTH);
	ck_assert_str_eq(cb_error_last(), "this sign-in expired (7 days after signing in); sign in again");
}
END_TEST

static long failures(const char *who)
{
	char query[200];

	snprintf(query, sizeof(query), "SELECT count(*) FROM signin_failure WHERE who = '%s'", who);
	return sql_count(query);
}

START_TEST(wrong_passwords_throttle_the_person)
{
	cb_auth_session s;
	char addr[32];

	jdoe_has_password();
	/* 5 wrong ones, each from another address */
	for (int i = 0; i < CB_AUTH_THROTTLE_FREE; i++) {
		snprintf(addr, sizeof(addr), "10.0.0.%d", i);
		ck_assert_int_eq(cb_auth_signin(w, "jdoe", "not the password", addr, &s), CB_EAUTH);
		fake_now += 1;
	}
	/* now even the right password is refused, without being tried */
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", jdoe_password, "10.9.9.9", &s), CB_ETHROTTLED);
	ck_assert_int_eq(s.retry_after, CB_AUTH_THROTTLE_FIRST - 1);
	ck_assert_str_eq(cb_error_last(), "too many failed sign-ins for this person or from this "
					  "address; try again in 29 s");
	ck_assert_int_eq(failures("person:jdoe"), 5); /* not counted */
	ck_assert_str_eq(s.token, "");
	/* waited out: one more wrong one doubles the wait */
	fake_now += 29;
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", "still not it", "10.9.9.9", &s), CB_EAUTH);
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", jdoe_password, "10.9.9.9", &s), CB_ETHROTTLED);
	ck_assert_int_eq(s.retry_after, 60);
	fake_now += 59;
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", jdoe_password, "10.9.9.9", &s), CB_ETHROTTLED);
	ck_assert_int_eq(s.retry_after, 1);
	fake_now += 1;
	ck_assert_msg(cb_auth_signin(w, "jdoe", jdoe_password, "10.9.9.9", &s) == 0, "%s",
		      cb_error_last());
	/* a success forgets the person's failures, not the addresses' */
	ck_assert_int_eq(failures("person:jdoe"), 0);
	ck_assert_int_eq(failures("addr:10.9.9.9"), 1);
	ck_assert_int_eq(failures("addr:10.0.0.1"), 1);
}
END_TEST

START_TEST(the_wait_doubles_up_to_fifteen_minutes)
{
	cb_auth_session s;
	int waits[8], n = 0;

	jdoe_has_password();
	for (int i = 0; i < CB_AUTH_THROTTLE_FREE; i++)
		ck_assert_int_eq(cb_auth_signin(w, "jdoe", "nope nope nope", NULL, &s), CB_EAUTH);
	while (n < 8) {
		ck_assert_int_eq(cb_auth_signin(w, "jdoe", "nope nope nope", NULL, &s), CB_ETHROTTLED);
		waits[n++] = s.retry_after;
		fake_now += s.retry_after;
		ck_assert_int_eq(cb_auth_signin(w, "jdoe", "nope nope nope", NULL, &s), CB_EAUTH);
	}
	/* 30, 60, 120, 240, 480, then the cap */
	ck_assert_int_eq(waits[0], 30);
	ck_assert_int_eq(waits[1], 60);
	ck_assert_int_eq(waits[2], 120);
	ck_assert_int_eq(waits[3], 240);
	ck_assert_int_eq(waits[4], 480);
	for (int i = 5; i < 8; i++)
		ck_assert_int_eq(waits[i], CB_AUTH_THROTTLE_CAP);
	/* the wait, then 15 quiet minutes: the row starts over, a failure is
	 * the first of a new one and imposes no wait */
	fake_now += CB_AUTH_THROTTLE_CAP + CB_AUTH_THROTTLE_WINDOW + 1;
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", "nope nope nope", NULL, &s), CB_EAUTH);
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", jdoe_password, NULL, &s), 0);
}
END_TEST

START_TEST(wrong_passwords_throttle_the_address)
{
	cb_auth_session s;
	char key[32];

	jdoe_has_password();
	/* one address tries many people (who need not exist) */
	for (int i = 0; i < CB_AUTH_THROTTLE_FREE; i++) {
		snprintf(key, sizeof(key), "user%d", i);
		ck_assert_int_eq(cb_auth_signin(w, key, "guess guess guess", "203.0.113.7", &s),
				 CB_EAUTH);
	}
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", jdoe_password, "203.0.113.7", &s), CB_ETHROTTLED);
	ck_assert_int_eq(s.retry_after, 30);
	/* another address is not held up */
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", jdoe_password, "198.51.100.1", &s), 0);
	ck_assert_int_eq(failures("addr:203.0.113.7"), 5);
	ck_assert_int_eq(failures("person:user0"), 1);
}
END_TEST

START_TEST(unknown_person_and_wrong_password_read_the_same)
{
	cb_auth_session s;
	char wrong_password[400], unknown[400], no_password[400], bad_key[400];

	jdoe_has_password();
	ck_assert_int_eq(cb_auth_signin(w, "jdoe", "not the password", "10.0.0.1", &s), CB_EAUTH);
	snprintf(wrong_password, sizeof(wrong_password), "%s", cb_error_last());
	ck_assert_int_eq(cb_auth_signin(w, "nobody", "not the password", "10.0.0.2", &s), CB_EAUTH);
	snprintf(unknown, sizeof(unknown), "%s", cb_error_last());
	/* ana has no password yet */
	ck_assert_int_eq(cb_auth_signin(w, "ana", "not the password", "10.0.0.3", &s), CB_EAUTH);
	snprintf(no_password, sizeof(no_password), "%s", cb_error_last());
	ck_assert_int_eq(cb_auth_signin(w, "../../etc", "not the password", "10.0.0.4", &s), CB_EAUTH);
	snprintf(bad_key, sizeof(bad_key), "%s", cb_error_last());
	ck_assert_str_eq(wrong_password, "wrong person key or password");
	ck_assert_str_eq(unknown, wrong_password);
	ck_assert_str_eq(no_password, wrong_password);
	ck_assert_str_eq(bad_key, wrong_password);
	ck_assert_int_eq(cb_auth_signin(w, NULL, NULL, NULL, &s), CB_EAUTH);
	ck_assert_str_eq(cb_error_last(), wrong_password);
	/* an unknown person counts as a known one does */
	ck_assert_int_eq(failures("person:nobody"), 1);
}
END_TEST

static double seconds_of_signin(const char *key, const char *addr)
{
	struct timespec a, b;
	cb_auth_session s;

	/* CPU time, not wall time: other work on the machine adds to the
	 * wall clock (this failed under a parallel build) but not to the
	 * Argon2id hashing this thread does, which is what is compared. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	ck_assert_int_eq(cb_auth_signin(w, key, "not the password", addr, &s), CB_EAUTH);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* An unknown person's sign-in verifies a dummy Argon2id hash: it costs
 * about as much as a wrong password (the CPU time of the quickest of three
 * each, loosely compared). */
START_TEST(unknown_person_takes_as_long_as_wrong_password)
{
	double known = 1e9, unknown = 1e9;
	char addr[32];

	jdoe_has_password();
	for (int i = 0; i < 3; i++) {
		double t;

		snprintf(addr, sizeof(addr), "10.1.0.%d", i);
		if ((t = seconds_of_signin("jdoe", addr)) < known)
			known = t;
		snprintf(addr, sizeof(addr), "10.2.0.%d", i);
		if ((t = seconds_of_signin("nobody", addr)) < unknown)
			unknown = t;
	}
	ck_assert_msg(unknown > known / 2 && known > unknown / 2, "wrong password %.3f s, unknown person %.3f s",
		      known, unknown);
}
END_TEST

static int count_token(const cb_api_token *t, void *ctx)
{
	int *n = ctx;

	n[0]++;
	n[1] += t->revoked_at != 0;
	return 0;
}

START_TEST(api_tokens_check_and_revoke)
{
	char token[CB_AUTH_TOKEN_SIZE], again[CB_AUTH_TOKEN_SIZE];
	cb_actor who, jdoe;
	int n[2] = {0, 0};

	ck_assert_int_eq(cb_auth_token_create(w, "jdoe", "export", token), 0);
	ck_assert_msg(strncmp(token, "cbk_", 4) == 0 && strlen(token) == 47, "%s", token);
	ck_assert(!on_disk(token));
	ck_assert_int_eq(cb_auth_token_check(w, token, &who), 0);
	ck_assert_str_eq(who.key, "jdoe");
	ck_assert_int_eq(who.is_admin, 0);
	ck_assert_int_eq(sql_count("SELECT last_used_at FROM api_token"), fake_now);
	ck_assert_int_eq(cb_auth_token_create(w, "jdoe", "export", again), CB_EEXISTS);
	ck_assert_msg(strstr(cb_error_last(), "person 'jdoe' already has an API token named 'export'"),
		      "%s", cb_error_last());
	ck_assert_int_eq(cb_auth_token_create(w, "jdoe", "", again), CB_EINVALID);
	ck_assert_int_eq(cb_auth_token_create(w, "jdoe", "a b", again), CB_EINVALID);
	ck_assert_int_eq(cb_auth_token_create(w, "nobody", "export", again), CB_ENOTFOUND);
	ck_assert_int_eq(cb_auth_token_check(w, "cbk_forged", &who), CB_EAUTH);
	ck_assert_int_eq(cb_auth_token_check(w, NULL, &who), CB_EAUTH);
	/* revoked, it opens nothing, and its name is free */
	ck_assert_int_eq(cb_auth_token_revoke(w, "jdoe", "export"), 0);
	ck_assert_int_eq(cb_auth_token_check(w, token, &who), CB_EAUTH);
	ck_assert_str_eq(cb_error_last(), "unknown or revoked API token");
	ck_assert_int_eq(cb_auth_token_revoke(w, "jdoe", "export"), CB_ENOTFOUND);
	ck_assert_int_eq(cb_auth_token_create(w, "jdoe", "export", again), 0);
	ck_assert_str_ne(again, token);
	ck_assert_int_eq(cb_auth_token_list(w, "jdoe", count_token, n), 0);
	ck_assert_int_eq(n[0], 2);
	ck_assert_int_eq(n[1], 1);
	/* a person manages their own tokens, not another's */
	ck_assert_int_eq(cb_auth_actor_of(w, "jdoe", &jdoe), 0);
	cb_workspace_set_actor(w, &jdoe);
	ck_assert_int_eq(cb_auth_token_create(w, "jdoe", "laptop", token), 0);
	ck_assert_int_eq(cb_auth_token_create(w, "ana", "laptop", token), CB_EFORBIDDEN);
	ck_assert_str_eq(cb_error_last(), "jdoe (technician) may not make, list and revoke API tokens "
					  "(the API tokens of 'ana'): a technician may only for their own");
	ck_assert_int_eq(cb_auth_token_revoke(w, "ana", "laptop"), CB_EFORBIDDEN);
	ck_assert_int_eq(cb_auth_token_list(w, "ana", count_token, n), CB_EFORBIDDEN);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/auth");
	TCase *tc = tcase_create("auth");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, an_invitation_works_once_and_expires);
	tcase_add_test(tc, passwords_are_argon2id_and_never_on_disk);
	tcase_add_test(tc, each_signin_gives_new_tokens_kept_hashed);
	tcase_add_test(tc, sessions_expire_idle_and_absolute);
	tcase_add_test(tc, wrong_passwords_throttle_the_person);
	tcase_add_test(tc, the_wait_doubles_up_to_fifteen_minutes);
	tcase_add_test(tc, wrong_passwords_throttle_the_address);
	tcase_add_test(tc, unknown_person_and_wrong_password_read_the_same);
	tcase_add_test(tc, unknown_person_takes_as_long_as_wrong_password);
	tcase_add_test(tc, api_tokens_check_and_revoke);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
