/*
 * Per-account changes, the cohorts' group effects, their weighted average
 * and its cluster-robust t interval; the method is described in impact.h.
 * Every sum runs in row order, so the same rows give the same bits.
 */
#include "analysis/impact.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/student.h"
#include "base/error.h"

const char *cb_analysis_verdict_name(cb_analysis_verdict v)
{
	switch (v) {
	case CB_ANALYSIS_IMPROVED:
		return "improved";
	case CB_ANALYSIS_WORSENED:
		return "worsened";
	case CB_ANALYSIS_UNCHANGED:
		return "unchanged";
	case CB_ANALYSIS_NO_VALUE:
		break;
	}
	return "no value";
}

/* The verdict of a change (or an effect) by the KPI's direction. */
static cb_analysis_verdict judge(double change, cb_analysis_better better)
{
	if (isnan(change))
		return CB_ANALYSIS_NO_VALUE;
	if (change == 0.0)
		return CB_ANALYSIS_UNCHANGED;
	if ((change > 0.0) == (better == CB_ANALYSIS_HIGHER_IS_BETTER))
		return CB_ANALYSIS_IMPROVED;
	return CB_ANALYSIS_WORSENED;
}

cb_analysis_change cb_analysis_change_of(double baseline, double follow_up,
					 cb_analysis_better better)
{
	cb_analysis_change c = {NAN, NAN, CB_ANALYSIS_NO_VALUE};

	if (!isfinite(baseline) || !isfinite(follow_up))
		return c;
	c.change = follow_up - baseline + 0.0;
	/* Relative to the magnitude of the baseline, so that the sign stays the
	 * sign of the change even for a negative baseline (an NPS of -20 rising
	 * to -10 is +50 %); undefined for a zero baseline. */
	if (baseline != 0.0)
		c.relative = c.change / fabs(baseline);
	c.verdict = judge(c.change, better);
	return c;
}

static int options_check(const cb_analysis_options *o)
{
	if (!(o->level > 0.0 && o->level < 1.0))
		return cb_error_set(CB_EINVALID,
				    "confidence level %g is not between 0 and 1", o->level);
	if (o->min_exposed < 2)
		return cb_error_set(CB_EINVALID,
				    "minimum of %zu exposed accounts; an interval needs at least 2",
				    o->min_exposed);
	if (o->min_control < 2)
		return cb_error_set(CB_EINVALID,
				    "minimum of %zu control accounts; an interval needs at least 2",
				    o->min_control);
	return 0;
}

static void group_empty(cb_analysis_group *g)
{
	*g = (cb_analysis_group){0};
	g->baseline_mean = g->follow_up_mean = NAN;
	g->mean_change = g->sd_change = g->relative_change = NAN;
	g->ci.low = g->ci.high = NAN;
}

static int paired(const cb_analysis_row *r)
{
	return isfinite(r->baseline) && isfinite(r->follow_up);
}

/* Row i of a comparison: its key and values, through the picked rows. */
static const cb_analysis_key *key_at(const cb_analysis_rows *in, size_t i)
{
	return &in->keys[in->pick ? in->pick[i] : i];
}

static cb_analysis_row row_at(const cb_analysis_rows *in, size_t i)
{
	size_t j = in->pick ? in->pick[i] : i;
	const cb_analysis_key *k = &in->keys[j];

	return (cb_analysis_row){k->account, k->cohort, k->exposed, in->baseline[j],
				 in->follow_up[j]};
}

/* Appends "<why>" to the reason, "; "-separated. */
static void reason_add(cb_analysis_impact *out, const char *why)
{
	size_t len = strlen(out->reason);

	snprintf(out->reason + len, sizeof(out->reason) - len, "%s%s", len ? "; " : "", why);
}

/* Says why group `g` (named `name`) is too thin, if it is. */
static void group_judge(cb_analysis_impact *out, const char *name, const cb_analysis_group *g,
			size_t min)
{
	char why[200];

	if (g->enough)
		return;
	if (g->accounts == 0)
		snprintf(why, sizeof(why), "no %s accounts", name);
	else if (g->paired == 0)
		snprintf(why, sizeof(why),
			 "none of the %zu %s accounts has a value in both windows", g->accounts,
			 name);
	else
		snprintf(why, sizeof(why),
			 "%zu of %zu %s accounts %s a value in both windows; at least %zu needed",
			 g->paired, g->accounts, name, g->paired == 1 ? "has" : "have", min);
	reason_add(out, why);
}

/* The interval est +- t(df) se at `level`, and the two-sided p-value of 0;
 * a zero se (every change alike) gives a point and p 0 or 1. */
static void t_interval(double est, double se, double df, double level, cb_analysis_interval *ci,
		       double *p)
{
	double q;

	if (!isfinite(est) || !isfinite(se) || !(df > 0.0)) {
		ci->low = ci->high = NAN;
		if (p)
			*p = NAN;
		return;
	}
	q = cb_analysis_t_quantile((1.0 + level) / 2.0, df);
	ci->low = est - q * se + 0.0;
	ci->high = est + q * se + 0.0;
	if (p)
		*p = se > 0.0 ? cb_analysis_t_two_sided(est / se, df) : est == 0.0 ? 1.0 : 0.0;
}

/* Per-account accumulators, indexed by the rows' account numbers. */
typedef struct account_sums {
	double score;     /* the account's term of the effect, over all its rows */
	double xscore;    /* the part of it from its exposed row (has_x) */
	double working;   /* sum of (w(g) / m(g))^2 over its control rows (for df) */
	double zsum, wsum; /* its weighted control changes, for the control group */
	double bsum, fsum;
	unsigned char control, any_base, any_follow, counted, has_x;
} account_sums;

typedef struct keyed {
	size_t account, cohort, row;
	int exposed;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
	const keyed *x = a, *y = b;

	if (x->account != y->account)
		return x->account < y->account ? -1 : 1;
	if (x->cohort != y->cohort)
		return x->cohort < y->cohort ? -1 : 1;
	return 0;
}

/* Rows checked: cohorts in range, at most one row per account and cohort,
 * at most one exposed row per account; *naccounts gets the largest account
 * number + 1. */
static int rows_check(const cb_analysis_rows *in, size_t ncohorts, size_t *naccounts)
{
	size_t nrows = in->n;
	keyed *k;
	int rc = 0;

	*naccounts = 0;
	for (size_t i = 0; i < nrows; i++) {
		const cb_analysis_key *key = key_at(in, i);

		if (key->cohort >= ncohorts)
			return cb_error_set(CB_EINVALID, "row %zu: cohort %zu of %zu", i + 1,
					    (size_t)key->cohort, ncohorts);
		if (key->account >= *naccounts)
			*naccounts = (size_t)key->account + 1;
	}
	if (nrows < 2)
		return 0;
	/* Rows in (account, cohort) order, as the app layer builds them, are
	 * checked in one pass; others are sorted first. */
	{
		size_t i, exposed = key_at(in, 0)->exposed != 0;

		for (i = 1; i < nrows; i++) {
			const cb_analysis_key *p = key_at(in, i - 1), *r = key_at(in, i);

			if (r->account < p->account || (r->account == p->account && r->cohort <= p->cohort))
				break;
			exposed = r->account == p->account ? exposed + (r->exposed != 0) : r->exposed != 0;
			if (exposed > 1)
				break;
		}
		if (i == nrows)
			return 0;
	}
	if (!(k = malloc(nrows * sizeof(*k))))
		return cb_error_set(CB_ENOMEM, "out of memory for %zu rows", nrows);
	for (size_t i = 0; i < nrows; i++) {
		const cb_analysis_key *key = key_at(in, i);

		k[i] = (keyed){key->account, key->cohort, i, key->exposed};
	}
	qsort(k, nrows, sizeof(*k), cmp_keyed);
	for (size_t i = 1; i < nrows && rc == 0; i++) {
		if (k[i].account != k[i - 1].account)
			continue;
		if (k[i].cohort == k[i - 1].cohort)
			rc = cb_error_set(CB_EINVALID, "rows %zu and %zu: account %zu twice in cohort %zu",
					  k[i - 1].row + 1, k[i].row + 1, k[i].account, k[i].cohort);
	}
	for (size_t i = 0, j; i < nrows && rc == 0; i = j) {
		size_t exposed = 0;

		for (j = i; j < nrows && k[j].account == k[i].account; j++)
			exposed += k[j].exposed != 0;
		if (exposed > 1)
			rc = cb_error_set(CB_EINVALID, "account %zu is exposed in %zu cohorts",
					  k[i].account, exposed);
	}
	free(k);
	return rc;
}

int cb_analysis_impact_of(const cb_analysis_rows *in, size_t ncohorts, int has_control,
			  cb_analysis_better better, const cb_analysis_options *opt,
			  cb_analysis_impact *out)
{
	size_t nrows = in->n;
	cb_analysis_options o = CB_ANALYSIS_OPTIONS_INIT;
	cb_analysis_cohort *co = NULL;
	account_sums *acc = NULL;
	double *changes = NULL, *xsum = NULL, *csum = NULL, *cbase = NULL, *cfollow = NULL;
	double *xdev = NULL, *cdev = NULL;
	size_t naccounts = 0, n = 0, m = 0;
	double variance = 0.0, working = 0.0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->effect = out->se = out->df = NAN;
	out->effect_ci.low = out->effect_ci.high = NAN;
	out->p_value = out->p_adjusted = NAN;
	out->verdict = CB_ANALYSIS_NO_VALUE;
	out->has_control = has_control != 0;
	group_empty(&out->exposed);
	group_empty(&out->control);
	if (opt)
		o = *opt;
	out->options = o;
	if ((rc = options_check(&o)) < 0)
		return rc;
	if (nrows > 0 && (!in->keys || !in->baseline || !in->follow_up))
		return cb_error_set(CB_EINVALID, "%zu rows given without their values", nrows);
	if ((rc = rows_check(in, ncohorts, &naccounts)) < 0)
		return rc;

	/* One extra element keeps malloc(0) out of the picture. */
	co = calloc(ncohorts + 1, sizeof(*co));
	acc = calloc(naccounts + 1, sizeof(*acc));
	/* An account is exposed in one cohort at most: a change per account. */
	changes = malloc((naccounts + 1) * sizeof(*changes));
	xsum = calloc(6 * (ncohorts + 1), sizeof(*xsum));
	if (!co || !acc || !changes || !xsum) {
		free(co);
		rc = cb_error_set(CB_ENOMEM, "out of memory for %zu rows", nrows);
		goto done;
	}
	csum = xsum + (ncohorts + 1);
	cbase = csum + (ncohorts + 1);
	cfollow = cbase + (ncohorts + 1);
	xdev = cfollow + (ncohorts + 1);
	cdev = xdev + (ncohorts + 1);
	out->cohorts = co;
	out->ncohorts = ncohorts;

	/* Pass 1: each cohort's counts and sums. */
	for (size_t i = 0; i < nrows; i++) {
		const cb_analysis_row rv = row_at(in, i), *r = &rv;
		cb_analysis_cohort *c = &co[r->cohort];
		int both = paired(r);

		if (r->exposed) {
			c->exposed++;
			out->exposed.accounts++;
			out->exposed.no_baseline += !isfinite(r->baseline);
			out->exposed.no_follow_up += !isfinite(r->follow_up);
			if (both) {
				c->exposed_paired++;
				xsum[r->cohort] += r->follow_up - r->baseline;
			}
		} else if (has_control) {
			account_sums *a = &acc[r->account];

			c->control++;
			if (!a->control) {
				a->control = 1;
				out->control.accounts++;
			}
			a->any_base |= isfinite(r->baseline) != 0;
			a->any_follow |= isfinite(r->follow_up) != 0;
			if (both) {
				c->control_paired++;
				csum[r->cohort] += r->follow_up - r->baseline;
				cbase[r->cohort] += r->baseline;
				cfollow[r->cohort] += r->follow_up;
			}
		}
	}
	for (size_t a = 0; a < naccounts; a++)
		if (acc[a].control) {
			out->control.no_baseline += !acc[a].any_base;
			out->control.no_follow_up += !acc[a].any_follow;
		}
	for (size_t g = 0; g < ncohorts; g++) {
		cb_analysis_cohort *c = &co[g];

		c->exposed_change = c->exposed_paired ? xsum[g] / (double)c->exposed_paired + 0.0 : NAN;
		c->control_change = c->control_paired ? csum[g] / (double)c->control_paired + 0.0 : NAN;
		c->effect = c->ci.low = c->ci.high = c->p_value = NAN;
		c->used = c->exposed_paired > 0 && (!has_control || c->control_paired >= 2);
		if (c->used)
			n += c->exposed_paired;
		else
			out->dropped += has_control ? c->exposed_paired : 0;
	}
	for (size_t g = 0; g < ncohorts; g++) {
		cb_analysis_cohort *c = &co[g];

		if (!c->used)
			continue;
		c->weight = (double)c->exposed_paired / (double)n;
		c->effect = has_control ? c->exposed_change - c->control_change + 0.0 : c->exposed_change;
	}

	/* Pass 2, with the cohorts' changes and the effect known: the groups,
	 * each account's term of the effect (CR2) and each cohort's squared
	 * deviations. Each sum still runs in row order. */
	if (n > 0) {
		double sb = 0.0, sf = 0.0, effect = 0.0, b = 0.0, f = 0.0, ch = 0.0;
		double corr = n > 1 ? sqrt((double)n / (double)(n - 1)) : 0.0;
		size_t k = 0;

		for (size_t g = 0; g < ncohorts; g++)
			if (co[g].used)
				effect += co[g].weight * co[g].effect;
		out->effect = effect + 0.0;
		for (size_t g = 0; g < ncohorts && has_control; g++) {
			if (!co[g].used)
				continue;
			b += co[g].weight * cbase[g] / (double)co[g].control_paired;
			f += co[g].weight * cfollow[g] / (double)co[g].control_paired;
			ch += co[g].weight * co[g].control_change;
		}
		for (size_t i = 0; i < nrows; i++) {
			const cb_analysis_row rv = row_at(in, i), *r = &rv;
			const cb_analysis_cohort *c = &co[r->cohort];
			account_sums *a = &acc[r->account];
			double dv;

			if (!paired(r) || !c->used)
				continue;
			dv = r->follow_up - r->baseline;
			if (r->exposed) {
				cb_analysis_change cv = cb_analysis_change_of(r->baseline, r->follow_up, better);

				out->exposed.improved += cv.verdict == CB_ANALYSIS_IMPROVED;
				out->exposed.worsened += cv.verdict == CB_ANALYSIS_WORSENED;
				out->exposed.unchanged += cv.verdict == CB_ANALYSIS_UNCHANGED;
				sb += r->baseline;
				sf += r->follow_up;
				changes[k++] = cv.change;
				/* Its term: (d - its cohort's control change - effect) / n. */
				if (n > 1) {
					a->xscore = corr *
						    (dv - (has_control ? c->control_change : 0.0) - out->effect) /
						    (double)n;
					a->has_x = 1;
				}
				xdev[r->cohort] += (dv - c->exposed_change) * (dv - c->exposed_change);
			} else if (has_control) {
				double mg = (double)c->control_paired;

				/* CR2: the residual over sqrt(1 - 1/m(g)). */
				a->score -= c->weight / mg * sqrt(mg / (mg - 1.0)) * (dv - c->control_change);
				a->working += c->weight / mg * (c->weight / mg);
				a->zsum += c->weight * dv;
				a->wsum += c->weight;
				if (!a->counted) {
					a->counted = 1;
					m++;
				}
				cdev[r->cohort] += (dv - c->control_change) * (dv - c->control_change);
			}
		}
		out->exposed.paired = n;
		out->exposed.baseline_mean = sb / (double)n + 0.0;
		out->exposed.follow_up_mean = sf / (double)n + 0.0;
		out->exposed.mean_change = cb_analysis_mean(changes, n);
		out->exposed.sd_change = cb_analysis_sd(changes, n);
		if (has_control) {
			/* The control group: each account's change, weighted over its
			 * cohorts. */
			k = 0;
			for (size_t j = 0; j < naccounts; j++) {
				cb_analysis_change z;

				if (!acc[j].counted)
					continue;
				working += acc[j].working;
				changes[k] = acc[j].zsum / acc[j].wsum;
				z = cb_analysis_change_of(0.0, changes[k], better);
				out->control.improved += z.verdict == CB_ANALYSIS_IMPROVED;
				out->control.worsened += z.verdict == CB_ANALYSIS_WORSENED;
				out->control.unchanged += z.verdict == CB_ANALYSIS_UNCHANGED;
				k++;
			}
			out->control.paired = m;
			out->control.baseline_mean = b + 0.0;
			out->control.follow_up_mean = f + 0.0;
			out->control.mean_change = ch + 0.0;
			out->control.sd_change = cb_analysis_sd(changes, m);
			if (b != 0.0)
				out->control.relative_change = ch / fabs(b);
		}
	} else {
		/* Nothing to compare: describe what there is, for the reader. */
		double sb = 0.0, sf = 0.0;
		size_t k = 0;

		for (size_t i = 0; i < nrows; i++) {
			const cb_analysis_row r = row_at(in, i);

			if (r.exposed && paired(&r)) {
				sb += r.baseline;
				sf += r.follow_up;
				changes[k++] = r.follow_up - r.baseline;
			}
		}
		out->exposed.paired = k;
		if (k) {
			out->exposed.baseline_mean = sb / (double)k + 0.0;
			out->exposed.follow_up_mean = sf / (double)k + 0.0;
			out->exposed.mean_change = cb_analysis_mean(changes, k);
			out->exposed.sd_change = cb_analysis_sd(changes, k);
		}
		/* No cohort could be compared: count what the controls have. */
		for (size_t i = 0; i < nrows && has_control; i++) {
			const cb_analysis_row r = row_at(in, i);

			if (!r.exposed && paired(&r) && !acc[r.account].counted) {
				acc[r.account].counted = 1;
				m++;
			}
		}
		out->control.paired = m;
	}
	if (isfinite(out->exposed.baseline_mean) && out->exposed.baseline_mean != 0.0)
		out->exposed.relative_change = out->exposed.mean_change / fabs(out->exposed.baseline_mean);
	out->exposed.enough = out->exposed.paired >= o.min_exposed;
	out->control.enough = has_control && m >= o.min_control;
	/* The control group's interval, from the controls' terms alone; then
	 * the exposed accounts' terms join them. */
	if (out->control.enough && n > 0) {
		double vc = 0.0;

		for (size_t j = 0; j < naccounts; j++)
			vc += acc[j].score * acc[j].score;
		t_interval(out->control.mean_change, sqrt(vc), (double)m - 1.0, o.level,
			   &out->control.ci, NULL);
	}
	for (size_t j = 0; j < naccounts; j++) {
		if (acc[j].has_x)
			acc[j].score += acc[j].xscore;
		variance += acc[j].score * acc[j].score;
	}

	/* Each group's own interval. */
	if (out->exposed.enough)
		t_interval(out->exposed.mean_change,
			   out->exposed.sd_change / sqrt((double)out->exposed.paired),
			   (double)out->exposed.paired - 1.0, o.level, &out->exposed.ci, NULL);
	if (out->dropped && n > 0 && n < o.min_exposed) {
		char why[240];

		/* Enough values, too few of them comparable. */
		snprintf(why, sizeof(why),
			 "%zu of %zu exposed accounts with values in both windows %s in a cohort that "
			 "control accounts can be compared with; at least %zu needed",
			 n, n + out->dropped, n == 1 ? "is" : "are", o.min_exposed);
		reason_add(out, why);
	} else {
		group_judge(out, "exposed", &out->exposed, o.min_exposed);
	}
	if (has_control)
		group_judge(out, "control", &out->control, o.min_control);
	if (has_control && out->dropped && n < o.min_exposed) {
		char why[160];

		snprintf(why, sizeof(why),
			 "%zu exposed account%s left out: fewer than 2 control accounts have values over %s cohort's windows",
			 out->dropped, out->dropped == 1 ? " was" : "s were",
			 out->dropped == 1 ? "its" : "their");
		reason_add(out, why);
	}
	out->thin = out->reason[0] != '\0';

	/* Each cohort's own comparison: a two-sample t interval, from its
	 * rows' squared deviations (pass 2). */
	for (size_t g = 0; g < ncohorts; g++) {
		cb_analysis_cohort *c = &co[g];
		double nx = (double)c->exposed_paired, nc = (double)c->control_paired, se, df;

		if (!c->used || c->exposed_paired < 2 || (has_control && c->control_paired < 2))
			continue;
		if (has_control) {
			se = sqrt(xdev[g] / (nx - 1.0) / nx + cdev[g] / (nc - 1.0) / nc);
			df = (1.0 / nx + 1.0 / nc) * (1.0 / nx + 1.0 / nc) /
			     (1.0 / (nx * nx * (nx - 1.0)) + 1.0 / (nc * nc * (nc - 1.0)));
		} else {
			se = sqrt(xdev[g] / (nx - 1.0) / nx);
			df = nx - 1.0;
		}
		t_interval(c->effect, se, df, o.level, &c->ci, &c->p_value);
	}
	if (!out->thin && !isfinite(out->effect)) {
		/* Values so large that their sums overflowed: nothing to say. */
		reason_add(out, "the KPI's values are too large to average");
		out->thin = 1;
	}
	if (out->thin) {
		out->effect = NAN;
		rc = 0;
		goto done;
	}

	/* The effect's interval and p-value. */
	out->se = sqrt(variance);
	if (o.keep_scores) {
		if (!(out->scores = malloc((naccounts + 1) * sizeof(*out->scores)))) {
			rc = cb_error_set(CB_ENOMEM, "out of memory for %zu accounts", naccounts);
			goto done;
		}
		for (size_t a = 0; a < naccounts; a++)
			out->scores[a] = acc[a].score;
		out->nscores = naccounts;
	}
	if (has_control) {
		double nn = (double)n, mm = (double)m, ax = 1.0 / nn;

		out->df = (ax + working) * (ax + working) /
			  (ax * ax / (nn - 1.0) + working * working / (mm - 1.0));
	} else {
		out->df = (double)n - 1.0;
	}
	t_interval(out->effect, out->se, out->df, o.level, &out->effect_ci, &out->p_value);
	out->verdict = judge(out->effect, better);
	out->excludes_zero = out->effect_ci.low > 0.0 || out->effect_ci.high < 0.0;
	rc = 0;
done:
	free(acc);
	free(changes);
	free(xsum);
	return rc;
}

int cb_analysis_impact_compute(const cb_analysis_row *rows, size_t nrows, size_t ncohorts,
			       int has_control, cb_analysis_better better,
			       const cb_analysis_options *opt, cb_analysis_impact *out)
{
	cb_analysis_key *keys;
	double *values;
	cb_analysis_rows in;
	int rc;

	if (nrows > 0 && !rows) {
		in = (cb_analysis_rows){NULL, NULL, NULL, NULL, nrows};
		return cb_analysis_impact_of(&in, ncohorts, has_control, better, opt, out);
	}
	keys = malloc((nrows + 1) * sizeof(*keys));
	values = malloc((2 * nrows + 1) * sizeof(*values));
	if (!keys || !values) {
		free(keys);
		free(values);
		memset(out, 0, sizeof(*out));
		return cb_error_set(CB_ENOMEM, "out of memory for %zu rows", nrows);
	}
	for (size_t i = 0; i < nrows; i++) {
		keys[i] = (cb_analysis_key){rows[i].account, rows[i].cohort, rows[i].exposed};
		values[i] = rows[i].baseline;
		values[nrows + i] = rows[i].follow_up;
	}
	in = (cb_analysis_rows){keys, values, values + nrows, NULL, nrows};
	rc = cb_analysis_impact_of(&in, ncohorts, has_control, better, opt, out);
	free(keys);
	free(values);
	return rc;
}

void cb_analysis_impact_clear(cb_analysis_impact *im)
{
	if (!im)
		return;
	free(im->cohorts);
	free(im->scores);
	im->cohorts = NULL;
	im->ncohorts = 0;
	im->scores = NULL;
	im->nscores = 0;
}

int cb_analysis_difference_of(const cb_analysis_impact *a, const cb_analysis_scores *sa,
			      const cb_analysis_impact *b, const cb_analysis_scores *sb,
			      double level, cb_analysis_difference *out)
{
	double v = 0.0;
	size_t i = 0, j = 0;

	if (a->thin || b->thin || !isfinite(a->effect) || !isfinite(b->effect))
		return cb_error_set(CB_EINVALID, "a difference needs two estimated effects");
	if (!(level > 0.0 && level < 1.0))
		return cb_error_set(CB_EINVALID, "confidence level %g is not between 0 and 1", level);
	/* A merge of the two ascending id lists. */
	while (i < sa->n || j < sb->n) {
		double d;

		if (j == sb->n || (i < sa->n && sa->ids[i] < sb->ids[j]))
			d = sa->scores[i++];
		else if (i == sa->n || sb->ids[j] < sa->ids[i])
			d = -sb->scores[j++];
		else
			d = sa->scores[i++] - sb->scores[j++];
		v += d * d;
	}
	out->difference = a->effect - b->effect + 0.0;
	out->se = sqrt(v);
	out->df = a->df < b->df ? a->df : b->df;
	t_interval(out->difference, out->se, out->df, level, &out->ci, &out->p_value);
	out->excludes_zero = out->ci.low > 0.0 || out->ci.high < 0.0;
	return 0;
}

double cb_analysis_simultaneous_level(double level, size_t k)
{
	return k > 1 ? 1.0 - (1.0 - level) / (double)k : level;
}

typedef struct ranked {
	double p;
	size_t at;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
	const ranked *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return (x->at > y->at) - (x->at < y->at);
}

int cb_analysis_adjust_bh(const double *p, size_t n, double *adjusted)
{
	ranked *r = malloc((n + 1) * sizeof(*r));
	size_t m = 0;
	double running = 1.0;

	if (!r)
		return cb_error_set(CB_ENOMEM, "out of memory for %zu p-values", n);
	for (size_t i = 0; i < n; i++)
		if (!isnan(p[i]))
			r[m++] = (ranked){p[i], i};
	for (size_t i = 0; i < n; i++)
		if (isnan(p[i]))
			adjusted[i] = NAN;
	qsort(r, m, sizeof(*r), cmp_ranked);
	/* From the largest down, so that each adjusted value is the minimum
	 * over the values ranked at or above it. */
	for (size_t j = m; j-- > 0;) {
		double v = (double)m * r[j].p / (double)(j + 1);

		if (v < running)
			running = v;
		adjusted[r[j].at] = running;
	}
	free(r);
	return 0;
}
