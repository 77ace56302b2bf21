/* `casebook impact` and `casebook outcome` on data built with a known
 * effect, checked against hand arithmetic and against plain SQL run by the
 * sqlite3 CLI on the same database. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static char *ws;

static const char test_plugin[] =
	"casebook.api(1)\n"
	"casebook.measure { key = 't.score', unit = 'points', min = 0, max = 100, doc = 'a score' }\n"
	"casebook.kpi { key = 't_mean', name = 'Mean score', unit = 'points', better = 'higher',\n"
	"  inputs = { 't.score' }, doc = 'mean of the scores', compute = function(w)\n"
	"    local s = w['t.score']; if #s == 0 then return nil, 'no scores' end; return s:mean() end }\n"
	"casebook.measure { key = 't.hours', unit = 'h', min = 0, doc = 'repair hours' }\n"
	"casebook.kpi { key = 't_mttr', name = 'MTTR', unit = 'h', better = 'lower',\n"
	"  inputs = { 't.hours' }, doc = 'mean repair time', compute = function(w)\n"
	"    local s = w['t.hours']; if #s == 0 then return nil, 'no repairs' end; return s:mean() end }\n"
	"casebook.measure { key = 't.rare', unit = 'x', doc = 'seldom recorded' }\n"
	"casebook.kpi { key = 't_rare', name = 'Rare', unit = 'x', better = 'higher',\n"
	"  inputs = { 't.rare' }, doc = 'mean', compute = function(w)\n"
	"    local s = w['t.rare']; if #s == 0 then return nil, 'nothing recorded' end; return s:mean() end }\n"
	"casebook.kpi { key = 't_low', name = 'Score, lower is better', unit = 'points', better = 'lower',\n"
	"  inputs = { 't.score' }, doc = 'the same scores, read the other way', compute = function(w)\n"
	"    local s = w['t.score']; if #s == 0 then return nil, 'no scores' end; return s:mean() end }\n"
	"casebook.measure { key = 't.flat', unit = 'x', doc = 'the same every window' }\n"
	"casebook.kpi { key = 't_flat', name = 'Flat', unit = 'x', better = 'higher',\n"
	"  inputs = { 't.flat' }, doc = 'mean', compute = function(w)\n"
	"    local s = w['t.flat']; if #s == 0 then return nil, 'nothing' end; return s:mean() end }\n";

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

/* A small deterministic noise source, so the data is the same every run. */
static unsigned long lcg = 12345;
static double noise(void)
{
	lcg = lcg * 6364136223846793005UL + 1442695040888963407UL;
	return (double)((lcg >> 33) % 2001) / 1000.0 - 1.0; /* -1..1 */
}

/* 20 exposed accounts (a1..a20, served by the session) and 20 others;
 * scores rise by `up_exposed` / `up_control` points after the session,
 * repair hours fall by 3 / 1. */
static void build(double up_exposed, double up_control)
{
	char accounts[512] = "", *p;
	FILE *f;
	char path[4096];
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
		double base = 50 + (i % 7) * 3, up = i <= 20 ? up_exposed : up_control;

		for (int d = 1; d <= 28; d++) {
			/* January is in the baseline window, April-May in the follow-up;
			 * March 10 is in neither (between the session and the lag). */
			fprintf(f, "a%d,t.score,2025-01-%02d,%.3f\n", i, d, base + noise());
			fprintf(f, "a%d,t.score,2025-04-%02d,%.3f\n", i, d, base + up + noise());
			fprintf(f, "a%d,t.score,2025-03-10,99\n", i);
			fprintf(f, "a%d,t.hours,2025-01-%02dT10:00:00Z,%.3f\n", i, d, 10 + noise() / 4);
			fprintf(f, "a%d,t.hours,2025-05-%02dT10:00:00Z,%.3f\n", i, d,
				10 - (i <= 20 ? 3 : 1) + noise() / 4);
		}
		/* t.flat: each account's own level, the same in both windows */
		fprintf(f, "a%d,t.flat,2025-01-10,%d\na%d,t.flat,2025-04-10,%d\n", i, i % 5, i, i % 5);
		if (i <= 2) /* only two exposed accounts ever record t.rare */
			fprintf(f, "a%d,t.rare,2025-01-05,1\na%d,t.rare,2025-04-05,2\n", i, i);
	}
	fclose(f);
	cbt_casebook(&r, ws, NULL, "data", "import", path, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
}

static void setup(void)
{
	ws = cbt_workspace();
	lcg = 12345;
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

static json_t *impact_json(const char *const *extra)
{
	json_error_t jerr;
	json_t *v;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "impact", "--session", "tco-2025-03-03", "--json", extra[0],
		     extra[1], extra[2], extra[3], extra[4], extra[5], NULL);
	ck_assert_msg(r.status == 0, "impact: %s", r.err);
	v = json_loads(r.out, 0, &jerr);
	ck_assert_msg(v != NULL, "not JSON: %s", r.out);
	cbt_run_free(&r);
	return v;
}

#define impact(...) impact_json((const char *const[7]){__VA_ARGS__})

static double dget(json_t *o, const char *path)
{
	char buf[128], *save = NULL, *tok;
	json_t *v = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	ck_assert_msg(json_is_number(v), "%s is not a number", path);
	return json_number_value(v);
}

START_TEST(known_effect_is_found_and_intervals_cover_it)
{
	json_t *rep, *k;

	build(8, 2);
	rep = impact(NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(rep, "exposed_accounts")), 20);
	ck_assert_int_eq(dget(rep, "control.accounts"), 20);
	k = cbt_kpi_of(rep, "t_mean");
	ck_assert(json_is_true(json_object_get(k, "difference_in_differences")));
	ck_assert_msg(dget(k, "effect_ci.low") < 6 && dget(k, "effect_ci.high") > 6,
		      "effect interval [%g, %g] misses 6", dget(k, "effect_ci.low"),
		      dget(k, "effect_ci.high"));
	ck_assert(dget(k, "effect_ci.low") > 0);
	ck_assert(json_is_true(json_object_get(k, "excludes_zero")));
	ck_assert_double_eq_tol(dget(k, "exposed.change"), 8, 0.5);
	ck_assert_double_eq_tol(dget(k, "control.change"), 2, 0.5);
	ck_assert_str_eq(json_string_value(json_object_get(k, "verdict")), "improved");
	/* March 10 (between the session and the lag) is in neither window. */
	ck_assert_int_eq(dget(k, "observations.exposed_baseline"), 20 * 28);
	ck_assert_int_eq(dget(k, "observations.exposed_follow_up"), 20 * 28);
	/* Kirkpatrick levels 1 and 2 from the attendance. */
	ck_assert_double_eq(dget(rep, "kirkpatrick.level1_reaction.mean"), 4);
	ck_assert_double_eq(dget(rep, "kirkpatrick.level2_learning.gain"), 30);
	json_decref(rep);
}
END_TEST

START_TEST(no_effect_interval_covers_zero)
{
	json_t *rep, *k;

	build(2, 2);
	rep = impact(NULL);
	k = cbt_kpi_of(rep, "t_mean");
	ck_assert_msg(dget(k, "effect_ci.low") < 0 && dget(k, "effect_ci.high") > 0,
		      "no-effect interval [%g, %g] excludes 0", dget(k, "effect_ci.low"),
		      dget(k, "effect_ci.high"));
	ck_assert(json_is_false(json_object_get(k, "excludes_zero")));
	ck_assert_str_eq(json_string_value(json_object_get(k, "verdict")), "no clear change");
	ck_assert(json_is_false(json_object_get(k, "significant")));
	json_decref(rep);
}
END_TEST

/* The line of `text` that starts with `prefix` (after a newline), or NULL;
 * caller frees. */
static char *line_of(const char *text, const char *prefix)
{
	char pattern[256];
	const char *at;

	snprintf(pattern, sizeof(pattern), "\n%s", prefix);
	at = strstr(text, pattern);
	return at ? strndup(at + 1, strcspn(at + 1, "\n")) : NULL;
}

/* The four outputs say the same verdict for the same KPI: the table, the
 * CSV, the JSON and the report (HTML and Markdown), for an improved, a
 * worsened, an unchanged and a too-thin KPI. */
START_TEST(verdicts_agree_across_outputs)
{
	static const char *const kpis[][2] = {
		{"t_mean", "improved"},
		{"t_low", "worsened"},
		{"t_flat", "no clear change"},
		{"t_rare", "too little data"},
	};
	json_t *rep;
	cbt_run text, csv;
	char *html, *md, out[4200];
	int st;

	build(8, 2);
	rep = impact(NULL);
	cbt_casebook(&text, ws, NULL, "impact", "--session", "tco-2025-03-03", NULL);
	cbt_casebook(&csv, ws, NULL, "impact", "--session", "tco-2025-03-03", "--csv", NULL);
	ck_assert_int_eq(text.status, 0);
	ck_assert_int_eq(csv.status, 0);
	snprintf(out, sizeof(out), "%s/r.html", ws);
	ok("report", "--session", "tco-2025-03-03", "--out", out);
	snprintf(out, sizeof(out), "%s/r.md", ws);
	ok("report", "--session", "tco-2025-03-03", "--out", out);
	html = cbt_sh(&st, "cat '%s/r.html'", ws);
	md = cbt_sh(&st, "cat '%s/r.md'", ws);
	for (size_t i = 0; i < sizeof(kpis) / sizeof(kpis[0]); i++) {
		const char *key = kpis[i][0], *want = kpis[i][1], *name;
		char pattern[256], *line;
		const char *at;

		ck_assert_str_eq(json_string_value(json_object_get(cbt_kpi_of(rep, key), "verdict")), want);
		/* The text table's row. */
		snprintf(pattern, sizeof(pattern), "%s ", key);
		line = line_of(text.out, pattern);
		ck_assert_msg(line && cbt_has(line, want), "text row of %s lacks '%s':\n%s", key,
			      want, text.out);
		free(line);
		/* The CSV row, its verdict column. */
		snprintf(pattern, sizeof(pattern), "%s,", key);
		line = line_of(csv.out, pattern);
		snprintf(pattern, sizeof(pattern), ",%s,", want);
		ck_assert_msg(line && cbt_has(line, pattern), "CSV row of %s lacks '%s'", key, want);
		free(line);
		/* The report's summary table (the KPI by its name): the row's
		 * last cell. */
		name = json_string_value(json_object_get(cbt_kpi_of(rep, key), "name"));
		snprintf(pattern, sizeof(pattern), "<tr class=\"%s\"><td class=\"w\">%s</td>",
			 i == 0 ? "improved" : i == 1 ? "worsened" : i == 2 ? "ns" : "thin", name);
		at = strstr(html, pattern);
		ck_assert_msg(at, "no HTML row %s", pattern);
		line = strndup(at, (size_t)(strstr(at, "</tr>") - at));
		snprintf(pattern, sizeof(pattern), "<td class=\"v\">%s</td>", want);
		ck_assert_msg(cbt_has(line, pattern), "HTML row of %s lacks '%s': %s", key, want, line);
		free(line);
		/* The Markdown table's row. */
		snprintf(pattern, sizeof(pattern), "| %s |", name);
		line = line_of(md, pattern);
		snprintf(pattern, sizeof(pattern), "| %s |", want);
		ck_assert_msg(line && cbt_has(line, pattern), "Markdown row of %s lacks '%s'", key,
			      want);
		free(line);
	}
	free(html), free(md);
	cbt_run_free(&text), cbt_run_free(&csv);
	json_decref(rep);
}
END_TEST

/* The words of each verdict against their golden files (tests/app/golden/;
 * CASEBOOK_UPDATE_GOLDEN=1 rewrites them, to be read before committing).
 * The same paragraphs under the text table. */
START_TEST(words_match_their_golden_files)
{
	static const char *const files[][2] = {
		{"t_mean", "words-improved.txt"},
		{"t_low", "words-worsened.txt"},
		{"t_flat", "words-no-clear-change.txt"},
		{"t_rare", "words-too-little-data.txt"},
		{NULL, "words-exposure.txt"},
	};
	json_t *rep;
	cbt_run text;

	build(8, 2);
	rep = impact(NULL);
	cbt_casebook(&text, ws, NULL, "impact", "--session", "tco-2025-03-03", NULL);
	ck_assert_int_eq(text.status, 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *got = json_string_value(
			json_object_get(files[i][0] ? cbt_kpi_of(rep, files[i][0]) : rep, "summary"));
		char path[4096], *want;
		int st;

		snprintf(path, sizeof(path), "%s/tests/app/golden/%s", CASEBOOK_SOURCE_DIR, files[i][1]);
		ck_assert_ptr_nonnull(got);
		if (getenv("CASEBOOK_UPDATE_GOLDEN")) {
			FILE *f = fopen(path, "w");

			ck_assert_ptr_nonnull(f);
			fprintf(f, "%s\n", got);
			fclose(f);
			continue;
		}
		want = cbt_sh(&st, "cat '%s'", path);
		ck_assert_int_eq(st, 0);
		want[strcspn(want, "\n")] = '\0';
		ck_assert_msg(strcmp(got, want) == 0, "%s differs:\n got: %s\nwant: %s", files[i][1],
			      got, want);
		ck_assert_msg(cbt_has(text.out, want), "the text output lacks %s", files[i][1]);
		free(want);
	}
	/* --quiet leaves the words out, and nothing else. */
	{
		cbt_run quiet;

		cbt_casebook(&quiet, ws, NULL, "impact", "--session", "tco-2025-03-03", "--quiet", NULL);
		ck_assert_int_eq(quiet.status, 0);
		ck_assert(!cbt_has(quiet.out, "In words:"));
		ck_assert(cbt_has(text.out, "In words:"));
		ck_assert(strncmp(quiet.out, text.out, strlen(quiet.out)) == 0);
		cbt_run_free(&quiet);
	}
	cbt_run_free(&text);
	json_decref(rep);
}
END_TEST

/* Every number in a KPI's words is one --json gives (as the report
 * rounds it), or counts and days the request gives: none is made up. */
static void numbers_come_from(const char *words, json_t *k, json_t *rep)
{
	char allowed[8192] = " ";
	const char *paths[] = {"exposed.paired", "control.paired", "exposed.baseline",
			       "exposed.follow_up", "exposed.change", "control.change", "effect",
			       "effect_ci.low", "effect_ci.high", "p_value", "p_adjusted"};
	double obs = 0, paired = 0;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		json_t *v = k;
		char buf[64], *save = NULL, *tok;

		snprintf(buf, sizeof(buf), "%s", paths[i]);
		for (tok = strtok_r(buf, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save))
			v = json_object_get(v, tok);
		if (!json_is_number(v))
			continue;
		snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed),
			 "%.2f %+.2f %.3f %.0f ", json_number_value(v), json_number_value(v),
			 json_number_value(v), json_number_value(v));
	}
	{
		json_t *w = json_object_get(rep, "windows");
		int W = (int)json_integer_value(json_object_get(w, "days"));
		int L = (int)json_integer_value(json_object_get(w, "lag_days"));

		snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed),
			 "%d %d %d 95 0.001 %lld ", W, L, W + L,
			 (long long)json_integer_value(json_object_get(json_object_get(rep, "counts"),
								    "kpis_tested")));
	}
	obs = dget(k, "observations.exposed_baseline") + dget(k, "observations.exposed_follow_up");
	paired = dget(k, "exposed.paired");
	if (paired > 0)
		snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed), "%.1f ",
			 obs / (2 * paired));
	for (const char *c = words; *c;) {
		if ((*c >= '0' && *c <= '9') ||
		    ((*c == '+' || *c == '-') && c[1] >= '0' && c[1] <= '9')) {
			char tok[64], pattern[70];
			size_t n = 0;

			while (n + 1 < sizeof(tok) && ((*c >= '0' && *c <= '9') || *c == '.' ||
						       ((*c == '+' || *c == '-') && n == 0)))
				tok[n++] = *c++;
			while (n && tok[n - 1] == '.')
				n--; /* a sentence's full stop */
			tok[n] = '\0';
			snprintf(pattern, sizeof(pattern), " %s ", tok);
			ck_assert_msg(cbt_has(allowed, pattern),
				      "the number %s in \"%s\" is not the JSON's (%s)", tok, words,
				      allowed);
			continue;
		}
		/* Letters and digits together (a key like t_mean2) are words. */
		while (*c && (((*c | 32) >= 'a' && (*c | 32) <= 'z') || *c == '_'))
			c++;
		if (*c && !((*c >= '0' && *c <= '9') || *c == '+' || *c == '-'))
			c++;
		else if (*c == '+' || *c == '-')
			c++;
	}
}

START_TEST(every_number_in_the_words_is_the_jsons)
{
	json_t *rep, *k;
	size_t i;

	build(8, 2);
	rep = impact(NULL);
	json_array_foreach(json_object_get(rep, "kpis"), i, k) {
		const char *words = json_string_value(json_object_get(k, "summary"));

		if (json_is_true(json_object_get(k, "thin")))
			continue;
		numbers_come_from(words, k, rep);
	}
	json_decref(rep);
}
END_TEST

/* Benjamini-Hochberg recomputed from the JSON's raw p-values: the adjusted
 * value of rank i (of m, ascending) is min over j >= i of p(j) m / j. */
static double bh_adjusted(json_t *rep, const char *key)
{
	double p[16], mine = NAN, best = 1;
	size_t m = 0, i, rank = 0;
	json_t *k;

	json_array_foreach(json_object_get(rep, "kpis"), i, k) {
		if (json_is_true(json_object_get(k, "thin")))
			continue;
		ck_assert_uint_lt(m, 16);
		p[m++] = dget(k, "p_value");
		if (strcmp(json_string_value(json_object_get(k, "kpi")), key) == 0)
			mine = p[m - 1];
	}
	ck_assert(isfinite(mine));
	for (size_t a = 0; a < m; a++) /* ascending, by insertion */
		for (size_t b = a; b > 0 && p[b - 1] > p[b]; b--) {
			double t = p[b];

			p[b] = p[b - 1], p[b - 1] = t;
		}
	while (rank < m && p[rank] != mine)
		rank++;
	for (size_t j = m; j-- > rank;)
		best = fmin(best, p[j] * (double)m / (double)(j + 1));
	return best;
}

/* A KPI whose own p is below 0.05 but whose Benjamini-Hochberg value,
 * testing 2 KPIs at once, is above it: its interval excludes 0, yet its
 * verdict is "no clear change", and the summary line counts it as
 * improved before adjusting and not after. (The scores of the trained
 * accounts rise 0.135 points more than the others': found by trying, a
 * p of about 0.04; t_flat, testing nothing, has a p of 1.) */
START_TEST(adjusting_for_several_kpis_can_undo_a_clear_interval)
{
	json_t *rep, *k, *counts;
	cbt_run text;
	char want[512];
	size_t i, improved = 0, improved_adjusted = 0, tested = 0;

	build(2.135, 2);
	rep = impact("--kpi", "t_mean", "--kpi", "t_flat", NULL);
	k = cbt_kpi_of(rep, "t_mean");
	ck_assert_msg(dget(k, "p_value") < 0.05, "p %g", dget(k, "p_value"));
	ck_assert(dget(k, "effect_ci.low") > 0);
	ck_assert(json_is_true(json_object_get(k, "excludes_zero")));
	ck_assert_double_eq_tol(dget(k, "p_adjusted"), bh_adjusted(rep, "t_mean"), 1e-12);
	ck_assert_msg(dget(k, "p_adjusted") > 0.05, "adjusted p %g", dget(k, "p_adjusted"));
	ck_assert(json_is_false(json_object_get(k, "significant")));
	ck_assert_str_eq(json_string_value(json_object_get(k, "verdict")), "no clear change");
	ck_assert_str_eq(json_string_value(json_object_get(k, "direction")), "better");
	ck_assert_double_eq_tol(dget(cbt_kpi_of(rep, "t_flat"), "p_adjusted"),
				bh_adjusted(rep, "t_flat"), 1e-12);
	/* The words say no clear change, and give both chances. */
	snprintf(want, sizeof(want),
		 "a difference this large would come up by chance with a probability of %.3f (%.3f "
		 "allowing for testing 2 KPIs at once).",
		 dget(k, "p_value"), dget(k, "p_adjusted"));
	ck_assert_msg(cbt_has(json_string_value(json_object_get(k, "summary")), want), "%s",
		      json_string_value(json_object_get(k, "summary")));
	ck_assert(strncmp(json_string_value(json_object_get(k, "summary")),
			  "Mean score: no clear change.", 28) == 0);
	/* The counts from the KPIs' own fields, and the summary line. */
	json_array_foreach(json_object_get(rep, "kpis"), i, k) {
		if (json_is_true(json_object_get(k, "thin")))
			continue;
		tested++;
		improved += json_is_true(json_object_get(k, "excludes_zero")) &&
			    strcmp(json_string_value(json_object_get(k, "direction")), "better") == 0;
		improved_adjusted +=
			strcmp(json_string_value(json_object_get(k, "verdict")), "improved") == 0;
	}
	ck_assert_uint_eq(tested, 2);
	ck_assert_uint_eq(improved, 1);
	ck_assert_uint_eq(improved_adjusted, 0);
	counts = json_object_get(rep, "counts");
	ck_assert_int_eq(dget(counts, "kpis_tested"), (double)tested);
	ck_assert_int_eq(dget(counts, "improved"), (double)improved);
	ck_assert_int_eq(dget(counts, "improved_adjusted"), (double)improved_adjusted);
	snprintf(want, sizeof(want),
		 "%zu of %zu KPIs improved, 0 worsened (interval excluding 0); after adjusting for "
		 "testing %zu KPIs at once (Benjamini-Hochberg): %zu improved, 0 worsened.",
		 improved, tested, tested, improved_adjusted);
	ck_assert_str_eq(json_string_value(json_object_get(counts, "line")), want);
	cbt_casebook(&text, ws, NULL, "impact", "--session", "tco-2025-03-03", "--kpi", "t_mean",
		     "--kpi", "t_flat", NULL);
	ck_assert_int_eq(text.status, 0);
	ck_assert_msg(cbt_has(text.out, want), "the text lacks the summary line:\n%s", text.out);
	ck_assert(cbt_has(text.out, "Of the 2 KPIs with enough data, 0 improved and 0 got worse "
				    "clearly enough to hold when testing 2 KPIs at once; 2 show no "
				    "clear change."));
	cbt_run_free(&text);
	json_decref(rep);
}
END_TEST

/* With every KPI: the summary line of 4 KPIs, counted from their fields. */
START_TEST(summary_line_of_several_kpis)
{
	json_t *rep, *k;
	cbt_run text;
	char want[512];
	size_t i, n[4] = {0}; /* improved, worsened, after adjusting */

	build(8, 2);
	rep = impact(NULL);
	json_array_foreach(json_object_get(rep, "kpis"), i, k) {
		const char *dir = json_string_value(json_object_get(k, "direction"));
		const char *verdict = json_string_value(json_object_get(k, "verdict"));
		int clear = json_is_true(json_object_get(k, "excludes_zero"));

		n[0] += clear && strcmp(dir, "better") == 0;
		n[1] += clear && strcmp(dir, "worse") == 0;
		n[2] += strcmp(verdict, "improved") == 0;
		n[3] += strcmp(verdict, "worsened") == 0;
	}
	ck_assert_int_eq(dget(rep, "counts.kpis_tested"), 4);
	ck_assert_uint_eq(n[0], 2); /* t_mean, t_mttr */
	ck_assert_uint_eq(n[1], 1); /* t_low */
	snprintf(want, sizeof(want),
		 "%zu of 4 KPIs improved, %zu worsened (interval excluding 0); after adjusting for "
		 "testing 4 KPIs at once (Benjamini-Hochberg): %zu improved, %zu worsened.",
		 n[0], n[1], n[2], n[3]);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rep, "counts"), "line")),
			 want);
	cbt_casebook(&text, ws, NULL, "impact", "--session", "tco-2025-03-03", NULL);
	ck_assert_int_eq(text.status, 0);
	ck_assert_msg(cbt_has(text.out, want), "the text lacks the summary line:\n%s", text.out);
	cbt_run_free(&text);
	json_decref(rep);
}
END_TEST

START_TEST(lower_is_better_and_thin_data)
{
	json_t *rep, *k;

	build(8, 2);
	rep = impact(NULL);
	k = cbt_kpi_of(rep, "t_mttr");
	ck_assert_double_eq_tol(dget(k, "effect"), -2, 0.2);
	ck_assert(dget(k, "effect_ci.high") < 0);
	ck_assert_str_eq(json_string_value(json_object_get(k, "verdict")), "improved");
	ck_assert_str_eq(json_string_value(json_object_get(k, "direction")), "better");
	ck_assert(json_is_true(json_object_get(k, "significant")));
	/* The same scores read the other way: up is worse. */
	k = cbt_kpi_of(rep, "t_low");
	ck_assert(dget(k, "effect_ci.low") > 0);
	ck_assert_str_eq(json_string_value(json_object_get(k, "direction")), "worse");
	ck_assert_str_eq(json_string_value(json_object_get(k, "verdict")), "worsened");
	ck_assert(json_is_true(json_object_get(k, "significant")));
	k = cbt_kpi_of(rep, "t_rare");
	ck_assert(json_is_true(json_object_get(k, "thin")));
	ck_assert_str_eq(json_string_value(json_object_get(k, "verdict")), "too little data");
	ck_assert_str_eq(json_string_value(json_object_get(k, "direction")), "none");
	ck_assert(json_is_false(json_object_get(k, "significant")));
	ck_assert(json_is_null(json_object_get(k, "effect")));
	ck_assert_msg(cbt_has(json_string_value(json_object_get(k, "reason")),
			      "2 of 20 exposed accounts have a value in both windows; at least 3 needed"),
		      "%s", json_string_value(json_object_get(k, "reason")));
	ck_assert_int_eq(dget(k, "windows_without_value.nil"), 18 * 2 + 20 * 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(k, "windows_without_value"),
							   "nil_reason")),
			 "nothing recorded");
	json_decref(rep);
}
END_TEST

START_TEST(window_values_equal_plain_sql)
{
	json_t *rep, *k, *row;
	size_t i, checked = 0;
	char *sql, *lines;
	int st;

	build(8, 2);
	rep = impact("--detail", "--kpi", "t_mean");
	k = cbt_kpi_of(rep, "t_mean");
	/* The same means, computed by SQL on the same file. */
	sql = cbt_sh(&st,
		     "sqlite3 -readonly -separator ' ' '%s/casebook.db' \""
		     "SELECT a.key, avg(CASE WHEN o.at >= strftime('%%s','2024-12-03') AND o.at < strftime('%%s','2025-03-03') THEN o.value END), "
		     "avg(CASE WHEN o.at >= strftime('%%s','2025-03-20') AND o.at < strftime('%%s','2025-06-18') THEN o.value END) "
		     "FROM observation o JOIN account a ON a.id = o.account_id JOIN measure m ON m.id = o.measure_id "
		     "WHERE m.key = 't.score' GROUP BY a.key ORDER BY a.key\"",
		     ws);
	ck_assert_int_eq(st, 0);
	lines = malloc(strlen(sql) + 2);
	lines[0] = '\n';
	strcpy(lines + 1, sql);
	json_array_foreach(json_object_get(k, "accounts"), i, row) {
		const char *key = json_string_value(json_object_get(row, "account"));
		char pattern[32], *line;
		double b, f;

		/* Each sqlite3 line is "KEY BASELINE FOLLOW_UP"; lines is the
		 * output with a newline in front, so every key follows one. */
		snprintf(pattern, sizeof(pattern), "\n%s ", key);
		line = strstr(lines, pattern);
		ck_assert_msg(line != NULL, "sqlite3 has no row for %s", key);
		line++;
		ck_assert_int_eq(sscanf(line + strlen(key) + 1, "%lf %lf", &b, &f), 2);
		ck_assert_double_eq_tol(json_real_value(json_object_get(row, "baseline")), b, 1e-9);
		ck_assert_double_eq_tol(json_real_value(json_object_get(row, "follow_up")), f, 1e-9);
		checked++;
	}
	ck_assert_uint_eq(checked, 40);
	free(sql);
	free(lines);
	json_decref(rep);
}
END_TEST

START_TEST(controls_named_none_and_refused)
{
	json_t *rep, *k;
	char *before, *after;
	cbt_run r;

	build(8, 2);
	rep = impact("--control", "none", "--kpi", "t_mean");
	k = cbt_kpi_of(rep, "t_mean");
	ck_assert(json_is_false(json_object_get(k, "difference_in_differences")));
	ck_assert_double_eq_tol(dget(k, "effect"), dget(k, "exposed.change"), 1e-12);
	json_decref(rep);
	rep = impact("--control", "a21,a22,a23,a24", "--kpi", "t_mean");
	ck_assert_int_eq(dget(rep, "control.accounts"), 4);
	json_decref(rep);
	before = cbt_db_dump(ws);
	cbt_casebook(&r, ws, NULL, "impact", "--session", "tco-2025-03-03", "--control", "a21,a3", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert(cbt_has(r.err, "account 'a3' was exposed (session tco-2025-03-03) and cannot be a control"));
	cbt_run_free(&r);
	after = cbt_db_dump(ws);
	ck_assert_str_eq(before, after);
	free(before), free(after);
}
END_TEST

START_TEST(roi_and_reproducible_results)
{
	json_t *rep, *k, *again;
	double effect, paired;
	cbt_run r;

	build(8, 2);
	ok("kpi", "value", "t_mean", "--per-unit", "500", "--currency", "EUR");
	rep = impact("--kpi", "t_mean");
	k = cbt_kpi_of(rep, "t_mean");
	effect = dget(k, "effect");
	paired = dget(k, "exposed.paired");
	/* Benefit = effect x value x accounts; ROI = (benefit - cost) / cost. */
	ck_assert_double_eq_tol(dget(k, "roi.estimate.benefit"), effect * 500 * paired, 1e-6);
	ck_assert_double_eq_tol(dget(k, "roi.estimate.roi_percent"),
				(effect * 500 * paired - 20000) / 20000 * 100, 1e-6);
	ck_assert_double_eq_tol(dget(k, "roi.low.benefit"), dget(k, "effect_ci.low") * 500 * paired, 1e-6);
	/* Intervals by formula: the same bits every run. */
	again = impact("--kpi", "t_mean");
	ck_assert(dget(cbt_kpi_of(again, "t_mean"), "effect_ci.low") == dget(k, "effect_ci.low"));
	ck_assert(dget(cbt_kpi_of(again, "t_mean"), "p_value") == dget(k, "p_value"));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rep, "intervals"), "method")),
			 "cluster-robust t (CR2 variance, Bell-McCaffrey degrees of freedom), accounts as clusters");
	json_decref(rep), json_decref(again);
	/* The bootstrap's settings are refused with the reason, for both
	 * commands that took them. */
	cbt_casebook(&r, ws, NULL, "impact", "--session", "tco-2025-03-03", "--resamples", "500", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(cbt_has(r.err, "--resamples is no longer needed"), "%s", r.err);
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "report", "--session", "tco-2025-03-03", "--seed", "1", "--out",
		     "x.html", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(cbt_has(r.err, "--seed is no longer needed"), "%s", r.err);
	cbt_run_free(&r);
}
END_TEST

/* --lag N skips N whole days after the session's last day (2025-03-05):
 * the follow-up starts on 03-06 with --lag 0, 03-19 with 13, 03-20 with 14. */
START_TEST(lag_skips_whole_days)
{
	static const struct {
		const char *lag;
		int obs;
	} lags[] = {{"0", 3}, {"13", 2}, {"14", 1}};
	char path[4096];
	FILE *f;
	cbt_run r;

	build(8, 2);
	snprintf(path, sizeof(path), "%s/edges.csv", ws);
	f = fopen(path, "w");
	fprintf(f, "account,measure,at,value\n"
		   "a3,t.rare,2025-03-05T23:59:59Z,1\na3,t.rare,2025-03-06,1\n"
		   "a3,t.rare,2025-03-19T12:00:00Z,1\na3,t.rare,2025-03-20,1\n");
	fclose(f);
	cbt_casebook(&r, ws, NULL, "data", "import", path, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
	for (size_t i = 0; i < sizeof(lags) / sizeof(lags[0]); i++) {
		json_t *rep = impact("--kpi", "t_rare", "--detail", "--lag", lags[i].lag), *row;
		size_t j;
		int seen = 0;

		json_array_foreach(json_object_get(cbt_kpi_of(rep, "t_rare"), "accounts"), j, row)
			if (strcmp(json_string_value(json_object_get(row, "account")), "a3") == 0) {
				ck_assert_msg(dget(row, "follow_up_obs") == lags[i].obs,
					      "--lag %s: %g observations", lags[i].lag,
					      dget(row, "follow_up_obs"));
				seen = 1;
			}
		ck_assert(seen);
		json_decref(rep);
	}
}
END_TEST

/* impact --technician J: J reaches the accounts J covers, and bears
 * their share of the session's cost; the session bears all of it. */
START_TEST(a_technician_bears_the_share_of_the_accounts_reached)
{
	json_t *v, *k, *whole;
	json_error_t jerr;
	double benefit;
	cbt_run r;

	build(8, 2);
	ok("kpi", "value", "t_mean", "--per-unit", "500", "--currency", "EUR");
	for (int i = 1; i <= 5; i++) {
		char acct[8];

		snprintf(acct, sizeof(acct), "a%d", i);
		ok("cover", "jo", acct, "--from", "2025-01-01");
	}
	cbt_casebook(&r, ws, NULL, "impact", "--technician", "jo", "--kpi", "t_mean", "--json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	v = json_loads(r.out, 0, &jerr);
	ck_assert_ptr_nonnull(v);
	cbt_run_free(&r);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "exposed_accounts")), 5);
	/* 5 of the 20 accounts the session reached: a quarter of 20,000 */
	ck_assert_double_eq_tol(dget(v, "cost.amount"), 5000, 1e-9);
	ck_assert_double_eq_tol(dget(v, "cost.sessions_total"), 20000, 1e-9);
	k = cbt_kpi_of(v, "t_mean");
	benefit = dget(k, "roi.estimate.benefit");
	ck_assert_double_eq_tol(benefit, dget(k, "effect") * 500 * dget(k, "exposed.paired"), 1e-6);
	ck_assert_double_eq_tol(dget(k, "roi.estimate.roi_percent"), (benefit - 5000) / 5000 * 100, 1e-6);
	json_decref(v);
	/* the text says it is a share */
	cbt_casebook(&r, ws, NULL, "impact", "--technician", "jo", "--kpi", "t_mean", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(cbt_has(r.out, "Cost: 5000.00 EUR, the share of the 20000.00 EUR the sessions cost by accounts reached"),
		      "%s", r.out);
	cbt_run_free(&r);
	/* the session itself bears the whole cost */
	whole = impact("--kpi", "t_mean");
	ck_assert_double_eq_tol(dget(whole, "cost.amount"), 20000, 1e-9);
	ck_assert_double_eq_tol(dget(whole, "cost.sessions_total"), 20000, 1e-9);
	json_decref(whole);
}
END_TEST

START_TEST(by_format_compares_side_by_side)
{
	json_t *v, *groups;
	json_error_t jerr;
	cbt_run r;

	build(8, 2);
	ok("session", "record", "--program", "tco", "--title", "Webinar", "--format", "virtual",
	   "--start", "2025-03-03", "--end", "2025-03-03", "--trainer", "ana", "--account",
	   "a21,a22,a23,a24,a25");
	cbt_casebook(&r, ws, NULL, "impact", "--program", "tco", "--by", "format", "--kpi", "t_mean",
		     "--json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	v = json_loads(r.out, 0, &jerr);
	ck_assert_ptr_nonnull(v);
	groups = json_object_get(v, "groups");
	ck_assert_uint_eq(json_array_size(groups), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(groups, 0), "format")), "blended");
	ck_assert_int_eq(dget(json_object_get(json_array_get(groups, 1), "impact"), "exposed_accounts"), 5);
	json_decref(v);
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "impact", "--program", "tco", "--by", "format", "--kpi", "t_mean", NULL);
	ck_assert(cbt_has(r.out, "blended ") && cbt_has(r.out, "virtual "));
	cbt_run_free(&r);
}
END_TEST

/* --by format says which format moved a KPI most, by how much more than
 * the next, and whether that difference is clear; and warns when trainer
 * and format go together. */
START_TEST(by_format_compares_the_formats)
{
	json_t *v, *row, *groups;
	json_error_t jerr;
	double a = 0, b = 0;
	cbt_run r;

	build(8, 2);
	/* A webinar by another trainer for a1..a10's neighbours: virtual. */
	ok("person", "add", "bo", "--name", "Bo", "--role", "trainer");
	ok("session", "record", "--program", "tco", "--title", "Webinar", "--format", "virtual",
	   "--start", "2025-03-03", "--end", "2025-03-03", "--trainer", "bo", "--account",
	   "a21,a22,a23,a24,a25");
	cbt_casebook(&r, ws, NULL, "impact", "--program", "tco", "--by", "format", "--kpi", "t_mean",
		     "--json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	v = json_loads(r.out, 0, &jerr);
	ck_assert_ptr_nonnull(v);
	cbt_run_free(&r);
	groups = json_object_get(v, "groups");
	for (size_t g = 0; g < 2; g++) {
		json_t *k = cbt_kpi_of(json_object_get(json_array_get(groups, g), "impact"), "t_mean");
		const char *f = json_string_value(json_object_get(json_array_get(groups, g), "format"));

		*(strcmp(f, "blended") == 0 ? &a : &b) = dget(k, "effect");
	}
	row = json_array_get(json_object_get(v, "comparison"), 0);
	ck_assert_ptr_nonnull(row);
	/* a1..a20 rose by 8 against 2; a21..a25 (controls before) by 2. */
	ck_assert_str_eq(json_string_value(json_object_get(row, "best")), "blended");
	ck_assert_str_eq(json_string_value(json_object_get(row, "next")), "virtual");
	ck_assert_double_eq_tol(dget(row, "difference"), a - b, 1e-12);
	ck_assert(dget(row, "difference_ci.low") <= a - b && a - b <= dget(row, "difference_ci.high"));
	ck_assert(json_is_true(json_object_get(row, "clear")) == (dget(row, "difference_ci.low") > 0));
	ck_assert(cbt_has(json_string_value(json_object_get(v, "summary")),
			  "By format: blended moved Mean score most"));
	/* ana teaches blended, bo virtual: the formats are their trainers. */
	ck_assert_msg(cbt_has(json_string_value(json_object_get(v, "confounded")),
			      "trainer and format cannot be told apart in these sessions"),
		      "%s", r.out);
	json_decref(v);
	/* ana teaching the webinar too: format and trainer come apart. */
	ok("session", "record", "--program", "tco", "--title", "Webinar 2", "--format", "virtual",
	   "--start", "2025-03-10", "--end", "2025-03-10", "--trainer", "ana", "--account",
	   "a26,a27,a28");
	cbt_casebook(&r, ws, NULL, "impact", "--program", "tco", "--by", "format", "--kpi", "t_mean",
		     "--json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	v = json_loads(r.out, 0, &jerr);
	ck_assert(json_is_null(json_object_get(v, "confounded")));
	json_decref(v);
	cbt_run_free(&r);
}
END_TEST

START_TEST(bad_requests)
{
	static const struct {
		int code;
		const char *message;
		const char *args[8];
	} cases[] = {
		{2, "name one exposure", {NULL}},
		{2, "name one exposure", {"--session", "tco-2025-03-03", "--program", "tco", NULL}},
		{1, "unknown session 'tco-2025-03-04' (did you mean 'tco-2025-03-03'?)",
		 {"--session", "tco-2025-03-04", NULL}},
		{1, "unknown program 'tc' (did you mean 'tco'?)", {"--program", "tc", NULL}},
		{2, "--window: '9x': write days as 90 or 90d", {"--session", "tco-2025-03-03", "--window", "9x", NULL}},
		{2, "--window: 0 days is out of range", {"--session", "tco-2025-03-03", "--window", "0", NULL}},
		{1, "unknown KPI 't_men' (did you mean 't_mean'?)", {"--session", "tco-2025-03-03", "--kpi", "t_men", NULL}},
		{2, "--by compares the sessions of one --program", {"--session", "tco-2025-03-03", "--by", "format", NULL}},
		{2, "--by takes format or trainer", {"--program", "tco", "--by", "colour", NULL}},
		{1, "trainer 'jo' has no sessions", {"--trainer", "jo", NULL}},
	};
	cbt_run r;

	build(8, 2);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *const *a = cases[i].args;

		cbt_casebook(&r, ws, NULL, "impact", a[0], a[1], a[2], a[3], a[4], a[5], NULL);
		ck_assert_msg(r.status == cases[i].code, "case %zu: exit %d: %s", i, r.status, r.err);
		ck_assert_msg(cbt_has(r.err, cases[i].message), "case %zu: want '%s' in %s", i,
			      cases[i].message, r.err);
		cbt_run_free(&r);
	}
}
END_TEST

/* A plugin that raises an error while computing is an error, not "too
 * little data": impact and report stop, naming the plugin's file and
 * line, the KPI, the account and the window. */
START_TEST(a_plugin_error_is_an_error)
{
	char *p, report[4096];
	cbt_run r;

	build(8, 2);
	p = cbt_write(ws, "plugins/u.lua",
		      "casebook.api(1)\n"
		      "casebook.kpi { key = 't_broken', name = 'Broken', unit = 'x', better = 'higher',\n"
		      "  inputs = { 't.score' }, doc = 'raises on a1', compute = function(w)\n"
		      "    if w.account == 'a1' then local t = nil; return t.x end\n"
		      "    return #w['t.score'] > 0 and w['t.score']:mean() or nil end }\n");
	free(p);
	cbt_casebook(&r, ws, NULL, "impact", "--session", "tco-2025-03-03", "--kpi", "t_broken",
		     "--json", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "KPI 't_broken' failed in its plugin: ") &&
			      cbt_has(r.err, "/plugins/u.lua:4: attempt to index a nil value") &&
			      cbt_has(r.err, "for account a1 over 2024-12-03..2025-03-02") &&
			      cbt_has(r.err, "A plugin error is not missing data"),
		      "%s", r.err);
	ck_assert(!cbt_has(r.out, "too little data"));
	cbt_run_free(&r);
	/* all KPIs at once: the broken one stops the run too */
	cbt_casebook(&r, ws, NULL, "impact", "--session", "tco-2025-03-03", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "KPI 't_broken' failed in its plugin"), "%s", r.err);
	cbt_run_free(&r);
	snprintf(report, sizeof(report), "%s/r.html", ws);
	cbt_casebook(&r, ws, NULL, "report", "--session", "tco-2025-03-03", "--out", report, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "/plugins/u.lua:4:"), "%s", r.err);
	cbt_run_free(&r);
	/* the others, named, still work */
	ok("impact", "--session", "tco-2025-03-03", "--kpi", "t_mean");
	/* a fixture that is not there: its path and "not found" */
	cbt_casebook(&r, ws, NULL, "plugin", "test", "nothere.test.json", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "nothere.test.json: not found"), "%s", r.err);
	ck_assert(!cbt_has(r.err, ":-1:"));
	cbt_run_free(&r);
}
END_TEST

START_TEST(outcome_agreements)
{
	json_t *rows, *row;
	json_error_t jerr;
	char *before, *after;
	cbt_run r;

	build(8, 2);
	ok("outcome", "set", "a1", "t_mean", "--target", "60", "--minimum", "55", "--from",
	   "2025-01-01", "--to", "2025-06-30");
	ok("outcome", "set", "a1", "t_mttr", "--target", "8", "--minimum", "9.5", "--from",
	   "2025-01-01", "--to", "2025-06-30");
	cbt_casebook(&r, ws, NULL, "outcome", "status", "--account", "a1", "--json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	rows = json_loads(r.out, 0, &jerr);
	ck_assert_ptr_nonnull(rows);
	ck_assert_uint_eq(json_array_size(rows), 2);
	row = json_array_get(rows, 1); /* t_mttr: 10 h before, 7 h after */
	ck_assert_str_eq(json_string_value(json_object_get(row, "kpi")), "t_mttr");
	ck_assert_str_eq(json_string_value(json_object_get(row, "baseline")), "below minimum");
	ck_assert_str_eq(json_string_value(json_object_get(row, "follow_up")), "target met");
	ck_assert_str_eq(json_string_value(json_object_get(row, "trained_in")), "tco-2025-03-03");
	json_decref(rows);
	cbt_run_free(&r);

	before = cbt_db_dump(ws);
	cbt_casebook(&r, ws, NULL, "outcome", "set", "a1", "t_mttr", "--target", "8", "--minimum", "7",
		     "--from", "2025-07-01", "--to", "2025-12-31", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert(cbt_has(r.err, "for t_mttr lower is better, so the minimum (7) cannot be below the target (8)"));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "outcome", "set", "a1", "t_mean", "--target", "8", "--minimum", "7",
		     "--from", "2025-07-01", "--to", "2025-02-30", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert(cbt_has(r.err, "--to: 2025-02-30: February 2025 has 28 days"));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "outcome", "set", "a1", "uptime", "--target", "8", "--minimum", "7",
		     "--from", "2025-07-01", "--to", "2025-12-31", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert(cbt_has(r.err, "unknown KPI 'uptime'"));
	cbt_run_free(&r);
	after = cbt_db_dump(ws);
	ck_assert_str_eq(before, after);
	free(before), free(after);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/impact");
	TCase *tc = tcase_create("impact");

	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, known_effect_is_found_and_intervals_cover_it);
	tcase_add_test(tc, no_effect_interval_covers_zero);
	tcase_add_test(tc, lower_is_better_and_thin_data);
	tcase_add_test(tc, verdicts_agree_across_outputs);
	tcase_add_test(tc, words_match_their_golden_files);
	tcase_add_test(tc, adjusting_for_several_kpis_can_undo_a_clear_interval);
	tcase_add_test(tc, summary_line_of_several_kpis);
	tcase_add_test(tc, every_number_in_the_words_is_the_jsons);
	tcase_add_test(tc, window_values_equal_plain_sql);
	tcase_add_test(tc, controls_named_none_and_refused);
	tcase_add_test(tc, roi_and_reproducible_results);
	tcase_add_test(tc, lag_skips_whole_days);
	tcase_add_test(tc, a_technician_bears_the_share_of_the_accounts_reached);
	tcase_add_test(tc, by_format_compares_side_by_side);
	tcase_add_test(tc, by_format_compares_the_formats);
	tcase_add_test(tc, bad_requests);
	tcase_add_test(tc, a_plugin_error_is_an_error);
	tcase_add_test(tc, outcome_agreements);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
