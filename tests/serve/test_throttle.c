/*
 * The sign-in throttle of a real casebook serve: after five wrong
 * passwords in a row the person and the address they came from are
 * refused (429, Retry-After) even with the right password, each on its
 * own, while another person from another address signs in as usual.
 * Loopback's other addresses (127.0.0.2, ...) are the other clients.
 * A suite of its own: the failures it leaves would throttle the rest.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "testlib.h"

/* One sign-in of `key` from address `from`: the status, and whether a
 * session cookie came back. */
static long attempt(const char *from, const char *key, const char *pw, int *session,
		    char **retry_after)
{
	cbs_client c;
	cbs_resp r;
	char *token, *form;
	long status;

	cbs_client_init(&c, &cbs_srv);
	c.source = from;
	cbs_get(&c, "/signin", &r);
	ck_assert_int_eq(r.status, 200);
	token = cbs_hidden(r.body, "csrf_token");
	cbs_resp_free(&r);
	form = cbs_form("csrf_token", token, "key", key, "password", pw, NULL);
	cbs_post(&c, "/signin", form, &r);
	status = r.status;
	if (session)
		*session = cbs_cookie(&c, "cb_session") != NULL;
	if (retry_after)
		*retry_after = cbs_header(&r, "Retry-After");
	if (status == 429)
		ck_assert_msg(strstr(r.body, "Too many") != NULL, "a 429 that does not say why");
	cbs_resp_free(&r);
	free(form), free(token);
	return status;
}

START_TEST(wrong_passwords_throttle_person_and_address)
{
	int session = 0;
	char *retry = NULL;

	/* An unknown person and a wrong password read the same: the page
	 * does not tell who has an account. */
	{
		cbs_client c;
		char *one = NULL, *two = NULL;

		for (int k = 0; k < 2; k++) {
			cbs_resp r;
			char *token, *form;
			const char *p;

			cbs_client_init(&c, &cbs_srv);
			c.source = "127.0.0.9";
			cbs_get(&c, "/signin", &r);
			token = cbs_hidden(r.body, "csrf_token");
			cbs_resp_free(&r);
			form = cbs_form("csrf_token", token, "key", k ? "nobody-here" : "mia", "password",
					"wrong-password-here", NULL);
			cbs_post(&c, "/signin", form, &r);
			ck_assert_int_eq(r.status, 401);
			p = strstr(r.body, "class=\"flash");
			ck_assert_msg(p != NULL, "no message: %.1000s", r.body);
			*(k ? &two : &one) = strndup(p, strcspn(p, "\n"));
			cbs_resp_free(&r);
			free(form), free(token);
		}
		ck_assert_str_eq(one, two);
		free(one), free(two);
	}
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(attempt("127.0.0.2", "tom", "not-his-password-at-all", &session, NULL),
				 401);
		ck_assert(!session);
	}
	/* The right password, now: refused, with the time to wait. */
	ck_assert_int_eq(attempt("127.0.0.2", "tom", cbs_password("tom"), &session, &retry), 429);
	ck_assert_msg(!session, "a throttled sign-in got a session");
	ck_assert_msg(retry && atoi(retry) > 0, "Retry-After: %s", retry);
	free(retry);
	/* and more wrong ones are not even tried */
	ck_assert_int_eq(attempt("127.0.0.2", "tom", "still-not-his-password", NULL, NULL), 429);
	/* The person, from another address. */
	ck_assert_int_eq(attempt("127.0.0.3", "tom", cbs_password("tom"), &session, NULL), 429);
	ck_assert(!session);
	/* The address, for another person. */
	ck_assert_int_eq(attempt("127.0.0.2", "cora", cbs_password("cora"), &session, NULL), 429);
	ck_assert(!session);
	/* Anyone else, elsewhere, signs in as usual: the throttle is theirs,
	 * not the server's. */
	ck_assert_int_eq(attempt("127.0.0.4", "cora", cbs_password("cora"), &session, NULL), 303);
	ck_assert(session);
	/* No session was made for tom. */
	{
		char *n = cbt_sh(NULL,
				 "sqlite3 -cmd '.timeout 10000' '%s/casebook.db' \"SELECT count(*) FROM web_session w JOIN "
				 "person p ON p.id = w.person_id WHERE p.key = 'tom'\"",
				 cbs_ws);

		ck_assert_int_eq(atoi(n), 0);
		free(n);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("serve_throttle");
	TCase *tc = tcase_create("throttle");

	tcase_add_unchecked_fixture(tc, cbs_suite_setup, cbs_suite_teardown);
	tcase_add_checked_fixture(tc, cbs_test_start, cbs_test_stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, wrong_passwords_throttle_person_and_address);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cbt_main(suite());
}
