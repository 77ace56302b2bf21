/*
 * The rights at the door of a real casebook serve: every route of
 * core/serve/routes.c asked by one person of each role, signed in, against
 * README's rights table written here once as data (the expected status of
 * each route for each role), then the rules that hold for an object: a
 * technician and another's draft, a trainer and another trainer's session,
 * a trainer who wrote the case, an API token with its person's rights.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "testlib.h"

/* The people who ask, one per role, in the table's column order. */
static const char *const who[] = {"tom", "tina", "cora", "mia", "ada"};
static const char *const role_name[] = {"technician", "trainer", "consultant", "manager", "admin"};
#define NROLES 5

/* What each route answers each role. 403 is the refusal; any other
 * status means the door let them through to the handler, which answered
 * as it does for that input (400 for a form left empty, 303 after a
 * write). Rows that write come in an order that keeps the fixture's
 * objects as the next rows need them. */
typedef struct row {
	const char *method, *path;
	const char *form; /* POST: the fields besides the CSRF token */
	int api;          /* asked with the person's API token, not the cookie */
	int status[NROLES]; /* technician, trainer, consultant, manager, admin */
} row;

static const row table[] = {
	/* open to all */
	{"GET", "/static/casebook.css", NULL, 0, {200, 200, 200, 200, 200}},
	{"GET", "/favicon.ico", NULL, 0, {204, 204, 204, 204, 204}},
	{"GET", "/signin", NULL, 0, {303, 303, 303, 303, 303}}, /* signed in: home */
	{"GET", "/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, 0,
	 {400, 400, 400, 400, 400}}, /* an unknown link says so at once */
	/* everyone's home and lists (what each list shows is filtered) */
	{"GET", "/", NULL, 0, {200, 200, 200, 200, 200}},
	{"GET", "/sessions", NULL, 0, {200, 200, 200, 200, 200}},
	{"GET", "/cases", NULL, 0, {200, 200, 200, 200, 200}},
	/* session.record: trainers (their own) */
	{"GET", "/sessions/new", NULL, 0, {403, 200, 403, 403, 403}},
	{"POST", "/sessions/new", "title=", 0, {403, 400, 403, 403, 403}},
	/* session.read: attendees, trainers, consultants, managers; not admins */
	{"GET", "/sessions/s1", NULL, 0, {200, 200, 200, 200, 403}},
	/* attendance.edit and scores.edit: the session's trainer */
	{"POST", "/sessions/s1/attendance", "", 0, {403, 303, 403, 403, 403}},
	/* case.write: technicians, their own */
	{"GET", "/cases/new", NULL, 0, {200, 403, 403, 403, 403}},
	{"POST", "/cases/new", "title=Preview&account=north&sessions=s1&situation=a&actions=b&outcome=c&step=preview", 0,
	 {200, 403, 403, 403, 403}},
	/* case.read: its technician, the trainer of a session it cites,
	 * consultants and managers; not admins */
	{"GET", "/cases/tom-pump", NULL, 0, {200, 200, 200, 200, 403}},
	{"GET", "/cases/tom-pump/diff", NULL, 0, {200, 200, 200, 200, 403}},
	{"GET", "/cases/tom-pump/edit", NULL, 0, {200, 403, 403, 403, 403}},
	{"POST", "/cases/tom-pump/edit", "title=Preview&account=north&sessions=s1&situation=a&actions=b&outcome=c&step=preview", 0,
	 {200, 403, 403, 403, 403}},
	/* case.review: the trainer of a cited session, consultants */
	{"POST", "/cases/tom-pump/review", "comment=no+decision", 0, {403, 400, 400, 403, 403}},
	{"POST", "/cases/tom-pump/publish", "", 0, {403, 400, 400, 403, 403}},
	{"POST", "/cases/tom-spare/withdraw", "reason=walk", 0, {303, 403, 403, 403, 403}},
	/* case.read-published: all but admins */
	{"GET", "/cases/tom-pub", NULL, 0, {200, 200, 200, 200, 403}},
	/* person.invite and data.import: admins */
	{"GET", "/people", NULL, 0, {403, 403, 403, 403, 200}},
	{"POST", "/people/trent/invite", "", 0, {403, 403, 403, 403, 200}},
	{"GET", "/data/import", NULL, 0, {403, 403, 403, 403, 200}},
	{"POST", "/data/import", "step=check", 0, {403, 403, 403, 403, 400}},
	/* impact.read and report.read: managers */
	{"GET", "/impact", NULL, 0, {403, 403, 403, 200, 403}},
	{"GET", "/impact?program=tco", NULL, 0, {403, 403, 403, 200, 403}},
	{"GET", "/impact?program=tco&download=csv", NULL, 0, {403, 403, 403, 200, 403}},
	{"GET", "/impact?program=tco&download=json", NULL, 0, {403, 403, 403, 200, 403}},
	{"GET", "/impact?program=tco&download=md", NULL, 0, {403, 403, 403, 200, 403}},
	{"GET", "/impact?program=tco&download=html", NULL, 0, {403, 403, 403, 200, 403}},
	{"GET", "/impact?session=s1", NULL, 0, {403, 403, 403, 200, 403}},
	{"GET", "/impact?account=north", NULL, 0, {403, 403, 403, 200, 403}},
	{"GET", "/impact?trainer=tina", NULL, 0, {403, 403, 403, 200, 403}},
	/* the API, with the person's token */
	{"GET", "/api/v1/sessions", NULL, 1, {200, 200, 200, 200, 200}},
	{"GET", "/api/v1/cases", NULL, 1, {200, 200, 200, 200, 200}},
	{"GET", "/api/v1/impact?program=tco", NULL, 1, {403, 403, 403, 200, 403}},
	{"GET", "/api/v1/impact?session=s1", NULL, 1, {403, 403, 403, 200, 403}},
	{"GET", "/api/v1/impact?trainer=tina", NULL, 1, {403, 403, 403, 200, 403}},
	{"GET", "/api/v1/impact?account=north", NULL, 1, {403, 403, 403, 400, 403}},
	/* last: it ends the session */
	{"POST", "/signout", "", 0, {303, 303, 303, 303, 303}},
};
#define NROWS (sizeof(table) / sizeof(table[0]))

/* Whether concrete path `path` (query aside) matches routes.c's pattern,
 * where "*" is one segment. */
static int matches(const char *pattern, const char *path)
{
	size_t plen = strcspn(path, "?");

	while (*pattern && plen) {
		if (*pattern == '*') {
			size_t seg = strcspn(path, "/?");

			if (!seg)
				return 0;
			pattern++, path += seg, plen -= seg;
		} else if (*pattern == *path) {
			pattern++, path++, plen--;
		} else {
			return 0;
		}
	}
	return !*pattern && !plen;
}

/* Every route of routes.c is in the table (and so a new route must be
 * added to it): the table is read from the source. POST /signin and
 * POST /invite/TOKEN are the open forms, tested in test_security.c. */
START_TEST(table_covers_every_route)
{
	char *src = cbt_sh(NULL, "grep -o '{\"\\(GET\\|POST\\)\", \"[^\"]*\"' '%s/core/serve/routes.c'",
			   CASEBOOK_SOURCE_DIR);
	size_t n = 0;

	for (char *line = strtok(src, "\n"); line; line = strtok(NULL, "\n")) {
		char method[8], pattern[200];
		int found = 0;

		ck_assert_int_eq(sscanf(line, "{\"%7[A-Z]\", \"%199[^\"]\"", method, pattern), 2);
		n++;
		if (!strcmp(method, "POST") && (!strcmp(pattern, "/signin") || !strcmp(pattern, "/invite/*")))
			continue;
		for (size_t i = 0; i < NROWS && !found; i++)
			found = !strcmp(table[i].method, method) && matches(pattern, table[i].path);
		ck_assert_msg(found, "route %s %s is not in the rights table of this test", method,
			      pattern);
	}
	ck_assert_int_ge(n, 30);
	free(src);
}
END_TEST

START_TEST(every_route_every_role)
{
	for (int role = 0; role < NROLES; role++) {
		cbs_client c;
		char *csrf, *token = cbs_api_token(cbs_ws, who[role], "walk");

		cbs_client_init(&c, &cbs_srv);
		cbs_signin_ok(&c, who[role], cbs_password(who[role]));
		csrf = cbs_csrf(&c);
		for (size_t i = 0; i < NROWS; i++) {
			const row *t = &table[i];
			cbs_client *asker = &c, api;
			char *form = NULL;
			cbs_resp r;

			if (t->api) {
				cbs_client_init(&api, &cbs_srv);
				api.bearer = token;
				asker = &api;
			}
			if (t->form)
				ck_assert(asprintf(&form, "csrf_token=%s%s%s", csrf, *t->form ? "&" : "",
						   t->form) >= 0);
			cbs_request(asker, t->method, t->path, form, NULL, &r);
			ck_assert_msg(r.status == t->status[role],
				      "%s (%s) %s %s: HTTP %ld, the table says %d: %.400s", who[role],
				      role_name[role], t->method, t->path,
				      r.status, t->status[role], r.body);
			/* A refusal says so and shows nothing of the object. */
			if (r.status == 403)
				ck_assert_msg(!strstr(r.body, "Tom and the pump") &&
						      !strstr(r.body, "The pump"),
					      "%s %s: a 403 showing the case", who[role], t->path);
			cbs_resp_free(&r);
			free(form);
		}
		/* The sign-out row ended the session. */
		{
			cbs_resp r;

			cbs_get(&c, "/", &r);
			ck_assert_int_eq(r.status, 303);
			cbs_resp_free(&r);
		}
		free(csrf), free(token);
	}
}
END_TEST

/* --- rules for an object ------------------------------------------------------ */

static cbs_client as(const char *key)
{
	cbs_client c;

	cbs_client_init(&c, &cbs_srv);
	cbs_signin_ok(&c, key, cbs_password(key));
	return c;
}

static long status_of(cbs_client *c, const char *method, const char *path, const char *fields)
{
	cbs_resp r;
	char *form = NULL, *csrf = NULL;
	long status;

	if (!strcmp(method, "POST")) {
		csrf = cbs_csrf(c);
		ck_assert(asprintf(&form, "csrf_token=%s&%s", csrf, fields ? fields : "") >= 0);
	}
	cbs_request(c, method, path, form, NULL, &r);
	status = r.status;
	cbs_resp_free(&r);
	free(form), free(csrf);
	return status;
}

static char *body_of(cbs_client *c, const char *path)
{
	cbs_resp r;
	char *body;

	cbs_get(c, path, &r);
	ck_assert_msg(r.status == 200, "%s: HTTP %ld", path, r.status);
	body = strdup(r.body);
	cbs_resp_free(&r);
	return body;
}

static char *case_status(const char *slug)
{
	char *s = cbt_sh(NULL, "sqlite3 -cmd '.timeout 10000' '%s/casebook.db' \"SELECT status FROM case_study WHERE slug = '%s'\"",
			 cbs_ws, slug);

	s[strcspn(s, "\n")] = '\0';
	return s;
}

START_TEST(technician_and_another_draft)
{
	cbs_client tom = as("tom"), tess = as("tess");
	char *body, *before = cbt_db_dump(cbs_ws), *after;

	/* tess's submitted case is hers (and her session's trainer's) only. */
	ck_assert_int_eq(status_of(&tom, "GET", "/cases/tess-draft", NULL), 403);
	ck_assert_int_eq(status_of(&tom, "GET", "/cases/tess-draft/diff", NULL), 403);
	ck_assert_int_eq(status_of(&tom, "GET", "/cases/tess-draft/edit", NULL), 403);
	ck_assert_int_eq(status_of(&tom, "POST", "/cases/tess-draft/edit",
				   "title=Mine+now&account=north&sessions=s1&situation=a&actions=b&"
				   "outcome=c&step=submit"),
			 403);
	ck_assert_int_eq(status_of(&tom, "POST", "/cases/tess-draft/withdraw", "reason=x"), 403);
	/* his own case's diff, asked at the commit of hers: only his file */
	{
		char *head = cbt_sh(NULL, "sqlite3 -cmd '.timeout 10000' '%s/casebook.db' \"SELECT head "
					  "FROM case_study WHERE slug = 'tess-draft'\"",
				    cbs_ws), path[200];
		cbs_resp r;

		head[strcspn(head, "\n")] = '\0';
		ck_assert_int_eq(strlen(head), 40);
		snprintf(path, sizeof(path), "/cases/tom-pump/diff?to=%s", head);
		cbs_get(&tom, path, &r);
		ck_assert_msg(r.status < 500, "%s: HTTP %ld", path, r.status);
		ck_assert_msg(!strstr(r.body, "Only hers") && !strstr(r.body, "Tess secret draft"),
			      "tom reads tess's case through his diff: %.2000s", r.body);
		cbs_resp_free(&r);
		free(head);
	}
	/* a case submitted with another technician's name is his own */
	ck_assert_int_eq(status_of(&tom, "POST", "/cases/new",
				   "title=Forged+author&technician=tess&account=north&sessions=s1&"
				   "situation=a&actions=b&outcome=c&step=submit"),
			 303);
	{
		char *tech = cbt_sh(NULL, "sqlite3 -cmd '.timeout 10000' '%s/casebook.db' \"SELECT "
					  "technician FROM case_study WHERE title = 'Forged author'\"",
				    cbs_ws);

		ck_assert_msg(!strcmp(tech, "tom\n"), "the case's technician: %s", tech);
		free(tech);
	}
	after = cbt_db_dump(cbs_ws);
	ck_assert_msg(!strstr(after, "Mine now"), "tom changed tess's case");
	free(after);
	body = body_of(&tom, "/cases");
	ck_assert_msg(!strstr(body, "Tess secret draft"), "tom's list shows tess's draft");
	ck_assert(strstr(body, "Tom and the pump") != NULL);
	ck_assert(strstr(body, "published case") != NULL);
	free(body);
	/* and the other way round; the published case is everyone's */
	ck_assert_int_eq(status_of(&tess, "GET", "/cases/tom-pump", NULL), 403);
	ck_assert_int_eq(status_of(&tess, "GET", "/cases/tess-draft", NULL), 200);
	ck_assert_int_eq(status_of(&tess, "GET", "/cases/tom-pub", NULL), 200);
	/* a technician sees the sessions they attended only */
	ck_assert_int_eq(status_of(&tom, "GET", "/sessions/s2", NULL), 403);
	body = body_of(&tom, "/sessions");
	ck_assert_msg(!strstr(body, "Cohort two"), "tom sees a session he did not attend");
	ck_assert(strstr(body, "Cohort three") != NULL);
	free(body);
	after = case_status("tess-draft");
	ck_assert_str_eq(after, "submitted");
	free(after), free(before);
}
END_TEST

START_TEST(trainer_and_objects)
{
	cbs_client tina = as("tina"), trent = as("trent"), tara = as("tara");
	char *body, *st;

	/* trent may see tina's session, not edit its class */
	body = body_of(&trent, "/sessions/s1");
	ck_assert_msg(!strstr(body, "/sessions/s1/attendance"), "trent is offered s1's class form");
	free(body);
	ck_assert_int_eq(status_of(&trent, "POST", "/sessions/s1/attendance",
				   "tom.status=absent&tess.status=absent"),
			 403);
	body = body_of(&tina, "/sessions/s1");
	ck_assert_msg(strstr(body, "/sessions/s1/attendance") != NULL, "tina has no class form");
	free(body);
	/* a trainer reviews only the cases citing their sessions */
	ck_assert_int_eq(status_of(&trent, "POST", "/cases/tom-pump/review", "decision=approve"), 403);
	ck_assert_int_eq(status_of(&tina, "GET", "/cases/tess-draft", NULL), 403);
	ck_assert_int_eq(status_of(&tina, "POST", "/cases/tess-draft/review", "decision=reject"), 403);
	st = case_status("tess-draft");
	ck_assert_str_eq(st, "submitted");
	free(st);
	/* tara trains s3 and wrote tara-own citing it: not hers to review */
	ck_assert_int_eq(status_of(&tara, "GET", "/cases/tara-own", NULL), 200);
	ck_assert_int_eq(status_of(&tara, "POST", "/cases/tara-own/review", "decision=approve"), 403);
	ck_assert_int_eq(status_of(&tara, "POST", "/cases/tara-own/publish", ""), 403);
	st = case_status("tara-own");
	ck_assert_str_eq(st, "submitted");
	free(st);
	/* a trainer records sessions as themself: the form's trainer field,
	 * if forged, is not read */
	ck_assert_int_eq(status_of(&trent, "POST", "/sessions/new",
				   "program=tco&title=Forged&format=virtual&starts_on=2025-06-02&"
				   "trainer=tina"),
			 303);
	body = cbt_sh(NULL, "sqlite3 -cmd '.timeout 10000' '%s/casebook.db' \"SELECT p.key FROM session s JOIN person p ON "
			    "p.id = s.trainer_id WHERE s.title = 'Forged'\"",
		      cbs_ws);
	ck_assert_msg(!strncmp(body, "trent", 5), "the session's trainer is %s", body);
	free(body);
	/* tina reviews tom's case for real: allowed, committed in her name */
	ck_assert_int_eq(status_of(&tina, "POST", "/cases/tom-pump/review",
				   "decision=changes&comment=More+numbers"),
			 303);
	body = cbt_sh(NULL, "git -C '%s/cases' log -1 --format=%%an", cbs_ws);
	ck_assert_msg(strstr(body, "Tina") != NULL, "the review's author: %s", body);
	free(body);
	st = case_status("tom-pump");
	ck_assert_str_eq(st, "changes-requested");
	free(st);
}
END_TEST

START_TEST(api_token_has_its_person_rights)
{
	cbs_client c;
	cbs_resp r;
	char *tom = cbs_api_token(cbs_ws, "tom", "objects"), *tess = cbs_api_token(cbs_ws, "tess", "objects"),
	     *mia = cbs_api_token(cbs_ws, "mia", "objects"), *ada = cbs_api_token(cbs_ws, "ada", "objects");

	cbs_client_init(&c, &cbs_srv);
	c.bearer = tom;
	cbs_get(&c, "/api/v1/cases", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(strstr(r.body, "tom-pump") && strstr(r.body, "tom-pub") &&
			      !strstr(r.body, "tess-draft") && !strstr(r.body, "tara-own"),
		      "tom's token lists: %s", r.body);
	cbs_resp_free(&r);
	cbs_get(&c, "/api/v1/sessions", &r);
	ck_assert_msg(strstr(r.body, "\"s1\"") && strstr(r.body, "\"s3\"") && !strstr(r.body, "\"s2\""),
		      "tom's token lists sessions: %s", r.body);
	cbs_resp_free(&r);
	c.bearer = tess;
	cbs_get(&c, "/api/v1/cases", &r);
	ck_assert_msg(strstr(r.body, "tess-draft") && strstr(r.body, "tom-pub") &&
			      !strstr(r.body, "tom-pump"),
		      "tess's token lists: %s", r.body);
	cbs_resp_free(&r);
	cbs_get(&c, "/api/v1/impact?program=tco", &r);
	ck_assert_int_eq(r.status, 403);
	cbs_resp_free(&r);
	c.bearer = ada;
	cbs_get(&c, "/api/v1/cases", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(!strstr(r.body, "tom-"), "an admin's token reads case studies: %s", r.body);
	cbs_resp_free(&r);
	c.bearer = mia;
	cbs_get(&c, "/api/v1/cases", &r);
	ck_assert_msg(strstr(r.body, "tom-pump") && strstr(r.body, "tess-draft"),
		      "mia's token lists: %s", r.body);
	cbs_resp_free(&r);
	cbs_get(&c, "/api/v1/impact?program=tco", &r);
	ck_assert_int_eq(r.status, 200);
	cbs_resp_free(&r);
	free(tom), free(tess), free(mia), free(ada);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("serve_rights");
	TCase *tc = tcase_create("rights");

	tcase_add_unchecked_fixture(tc, cbs_suite_setup, cbs_suite_teardown);
	tcase_add_checked_fixture(tc, cbs_test_start, cbs_test_stop);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, table_covers_every_route);
	tcase_add_test(tc, every_route_every_role);
	tcase_add_test(tc, technician_and_another_draft);
	tcase_add_test(tc, trainer_and_objects);
	tcase_add_test(tc, api_token_has_its_person_rights);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cbt_main(suite());
}
