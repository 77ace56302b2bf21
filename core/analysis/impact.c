/*
 * Per-account changes, group summaries and the difference-in-differences
 * effect with its stratified bootstrap interval; the method is described
 * in impact.h.
 */
#include "analysis/impact.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	if (o->resamples < CB_ANALYSIS_RESAMPLES_MIN || o->resamples > CB_ANALYSIS_RESAMPLES_MAX)
		return cb_error_set(CB_EINVALID, "%zu bootstrap resamples; use %d to %d",
				    o->resamples, CB_ANALYSIS_RESAMPLES_MIN,
				    CB_ANALYSIS_RESAMPLES_MAX);
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

/*
 * Counts the accounts of `a` and fills the descriptive part of `g`; the
 * paired accounts' changes go to changes[0..g->paired) (a->n entries, the
 * caller's).
 */
static void group_describe(const cb_analysis_accounts *a, cb_analysis_better better,
			   double *changes, cb_analysis_group *g)
{
	double sum_base = 0.0, sum_follow = 0.0;

	group_empty(g);
	g->accounts = a->n;
	for (size_t i = 0; i < a->n; i++) {
		int has_base = isfinite(a->baseline[i]);
		int has_follow = isfinite(a->follow_up[i]);
		cb_analysis_change c;

		g->no_baseline += !has_base;
		g->no_follow_up += !has_follow;
		if (!has_base || !has_follow)
			continue;
		c = cb_analysis_change_of(a->baseline[i], a->follow_up[i], better);
		g->improved += c.verdict == CB_ANALYSIS_IMPROVED;
		g->worsened += c.verdict == CB_ANALYSIS_WORSENED;
		g->unchanged += c.verdict == CB_ANALYSIS_UNCHANGED;
		sum_base += a->baseline[i];
		sum_follow += a->follow_up[i];
		changes[g->paired++] = c.change;
	}
	if (g->paired == 0)
		return;
	g->baseline_mean = sum_base / (double)g->paired + 0.0;
	g->follow_up_mean = sum_follow / (double)g->paired + 0.0;
	g->mean_change = cb_analysis_mean(changes, g->paired);
	g->sd_change = cb_analysis_sd(changes, g->paired);
	if (g->baseline_mean != 0.0)
		g->relative_change = g->mean_change / fabs(g->baseline_mean);
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
	char why[160];

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

static int check_accounts(const char *name, const cb_analysis_accounts *a)
{
	if (a->n > 0 && (!a->baseline || !a->follow_up))
		return cb_error_set(CB_EINVALID, "%s accounts: %zu given without their values",
				    name, a->n);
	return 0;
}

int cb_analysis_impact_compute(const cb_analysis_accounts *exposed,
			       const cb_analysis_accounts *control, cb_analysis_better better,
			       const cb_analysis_options *opt, cb_analysis_impact *out)
{
	static const cb_analysis_accounts none = {NULL, NULL, 0};
	cb_analysis_options o = CB_ANALYSIS_OPTIONS_INIT;
	double *dx = NULL, *dc = NULL;
	cb_analysis_rng rng;
	int rc;

	if (opt)
		o = *opt;
	if (!exposed)
		exposed = &none;
	if (!control)
		control = &none;
	if ((rc = options_check(&o)) < 0 || (rc = check_accounts("exposed", exposed)) < 0 ||
	    (rc = check_accounts("control", control)) < 0)
		return rc;

	memset(out, 0, sizeof(*out));
	out->options = o;
	out->has_control = control->n > 0;
	out->effect = out->effect_ci.low = out->effect_ci.high = NAN;
	out->verdict = CB_ANALYSIS_NO_VALUE;

	/* One extra element keeps malloc(0) out of the picture. */
	dx = malloc((exposed->n + 1) * sizeof(*dx));
	dc = malloc((control->n + 1) * sizeof(*dc));
	if (!dx || !dc) {
		rc = cb_error_set(CB_ENOMEM, "out of memory for %zu accounts",
				  exposed->n + control->n);
		goto done;
	}

	group_describe(exposed, better, dx, &out->exposed);
	out->exposed.enough = out->exposed.paired >= o.min_exposed;
	group_judge(out, "exposed", &out->exposed, o.min_exposed);
	if (out->has_control) {
		group_describe(control, better, dc, &out->control);
		out->control.enough = out->control.paired >= o.min_control;
		group_judge(out, "control", &out->control, o.min_control);
	} else {
		group_empty(&out->control);
	}
	out->thin = out->reason[0] != '\0';

	/* Stream 0: the exposed group's mean change. */
	cb_analysis_rng_seed(&rng, o.seed);
	if (out->exposed.enough &&
	    (rc = cb_analysis_bootstrap_mean(dx, out->exposed.paired, o.resamples, o.level,
					     &rng, &out->exposed.ci)) < 0)
		goto done;
	/* Stream 1: the control group's. */
	cb_analysis_rng_seed(&rng, o.seed);
	cb_analysis_rng_jump(&rng);
	if (out->has_control && out->control.enough &&
	    (rc = cb_analysis_bootstrap_mean(dc, out->control.paired, o.resamples, o.level,
					     &rng, &out->control.ci)) < 0)
		goto done;
	if (out->thin)
		goto done;

	if (!out->has_control) {
		out->effect = out->exposed.mean_change;
		out->effect_ci = out->exposed.ci;
	} else {
		/* Stream 2: the difference, exposed and control resampled
		 * independently within each replicate. */
		cb_analysis_rng_jump(&rng);
		out->effect = out->exposed.mean_change - out->control.mean_change + 0.0;
		if ((rc = cb_analysis_bootstrap_mean_difference(
			     dx, out->exposed.paired, dc, out->control.paired, o.resamples,
			     o.level, &rng, &out->effect_ci)) < 0)
			goto done;
	}
	out->verdict = judge(out->effect, better);
	out->excludes_zero = out->effect_ci.low > 0.0 || out->effect_ci.high < 0.0;
	rc = 0;
done:
	free(dx);
	free(dc);
	return rc;
}
