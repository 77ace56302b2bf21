/* The rights table (app/rights.h): its every cell as written down here, so
 * that a change to who may do what fails a test and is made on purpose;
 * every role × action against objects that do and do not satisfy each
 * rule; several roles; the administrator; the refusal's words. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/rights.h"
#include "base/error.h"
#include "store/person.h"
#include "testlib.h"

/* The table, one letter per role (technician, trainer, consultant,
 * manager, admin): N never, Y always, A the case's author, T the
 * session's trainer, E an attendee, C a case citing a session the actor
 * trains (not their own), X a case not their own, S their own. */
static const struct {
	int action;
	const char *key;
	const char *rules;
} expected[] = {
	{CB_ACT_CASE_WRITE_OWN, "case.write", "ANNNN"},
	{CB_ACT_CASE_REVIEW, "case.review", "NCXNN"},
	{CB_ACT_CASE_READ_PUBLISHED, "case.read-published", "YYYYN"},
	{CB_ACT_CASE_READ_ANY, "case.read", "ACYYN"},
	{CB_ACT_SESSION_RECORD, "session.record", "NTNNN"},
	{CB_ACT_SESSION_EDIT, "session.edit", "NTNNN"},
	{CB_ACT_ATTENDANCE_EDIT, "attendance.edit", "NTNNN"},
	{CB_ACT_SCORES_EDIT, "scores.edit", "NTNNN"},
	{CB_ACT_SESSION_READ, "session.read", "EYYYN"},
	{CB_ACT_PROGRAM_EDIT, "program.edit", "NYNNY"},
	{CB_ACT_DIRECTORY_READ, "directory.read", "YYYYY"},
	{CB_ACT_REPORT_READ, "report.read", "NNNYN"},
	{CB_ACT_IMPACT_READ, "impact.read", "NNNYN"},
	{CB_ACT_PLUGIN_READ, "plugin.read", "NNYYN"},
	{CB_ACT_KPI_READ, "kpi.read", "NNYYN"},
	{CB_ACT_OUTCOME_SET, "outcome.set", "NNNYN"},
	{CB_ACT_KPI_VALUE_SET, "kpi-value.set", "NNNYN"},
	{CB_ACT_PERSON_ADMIN, "person.admin", "NNNNY"},
	{CB_ACT_ACCOUNT_ADMIN, "account.admin", "NNNNY"},
	{CB_ACT_COVERAGE_ADMIN, "coverage.admin", "NNNNY"},
	{CB_ACT_INVITE, "person.invite", "NNNNY"},
	{CB_ACT_TOKEN_MANAGE, "token.manage", "SSSSY"},
	{CB_ACT_DATA_IMPORT, "data.import", "NNNNY"},
	{CB_ACT_WORKSPACE_MAINTAIN, "workspace.maintain", "NNNNN"},
};

#define EXPECTED_COUNT (sizeof(expected) / sizeof(expected[0]))

static int rule_of_letter(char c)
{
	switch (c) {
	case 'Y': return CB_RULE_ALWAYS;
	case 'A': return CB_RULE_AUTHOR;
	case 'T': return CB_RULE_TRAINER;
	case 'E': return CB_RULE_ATTENDEE;
	case 'C': return CB_RULE_CITES_TRAINED;
	case 'X': return CB_RULE_NOT_AUTHOR;
	case 'S': return CB_RULE_SELF;
	default: return CB_RULE_NEVER;
	}
}

START_TEST(the_table_is_as_written_here)
{
	ck_assert_int_eq(EXPECTED_COUNT, CB_ACT_COUNT);
	for (size_t i = 0; i < EXPECTED_COUNT; i++) {
		int action = expected[i].action;

		ck_assert_str_eq(cb_rights_action_key(action), expected[i].key);
		ck_assert_ptr_nonnull(cb_rights_action_text(action));
		for (int r = 0; r < CB_ROLE_COUNT; r++) {
			unsigned role = 1u << r;

			ck_assert_msg(cb_rights_rule(role, action) == rule_of_letter(expected[i].rules[r]),
				      "%s for a %s: the table says %s, this test %c", expected[i].key,
				      cb_role_name(role), cb_rights_rule_text(cb_rights_rule(role, action)),
				      expected[i].rules[r]);
		}
	}
	/* out of range: nobody */
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_TECHNICIAN, CB_ACT_COUNT), CB_RULE_NEVER);
	ck_assert_int_eq(cb_rights_rule(3, CB_ACT_DIRECTORY_READ), CB_RULE_NEVER);
	ck_assert_ptr_null(cb_rights_action_key(-1));
}
END_TEST

/* The rows named in the issue, spelled out: if one changes, this fails
 * with the row's meaning. */
START_TEST(the_issue_rows_hold)
{
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_TECHNICIAN, CB_ACT_CASE_REVIEW), CB_RULE_NEVER);
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_TECHNICIAN, CB_ACT_CASE_WRITE_OWN), CB_RULE_AUTHOR);
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_TECHNICIAN, CB_ACT_SESSION_READ), CB_RULE_ATTENDEE);
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_TECHNICIAN, CB_ACT_CASE_READ_PUBLISHED),
			 CB_RULE_ALWAYS);
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_TRAINER, CB_ACT_CASE_REVIEW), CB_RULE_CITES_TRAINED);
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_TRAINER, CB_ACT_SCORES_EDIT), CB_RULE_TRAINER);
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_CONSULTANT, CB_ACT_CASE_REVIEW), CB_RULE_NOT_AUTHOR);
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_CONSULTANT, CB_ACT_PLUGIN_READ), CB_RULE_ALWAYS);
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_CONSULTANT, CB_ACT_KPI_READ), CB_RULE_ALWAYS);
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_MANAGER, CB_ACT_OUTCOME_SET), CB_RULE_ALWAYS);
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_MANAGER, CB_ACT_KPI_VALUE_SET), CB_RULE_ALWAYS);
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_MANAGER, CB_ACT_IMPACT_READ), CB_RULE_ALWAYS);
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_MANAGER, CB_ACT_PERSON_ADMIN), CB_RULE_NEVER);
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_ADMIN, CB_ACT_DATA_IMPORT), CB_RULE_ALWAYS);
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_ADMIN, CB_ACT_INVITE), CB_RULE_ALWAYS);
	ck_assert_int_eq(cb_rights_rule(CB_ROLE_ADMIN, CB_ACT_CASE_REVIEW), CB_RULE_NEVER);
	/* a consultant reads all a trainer reads */
	for (int action = 0; action < CB_ACT_COUNT; action++) {
		int t = cb_rights_rule(CB_ROLE_TRAINER, action);

		if (strstr(cb_rights_action_key(action), ".read") && t != CB_RULE_NEVER)
			ck_assert_msg(cb_rights_rule(CB_ROLE_CONSULTANT, action) == CB_RULE_ALWAYS,
				      "%s: a trainer reads it, a consultant does not",
				      cb_rights_action_key(action));
	}
	/* a manager reads everything there is to read */
	for (int action = 0; action < CB_ACT_COUNT; action++)
		if (strstr(cb_rights_action_key(action), ".read"))
			ck_assert_msg(cb_rights_rule(CB_ROLE_MANAGER, action) == CB_RULE_ALWAYS, "%s",
				      cb_rights_action_key(action));
}
END_TEST

/* The objects a rule is tried against: each satisfies some rules. */
enum { O_NONE, O_OTHER, O_AUTHOR, O_TRAINER, O_ATTENDED, O_CITES, O_CITES_OWN, O_OWNER, O_COUNT };

static const char *const object_names[O_COUNT] = {
	"no object", "another's", "their case", "their session", "a session attended",
	"a case citing their session", "their case citing their session", "their token"};

static cb_rights_object object(int which, const char *me)
{
	cb_rights_object o = {0};

	snprintf(o.author, sizeof(o.author), "someone");
	snprintf(o.trainer, sizeof(o.trainer), "someone");
	snprintf(o.owner, sizeof(o.owner), "someone");
	snprintf(o.what, sizeof(o.what), "thing 'x'");
	switch (which) {
	case O_AUTHOR:
		snprintf(o.author, sizeof(o.author), "%s", me);
		break;
	case O_TRAINER:
		snprintf(o.trainer, sizeof(o.trainer), "%s", me);
		break;
	case O_ATTENDED:
		o.attended = 1;
		break;
	case O_CITES:
		o.cites_trained = 1;
		break;
	case O_CITES_OWN:
		o.cites_trained = 1;
		snprintf(o.author, sizeof(o.author), "%s", me);
		break;
	case O_OWNER:
		snprintf(o.owner, sizeof(o.owner), "%s", me);
		break;
	}
	return o;
}

/* Whether `rule` should let its holder act on object `which`. */
static int should_allow(int rule, int which)
{
	switch (rule) {
	case CB_RULE_ALWAYS: return 1;
	case CB_RULE_AUTHOR: return which == O_AUTHOR || which == O_CITES_OWN;
	case CB_RULE_TRAINER: return which == O_TRAINER;
	case CB_RULE_ATTENDEE: return which == O_ATTENDED;
	case CB_RULE_CITES_TRAINED: return which == O_CITES;
	case CB_RULE_NOT_AUTHOR:
		return which != O_NONE && which != O_AUTHOR && which != O_CITES_OWN;
	case CB_RULE_SELF: return which == O_OWNER;
	default: return 0;
	}
}

START_TEST(every_role_and_action_against_every_object)
{
	size_t allowed = 0, refused = 0;

	for (int r = 0; r < CB_ROLE_COUNT; r++) {
		cb_actor a = {.person_id = 7, .roles = 1u << r};

		snprintf(a.key, sizeof(a.key), "tess");
		for (size_t i = 0; i < EXPECTED_COUNT; i++) {
			int rule = rule_of_letter(expected[i].rules[r]);

			for (int which = 0; which < O_COUNT; which++) {
				cb_rights_object o = object(which, a.key);
				const cb_rights_object *obj = which == O_NONE ? NULL : &o;
				int want = should_allow(rule, which);
				int rc;

				cb_error_clear();
				rc = cb_rights_check(&a, expected[i].action, obj);
				ck_assert_msg(rc == (want ? 0 : CB_EFORBIDDEN),
					      "%s, %s, %s: want %s, got %d (%s)", cb_role_name(a.roles),
					      expected[i].key, object_names[which],
					      want ? "allowed" : "refused", rc, cb_error_last());
				ck_assert_int_eq(cb_rights_may(&a, expected[i].action, obj), want);
				if (!want)
					ck_assert_msg(strncmp(cb_error_last(), "tess (", 6) == 0, "%s",
						      cb_error_last());
				want ? allowed++ : refused++;
			}
		}
	}
	ck_assert_uint_eq(allowed + refused, CB_ROLE_COUNT * CB_ACT_COUNT * O_COUNT);
	ck_assert_uint_gt(allowed, 0);
	ck_assert_uint_gt(refused, 0);
}
END_TEST

START_TEST(several_roles_add_up)
{
	cb_actor a = {.person_id = 3, .roles = CB_ROLE_TECHNICIAN | CB_ROLE_TRAINER};
	cb_rights_object own = object(O_CITES_OWN, "tom"), cites = object(O_CITES, "tom");

	snprintf(a.key, sizeof(a.key), "tom");
	/* the technician writes their case; the trainer may not review it */
	ck_assert_int_eq(cb_rights_check(&a, CB_ACT_CASE_WRITE_OWN, &own), 0);
	ck_assert_int_eq(cb_rights_check(&a, CB_ACT_CASE_REVIEW, &own), CB_EFORBIDDEN);
	ck_assert_str_eq(cb_error_last(),
			 "tom (technician, trainer) may not review and publish case studies (thing 'x'): "
			 "no technician may; a trainer may only for a case that cites a session they "
			 "train and that they did not write");
	ck_assert_int_eq(cb_rights_check(&a, CB_ACT_CASE_REVIEW, &cites), 0);
	/* the trainer sees every session, the technician alone only theirs */
	ck_assert_int_eq(cb_rights_check(&a, CB_ACT_SESSION_READ, NULL), 0);
	a.roles = CB_ROLE_TECHNICIAN;
	ck_assert_int_eq(cb_rights_check(&a, CB_ACT_SESSION_READ, NULL), CB_EFORBIDDEN);
}
END_TEST

START_TEST(the_administrator_passes_and_no_role_passes_nothing)
{
	cb_actor cli = cb_actor_cli(), nobody = {.person_id = 9};

	snprintf(nobody.key, sizeof(nobody.key), "ghost");
	ck_assert_int_eq(cli.is_admin, 1);
	ck_assert_str_eq(cli.key, "");
	for (int action = 0; action < CB_ACT_COUNT; action++) {
		ck_assert_int_eq(cb_rights_check(&cli, action, NULL), 0);
		ck_assert_int_eq(cb_rights_check(&nobody, action, NULL), CB_EFORBIDDEN);
	}
	ck_assert_str_eq(cb_error_last(), "ghost (no role) may not check, reindex and sync the "
					  "workspace (command line only): they hold no role");
	ck_assert_int_eq(cb_rights_check(&cli, CB_ACT_COUNT, NULL), CB_EFORBIDDEN);
	ck_assert_int_eq(cb_rights_check(NULL, CB_ACT_DIRECTORY_READ, NULL), CB_EFORBIDDEN);
}
END_TEST

START_TEST(a_refusal_names_who_what_and_the_rule)
{
	cb_actor tess = {.person_id = 1, .roles = CB_ROLE_TECHNICIAN},
		 mo = {.person_id = 2, .roles = CB_ROLE_ADMIN};
	cb_rights_object o = object(O_OTHER, "tess");

	snprintf(tess.key, sizeof(tess.key), "tess");
	snprintf(mo.key, sizeof(mo.key), "mo");
	snprintf(o.what, sizeof(o.what), "case 'nordmill-uptime'");
	ck_assert_int_eq(cb_rights_check(&tess, CB_ACT_CASE_REVIEW, &o), CB_EFORBIDDEN);
	ck_assert_str_eq(cb_error_last(), "tess (technician) may not review and publish case studies "
					  "(case 'nordmill-uptime'): no technician may");
	ck_assert_int_eq(cb_rights_check(&tess, CB_ACT_CASE_WRITE_OWN, &o), CB_EFORBIDDEN);
	ck_assert_str_eq(cb_error_last(), "tess (technician) may not submit, revise and withdraw case "
					  "studies (case 'nordmill-uptime'): a technician may only for "
					  "a case they wrote");
	ck_assert_int_eq(cb_rights_check(&mo, CB_ACT_TOKEN_MANAGE, &o), 0);
	ck_assert_int_eq(cb_rights_check(&mo, CB_ACT_OUTCOME_SET, NULL), CB_EFORBIDDEN);
	ck_assert_str_eq(cb_error_last(), "mo (admin) may not set outcome agreements: no admin may");
}
END_TEST

static int count_cells(int action, unsigned role, int rule, void *ctx)
{
	ck_assert_int_eq(rule, cb_rights_rule(role, action));
	ck_assert_ptr_nonnull(cb_rights_rule_text(rule));
	(*(int *)ctx)++;
	return 0;
}

START_TEST(table_each_walks_every_cell)
{
	int n = 0;

	ck_assert_int_eq(cb_rights_table_each(count_cells, &n), 0);
	ck_assert_int_eq(n, CB_ACT_COUNT * CB_ROLE_COUNT);
}
END_TEST

/* README's rights table, as the code's table renders it: the header and
 * one row per action, each cell the rule's words. */
static int table_row(int action, unsigned role, int rule, void *ctx)
{
	char *b = ctx;
	size_t n = strlen(b);

	if (role == 1)
		n += (size_t)snprintf(b + n, 16384 - n, "| `%s` | %s |", cb_rights_action_key(action),
				      cb_rights_action_text(action));
	n += (size_t)snprintf(b + n, 16384 - n, " %s |", cb_rights_rule_text(rule));
	if (role == CB_ROLE_LAST)
		snprintf(b + n, 16384 - n, "\n");
	return 0;
}

START_TEST(readme_holds_the_table)
{
	char *want = calloc(1, 16384), *readme, path[4096];
	FILE *f;
	long len;

	snprintf(want, 16384, "| action | what | technician | trainer | consultant | manager | admin |\n"
			      "| --- | --- | --- | --- | --- | --- | --- |\n");
	ck_assert_int_eq(cb_rights_table_each(table_row, want), 0);
	snprintf(path, sizeof(path), "%s/README.md", CASEBOOK_SOURCE_DIR);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	readme = calloc(1, (size_t)len + 1);
	ck_assert_uint_eq(fread(readme, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	ck_assert_msg(strstr(readme, want), "README.md does not hold the rights table as the code has "
					    "it; put this in its place:\n%s", want);
	free(readme);
	free(want);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/rights");
	TCase *tc = tcase_create("rights");

	tcase_add_test(tc, the_table_is_as_written_here);
	tcase_add_test(tc, the_issue_rows_hold);
	tcase_add_test(tc, every_role_and_action_against_every_object);
	tcase_add_test(tc, several_roles_add_up);
	tcase_add_test(tc, the_administrator_passes_and_no_role_passes_nothing);
	tcase_add_test(tc, a_refusal_names_who_what_and_the_rule);
	tcase_add_test(tc, table_each_walks_every_cell);
	tcase_add_test(tc, readme_holds_the_table);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
