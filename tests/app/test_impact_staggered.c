/*
 * `casebook impact` for a program delivered in sessions spread over the
 * year, on data generated with a known answer: four cohorts trained in
 * February, April, June and August, never-trained accounts, a strong yearly
 * season and a market trend that every account shares, accounts with their
 * own levels, and a planted effect (or none, or a planted pre-trend). The
 * effect is checked against the cohort-weighted difference-in-differences
 * recomputed from the database by plain SQL through the sqlite3 CLI, and
 * every control is checked to be measured over its cohort's own dates.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static char *ws;

static const char plugin[] =
	"casebook.api(1)\n"
	"casebook.measure { key = 't.hours', unit = 'h', min = 0, doc = 'repair hours' }\n"
	"casebook.kpi { key = 't_mttr', name = 'MTTR', unit = 'h', better = 'lower',\n"
	"  inputs = { 't.hours' }, doc = 'mean repair time', compute = function(w)\n"
	"    local s = w['t.hours']; if #s == 0 then return nil, 'no repairs' end; return s:mean() end }\n";

/* The four sessions: first day, last day (inclusive). */
static const char *const sessions[4][2] = {
	{"2025-02-03", "2025-02-05"},
	{"2025-04-07", "2025-04-07"},
	{"2025-06-02", "2025-06-03"},
	{"2025-08-04", "2025-08-04"},
};

#define DAY0 19723 /* 2024-01-01 */
#define DAYS 731   /* to 2025-12-31 */

static unsigned long long lcg;

static double uniform(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(lcg >> 11) * 0x1.0p-53;
}

static double gauss(void)
{
	return sqrt(-2.0 * log(1.0 - uniform())) * cos(2.0 * M_PI * uniform());
}

static void ok(const char *a0, const char *a1, const char *a2, const char *a3, const char *a4,
	       const char *a5, const char *a6, const char *a7, const char *a8, const char *a9)
{
	cbt_run r;

	cbt_casebook(&r, ws, NULL, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, NULL);
	ck_assert_msg(r.status == 0, "%s %s: %s", a0, a1, r.err);
	cbt_run_free(&r);
}

static int day_of(const char *date)
{
	int y, m, d;

	sscanf(date, "%d-%d-%d", &y, &m, &d);
	/* Days from 1970-01-01 (Howard Hinnant's days_from_civil). */
	y -= m <= 2;
	{
		int era = (y >= 0 ? y : y - 399) / 400;
		unsigned yoe = (unsigned)(y - era * 400);
		unsigned doy = (153 * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (unsigned)d - 1;
		unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		return era * 146097 + (int)doe - 719468;
	}
}

/* Day d (from 1970-01-01) as YYYY-MM-DD (Hinnant's civil_from_days). */
static void date_of(int d, char out[16])
{
	int y, m, dd, z = d + 719468, era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	dd = (int)(doy - (153 * mp + 2) / 5 + 1);
	m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y = (int)yoe + era * 400 + (m <= 2);
	snprintf(out, 16, "%04d-%02d-%02d", y % 10000, m, dd);
}

/*
 * 40 accounts s1..s40 in four sessions of 10, `never` accounts c1..
 * trained by none (or, with `late`, all of them by a fifth session on
 * 2025-11-03), daily repair hours over 2024-2025: the account's level, a
 * yearly season of +-1.5 h, a trend of +0.3 h over the two years, noise,
 * `effect` from 15 days after the account's session, and `pretrend` h per
 * 90 days of drift before it (exposed accounts only).
 */
static void build(double effect, double pretrend, int never, int late, unsigned long long seed)
{
	char path[4096], list[512];
	FILE *f;
	char *p;
	cbt_run r;

	lcg = seed;
	p = cbt_write(ws, "plugins/t.lua", plugin);
	free(p);
	ok("person", "add", "ana", "--name", "Ana", "--role", "trainer", NULL, NULL, NULL);
	ok("program", "add", "tco", "--name", "Total Customer Orientation", NULL, NULL, NULL, NULL,
	   NULL);
	snprintf(path, sizeof(path), "%s/accounts.csv", ws);
	f = fopen(path, "w");
	fprintf(f, "key,name\n");
	for (int i = 1; i <= 40; i++)
		fprintf(f, "s%d,Trained %d\n", i, i);
	for (int i = 1; i <= never; i++)
		fprintf(f, "c%d,Untrained %d\n", i, i);
	fclose(f);
	ok("account", "import", path, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	for (int g = 0; g < 4; g++) {
		list[0] = '\0';
		for (int i = 1; i <= 10; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%ss%d",
				 i > 1 ? "," : "", g * 10 + i);
		cbt_casebook(&r, ws, NULL, "session", "record", "--program", "tco", "--title", "TCO",
			     "--format", "blended", "--start", sessions[g][0], "--end", sessions[g][1],
			     "--trainer", "ana", "--account", list, NULL);
		ck_assert_msg(r.status == 0, "%s", r.err);
		cbt_run_free(&r);
	}
	if (late) {
		list[0] = '\0';
		for (int i = 1; i <= never; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%sc%d",
				 i > 1 ? "," : "", i);
		cbt_casebook(&r, ws, NULL, "session", "record", "--program", "tco", "--title", "Late",
			     "--format", "virtual", "--start", "2025-11-03", "--end", "2025-11-03",
			     "--trainer", "ana", "--account", list, NULL);
		ck_assert_msg(r.status == 0, "%s", r.err);
		cbt_run_free(&r);
	}
	snprintf(path, sizeof(path), "%s/obs.csv", ws);
	f = fopen(path, "w");
	fprintf(f, "account,measure,at,value\n");
	for (int a = 0; a < 40 + never; a++) {
		double level = 7.0 + 0.8 * gauss();
		int g = a < 40 ? a / 10 : -1;
		int first = g >= 0 ? day_of(sessions[g][0]) : 0;
		int starts = g >= 0 ? day_of(sessions[g][1]) + 15 : 1 << 30;

		for (int d = DAY0; d < DAY0 + DAYS; d++) {
			char date[16];
			double v = level + 1.5 * sin(2.0 * M_PI * (d - DAY0) / 365.25) +
				   0.3 * (d - DAY0) / DAYS + 0.4 * gauss();

			date_of(d, date);
			if (d >= starts)
				v += effect;
			if (g >= 0 && d < first)
				v += pretrend * (d - first) / 90.0;
			fprintf(f, "%s%d,t.hours,%s,%.6f\n", a < 40 ? "s" : "c", a < 40 ? a + 1 : a - 39,
				date, v);
		}
	}
	fclose(f);
	cbt_casebook(&r, ws, NULL, "data", "import", path, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
}

static json_t *impact(const char *a0, const char *a1, const char *a2, const char *a3)
{
	json_error_t jerr;
	json_t *v;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "impact", "--program", "tco", "--kpi", "t_mttr", "--json", a0, a1,
		     a2, a3, NULL);
	ck_assert_msg(r.status == 0, "impact: %s", r.err);
	v = json_loads(r.out, 0, &jerr);
	ck_assert_msg(v != NULL, "not JSON: %s", r.out);
	cbt_run_free(&r);
	return v;
}

static json_t *get(json_t *o, const char *path)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save))
		o = json_is_array(o) ? json_array_get(o, (size_t)atoi(tok)) : json_object_get(o, tok);
	ck_assert_msg(o != NULL, "no %s", path);
	return o;
}

static double num(json_t *o, const char *path)
{
	json_t *v = get(o, path);

	ck_assert_msg(json_is_number(v), "%s is not a number", path);
	return json_number_value(v);
}

/*
 * The cohort-weighted difference-in-differences, in plain SQL: for each
 * session (here each is one cohort) its windows from its dates (baseline
 * the 90 days before the first day, follow-up the 90 days after 14 whole
 * days after the last), the mean of t.hours per account and window for
 * its accounts and for the controls `controls` (an SQL condition on
 * account a and session window w), the cohort's exposed change minus its
 * controls' change, weighted by its exposed accounts with values.
 */
static double sql_effect(const char *controls)
{
	char path[4096], *out;
	FILE *f;
	int st;
	double v;

	snprintf(path, sizeof(path), "%s/effect.sql", ws);
	f = fopen(path, "w");
	fprintf(f,
		"WITH w AS (SELECT s.id AS sid,"
		" (julianday(s.starts_on) - 2440587.5 - 90) * 86400 AS b0,"
		" (julianday(s.starts_on) - 2440587.5) * 86400 AS b1,"
		" (julianday(s.ends_on) - 2440587.5 + 15) * 86400 AS f0,"
		" (julianday(s.ends_on) - 2440587.5 + 105) * 86400 AS f1,"
		" s.ends_on AS last_day FROM session s WHERE s.title = 'TCO'),"
		" firsts AS (SELECT sa.account_id AS aid, min(s.starts_on) AS first FROM session_account sa"
		"  JOIN session s ON s.id = sa.session_id GROUP BY sa.account_id),"
		" members AS (SELECT w.sid, sa.account_id AS aid, 1 AS exposed FROM w"
		"  JOIN session_account sa ON sa.session_id = w.sid"
		"  UNION ALL SELECT w.sid, a.id, 0 FROM w, account a WHERE %s),"
		" hours AS (SELECT o.* FROM observation o JOIN measure m ON m.id = o.measure_id"
		"  WHERE m.key = 't.hours'),"
		" v AS (SELECT m.sid, m.exposed,"
		"  (SELECT avg(value) FROM hours h WHERE h.account_id = m.aid AND h.at >= w.b0 AND h.at < w.b1) AS b,"
		"  (SELECT avg(value) FROM hours h WHERE h.account_id = m.aid AND h.at >= w.f0 AND h.at < w.f1) AS f"
		"  FROM members m JOIN w ON w.sid = m.sid),"
		" c AS (SELECT sid, avg(CASE WHEN exposed = 1 THEN f - b END) AS x,"
		"  avg(CASE WHEN exposed = 0 THEN f - b END) AS y, sum(exposed) AS n,"
		"  sum(1 - exposed) AS m FROM v WHERE b IS NOT NULL AND f IS NOT NULL GROUP BY sid)"
		" SELECT printf('%%.17g', sum(n * (x - y)) / sum(n)) FROM c WHERE m >= 2 AND n > 0;\n",
		controls);
	fclose(f);
	out = cbt_sh(&st, "sqlite3 -readonly '%s/casebook.db' '.read %s'", ws, path);
	ck_assert_msg(st == 0, "sqlite3 failed: %s", out);
	ck_assert_int_eq(sscanf(out, "%lf", &v), 1);
	free(out);
	return v;
}

/* The same comparison as it went wrong: every control on the windows of
 * the exposed accounts' median training days (April and June's cohorts
 * straddle the median; take June's), all exposed accounts pooled. */
static double sql_pooled(void)
{
	char path[4096], *out;
	FILE *f;
	int st;
	double v;

	snprintf(path, sizeof(path), "%s/pooled.sql", ws);
	f = fopen(path, "w");
	fprintf(f,
		"WITH hours AS (SELECT o.* FROM observation o JOIN measure m ON m.id = o.measure_id"
		"  WHERE m.key = 't.hours'),"
		" w AS (SELECT sa.account_id AS aid, 1 AS exposed,"
		"  (julianday(s.starts_on) - 2440587.5 - 90) * 86400 AS b0,"
		"  (julianday(s.starts_on) - 2440587.5) * 86400 AS b1,"
		"  (julianday(s.ends_on) - 2440587.5 + 15) * 86400 AS f0,"
		"  (julianday(s.ends_on) - 2440587.5 + 105) * 86400 AS f1"
		"  FROM session s JOIN session_account sa ON sa.session_id = s.id"
		"  UNION ALL SELECT a.id, 0, (julianday('2025-06-02') - 2440587.5 - 90) * 86400,"
		"  (julianday('2025-06-02') - 2440587.5) * 86400, (julianday('2025-06-03') - 2440587.5 + 15) * 86400,"
		"  (julianday('2025-06-03') - 2440587.5 + 105) * 86400 FROM account a"
		"  WHERE a.id NOT IN (SELECT account_id FROM session_account)),"
		" v AS (SELECT exposed,"
		"  (SELECT avg(value) FROM hours h WHERE h.account_id = w.aid AND h.at >= w.f0 AND h.at < w.f1) -"
		"  (SELECT avg(value) FROM hours h WHERE h.account_id = w.aid AND h.at >= w.b0 AND h.at < w.b1) AS d FROM w)"
		" SELECT printf('%%.17g', avg(CASE WHEN exposed = 1 THEN d END) - avg(CASE WHEN exposed = 0 THEN d END)) FROM v;\n");
	fclose(f);
	out = cbt_sh(&st, "sqlite3 -readonly '%s/casebook.db' '.read %s'", ws, path);
	ck_assert_msg(st == 0, "sqlite3 failed: %s", out);
	ck_assert_int_eq(sscanf(out, "%lf", &v), 1);
	free(out);
	return v;
}

static void setup(void)
{
	ws = cbt_workspace();
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

START_TEST(staggered_seasonal_effect_equals_plain_sql)
{
	json_t *rep = NULL, *k, *rows, *row;
	double effect, pooled;
	size_t i;

	build(-0.5, 0.0, 20, 0, 7);
	rep = impact("--detail", NULL, NULL, NULL);
	k = get(rep, "kpis.0");
	ck_assert_int_eq(json_array_size(get(rep, "cohorts")), 4);
	ck_assert_str_eq(json_string_value(get(rep, "control.mode")), "never-trained");
	ck_assert_int_eq(num(rep, "control.accounts"), 20);
	/* Cohorts and their windows, by their dates. */
	ck_assert_str_eq(json_string_value(get(rep, "cohorts.0.first_day")), "2025-02-03");
	ck_assert_str_eq(json_string_value(get(rep, "cohorts.0.windows.baseline.first_day")), "2024-11-05");
	ck_assert_str_eq(json_string_value(get(rep, "cohorts.0.windows.baseline.last_day")), "2025-02-02");
	ck_assert_str_eq(json_string_value(get(rep, "cohorts.0.windows.follow_up.first_day")), "2025-02-20");
	ck_assert_str_eq(json_string_value(get(rep, "cohorts.0.windows.follow_up.last_day")), "2025-05-20");
	ck_assert_str_eq(json_string_value(get(rep, "cohorts.3.windows.follow_up.first_day")), "2025-08-19");
	for (int g = 0; g < 4; g++) {
		char path[64];

		snprintf(path, sizeof(path), "cohorts.%d.control_accounts", g);
		ck_assert_int_eq(num(rep, path), 20);
		snprintf(path, sizeof(path), "cohorts.%d.weight", g);
		ck_assert_double_eq_tol(num(k, path), 0.25, 1e-15);
	}

	/* The effect is the cohort-weighted difference in differences. */
	effect = sql_effect("a.id NOT IN (SELECT aid FROM firsts)");
	ck_assert_double_eq_tol(num(k, "effect"), effect, 1e-9);
	ck_assert_msg(num(k, "effect_ci.low") < -0.5 && -0.5 < num(k, "effect_ci.high"),
		      "[%g, %g]", num(k, "effect_ci.low"), num(k, "effect_ci.high"));
	ck_assert(num(k, "effect_ci.high") < 0);
	ck_assert(num(k, "p_value") < 0.001);
	ck_assert(num(k, "p_adjusted") == num(k, "p_value")); /* one KPI */
	ck_assert_str_eq(json_string_value(get(k, "verdict")), "improved");
	/* What went wrong before, the same data measured that way: controls
	 * on other dates carry the season, and the effect turns "worse". */
	pooled = sql_pooled();
	ck_assert_msg(pooled > 0.0, "the pooled comparison gives %g", pooled);

	/* Every control row is measured over its cohort's own dates. */
	rows = get(k, "accounts");
	ck_assert_uint_eq(json_array_size(rows), 40 + 20 * 4);
	json_array_foreach(rows, i, row) {
		char path[64];
		json_t *c;

		snprintf(path, sizeof(path), "cohorts.%d", (int)json_integer_value(get(row, "cohort")));
		c = get(rep, path);
		ck_assert_str_eq(json_string_value(get(row, "baseline_from")),
				 json_string_value(get(c, "windows.baseline.first_day")));
		ck_assert_str_eq(json_string_value(get(row, "follow_up_from")),
				 json_string_value(get(c, "windows.follow_up.first_day")));
		ck_assert_int_eq(num(row, "baseline_obs"), 90);
		ck_assert_int_eq(num(row, "follow_up_obs"), 90);
	}

	/* The event study: window -1 is the reference; parallel trends give
	 * no warning; the placebo windows have data from 2024 on. */
	ck_assert_int_eq(num(k, "event_study.0.window"), -3);
	ck_assert(json_is_true(get(k, "event_study.0.placebo")));
	ck_assert_double_eq_tol(num(k, "event_study.0.level"), 0.975, 1e-15);
	ck_assert(json_is_false(get(k, "event_study.0.thin")));
	ck_assert(json_is_true(get(k, "event_study.2.reference")));
	ck_assert(num(k, "event_study.2.effect") == 0.0);
	ck_assert_double_eq_tol(num(k, "event_study.3.effect"), num(k, "effect"), 1e-15);
	ck_assert(json_is_true(get(k, "pre_trend.checked")));
	ck_assert(json_is_false(get(k, "pre_trend.warning")));
	/* After training the effect holds in the next window too. */
	ck_assert_int_eq(num(k, "event_study.4.window"), 1);
	ck_assert(num(k, "event_study.4.effect_ci.high") < 0);
	json_decref(rep);
}
END_TEST

START_TEST(no_effect_is_no_clear_change)
{
	json_t *rep, *k;
	cbt_run r;

	build(0.0, 0.0, 20, 0, 11);
	rep = impact(NULL, NULL, NULL, NULL);
	k = get(rep, "kpis.0");
	ck_assert_double_eq_tol(num(k, "effect"), sql_effect("a.id NOT IN (SELECT aid FROM firsts)"),
				1e-9);
	ck_assert_msg(num(k, "effect_ci.low") < 0 && 0 < num(k, "effect_ci.high"), "[%g, %g]",
		      num(k, "effect_ci.low"), num(k, "effect_ci.high"));
	ck_assert(json_is_false(get(k, "excludes_zero")));
	ck_assert(num(k, "p_value") > 0.05);
	ck_assert_int_eq(num(rep, "counts.improved"), 0);
	json_decref(rep);
	/* The text says how many cohorts, and that no KPI moved clearly. */
	cbt_casebook(&r, ws, NULL, "impact", "--program", "tco", "--kpi", "t_mttr", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(cbt_has(r.out, "40 exposed accounts in 4 cohorts"), "%s", r.out);
	ck_assert(cbt_has(r.out, "each cohort's measured over its own windows"));
	ck_assert(cbt_has(r.out, "1 KPI with an effect: no clear change."));
	ck_assert(cbt_has(r.out, "Event study"));
	cbt_run_free(&r);
}
END_TEST

START_TEST(a_planted_pre_trend_warns)
{
	json_t *rep, *k;
	cbt_run r;

	/* Trained accounts' repair hours fall by 0.4 h a quarter before
	 * training already (they rise towards it, relative to the baseline). */
	build(-0.5, 0.4, 20, 0, 13);
	rep = impact(NULL, NULL, NULL, NULL);
	k = get(rep, "kpis.0");
	ck_assert(json_is_true(get(k, "pre_trend.warning")));
	ck_assert(cbt_has(json_string_value(get(k, "pre_trend.message")),
			  "the trained accounts were already moving apart before training"));
	ck_assert(num(k, "event_study.0.effect_ci.high") < 0 || num(k, "event_study.1.effect_ci.high") < 0);
	ck_assert_int_eq(num(rep, "counts.pre_trend_warnings"), 1);
	json_decref(rep);
	cbt_casebook(&r, ws, NULL, "impact", "--program", "tco", "--kpi", "t_mttr", NULL);
	ck_assert(cbt_has(r.out, "Warning: t_mttr: the trained accounts were already moving apart"));
	ck_assert(cbt_has(r.out, "the effect may not be the training's"));
	cbt_run_free(&r);
}
END_TEST

START_TEST(not_yet_trained_controls_serve_earlier_cohorts)
{
	json_t *rep, *k;
	cbt_run r;

	/* Every account is trained: the 20 others on 2025-11-03. */
	build(-0.5, 0.0, 20, 1, 17);
	/* Never-trained controls: there are none. */
	rep = impact(NULL, NULL, NULL, NULL);
	k = get(rep, "kpis.0");
	ck_assert(json_is_true(get(k, "thin")));
	ck_assert_msg(cbt_has(json_string_value(get(k, "reason")), "no control accounts"), "%s",
		      json_string_value(get(k, "reason")));
	json_decref(rep);

	/* Not yet trained: an account is a control for a cohort whose
	 * follow-up ends before its own training starts. February's ends on
	 * 2025-05-20: June's, August's and November's accounts (40); April's
	 * (2025-07-21): August's and November's (30); June's (2025-09-16) and
	 * August's (2025-11-17): November's (20), or none, as it starts on
	 * 2025-11-03. */
	rep = impact("--control", "not-yet", NULL, NULL);
	k = get(rep, "kpis.0");
	ck_assert_str_eq(json_string_value(get(rep, "control.mode")), "not-yet-trained");
	ck_assert_int_eq(num(rep, "cohorts.0.control_accounts"), 40);
	ck_assert_int_eq(num(rep, "cohorts.1.control_accounts"), 30);
	ck_assert_int_eq(num(rep, "cohorts.2.control_accounts"), 20);
	ck_assert_int_eq(num(rep, "cohorts.3.control_accounts"), 0);
	/* August's cohort has no control, nor has November's (whose
	 * follow-up the data holds only in part, for it and its controls
	 * alike): their 10 + 20 accounts are left out, and said to be. */
	ck_assert(json_is_false(get(k, "thin")));
	ck_assert(json_is_false(get(k, "cohorts.3.used")));
	ck_assert_int_eq(num(k, "dropped_accounts"), 30);
	ck_assert_double_eq_tol(
		num(k, "effect"),
		sql_effect("a.id IN (SELECT aid FROM firsts f WHERE julianday(f.first) >= "
			   "julianday(w.last_day) + 105)"),
		1e-9);
	json_decref(rep);

	/* Retired options say why. */
	cbt_casebook(&r, ws, NULL, "impact", "--program", "tco", "--seed", "3", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert(cbt_has(r.err, "--seed is no longer needed: intervals are now computed by formula"));
	cbt_run_free(&r);
}
END_TEST

/* Past its memory budget the impact keeps the event study's columns in an
 * unnamed file beside the workspace, one KPI at a time, and reads each back
 * for its comparison: the answer is the same to the last byte, the detail
 * and not-yet-trained controls (whose rows drop out of later windows)
 * included, and nothing is left in the workspace. */
static char *impact_text(const char *budget)
{
	cbt_run r;
	char *out;

	if (budget)
		setenv("CASEBOOK_TEST_VALUES_BUDGET", budget, 1);
	cbt_casebook(&r, ws, NULL, "impact", "--program", "tco", "--json", "--detail", "--control",
		     "not-yet", NULL);
	unsetenv("CASEBOOK_TEST_VALUES_BUDGET");
	ck_assert_msg(r.status == 0, "impact: %s", r.err);
	out = r.out;
	r.out = NULL;
	cbt_run_free(&r);
	return out;
}

START_TEST(spilled_values_give_the_same_answer)
{
	char *in_memory, *spilled, *listing, *before;

	build(-0.5, 0.4, 20, 1, 29);
	in_memory = impact_text(NULL);
	before = cbt_sh(NULL, "ls -A '%s'", ws);
	/* 64 bytes: every KPI's columns exceed it. */
	spilled = impact_text("64");
	ck_assert_msg(strlen(in_memory) > 1000 && strstr(in_memory, "\"event_study\""),
		      "%.300s", in_memory);
	ck_assert_str_eq(spilled, in_memory);
	listing = cbt_sh(NULL, "ls -A '%s'", ws);
	ck_assert_str_eq(listing, before);
	free(in_memory);
	free(spilled);
	free(listing);
	free(before);
}
END_TEST

/* The built-in mean is the Lua mean to the last digit, over every cohort's
 * windows of every account (only its nil's reason is its own). */
START_TEST(builtin_mean_gives_the_lua_answer)
{
	static const char builtin[] =
		"casebook.api(1)\n"
		"casebook.measure { key = 't.hours', unit = 'h', min = 0, doc = 'repair hours' }\n"
		"casebook.kpi { key = 't_mttr', name = 'MTTR', unit = 'h', better = 'lower',\n"
		"  inputs = { 't.hours' }, doc = 'mean repair time', compute = 'mean' }\n";
	char *lua, *native, *p, *at;

	build(-0.5, 0.4, 20, 1, 31);
	lua = impact_text(NULL);
	p = cbt_write(ws, "plugins/t.lua", builtin);
	free(p);
	native = impact_text(NULL);
	/* Same length: "no repairs" in place of "no observations of t.hours". */
	while ((at = strstr(native, "no observations of t.hours")) != NULL) {
		memcpy(at, "no repairs", 10);
		memmove(at + 10, at + 26, strlen(at + 26) + 1);
	}
	ck_assert_msg(strlen(lua) > 1000 && strstr(lua, "\"event_study\""), "%.300s", lua);
	ck_assert_str_eq(native, lua);
	free(lua);
	free(native);
}
END_TEST

START_TEST(named_controls_are_measured_per_cohort)
{
	json_t *rep, *k, *row;
	size_t i, controls = 0;

	build(-0.5, 0.0, 20, 0, 19);
	rep = impact("--control", "c1,c2,c3,c4,c5", "--detail", NULL);
	k = get(rep, "kpis.0");
	ck_assert_str_eq(json_string_value(get(rep, "control.mode")), "named");
	ck_assert_int_eq(num(rep, "control.accounts"), 5);
	for (int g = 0; g < 4; g++) {
		char path[64];

		snprintf(path, sizeof(path), "cohorts.%d.control_accounts", g);
		ck_assert_int_eq(num(rep, path), 5);
	}
	json_array_foreach(get(k, "accounts"), i, row)
		controls += strcmp(json_string_value(get(row, "group")), "control") == 0;
	ck_assert_uint_eq(controls, 5 * 4);
	ck_assert_double_eq_tol(num(k, "effect"),
				sql_effect("a.key IN ('c1', 'c2', 'c3', 'c4', 'c5')"), 1e-9);
	json_decref(rep);
}
END_TEST

/* Sparse observations and sessions a day apart: a control's windows of
 * consecutive cohorts mostly hold the same observations, and the answer
 * over one is taken again for the next. Every row's values are still the
 * mean of its own observations over its own cohort's windows, and a KPI
 * that reads w.from (which such a reuse would get wrong) sees each
 * cohort's own date. */
#define SPARSE_ACCOUNTS 12 /* s1..s6 trained, c1..c6 not */
#define SPARSE_STEP 20     /* days between an account's observations */

static double sparse_value(int a, int d)
{
	return a * 100.0 + (d - DAY0) / SPARSE_STEP;
}

START_TEST(consecutive_cohorts_share_sparse_windows)
{
	static const char src[] =
		"casebook.api(1)\n"
		"casebook.measure { key = 't.hours', unit = 'h', min = 0, doc = 'repair hours' }\n"
		"casebook.kpi { key = 't_mean', name = 'Mean', unit = 'h', better = 'lower',\n"
		"  inputs = { 't.hours' }, doc = 'mean', compute = function(w)\n"
		"    local s = w['t.hours']; if #s == 0 then return nil, 'none' end; return s:mean() end }\n"
		"casebook.kpi { key = 't_day', name = 'Day', unit = 'd', better = 'higher',\n"
		"  inputs = { 't.hours' }, doc = 'day of the month the window starts',\n"
		"  compute = function(w) if #w['t.hours'] == 0 then return nil, 'none' end\n"
		"    return tonumber(w.from:sub(9, 10)) end }\n";
	char path[4096], date[16], *p;
	json_error_t jerr;
	json_t *rep, *row;
	size_t i, rows = 0, shared = 0;
	FILE *f;
	cbt_run r;

	p = cbt_write(ws, "plugins/t.lua", src);
	free(p);
	ok("person", "add", "ana", "--name", "Ana", "--role", "trainer", NULL, NULL, NULL);
	ok("program", "add", "tco", "--name", "TCO", NULL, NULL, NULL, NULL, NULL);
	snprintf(path, sizeof(path), "%s/accounts.csv", ws);
	f = fopen(path, "w");
	fprintf(f, "key,name\n");
	for (int a = 0; a < SPARSE_ACCOUNTS; a++)
		fprintf(f, "%c%d,Account %d\n", a < 6 ? 's' : 'c', a % 6 + 1, a);
	fclose(f);
	ok("account", "import", path, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	for (int g = 0; g < 2; g++) {
		const char *day = g ? "2025-03-04" : "2025-03-03";

		cbt_casebook(&r, ws, NULL, "session", "record", "--program", "tco", "--title", "TCO",
			     "--format", "blended", "--start", day, "--end", day, "--trainer", "ana",
			     "--account", g ? "s4,s5,s6" : "s1,s2,s3", NULL);
		ck_assert_msg(r.status == 0, "%s", r.err);
		cbt_run_free(&r);
	}
	snprintf(path, sizeof(path), "%s/obs.csv", ws);
	f = fopen(path, "w");
	fprintf(f, "account,measure,at,value\n");
	for (int a = 0; a < SPARSE_ACCOUNTS; a++)
		for (int d = DAY0 + a; d < DAY0 + DAYS; d += SPARSE_STEP) {
			date_of(d, date);
			fprintf(f, "%c%d,t.hours,%s,%.1f\n", a < 6 ? 's' : 'c', a % 6 + 1, date,
				sparse_value(a, d));
		}
	fclose(f);
	ok("data", "import", path, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

	cbt_casebook(&r, ws, NULL, "impact", "--program", "tco", "--kpi", "t_mean", "--kpi", "t_day",
		     "--json", "--detail", NULL);
	ck_assert_msg(r.status == 0, "impact: %s", r.err);
	rep = json_loads(r.out, 0, &jerr);
	ck_assert_msg(rep != NULL, "not JSON: %s", r.out);
	cbt_run_free(&r);
	ck_assert_int_eq(num(rep, "cohorts.1.control_accounts"), 6);
	for (int k = 0; k < 2; k++) {
		char kp[32];

		snprintf(kp, sizeof(kp), "kpis.%d.accounts", k);
		ck_assert_str_eq(json_string_value(get(rep, k ? "kpis.1.kpi" : "kpis.0.kpi")),
				 k ? "t_day" : "t_mean");
		json_array_foreach(get(rep, kp), i, row) {
			const char *key = json_string_value(get(row, "account"));
			int a = (key[0] == 'c' ? 6 : 0) + atoi(key + 1) - 1;

			for (int wdw = 0; wdw < 2; wdw++) {
				const char *from = json_string_value(get(row, wdw ? "follow_up_from" : "baseline_from"));
				int f0 = day_of(from), n = 0;
				double sum = 0.0;
				json_t *v = get(row, wdw ? "follow_up" : "baseline");

				for (int d = DAY0 + a; d < DAY0 + DAYS; d += SPARSE_STEP)
					if (d >= f0 && d < f0 + 90) {
						sum += sparse_value(a, d);
						n++;
					}
				ck_assert_int_eq(num(row, wdw ? "follow_up_obs" : "baseline_obs"), n);
				if (!n) {
					ck_assert(json_is_null(v));
					continue;
				}
				if (k == 0)
					ck_assert_double_eq_tol(json_number_value(v), sum / n, 1e-9);
				else
					ck_assert_double_eq(json_number_value(v), atoi(from + 8));
				/* Does the next day's window (the other cohort's) hold
				 * the same observations? */
				shared += k == 0 && (f0 - DAY0 - a) % SPARSE_STEP != 0 &&
					  (f0 + 90 - DAY0 - a) % SPARSE_STEP != 0;
			}
			rows++;
		}
	}
	ck_assert_uint_eq(rows, 2 * (6 + 6 * 2));
	ck_assert_msg(shared > 10, "%zu windows share their observations", shared);
	/* The two cohorts' baselines start a day apart: the dated KPI shows it. */
	ck_assert_str_eq(json_string_value(get(rep, "kpis.1.accounts.0.baseline_from")), "2024-12-03");
	json_decref(rep);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/impact_staggered");
	TCase *tc = tcase_create("staggered");

	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, staggered_seasonal_effect_equals_plain_sql);
	tcase_add_test(tc, no_effect_is_no_clear_change);
	tcase_add_test(tc, a_planted_pre_trend_warns);
	tcase_add_test(tc, not_yet_trained_controls_serve_earlier_cohorts);
	tcase_add_test(tc, named_controls_are_measured_per_cohort);
	tcase_add_test(tc, spilled_values_give_the_same_answer);
	tcase_add_test(tc, builtin_mean_gives_the_lua_answer);
	tcase_add_test(tc, consecutive_cohorts_share_sparse_windows);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
