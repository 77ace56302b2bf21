/*
 * The impact in words, for readers who are not statisticians: a short
 * paragraph per KPI and one for the exposure as a whole, in the manner of
 * the reports of Google's CausalImpact (Brodersen et al., Ann. Appl. Stat.
 * 9(1), 2015): what the trained accounts did, what the untrained ones did
 * over the same dates, the difference with its interval in the KPI's unit,
 * the chance of so large a difference if training changed nothing, and the
 * caveats that apply. Every number is the one --json gives, rounded as the
 * report rounds it (2 decimals; p-values 3). `impact`, `--json` (key
 * `summary`) and the report print the same sentences.
 */
#include "view/impact.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app/impact.h"
#include "base/date.h"
#include "view/doc.h"

/* Accounts below which an interval is wide and one account weighs much. */
#define FEW_ACCOUNTS 10
/* Observations per account and window below which a window's value is
 * itself uncertain. */
#define FEW_OBSERVATIONS 5.0

/* A percentage KPI's level is in %, its changes in percentage points. */
static int is_percent(const cb_kpi_def *k)
{
	return strcmp(k->unit, "%") == 0;
}

/* A level in the KPI's unit: "79.01%", "4.09 hours". */
static void level(char *buf, size_t size, const cb_kpi_def *k, double v)
{
	if (is_percent(k))
		snprintf(buf, size, "%.2f%%", v);
	else
		snprintf(buf, size, "%.2f %s", v, k->unit);
}

/* A change or an effect, signed, in the KPI's unit: "+9.04 pp", "-0.55 hours". */
static void change(char *buf, size_t size, const cb_kpi_def *k, double v)
{
	snprintf(buf, size, "%s %s", cb_view_signed2(v).s, is_percent(k) ? "pp" : k->unit);
}

/* A confidence level in percent: "95", "99.9". */
static void percent(char *buf, size_t size, double level)
{
	snprintf(buf, size, "%.3g", level * 100);
}

/* A p-value as a chance: "of 0.126" (or "0.126" without `of`), "below
 * 0.001". */
static void chance(char *buf, size_t size, double p, int of)
{
	if (p < 0.001)
		snprintf(buf, size, "below 0.001");
	else
		snprintf(buf, size, "%s%.3f", of ? "of " : "", p);
}

/* An interval, signed, the unit once: "-0.61 to -0.48 hours". */
static void interval_words(char *buf, size_t size, const cb_kpi_def *k,
			   const cb_analysis_interval *ci)
{
	snprintf(buf, size, "%s to %s %s", cb_view_signed2(ci->low).s, cb_view_signed2(ci->high).s,
		 is_percent(k) ? "pp" : k->unit);
}

static const char *verb_of(const cb_impact_kpi *ik)
{
	switch (ik->verdict) {
	case CB_IMPACT_IMPROVED:
		return "improved";
	case CB_IMPACT_WORSENED:
		return "got worse";
	default:
		return "";
	}
}

/* The caveats of one KPI, each a sentence. */
static void caveats(cb_buf *b, const cb_impact_report *r, const cb_impact_kpi *ik)
{
	const cb_analysis_impact *im = &ik->impact;
	double windows = 2.0 * (double)(im->exposed.paired ? im->exposed.paired : 1);
	double per_window = (double)(ik->baseline_obs + ik->follow_up_obs) / windows;
	char line[512];

	if (im->exposed.paired < FEW_ACCOUNTS ||
	    (im->has_control && im->control.paired < FEW_ACCOUNTS)) {
		if (im->has_control)
			cb_buf_printf(b,
				      " Few accounts (%zu trained, %zu untrained): the interval is wide, "
				      "and one account's own story can move the result.",
				      im->exposed.paired, im->control.paired);
		else
			cb_buf_printf(b,
				      " Few accounts (%zu trained): the interval is wide, and one "
				      "account's own story can move the result.",
				      im->exposed.paired);
	}
	if (per_window < FEW_OBSERVATIONS)
		cb_buf_printf(b,
			      " The windows hold few observations (%.1f per account and window on "
			      "average), so each account's value is itself uncertain.",
			      per_window);
	if (ik->pretrend_warning) {
		cb_view_impact_pretrend_text(r, ik, line, sizeof(line));
		cb_buf_printf(b, " Caution: %s.", line);
	}
	if (cb_view_impact_dropped_line(ik, line, sizeof(line)))
		cb_buf_printf(b, " %s.", strchr(line, ':') ? strchr(line, ':') + 2 : line);
}

int cb_view_impact_kpi_words(const cb_impact_report *r, const cb_impact_kpi *ik, cb_buf *b)
{
	const cb_analysis_impact *im = &ik->impact;
	const cb_kpi_def *k = ik->kpi;
	int W = r->request.window_days;
	char base[64], follow[64], ch[64], cch[64], eff[64], ci[96], p[32], padj[32], lv[16];
	char after[64];

	if (ik->verdict == CB_IMPACT_TOO_LITTLE_DATA) {
		cb_buf_printf(b, "%s: too little data to say: %s.", k->name, im->reason);
		return b->ptr ? 0 : CB_ENOMEM;
	}
	level(base, sizeof(base), k, im->exposed.baseline_mean);
	level(follow, sizeof(follow), k, im->exposed.follow_up_mean);
	change(ch, sizeof(ch), k, im->exposed.mean_change);
	change(eff, sizeof(eff), k, im->effect);
	interval_words(ci, sizeof(ci), k, &im->effect_ci);
	chance(p, sizeof(p), im->p_value, 1);
	chance(padj, sizeof(padj), im->p_adjusted, 0);
	percent(lv, sizeof(lv), im->options.level);

	if (ik->verdict == CB_IMPACT_NO_CLEAR_CHANGE)
		cb_buf_printf(b, "%s: no clear change.", k->name);
	else
		cb_buf_printf(b, "%s %s.", k->name, verb_of(ik));
	if (r->request.lag_days > 0)
		snprintf(after, sizeof(after), " (its first %d days left out)", r->request.lag_days);
	else
		after[0] = '\0';
	cb_buf_printf(b,
		      " The %zu trained account%s went from %s in the %d days before training to "
		      "%s in the %d days after it%s: %s",
		      im->exposed.paired, im->exposed.paired == 1 ? "" : "s", base, W, follow, W + r->request.lag_days,
		      after, ch);
	if (!im->has_control) {
		cb_buf_printf(b,
			      " (%s%% interval %s); without a control group this change holds the "
			      "season and the market's trend as well as the training.",
			      lv, ci);
	} else {
		change(cch, sizeof(cch), k, im->control.mean_change);
		cb_buf_printf(b,
			      "; over the same dates the %zu untrained account%s changed by %s. The "
			      "difference, %s (%s%% interval %s), is the effect of the training",
			      im->control.paired, im->control.paired == 1 ? "" : "s", cch, eff, lv, ci);
		if (ik->verdict == CB_IMPACT_NO_CLEAR_CHANGE)
			cb_buf_printf(b, " as far as the data can tell, and it could well be chance");
		cb_buf_printf(b, ".");
	}
	cb_buf_printf(b,
		      " If the training had changed nothing, a difference this large would come up "
		      "by chance with a probability %s",
		      p);
	if (r->summary.tested > 1)
		cb_buf_printf(b, " (%s allowing for testing %zu KPIs at once).", padj,
			      r->summary.tested);
	else
		cb_buf_printf(b, ".");
	caveats(b, r, ik);
	return b->ptr ? 0 : CB_ENOMEM;
}

/* The control group in words, for `n` accounts: "1 account no session
 * ...", never "1 accounts". */
static const char *control_words(int mode, size_t n)
{
	switch (mode) {
	case CB_CONTROL_AUTO:
		return n == 1 ? "account no session of the program reached"
			      : "accounts no session of the program reached";
	case CB_CONTROL_NOT_YET:
		return n == 1 ? "account not yet trained" : "accounts not yet trained";
	default:
		return n == 1 ? "named account" : "named accounts";
	}
}

/* The KPIs that improved most clearly (the largest effect against its
 * standard error), at most 3, into order[]; returns how many. */
typedef struct ranked {
	size_t k;
	double z;
} ranked;

static int by_z(const void *a, const void *b)
{
	const ranked *x = a, *y = b;

	if (x->z != y->z)
		return x->z > y->z ? -1 : 1;
	return (x->k > y->k) - (x->k < y->k);
}

static size_t most_improved(const cb_impact_report *r, size_t *order)
{
	ranked top[4];
	size_t n = 0;

	for (size_t k = 0; k < r->nkpis; k++) {
		const cb_analysis_impact *im = &r->kpis[k].impact;

		if (r->kpis[k].verdict != CB_IMPACT_IMPROVED)
			continue;
		/* Keep the best 3 (top[3] is scratch for the newcomer). */
		top[n < 3 ? n : 3] = (ranked){k, im->se > 0 ? fabs(im->effect) / im->se : INFINITY};
		qsort(top, n < 3 ? n + 1 : 4, sizeof(*top), by_z);
		if (n < 3)
			n++;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = top[i].k;
	return n;
}

int cb_view_impact_words(const cb_impact_report *r, cb_buf *b)
{
	const cb_impact_request *q = &r->request;
	const cb_impact_summary *s = &r->summary;
	char f[CB_DATE_LEN], l[CB_DATE_LEN], line[512];
	size_t order[3], n, thin = 0, unclear;

	cb_date_format(r->sessions[0].first, f);
	cb_date_format(r->sessions[r->nsessions - 1].last, l);
	if (q->kind == CB_EXPOSURE_SESSION)
		cb_buf_printf(b, "Session %s, from %s to %s, reached %zu customer account%s", q->key, f,
			      l, r->exposed, r->exposed == 1 ? "" : "s");
	else
		cb_buf_printf(b,
			      "The %s %s: %zu session%s from %s to %s reached %zu customer account%s, in "
			      "%zu cohort%s",
			      cb_view_exposure_kind_name(q->kind), q->key, r->nsessions,
			      r->nsessions == 1 ? "" : "s", f, l, r->exposed, r->exposed == 1 ? "" : "s",
			      r->ncohorts, r->ncohorts == 1 ? "" : "s");
	if (q->control == CB_CONTROL_NONE)
		cb_buf_printf(b, "; with no control group, every change below holds the season and the "
				 "market's trend as well as the training.");
	else
		cb_buf_printf(b, ", each compared with %zu %s over the same dates.", r->control,
			      control_words(q->control, r->control));
	for (size_t k = 0; k < r->nkpis; k++)
		thin += r->kpis[k].verdict == CB_IMPACT_TOO_LITTLE_DATA &&
			(r->kpis[k].baseline_obs || r->kpis[k].follow_up_obs);
	if (!s->tested) {
		cb_buf_printf(b, " No KPI has enough data for an effect yet.");
		return b->ptr ? 0 : CB_ENOMEM;
	}
	unclear = s->tested - s->improved_adjusted - s->worsened_adjusted;
	cb_buf_printf(b, " Of the %zu KPI%s with enough data, %zu improved and %zu got worse", s->tested,
		      s->tested == 1 ? "" : "s", s->improved_adjusted, s->worsened_adjusted);
	if (s->tested > 1)
		cb_buf_printf(b, " clearly enough to hold when testing %zu KPIs at once", s->tested);
	cb_buf_printf(b, "; %zu show%s no clear change.", unclear, unclear == 1 ? "s" : "");
	if (thin)
		cb_buf_printf(b, " %zu more had too little data for an effect.", thin);
	if ((n = most_improved(r, order)) > 0) {
		cb_buf_printf(b, " Most clearly improved: ");
		for (size_t i = 0; i < n; i++) {
			const cb_impact_kpi *ik = &r->kpis[order[i]];
			char eff[64], ci[96];

			change(eff, sizeof(eff), ik->kpi, ik->impact.effect);
			interval_words(ci, sizeof(ci), ik->kpi, &ik->impact.effect_ci);
			cb_buf_printf(b, "%s%s %s (%s)", i ? (i + 1 == n ? " and " : ", ") : "",
				      ik->kpi->name, eff, ci);
		}
		cb_buf_printf(b, ".");
	}
	if (s->pretrend_warnings)
		cb_buf_printf(b,
			      " For %zu KPI%s the trained accounts were already moving apart from the "
			      "untrained ones before training; %s effect may not be the training's "
			      "(testing %zu KPIs, about %.1f such warnings come up by chance alone).",
			      s->pretrend_warnings, s->pretrend_warnings == 1 ? "" : "s",
			      s->pretrend_warnings == 1 ? "its" : "their", s->tested,
			      (1.0 - q->analysis.level) * (double)s->tested);
	if (cb_view_impact_partial_line(r, line, sizeof(line)))
		cb_buf_printf(b, " Note: %s.", line);
	return b->ptr ? 0 : CB_ENOMEM;
}

/* The improvement of an effect in the KPI's good direction. */
static double gain(const cb_impact_kpi *ik)
{
	return ik->kpi->better == CB_KPI_HIGHER ? ik->impact.effect : -ik->impact.effect;
}

/* The KPI `key` of report r, or NULL. */
static const cb_impact_kpi *kpi_in(const cb_impact_report *r, const char *key)
{
	for (size_t k = 0; k < r->nkpis; k++)
		if (strcmp(r->kpis[k].kpi->key, key) == 0)
			return &r->kpis[k];
	return NULL;
}

int cb_view_impact_compare(const cb_impact_report *const *groups, const char *const *names,
			  size_t n, const char *by, const char *const *only, size_t nonly,
			  json_t **json, cb_buf *b)
{
	json_t *rows = json_array();
	int said = 0, rc = 0;

	*json = NULL;
	if (n == 0) {
		*json = rows;
		return 0;
	}
	cb_buf_printf(b, "By %s: ", by);
	for (size_t k = 0; k < groups[0]->nkpis; k++) {
		const char *key = groups[0]->kpis[k].kpi->key;
		const cb_impact_kpi *best = NULL, *second = NULL;
		size_t bg = 0, sg = 0;
		cb_analysis_difference d;
		char eff[64], eff2[64], diff[64], ci[96];
		const cb_kpi_def *def;

		if (only) {
			size_t i;

			for (i = 0; i < nonly && strcmp(only[i], key) != 0; i++)
				;
			if (i == nonly)
				continue;
		}
		for (size_t g = 0; g < n; g++) {
			const cb_impact_kpi *ik = kpi_in(groups[g], key);

			if (!ik || ik->impact.thin)
				continue;
			if (!best || gain(ik) > gain(best)) {
				second = best, sg = bg;
				best = ik, bg = g;
			} else if (!second || gain(ik) > gain(second)) {
				second = ik, sg = g;
			}
		}
		if (!best || !second)
			continue;
		if ((rc = cb_app_impact_difference(groups[bg], (size_t)(best - groups[bg]->kpis),
						   groups[sg], (size_t)(second - groups[sg]->kpis), &d)) < 0)
			break;
		def = best->kpi;
		change(eff, sizeof(eff), def, best->impact.effect);
		change(eff2, sizeof(eff2), def, second->impact.effect);
		snprintf(diff, sizeof(diff), "%.2f %s", fabs(d.difference), is_percent(def) ? "pp" : def->unit);
		interval_words(ci, sizeof(ci), def, &d.ci);
		json_array_append_new(
			rows, json_pack("{s:s, s:s, s:f, s:s, s:f, s:f, s:{s:f, s:f}, s:f, s:b}", "kpi", key,
					"best", names[bg], "effect", best->impact.effect, "next", names[sg],
					"next_effect", second->impact.effect, "difference", d.difference,
					"difference_ci", "low", d.ci.low, "high", d.ci.high, "p_value",
					d.p_value, "clear", d.excludes_zero));
		{
			char lv[16];

			percent(lv, sizeof(lv), groups[bg]->request.analysis.level);
			cb_buf_printf(b,
				      "%s%s moved %s most (%s), %s better than %s (%s), a difference "
				      "that is %s (%s%% interval %s)",
				      said ? "; " : "", names[bg], def->name, eff, diff, names[sg], eff2,
				      d.excludes_zero ? "clear" : "not clear, it could be chance", lv, ci);
		}
		said = 1;
	}
	if (said)
		cb_buf_printf(b, ".");
	else
		cb_buf_clear(b);
	if (rc < 0) {
		json_decref(rows);
		return rc;
	}
	*json = rows;
	return b->ptr || !said ? 0 : CB_ENOMEM;
}

int cb_view_impact_confounded(const cb_exposure_session *sessions, size_t n, char *buf, size_t size)
{
	size_t formats = 0, trainers = 0;
	const char *seen_formats[64];

	for (size_t i = 0; i < n; i++) {
		size_t f;

		for (f = 0; f < formats && strcmp(seen_formats[f], sessions[i].format) != 0; f++)
			;
		if (f == formats && formats < 64)
			seen_formats[formats++] = sessions[i].format;
	}
	if (formats < 2)
		return 0;
	/* Does any trainer deliver two formats? */
	for (size_t i = 0; i < n; i++) {
		if (!sessions[i].trainer[0])
			return 0; /* sessions without a trainer: no telling */
		for (size_t j = 0; j < n; j++)
			if (strcmp(sessions[i].trainer, sessions[j].trainer) == 0 &&
			    strcmp(sessions[i].format, sessions[j].format) != 0)
				return 0;
	}
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < i && strcmp(sessions[i].trainer, sessions[j].trainer) != 0; j++)
			;
		trainers += j == i;
	}
	snprintf(buf, size,
		 "trainer and format cannot be told apart in these sessions: each of the %zu trainers "
		 "delivered one format only, so a difference between formats may be one between "
		 "trainers, and the other way round",
		 trainers);
	return 1;
}

json_t *cb_view_impact_by_json(const char *program, const char *by,
			      const cb_impact_report *const *groups, const char *const *names, size_t n,
			      const cb_exposure_session *sessions, size_t nsessions)
{
	json_t *list = json_array(), *comparison = NULL, *o;
	cb_buf sentence = CB_BUF_INIT;
	char warning[400];
	int confounded;

	for (size_t g = 0; g < n; g++)
		json_array_append_new(list, json_pack("{s:s, s:o}", by, names[g], "impact",
						      cb_view_impact_json(groups[g])));
	if (cb_view_impact_compare(groups, names, n, by, NULL, 0, &comparison, &sentence) < 0) {
		json_decref(list);
		cb_buf_free(&sentence);
		return NULL;
	}
	confounded = cb_view_impact_confounded(sessions, nsessions, warning, sizeof(warning));
	o = json_pack("{s:s, s:s, s:o, s:o, s:s, s:o}", "program", program, "by", by, "groups", list,
		      "comparison", comparison, "summary", sentence.ptr ? sentence.ptr : "",
		      "confounded", confounded ? json_string(warning) : json_null());
	cb_buf_free(&sentence);
	return o;
}

void cb_view_money(char *buf, size_t size, double amount, const char *currency)
{
	char digits[64], out[96];
	long long whole;
	size_t n, o = 0;

	if (!isfinite(amount)) {
		snprintf(buf, size, "-");
		return;
	}
	whole = llround(fabs(amount));
	n = (size_t)snprintf(digits, sizeof(digits), "%lld", whole);
	if (amount < 0 && whole)
		out[o++] = '-';
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, size, "%s%s%s", out, currency && *currency ? " " : "", currency ? currency : "");
}

int cb_view_impact_roi_words(const cb_impact_report *r, cb_buf *b)
{
	const cb_impact_roi_total *t = &r->roi;
	char benefit[64], low[64], cost[64];
	size_t named = 0;

	if (!t->kpis)
		return 0;
	cb_view_money(benefit, sizeof(benefit), t->benefit, t->currency);
	cb_view_money(low, sizeof(low), t->benefit_low, t->currency);
	cb_view_money(cost, sizeof(cost), t->cost, t->currency);
	cb_buf_printf(b, "Return on investment: the %zu KPI%s with a money value bring %s a year "
			 "(%s at the conservative end of %s interval%s)",
		      t->kpis, t->kpis == 1 ? "" : "s", benefit, low, t->kpis == 1 ? "its" : "their",
		      t->kpis == 1 ? "" : "s");
	if (t->defined)
		cb_buf_printf(b, " against the sessions' cost of %s: ROI %.0f%% (%.0f%% conservatively), "
				 "benefit/cost %.2f (%.2f).",
			      cost, t->roi_percent, t->roi_percent_low, t->bcr, t->bcr_low);
	else
		cb_buf_printf(b, "; the sessions' cost is not recorded, so there is no ROI.");
	if (t->kpis > 1) {
		cb_buf_printf(b, " The total counts the gains of ");
		for (size_t k = 0; k < r->nkpis; k++) {
			const cb_impact_kpi *ik = &r->kpis[k];

			if (!ik->roi_ok || strcmp(ik->value.currency, t->currency) != 0)
				continue;
			cb_buf_printf(b, "%s%s", named ? (named + 1 == t->kpis ? " and " : ", ") : "",
				      ik->kpi->name);
			named++;
		}
		cb_buf_printf(b, " once each: if two of them measure the same gain, it counts that gain "
				 "twice.");
	}
	if (t->left_out)
		cb_buf_printf(b, " %zu valued KPI%s without a benefit to count %s left out.",
			      t->left_out, t->left_out == 1 ? "" : "s", t->left_out == 1 ? "is" : "are");
	return b->ptr ? 0 : CB_ENOMEM;
}
