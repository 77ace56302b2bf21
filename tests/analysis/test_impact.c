/*
 * Windows on known dates, per-account changes, the difference-in-
 * differences effect on data built with a known effect, the "too thin"
 * guard, reproducibility, and ROI worked out by hand.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "analysis/impact.h"
#include "analysis/random.h"
#include "analysis/roi.h"
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
	 * crosses 29 February: 2024-03-01 - 90 days = 2023-12-02. */
	ck_assert_int_eq(cb_analysis_windows_make(day("2024-03-01"), day("2024-03-01"),
						  CB_ANALYSIS_WINDOW_DAYS, CB_ANALYSIS_LAG_DAYS, &w),
			 0);
	assert_date(w.baseline.from, "2023-12-02");
	assert_date(w.baseline.to, "2024-03-01"); /* exclusive: last day 02-29 */
	assert_date(w.follow_up.from, "2024-03-15");
	assert_date(w.follow_up.to, "2024-06-13");
	ck_assert_int_eq(w.baseline.to - w.baseline.from, 90);
	ck_assert_int_eq(w.follow_up.to - w.follow_up.from, 90);

	/* The same session a year earlier, no leap day: 2022-12-01. */
	ck_assert_int_eq(cb_analysis_windows_make(day("2023-03-01"), day("2023-03-01"), 90, 14,
						  &w),
			 0);
	assert_date(w.baseline.from, "2022-12-01");

	/* A five-day session over the leap day, 2024-02-26 to 2024-03-01:
	 * the baseline ends before its first day, the follow-up counts from
	 * its last. */
	ck_assert_int_eq(cb_analysis_windows_make(day("2024-02-26"), day("2024-03-01"), 90, 14,
						  &w),
			 0);
	assert_date(w.baseline.from, "2023-11-28");
	assert_date(w.baseline.to, "2024-02-26");
	assert_date(w.follow_up.from, "2024-03-15");
	assert_date(w.follow_up.to, "2024-06-13");

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
	ck_assert_int_eq(cb_analysis_windows_classify_day(&w, day("2024-03-14")),
			 CB_ANALYSIS_OUTSIDE); /* lag */
	ck_assert_int_eq(cb_analysis_windows_classify_day(&w, day("2024-03-15")),
			 CB_ANALYSIS_FOLLOW_UP);
	ck_assert_int_eq(cb_analysis_windows_classify_day(&w, day("2024-06-12")),
			 CB_ANALYSIS_FOLLOW_UP);
	ck_assert_int_eq(cb_analysis_windows_classify_day(&w, day("2024-06-13")),
			 CB_ANALYSIS_OUTSIDE);

	/* Lag 0: the last training day is the follow-up's first. */
	ck_assert_int_eq(cb_analysis_windows_make(day("2024-02-26"), day("2024-03-01"), 30, 0,
						  &w),
			 0);
	assert_date(w.follow_up.from, "2024-03-01");
	assert_date(w.follow_up.to, "2024-03-31");
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
	ck_assert_int_eq(cb_datetime_parse("2024-03-15", &t), 0);
	ck_assert(from_at == t);
	ck_assert_int_eq(cb_datetime_parse("2024-06-13", &t), 0);
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

START_TEST(group_summary_by_hand)
{
	/* Exposed changes +1, +2, +3 (and one account with no follow-up);
	 * control changes 0, +1, +2: effect (1+2+3)/3 - (0+1+2)/3 = 1. */
	const double eb[] = {10, 20, 30, 40}, ef[] = {11, 22, 33, NAN};
	const double cb[] = {10, 20, 30}, cf[] = {10, 21, 32};
	cb_analysis_accounts ex = {eb, ef, 4}, ct = {cb, cf, 3};
	cb_analysis_impact im;

	ck_assert_int_eq(cb_analysis_impact_compute(&ex, &ct, CB_ANALYSIS_HIGHER_IS_BETTER, NULL,
						    &im),
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
	/* Each resampled mean lies within the sample's range, so the intervals
	 * do too: [1, 3] for the exposed, [0, 2] for the control, [-1, 3] for
	 * the difference. */
	ck_assert(im.exposed.ci.low >= 1.0 && im.exposed.ci.high <= 3.0);
	ck_assert(im.exposed.ci.low < 2.0 && im.exposed.ci.high > 2.0);
	ck_assert(im.effect_ci.low >= -1.0 && im.effect_ci.high <= 3.0);
	ck_assert(im.options.resamples == CB_ANALYSIS_RESAMPLES);
	ck_assert(im.options.seed == CB_ANALYSIS_SEED);
}
END_TEST

START_TEST(known_effect_is_recovered)
{
	/* 40 exposed accounts rising by 8 points, 40 controls by 2, noise sd 3
	 * on each change: the true effect is 6, with a standard error of about
	 * 3 sqrt(2 / 40) = 0.67, so the interval spans about 6 +- 1.3. */
	double eb[40], ef[40], cb[40], cf[40];
	cb_analysis_accounts ex = {eb, ef, 40}, ct = {cb, cf, 40};
	cb_analysis_impact im;

	make_group(eb, ef, 40, 50.0, 8.0, 3.0, 101);
	make_group(cb, cf, 40, 50.0, 2.0, 3.0, 202);
	ck_assert_int_eq(cb_analysis_impact_compute(&ex, &ct, CB_ANALYSIS_HIGHER_IS_BETTER, NULL,
						    &im),
			 0);
	ck_assert(!im.thin && im.has_control);
	ck_assert_msg(im.effect_ci.low < 6.0 && im.effect_ci.high > 6.0, "[%g, %g]",
		      im.effect_ci.low, im.effect_ci.high);
	ck_assert(im.effect_ci.low > 0.0);
	ck_assert(im.excludes_zero);
	ck_assert_int_eq(im.verdict, CB_ANALYSIS_IMPROVED);
	ck_assert(im.effect_ci.low < im.effect && im.effect < im.effect_ci.high);
	ck_assert(im.effect_ci.high - im.effect_ci.low < 4.0);
	/* Each group's own interval covers its own rise. */
	ck_assert(im.exposed.ci.low < 8.0 && im.exposed.ci.high > 8.0);
	ck_assert(im.control.ci.low < 2.0 && im.control.ci.high > 2.0);
	ck_assert(fabs(im.effect - (im.exposed.mean_change - im.control.mean_change)) < 1e-12);
}
END_TEST

START_TEST(no_effect_interval_covers_zero)
{
	double eb[40], ef[40], cb[40], cf[40];
	cb_analysis_accounts ex = {eb, ef, 40}, ct = {cb, cf, 40};
	cb_analysis_impact im;

	/* Both groups rise by 2: a shared trend, no effect of the training. */
	make_group(eb, ef, 40, 50.0, 2.0, 3.0, 303);
	make_group(cb, cf, 40, 50.0, 2.0, 3.0, 404);
	ck_assert_int_eq(cb_analysis_impact_compute(&ex, &ct, CB_ANALYSIS_HIGHER_IS_BETTER, NULL,
						    &im),
			 0);
	ck_assert_msg(im.effect_ci.low < 0.0 && im.effect_ci.high > 0.0, "[%g, %g]",
		      im.effect_ci.low, im.effect_ci.high);
	ck_assert(!im.excludes_zero);
	/* The trend alone would look like an improvement without the control. */
	ck_assert(im.exposed.ci.low > 0.0);
}
END_TEST

START_TEST(lower_is_better_kpi_improves_by_falling)
{
	/* MTTR around 8 h: exposed accounts fall by 1.5 h, controls stay. */
	double eb[30], ef[30], cb[30], cf[30];
	cb_analysis_accounts ex = {eb, ef, 30}, ct = {cb, cf, 30};
	cb_analysis_impact im;
	cb_analysis_roi_input in = {0};
	cb_analysis_roi roi;

	make_group(eb, ef, 30, 80.0, -15.0, 5.0, 505); /* tenths of an hour */
	make_group(cb, cf, 30, 80.0, 0.0, 5.0, 606);
	ck_assert_int_eq(cb_analysis_impact_compute(&ex, &ct, CB_ANALYSIS_LOWER_IS_BETTER, NULL,
						    &im),
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
}
END_TEST

START_TEST(thin_data_says_why)
{
	const double b[] = {10, 12, 14, 16, 18}, f[] = {11, 13, 15, 17, 19};
	const double nb[] = {NAN, 5, NAN}, nf[] = {3, NAN, NAN};
	cb_analysis_accounts two = {b, f, 2}, five = {b, f, 5}, empty = {nb, nf, 3};
	cb_analysis_accounts none = {NULL, NULL, 0};
	cb_analysis_impact im;

	ck_assert_int_eq(cb_analysis_impact_compute(&two, &five, CB_ANALYSIS_HIGHER_IS_BETTER,
						    NULL, &im),
			 0);
	ck_assert(im.thin);
	ck_assert_str_eq(im.reason,
			 "2 of 2 exposed accounts have a value in both windows; at least 3 needed");
	ck_assert(isnan(im.effect) && isnan(im.effect_ci.low) && isnan(im.effect_ci.high));
	ck_assert_int_eq(im.verdict, CB_ANALYSIS_NO_VALUE);
	ck_assert(!im.excludes_zero);
	/* The facts are still there; the thin group's interval is not. */
	ck_assert_uint_eq(im.exposed.paired, 2);
	ck_assert(im.exposed.mean_change == 1.0);
	ck_assert(!im.exposed.enough && isnan(im.exposed.ci.low));
	ck_assert(im.control.enough && im.control.ci.low == 1.0 && im.control.ci.high == 1.0);

	/* Both groups short, and an account with values in neither window. */
	ck_assert_int_eq(cb_analysis_impact_compute(&five, &empty, CB_ANALYSIS_HIGHER_IS_BETTER,
						    NULL, &im),
			 0);
	ck_assert(im.thin);
	ck_assert_str_eq(im.reason, "none of the 3 control accounts has a value in both windows");
	ck_assert_uint_eq(im.control.no_baseline, 2);
	ck_assert_uint_eq(im.control.no_follow_up, 2);
	ck_assert(isnan(im.control.mean_change));

	ck_assert_int_eq(cb_analysis_impact_compute(&none, &two, CB_ANALYSIS_HIGHER_IS_BETTER,
						    NULL, &im),
			 0);
	ck_assert_str_eq(im.reason,
			 "no exposed accounts; "
			 "2 of 2 control accounts have a value in both windows; at least 3 needed");

	/* The minimum is a setting. */
	{
		cb_analysis_options o = CB_ANALYSIS_OPTIONS_INIT;

		o.min_exposed = 2;
		ck_assert_int_eq(cb_analysis_impact_compute(&two, &five,
							    CB_ANALYSIS_HIGHER_IS_BETTER, &o, &im),
				 0);
		ck_assert(!im.thin);
		o.min_control = 6;
		ck_assert_int_eq(cb_analysis_impact_compute(&two, &five,
							    CB_ANALYSIS_HIGHER_IS_BETTER, &o, &im),
				 0);
		ck_assert_str_eq(im.reason, "5 of 5 control accounts have a value in both "
					    "windows; at least 6 needed");
	}
}
END_TEST

START_TEST(without_control_the_effect_is_the_exposed_change)
{
	double eb[20], ef[20];
	cb_analysis_accounts ex = {eb, ef, 20};
	cb_analysis_impact im;

	make_group(eb, ef, 20, 50.0, 4.0, 3.0, 707);
	ck_assert_int_eq(cb_analysis_impact_compute(&ex, NULL, CB_ANALYSIS_HIGHER_IS_BETTER, NULL,
						    &im),
			 0);
	ck_assert(!im.thin && !im.has_control);
	ck_assert(im.effect == im.exposed.mean_change);
	ck_assert(memcmp(&im.effect_ci, &im.exposed.ci, sizeof(im.effect_ci)) == 0);
	ck_assert_uint_eq(im.control.accounts, 0);
	ck_assert(isnan(im.control.mean_change) && isnan(im.control.ci.low));
	ck_assert(im.effect_ci.low < 4.0 && im.effect_ci.high > 4.0);
}
END_TEST

START_TEST(same_seed_same_bits)
{
	double eb[25], ef[25], cb[25], cf[25];
	cb_analysis_accounts ex = {eb, ef, 25}, ct = {cb, cf, 25};
	cb_analysis_options o = CB_ANALYSIS_OPTIONS_INIT;
	cb_analysis_impact a, b, c;
	double width;

	make_group(eb, ef, 25, 50.0, 5.0, 4.0, 808);
	make_group(cb, cf, 25, 50.0, 1.0, 4.0, 909);
	o.seed = 12345;
	ck_assert_int_eq(cb_analysis_impact_compute(&ex, &ct, CB_ANALYSIS_HIGHER_IS_BETTER, &o, &a),
			 0);
	ck_assert_int_eq(cb_analysis_impact_compute(&ex, &ct, CB_ANALYSIS_HIGHER_IS_BETTER, &o, &b),
			 0);
	ck_assert(memcmp(&a.effect_ci, &b.effect_ci, sizeof(a.effect_ci)) == 0);
	ck_assert(memcmp(&a.exposed.ci, &b.exposed.ci, sizeof(a.exposed.ci)) == 0);
	ck_assert(memcmp(&a.control.ci, &b.control.ci, sizeof(a.control.ci)) == 0);

	o.seed = 12346;
	ck_assert_int_eq(cb_analysis_impact_compute(&ex, &ct, CB_ANALYSIS_HIGHER_IS_BETTER, &o, &c),
			 0);
	ck_assert(c.effect == a.effect); /* the estimate does not depend on the seed */
	ck_assert(c.effect_ci.low != a.effect_ci.low || c.effect_ci.high != a.effect_ci.high);
	width = a.effect_ci.high - a.effect_ci.low;
	ck_assert(fabs(c.effect_ci.low - a.effect_ci.low) < 0.1 * width);
	ck_assert(fabs(c.effect_ci.high - a.effect_ci.high) < 0.1 * width);
	/* The three streams differ: the groups' intervals are not drawn alike. */
	ck_assert(a.exposed.ci.low - a.exposed.mean_change !=
		  a.control.ci.low - a.control.mean_change);
}
END_TEST

START_TEST(bad_options_are_refused)
{
	const double b[] = {1, 2, 3}, f[] = {2, 3, 4};
	cb_analysis_accounts ex = {b, f, 3}, broken = {b, NULL, 3};
	cb_analysis_options o = CB_ANALYSIS_OPTIONS_INIT;
	cb_analysis_impact im;

	o.resamples = 10;
	ck_assert_int_eq(cb_analysis_impact_compute(&ex, NULL, 0, &o, &im), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "10 bootstrap resamples; use 100 to 1000000");
	o = (cb_analysis_options)CB_ANALYSIS_OPTIONS_INIT;
	o.level = 95;
	ck_assert_int_eq(cb_analysis_impact_compute(&ex, NULL, 0, &o, &im), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "confidence level 95 is not between 0 and 1");
	o = (cb_analysis_options)CB_ANALYSIS_OPTIONS_INIT;
	o.min_control = 1;
	ck_assert_int_eq(cb_analysis_impact_compute(&ex, NULL, 0, &o, &im), CB_EINVALID);
	ck_assert(cbt_has(cb_error_last(), "an interval needs at least 2"));
	ck_assert_int_eq(cb_analysis_impact_compute(&broken, NULL, 0, NULL, &im), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "exposed accounts: 3 given without their values");
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
	tcase_add_test(imp, changes_per_account);
	tcase_add_test(imp, group_summary_by_hand);
	tcase_add_test(imp, known_effect_is_recovered);
	tcase_add_test(imp, no_effect_interval_covers_zero);
	tcase_add_test(imp, lower_is_better_kpi_improves_by_falling);
	tcase_add_test(imp, thin_data_says_why);
	tcase_add_test(imp, without_control_the_effect_is_the_exposed_change);
	tcase_add_test(imp, same_seed_same_bits);
	tcase_add_test(imp, bad_options_are_refused);
	tcase_add_test(roi, roi_by_hand);
	tcase_add_test(roi, roi_without_cost_is_undefined);
	tcase_add_test(roi, roi_rejects_bad_input);
	suite_add_tcase(s, win);
	suite_add_tcase(s, imp);
	suite_add_tcase(s, roi);
	return cbt_main(s);
}
