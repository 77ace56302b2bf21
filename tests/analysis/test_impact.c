/*
 * Windows on known dates, per-account changes, the cohorts' effects and
 * their average with its interval worked out by hand, the estimator on
 * generated data with staggered cohorts, a season and a known effect, the
 * "too thin" guard, Benjamini-Hochberg, and ROI worked out by hand.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "analysis/impact.h"
#include "analysis/random.h"
#include "analysis/roi.h"
#include "analysis/student.h"
#include "analysis/windows.h"
#include "base/date.h"
#include "base/error.h"
#include "testlib.h"

static int32_t day(const char *text)
{
	int32_t d;

	ck_assert_int_eq(cb_date_parse(text, &d), 0);
	return d;
}

static void assert_date(int32_t d, const char *want)
{
	char text[CB_DATE_LEN];

	cb_date_format(d, text);
	ck_assert_str_eq(text, want);
}

/* n accounts whose KPI starts around `level` (sd 10) and moves by `shift`
 * plus normal noise of sd `noise`, from a generator seeded with `seed`. */
static void make_group(double *base, double *follow, int n, double level, double shift,
		       double noise, uint64_t seed)
{
	cb_analysis_rng r;

	cb_analysis_rng_seed(&r, seed);
	for (int i = 0; i < n; i++) {
		base[i] = level + 10.0 * cb_analysis_rng_normal(&r);
		follow[i] = base[i] + shift + noise * cb_analysis_rng_normal(&r);
	}
}

START_TEST(windows_on_known_dates)
{
	cb_analysis_windows w;

	/* One-day session on 2024-03-01, W 90, L 14. Going back 90 days
	 * crosses 29 February: 2024-03-01 - 90 days = 2023-12-02. The
	 * follow-up skips the 14 whole days 03-02 .. 03-15. */
	ck_assert_int_eq(cb_analysis_windows_make(day("2024-03-01"), day("2024-03-01"),
						  CB_ANALYSIS_WINDOW_DAYS, CB_ANALYSIS_LAG_DAYS, &w),
			 0);
	assert_date(w.baseline.from, "2023-12-02");
	assert_date(w.baseline.to, "2024-03-01"); /* exclusive: last day 02-29 */
	assert_date(w.follow_up.from, "2024-03-16");
	assert_date(w.follow_up.to, "2024-06-14");
	ck_assert_int_eq(w.baseline.to - w.baseline.from, 90);
	ck_assert_int_eq(w.follow_up.to - w.follow_up.from, 90);

	/* The same session a year earlier, no leap day: 2022-12-01. */
	ck_assert_int_eq(cb_analysis_windows_make(day("2023-03-01"), day("2023-03-01"), 90, 14,
						  &w),
			 0);
	assert_date(w.baseline.from, "2022-12-01");

	/* A five-day session over the leap day, 2024-02-26 to 2024-03-01:
	 * the baseline ends before its first day, the follow-up skips 14 whole
	 * days after its last. */
	ck_assert_int_eq(cb_analysis_windows_make(day("2024-02-26"), day("2024-03-01"), 90, 14,
						  &w),
			 0);
	assert_date(w.baseline.from, "2023-11-28");
	assert_date(w.baseline.to, "2024-02-26");
	assert_date(w.follow_up.from, "2024-03-16");
	assert_date(w.follow_up.to, "2024-06-14");

	/* Every edge, for the five-day session. */
	ck_assert_int_eq(cb_analysis_windows_classify_day(&w, day("2023-11-27")),
			 CB_ANALYSIS_OUTSIDE);
	ck_assert_int_eq(cb_analysis_windows_classify_day(&w, day("2023-11-28")),
			 CB_ANALYSIS_BASELINE);
	ck_assert_int_eq(cb_analysis_windows_classify_day(&w, day("2024-02-25")),
			 CB_ANALYSIS_BASELINE);
	ck_assert_int_eq(cb_analysis_windows_classify_day(&w, day("2024-02-26")),
			 CB_ANALYSIS_OUTSIDE); /* training */
	ck_assert_int_eq(cb_analysis_windows_classify_day(&w, day("2024-02-29")),
			 CB_ANALYSIS_OUTSIDE);
	ck_assert_int_eq(cb_analysis_windows_classify_day(&w, day("2024-03-15")),
			 CB_ANALYSIS_OUTSIDE); /* the 14th day of the lag */
	ck_assert_int_eq(cb_analysis_windows_classify_day(&w, day("2024-03-16")),
			 CB_ANALYSIS_FOLLOW_UP);
	ck_assert_int_eq(cb_analysis_windows_classify_day(&w, day("2024-06-13")),
			 CB_ANALYSIS_FOLLOW_UP);
	ck_assert_int_eq(cb_analysis_windows_classify_day(&w, day("2024-06-14")),
			 CB_ANALYSIS_OUTSIDE);

	/* Lag 0: the day after the last training day is the follow-up's
	 * first; the last training day itself is in neither window. */
	ck_assert_int_eq(cb_analysis_windows_make(day("2024-02-26"), day("2024-03-01"), 30, 0,
						  &w),
			 0);
	assert_date(w.follow_up.from, "2024-03-02");
	assert_date(w.follow_up.to, "2024-04-01");
	ck_assert_int_eq(cb_analysis_windows_classify_day(&w, day("2024-03-01")),
			 CB_ANALYSIS_OUTSIDE);
	/* Lag 1 skips exactly one day. */
	ck_assert_int_eq(cb_analysis_windows_make(day("2024-02-26"), day("2024-03-01"), 30, 1,
						  &w),
			 0);
	assert_date(w.follow_up.from, "2024-03-03");
}
END_TEST

START_TEST(event_windows_follow_one_another)
{
	cb_analysis_windows w;
	cb_analysis_span sp;

	/* A session 2025-03-03 .. 2025-03-05, W 90, L 14. */
	ck_assert_int_eq(cb_analysis_windows_make(day("2025-03-03"), day("2025-03-05"), 90, 14, &w), 0);
	ck_assert_int_eq(cb_analysis_windows_event(&w, -1, &sp), 0);
	ck_assert(sp.from == w.baseline.from && sp.to == w.baseline.to);
	ck_assert_int_eq(cb_analysis_windows_event(&w, 0, &sp), 0);
	ck_assert(sp.from == w.follow_up.from && sp.to == w.follow_up.to);
	assert_date(sp.from, "2025-03-20"); /* 03-06 .. 03-19 skipped */
	/* Placebo windows: the 90 days before the baseline, and before that. */
	ck_assert_int_eq(cb_analysis_windows_event(&w, -2, &sp), 0);
	ck_assert(sp.to == w.baseline.from && sp.to - sp.from == 90);
	assert_date(sp.from, "2024-09-04");
	ck_assert_int_eq(cb_analysis_windows_event(&w, -3, &sp), 0);
	assert_date(sp.from, "2024-06-06");
	assert_date(sp.to, "2024-09-04");
	/* Later follow-ups, each right after the one before. */
	ck_assert_int_eq(cb_analysis_windows_event(&w, 1, &sp), 0);
	ck_assert(sp.from == w.follow_up.to && sp.to - sp.from == 90);
	ck_assert_int_eq(cb_analysis_windows_event(&w, 3, &sp), 0);
	ck_assert(sp.from == w.follow_up.from + 270);
	/* Past the int32 days: refused, not wrapped. */
	ck_assert_int_eq(cb_analysis_windows_make(INT32_MAX - 200, INT32_MAX - 200, 90, 0, &w), 0);
	ck_assert_int_eq(cb_analysis_windows_event(&w, 5, &sp), CB_EINVALID);
}
END_TEST

START_TEST(observation_times_fall_on_utc_days)
{
	cb_analysis_windows w;
	int64_t t, from_at, to_at;

	ck_assert_int_eq(cb_analysis_windows_make(day("2024-03-01"), day("2024-03-01"), 90, 14,
						  &w),
			 0);
	/* 2024-02-29T23:59:59Z: the baseline's last second. */
	ck_assert_int_eq(cb_datetime_parse("2024-02-29T23:59:59Z", &t), 0);
	ck_assert_int_eq(cb_analysis_windows_classify_time(&w, t), CB_ANALYSIS_BASELINE);
	ck_assert_int_eq(cb_analysis_windows_classify_time(&w, t + 1), CB_ANALYSIS_OUTSIDE);
	/* 00:30 on 2024-03-01 at +01:00 is still 29 February in UTC. */
	ck_assert_int_eq(cb_datetime_parse("2024-03-01T00:30:00+01:00", &t), 0);
	ck_assert_int_eq(cb_analysis_windows_classify_time(&w, t), CB_ANALYSIS_BASELINE);

	cb_analysis_span_seconds(&w.follow_up, &from_at, &to_at);
	ck_assert_int_eq(cb_datetime_parse("2024-03-16", &t), 0);
	ck_assert(from_at == t);
	ck_assert_int_eq(cb_datetime_parse("2024-06-14", &t), 0);
	ck_assert(to_at == t);
	ck_assert_int_eq(cb_analysis_windows_classify_time(&w, to_at - 1), CB_ANALYSIS_FOLLOW_UP);
	ck_assert_int_eq(cb_analysis_windows_classify_time(&w, to_at), CB_ANALYSIS_OUTSIDE);

	/* Before 1970 the day rounds down, not towards zero. */
	ck_assert_int_eq(cb_analysis_day_of_time(-1), -1);
	ck_assert_int_eq(cb_analysis_day_of_time(-86400), -1);
	ck_assert_int_eq(cb_analysis_day_of_time(-86401), -2);
	ck_assert_int_eq(cb_analysis_day_of_time(86399), 0);
	ck_assert_int_eq(cb_analysis_day_of_time(INT64_MAX), INT32_MAX);
	ck_assert_int_eq(cb_analysis_windows_classify_time(&w, INT64_MIN), CB_ANALYSIS_OUTSIDE);
}
END_TEST

START_TEST(windows_reject_bad_arguments)
{
	cb_analysis_windows w = {{1, 2}, {3, 4}};

	ck_assert_int_eq(cb_analysis_windows_make(day("2024-03-02"), day("2024-03-01"), 90, 14,
						  &w),
			 CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "exposure ends on 2024-03-01, before it starts on 2024-03-02");
	ck_assert_int_eq(cb_analysis_windows_make(0, 0, 0, 14, &w), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "window of 0 days; use 1 to 3660");
	ck_assert_int_eq(cb_analysis_windows_make(0, 0, 90, -1, &w), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "lag of -1 days; use 0 to 3660");
	ck_assert_int_eq(cb_analysis_windows_make(INT32_MIN, 0, 90, 14, &w), CB_EINVALID);
	ck_assert(w.baseline.from == 1 && w.follow_up.to == 4); /* untouched */
}
END_TEST

START_TEST(changes_per_account)
{
	cb_analysis_change c;

	/* 40 -> 50: +10, +25 %. */
	c = cb_analysis_change_of(40, 50, CB_ANALYSIS_HIGHER_IS_BETTER);
	ck_assert(c.change == 10.0 && c.relative == 0.25);
	ck_assert_int_eq(c.verdict, CB_ANALYSIS_IMPROVED);
	c = cb_analysis_change_of(40, 50, CB_ANALYSIS_LOWER_IS_BETTER);
	ck_assert_int_eq(c.verdict, CB_ANALYSIS_WORSENED);
	/* MTTR 8 h -> 6 h: -2 h, -25 %, better. */
	c = cb_analysis_change_of(8, 6, CB_ANALYSIS_LOWER_IS_BETTER);
	ck_assert(c.change == -2.0 && c.relative == -0.25);
	ck_assert_int_eq(c.verdict, CB_ANALYSIS_IMPROVED);
	ck_assert_str_eq(cb_analysis_verdict_name(c.verdict), "improved");
	/* A zero baseline: the change is there, the relative change is not. */
	c = cb_analysis_change_of(0, 12, CB_ANALYSIS_HIGHER_IS_BETTER);
	ck_assert(c.change == 12.0 && isnan(c.relative));
	ck_assert_int_eq(c.verdict, CB_ANALYSIS_IMPROVED);
	/* A negative baseline (NPS -20 -> -10): up by half of its size. */
	c = cb_analysis_change_of(-20, -10, CB_ANALYSIS_HIGHER_IS_BETTER);
	ck_assert(c.change == 10.0 && c.relative == 0.5);
	/* Equal is no change, either way; -0 and 0 too. */
	c = cb_analysis_change_of(7, 7, CB_ANALYSIS_LOWER_IS_BETTER);
	ck_assert(c.change == 0.0 && !signbit(c.change) && c.relative == 0.0);
	ck_assert_int_eq(c.verdict, CB_ANALYSIS_UNCHANGED);
	ck_assert_str_eq(cb_analysis_verdict_name(c.verdict), "unchanged");
	c = cb_analysis_change_of(0.0, -0.0, CB_ANALYSIS_HIGHER_IS_BETTER);
	ck_assert_int_eq(c.verdict, CB_ANALYSIS_UNCHANGED);
	/* Missing values. */
	c = cb_analysis_change_of(NAN, 3, CB_ANALYSIS_HIGHER_IS_BETTER);
	ck_assert(isnan(c.change) && isnan(c.relative));
	ck_assert_int_eq(c.verdict, CB_ANALYSIS_NO_VALUE);
	ck_assert_str_eq(cb_analysis_verdict_name(c.verdict), "no value");
	c = cb_analysis_change_of(3, INFINITY, CB_ANALYSIS_HIGHER_IS_BETTER);
	ck_assert_int_eq(c.verdict, CB_ANALYSIS_NO_VALUE);
}
END_TEST

/* One cohort's rows from two groups' values: exposed accounts 0 .. ne-1,
 * controls ne .. ne+nc-1. Returns the number of rows. */
static size_t one_cohort(cb_analysis_row *rows, const double *eb, const double *ef, size_t ne,
			 const double *cb, const double *cf, size_t nc)
{
	size_t n = 0;

	for (size_t i = 0; i < ne; i++)
		rows[n++] = (cb_analysis_row){i, 0, 1, eb[i], ef[i]};
	for (size_t i = 0; i < nc; i++)
		rows[n++] = (cb_analysis_row){ne + i, 0, 0, cb[i], cf[i]};
	return n;
}

/* P(|T| > t) with 4 degrees of freedom in closed form (Johnson, Kotz &
 * Balakrishnan, "Continuous Univariate Distributions" 2, eq. 28.10):
 * F(t) = 1/2 + (3/8) u (1 - u^2 / 12 ... ) with u = t / sqrt(1 + t^2/4). */
static double t4_two_sided(double t)
{
	double x = t / sqrt(4.0 + t * t); /* sin of the angle, for nu = 4 */

	return 1.0 - (1.5 * x - 0.5 * x * x * x);
}

START_TEST(group_summary_by_hand)
{
	/* Exposed changes +1, +2, +3 (and one account with no follow-up);
	 * control changes 0, +1, +2: effect (1+2+3)/3 - (0+1+2)/3 = 1. */
	const double eb[] = {10, 20, 30, 40}, ef[] = {11, 22, 33, NAN};
	const double cb[] = {10, 20, 30}, cf[] = {10, 21, 32};
	cb_analysis_row rows[8];
	size_t n = one_cohort(rows, eb, ef, 4, cb, cf, 3);
	cb_analysis_impact im;
	double se, q, df;

	ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 1, 1, CB_ANALYSIS_HIGHER_IS_BETTER,
						    NULL, &im),
			 0);
	ck_assert(!im.thin && im.reason[0] == '\0');
	ck_assert(im.has_control);
	ck_assert_uint_eq(im.exposed.accounts, 4);
	ck_assert_uint_eq(im.exposed.paired, 3);
	ck_assert_uint_eq(im.exposed.no_baseline, 0);
	ck_assert_uint_eq(im.exposed.no_follow_up, 1);
	ck_assert_uint_eq(im.exposed.improved, 3);
	ck_assert(im.exposed.baseline_mean == 20.0 && im.exposed.follow_up_mean == 22.0);
	ck_assert(im.exposed.mean_change == 2.0);
	ck_assert(im.exposed.sd_change == 1.0);         /* deviations -1, 0, 1 */
	ck_assert(im.exposed.relative_change == 0.1); /* 2 / 20 */
	ck_assert_uint_eq(im.control.unchanged, 1);
	ck_assert_uint_eq(im.control.improved, 2);
	ck_assert(im.control.mean_change == 1.0);
	ck_assert(im.effect == 1.0);
	ck_assert_int_eq(im.verdict, CB_ANALYSIS_IMPROVED);
	/* Welch's standard error: sqrt(s_x^2/3 + s_c^2/3) with both sample
	 * variances 1; Bell-McCaffrey's df for 3 + 3 accounts:
	 * (1/3 + 1/3)^2 / ((1/3)^2/2 + (1/3)^2/2) = 4. */
	se = sqrt(1.0 / 3.0 + 1.0 / 3.0);
	ck_assert_double_eq_tol(im.se, se, 1e-15);
	ck_assert_double_eq_tol(im.df, 4.0, 1e-12);
	q = cb_analysis_t_quantile(0.975, 4.0);
	ck_assert_double_eq_tol(q, 2.7764451051977987, 1e-12); /* qt(0.975, 4) */
	ck_assert_double_eq_tol(im.effect_ci.low, 1.0 - q * se, 1e-12);
	ck_assert_double_eq_tol(im.effect_ci.high, 1.0 + q * se, 1e-12);
	ck_assert_double_eq_tol(im.p_value, t4_two_sided(1.0 / se), 1e-12);
	ck_assert(!im.excludes_zero);
	ck_assert(isnan(im.p_adjusted));
	/* Each group's t interval: 2 +- t(2) / sqrt(3), 1 +- t(2) / sqrt(3). */
	df = 2.0;
	q = cb_analysis_t_quantile(0.975, df);
	ck_assert_double_eq_tol(im.exposed.ci.low, 2.0 - q / sqrt(3.0), 1e-12);
	ck_assert_double_eq_tol(im.control.ci.high, 1.0 + q / sqrt(3.0), 1e-12);
	/* One cohort, all of it. */
	ck_assert_uint_eq(im.ncohorts, 1);
	ck_assert(im.cohorts[0].used && im.cohorts[0].weight == 1.0);
	ck_assert(im.cohorts[0].effect == im.effect);
	ck_assert_double_eq_tol(im.cohorts[0].ci.low, im.effect_ci.low, 1e-12);
	cb_analysis_impact_clear(&im);
	ck_assert_ptr_null(im.cohorts);
}
END_TEST

/*
 * Two cohorts, worked out by hand. Cohort 0: exposed accounts 0 and 1
 * (changes 3, 5), controls 4, 5, 6 (1, 0, 2 over cohort 0's dates).
 * Cohort 1: exposed account 2 (4), controls 4, 5, 6 again over its own
 * dates (2, 1, 0) and 3 (3).
 *   ATT(0) = 4 - 1 = 3, ATT(1) = 4 - 1.5 = 2.5;
 *   weights 2/3 and 1/3: effect = 2 + 5/6 = 2.8333...
 */
static size_t two_cohorts(cb_analysis_row *rows)
{
	static const cb_analysis_row r[] = {
		{0, 0, 1, 10, 13}, {1, 0, 1, 20, 25}, {4, 0, 0, 7, 8}, {5, 0, 0, 9, 9},
		{6, 0, 0, 11, 13}, {2, 1, 1, 30, 34}, {4, 1, 0, 8, 10}, {5, 1, 0, 9, 10},
		{6, 1, 0, 13, 13}, {3, 1, 0, 1, 4},
	};

	memcpy(rows, r, sizeof(r));
	return sizeof(r) / sizeof(r[0]);
}

START_TEST(cohorts_by_hand)
{
	cb_analysis_row rows[16];
	size_t n = two_cohorts(rows);
	cb_analysis_impact im;
	double theta = 2.0 / 3.0 * 3.0 + 1.0 / 3.0 * 2.5;
	double e[3], v = 0.0, f0, f1, psi[4], a, df;

	ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 2, 1, CB_ANALYSIS_HIGHER_IS_BETTER,
						    NULL, &im),
			 0);
	ck_assert(!im.thin);
	ck_assert_uint_eq(im.ncohorts, 2);
	ck_assert(im.cohorts[0].effect == 3.0 && im.cohorts[1].effect == 2.5);
	ck_assert_double_eq_tol(im.cohorts[0].weight, 2.0 / 3.0, 1e-15);
	ck_assert_double_eq_tol(im.effect, theta, 1e-12);
	/* The groups as the table shows them: effect = exposed - control. */
	ck_assert(im.exposed.mean_change == 4.0);
	ck_assert_double_eq_tol(im.control.mean_change, 2.0 / 3.0 * 1.0 + 1.0 / 3.0 * 1.5, 1e-12);
	ck_assert_double_eq_tol(im.effect, im.exposed.mean_change - im.control.mean_change, 1e-12);
	ck_assert_uint_eq(im.exposed.paired, 3);
	ck_assert_uint_eq(im.control.paired, 4);  /* accounts, not rows */
	ck_assert_uint_eq(im.control.accounts, 4);
	ck_assert_uint_eq(im.cohorts[1].control, 4);

	/* The variance from its definition: exposed accounts' terms
	 * sqrt(3/2) (d - c(g) - effect) / 3, controls' terms
	 * -sum_g w(g) / m(g) sqrt(m(g) / (m(g) - 1)) (d - c(g)). */
	e[0] = 3 - 1 - theta, e[1] = 5 - 1 - theta, e[2] = 4 - 1.5 - theta;
	for (int i = 0; i < 3; i++)
		v += 1.5 * e[i] * e[i] / 9.0;
	f0 = 2.0 / 3.0 / 3.0 * sqrt(3.0 / 2.0);
	f1 = 1.0 / 3.0 / 4.0 * sqrt(4.0 / 3.0);
	psi[0] = -(f0 * (1 - 1.0) + f1 * (2 - 1.5)); /* account 4 */
	psi[1] = -(f0 * (0 - 1.0) + f1 * (1 - 1.5)); /* account 5 */
	psi[2] = -(f0 * (2 - 1.0) + f1 * (0 - 1.5)); /* account 6 */
	psi[3] = -(f1 * (3 - 1.5));                  /* account 3 */
	for (int i = 0; i < 4; i++)
		v += psi[i] * psi[i];
	ck_assert_double_eq_tol(im.se, sqrt(v), 1e-12);
	/* df: a = 3 (2/9)^2 + 4 (1/12)^2 over the control rows; n = 3, m = 4. */
	a = 3.0 * (2.0 / 9.0) * (2.0 / 9.0) + 4.0 * (1.0 / 12.0) * (1.0 / 12.0);
	df = (1.0 / 3.0 + a) * (1.0 / 3.0 + a) / (1.0 / 9.0 / 2.0 + a * a / 3.0);
	ck_assert_double_eq_tol(im.df, df, 1e-12);
	ck_assert_double_eq_tol(im.effect_ci.high, theta + cb_analysis_t_quantile(0.975, df) * sqrt(v),
				1e-12);
	ck_assert_double_eq_tol(im.p_value, cb_analysis_t_two_sided(theta / sqrt(v), df), 1e-12);

	/* Cohort 0 has 2 + 3 accounts: its own two-sample interval; cohort 1
	 * has one exposed account: an effect, no interval. */
	ck_assert(isfinite(im.cohorts[0].ci.low) && isfinite(im.cohorts[0].p_value));
	{
		/* s_x^2 = 2 over 2 accounts, s_c^2 = 1 over 3; BM df for 2 + 3. */
		double half = cb_analysis_t_quantile(0.975, (1.0 / 2 + 1.0 / 3) * (1.0 / 2 + 1.0 / 3) /
								    (1.0 / 4 + 1.0 / 9 / 2)) *
			      sqrt(2.0 / 2.0 + 1.0 / 3.0);

		ck_assert_double_eq_tol(im.cohorts[0].ci.high, 3.0 + half, 1e-12);
	}
	ck_assert(isnan(im.cohorts[1].ci.low));
	cb_analysis_impact_clear(&im);
}
END_TEST

START_TEST(an_account_in_two_roles_is_one_cluster)
{
	/* Not-yet-trained controls: account 2, trained with cohort 1, is also
	 * a control for cohort 0 (change 1). Its two terms add before they
	 * are squared. */
	cb_analysis_row rows[16];
	size_t n = two_cohorts(rows);
	cb_analysis_impact im;
	double theta, c0 = (1.0 + 0.0 + 2.0 + 3.0) / 4.0, e2, x2, v = 0.0, e[3], f0, f1, psi[4];

	rows[5].follow_up = 35; /* account 2's own change: 5 */
	rows[n++] = (cb_analysis_row){2, 0, 0, 20, 23};
	ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 2, 1, CB_ANALYSIS_HIGHER_IS_BETTER,
						    NULL, &im),
			 0);
	theta = 2.0 / 3.0 * (4.0 - c0) + 1.0 / 3.0 * 3.5;
	ck_assert_double_eq_tol(im.effect, theta, 1e-12);
	e[0] = 3 - c0 - theta, e[1] = 5 - c0 - theta, e[2] = 5 - 1.5 - theta;
	f0 = 2.0 / 3.0 / 4.0 * sqrt(4.0 / 3.0);
	f1 = 1.0 / 3.0 / 4.0 * sqrt(4.0 / 3.0);
	for (int i = 0; i < 2; i++)
		v += 1.5 * e[i] * e[i] / 9.0;
	psi[0] = -(f0 * (1 - c0) + f1 * (2 - 1.5));
	psi[1] = -(f0 * (0 - c0) + f1 * (1 - 1.5));
	psi[2] = -(f0 * (2 - c0) + f1 * (0 - 1.5));
	psi[3] = -(f1 * (3 - 1.5));
	for (int i = 0; i < 4; i++)
		v += psi[i] * psi[i];
	x2 = sqrt(1.5) * e[2] / 3.0; /* account 2, exposed */
	e2 = -f0 * (3 - c0);         /* account 2, control for cohort 0 */
	ck_assert_double_eq_tol(im.se, sqrt(v + (x2 + e2) * (x2 + e2)), 1e-12);
	ck_assert(fabs(im.se - sqrt(v + x2 * x2 + e2 * e2)) > 1e-6); /* the cross term counts */
	ck_assert_uint_eq(im.control.paired, 5);
	cb_analysis_impact_clear(&im);
}
END_TEST

/* Accounts trained in four cohorts a season apart, 40 never-trained
 * controls, a strong season every account shares, a market trend, each
 * account its own level: each window's value. */
static size_t seasonal_rows(cb_analysis_row *rows, double effect, uint64_t seed, double *naive)
{
	cb_analysis_rng r;
	double y[80][8], xsum = 0.0, csum = 0.0;
	size_t n = 0;

	cb_analysis_rng_seed(&r, seed);
	for (int a = 0; a < 80; a++) {
		double level = 5.0 + cb_analysis_rng_normal(&r);
		int trained = a < 40 ? 2 + a / 10 : 99; /* cohorts 0..3, from window 2 */

		for (int t = 0; t < 8; t++)
			y[a][t] = level + 2.0 * sin(M_PI * t / 2.0) + 0.1 * t +
				  0.5 * cb_analysis_rng_normal(&r) + (t >= trained ? effect : 0.0);
	}
	for (int a = 0; a < 80; a++)
		for (int g = 0; g < 4; g++) {
			if (a < 40 && a / 10 != g)
				continue;
			rows[n++] = (cb_analysis_row){(size_t)a, (size_t)g, a < 40, y[a][g + 1], y[a][g + 2]};
		}
	/* The pooled comparison: controls on the median cohort's windows. */
	for (int a = 0; a < 80; a++) {
		int g = a < 40 ? a / 10 : 2;

		if (a < 40)
			xsum += y[a][g + 2] - y[a][g + 1];
		else
			csum += y[a][g + 2] - y[a][g + 1];
	}
	*naive = xsum / 40.0 - csum / 40.0;
	return n;
}

START_TEST(staggered_seasonal_cohorts_recover_the_effect)
{
	cb_analysis_row rows[320];
	cb_analysis_impact im;
	double naive;
	size_t n = seasonal_rows(rows, -0.5, 2021, &naive);

	ck_assert_uint_eq(n, 40 + 40 * 4);
	ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 4, 1, CB_ANALYSIS_LOWER_IS_BETTER,
						    NULL, &im),
			 0);
	ck_assert(!im.thin);
	ck_assert_msg(im.effect_ci.low < -0.5 && -0.5 < im.effect_ci.high, "[%g, %g]",
		      im.effect_ci.low, im.effect_ci.high);
	ck_assert(im.excludes_zero && im.verdict == CB_ANALYSIS_IMPROVED);
	ck_assert(fabs(im.effect + 0.5) < 0.25);
	/* Against controls measured on other dates the season leaks in: the
	 * pooled comparison is off by far more than the effect. */
	ck_assert_msg(fabs(naive + 0.5) > 1.0, "naive %g", naive);
	for (int g = 0; g < 4; g++)
		ck_assert(im.cohorts[g].used && im.cohorts[g].weight == 0.25);
	cb_analysis_impact_clear(&im);

	/* No effect: the interval holds 0. */
	n = seasonal_rows(rows, 0.0, 2022, &naive);
	ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 4, 1, CB_ANALYSIS_LOWER_IS_BETTER,
						    NULL, &im),
			 0);
	ck_assert_msg(im.effect_ci.low < 0.0 && 0.0 < im.effect_ci.high, "[%g, %g]",
		      im.effect_ci.low, im.effect_ci.high);
	ck_assert(!im.excludes_zero && im.p_value > 0.05);
	cb_analysis_impact_clear(&im);
}
END_TEST

START_TEST(known_effect_is_recovered)
{
	/* 40 exposed accounts rising by 8 points, 40 controls by 2, noise sd 3
	 * on each change: the true effect is 6, with a standard error of about
	 * 3 sqrt(2 / 40) = 0.67, so the interval spans about 6 +- 1.3. */
	double eb[40], ef[40], cb[40], cf[40];
	cb_analysis_row rows[80];
	cb_analysis_impact im;
	size_t n;

	make_group(eb, ef, 40, 50.0, 8.0, 3.0, 101);
	make_group(cb, cf, 40, 50.0, 2.0, 3.0, 202);
	n = one_cohort(rows, eb, ef, 40, cb, cf, 40);
	ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 1, 1, CB_ANALYSIS_HIGHER_IS_BETTER,
						    NULL, &im),
			 0);
	ck_assert(!im.thin && im.has_control);
	ck_assert_msg(im.effect_ci.low < 6.0 && im.effect_ci.high > 6.0, "[%g, %g]",
		      im.effect_ci.low, im.effect_ci.high);
	ck_assert(im.effect_ci.low > 0.0);
	ck_assert(im.excludes_zero && im.p_value < 1e-6);
	ck_assert_int_eq(im.verdict, CB_ANALYSIS_IMPROVED);
	ck_assert(im.effect_ci.low < im.effect && im.effect < im.effect_ci.high);
	ck_assert(im.effect_ci.high - im.effect_ci.low < 4.0);
	/* Each group's own interval covers its own rise. */
	ck_assert(im.exposed.ci.low < 8.0 && im.exposed.ci.high > 8.0);
	ck_assert(im.control.ci.low < 2.0 && im.control.ci.high > 2.0);
	ck_assert(fabs(im.effect - (im.exposed.mean_change - im.control.mean_change)) < 1e-12);
	cb_analysis_impact_clear(&im);
}
END_TEST

START_TEST(no_effect_interval_covers_zero)
{
	double eb[40], ef[40], cb[40], cf[40];
	cb_analysis_row rows[80];
	cb_analysis_impact im;
	size_t n;

	/* Both groups rise by 2: a shared trend, no effect of the training. */
	make_group(eb, ef, 40, 50.0, 2.0, 3.0, 303);
	make_group(cb, cf, 40, 50.0, 2.0, 3.0, 404);
	n = one_cohort(rows, eb, ef, 40, cb, cf, 40);
	ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 1, 1, CB_ANALYSIS_HIGHER_IS_BETTER,
						    NULL, &im),
			 0);
	ck_assert_msg(im.effect_ci.low < 0.0 && im.effect_ci.high > 0.0, "[%g, %g]",
		      im.effect_ci.low, im.effect_ci.high);
	ck_assert(!im.excludes_zero && im.p_value > 0.05);
	/* The trend alone would look like an improvement without the control. */
	ck_assert(im.exposed.ci.low > 0.0);
	cb_analysis_impact_clear(&im);
}
END_TEST

START_TEST(lower_is_better_kpi_improves_by_falling)
{
	/* MTTR around 8 h: exposed accounts fall by 1.5 h, controls stay. */
	double eb[30], ef[30], cb[30], cf[30];
	cb_analysis_row rows[60];
	cb_analysis_impact im;
	cb_analysis_roi_input in = {0};
	cb_analysis_roi roi;
	size_t n;

	make_group(eb, ef, 30, 80.0, -15.0, 5.0, 505); /* tenths of an hour */
	make_group(cb, cf, 30, 80.0, 0.0, 5.0, 606);
	n = one_cohort(rows, eb, ef, 30, cb, cf, 30);
	ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 1, 1, CB_ANALYSIS_LOWER_IS_BETTER,
						    NULL, &im),
			 0);
	ck_assert(im.effect < 0.0);
	ck_assert(im.effect_ci.high < 0.0 && im.excludes_zero);
	ck_assert_int_eq(im.verdict, CB_ANALYSIS_IMPROVED);
	ck_assert(im.exposed.improved > im.exposed.worsened);

	in.effect = im.effect;
	in.effect_ci = im.effect_ci;
	in.better = CB_ANALYSIS_LOWER_IS_BETTER;
	in.kind = CB_ANALYSIS_KPI_LEVEL;
	in.value = 30.0; /* money per tenth of an hour of MTTR per account per year */
	in.accounts = 30;
	in.follow_up_days = 90;
	in.cost = 5000.0;
	ck_assert_int_eq(cb_analysis_roi_compute(&in, &roi), 0);
	ck_assert(roi.estimate.improvement == -im.effect);
	ck_assert(roi.estimate.benefit > 0.0);
	ck_assert(roi.low.benefit > 0.0); /* the interval excluded 0 */
	/* The worse end is the effect's high end (the smaller fall). */
	ck_assert(roi.low.improvement == -im.effect_ci.high);
	ck_assert(roi.high.improvement == -im.effect_ci.low);
	ck_assert(roi.low.benefit < roi.estimate.benefit &&
		  roi.estimate.benefit < roi.high.benefit);
	cb_analysis_impact_clear(&im);
}
END_TEST

START_TEST(thin_data_says_why)
{
	const double b[] = {10, 12, 14, 16, 18}, f[] = {11, 13, 15, 17, 19};
	const double nb[] = {NAN, 5, NAN}, nf[] = {3, NAN, NAN};
	cb_analysis_row rows[16];
	cb_analysis_impact im;
	size_t n;

	n = one_cohort(rows, b, f, 2, b, f, 5);
	ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 1, 1, CB_ANALYSIS_HIGHER_IS_BETTER,
						    NULL, &im),
			 0);
	ck_assert(im.thin);
	ck_assert_str_eq(im.reason,
			 "2 of 2 exposed accounts have a value in both windows; at least 3 needed");
	ck_assert(isnan(im.effect) && isnan(im.effect_ci.low) && isnan(im.effect_ci.high));
	ck_assert(isnan(im.p_value) && isnan(im.se));
	ck_assert_int_eq(im.verdict, CB_ANALYSIS_NO_VALUE);
	ck_assert(!im.excludes_zero);
	/* The facts are still there; the thin group's interval is not. */
	ck_assert_uint_eq(im.exposed.paired, 2);
	ck_assert(im.exposed.mean_change == 1.0);
	ck_assert(!im.exposed.enough && isnan(im.exposed.ci.low));
	ck_assert(im.control.enough && im.control.ci.low == 1.0 && im.control.ci.high == 1.0);
	cb_analysis_impact_clear(&im);

	/* Controls without values in both windows. */
	n = one_cohort(rows, b, f, 5, nb, nf, 3);
	ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 1, 1, CB_ANALYSIS_HIGHER_IS_BETTER,
						    NULL, &im),
			 0);
	ck_assert(im.thin);
	ck_assert_str_eq(im.reason,
			 "none of the 3 control accounts has a value in both windows; 5 exposed "
			 "accounts were left out: fewer than 2 control accounts have values over "
			 "their cohort's windows");
	ck_assert_uint_eq(im.control.no_baseline, 2);
	ck_assert_uint_eq(im.control.no_follow_up, 2);
	ck_assert(isnan(im.control.mean_change));
	ck_assert_uint_eq(im.dropped, 5);
	cb_analysis_impact_clear(&im);

	/* No exposed accounts at all; no controls asked for but none given. */
	n = one_cohort(rows, b, f, 0, b, f, 2);
	ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 1, 1, CB_ANALYSIS_HIGHER_IS_BETTER,
						    NULL, &im),
			 0);
	ck_assert_str_eq(im.reason,
			 "no exposed accounts; "
			 "2 of 2 control accounts have a value in both windows; at least 3 needed");
	cb_analysis_impact_clear(&im);
	n = one_cohort(rows, b, f, 5, b, f, 0);
	ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 1, 1, CB_ANALYSIS_HIGHER_IS_BETTER,
						    NULL, &im),
			 0);
	ck_assert(cbt_has(im.reason, "no control accounts"));
	cb_analysis_impact_clear(&im);

	/* A cohort with one control cannot be compared (its control mean has
	 * no variance to measure); the other cohort carries the effect. */
	{
		cb_analysis_row r2[16];
		size_t m = two_cohorts(r2);

		/* Drop cohort 1's controls but account 4. */
		m = 6;
		r2[m++] = (cb_analysis_row){4, 1, 0, 8, 10};
		ck_assert_int_eq(cb_analysis_impact_compute(r2, m, 2, 1,
							    CB_ANALYSIS_HIGHER_IS_BETTER, NULL, &im),
				 0);
		ck_assert(im.thin); /* 2 exposed accounts remain */
		ck_assert_str_eq(im.reason,
				 "2 of 3 exposed accounts with values in both windows are in a cohort "
				 "that control accounts can be compared with; at least 3 needed; 1 "
				 "exposed account was left out: fewer than 2 control accounts have "
				 "values over its cohort's windows");
		ck_assert_uint_eq(im.dropped, 1);
		ck_assert(!im.cohorts[1].used && im.cohorts[1].weight == 0.0);
		ck_assert(im.cohorts[0].used && im.cohorts[0].weight == 1.0);
		cb_analysis_impact_clear(&im);
	}

	/* The minimum is a setting. */
	{
		cb_analysis_options o = CB_ANALYSIS_OPTIONS_INIT;

		n = one_cohort(rows, b, f, 2, b, f, 5);
		o.min_exposed = 2;
		ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 1, 1,
							    CB_ANALYSIS_HIGHER_IS_BETTER, &o, &im),
				 0);
		ck_assert(!im.thin);
		cb_analysis_impact_clear(&im);
		o.min_control = 6;
		ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 1, 1,
							    CB_ANALYSIS_HIGHER_IS_BETTER, &o, &im),
				 0);
		ck_assert_str_eq(im.reason, "5 of 5 control accounts have a value in both "
					    "windows; at least 6 needed");
		cb_analysis_impact_clear(&im);
	}
}
END_TEST

START_TEST(without_control_the_effect_is_the_exposed_change)
{
	double eb[20], ef[20];
	cb_analysis_row rows[20];
	cb_analysis_impact im;
	size_t n;

	make_group(eb, ef, 20, 50.0, 4.0, 3.0, 707);
	n = one_cohort(rows, eb, ef, 20, NULL, NULL, 0);
	ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 1, 0, CB_ANALYSIS_HIGHER_IS_BETTER,
						    NULL, &im),
			 0);
	ck_assert(!im.thin && !im.has_control);
	ck_assert(im.effect == im.exposed.mean_change);
	ck_assert_double_eq_tol(im.effect_ci.low, im.exposed.ci.low, 1e-12);
	ck_assert_double_eq_tol(im.effect_ci.high, im.exposed.ci.high, 1e-12);
	ck_assert(im.df == 19.0);
	ck_assert_uint_eq(im.control.accounts, 0);
	ck_assert(isnan(im.control.mean_change) && isnan(im.control.ci.low));
	ck_assert(im.effect_ci.low < 4.0 && im.effect_ci.high > 4.0);
	cb_analysis_impact_clear(&im);
}
END_TEST

START_TEST(same_rows_same_bits)
{
	double eb[25], ef[25], cb[25], cf[25];
	cb_analysis_row rows[50];
	cb_analysis_impact a, b;
	size_t n;

	make_group(eb, ef, 25, 50.0, 5.0, 4.0, 808);
	make_group(cb, cf, 25, 50.0, 1.0, 4.0, 909);
	n = one_cohort(rows, eb, ef, 25, cb, cf, 25);
	ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 1, 1, CB_ANALYSIS_HIGHER_IS_BETTER,
						    NULL, &a),
			 0);
	ck_assert_int_eq(cb_analysis_impact_compute(rows, n, 1, 1, CB_ANALYSIS_HIGHER_IS_BETTER,
						    NULL, &b),
			 0);
	ck_assert(memcmp(&a.effect_ci, &b.effect_ci, sizeof(a.effect_ci)) == 0);
	ck_assert(memcmp(&a.p_value, &b.p_value, sizeof(a.p_value)) == 0);
	ck_assert(memcmp(&a.exposed.ci, &b.exposed.ci, sizeof(a.exposed.ci)) == 0);
	ck_assert(memcmp(&a.control.ci, &b.control.ci, sizeof(a.control.ci)) == 0);
	cb_analysis_impact_clear(&a);
	cb_analysis_impact_clear(&b);
}
END_TEST

START_TEST(bad_options_and_rows_are_refused)
{
	cb_analysis_row rows[4] = {{0, 0, 1, 1, 2}, {1, 0, 1, 2, 3}, {2, 0, 1, 3, 4}};
	cb_analysis_options o = CB_ANALYSIS_OPTIONS_INIT;
	cb_analysis_impact im;

	o.level = 95;
	ck_assert_int_eq(cb_analysis_impact_compute(rows, 3, 1, 0, 0, &o, &im), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "confidence level 95 is not between 0 and 1");
	cb_analysis_impact_clear(&im);
	o = (cb_analysis_options)CB_ANALYSIS_OPTIONS_INIT;
	o.min_control = 1;
	ck_assert_int_eq(cb_analysis_impact_compute(rows, 3, 1, 0, 0, &o, &im), CB_EINVALID);
	ck_assert(cbt_has(cb_error_last(), "an interval needs at least 2"));
	ck_assert_int_eq(cb_analysis_impact_compute(NULL, 3, 1, 0, 0, NULL, &im), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "3 rows given without their values");
	ck_assert_int_eq(cb_analysis_impact_compute(rows, 3, 0, 0, 0, NULL, &im), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "row 1: cohort 0 of 0");
	rows[3] = (cb_analysis_row){1, 0, 0, 2, 3};
	ck_assert_int_eq(cb_analysis_impact_compute(rows, 4, 1, 1, 0, NULL, &im), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "rows 2 and 4: account 1 twice in cohort 0");
	rows[3] = (cb_analysis_row){1, 1, 1, 2, 3};
	ck_assert_int_eq(cb_analysis_impact_compute(rows, 4, 2, 1, 0, NULL, &im), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "account 1 is exposed in 2 cohorts");
	cb_analysis_impact_clear(&im);
}
END_TEST

/* Two effects sharing control accounts: the difference's variance is the
 * sum over accounts of (term in a - term in b)^2, so what both share
 * cancels. */
START_TEST(difference_of_two_effects_by_hand)
{
	cb_analysis_impact a = {0}, b = {0};
	cb_analysis_difference d;
	const int64_t ia[] = {1, 2, 5}, ib[] = {2, 3, 5};
	const double sa[] = {0.3, -0.1, 0.2}, sb[] = {0.4, 0.1, 0.2};
	cb_analysis_scores xa = {ia, sa, 3}, xb = {ib, sb, 3};
	double v;

	a.effect = 1.5, a.df = 12;
	b.effect = 0.5, b.df = 8;
	ck_assert_int_eq(cb_analysis_difference_of(&a, &xa, &b, &xb, 0.95, &d), 0);
	ck_assert(d.difference == 1.0);
	/* account 1: 0.3; 2: -0.1 - 0.4; 3: -0.1; 5: 0.2 - 0.2 = 0 */
	v = 0.3 * 0.3 + 0.5 * 0.5 + 0.1 * 0.1;
	ck_assert_double_eq_tol(d.se, sqrt(v), 1e-15);
	ck_assert(d.df == 8);
	ck_assert_double_eq_tol(d.ci.high, 1.0 + cb_analysis_t_quantile(0.975, 8) * sqrt(v), 1e-12);
	ck_assert_double_eq_tol(d.p_value, cb_analysis_t_two_sided(1.0 / sqrt(v), 8), 1e-12);
	ck_assert(d.excludes_zero == (d.ci.low > 0));
	b.thin = 1;
	ck_assert_int_eq(cb_analysis_difference_of(&a, &xa, &b, &xb, 0.95, &d), CB_EINVALID);
}
END_TEST

START_TEST(benjamini_hochberg_by_hand)
{
	/* m = 4 finite values: 0.005 (rank 1), 0.01 (2), 0.03 (3), 0.04 (4):
	 * m p / rank = 0.02, 0.02, 0.04, 0.04, minimum from the top down. */
	double p[5] = {0.01, 0.04, 0.03, 0.005, NAN}, adj[5];

	ck_assert_int_eq(cb_analysis_adjust_bh(p, 5, adj), 0);
	ck_assert_double_eq_tol(adj[0], 0.02, 1e-15);
	ck_assert_double_eq_tol(adj[1], 0.04, 1e-15);
	ck_assert_double_eq_tol(adj[2], 0.04, 1e-15);
	ck_assert_double_eq_tol(adj[3], 0.02, 1e-15);
	ck_assert(isnan(adj[4]));
	/* The step-up keeps the order, and never passes 1; in place works. */
	{
		double q[3] = {0.9, 0.5, 0.95};

		ck_assert_int_eq(cb_analysis_adjust_bh(q, 3, q), 0);
		ck_assert_double_eq_tol(q[1], 0.95, 1e-15); /* min(1.5, 0.95, 0.95) */
		ck_assert_double_eq_tol(q[0], 0.95, 1e-15);
		ck_assert_double_eq_tol(q[2], 0.95, 1e-15);
	}
	ck_assert_int_eq(cb_analysis_adjust_bh(p, 0, adj), 0);
}
END_TEST

START_TEST(roi_by_hand)
{
	cb_analysis_roi_input in = {0};
	cb_analysis_roi roi;

	/*
	 * A level KPI (NPS): effect +6 points, interval [4, 8]; V = 100 per
	 * point per account per year; 40 accounts; cost 10000.
	 *   benefit = 6 x 100 x 40 = 24000; ROI = (24000 - 10000) / 10000 =
	 *   140 %; BCR = 2.4. Low end: 4 x 100 x 40 = 16000, 60 %, 1.6.
	 *   High end: 8 x 100 x 40 = 32000, 220 %, 3.2.
	 * The 90-day window does not enter: the level holds all year.
	 */
	in.effect = 6.0;
	in.effect_ci = (cb_analysis_interval){4.0, 8.0};
	in.better = CB_ANALYSIS_HIGHER_IS_BETTER;
	in.kind = CB_ANALYSIS_KPI_LEVEL;
	in.value = 100.0;
	in.accounts = 40;
	in.follow_up_days = 90;
	in.cost = 10000.0;
	ck_assert_int_eq(cb_analysis_roi_compute(&in, &roi), 0);
	ck_assert(roi.defined && roi.annualisation == 1.0);
	ck_assert(roi.estimate.benefit == 24000.0 && roi.estimate.net_benefit == 14000.0);
	ck_assert(roi.estimate.roi_percent == 140.0 && roi.estimate.bcr == 2.4);
	ck_assert(roi.low.benefit == 16000.0 && roi.low.roi_percent == 60.0);
	ck_assert(roi.low.bcr == 1.6);
	ck_assert(roi.high.benefit == 32000.0 && roi.high.roi_percent == 220.0);
	ck_assert(roi.high.bcr == 3.2);

	/*
	 * A window total, lower is better (failures per 73-day window, so a
	 * year holds 365 / 73 = 5 windows): effect -3, interval [-5, -1];
	 * V = 250 per failure; 20 accounts; cost 50000.
	 *   improvement 3; benefit = 3 x 250 x 20 x 5 = 75000; ROI =
	 *   (75000 - 50000) / 50000 = 50 %; BCR 1.5.
	 *   Worse end: the effect's high end -1, improvement 1: 25000,
	 *   ROI -50 %, BCR 0.5. Better end: -5, improvement 5: 125000,
	 *   ROI 150 %, BCR 2.5.
	 */
	in.effect = -3.0;
	in.effect_ci = (cb_analysis_interval){-5.0, -1.0};
	in.better = CB_ANALYSIS_LOWER_IS_BETTER;
	in.kind = CB_ANALYSIS_KPI_WINDOW_TOTAL;
	in.value = 250.0;
	in.accounts = 20;
	in.follow_up_days = 73;
	in.cost = 50000.0;
	ck_assert_int_eq(cb_analysis_roi_compute(&in, &roi), 0);
	ck_assert(roi.annualisation == 5.0);
	ck_assert(roi.estimate.improvement == 3.0 && roi.estimate.benefit == 75000.0);
	ck_assert(roi.estimate.roi_percent == 50.0 && roi.estimate.bcr == 1.5);
	ck_assert(roi.low.improvement == 1.0 && roi.low.benefit == 25000.0);
	ck_assert(roi.low.roi_percent == -50.0 && roi.low.bcr == 0.5);
	ck_assert(roi.high.improvement == 5.0 && roi.high.benefit == 125000.0);
	ck_assert(roi.high.roi_percent == 150.0 && roi.high.bcr == 2.5);

	/*
	 * The same window total over the default 90 days: 365 / 90 = 4.0556
	 * windows a year; benefit = 3 x 250 x 20 x 365 / 90 = 60833.33.
	 */
	in.follow_up_days = 90;
	ck_assert_int_eq(cb_analysis_roi_compute(&in, &roi), 0);
	ck_assert(fabs(roi.estimate.benefit - 60833.333333333333) < 1e-6);
	ck_assert(fabs(roi.estimate.roi_percent - 21.666666666666667) < 1e-9);

	/* An effect in the wrong direction is a loss. */
	in.effect = 2.0;
	in.effect_ci = (cb_analysis_interval){1.0, 3.0};
	in.follow_up_days = 73;
	ck_assert_int_eq(cb_analysis_roi_compute(&in, &roi), 0);
	ck_assert(roi.estimate.benefit == -50000.0 && roi.estimate.roi_percent == -200.0);
	ck_assert(roi.low.benefit == -75000.0 && roi.high.benefit == -25000.0);
}
END_TEST

START_TEST(roi_without_cost_is_undefined)
{
	cb_analysis_roi_input in = {0};
	cb_analysis_roi roi;

	in.effect = 6.0;
	in.effect_ci = (cb_analysis_interval){4.0, 8.0};
	in.value = 100.0;
	in.accounts = 40;
	in.follow_up_days = 90;
	in.cost = 0.0;
	ck_assert_int_eq(cb_analysis_roi_compute(&in, &roi), 0);
	ck_assert(!roi.defined);
	ck_assert(roi.estimate.benefit == 24000.0);
	ck_assert(isnan(roi.estimate.roi_percent) && isnan(roi.estimate.bcr));
	ck_assert(isnan(roi.low.roi_percent) && isnan(roi.high.bcr));
}
END_TEST

START_TEST(roi_rejects_bad_input)
{
	cb_analysis_roi_input good = {0}, in;
	cb_analysis_roi roi = {.annualisation = -1};

	good.effect = 1.0;
	good.effect_ci = (cb_analysis_interval){0.5, 1.5};
	good.value = 10.0;
	good.accounts = 5;
	good.follow_up_days = 90;
	good.cost = 100.0;

	in = good, in.cost = -1.0;
	ck_assert_int_eq(cb_analysis_roi_compute(&in, &roi), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "ROI: cost -1 is not a number of 0 or more");
	in = good, in.effect = NAN; /* a thin impact's effect */
	ck_assert_int_eq(cb_analysis_roi_compute(&in, &roi), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "ROI: the effect is not a number");
	in = good, in.effect_ci = (cb_analysis_interval){2.0, 1.0};
	ck_assert_int_eq(cb_analysis_roi_compute(&in, &roi), CB_EINVALID);
	in = good, in.value = INFINITY;
	ck_assert_int_eq(cb_analysis_roi_compute(&in, &roi), CB_EINVALID);
	in = good, in.accounts = 0;
	ck_assert_int_eq(cb_analysis_roi_compute(&in, &roi), CB_EINVALID);
	in = good, in.follow_up_days = 0;
	ck_assert_int_eq(cb_analysis_roi_compute(&in, &roi), CB_EINVALID);
	ck_assert(roi.annualisation == -1); /* untouched */
	ck_assert_int_eq(cb_analysis_roi_compute(&good, &roi), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("analysis/impact");
	TCase *win = tcase_create("windows");
	TCase *imp = tcase_create("impact");
	TCase *roi = tcase_create("roi");

	tcase_add_test(win, windows_on_known_dates);
	tcase_add_test(win, observation_times_fall_on_utc_days);
	tcase_add_test(win, windows_reject_bad_arguments);
	tcase_add_test(win, event_windows_follow_one_another);
	tcase_add_test(imp, changes_per_account);
	tcase_add_test(imp, group_summary_by_hand);
	tcase_add_test(imp, cohorts_by_hand);
	tcase_add_test(imp, an_account_in_two_roles_is_one_cluster);
	tcase_add_test(imp, staggered_seasonal_cohorts_recover_the_effect);
	tcase_add_test(imp, known_effect_is_recovered);
	tcase_add_test(imp, no_effect_interval_covers_zero);
	tcase_add_test(imp, lower_is_better_kpi_improves_by_falling);
	tcase_add_test(imp, thin_data_says_why);
	tcase_add_test(imp, without_control_the_effect_is_the_exposed_change);
	tcase_add_test(imp, same_rows_same_bits);
	tcase_add_test(imp, bad_options_and_rows_are_refused);
	tcase_add_test(imp, benjamini_hochberg_by_hand);
	tcase_add_test(imp, difference_of_two_effects_by_hand);
	tcase_add_test(roi, roi_by_hand);
	tcase_add_test(roi, roi_without_cost_is_undefined);
	tcase_add_test(roi, roi_rejects_bad_input);
	suite_add_tcase(s, win);
	suite_add_tcase(s, imp);
	suite_add_tcase(s, roi);
	return cbt_main(s);
}
