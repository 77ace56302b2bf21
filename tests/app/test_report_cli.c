/* `casebook report` through the binary: the HTML file is self-contained,
 * has a chart for each thing it should draw, and its embedded data and the
 * numbers it shows equal `impact --json`'s; Markdown shows the same
 * numbers; bad requests fail clearly and write nothing. */
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testlib.h"

static char *ws;

static const char test_plugin[] =
	"casebook.api(1)\n"
	"casebook.measure { key = 't.score', unit = 'points', min = 0, max = 100, doc = 'a score' }\n"
	"casebook.kpi { key = 't_mean', name = 'Mean score', unit = 'points', better = 'higher',\n"
	"  inputs = { 't.score' }, doc = 'mean of the scores', compute = function(w)\n"
	"    local s = w['t.score']; if #s == 0 then return nil, 'no scores' end; return s:mean() end }\n"
	"casebook.measure { key = 't.hours', unit = 'h', min = 0, doc = 'repair hours' }\n"
	"casebook.kpi { key = 't_mttr', name = 'MTTR <fast & \"safe\">', unit = 'h', better = 'lower',\n"
	"  inputs = { 't.hours' }, doc = 'mean repair time', compute = function(w)\n"
	"    local s = w['t.hours']; if #s == 0 then return nil, 'no repairs' end; return s:mean() end }\n"
	"casebook.measure { key = 't.rare', unit = 'x', doc = 'seldom recorded' }\n"
	"casebook.kpi { key = 't_rare', name = 'Rare', unit = 'x', better = 'higher',\n"
	"  inputs = { 't.rare' }, doc = 'mean', compute = function(w)\n"
	"    local s = w['t.rare']; if #s == 0 then return nil, 'nothing recorded' end; return s:mean() end }\n";

static void run_ok(const char *const *a)
{
	cbt_run r;

	cbt_casebook(&r, ws, NULL, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10],
		     a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22],
		     NULL);
	ck_assert_msg(r.status == 0, "%s %s: %s", a[0], a[1], r.err);
	cbt_run_free(&r);
}

#define ok(...) run_ok((const char *const[24]){__VA_ARGS__})

static unsigned long lcg = 12345;
static double noise(void)
{
	lcg = lcg * 6364136223846793005UL + 1442695040888963407UL;
	return (double)((lcg >> 33) % 2001) / 1000.0 - 1.0; /* -1..1 */
}

/* As in test_impact_cli.c: 20 exposed accounts (a1..a20) whose scores rise
 * by 8 points after session tco-2025-03-03 and whose repair hours fall by
 * 3, 20 others whose scores rise by 2 and hours fall by 1; a KPI (t_rare)
 * too thin to estimate. Observations from January 2025 to May 2025. */
static void build(void)
{
	char accounts[512] = "", path[4096], *p;
	FILE *f;
	cbt_run r;

	p = cbt_write(ws, "plugins/t.lua", test_plugin);
	free(p);
	ok("person", "add", "ana", "--name", "Ana", "--role", "trainer");
	ok("person", "add", "jo", "--name", "Jo", "--role", "technician");
	ok("program", "add", "tco", "--name", "Total Customer Orientation");
	snprintf(path, sizeof(path), "%s/accounts.csv", ws);
	f = fopen(path, "w");
	fprintf(f, "key,name\n");
	for (int i = 1; i <= 40; i++)
		fprintf(f, "a%d,Account %d\n", i, i);
	fclose(f);
	ok("account", "import", path);
	for (int i = 1; i <= 20; i++)
		snprintf(accounts + strlen(accounts), sizeof(accounts) - strlen(accounts), "%sa%d",
			 i > 1 ? "," : "", i);
	ok("session", "record", "--program", "tco", "--title", "Spring", "--format", "blended",
	   "--start", "2025-03-03", "--end", "2025-03-05", "--trainer", "ana", "--account", accounts,
	   "--attendee", "jo", "--cost", "20000", "--currency", "EUR");
	ok("session", "attend", "tco-2025-03-03", "jo", "--reaction", "4", "--pre", "50", "--post", "80");
	snprintf(path, sizeof(path), "%s/obs.csv", ws);
	f = fopen(path, "w");
	fprintf(f, "account,measure,at,value\n");
	for (int i = 1; i <= 40; i++) {
		double base = 50 + (i % 7) * 3, up = i <= 20 ? 8 : 2;

		for (int d = 1; d <= 28; d++) {
			fprintf(f, "a%d,t.score,2025-01-%02d,%.3f\n", i, d, base + noise());
			fprintf(f, "a%d,t.score,2025-04-%02d,%.3f\n", i, d, base + up + noise());
			fprintf(f, "a%d,t.hours,2025-01-%02dT10:00:00Z,%.3f\n", i, d, 10 + noise() / 4);
			fprintf(f, "a%d,t.hours,2025-05-%02dT10:00:00Z,%.3f\n", i, d,
				10 - (i <= 20 ? 3 : 1) + noise() / 4);
		}
		if (i <= 2)
			fprintf(f, "a%d,t.rare,2025-01-05,1\na%d,t.rare,2025-04-05,2\n", i, i);
	}
	fclose(f);
	cbt_casebook(&r, ws, NULL, "data", "import", path, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
	ok("kpi", "value", "t_mean", "--per-unit", "500", "--currency", "EUR");
}

static void setup(void)
{
	ws = cbt_workspace();
	lcg = 12345;
	build();
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* `impact --json` with `args` (NULL-terminated, at most 6), parsed. */
static json_t *impact_json(const char *const *args)
{
	json_error_t jerr;
	json_t *v;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "impact", "--json", args[0], args[1], args[2], args[3], args[4],
		     args[5], NULL);
	ck_assert_msg(r.status == 0, "impact: %s", r.err);
	v = json_loads(r.out, 0, &jerr);
	ck_assert_msg(v != NULL, "not JSON: %s", r.out);
	cbt_run_free(&r);
	return v;
}

#define IMPACT(...) impact_json((const char *const[7]){__VA_ARGS__})

/* Writes a report with `args` (NULL-terminated, at most 6) to ws/NAME and
 * returns the file's text. */
static char *report(const char *name, const char *const *args)
{
	char path[4096];
	cbt_run r;

	snprintf(path, sizeof(path), "%s/%s", ws, name);
	cbt_casebook(&r, ws, NULL, "report", "--out", path, args[0], args[1], args[2], args[3], args[4],
		     args[5], NULL);
	ck_assert_msg(r.status == 0, "report: %s", r.err);
	ck_assert_msg(cbt_has(r.out, "wrote "), "%s", r.out);
	cbt_run_free(&r);
	return cbt_slurp(path);
}

#define REPORT(name, ...) report(name, (const char *const[7]){__VA_ARGS__})

/* The JSON of the page's <script type="application/json" id="casebook-data">. */
static json_t *embedded(const char *html)
{
	static const char open[] = "<script type=\"application/json\" id=\"casebook-data\">";
	const char *start = strstr(html, open), *end;
	json_error_t jerr;
	json_t *v;

	ck_assert_msg(start != NULL, "no casebook-data block");
	start += strlen(open);
	end = strstr(start, "</script>");
	ck_assert_ptr_nonnull(end);
	v = json_loadb(start, (size_t)(end - start), 0, &jerr);
	ck_assert_msg(v != NULL, "embedded data is not JSON: %s", jerr.text);
	return v;
}

/* Nothing in the page reaches out: no URL but the SVG namespace, no
 * external script, stylesheet, image or frame, and a CSP that forbids it. */
static void assert_self_contained(const char *html)
{
	char *copy = strdup(html), *p;
	static const char ns[] = "xmlns=\"http://www.w3.org/2000/svg\"";

	while ((p = strstr(copy, ns)))
		memset(p, '_', strlen(ns));
	ck_assert_msg(!strstr(copy, "http://") && !strstr(copy, "https://"), "a URL in the page");
	ck_assert(!strstr(copy, "<script src") && !strstr(copy, "<link") && !strstr(copy, "<iframe") &&
		  !strstr(copy, "<img") && !strstr(copy, "url("));
	ck_assert_uint_eq(count(copy, "<script"), 1); /* the data block only */
	ck_assert(cbt_has(copy, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
				"'none'; style-src 'unsafe-inline'; img-src data:\">"));
	ck_assert(cbt_has(copy, "@media print"));
	free(copy);
}

START_TEST(html_is_self_contained_and_equals_impact)
{
	json_t *data, *impact, *k;
	char *html, want[128];

	html = REPORT("r.html", "--session", "tco-2025-03-03", NULL);
	ck_assert(strncmp(html, "<!DOCTYPE html>", 15) == 0);
	assert_self_contained(html);
	/* A dumbbell per KPI with means (t_rare has 2 exposed accounts), an
	 * effect chart per KPI with an effect, 6 accounts' series for each of
	 * the 2 KPIs with effects, one ROI chart (t_mean has a value). */
	ck_assert_uint_eq(count(html, "<svg "), count(html, "class=\"chart "));
	ck_assert_uint_eq(count(html, "class=\"chart chart-kpi\""), 3);
	ck_assert_uint_eq(count(html, "class=\"chart chart-effect\""), 2);
	ck_assert_uint_eq(count(html, "class=\"chart chart-series\""), 12);
	ck_assert_uint_eq(count(html, "class=\"chart chart-roi\""), 1);
	ck_assert_uint_eq(count(html, "class=\"chart chart-format\""), 0);
	/* Charts carry real text and tooltips. */
	ck_assert(cbt_has(html, "<title>Mean score before and after"));
	ck_assert(cbt_has(html, ">Exposed (20)</text>"));
	/* A KPI name with markup is escaped everywhere. */
	ck_assert(cbt_has(html, "MTTR &lt;fast &amp; \"safe\"&gt;"));
	ck_assert(!cbt_has(html, "<fast"));

	/* The embedded data is impact --json, and the page shows it rounded. */
	data = embedded(html);
	impact = IMPACT("--session", "tco-2025-03-03", NULL);
	ck_assert_msg(json_equal(json_object_get(data, "impact"), impact),
		      "the embedded impact differs from impact --json");
	k = cbt_kpi_of(json_object_get(data, "impact"), "t_mean");
	ck_assert_double_eq(cbt_num(k, "effect", NULL), cbt_num(cbt_kpi_of(impact, "t_mean"), "effect", NULL));
	ck_assert(cbt_num(k, "effect", NULL) > 5 && cbt_num(k, "effect", NULL) < 7);
	snprintf(want, sizeof(want), "%+.2f [%.2f, %.2f]", cbt_num(k, "effect", NULL),
		 cbt_num(k, "effect_ci", "low"), cbt_num(k, "effect_ci", "high"));
	ck_assert_msg(cbt_has(html, want), "the page does not show %s", want);
	snprintf(want, sizeof(want), "%.2f [",
		 json_number_value(json_object_get(json_object_get(json_object_get(k, "roi"), "estimate"),
						   "roi_percent")));
	ck_assert_msg(cbt_has(html, want), "the page does not show the ROI %s", want);
	/* Kirkpatrick levels 1 and 2, and no case studies. */
	ck_assert(cbt_has(html, "4.00 / 5") && cbt_has(html, "+30.00 points"));
	ck_assert(cbt_has(html, "no case studies yet") && cbt_has(html, "none cites these sessions"));
	/* Series of exposed accounts with the training marked. */
	ck_assert(cbt_has(html, "training: session tco-2025-03-03, 2025-03-03 .. 2025-03-05"));
	ck_assert_uint_eq(json_array_size(json_object_get(data, "series")), 12);
	json_decref(impact);
	json_decref(data);
	free(html);
}
END_TEST

START_TEST(options_pass_through_to_impact)
{
	json_t *data, *impact;
	char *html;

	html = REPORT("r.html", "--session", "tco-2025-03-03", "--control", "none", "--window", "60");
	data = embedded(html);
	impact = IMPACT("--session", "tco-2025-03-03", "--control", "none", "--window", "60", NULL);
	ck_assert(json_equal(json_object_get(data, "impact"), impact));
	ck_assert(cbt_has(html, "without a control group this change holds the season and the market's trend"));
	ck_assert_uint_eq(count(html, ">Control ("), 0);
	json_decref(impact);
	json_decref(data);
	free(html);
}
END_TEST

START_TEST(markdown_has_the_same_numbers)
{
	json_t *impact, *k;
	char *md, *html, want[128];
	size_t i;

	md = REPORT("r.md", "--session", "tco-2025-03-03", NULL);
	html = REPORT("r.txt", "--session", "tco-2025-03-03", "--format", "md", NULL);
	ck_assert_str_eq(md, html); /* .md chooses Markdown; so does --format md */
	ck_assert(!cbt_has(md, "<svg") && !cbt_has(md, "<script") && !cbt_has(md, "<table"));
	ck_assert(strncmp(md, "# Session tco-2025-03-03: Spring", 32) == 0);
	ck_assert(cbt_has(md, "| --- |"));
	impact = IMPACT("--session", "tco-2025-03-03", NULL);
	json_array_foreach(json_object_get(impact, "kpis"), i, k) {
		if (json_is_true(json_object_get(k, "thin")))
			continue;
		/* Markdown escapes brackets: \[low, high\]. */
		snprintf(want, sizeof(want), "%+.2f | \\[%.2f, %.2f\\]", cbt_num(k, "effect", NULL),
			 cbt_num(k, "effect_ci", "low"), cbt_num(k, "effect_ci", "high"));
		ck_assert_msg(cbt_has(md, want), "Markdown lacks %s", want);
		snprintf(want, sizeof(want), "| %.2f | %.2f |", cbt_num(k, "exposed", "baseline"),
			 cbt_num(k, "exposed", "follow_up"));
		ck_assert_msg(cbt_has(md, want), "Markdown lacks %s", want);
	}
	/* The series as tables: a row per month, a column per account. */
	ck_assert(cbt_has(md, "| month | a1 | a10 | a11 | a12 | a13 | a14 |"));
	ck_assert(cbt_has(md, "| a1 | tco-2025-03-03 (2025-03-03 .. 2025-03-05) | 2024-12-03 .. 2025-03-02 |"));
	json_decref(impact);
	free(md);
	free(html);
}
END_TEST

START_TEST(program_compares_formats)
{
	json_t *data, *by;
	char *html, *md;

	ok("session", "record", "--program", "tco", "--title", "Webinar", "--format", "virtual",
	   "--start", "2025-03-04", "--end", "2025-03-04", "--trainer", "ana", "--account",
	   "a21,a22,a23,a24,a25");
	html = REPORT("p.html", "--program", "tco", NULL);
	assert_self_contained(html);
	data = embedded(html);
	by = IMPACT("--program", "tco", "--by", "format", NULL);
	ck_assert_msg(json_equal(json_object_get(data, "by_format"), by),
		      "the embedded formats differ from impact --by format --json");
	/* One effect-by-format chart per KPI with an effect in some format. */
	ck_assert_uint_eq(count(html, "class=\"chart chart-format\""), 2);
	ck_assert(cbt_has(html, ">blended</text>") && cbt_has(html, ">virtual</text>") &&
		  cbt_has(html, ">all formats</text>"));
	ck_assert(cbt_has(html, "<h2 id=\"formats\">By delivery format</h2>"));
	md = REPORT("p.md", "--program", "tco", NULL);
	ck_assert(cbt_has(md, "| KPI | blended | virtual | all formats |"));
	json_decref(by);
	json_decref(data);
	free(html);
	free(md);
}
END_TEST

START_TEST(account_report)
{
	json_t *data, *impact, *values;
	char *html;

	html = REPORT("a.html", "--account", "a1", NULL);
	assert_self_contained(html);
	ck_assert(cbt_has(html, "<h1>Account a1: Account 1</h1>"));
	ck_assert(cbt_has(html, "This account's numbers"));
	/* Every KPI with values at a1 drawn over time. */
	ck_assert_uint_eq(count(html, "class=\"chart chart-series\""), 3);
	data = embedded(html);
	impact = IMPACT("--session", "tco-2025-03-03", NULL);
	ck_assert(json_equal(json_object_get(data, "impact"), impact));
	values = json_object_get(json_object_get(data, "account"), "values");
	ck_assert_uint_eq(json_array_size(values), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(data, "account"), "trained_in")),
			 "tco-2025-03-03");
	json_decref(impact);
	json_decref(data);
	free(html);

	/* An account no session reached: its series, no impact. */
	html = REPORT("b.html", "--account", "a30", NULL);
	data = embedded(html);
	ck_assert(json_is_null(json_object_get(data, "impact")));
	ck_assert(cbt_has(html, "No session has reached this account yet"));
	ck_assert_uint_eq(count(html, "class=\"chart chart-series\""), 2);
	ck_assert_uint_eq(count(html, "class=\"chart chart-kpi\""), 0);
	json_decref(data);
	free(html);
}
END_TEST

/* Submits a case study by `technician` at `account` citing `session`,
 * with `claims` (YAML list items, or ""). */
static void submit_case(const char *slug, const char *title, const char *technician,
			const char *account, const char *session, const char *claims)
{
	char text[2048], name[64], *path;

	snprintf(text, sizeof(text),
		 "---\ntitle: \"%s\"\ntechnician: %s\naccount: %s\nsessions:\n  - %s\n"
		 "%s%s---\n\n## Situation\n\nS.\n\n## Actions\n\nA.\n\n## Outcome\n\nO.\n",
		 title, technician, account, session, *claims ? "claims:\n" : "", claims);
	snprintf(name, sizeof(name), "%s.md", slug);
	path = cbt_write(ws, name, text);
	ok("case", "submit", path, "--slug", slug);
	free(path);
}

/* impact --program P --json counts these case studies at level 3. */
static void expect_level3(const char *program, int cases, int submitted, int approved,
			  int rejected, int withdrawn)
{
	cbt_run r;
	json_t *v, *l3;

	cbt_casebook(&r, ws, NULL, "impact", "--program", program, "--json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	v = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(v);
	l3 = json_object_get(json_object_get(v, "kirkpatrick"), "level3_behaviour");
	ck_assert_msg(l3, "%.300s", r.out);
	ck_assert_int_eq(json_integer_value(json_object_get(l3, "case_studies")), cases);
	ck_assert_int_eq(json_integer_value(json_object_get(l3, "submitted")), submitted);
	ck_assert_int_eq(json_integer_value(json_object_get(l3, "approved")), approved);
	ck_assert_int_eq(json_integer_value(json_object_get(l3, "rejected")), rejected);
	ck_assert_int_eq(json_integer_value(json_object_get(l3, "withdrawn")), withdrawn);
	json_decref(v);
	cbt_run_free(&r);
}

START_TEST(case_studies_by_status_with_evidence)
{
	char *html, *md;
	json_t *data, *l3, *cases, *c;

	ok("person", "add", "lee", "--name", "Lee", "--role", "technician");
	ok("cover", "lee", "a1", "--from", "2024-01-01");
	ok("cover", "lee", "a2", "--from", "2024-01-01");
	ok("cover", "lee", "a36", "--from", "2024-01-01");
	ok("cover", "jo", "a35", "--from", "2024-01-01");
	/* a1's score is 53 in January and 61 in April (see build), and, here,
	 * in February and March too, so that each window of the claims' period
	 * holds enough scores to check (the before window is January 11 -
	 * March 5, the after window March 6 - April 28): the first claim
	 * agrees; t_rare has no data in that window. a2's is 56 -> 64, not 86. */
	{
		char path[4096];
		FILE *f;
		cbt_run r;

		snprintf(path, sizeof(path), "%s/more.csv", ws);
		f = fopen(path, "w");
		fprintf(f, "account,measure,at,value\n");
		for (int d = 1; d <= 28; d++)
			fprintf(f, "a1,t.score,2025-02-%02d,53\na2,t.score,2025-02-%02d,56\n", d, d);
		for (int d = 6; d <= 31; d++)
			fprintf(f, "a1,t.score,2025-03-%02d,61\na2,t.score,2025-03-%02d,64\n", d, d);
		fclose(f);
		cbt_casebook(&r, ws, NULL, "data", "import", path, NULL);
		ck_assert_msg(r.status == 0, "%s", r.err);
		cbt_run_free(&r);
	}
	submit_case("uptime-a1", "Uptime <at> a1", "lee", "a1", "tco-2025-03-03",
		    "  - kpi: t_mean\n    before: 53\n    after: 61\n    period: 2025-03-06..2025-04-28\n"
		    "  - kpi: t_rare\n    before: 1\n    after: 2\n    period: 2025-03-06..2025-04-28\n");
	ok("case", "review", "uptime-a1", "--reviewer", "ana", "--decision", "approve");
	submit_case("a2-story", "A2", "lee", "a2", "tco-2025-03-03",
		    "  - kpi: t_mean\n    before: 56\n    after: 86\n    period: 2025-03-06..2025-04-28\n");
	/* a2's claim disagrees: approved only despite the evidence */
	{
		cbt_run r;

		cbt_casebook(&r, ws, NULL, "case", "review", "a2-story", "--reviewer", "ana",
			     "--decision", "approve", NULL);
		ck_assert_int_eq(r.status, 1);
		ck_assert_msg(cbt_has(r.err, "has 1 claim the data contradicts"), "%s", r.err);
		cbt_run_free(&r);
	}
	ok("case", "review", "a2-story", "--reviewer", "ana", "--decision", "approve",
	   "--despite-evidence", "The meter at <a2> was recalibrated in March");
	submit_case("jo-visit", "Jo listens", "jo", "a35", "tco-2025-03-03", "");
	/* a case citing another session is not this session's */
	ok("session", "record", "--program", "tco", "--title", "Later", "--format", "virtual",
	   "--start", "2025-06-02", "--end", "2025-06-02", "--trainer", "ana", "--account", "a36");
	submit_case("elsewhere", "Not ours", "lee", "a36", "tco-2025-06-02", "");
	ok("case", "review", "elsewhere", "--reviewer", "ana", "--decision", "approve");

	html = REPORT("c.html", "--session", "tco-2025-03-03", NULL);
	data = embedded(html);
	l3 = json_object_get(data, "kirkpatrick_level3");
	/* three cite the session; a36's cites another. impact --json counts
	 * the same at level 3. */
	ck_assert_int_eq(json_integer_value(json_object_get(l3, "case_studies")), 3);
	{
		json_t *level3 = json_object_get(json_object_get(json_object_get(data, "impact"),
								 "kirkpatrick"),
						 "level3_behaviour");

		ck_assert_int_eq(json_integer_value(json_object_get(level3, "case_studies")), 3);
		ck_assert_int_eq(json_integer_value(json_object_get(level3, "approved")), 2);
		ck_assert_int_eq(json_integer_value(json_object_get(level3, "submitted")), 1);
	}
	ck_assert(cbt_has(html, "2 approved, 1 submitted"));
	ck_assert_msg(cbt_has(html, "<td class=\"w\">uptime-a1</td><td class=\"w\">Uptime &lt;at&gt; a1</td>"
				    "<td>a1</td><td>lee</td><td>approved</td><td class=\"v\">1 agrees, 1 without data</td>"),
		      "%.400s", strstr(html, "uptime-a1"));
	ck_assert_msg(cbt_has(html, "<td class=\"w\">a2-story</td><td class=\"w\">A2</td><td>a2</td><td>lee</td>"
				    "<td>approved</td><td class=\"v\">1 disagrees; approved despite the evidence "
				    "by Ana: The meter at &lt;a2&gt; was recalibrated in March</td>"),
		      "%.400s", strstr(html, "a2-story</td>"));
	ck_assert(cbt_has(html, "<td class=\"w\">jo-visit</td><td class=\"w\">Jo listens</td><td>a35</td><td>jo</td>"
				"<td>submitted</td><td class=\"v\">no claims</td>"));
	ck_assert(!cbt_has(html, "elsewhere"));
	cases = json_object_get(data, "case_studies");
	ck_assert_uint_eq(json_array_size(cases), 3);
	c = json_array_get(cases, 2); /* by slug: a2-story, jo-visit, uptime-a1 */
	ck_assert_str_eq(json_string_value(json_object_get(c, "slug")), "uptime-a1");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c, "claims"), "agrees")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c, "claims"), "no_data")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c, "claims"), "total")), 2);
	ck_assert(json_is_null(json_object_get(c, "despite_evidence")));
	c = json_array_get(cases, 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "slug")), "a2-story");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "despite_evidence"), "reason")),
			 "The meter at <a2> was recalibrated in March");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "despite_evidence"), "reviewer")),
			 "Ana");
	/* the same verdicts as `case show` */
	{
		cbt_run r;

		cbt_casebook(&r, ws, NULL, "case", "show", "a2-story", "--json", NULL);
		ck_assert_msg(r.status == 0, "%s", r.err);
		ck_assert(cbt_has(r.out, "\"evidence\": \"disagrees\""));
		cbt_run_free(&r);
	}
	json_decref(data);
	free(html);
	/* the Markdown says the same */
	md = REPORT("c.md", "--session", "tco-2025-03-03", NULL);
	ck_assert_msg(cbt_has(md, "| uptime-a1 | Uptime <at> a1 | a1 | lee | approved | 1 agrees, 1 without data |") ||
			      cbt_has(md, "uptime-a1 | Uptime \\<at\\> a1 | a1 | lee | approved | 1 agrees, 1 without data"),
		      "%.400s", strstr(md, "uptime-a1 |"));
	free(md);
	/* over the program, a case citing both sessions counts once */
	submit_case("both", "Both sessions", "lee", "a1", "tco-2025-03-03\n  - tco-2025-06-02", "");
	expect_level3("tco", 5, 2, 3, 0, 0);
	/* a rejected and a withdrawn case still count, each at its status */
	ok("case", "withdraw", "jo-visit", "--reason", "The customer asked us not to.");
	ok("case", "review", "both", "--reviewer", "ana", "--decision", "reject", "--comment",
	   "Two sessions, no story.");
	expect_level3("tco", 5, 0, 3, 1, 1);
	{
		cbt_run r;

		cbt_casebook(&r, ws, NULL, "impact", "--program", "tco", NULL);
		ck_assert_msg(cbt_has(r.out, "5 case studies citing these sessions (3 approved or "
					     "published, 2 rejected or withdrawn)"),
			      "%.600s", r.out);
		cbt_run_free(&r);
	}
}
END_TEST

START_TEST(replaces_the_file_whole)
{
	char path[4096], *html;
	DIR *d;
	struct dirent *e;
	size_t files = 0;
	char *dir = cbt_tempdir();

	snprintf(path, sizeof(path), "%s/r.html", dir);
	free(cbt_write(dir, "r.html", "old"));
	{
		cbt_run r;

		cbt_casebook(&r, ws, NULL, "report", "--session", "tco-2025-03-03", "--out", path, NULL);
		ck_assert_msg(r.status == 0, "%s", r.err);
		cbt_run_free(&r);
	}
	html = cbt_slurp(path);
	ck_assert(strncmp(html, "<!DOCTYPE html>", 15) == 0);
	free(html);
	/* No temporary file is left beside it. */
	d = opendir(dir);
	while ((e = readdir(d)))
		files += e->d_name[0] != '.' || strncmp(e->d_name, ".casebook", 9) == 0;
	closedir(d);
	ck_assert_uint_eq(files, 1);
	cbt_rmrf(dir);
	free(dir);
}
END_TEST

START_TEST(bad_requests)
{
	static const struct {
		int code;
		const char *message;
		const char *out; /* under ws; NULL: none */
		const char *args[6];
	} cases[] = {
		{1, "unknown session 'tco-2025-03-30' (did you mean 'tco-2025-03-03'?)", "x.html",
		 {"--session", "tco-2025-03-30", NULL}},
		{1, "unknown program 'tc' (did you mean 'tco'?)", "x.html", {"--program", "tc", NULL}},
		{1, "unknown account 'a100'", "x.html", {"--account", "a100", NULL}},
		{1, "folder", "missing/x.html", {"--session", "tco-2025-03-03", NULL}},
		{1, "does not exist", "missing/x.html", {"--session", "tco-2025-03-03", NULL}},
		{1, "it is a folder", "plugins", {"--session", "tco-2025-03-03", NULL}},
		{1, "is not a folder", "plugins/t.lua/x.html", {"--session", "tco-2025-03-03", NULL}},
		{2, "name one subject", "x.html", {"--session", "tco-2025-03-03", "--program", "tco", NULL}},
		{2, "name one subject", "x.html", {NULL}},
		{2, "name the file to write with --out FILE", NULL, {"--session", "tco-2025-03-03", NULL}},
		{2, "--format takes html or md, not 'pdf'", "x.html",
		 {"--session", "tco-2025-03-03", "--format", "pdf", NULL}},
		{2, "--window: '9x': write days as 90 or 90d", "x.html",
		 {"--session", "tco-2025-03-03", "--window", "9x", NULL}},
		{1, "unknown KPI 't_men' (did you mean 't_mean'?)", "x.html",
		 {"--session", "tco-2025-03-03", "--kpi", "t_men", NULL}},
	};
	char *before = cbt_db_dump(ws), *after;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *const *a = cases[i].args;
		char path[4096];
		cbt_run r;

		snprintf(path, sizeof(path), "%s/%s", ws, cases[i].out ? cases[i].out : "");
		if (cases[i].out)
			cbt_casebook(&r, ws, NULL, "report", "--out", path, a[0], a[1], a[2], a[3], a[4],
				     NULL);
		else
			cbt_casebook(&r, ws, NULL, "report", a[0], a[1], a[2], a[3], a[4], NULL);
		ck_assert_msg(r.status == cases[i].code, "case %zu: exit %d: %s", i, r.status, r.err);
		ck_assert_msg(cbt_has(r.err, cases[i].message), "case %zu: want '%s' in %s", i,
			      cases[i].message, r.err);
		if (cases[i].code == 2)
			ck_assert_msg(cbt_has(r.err, "usage: casebook report"), "case %zu: %s", i, r.err);
		ck_assert_msg(!cases[i].out || strcmp(cases[i].out, "plugins") == 0 || !exists(path),
			      "case %zu: %s was written", i, path);
		cbt_run_free(&r);
	}
	after = cbt_db_dump(ws);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(help)
{
	cbt_run r;

	cbt_casebook(&r, NULL, NULL, "report", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(strncmp(r.out, "usage: casebook report (--session S | --program P | --account A)", 64) == 0);
	cbt_run_free(&r);
	cbt_casebook(&r, NULL, NULL, "--help", NULL);
	ck_assert(cbt_has(r.out, "  report "));
	cbt_run_free(&r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("report_cli");
	TCase *t = tcase_create("report");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, html_is_self_contained_and_equals_impact);
	tcase_add_test(t, options_pass_through_to_impact);
	tcase_add_test(t, markdown_has_the_same_numbers);
	tcase_add_test(t, program_compares_formats);
	tcase_add_test(t, account_report);
	tcase_add_test(t, case_studies_by_status_with_evidence);
	tcase_add_test(t, replaces_the_file_whole);
	tcase_add_test(t, bad_requests);
	tcase_add_test(t, help);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return cbt_main(suite());
}
