/* The report through view/report.h: for a session, a program in two
 * formats and an account, in HTML and in Markdown, cb_view_report_render
 * gives the very bytes `casebook report` writes (the CLI is argv, the app
 * and this renderer); it appends to what the buffer holds; and the view's
 * sources read nothing (no database, repository, plugin or file). */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/report.h"
#include "app/workspace.h"
#include "base/date.h"
#include "testlib.h"
#include "view/report.h"

static char *ws;

static const char plugin[] =
	"casebook.api(1)\n"
	"casebook.measure { key = 'v.score', unit = 'points', min = 0, max = 100, doc = 'a score' "
	"}\n"
	"casebook.kpi { key = 'v_mean', name = 'Mean <score> & \"more\"', unit = 'points',\n"
	"  better = 'higher', inputs = { 'v.score' }, doc = 'mean', compute = function(w)\n"
	"    local s = w['v.score']; if #s == 0 then return nil, 'none' end; return s:mean() end "
	"}\n";

static void run_ok(const char *const *a)
{
	cbt_run r;

	cbt_casebook(&r, ws, NULL, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
		     a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20],
		     a[21], a[22], NULL);
	ck_assert_msg(r.status == 0, "%s %s: %s", a[0], a[1], r.err);
	cbt_run_free(&r);
}

#define ok(...) run_ok((const char *const[24]){__VA_ARGS__})

/* 24 accounts: v1..v6 trained in person, v7..v12 virtually (scores up by
 * 6 after training), v13..v24 never (up by 1); an outcome agreement. */
static void setup(void)
{
	char path[4096], *p;
	FILE *f;

	ws = cbt_workspace();
	p = cbt_write(ws, "plugins/v.lua", plugin);
	free(p);
	ok("person", "add", "ana", "--name", "Ana", "--role", "trainer");
	ok("person", "add", "bo", "--name", "Bo", "--role", "trainer");
	ok("program", "add", "tco", "--name", "Total Customer Orientation");
	snprintf(path, sizeof(path), "%s/accounts.csv", ws);
	f = fopen(path, "w");
	fprintf(f, "key,name\n");
	for (int i = 1; i <= 24; i++)
		fprintf(f, "v%d,Account <%d>\n", i, i);
	fclose(f);
	ok("account", "import", path);
	ok("session", "record", "--program", "tco", "--title", "Spring", "--format", "in-person",
	   "--start", "2025-03-03", "--end", "2025-03-04", "--trainer", "ana", "--account",
	   "v1,v2,v3,v4,v5,v6", "--cost", "9000", "--currency", "EUR");
	ok("session", "record", "--program", "tco", "--title", "Online", "--format", "virtual",
	   "--start", "2025-03-10", "--end", "2025-03-10", "--trainer", "bo", "--account",
	   "v7,v8,v9,v10,v11,v12");
	snprintf(path, sizeof(path), "%s/obs.csv", ws);
	f = fopen(path, "w");
	fprintf(f, "account,measure,at,value\n");
	for (int i = 1; i <= 24; i++)
		for (int d = 1; d <= 20; d++) {
			fprintf(f, "v%d,v.score,2025-01-%02d,%d\n", i, d, 50 + i % 5 + d % 3);
			fprintf(f, "v%d,v.score,2025-05-%02d,%d\n", i, d,
				50 + i % 5 + d % 3 + (i <= 12 ? 6 : 1));
		}
	fclose(f);
	ok("data", "import", path);
	ok("outcome", "set", "v1", "v_mean", "--target", "55", "--minimum", "52", "--from",
	   "2025-01-01", "--to", "2025-12-31");
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

/* What `casebook report --KIND KEY` writes, and what the view renders from
 * cb_app_report in this process, compared byte for byte. */
static void same_report(cb_report_kind kind, const char *key, int markdown)
{
	static const char *const options[] = {"--session", "--program", "--account"};
	cb_report_request req = {0};
	cb_analysis_options defaults = CB_ANALYSIS_OPTIONS_INIT;
	cb_view_report_options opt = {markdown, cb_date_today()};
	cb_workspace *w = NULL;
	cb_report *rep = NULL;
	cb_buf page = CB_BUF_INIT;
	char path[4096], *file;
	size_t charts = 99;
	cbt_run r;

	snprintf(path, sizeof(path), "%s/r.%s", ws, markdown ? "md" : "html");
	cbt_casebook(&r, ws, NULL, "report", options[kind], key, "--out", path, NULL);
	ck_assert_msg(r.status == 0, "report: %s", r.err);
	cbt_run_free(&r);
	file = cbt_slurp(path);

	req.kind = kind;
	req.key = key;
	req.impact.lag_days = -1;
	req.impact.analysis = defaults;
	req.impact.control = CB_CONTROL_AUTO;
	ck_assert_msg(cb_workspace_open(ws, 1, &w) == 0, "%s", cb_error_last());
	ck_assert_msg(cb_app_report(w, &req, &rep) == 0, "%s", cb_error_last());
	ck_assert_msg(cb_view_report_render(&page, rep, &opt, &charts) == 0, "%s", cb_error_last());
	ck_assert_msg(strcmp(cb_buf_cstr(&page), file) == 0,
		      "%s %s (%s): the view's %zu bytes differ from the CLI's %zu", options[kind],
		      key, markdown ? "md" : "html", page.len, strlen(file));
	if (markdown)
		ck_assert_uint_eq(charts, 0);
	else
		ck_assert_uint_gt(charts, 0);
	/* The escaped KPI name, never the raw one. */
	ck_assert(!cbt_has(file, "Mean <score>"));
	cb_buf_free(&page);
	cb_report_free(rep);
	cb_workspace_close(w);
	free(file);
}

START_TEST(view_equals_cli_for_a_session)
{
	same_report(CB_REPORT_SESSION, "tco-2025-03-03", 0);
	same_report(CB_REPORT_SESSION, "tco-2025-03-03", 1);
}
END_TEST

START_TEST(view_equals_cli_for_a_program)
{
	same_report(CB_REPORT_PROGRAM, "tco", 0);
	same_report(CB_REPORT_PROGRAM, "tco", 1);
}
END_TEST

START_TEST(view_equals_cli_for_accounts)
{
	same_report(CB_REPORT_ACCOUNT, "v1", 0);
	same_report(CB_REPORT_ACCOUNT, "v1", 1);
	same_report(CB_REPORT_ACCOUNT, "v20", 0); /* never trained: no impact */
	same_report(CB_REPORT_ACCOUNT, "v20", 1);
}
END_TEST

/* The report appends; what the buffer held stays in front of it. */
START_TEST(render_appends)
{
	cb_report_request req = {0};
	cb_analysis_options defaults = CB_ANALYSIS_OPTIONS_INIT;
	cb_view_report_options opt = {1, cb_date_from_civil(2025, 6, 1)};
	cb_workspace *w = NULL;
	cb_report *rep = NULL;
	cb_buf a = CB_BUF_INIT, b = CB_BUF_INIT;

	req.kind = CB_REPORT_SESSION;
	req.key = "tco-2025-03-03";
	req.impact.lag_days = -1;
	req.impact.analysis = defaults;
	ck_assert(cb_workspace_open(ws, 1, &w) == 0);
	ck_assert(cb_app_report(w, &req, &rep) == 0);
	ck_assert(cb_buf_puts(&a, "before\n") == 0);
	ck_assert(cb_view_report_render(&a, rep, &opt, NULL) == 0);
	ck_assert(cb_view_report_render(&b, rep, &opt, NULL) == 0);
	ck_assert(strncmp(a.ptr, "before\n", 7) == 0);
	ck_assert_str_eq(a.ptr + 7, b.ptr);
	ck_assert(cbt_has(b.ptr, "on 2025-06-01."));
	cb_buf_free(&a);
	cb_buf_free(&b);
	cb_report_free(rep);
	cb_workspace_close(w);
}
END_TEST

/* A renderer renders: no view source opens a database, a repository, a
 * plugin or a file, includes a layer it must not, or calls a use case that
 * reads (one taking a cb_workspace). */
START_TEST(view_sources_read_nothing)
{
	static const char *const banned[] = {"#include \"store/",
					     "#include \"repo/",
					     "#include \"plugin/",
					     "#include \"cli/",
					     "#include \"serve/",
					     "#include <sqlite3.h>",
					     "#include <git2.h>",
					     "#include <lua",
					     "fopen(",
					     "open(",
					     "opendir(",
					     "popen(",
					     "getenv(",
					     "cb_workspace_",
					     "cb_store_",
					     "cb_repo_",
					     "cb_plugin_",
					     "cb_app_report(",
					     "cb_app_impact(",
					     "cb_date_today(",
					     "time(NULL)",
					     "printf(\"",
					     "exit("};
	char dir[4096];
	DIR *d;
	struct dirent *e;
	size_t files = 0;

	snprintf(dir, sizeof(dir), "%s/core/view", CASEBOOK_SOURCE_DIR);
	d = opendir(dir);
	ck_assert_msg(d != NULL, "%s", dir);
	while ((e = readdir(d))) {
		char path[4400], *text;
		size_t len = strlen(e->d_name);

		if (len < 3 ||
		    (strcmp(e->d_name + len - 2, ".c") && strcmp(e->d_name + len - 2, ".h")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		text = cbt_slurp(path);
		for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++) {
			/* A name, not the end of a longer one (cb_view_doc_open);
			 * comments may name what the code must not do. */
			for (const char *p = strstr(text, banned[i]); p;
			     p = strstr(p + 1, banned[i])) {
				const char *line = p;

				if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
					continue;
				while (line > text && line[-1] != '\n')
					line--;
				while (*line == ' ' || *line == '\t')
					line++;
				ck_assert_msg(*line == '*' || strncmp(line, "/*", 2) == 0,
					      "%s uses %s", e->d_name, banned[i]);
			}
		}
		free(text);
		files++;
	}
	closedir(d);
	ck_assert_uint_ge(files, 10);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("view/report");
	TCase *tc = tcase_create("report");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, view_equals_cli_for_a_session);
	tcase_add_test(tc, view_equals_cli_for_a_program);
	tcase_add_test(tc, view_equals_cli_for_accounts);
	tcase_add_test(tc, render_appends);
	suite_add_tcase(s, tc);
	tc = tcase_create("layer");
	tcase_add_test(tc, view_sources_read_nothing);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
