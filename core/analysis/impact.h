/*
 * The impact of an exposure on one KPI (Kirkpatrick level 4), for training
 * delivered in sessions spread over time: exposed accounts are grouped in
 * cohorts by their training days, each cohort is compared with control
 * accounts measured over the cohort's own calendar windows (a group effect,
 * ATT(g)), and the group effects are averaged into the exposure's effect,
 * with a small-sample cluster-robust interval and a p-value.
 * Pure computation: the caller supplies the KPI values of each window.
 */
#ifndef CB_ANALYSIS_IMPACT_H
#define CB_ANALYSIS_IMPACT_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/stats.h"

#define CB_ANALYSIS_LEVEL 0.95     /* default confidence level */
#define CB_ANALYSIS_MIN_ACCOUNTS 3 /* default minimum per group */
#define CB_ANALYSIS_REASON_MAX 512 /* bytes of a "too thin" reason */

/* How the intervals and p-values are computed (see cb_analysis_impact_compute),
 * as the output names it. */
#define CB_ANALYSIS_METHOD                                                         \
	"cluster-robust t (CR2 variance, Bell-McCaffrey degrees of freedom), accounts as clusters"

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
	double level;       /* confidence level of every interval, in (0, 1) */
	size_t min_exposed; /* fewest exposed accounts with values (at least 2) */
	size_t min_control; /* fewest control accounts with values (at least 2) */
	int keep_scores;    /* fill cb_analysis_impact.scores */
} cb_analysis_options;

#define CB_ANALYSIS_OPTIONS_INIT                                                   \
	{CB_ANALYSIS_LEVEL, CB_ANALYSIS_MIN_ACCOUNTS, CB_ANALYSIS_MIN_ACCOUNTS, 0}

/* One account's KPI values over the windows of one cohort. An exposed
 * account has one exposed row, for the cohort it was trained with; a
 * control account has a row for every cohort it is compared with, its
 * values taken over that cohort's windows. An account trained later may be
 * a control for earlier cohorts and exposed in its own (not-yet-trained
 * controls). All the rows of one account are one cluster. */
typedef struct cb_analysis_row {
	uint32_t account; /* the account's index, 0 .. (accounts - 1): arrays of
			   * the largest index + 1 are allocated */
	uint32_t cohort;  /* 0 .. ncohorts - 1 (32 bits: a staggered impact holds
			   * millions of rows, an account per cohort) */
	int exposed;      /* 1: trained with this cohort; 0: a control for it */
	double baseline;  /* the KPI over the cohort's baseline; NaN or inf: none */
	double follow_up; /* over its follow-up window */
} cb_analysis_row;

/* The rows of one comparison by columns, as a caller that keeps its values
 * per window holds them: row j is keys[j], baseline[j], follow_up[j]
 * (borrowed). With `pick`, the comparison takes the n rows pick[0 .. n-1]
 * in that order; without, rows 0 .. n-1. */
typedef struct cb_analysis_key {
	uint32_t account, cohort; /* as in cb_analysis_row */
	int exposed;
} cb_analysis_key;

typedef struct cb_analysis_rows {
	const cb_analysis_key *keys;
	const double *baseline, *follow_up;
	const uint32_t *pick; /* NULL: every row */
	size_t n;             /* rows taken */
} cb_analysis_rows;

/* What one group did. The exposed group is the exposed accounts of the
 * cohorts that could be compared (see `used` below); the control group is
 * the control accounts with values for at least one of those cohorts. Its
 * means are over the paired accounts (a value in both windows), and for
 * controls weighted across cohorts as the effect weighs them, so that
 * effect = exposed.mean_change - control.mean_change. */
typedef struct cb_analysis_group {
	size_t accounts;     /* accounts given (every cohort) */
	size_t paired;       /* with a value in both windows (in a compared cohort) */
	size_t no_baseline;  /* without a baseline value (for controls: in no cohort) */
	size_t no_follow_up; /* without a follow-up value (an account can lack both) */
	size_t improved, worsened, unchanged; /* paired accounts, by verdict; for a
					       * control, of its mean change over
					       * its cohorts */
	double baseline_mean;  /* NaN when paired == 0 */
	double follow_up_mean; /* NaN when paired == 0 */
	double mean_change;    /* NaN when paired == 0 */
	double sd_change;      /* sample sd (n - 1) of the accounts' changes; NaN when paired < 2 */
	double relative_change; /* mean_change / |baseline_mean|; NaN when
				 * baseline_mean is 0 or NaN */
	int enough;             /* paired >= the group's minimum */
	cb_analysis_interval ci; /* t interval of mean_change; NaN when !enough */
} cb_analysis_group;

/* One cohort's comparison: the group effect ATT(g). */
typedef struct cb_analysis_cohort {
	size_t exposed, control;               /* rows given */
	size_t exposed_paired, control_paired; /* with values in both windows */
	int used;         /* part of the effect: paired exposed accounts and (with a
			   * control group) at least 2 paired controls */
	double weight;    /* its share of the effect: exposed_paired / all paired
			   * exposed accounts of used cohorts; 0 when unused */
	double exposed_change, control_change; /* mean changes; NaN when none */
	double effect;    /* exposed_change - control_change (or exposed_change
			   * without a control group); NaN when unused */
	cb_analysis_interval ci; /* NaN unless 2 + 2 paired accounts (2 without control) */
	double p_value;          /* NaN with ci */
} cb_analysis_cohort;

/* The impact of an exposure on one KPI. */
typedef struct cb_analysis_impact {
	int thin; /* too thin to estimate: effect, effect_ci, p_value are NaN */
	char reason[CB_ANALYSIS_REASON_MAX]; /* why thin; "" otherwise */
	int has_control; /* 0: no control group was given, so effect is the
			  * exposed group's mean change, NOT a difference-in-
			  * differences: it does not remove the trend or the
			  * season that all accounts share, and should be
			  * reported as such */
	cb_analysis_group exposed;
	cb_analysis_group control; /* all counts 0 and numbers NaN when !has_control */
	double effect; /* KPI units per account: the cohort effects averaged with
			* their weights; NaN when thin */
	double se;     /* its standard error; NaN when thin */
	double df;     /* degrees of freedom of its t reference; NaN when thin */
	cb_analysis_interval effect_ci; /* at options.level */
	double p_value;  /* two-sided, of "no effect": the chance of an effect at
			  * least this far from 0 if training changed nothing */
	double p_adjusted; /* NaN here; set by cb_analysis_adjust_bh over a family */
	cb_analysis_verdict verdict; /* of effect, by the KPI's direction;
				      * CB_ANALYSIS_NO_VALUE when thin */
	int excludes_zero;  /* effect_ci lies wholly above or below 0 */
	size_t dropped;     /* paired exposed accounts left out: their cohort had
			     * fewer than 2 control accounts with values */
	size_t ncohorts;
	cb_analysis_cohort *cohorts; /* ncohorts, owned: cb_analysis_impact_clear */
	double *scores;  /* with options.keep_scores and not thin: each account's
			  * term of the effect (its influence, CR2-corrected), by
			  * account index; se = sqrt(sum of their squares). Owned. */
	size_t nscores;
	cb_analysis_options options; /* as used (defaults filled in) */
} cb_analysis_impact;

/*
 * Computes the impact on one KPI whose direction is `better` from `nrows`
 * rows (borrowed) over `ncohorts` cohorts. `has_control` says whether a
 * control group was asked for; then rows with exposed == 0 are its
 * accounts (none at all makes the result thin). `opt` may be NULL for
 * CB_ANALYSIS_OPTIONS_INIT. *out is the caller's, filled completely; free
 * its cohorts with cb_analysis_impact_clear (also after an error).
 *
 * The estimator (Callaway & Sant'Anna, "Difference-in-Differences with
 * multiple time periods", J. Econometrics 225(2), 2021): with d the change
 * follow_up - baseline of a row, for each cohort g
 *     ATT(g) = mean(d, exposed in g) - mean(d, controls of g),
 * and effect = sum over g of w(g) ATT(g) with w(g) the cohort's share of
 * the paired exposed accounts. A cohort's controls are measured over the
 * cohort's own windows, so the season and the market's trend over those
 * dates cancel; a single pooled comparison of accounts trained at
 * different times does not (Goodman-Bacon, J. Econometrics 225(2), 2021).
 * It rests on parallel trends: without training, a cohort's accounts
 * would have changed as its controls did over the same dates.
 *
 * The interval and the p-value (Bell & McCaffrey, Survey Methodology
 * 28(2), 2002; Imbens & Kolesar, Rev. Econ. Stat. 98(4), 2016): the effect
 * is a sum of per-account terms; each account's term is its influence on
 * the effect, an exposed account's (d - mean of its cohort's control
 * changes - effect) / n, a control's sum over its cohorts of w(g) (d -
 * the cohort's control mean) / m(g), each residual divided by
 * sqrt(1 - 1/size of its group) (the CR2 leverage correction, which makes
 * the variance unbiased when accounts vary alike). The variance is the sum
 * over accounts of the square of an account's terms added over all its
 * rows, so an account that is a control for several cohorts counts once
 * with all its roles. The reference distribution is Student's t with
 * Satterthwaite's degrees of freedom under Bell and McCaffrey's working
 * model, in which every row's change varies alike and independently:
 *     df = (1/n + a)^2 / (1/(n^2 (n - 1)) + a^2 / (m - 1)),
 *     a = sum over control rows of (w(g) / m(g))^2,
 * with n paired exposed and m paired control accounts; for one cohort this
 * is their two-sample degrees of freedom, and without a control group
 * df = n - 1. (Taking each control account as one unit instead, a = sum
 * over controls of (sum over its cohorts of w(g) / m(g))^2, overstates df
 * when the cohorts' windows follow one another: 6 where 3 to 4 hold for
 * four one-account cohorts, and 6 % false alarms at the 5 % level in
 * tests/bench/bench_coverage.c.) The interval is effect +- t(df, (1 +
 * level) / 2) se, and p = P(|T| >= |effect / se|); with one cohort this is
 * the two-sample t test of the accounts' changes with Welch's standard
 * error and Bell and McCaffrey's degrees of freedom.
 * Exposed accounts count as one sample (their cohort sizes as drawn, not
 * fixed), so that a cohort of one account still counts.
 *
 * Too thin: when fewer than opt->min_exposed exposed accounts (or, with a
 * control group, fewer than opt->min_control control accounts) have values
 * in both windows of a compared cohort, out->thin is 1, out->reason says
 * which group has how many of what it needs, and the effect is NaN; counts
 * and means are still filled, and a group's interval when it has enough.
 * Below three accounts a group's variance rests on one or two differences,
 * and no interval is worth its level.
 *
 * Returns 0 (thin or not); CB_EINVALID for bad options or rows (saying
 * which); CB_ENOMEM.
 */
int cb_analysis_impact_compute(const cb_analysis_row *rows, size_t nrows, size_t ncohorts,
			       int has_control, cb_analysis_better better,
			       const cb_analysis_options *opt, cb_analysis_impact *out);

/* The same from rows given by columns (see cb_analysis_rows): no copy of
 * them is made, so a caller holding millions of rows can compare them in
 * place, a window at a time. */
int cb_analysis_impact_of(const cb_analysis_rows *rows, size_t ncohorts, int has_control,
			  cb_analysis_better better, const cb_analysis_options *opt,
			  cb_analysis_impact *out);

/* Frees what cb_analysis_impact_compute allocated in *im (its cohorts);
 * the rest stays readable. NULL and a zeroed struct are fine. */
void cb_analysis_impact_clear(cb_analysis_impact *im);

/* Accounts and their terms of one effect (cb_analysis_impact.scores, with
 * the accounts' own ids): borrowed. */
typedef struct cb_analysis_scores {
	const int64_t *ids; /* ascending */
	const double *scores;
	size_t n;
} cb_analysis_scores;

/* The difference between two effects estimated on the same kind of data
 * (two delivery formats of one program, say), with its interval: an
 * account in both (a control shared by both, typically) counts once, its
 * terms subtracted before they are squared, so that what the two effects
 * share cancels. */
typedef struct cb_analysis_difference {
	double difference; /* a - b */
	double se, df;     /* df: the smaller of the two effects' (conservative) */
	cb_analysis_interval ci;
	double p_value;
	int excludes_zero;
} cb_analysis_difference;

/* Computes a->effect - b->effect and its t interval at `level` from their
 * accounts' terms (sa, sb; ids ascending). Both effects must be estimated
 * (not thin). Returns 0, CB_EINVALID, or CB_ENOMEM; *out on success. */
int cb_analysis_difference_of(const cb_analysis_impact *a, const cb_analysis_scores *sa,
			      const cb_analysis_impact *b, const cb_analysis_scores *sb,
			      double level, cb_analysis_difference *out);

/* The level at which each of k intervals must be drawn for all k to hold
 * together at `level` (Bonferroni): 1 - (1 - level) / k. The event study's
 * placebo windows are judged so, so that a warning of a pre-training
 * difference is wrong at most 1 - level of the time. */
double cb_analysis_simultaneous_level(double level, size_t k);

/* Benjamini-Hochberg adjusted p-values (J. R. Stat. Soc. B 57(1), 1995):
 * for the m finite values of p[0..n), in ascending order p(1) <= ... <=
 * p(m), adjusted p(i) = min over j >= i of min(1, m p(j) / j), written to
 * adjusted[i] in p's order (NaN where p is NaN). Calling a KPI's effect
 * clear when its adjusted value is below 1 - level keeps the expected
 * share of false discoveries among the KPIs so called below 1 - level.
 * adjusted may be p. Returns 0 or CB_ENOMEM. */
int cb_analysis_adjust_bh(const double *p, size_t n, double *adjusted);

#endif
