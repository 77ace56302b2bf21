/* The report speaks to the person who pays for the training: KPIs by the
 * names their plugin gives them, never by key, in every table and warning
 * (by format, ROI, outcome agreements, the account's numbers, the
 * pre-training warning); a rate's effects in percentage points (pp); and
 * one ROI for the program (Phillips), the valued KPIs' benefits summed
 * once, at the effect and at the conservative end of each interval, the
 * same in --json, in impact's text and in the report. Also, on the same
 * workspace: the pre-training warning in the report, the words' caveats
 * for few accounts and for a pre-trend (golden files), impact --by
 * trainer, and each cohort's window dates in plain --json. Every expected
 * number is recomputed here from impact --json's per-KPI figures. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testlib.h"

static char *ws;

/* Two KPIs of test_report_cli.c (a score, repair hours) and a rate. */
static const char plugin[] =
	"casebook.api(1)\n"
	"casebook.measure { key = 't.score', unit = 'points', min = 0, max = 100, doc = 'a score' }\n"
	"casebook.kpi { key = 't_mean', name = 'Mean score', unit = 'points', better = 'higher',\n"
	"  inputs = { 't.score' }, doc = 'mean', compute = function(w)\n"
	"    local s = w['t.score']; if #s == 0 then return nil, 'no scores' end; return s:mean() end }\n"
	"casebook.measure { key = 't.hours', unit = 'h', min = 0, doc = 'repair hours' }\n"
	"casebook.kpi { key = 't_mttr', name = 'MTTR <fast & \"safe\">', unit = 'h', better = 'lower',\n"
	"  inputs = { 't.hours' }, doc = 'mean repair time', compute = function(w)\n"
	"    local s = w['t.hours']; if #s == 0 then return nil, 'no repairs' end; return s:mean() end }\n"
	"casebook.measure { key = 'r.fixed', unit = 'flag', min = 0, max = 1, integer = true,\n"
	"  doc = 'a visit fixed the fault' }\n"
	"casebook.kpi { key = 'r_fix', name = 'First-time fix rate', unit = '%', better = 'higher',\n"
	"  inputs = { 'r.fixed' }, doc = 'share of visits', compute = function(w)\n"
	"    local s = w['r.fixed']; if #s == 0 then return nil, 'no visits' end\n"
	"    return s:mean() * 100 end }\n";

static const char *const keys[] = {"t_mean", "t_mttr", "r_fix"};

static void run_ok(const char *const *a)
{
	cbt_run r;

	cbt_casebookv(&r, ws, NULL, a);
	ck_assert_msg(r.status == 0, "%s %s: %s", a[0], a[1], r.err);
	cbt_run_free(&r);
}

#define ok(...) run_ok((const char *const[]){__VA_ARGS__, NULL})

static unsigned long lcg = 777;
static double noise(void)
{
	lcg = lcg * 6364136223846793005UL + 1442695040888963407UL;
	return (double)((lcg >> 33) % 2001) / 1000.0 - 1.0; /* -1..1 */
}

/* 40 accounts: a1..a20 trained in a blended session (2025-03-03, cost
 * 20,000 EUR; scores +8, hours -3), a21..a26 in a virtual one by another
 * trainer (2025-03-10; +5, -2), a27..a40 never (+2, -1). The first-time
 * fix rate of the trained accounts climbs 15 pp a window from July 2024
 * (30, 45, 60 %), then to 80 % after training; the others' stays near
 * 50 %: a pre-trend. Score and hours carry a money value; two outcome
 * agreements. */
static void setup(void)
{
	char path[4096], accounts[256] = "", *p;
	static const char *const month[4] = {"2024-07", "2024-10", "2025-01", "2025-04"};
	static const double trained_rate[4] = {0.30, 0.45, 0.60, 0.80};
	static const double untrained_rate[4] = {0.50, 0.50, 0.50, 0.52};
	FILE *f;

	ws = cbt_workspace();
	lcg = 777;
	p = cbt_write(ws, "plugins/t.lua", plugin);
	free(p);
	ok("person", "add", "ana", "--name", "Ana", "--role", "trainer");
	ok("person", "add", "bo", "--name", "Bo", "--role", "trainer");
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
	   "--start", "2025-03-03", "--end", "2025-03-05", "--trainer", "ana", "--account",
	   accounts, "--cost", "20000", "--currency", "EUR");
	ok("session", "record", "--program", "tco", "--title", "Webinar", "--format", "virtual",
	   "--start", "2025-03-10", "--end", "2025-03-10", "--trainer", "bo", "--account",
	   "a21,a22,a23,a24,a25,a26");
	snprintf(path, sizeof(path), "%s/obs.csv", ws);
	f = fopen(path, "w");
	fprintf(f, "account,measure,at,value\n");
	for (int i = 1; i <= 40; i++) {
		double base = 50 + (i % 7) * 3;
		double up = i <= 20 ? 8 : i <= 26 ? 5 : 2, down = i <= 20 ? 3 : i <= 26 ? 2 : 1;

		for (int d = 1; d <= 28; d++) {
			fprintf(f, "a%d,t.score,2025-01-%02d,%.3f\n", i, d, base + noise());
			fprintf(f, "a%d,t.score,2025-04-%02d,%.3f\n", i, d, base + up + noise());
			fprintf(f, "a%d,t.hours,2025-01-%02dT10:00:00Z,%.3f\n", i, d,
				10 + noise() / 4);
			fprintf(f, "a%d,t.hours,2025-05-%02dT10:00:00Z,%.3f\n", i, d,
				10 - down + noise() / 4);
		}
		for (int w = 0; w < 4; w++) {
			double rate = (i <= 26 ? trained_rate[w] : untrained_rate[w]) +
				      (i % 3 - 1) * 0.05 + noise() * 0.06;
			int fixed = (int)lround(20 * rate);

			for (int d = 1; d <= 20; d++)
				fprintf(f, "a%d,r.fixed,%s-%02d,%d\n", i, month[w], d, d <= fixed);
		}
	}
	/* A visit before every window: the observations cover the placebo
	 * window -3 (from June 6) only when they begin before it. */
	fprintf(f, "a40,r.fixed,2024-06-01,1\n");
	fclose(f);
	ok("data", "import", path);
	ok("kpi", "value", "t_mean", "--per-unit", "500", "--currency", "EUR");
	ok("kpi", "value", "t_mttr", "--per-unit", "200", "--currency", "EUR");
	ok("outcome", "set", "a1", "r_fix", "--target", "80", "--minimum", "70", "--from",
	   "2025-01-01", "--to", "2025-12-31");
	ok("outcome", "set", "a2", "t_mttr", "--target", "7", "--minimum", "8", "--from",
	   "2025-01-01", "--to", "2025-12-31");
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

/* `casebook impact ARGS --json`, parsed. */
static json_t *impact_json(const char *const *args)
{
	const char *a[16] = {"impact", "--json"};
	json_error_t jerr;
	json_t *v;
	size_t n = 2;
	cbt_run r;

	while (*args && n < 15)
		a[n++] = *args++;
	a[n] = NULL;
	cbt_casebookv(&r, ws, NULL, a);
	ck_assert_msg(r.status == 0, "impact: %s", r.err);
	v = json_loads(r.out, 0, &jerr);
	ck_assert_msg(v != NULL, "not JSON: %.300s", r.out);
	cbt_run_free(&r);
	return v;
}

#define IMPACT(...) impact_json((const char *const[]){__VA_ARGS__, NULL})

/* `casebook impact ARGS` (text), its stdout; caller frees. */
static char *impact_text(const char *const *args)
{
	const char *a[16] = {"impact"};
	size_t n = 1;
	char *out;
	cbt_run r;

	while (*args && n < 15)
		a[n++] = *args++;
	a[n] = NULL;
	cbt_casebookv(&r, ws, NULL, a);
	ck_assert_msg(r.status == 0, "impact: %s", r.err);
	out = strdup(r.out);
	cbt_run_free(&r);
	return out;
}

#define IMPACT_TEXT(...) impact_text((const char *const[]){__VA_ARGS__, NULL})

/* The report of `kind key` in ws/NAME (its extension chooses the format). */
static char *report(const char *name, const char *kind, const char *key)
{
	char path[4096];
	cbt_run r;

	snprintf(path, sizeof(path), "%s/%s", ws, name);
	cbt_casebook(&r, ws, NULL, "report", kind, key, "--out", path, NULL);
	ck_assert_msg(r.status == 0, "report: %s", r.err);
	cbt_run_free(&r);
	return cbt_slurp(path);
}

/* The text a reader sees in an HTML page: what lies between tags, outside
 * <script> and <style> (SVG titles and labels included). Caller frees. */
static char *visible_text(const char *html)
{
	char *out = malloc(strlen(html) + 1), *o = out;
	const char *p = html;

	while (*p) {
		if (strncmp(p, "<script", 7) == 0 || strncmp(p, "<style", 6) == 0) {
			const char *end = strstr(p, p[1] == 's' && p[2] == 'c' ? "</script>" : "</style>");

			ck_assert_ptr_nonnull(end);
			p = end + 8;
			continue;
		}
		if (*p == '<') {
			while (*p && *p != '>')
				p++;
			if (*p)
				p++;
			*o++ = ' ';
			continue;
		}
		*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/* Text as Markdown writes it: \`*_[]<># and | escaped with a backslash.
 * One of 4 static buffers. */
static const char *md_escaped(const char *s)
{
	static char bufs[4][1024];
	static int next;
	char *b = bufs[next++ % 4], *o = b;

	for (; *s && o < b + sizeof(bufs[0]) - 3; s++) {
		if (strchr("\\`*_[]<>#|", *s))
			*o++ = '\\';
		*o++ = *s;
	}
	*o = '\0';
	return b;
}

/* No KPI key shows where the reader should see a name (in Markdown, a key
 * shows escaped: t\_mean). */
static void no_key_visible(const char *what, const char *text)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *md = md_escaped(keys[i]);

		ck_assert_msg(!cbt_has(text, keys[i]), "%s shows the key %s: ...%.120s", what,
			      keys[i], strstr(text, keys[i]) - 40);
		ck_assert_msg(!cbt_has(text, md), "%s shows the key %s: ...%.120s", what, md,
			      strstr(text, md) - 40);
	}
}

/* An effect as the report writes it: "+7.37 pp [a, b]" (HTML) or with the
 * brackets escaped (Markdown). */
static void effect_cell(char *buf, size_t size, json_t *k, int md)
{
	const char *unit = json_string_value(json_object_get(k, "unit"));

	snprintf(buf, size, "%+.2f %s %s%.2f, %.2f%s", cbt_num(k, "effect", NULL),
		 strcmp(unit, "%") == 0 ? "pp" : unit, md ? "\\[" : "[", cbt_num(k, "effect_ci", "low"),
		 cbt_num(k, "effect_ci", "high"), md ? "\\]" : "]");
}

/* Money as a reader sees it: whole units, thousands separated. */
static void money(char *buf, size_t size, double v, const char *currency)
{
	char digits[64];
	long long whole = llround(fabs(v));
	size_t n = (size_t)snprintf(digits, sizeof(digits), "%lld", whole), o = 0;

	if (v < 0 && whole)
		buf[o++] = '-';
	for (size_t i = 0; i < n && o + 2 < size; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	snprintf(buf + o, size - o, " %s", currency);
}

START_TEST(by_format_table_names_kpis_and_labels_pp)
{
	json_t *by = IMPACT("--program", "tco", "--by", "format"), *all = IMPACT("--program", "tco");
	char *html = report("p.html", "--program", "tco"), *md = report("p.md", "--program", "tco");
	char *seen = visible_text(html), want[512];
	const char *formats = strstr(html, "<h2 id=\"formats\">");

	ck_assert_ptr_nonnull(formats);
	ck_assert_uint_eq(json_array_size(json_object_get(by, "groups")), 2);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *k = cbt_kpi_of(all, keys[i]);
		const char *name = json_string_value(json_object_get(k, "name"));
		char html_name[128];
		json_t *g;
		size_t gi;

		/* The row: the escaped name, then each format's effect, all formats last. */
		snprintf(html_name, sizeof(html_name), "%s",
			 strcmp(keys[i], "t_mttr") == 0 ? "MTTR &lt;fast &amp; \"safe\"&gt;" : name);
		snprintf(want, sizeof(want), "<tr><td>%s</td>", html_name);
		ck_assert_msg(cbt_has(formats, want), "by format: no row %s", want);
		snprintf(want, sizeof(want), "| %s |", md_escaped(name));
		ck_assert_msg(cbt_has(strstr(md, "By delivery format"), want), "md: no row %s", want);
		json_array_foreach(json_object_get(by, "groups"), gi, g) {
			effect_cell(want, sizeof(want), cbt_kpi_of(json_object_get(g, "impact"), keys[i]), 0);
			ck_assert_msg(cbt_has(formats, want), "by format: no cell %s", want);
			effect_cell(want, sizeof(want), cbt_kpi_of(json_object_get(g, "impact"), keys[i]), 1);
			ck_assert_msg(cbt_has(md, want), "md by format: no cell %s", want);
		}
		effect_cell(want, sizeof(want), k, 0);
		ck_assert_msg(cbt_has(formats, want), "by format, all formats: no cell %s", want);
	}
	/* The rate is in pp in the table, a unit is never left out. */
	ck_assert(cbt_has(formats, " pp ["));
	ck_assert(cbt_has(formats, " h ["));
	no_key_visible("the program's HTML report", seen);
	no_key_visible("the program's Markdown report", md);
	json_decref(by);
	json_decref(all);
	free(seen);
	free(html);
	free(md);
}
END_TEST

START_TEST(roi_and_outcome_tables_name_kpis)
{
	json_t *impact = IMPACT("--session", "tco-2025-03-03");
	char *html = report("s.html", "--session", "tco-2025-03-03");
	char *md = report("s.md", "--session", "tco-2025-03-03");
	char *seen = visible_text(html), want[256];
	const char *roi = strstr(html, "<h2 id=\"roi\">"), *outcomes = strstr(html, "<h2 id=\"outcomes\">");

	ck_assert_ptr_nonnull(roi);
	ck_assert_ptr_nonnull(outcomes);
	/* ROI: a row per valued KPI, led by its name; the chart's rows too. */
	ck_assert(cbt_has(roi, "<tr><td>Mean score</td><td class=\"n\">500.00 EUR/points (level)"));
	ck_assert(cbt_has(roi, "<tr><td>MTTR &lt;fast &amp; \"safe\"&gt;</td><td class=\"n\">200.00 "
			       "EUR/h (level)"));
	ck_assert(cbt_has(roi, ">Mean score</text>"));
	ck_assert(cbt_has(roi, ">MTTR &lt;fast &amp; \"safe\"&gt;</text>"));
	ck_assert(cbt_has(md, "| Mean score | 500.00 EUR/points (level) |"));
	/* Outcome agreements name the KPI. */
	ck_assert(cbt_has(outcomes, "<tr><td>a1</td><td>First-time fix rate</td>"));
	ck_assert(cbt_has(outcomes, "<tr><td>a2</td><td>MTTR &lt;fast &amp; \"safe\"&gt;</td>"));
	ck_assert(cbt_has(strstr(md, "Outcome agreements"), "| a1 | First-time fix rate |"));
	snprintf(want, sizeof(want), "| a2 | %s |", md_escaped("MTTR <fast & \"safe\">"));
	ck_assert(cbt_has(strstr(md, "Outcome agreements"), want));
	/* The KPI table labels the rate's changes in pp. */
	ck_assert(cbt_has(html, "<td>% (pp)</td>"));
	no_key_visible("the session's HTML report", seen);
	no_key_visible("the session's Markdown report", md);
	free(seen);
	free(html);
	free(md);
	/* The account's own numbers, too. */
	html = report("a.html", "--account", "a1");
	seen = visible_text(html);
	ck_assert(cbt_has(strstr(html, "This account's numbers"), "<tr><td>First-time fix rate</td>"));
	no_key_visible("the account's HTML report", seen);
	md = report("a.md", "--account", "a1");
	no_key_visible("the account's Markdown report", md);
	free(seen);
	free(html);
	free(md);
	json_decref(impact);
}
END_TEST

/* The pre-training warning of the rate as `impact --json` gives its window
 * and difference, in the report's words: led by the name, in pp. */
static void pretrend_words(char *buf, size_t size, json_t *impact, int md)
{
	json_t *k = cbt_kpi_of(impact, "r_fix"), *pre = json_object_get(k, "pre_trend"), *e, *ev = NULL;
	int window, W = (int)json_integer_value(json_object_get(json_object_get(impact, "windows"), "days"));
	size_t i;

	ck_assert(json_is_true(json_object_get(pre, "warning")));
	window = (int)json_integer_value(json_object_get(pre, "window"));
	json_array_foreach(json_object_get(k, "event_study"), i, e)
		if (json_integer_value(json_object_get(e, "window")) == window)
			ev = e;
	ck_assert_ptr_nonnull(ev);
	snprintf(buf, size,
		 "Warning: First-time fix rate: the trained accounts were already moving apart "
		 "before training (window %d, %d to %d days before it: %+.2f pp %s%.2f, %.2f%s "
		 "against the baseline): the effect may not be the training's.",
		 window, -window * W, (-window - 1) * W, cbt_num(ev, "effect", NULL), md ? "\\[" : "[",
		 cbt_num(ev, "effect_ci", "low"), cbt_num(ev, "effect_ci", "high"), md ? "\\]" : "]");
}

START_TEST(pretrend_warning_in_the_report)
{
	json_t *impact = IMPACT("--session", "tco-2025-03-03");
	char *html = report("s.html", "--session", "tco-2025-03-03");
	char *md = report("s.md", "--session", "tco-2025-03-03"), want[600];
	json_t *k = cbt_kpi_of(impact, "r_fix"), *ev;
	size_t i, pre = 0;

	/* Planted: +15 pp a window before training, against a flat control;
	 * the placebo windows' differences hold it (about -15 and -30 pp). */
	ck_assert(json_is_true(json_object_get(json_object_get(k, "pre_trend"), "warning")));
	json_array_foreach(json_object_get(k, "event_study"), i, ev) {
		int w = (int)json_integer_value(json_object_get(ev, "window"));

		if (w >= -1)
			continue;
		ck_assert_double_eq_tol(cbt_num(ev, "effect", NULL), 15.0 * (w + 1), 3.0);
		pre++;
	}
	ck_assert_uint_eq(pre, 2);
	ck_assert(json_is_false(json_object_get(json_object_get(cbt_kpi_of(impact, "t_mean"), "pre_trend"),
						"warning")));
	ck_assert_int_eq(cbt_num(impact, "counts", "pre_trend_warnings"), 1);
	pretrend_words(want, sizeof(want), impact, 0);
	ck_assert_msg(cbt_has(html, want), "HTML lacks: %s", want);
	ck_assert(cbt_has(html, "<p class=\"warning\">Warning: First-time fix rate: the trained"));
	pretrend_words(want, sizeof(want), impact, 1);
	ck_assert_msg(cbt_has(md, want), "Markdown lacks: %s", want);
	/* The exposure's words count it, on the first screen too. */
	ck_assert(cbt_has(json_string_value(json_object_get(impact, "summary")),
			  "For 1 KPI the trained accounts were already moving apart from the untrained "
			  "ones before training; its effect may not be the training's"));
	ck_assert(cbt_has(html, "For 1 KPI the trained accounts were already moving apart"));
	/* impact's own text leads with the key, in pp as well. */
	{
		char *text = IMPACT_TEXT("--session", "tco-2025-03-03");

		ck_assert(cbt_has(text, "Warning: r_fix: the trained accounts were already moving apart"));
		ck_assert(cbt_has(text, " pp ["));
		free(text);
	}
	json_decref(impact);
	free(html);
	free(md);
}
END_TEST

/* The caveats of the words against golden files (tests/app/golden/, as in
 * test_impact_cli.c; CASEBOOK_UPDATE_GOLDEN=1 rewrites them): few accounts
 * (the webinar's 6), and a pre-training trend (the rate). The same
 * paragraph under impact's table and in the report's KPI figure. */
START_TEST(caveats_match_their_golden_files)
{
	static const struct {
		const char *session, *kpi, *file, *caveat;
	} cases[] = {
		{"tco-2025-03-10", "t_mean", "words-caveat-few-accounts.txt",
		 " Few accounts (6 trained, 14 untrained): the interval is wide, and one account's "
		 "own story can move the result."},
		{"tco-2025-03-03", "r_fix", "words-caveat-pre-trend.txt",
		 " Caution: the trained accounts were already moving apart before training (window "},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *impact = IMPACT("--session", cases[i].session);
		const char *got = json_string_value(json_object_get(cbt_kpi_of(impact, cases[i].kpi), "summary"));
		char path[4096], *want, *text, *md;

		ck_assert_msg(cbt_has(got, cases[i].caveat), "%s lacks its caveat: %s", cases[i].file,
			      got);
		snprintf(path, sizeof(path), "%s/tests/app/golden/%s", CASEBOOK_SOURCE_DIR,
			 cases[i].file);
		if (getenv("CASEBOOK_UPDATE_GOLDEN")) {
			FILE *f = fopen(path, "w");

			ck_assert_ptr_nonnull(f);
			fprintf(f, "%s\n", got);
			fclose(f);
			json_decref(impact);
			continue;
		}
		want = cbt_slurp(path);
		want[strcspn(want, "\n")] = '\0';
		ck_assert_msg(strcmp(got, want) == 0, "%s differs:\n got: %s\nwant: %s", cases[i].file,
			      got, want);
		text = IMPACT_TEXT("--session", cases[i].session);
		ck_assert_msg(cbt_has(text, want), "impact's text lacks %s", cases[i].file);
		md = report("w.md", "--session", cases[i].session);
		ck_assert_msg(cbt_has(md, md_escaped(want)), "the report lacks %s", cases[i].file);
		free(text);
		free(md);
		free(want);
		json_decref(impact);
	}
}
END_TEST

/* --by trainer: each trainer's sessions against the same control rule;
 * here each trainer taught one session, so a group's effects are that
 * session's own, and trainer and format cannot be told apart. */
START_TEST(by_trainer_compares_the_trainers)
{
	json_t *by = IMPACT("--program", "tco", "--by", "trainer"), *g;
	static const char *const want[][2] = {{"ana", "tco-2025-03-03"}, {"bo", "tco-2025-03-10"}};
	char *text = IMPACT_TEXT("--program", "tco", "--by", "trainer");
	size_t i;

	ck_assert_str_eq(json_string_value(json_object_get(by, "by")), "trainer");
	ck_assert_uint_eq(json_array_size(json_object_get(by, "groups")), 2);
	json_array_foreach(json_object_get(by, "groups"), i, g) {
		json_t *im = json_object_get(g, "impact"), *one = IMPACT("--session", want[i][1]);
		json_t *sessions = json_object_get(im, "sessions");

		ck_assert_str_eq(json_string_value(json_object_get(g, "trainer")), want[i][0]);
		ck_assert_uint_eq(json_array_size(sessions), 1);
		ck_assert_str_eq(json_string_value(json_object_get(json_array_get(sessions, 0), "session")),
				 want[i][1]);
		ck_assert_int_eq(json_integer_value(json_object_get(im, "exposed_accounts")),
				 i == 0 ? 20 : 6);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			ck_assert_double_eq_tol(cbt_num(cbt_kpi_of(im, keys[k]), "effect", NULL),
						cbt_num(cbt_kpi_of(one, keys[k]), "effect", NULL), 1e-9);
			ck_assert_str_eq(json_string_value(json_object_get(cbt_kpi_of(im, keys[k]), "verdict")),
					 json_string_value(json_object_get(cbt_kpi_of(one, keys[k]), "verdict")));
		}
		json_decref(one);
	}
	/* Ana's accounts gained 8 points against Bo's 5: the comparison says so. */
	ck_assert(cbt_has(json_string_value(json_object_get(by, "summary")),
			  "By trainer: ana moved Mean score most"));
	ck_assert(cbt_has(json_string_value(json_object_get(by, "confounded")),
			  "trainer and format cannot be told apart in these sessions: each of the 2 "
			  "trainers delivered one format only"));
	ck_assert_msg(cbt_has(text, "trainer ana: ") && cbt_has(text, "trainer bo: "), "%s", text);
	ck_assert(cbt_has(text, "By trainer: ana moved Mean score most"));
	free(text);
	json_decref(by);
}
END_TEST

/* The day `days` after a date, by the C library's calendar, not
 * Casebook's. */
static void date_after(char *out, const char *date, int days)
{
	struct tm tm = {0};

	ck_assert(sscanf(date, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) == 3);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_mday += days; /* mktime carries it into the month and year */
	tm.tm_hour = 12;
	tm.tm_isdst = -1;
	ck_assert(mktime(&tm) != (time_t)-1);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Every cohort's window dates are in plain --json (no --detail): the
 * baseline the 90 days before its first day, the follow-up 90 days after
 * its last with 14 whole days skipped. */
START_TEST(cohort_windows_without_detail)
{
	json_t *im = IMPACT("--program", "tco"), *c, *w;
	static const char *const days[][2] = {{"2025-03-03", "2025-03-05"},
					      {"2025-03-10", "2025-03-10"}};
	char want[16];
	size_t i;

	ck_assert_uint_eq(json_array_size(json_object_get(im, "cohorts")), 2);
	ck_assert(!json_object_get(cbt_kpi_of(im, "t_mean"), "accounts")); /* not the detail */
	json_array_foreach(json_object_get(im, "cohorts"), i, c) {
		ck_assert_str_eq(json_string_value(json_object_get(c, "first_day")), days[i][0]);
		ck_assert_str_eq(json_string_value(json_object_get(c, "last_day")), days[i][1]);
		w = json_object_get(c, "windows");
		ck_assert_msg(json_is_object(w), "cohort %zu has no windows", i);
		date_after(want, days[i][0], -90);
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(w, "baseline"),
								   "first_day")), want);
		date_after(want, days[i][0], -1);
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(w, "baseline"),
								   "last_day")), want);
		date_after(want, days[i][1], 15);
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(w, "follow_up"),
								   "first_day")), want);
		date_after(want, days[i][1], 14 + 90);
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(w, "follow_up"),
								   "last_day")), want);
	}
	json_decref(im);
}
END_TEST

/* Phillips: the benefit of a valued KPI is its improvement (the effect in
 * its good direction) x value x trained accounts; the program's is their
 * sum, conservatively each at its interval's worse end. */
START_TEST(program_roi_sums_valued_kpis_conservatively)
{
	json_t *impact = IMPACT("--session", "tco-2025-03-03"), *roi = json_object_get(impact, "roi");
	double benefit = 0, low = 0, cost = cbt_num(impact, "cost", "amount");
	char *text = IMPACT_TEXT("--session", "tco-2025-03-03");
	char *html = report("s.html", "--session", "tco-2025-03-03");
	char *md = report("s.md", "--session", "tco-2025-03-03");
	char want[600], b[64], l[64], c[64];
	const char *summary;

	ck_assert_double_eq(cost, 20000);
	for (size_t i = 0; i < 2; i++) {
		json_t *k = cbt_kpi_of(impact, keys[i]), *v = json_object_get(k, "roi");
		int higher = strcmp(json_string_value(json_object_get(k, "better")), "higher") == 0;
		double per = cbt_num(v, "per_unit", NULL), n = cbt_num(k, "exposed", "paired");
		double e = cbt_num(k, "effect", NULL);
		double worse = higher ? cbt_num(k, "effect_ci", "low") : cbt_num(k, "effect_ci", "high");

		ck_assert_str_eq(json_string_value(json_object_get(v, "kind")), "level");
		ck_assert_double_eq(n, 20);
		benefit += (higher ? e : -e) * per * n;
		low += (higher ? worse : -worse) * per * n;
	}
	/* The unvalued rate counts for nothing. */
	ck_assert(json_is_null(json_object_get(cbt_kpi_of(impact, "r_fix"), "roi")));
	ck_assert(low < benefit && low > 0);
	ck_assert_int_eq(json_integer_value(json_object_get(roi, "kpis")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(roi, "left_out")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(roi, "currency")), "EUR");
	ck_assert_double_eq_tol(cbt_num(roi, "benefit", NULL), benefit, 1e-6);
	ck_assert_double_eq_tol(cbt_num(roi, "benefit_conservative", NULL), low, 1e-6);
	ck_assert_double_eq(cbt_num(roi, "cost", NULL), cost);
	ck_assert_double_eq_tol(cbt_num(roi, "roi_percent", NULL), (benefit - cost) / cost * 100, 1e-9);
	ck_assert_double_eq_tol(cbt_num(roi, "roi_percent_conservative", NULL), (low - cost) / cost * 100,
				1e-9);
	ck_assert_double_eq_tol(cbt_num(roi, "bcr", NULL), benefit / cost, 1e-12);
	ck_assert_double_eq_tol(cbt_num(roi, "bcr_conservative", NULL), low / cost, 1e-12);

	/* In words: the same sentence in --json, impact's text and the report. */
	money(b, sizeof(b), benefit, "EUR");
	money(l, sizeof(l), low, "EUR");
	money(c, sizeof(c), cost, "EUR");
	snprintf(want, sizeof(want),
		 "Return on investment: the 2 KPIs with a money value bring %s a year (%s at the "
		 "conservative end of their intervals) against the sessions' cost of %s: ROI %.0f%% "
		 "(%.0f%% conservatively), benefit/cost %.2f (%.2f).",
		 b, l, c, (benefit - cost) / cost * 100, (low - cost) / cost * 100, benefit / cost,
		 low / cost);
	summary = json_string_value(json_object_get(roi, "summary"));
	ck_assert_msg(strncmp(summary, want, strlen(want)) == 0, "roi.summary: %s\nwant: %s", summary,
		      want);
	ck_assert(cbt_has(summary, " The total counts the gains of Mean score and MTTR <fast & "
				   "\"safe\"> once each: if two of them measure the same gain, it "
				   "counts that gain twice."));
	ck_assert_msg(cbt_has(text, summary), "impact's text lacks the ROI line: %s", summary);
	ck_assert_msg(cbt_has(md, md_escaped(summary)), "the Markdown report lacks the ROI line");
	ck_assert_msg(cbt_has(html, want), "the HTML report lacks the ROI line");
	ck_assert(cbt_has(html, "MTTR &lt;fast &amp; \"safe\"&gt; once each: if two of them measure "
				"the same gain, it counts that gain twice."));
	/* The first screen's card: ROI at the effect, conservatively, and the money. */
	snprintf(want, sizeof(want),
		 "<span>Return on investment</span><b>ROI %.0f%%</b><span>%.0f%% conservatively; %s a "
		 "year (%s) for %s</span>",
		 (benefit - cost) / cost * 100, (low - cost) / cost * 100, b, l, c);
	ck_assert_msg(cbt_has(html, want), "the first screen lacks %s", want);
	snprintf(want, sizeof(want),
		 "- **Return on investment**: ROI %.0f%% (%.0f%% conservatively; %s a year (%s) for %s)",
		 (benefit - cost) / cost * 100, (low - cost) / cost * 100, b, l, c);
	ck_assert_msg(cbt_has(md, want), "the Markdown first screen lacks %s", want);
	json_decref(impact);
	free(text);
	free(html);
	free(md);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report_names");
	TCase *tc = tcase_create("names");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, by_format_table_names_kpis_and_labels_pp);
	tcase_add_test(tc, roi_and_outcome_tables_name_kpis);
	tcase_add_test(tc, program_roi_sums_valued_kpis_conservatively);
	tcase_add_test(tc, pretrend_warning_in_the_report);
	tcase_add_test(tc, caveats_match_their_golden_files);
	tcase_add_test(tc, by_trainer_compares_the_trainers);
	tcase_add_test(tc, cohort_windows_without_detail);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
