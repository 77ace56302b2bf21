/* What `casebook impact` and `casebook report` share: the impact report as
 * `impact --json` prints it (so that a report shows exactly the numbers of
 * impact --json), the exposure kind's name and the --window/--lag parser. */
#include "cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "app/impact.h"
#include "base/date.h"
#include "base/error.h"

/* "90", "90d", "13w" -> days. */
int cb_cli_parse_days(const char *what, const char *text, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (end == text || errno)
		return cb_error_set(CB_EINVALID, "%s: '%s' is not a number of days", what, text);
	if (*end == 'w' && !end[1])
		v *= 7;
	else if (!(*end == 'd' && !end[1]) && *end)
		return cb_error_set(CB_EINVALID, "%s: '%s': write days as 90 or 90d, weeks as 13w", what,
				    text);
	if (v < min || v > max)
		return cb_error_set(CB_EINVALID, "%s: %ld days is out of range %d..%d", what, v, min, max);
	*out = (int)v;
	return 0;
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *interval(const cb_analysis_interval *ci)
{
	return json_pack("{s:o, s:o}", "low", num(ci->low), "high", num(ci->high));
}

static json_t *group_json(const cb_analysis_group *g)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "accounts", (json_int_t)g->accounts, "paired", (json_int_t)g->paired,
			 "no_baseline", (json_int_t)g->no_baseline, "no_follow_up",
			 (json_int_t)g->no_follow_up, "improved", (json_int_t)g->improved,
			 "worsened", (json_int_t)g->worsened, "unchanged", (json_int_t)g->unchanged,
			 "baseline", num(g->baseline_mean), "follow_up", num(g->follow_up_mean),
			 "change", num(g->mean_change), "relative_change", num(g->relative_change),
			 "sd_change", num(g->sd_change), "change_ci",
			 g->enough ? interval(&g->ci) : json_null());
}

static json_t *roi_point(const cb_analysis_roi_point *p)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "improvement", num(p->improvement), "benefit",
			 num(p->benefit), "net_benefit", num(p->net_benefit), "roi_percent",
			 num(p->roi_percent), "bcr", num(p->bcr));
}

static json_t *kpi_json(const cb_impact_report *r, const cb_impact_kpi *ik)
{
	const cb_analysis_impact *im = &ik->impact;
	json_t *o = json_pack(
		"{s:s, s:s, s:s, s:s, s:b, s:o, s:b, s:o, s:o, s:o, s:s, s:b, s:{s:I, s:I, s:I, s:I}}",
		"kpi", ik->kpi->key, "name", ik->kpi->name, "unit", ik->kpi->unit, "better",
		ik->kpi->better == CB_KPI_HIGHER ? "higher" : "lower", "thin", im->thin, "reason",
		im->thin ? json_string(im->reason) : json_null(), "difference_in_differences",
		im->has_control, "effect", num(im->effect), "effect_ci",
		im->thin ? json_null() : interval(&im->effect_ci), "improvement",
		im->thin ? json_null() : json_boolean(im->verdict == CB_ANALYSIS_IMPROVED),
		"verdict", cb_analysis_verdict_name(im->verdict), "excludes_zero", im->excludes_zero,
		"observations", "exposed_baseline", (json_int_t)ik->baseline_obs, "exposed_follow_up",
		(json_int_t)ik->follow_up_obs, "control_baseline", (json_int_t)ik->control_baseline_obs,
		"control_follow_up", (json_int_t)ik->control_follow_up_obs);

	json_object_set_new(o, "exposed", group_json(&im->exposed));
	json_object_set_new(o, "control", im->has_control ? group_json(&im->control) : json_null());
	json_object_set_new(o, "windows_without_value",
			    json_pack("{s:I, s:o, s:I, s:o}", "nil", (json_int_t)ik->nil_windows,
				      "nil_reason", ik->nil_reason[0] ? json_string(ik->nil_reason) : json_null(),
				      "failed", (json_int_t)ik->failed_windows, "failure",
				      ik->failure[0] ? json_string(ik->failure) : json_null()));
	if (ik->has_value) {
		json_t *roi = json_pack("{s:f, s:s, s:s, s:b}", "per_unit", ik->value.per_unit,
					"currency", ik->value.currency, "kind", ik->value.kind,
					"computed", ik->roi_ok);

		if (ik->roi_ok) {
			json_object_set_new(roi, "cost", json_real(r->cost));
			json_object_set_new(roi, "annualisation", json_real(ik->roi.annualisation));
			json_object_set_new(roi, "estimate", roi_point(&ik->roi.estimate));
			json_object_set_new(roi, "low", roi_point(&ik->roi.low));
			json_object_set_new(roi, "high", roi_point(&ik->roi.high));
		} else {
			json_object_set_new(roi, "note", json_string(ik->roi_note));
		}
		json_object_set_new(o, "roi", roi);
	} else {
		json_object_set_new(o, "roi", json_null());
	}
	if (ik->accounts) {
		json_t *rows = json_array();

		for (size_t i = 0; i < ik->naccounts; i++) {
			const cb_impact_account *a = &ik->accounts[i];
			char bf[CB_DATE_LEN], ff[CB_DATE_LEN];

			cb_date_format(a->windows.baseline.from, bf);
			cb_date_format(a->windows.follow_up.from, ff);
			json_array_append_new(
				rows, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:I}", "account",
						a->key, "group", a->control ? "control" : "exposed",
						"baseline_from", bf, "follow_up_from", ff, "baseline",
						num(a->baseline), "follow_up", num(a->follow_up),
						"baseline_obs", (json_int_t)a->baseline_obs,
						"follow_up_obs", (json_int_t)a->follow_up_obs));
		}
		json_object_set_new(o, "accounts", rows);
	}
	return o;
}

const char *cb_cli_exposure_kind_name(int kind)
{
	static const char *const names[] = {"session", "program", "trainer", "technician", "case"};

	return kind >= 0 && kind < 5 ? names[kind] : "exposure";
}

json_t *cb_cli_impact_json(const cb_impact_report *r)
{
	const cb_impact_request *q = &r->request;
	json_t *sessions = json_array(), *kpis = json_array(), *level3, *o;
	char cf[CB_DATE_LEN], cl[CB_DATE_LEN];

	for (size_t i = 0; i < r->nsessions; i++) {
		char f[CB_DATE_LEN], l[CB_DATE_LEN];

		cb_date_format(r->sessions[i].first, f);
		cb_date_format(r->sessions[i].last, l);
		json_array_append_new(sessions,
				      json_pack("{s:s, s:s, s:s, s:s, s:s}", "session", r->sessions[i].key,
						"format", r->sessions[i].format, "trainer",
						r->sessions[i].trainer, "first_day", f, "last_day", l));
	}
	for (size_t k = 0; k < r->nkpis; k++)
		json_array_append_new(kpis, kpi_json(r, &r->kpis[k]));
	cb_date_format(r->control_first, cf);
	cb_date_format(r->control_last, cl);
	o = json_pack("{s:{s:s, s:s, s:o, s:o}, s:o, s:{s:i, s:i}, s:{s:s, s:I, s:s, s:s}, s:I, "
		      "s:{s:I, s:I, s:f, s:I}, s:{s:o, s:o, s:o}}",
		      "exposure", "kind", cb_cli_exposure_kind_name(q->kind), "key", q->key, "format",
		      q->format ? json_string(q->format) : json_null(), "trainer",
		      q->trainer ? json_string(q->trainer) : json_null(), "sessions", sessions,
		      "windows", "days", q->window_days, "lag_days", q->lag_days, "control", "mode",
		      q->control == CB_CONTROL_AUTO    ? "auto"
		      : q->control == CB_CONTROL_NAMED ? "named"
						       : "none",
		      "accounts", (json_int_t)r->control, "first_day", cf, "last_day", cl,
		      "exposed_accounts", (json_int_t)r->exposed, "bootstrap", "resamples",
		      (json_int_t)q->analysis.resamples, "seed", (json_int_t)q->analysis.seed, "level",
		      q->analysis.level, "min_accounts", (json_int_t)q->analysis.min_exposed, "cost",
		      "amount", r->cost > 0 ? json_real(r->cost) : json_null(), "currency",
		      r->currency[0] && !r->mixed_currency ? json_string(r->currency) : json_null(),
		      "sessions_total", r->cost_full > 0 ? json_real(r->cost_full) : json_null());
	level3 = json_pack("{s:I, s:I, s:I, s:I, s:I}", "case_studies", (json_int_t)r->levels.cases,
			   "submitted", (json_int_t)r->levels.cases_by_status[0],
			   "changes_requested", (json_int_t)r->levels.cases_by_status[1], "approved",
			   (json_int_t)r->levels.cases_by_status[2], "published",
			   (json_int_t)r->levels.cases_by_status[3]);
	json_object_set_new(
		o, "kirkpatrick",
		json_pack("{s:{s:I, s:o}, s:{s:I, s:o, s:o, s:o}, s:o, s:{s:I}}", "level1_reaction",
			  "answers", (json_int_t)r->levels.reactions, "mean",
			  num(r->levels.reaction_mean), "level2_learning", "tested",
			  (json_int_t)r->levels.tested, "pre", num(r->levels.pre_mean), "post",
			  num(r->levels.post_mean), "gain", num(r->levels.gain_mean),
			  "level3_behaviour", level3,
			  "level4_results", "kpis", (json_int_t)r->nkpis));
	json_object_set_new(o, "kpis", kpis);
	return o;
}
