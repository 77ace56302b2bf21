/* Every number a user types is a decimal within what the arithmetic after
 * it can hold (base/text.h, CB_NUMBER_MAX): hexadecimal, infinities and
 * numbers past the bound are refused with the field's name, change
 * nothing, and the largest numbers taken still give valid JSON. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static char *ws;

static void setup(void)
{
	cbt_run r;

	ws = cbt_workspace();
	cbt_casebook(&r, ws, NULL, "program", "add", "tco", "--name", "TCO", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "account", "add", "acme", "--name", "Acme", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "person", "add", "ana", "--name", "Ana", "--role", "trainer",
		     NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

/* casebook ARGS... (NULL-terminated) must exit 1 with `message`, leaving
 * the database as it was. */
static void refused(const char *message, ...)
{
	const char *a[24];
	char *before = cbt_db_dump(ws), *after;
	cbt_run r;
	va_list ap;
	size_t n = 0;

	va_start(ap, message);
	while (n < 23 && (a[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	a[n] = NULL;
	cbt_casebookv(&r, ws, NULL, a);
	ck_assert_msg(r.status == 1, "%s %s: exit %d: %s", a[0], a[1], r.status, r.err);
	ck_assert_msg(cbt_has(r.err, message), "%s %s: want '%s' in: %s", a[0], a[1], message,
		      r.err);
	after = cbt_db_dump(ws);
	ck_assert_msg(strcmp(before, after) == 0, "%s %s changed the database", a[0], a[1]);
	cbt_run_free(&r);
	free(before);
	free(after);
}

#define RECORD "session", "record", "--program", "tco", "--title", "T", "--format", "virtual", \
	       "--start", "2025-03-03", "--end", "2025-03-03", "--currency", "EUR", "--trainer", "ana"

START_TEST(costs_are_decimal_and_bounded)
{
	refused("--cost: '0x10' is not a number (write a decimal such as 12, -3.5 or 1e3)", RECORD,
		"--cost", "0x10", NULL);
	refused("--cost: '0X1p4' is not a number", RECORD, "--cost", "0X1p4", NULL);
	refused("--cost: 'infinity' is not a number", RECORD, "--cost", "infinity", NULL);
	refused("--cost: ' 5' is not a number", RECORD, "--cost", " 5", NULL);
	refused("--cost: '1e' is not a number", RECORD, "--cost", "1e", NULL);
	refused("--cost: 1e308 is out of range (0 to 1e15)", RECORD, "--cost", "1e308", NULL);
	refused("--cost: 1000000000000001 is out of range", RECORD, "--cost", "1000000000000001",
		NULL);
	refused("--cost: -1 is negative", RECORD, "--cost", "-1", NULL);
	/* in a CSV of sessions, with its line */
	{
		char *csv = cbt_write(ws, "s.csv",
				      "program,title,format,start,end,cost,currency,trainer\n"
				      "tco,A,virtual,2025-03-03,2025-03-03,100,EUR,ana\n"
				      "tco,B,virtual,2025-03-04,2025-03-04,0x10,EUR,ana\n");

		refused("s.csv:3: cost: '0x10' is not a number", "session", "import", csv, NULL);
		free(csv);
	}
}
END_TEST

/* The largest costs taken, summed over two sessions, still give numbers
 * in impact --json, and the report carries its data. */
START_TEST(the_largest_costs_give_valid_json)
{
	cbt_run r;
	json_t *v;
	char report[4096];

	for (int i = 0; i < 2; i++) {
		cbt_casebook(&r, ws, NULL, RECORD, "--cost", "1e15", "--key", i ? "s2" : "s1",
			     "--account", "acme", NULL);
		ck_assert_msg(r.status == 0, "%s", r.err);
		cbt_run_free(&r);
	}
	cbt_casebook(&r, ws, NULL, "impact", "--program", "tco", "--json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	v = json_loads(r.out, 0, NULL);
	ck_assert_msg(v != NULL, "not JSON: %.300s", r.out);
	ck_assert(json_real_value(json_object_get(json_object_get(v, "cost"), "amount")) == 2e15);
	json_decref(v);
	cbt_run_free(&r);
	snprintf(report, sizeof(report), "%s/r.html", ws);
	cbt_casebook(&r, ws, NULL, "report", "--program", "tco", "--out", report, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
	{
		char *html = cbt_sh(NULL, "grep -c 'id=\"casebook-data\">{' '%s'", report);

		ck_assert_str_eq(html, "1\n");
		free(html);
	}
}
END_TEST

START_TEST(targets_money_values_and_claims_are_bounded)
{
	refused("--target: 1e300 is out of range (-1e15 to 1e15)", "outcome", "set", "acme", "nps",
		"--target", "1e300", "--minimum", "0", "--from", "2025-01-01", "--to", "2025-12-31",
		NULL);
	refused("--minimum: '0x10' is not a number", "outcome", "set", "acme", "nps", "--target",
		"5", "--minimum", "0x10", "--from", "2025-01-01", "--to", "2025-12-31", NULL);
	refused("--per-unit: '0x10' is not a number", "kpi", "value", "nps", "--per-unit", "0x10",
		"--currency", "EUR", NULL);
	refused("--per-unit: 2e15 is out of range", "kpi", "value", "nps", "--per-unit", "2e15",
		"--currency", "EUR", NULL);
	{
		char *csv = cbt_write(ws, "o.csv",
				      "account,measure,at,value\n"
				      "acme,survey.recommend,2025-01-01,9\n"
				      "acme,survey.recommend,2025-01-02,-1e16\n");

		refused("o.csv:3: value -1e16 is beyond the 1e15 Casebook takes either way", "data",
			"import", csv, NULL);
		free(csv);
	}
	{
		cbt_run r;
		char *doc;

		cbt_casebook(&r, ws, NULL, "person", "add", "jo", "--name", "Jo", "--role",
			     "technician", NULL);
		ck_assert_int_eq(r.status, 0);
		cbt_run_free(&r);
		doc = cbt_write(ws, "c.md",
				"---\ntitle: Big numbers\ntechnician: jo\naccount: acme\n"
				"claims:\n  - kpi: nps\n    before: 1e308\n    after: -1e308\n"
				"    period: 2025-01-01..2025-03-31\n---\n\n## Situation\n\nS.\n"
				"\n## Actions\n\nA.\n\n## Outcome\n\nO.\n");
		refused("c.md:7: claim 'before': 1e308 is out of range for a claim (at most 1e15 "
			"either way)",
			"case", "submit", doc, "--allow-uncovered", NULL);
		free(doc);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("numbers");
	TCase *tc = tcase_create("numbers");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, costs_are_decimal_and_bounded);
	tcase_add_test(tc, the_largest_costs_give_valid_json);
	tcase_add_test(tc, targets_money_values_and_claims_are_bounded);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
