/* The rights at work: the use cases that write ask the rights table for
 * the workspace's actor (app/rights.h). Each is called in this process on
 * a real workspace as a signed-in person would have the server call it:
 * what the table allows goes through, what it refuses is CB_EFORBIDDEN
 * and leaves the database as it was; the command line (the
 * administrator) does everything; `case review` still needs a reviewer
 * who satisfies the reviewer rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/account.h"
#include "app/case.h"
#include "app/coverage.h"
#include "app/data.h"
#include "app/impact.h"
#include "app/outcome.h"
#include "app/person.h"
#include "app/program.h"
#include "app/rights.h"
#include "app/session.h"
#include "app/workspace.h"
#include "base/error.h"
#include "testlib.h"

static char *dir;
static cb_workspace *w;

static void ok_args(const char *const *a)
{
	cbt_run r;

	cbt_casebook(&r, dir, NULL, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
		     a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], NULL);
	ck_assert_msg(r.status == 0, "%s %s: %s", a[0], a[1], r.err);
	cbt_run_free(&r);
}

#define OK(...) ok_args((const char *const[19]){__VA_ARGS__})

static void setup(void)
{
	dir = cbt_workspace();
	OK("person", "add", "tess", "--name", "Tess Tech", "--role", "technician", NULL);
	OK("person", "add", "lee", "--name", "Lee Tech", "--role", "technician", NULL);
	OK("person", "add", "tom", "--name", "Tom Trainer", "--role", "trainer", NULL);
	OK("person", "add", "ana", "--name", "Ana Trainer", "--role", "trainer", NULL);
	OK("person", "add", "cora", "--name", "Cora Consultant", "--role", "consultant", NULL);
	OK("person", "add", "mia", "--name", "Mia Manager", "--role", "manager", NULL);
	OK("person", "add", "adam", "--name", "Adam Admin", "--role", "admin", NULL);
	OK("account", "add", "nordmill", "--name", "Nordmill", NULL);
	OK("program", "add", "tco", "--name", "Total Customer Orientation", NULL);
	OK("session", "record", "--program", "tco", "--title", "Spring", "--format", "blended",
	   "--start", "2025-02-10", "--end", "2025-02-11", "--trainer", "tom", "--attendee", "tess");
	OK("session", "record", "--program", "tco", "--title", "Autumn", "--format", "virtual",
	   "--start", "2025-09-10", "--end", "2025-09-10", "--trainer", "ana", NULL, NULL);
	OK("cover", "tess", "nordmill", "--from", "2024-01-01", NULL);
	ck_assert_int_eq(cb_workspace_open(dir, 0, &w), 0);
}

static void teardown(void)
{
	cb_workspace_close(w);
	cbt_rmrf(dir);
	free(dir);
}

/* Acts as person `key` from now on. */
static void act_as(const char *key)
{
	cb_person p;
	cb_actor a = {0};

	ck_assert_int_eq(cb_store_person_get(w->store, key, &p), 0);
	a.person_id = p.id;
	snprintf(a.key, sizeof(a.key), "%s", p.key);
	a.roles = p.roles;
	cb_person_clear(&p);
	cb_workspace_set_actor(w, &a);
}

static void act_as_cli(void)
{
	cb_actor a = cb_actor_cli();

	cb_workspace_set_actor(w, &a);
}

static char *before;

static void expect_refusal_begin(void)
{
	before = cbt_db_dump(dir);
}

/* rc must be CB_EFORBIDDEN with `message` in it, the database unchanged. */
static void expect_refused(int rc, const char *message)
{
	char *after = cbt_db_dump(dir);

	ck_assert_msg(rc == CB_EFORBIDDEN, "want CB_EFORBIDDEN, got %d: %s", rc, cb_error_last());
	ck_assert_msg(strstr(cb_error_last(), message), "want '%s' in: %s", message,
		      cb_error_last());
	ck_assert_msg(strcmp(before, after) == 0, "the database changed: %s", message);
	free(before);
	free(after);
}

#define REFUSED(call, message)                                                                \
	do {                                                                                  \
		expect_refusal_begin();                                                       \
		expect_refused((call), message);                                              \
	} while (0)

#define ALLOWED(call) ck_assert_msg((call) == 0, "%s: %s", #call, cb_error_last())

START_TEST(sessions_are_their_trainers)
{
	cb_session_spec spec = {.program = "tco", .title = "Winter", .format = "in-person",
				.starts_on = "2025-12-01", .ends_on = "2025-12-01"};
	cb_session_changes ch = {0};
	cb_attendance att = {0};
	const char *lee[] = {"lee"};
	char *key = NULL;

	act_as("tess");
	spec.trainer = "tom";
	REFUSED(cb_app_session_record(w, &spec, &key),
		"tess (technician) may not record sessions: no technician may");
	act_as("ana");
	REFUSED(cb_app_session_record(w, &spec, &key),
		"ana (trainer) may not record sessions: a trainer may only for a session they train");
	act_as("tom");
	ALLOWED(cb_app_session_record(w, &spec, &key));
	ck_assert_str_eq(key, "tco-2025-12-01");
	free(key);

	/* edits, attendance and scores of one's own session only */
	ch.title = "Winter, moved";
	ALLOWED(cb_app_session_edit(w, "tco-2025-12-01", &ch));
	act_as("ana");
	REFUSED(cb_app_session_edit(w, "tco-2025-12-01", &ch), "session 'tco-2025-12-01'");
	REFUSED(cb_app_session_cancel(w, "tco-2025-12-01", NULL), "may not edit and cancel sessions");
	REFUSED(cb_app_session_attend(w, "tco-2025-12-01", "lee", &att, NULL),
		"ana (trainer) may not record attendance (session 'tco-2025-12-01')");
	act_as("tom");
	/* a trainer does not hand a session on */
	ch = (cb_session_changes){.trainer = "ana"};
	REFUSED(cb_app_session_edit(w, "tco-2025-12-01", &ch), "tom (trainer) may not edit");
	ch = (cb_session_changes){.add_attendees = lee, .add_attendee_count = 1};
	ALLOWED(cb_app_session_edit(w, "tco-2025-12-01", &ch));
	att.has_reaction = 1;
	att.reaction = 5;
	ALLOWED(cb_app_session_attend(w, "tco-2025-12-01", "lee", &att, NULL));
	act_as("cora");
	REFUSED(cb_app_session_attend(w, "tco-2025-12-01", "lee", &att, NULL),
		"cora (consultant) may not record attendance");
	act_as("tess");
	REFUSED(cb_app_session_attend(w, "tco-2025-02-10", "tess", &att, NULL),
		"no technician may");
	/* the command line does it all */
	act_as_cli();
	ALLOWED(cb_app_session_cancel(w, "tco-2025-12-01", "snow"));
}
END_TEST

START_TEST(records_are_the_admins)
{
	cb_person p = {.key = "newbie", .name = "New Bie", .roles = CB_ROLE_TECHNICIAN},
		  ch = {.name = "Tess T."};
	cb_account acct = {.key = "acme", .name = "Acme"};
	cb_program prog = {.key = "safety", .name = "Safety"};
	char from[11];

	act_as("mia");
	REFUSED(cb_app_person_add(w, &p), "mia (manager) may not add and edit people and their roles");
	REFUSED(cb_app_person_edit(w, "tess", &ch, CB_ROLE_ADMIN, 0), "no manager may");
	REFUSED(cb_app_account_add(w, &acct), "may not add and edit customer accounts");
	REFUSED(cb_app_coverage_add(w, "tess", "nordmill", "2025-01-01", NULL),
		"may not record who covers which account");
	REFUSED(cb_app_coverage_end(w, "tess", "nordmill", "2025-06-30", from),
		"may not record who covers which account");
	act_as("tess");
	/* nobody edits themselves into a role */
	REFUSED(cb_app_person_edit(w, "tess", &ch, CB_ROLE_ADMIN, 0), "no technician may");
	REFUSED(cb_app_program_add(w, &prog), "tess (technician) may not add training programs");
	act_as("adam");
	ALLOWED(cb_app_person_add(w, &p));
	ALLOWED(cb_app_person_edit(w, "newbie", &ch, CB_ROLE_TRAINER, 0));
	ALLOWED(cb_app_account_add(w, &acct));
	ALLOWED(cb_app_coverage_add(w, "newbie", "acme", "2025-01-01", NULL));
	ALLOWED(cb_app_coverage_end(w, "newbie", "acme", "2025-06-30", from));
	ALLOWED(cb_app_program_add(w, &prog));
	/* the admin role is not the command line: workspace upkeep is not theirs */
	{
		cb_case_reindex_result res;

		REFUSED(cb_app_case_reindex(w, NULL, &res),
			"adam (admin) may not check, reindex and sync the workspace (command line "
			"only): no admin may");
		act_as_cli();
		ALLOWED(cb_app_case_reindex(w, NULL, &res));
	}
}
END_TEST

START_TEST(money_targets_and_data)
{
	cb_data_import_options o = {0};
	cb_data_import_result res;
	char *csv = cbt_write(dir, "obs.csv",
			      "account,measure,at,value\nnordmill,survey.recommend,2025-01-05,9\n");

	act_as("cora");
	REFUSED(cb_app_outcome_set(w, "nordmill", "nps", 40, 20, "2025-01-01", "2025-12-31"),
		"cora (consultant) may not set outcome agreements: no consultant may");
	REFUSED(cb_app_kpi_value_set(w, "nps", 1000, "EUR", "level"),
		"cora (consultant) may not set KPI money values");
	act_as("mia");
	ALLOWED(cb_app_outcome_set(w, "nordmill", "nps", 40, 20, "2025-01-01", "2025-12-31"));
	ALLOWED(cb_app_kpi_value_set(w, "nps", 1000, "EUR", "level"));
	REFUSED(cb_app_data_import(w, csv, &o, &res),
		"mia (manager) may not import and drop KPI data: no manager may");
	act_as("adam");
	ALLOWED(cb_app_data_import(w, csv, &o, &res));
	ck_assert_int_eq(res.rows, 1);
	free(csv);
}
END_TEST

static const char case_body[] = "\n## Situation\n\nThe plant lost orders after two stoppages.\n"
				"\n## Actions\n\nI asked what the plant manager is measured on.\n"
				"\n## Outcome\n\nThe lost customer came back.\n";

/* A case by `technician` citing `session`. */
static char *case_doc(const char *title, const char *technician, const char *session)
{
	char *text = malloc(8192);

	ck_assert_ptr_nonnull(text);
	snprintf(text, 8192,
		 "---\ntitle: %s\ntechnician: %s\naccount: nordmill\nsessions:\n  - %s\n"
		 "principles:\n  - Listen first\n---\n%s",
		 title, technician, session, case_body);
	return text;
}

START_TEST(cases_are_their_authors_and_reviewers)
{
	char *mine = case_doc("Uptime at Nordmill", "tess", "tco-2025-02-10"),
	     *other = case_doc("Someone else's", "lee", "tco-2025-02-10");
	cb_case_decision d = {.decision = "changes", .comment = "Which KPI?"};
	cb_case_written out;

	/* a technician writes their own case, not another's */
	act_as("tess");
	REFUSED(cb_app_case_submit(w, "other.md", other, strlen(other), NULL, NULL, 1, &out),
		"tess (technician) may not submit, revise and withdraw case studies (case "
		"'someone-else-s'): a technician may only for a case they wrote");
	ALLOWED(cb_app_case_submit(w, "mine.md", mine, strlen(mine), NULL, NULL, 0, &out));
	ck_assert_str_eq(out.slug, "uptime-at-nordmill");
	/* the author never reviews; a technician never does */
	d.reviewer = NULL;
	REFUSED(cb_app_case_review(w, "uptime-at-nordmill", &d, &out),
		"tess (technician) may not review and publish case studies (case "
		"'uptime-at-nordmill'): no technician may");
	/* a trainer reviews a case citing their session; another trainer does not */
	act_as("ana");
	REFUSED(cb_app_case_review(w, "uptime-at-nordmill", &d, &out),
		"ana (trainer) may not review and publish case studies (case 'uptime-at-nordmill'): "
		"a trainer may only for a case that cites a session they train");
	/* and nobody reviews in another's name */
	act_as("cora");
	d.reviewer = "tom";
	REFUSED(cb_app_case_review(w, "uptime-at-nordmill", &d, &out),
		"cora may not act as the reviewer 'tom': only as themselves");
	act_as("tom");
	d.reviewer = NULL; /* themselves */
	ALLOWED(cb_app_case_review(w, "uptime-at-nordmill", &d, &out));
	ck_assert_str_eq(out.status, "changes-requested");
	/* revising and withdrawing: the author's */
	REFUSED(cb_app_case_revise(w, "uptime-at-nordmill", "mine.md", mine, strlen(mine), NULL, 0,
				   &out),
		"no trainer may");
	act_as("tess");
	strcpy(strstr(mine, "came back."), "came back twice.\n");
	ALLOWED(cb_app_case_revise(w, "uptime-at-nordmill", "mine.md", mine, strlen(mine), NULL, 0,
				   &out));
	REFUSED(cb_app_case_withdraw(w, "uptime-at-nordmill", "lee", NULL, &out),
		"tess may not act as the technician 'lee'");
	act_as("lee");
	REFUSED(cb_app_case_withdraw(w, "uptime-at-nordmill", NULL, NULL, &out),
		"lee (technician) may not submit, revise and withdraw case studies");
	/* a consultant reviews any case; the reviewer rules hold too */
	act_as("cora");
	d.decision = "reject";
	d.comment = "Not about the training";
	ALLOWED(cb_app_case_review(w, "uptime-at-nordmill", &d, &out));
	ck_assert_str_eq(out.status, "rejected");
	/* the command line names any reviewer, who must still satisfy the
	 * reviewer rules (here: the author reviewing their own case) */
	act_as_cli();
	free(mine);
	mine = case_doc("Second story", "tess", "tco-2025-02-10");
	ALLOWED(cb_app_case_submit(w, "second.md", mine, strlen(mine), NULL, NULL, 0, &out));
	d = (cb_case_decision){.reviewer = "tess", .decision = "changes", .comment = "x"};
	ck_assert_int_eq(cb_app_case_review(w, "second-story", &d, &out), CB_EINVALID);
	d.reviewer = "ana"; /* trains none of its sessions */
	ck_assert_int_eq(cb_app_case_review(w, "second-story", &d, &out), CB_EINVALID);
	d.reviewer = "tom";
	ALLOWED(cb_app_case_review(w, "second-story", &d, &out));
	free(mine);
	free(other);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/rights_use");
	TCase *tc = tcase_create("rights_use");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, sessions_are_their_trainers);
	tcase_add_test(tc, records_are_the_admins);
	tcase_add_test(tc, money_targets_and_data);
	tcase_add_test(tc, cases_are_their_authors_and_reviewers);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
