/*
 * The impact of an exposure on one KPI (Kirkpatrick level 4): per-account
 * changes from the baseline window to the follow-up window, each group's
 * mean change with a bootstrap interval, and the difference-in-differences
 * effect of the exposed accounts against a control group.
 * Pure computation: the caller supplies the KPI values of each window.
 */
#ifndef CB_ANALYSIS_IMPACT_H
#define CB_ANALYSIS_IMPACT_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/stats.h"

#define CB_ANALYSIS_RESAMPLES 2000            /* default B */
#define CB_ANALYSIS_LEVEL 0.95                /* default confidence level */
#define CB_ANALYSIS_SEED UINT64_C(20240229)   /* default seed */
#define CB_ANALYSIS_MIN_ACCOUNTS 3            /* default minimum per group */
#define CB_ANALYSIS_REASON_MAX 256            /* bytes of a "too thin" reason */

/* Which way a KPI is better; the same order as the plugin layer's
 * cb_kpi_better (CB_KPI_HIGHER, CB_KPI_LOWER). */
typedef enum cb_analysis_better {
	CB_ANALYSIS_HIGHER_IS_BETTER = 0, /* NPS, uptime */
	CB_ANALYSIS_LOWER_IS_BETTER = 1   /* MTTR, repeat visits */
} cb_analysis_better;

/* What a change means for the account, by the KPI's direction. */
typedef enum cb_analysis_verdict {
	CB_ANALYSIS_NO_VALUE = 0, /* a value is missing: no change to judge */
	CB_ANALYSIS_IMPROVED,
	CB_ANALYSIS_WORSENED,
	CB_ANALYSIS_UNCHANGED /* exactly equal */
} cb_analysis_verdict;

/* "no value", "improved", "worsened" or "unchanged" (static strings). */
const char *cb_analysis_verdict_name(cb_analysis_verdict v);

/* One account's change. Values are in the KPI's unit; NaN means "no value"
 * or "undefined" throughout. */
typedef struct cb_analysis_change {
	double change;   /* follow_up - baseline; NaN when either is missing */
	double relative; /* change / |baseline| (a fraction: 0.25 is +25 %,
			  * signed as the change); NaN when a value is missing
			  * or the baseline is 0 */
	cb_analysis_verdict verdict;
} cb_analysis_change;

/* The change of one account from `baseline` to `follow_up` (KPI values; NaN
 * or an infinity means "no value"), judged by `better`. */
cb_analysis_change cb_analysis_change_of(double baseline, double follow_up,
					 cb_analysis_better better);

/* Settings of an impact computation. */
typedef struct cb_analysis_options {
	size_t resamples;   /* B, CB_ANALYSIS_RESAMPLES_MIN..CB_ANALYSIS_RESAMPLES_MAX */
	double level;       /* confidence level of every interval, in (0, 1) */
	uint64_t seed;      /* the bootstrap's seed: same seed, same bits */
	size_t min_exposed; /* fewest exposed accounts with values (at least 2) */
	size_t min_control; /* fewest control accounts with values (at least 2) */
} cb_analysis_options;

#define CB_ANALYSIS_OPTIONS_INIT                                                   \
	{CB_ANALYSIS_RESAMPLES, CB_ANALYSIS_LEVEL, CB_ANALYSIS_SEED,              \
	 CB_ANALYSIS_MIN_ACCOUNTS, CB_ANALYSIS_MIN_ACCOUNTS}

/* One group's KPI values: account i has baseline[i] and follow_up[i] (NaN
 * or an infinity: no value in that window). Both arrays are borrowed, n
 * entries each; they may be NULL when n == 0. */
typedef struct cb_analysis_accounts {
	const double *baseline;
	const double *follow_up;
	size_t n;
} cb_analysis_accounts;

/* What one group did. Its statistics are over its "paired" accounts (a
 * value in both windows); the others are only counted. */
typedef struct cb_analysis_group {
	size_t accounts;     /* accounts given */
	size_t paired;       /* with a value in both windows */
	size_t no_baseline;  /* without a baseline value */
	size_t no_follow_up; /* without a follow-up value (an account can lack both) */
	size_t improved, worsened, unchanged; /* paired accounts, by verdict */
	double baseline_mean;  /* NaN when paired == 0 */
	double follow_up_mean; /* NaN when paired == 0 */
	double mean_change;    /* mean of the per-account changes; NaN when paired == 0 */
	double sd_change;      /* their sample sd (n - 1); NaN when paired < 2 */
	double relative_change; /* mean_change / |baseline_mean|; NaN when
				 * baseline_mean is 0 or NaN */
	int enough;             /* paired >= the group's minimum */
	cb_analysis_interval ci; /* bootstrap interval of mean_change; NaN when !enough */
} cb_analysis_group;

/* The impact of an exposure on one KPI. */
typedef struct cb_analysis_impact {
	int thin; /* too thin to estimate: effect, effect_ci are NaN */
	char reason[CB_ANALYSIS_REASON_MAX]; /* why thin; "" otherwise */
	int has_control; /* 0: no control group was given, so effect is the
			  * exposed group's mean change, NOT a difference-in-
			  * differences: it does not remove the trend that all
			  * accounts share, and should be reported as such */
	cb_analysis_group exposed;
	cb_analysis_group control; /* all counts 0 and numbers NaN when !has_control */
	double effect; /* KPI units per account: exposed.mean_change -
			* control.mean_change, or exposed.mean_change alone */
	cb_analysis_interval effect_ci; /* bootstrap interval of effect */
	cb_analysis_verdict verdict;    /* of effect, by the KPI's direction;
					 * CB_ANALYSIS_NO_VALUE when thin */
	int excludes_zero; /* effect_ci lies wholly above or below 0 */
	cb_analysis_options options; /* as used (defaults filled in) */
} cb_analysis_impact;

/*
 * Computes the impact on one KPI whose direction is `better`, from the
 * values of the `exposed` accounts and of the `control` accounts (NULL, or
 * n == 0: no control group; then effect is the exposed mean change and
 * has_control says so). `opt` may be NULL for CB_ANALYSIS_OPTIONS_INIT.
 * Everything is borrowed; *out is the caller's and is filled completely.
 *
 * Difference-in-differences over accounts: each account contributes its
 * own change d = follow_up - baseline, and
 *     effect = mean(d, exposed) - mean(d, control),
 * which for accounts with both values equals the classic 2x2 estimator
 * (after - before)_exposed - (after - before)_control (Angrist & Pischke,
 * "Mostly Harmless Econometrics", 2009, sec. 5.2). It estimates the
 * exposure's effect under the parallel-trends assumption: without the
 * training, exposed accounts would have changed as the controls did.
 *
 * Intervals are percentile bootstrap intervals at opt->level with B =
 * opt->resamples, resampling accounts (the unit of analysis) with
 * replacement; for the effect, exposed and control accounts are resampled
 * independently (stratified). The draws come from xoshiro256** seeded with
 * opt->seed: stream 0 for the exposed group's interval (which is also the
 * effect's interval when there is no control), stream 1 (one jump on) for
 * the control group's, stream 2 for the difference. One array of B doubles
 * is allocated at a time, besides two arrays of per-account changes.
 *
 * Too thin: when fewer than opt->min_exposed exposed accounts (or, with a
 * control group, fewer than opt->min_control control accounts) have values
 * in both windows, out->thin is 1, out->reason says which group has how
 * many of what it needs, and the effect is NaN; each group's counts and
 * means are still filled, and its interval when that group has enough.
 * A percentile interval from a handful of accounts covers less often than
 * its level says; the minimum only rules out the indefensible.
 *
 * Returns 0 (thin or not); CB_EINVALID for bad options (saying which);
 * CB_ENOMEM.
 */
int cb_analysis_impact_compute(const cb_analysis_accounts *exposed,
			       const cb_analysis_accounts *control, cb_analysis_better better,
			       const cb_analysis_options *opt, cb_analysis_impact *out);

#endif
