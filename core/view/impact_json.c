/*
 * The impact report as `casebook impact --json` prints it (so that a report,
 * a page and impact --json show exactly the same numbers), its summary and
 * warning sentences, and the names of the exposure kinds and control modes.
 */
#include "view/impact.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "base/error.h"
#include "format/output.h"

json_t *cb_view_json_number(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *interval(const cb_analysis_interval *ci)
{
	return json_pack("{s:o, s:o}", "low", cb_view_json_number(ci->low), "high", cb_view_json_number(ci->high));
}

static json_t *group_json(const cb_analysis_group *g)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "accounts", (json_int_t)g->accounts, "paired", (json_int_t)g->paired,
			 "no_baseline", (json_int_t)g->no_baseline, "no_follow_up",
			 (json_int_t)g->no_follow_up, "improved", (json_int_t)g->improved,
			 "worsened", (json_int_t)g->worsened, "unchanged", (json_int_t)g->unchanged,
			 "baseline", cb_view_json_number(g->baseline_mean), "follow_up", cb_view_json_number(g->follow_up_mean),
			 "change", cb_view_json_number(g->mean_change), "relative_change", cb_view_json_number(g->relative_change),
			 "sd_change", cb_view_json_number(g->sd_change), "change_ci",
			 g->enough ? interval(&g->ci) : json_null());
}

static json_t *roi_point(const cb_analysis_roi_point *p)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "improvement", cb_view_json_number(p->improvement), "benefit",
			 cb_view_json_number(p->benefit), "net_benefit", cb_view_json_number(p->net_benefit), "roi_percent",
			 cb_view_json_number(p->roi_percent), "bcr", cb_view_json_number(p->bcr));
}

/* A window as its first and last day, both included. */
static json_t *span_json(const cb_analysis_span *sp)
{
	char f[CB_DATE_LEN], l[CB_DATE_LEN];

	cb_date_format(sp->from, f);
	cb_date_format(sp->to - 1, l);
	return json_pack("{s:s, s:s}", "first_day", f, "last_day", l);
}

/* Each cohort's comparison for one KPI, in the order of the report's
 * cohorts. */
static json_t *cohorts_json(const cb_impact_report *r, const cb_analysis_impact *im)
{
	json_t *rows = json_array();

	for (size_t g = 0; g < im->ncohorts && g < r->ncohorts; g++) {
		const cb_analysis_cohort *c = &im->cohorts[g];
		int has_ci = isfinite(c->ci.low);

		json_array_append_new(
			rows, json_pack("{s:I, s:I, s:I, s:I, s:I, s:b, s:f, s:o, s:o, s:o, s:o, s:o}",
					"cohort", (json_int_t)g, "exposed", (json_int_t)c->exposed,
					"exposed_paired", (json_int_t)c->exposed_paired, "control",
					(json_int_t)c->control, "control_paired",
					(json_int_t)c->control_paired, "used", c->used, "weight", c->weight,
					"exposed_change", cb_view_json_number(c->exposed_change), "control_change",
					cb_view_json_number(c->control_change), "effect", cb_view_json_number(c->effect), "effect_ci",
					has_ci ? interval(&c->ci) : json_null(), "p_value",
					cb_view_json_number(c->p_value)));
	}
	return rows;
}

/* The event study: window -1 is the reference (0), window 0 the effect. */
static json_t *events_json(const cb_impact_kpi *ik)
{
	json_t *rows = json_array();

	for (size_t w = 0; w < ik->nevents; w++) {
		const cb_impact_event *ev = &ik->events[w];
		int reference = ev->window == -1;
		json_t *o = json_pack("{s:i, s:b, s:b, s:f, s:I}", "window", ev->window, "reference",
				      reference, "placebo", ev->placebo, "level", ev->level, "cohorts",
				      (json_int_t)ev->cohorts);

		json_object_set_new(o, "effect", cb_view_json_number(ev->effect));
		json_object_set_new(o, "effect_ci", reference || ev->thin ? json_null() : interval(&ev->ci));
		json_object_set_new(o, "p_value", cb_view_json_number(reference || ev->thin ? NAN : ev->p_value));
		json_object_set_new(o, "excludes_zero", json_boolean(!reference && !ev->thin && ev->excludes_zero));
		json_object_set_new(o, "exposed", json_integer((json_int_t)ev->exposed));
		json_object_set_new(o, "control", json_integer((json_int_t)ev->control));
		json_object_set_new(o, "thin", json_boolean(!reference && ev->thin));
		json_object_set_new(o, "reason", !reference && ev->thin ? json_string(ev->reason) : json_null());
		json_array_append_new(rows, o);
	}
	return rows;
}

static json_t *pretrend_json(const cb_impact_report *r, const cb_impact_kpi *ik)
{
	char line[512];

	if (ik->pretrend_warning)
		cb_view_impact_pretrend_line(r, ik, line, sizeof(line));
	return json_pack("{s:b, s:b, s:o, s:o}", "checked", ik->pretrend_checked, "warning",
			 ik->pretrend_warning, "window",
			 ik->pretrend_warning ? json_integer(ik->pretrend_window) : json_null(), "message",
			 ik->pretrend_warning ? json_string(line) : json_null());
}

/* Row i of a KPI's detail (cb_impact_kpi.accounts). */
static json_t *account_json(const void *ctx, size_t i)
{
	const cb_impact_account *a = &((const cb_impact_kpi *)ctx)->accounts[i];
	char bf[CB_DATE_LEN], ff[CB_DATE_LEN];

	cb_date_format(a->windows.baseline.from, bf);
	cb_date_format(a->windows.follow_up.from, ff);
	return json_pack("{s:s, s:s, s:I, s:s, s:s, s:o, s:o, s:I, s:I}", "account", a->key, "group",
			 a->control ? "control" : "exposed", "cohort", (json_int_t)a->cohort,
			 "baseline_from", bf, "follow_up_from", ff, "baseline",
			 cb_view_json_number(a->baseline), "follow_up",
			 cb_view_json_number(a->follow_up), "baseline_obs",
			 (json_int_t)a->baseline_obs, "follow_up_obs", (json_int_t)a->follow_up_obs);
}

/* One KPI; with_accounts: its detail, as a list made while it is written
 * when `stream` is given. */
static json_t *kpi_json(const cb_impact_report *r, const cb_impact_kpi *ik, int with_accounts,
			cb_output_stream *stream)
{
	const cb_analysis_impact *im = &ik->impact;
	json_t *o = json_pack(
		"{s:s, s:s, s:s, s:s, s:b, s:o, s:b, s:o, s:o, s:o, s:s, s:b, s:{s:I, s:I, s:I, s:I}}",
		"kpi", ik->kpi->key, "name", ik->kpi->name, "unit", ik->kpi->unit, "better",
		ik->kpi->better == CB_KPI_HIGHER ? "higher" : "lower", "thin", im->thin, "reason",
		im->thin ? json_string(im->reason) : json_null(), "difference_in_differences",
		im->has_control, "effect", cb_view_json_number(im->effect), "effect_ci",
		im->thin ? json_null() : interval(&im->effect_ci), "direction",
		json_string(cb_impact_direction_name(im)), "verdict",
		cb_impact_verdict_name(ik->verdict), "excludes_zero", im->excludes_zero,
		"observations", "exposed_baseline", (json_int_t)ik->baseline_obs, "exposed_follow_up",
		(json_int_t)ik->follow_up_obs, "control_baseline", (json_int_t)ik->control_baseline_obs,
		"control_follow_up", (json_int_t)ik->control_follow_up_obs);

	json_object_set_new(o, "se", cb_view_json_number(im->se));
	json_object_set_new(o, "df", cb_view_json_number(im->df));
	json_object_set_new(o, "p_value", cb_view_json_number(im->thin ? NAN : im->p_value));
	json_object_set_new(o, "p_adjusted", cb_view_json_number(im->thin ? NAN : im->p_adjusted));
	json_object_set_new(o, "significant", json_boolean(ik->significant));
	json_object_set_new(o, "dropped_accounts", json_integer((json_int_t)im->dropped));
	json_object_set_new(o, "exposed", group_json(&im->exposed));
	json_object_set_new(o, "control", im->has_control ? group_json(&im->control) : json_null());
	json_object_set_new(o, "windows_without_value",
			    json_pack("{s:I, s:o, s:I, s:o}", "nil", (json_int_t)ik->nil_windows,
				      "nil_reason", ik->nil_reason[0] ? json_string(ik->nil_reason) : json_null(),
				      "failed", (json_int_t)ik->failed_windows, "failure",
				      ik->failure[0] ? json_string(ik->failure) : json_null()));
	{
		cb_buf words = CB_BUF_INIT;

		cb_view_impact_kpi_words(r, ik, &words);
		json_object_set_new(o, "summary", json_string(words.ptr ? words.ptr : ""));
		cb_buf_free(&words);
	}
	json_object_set_new(o, "cohorts", cohorts_json(r, im));
	json_object_set_new(o, "event_study", events_json(ik));
	json_object_set_new(o, "pre_trend", pretrend_json(r, ik));
	if (ik->has_value) {
		json_t *roi = json_pack("{s:f, s:s, s:s, s:b}", "per_unit", ik->value.per_unit,
					"currency", ik->value.currency, "kind", ik->value.kind,
					"computed", ik->roi_ok);

		if (ik->roi_ok) {
			json_object_set_new(roi, "cost", cb_view_json_number(r->cost));
			json_object_set_new(roi, "annualisation", cb_view_json_number(ik->roi.annualisation));
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
	if (ik->accounts && with_accounts && stream) {
		json_object_set_new(o, "accounts",
				    cb_output_stream_list(stream, account_json, ik, ik->naccounts));
	} else if (ik->accounts && with_accounts) {
		json_t *rows = json_array();

		for (size_t i = 0; i < ik->naccounts; i++)
			json_array_append_new(rows, account_json(ik, i));
		json_object_set_new(o, "accounts", rows);
	}
	return o;
}

const char *cb_view_exposure_kind_name(int kind)
{
	static const char *const names[] = {"session", "program", "trainer", "technician", "case"};

	return kind >= 0 && kind < 5 ? names[kind] : "exposure";
}

const char *cb_view_control_mode_name(int mode)
{
	switch (mode) {
	case CB_CONTROL_AUTO:
		return "never-trained";
	case CB_CONTROL_NOT_YET:
		return "not-yet-trained";
	case CB_CONTROL_NAMED:
		return "named";
	default:
		return "none";
	}
}

void cb_view_impact_summary_line(const cb_impact_report *r, char *buf, size_t size)
{
	const cb_impact_summary *s = &r->summary;

	if (!s->tested) {
		snprintf(buf, size, "No KPI has enough data for an effect.");
		return;
	}
	if (s->tested == 1) {
		snprintf(buf, size, "1 KPI with an effect: %s.",
			 s->improved ? "improved" : s->worsened ? "worsened" : "no clear change");
		return;
	}
	snprintf(buf, size,
		 "%zu of %zu KPIs improved, %zu worsened (interval excluding 0); after adjusting for "
		 "testing %zu KPIs at once (Benjamini-Hochberg): %zu improved, %zu worsened.",
		 s->improved, s->tested, s->worsened, s->tested, s->improved_adjusted,
		 s->worsened_adjusted);
}

int cb_view_impact_partial_line(const cb_impact_report *r, char *buf, size_t size)
{
	size_t cohorts = 0, accounts = 0;
	char f[CB_DATE_LEN], l[CB_DATE_LEN];

	for (size_t g = 0; g < r->ncohorts; g++)
		if (!r->cohorts[g].complete) {
			cohorts++;
			accounts += r->cohorts[g].exposed;
		}
	if (!cohorts)
		return 0;
	if (!r->has_data_span) {
		snprintf(buf, size, "no observations are stored yet");
		return 1;
	}
	cb_date_format(r->data_first, f);
	cb_date_format(r->data_last, l);
	snprintf(buf, size,
		 "%zu cohort%s (%zu trained accounts) %s windows reaching beyond the observations "
		 "(%s .. %s): %s measured over the days the data hold, trained and control accounts "
		 "alike, so a KPI that counts over its window comes out smaller",
		 cohorts, cohorts == 1 ? "" : "s", accounts, cohorts == 1 ? "has" : "have", f, l,
		 cohorts == 1 ? "it is" : "they are");
	return 1;
}

int cb_view_impact_dropped_line(const cb_impact_kpi *ik, char *buf, size_t size)
{
	const cb_analysis_impact *im = &ik->impact;

	if (im->thin || !im->dropped)
		return 0;
	snprintf(buf, size,
		 "%s: %zu trained account%s with values left out of the effect: %s cohort%s had "
		 "fewer than 2 control accounts with values over %s windows",
		 ik->kpi->key, im->dropped, im->dropped == 1 ? "" : "s",
		 im->dropped == 1 ? "its" : "their", im->dropped == 1 ? "" : "s",
		 im->dropped == 1 ? "its" : "their");
	return 1;
}

void cb_view_impact_pretrend_text(const cb_impact_report *r, const cb_impact_kpi *ik, char *buf,
				  size_t size)
{
	const cb_impact_event *ev = NULL;

	for (size_t w = 0; w < ik->nevents; w++)
		if (ik->events[w].window == ik->pretrend_window)
			ev = &ik->events[w];
	if (!ev) {
		snprintf(buf, size, "no pre-training difference");
		return;
	}
	/* A rate's difference is in percentage points, as every effect of it. */
	snprintf(buf, size,
		 "the trained accounts were already moving apart before training (window %d, "
		 "%d to %d days before it: %+.2f %s [%.2f, %.2f] against the baseline): the effect "
		 "may not be the training's",
		 ev->window, (-ev->window) * r->request.window_days,
		 (-ev->window - 1) * r->request.window_days, ev->effect + 0.0,
		 strcmp(ik->kpi->unit, "%") == 0 ? "pp" : ik->kpi->unit, ev->ci.low + 0.0,
		 ev->ci.high + 0.0);
}

void cb_view_impact_pretrend_line(const cb_impact_report *r, const cb_impact_kpi *ik, char *buf,
				 size_t size)
{
	int n = snprintf(buf, size, "%s: ", ik->kpi->key);

	if (n >= 0 && (size_t)n < size)
		cb_view_impact_pretrend_text(r, ik, buf + n, size - (size_t)n);
}

static json_t *impact_json(const cb_impact_report *r, int with_accounts,
			   cb_output_stream *stream)
{
	const cb_impact_request *q = &r->request;
	json_t *sessions = json_array(), *kpis = json_array(), *cohorts = json_array(), *level3, *o;

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
		json_array_append_new(kpis, kpi_json(r, &r->kpis[k], with_accounts, stream));
	o = json_pack("{s:{s:s, s:s, s:o, s:o}, s:o, s:{s:i, s:i}, s:{s:s, s:I}, s:I, "
		      "s:{s:s, s:f, s:I}, s:{s:o, s:o, s:o}}",
		      "exposure", "kind", cb_view_exposure_kind_name(q->kind), "key", q->key, "format",
		      q->format ? json_string(q->format) : json_null(), "trainer",
		      q->trainer ? json_string(q->trainer) : json_null(), "sessions", sessions,
		      "windows", "days", q->window_days, "lag_days", q->lag_days, "control", "mode",
		      cb_view_control_mode_name(q->control), "accounts", (json_int_t)r->control,
		      "exposed_accounts", (json_int_t)r->exposed, "intervals", "method",
		      CB_ANALYSIS_METHOD, "level", q->analysis.level, "min_accounts",
		      (json_int_t)q->analysis.min_exposed, "cost", "amount",
		      r->cost > 0 ? cb_view_json_number(r->cost) : json_null(), "currency",
		      r->currency[0] && !r->mixed_currency ? json_string(r->currency) : json_null(),
		      "sessions_total", r->cost_full > 0 ? cb_view_json_number(r->cost_full) : json_null());
	for (size_t g = 0; g < r->ncohorts; g++) {
		const cb_impact_cohort *c = &r->cohorts[g];
		char f[CB_DATE_LEN], l[CB_DATE_LEN];

		cb_date_format(c->first, f);
		cb_date_format(c->last, l);
		json_array_append_new(
			cohorts, json_pack("{s:I, s:s, s:s, s:I, s:I, s:{s:o, s:o}, s:b}", "cohort",
					   (json_int_t)g, "first_day", f, "last_day", l,
					   "exposed_accounts", (json_int_t)c->exposed,
					   "control_accounts", (json_int_t)c->controls, "windows",
					   "baseline", span_json(&c->windows.baseline), "follow_up",
					   span_json(&c->windows.follow_up), "windows_complete",
					   c->complete));
	}
	json_object_set_new(o, "cohorts", cohorts);
	if (r->has_data_span) {
		char f[CB_DATE_LEN], l[CB_DATE_LEN];

		cb_date_format(r->data_first, f);
		cb_date_format(r->data_last, l);
		json_object_set_new(o, "data", json_pack("{s:s, s:s}", "first_day", f, "last_day", l));
	} else {
		json_object_set_new(o, "data", json_null());
	}
	{
		char line[512];
		cb_buf words = CB_BUF_INIT;

		cb_view_impact_summary_line(r, line, sizeof(line));
		cb_view_impact_words(r, &words);
		json_object_set_new(o, "summary", json_string(words.ptr ? words.ptr : ""));
		cb_buf_free(&words);
		json_object_set_new(
			o, "counts",
			json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "kpis_tested",
				  (json_int_t)r->summary.tested, "improved",
				  (json_int_t)r->summary.improved, "worsened",
				  (json_int_t)r->summary.worsened, "improved_adjusted",
				  (json_int_t)r->summary.improved_adjusted, "worsened_adjusted",
				  (json_int_t)r->summary.worsened_adjusted, "pre_trend_warnings",
				  (json_int_t)r->summary.pretrend_warnings, "line", line));
	}
	level3 = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "case_studies",
			   (json_int_t)r->levels.cases, "submitted",
			   (json_int_t)r->levels.cases_by_status[0], "changes_requested",
			   (json_int_t)r->levels.cases_by_status[1], "approved",
			   (json_int_t)r->levels.cases_by_status[2], "published",
			   (json_int_t)r->levels.cases_by_status[3], "rejected",
			   (json_int_t)r->levels.cases_by_status[4], "withdrawn",
			   (json_int_t)r->levels.cases_by_status[5]);
	{
		const cb_impact_roi_total *t = &r->roi;
		cb_buf words = CB_BUF_INIT;

		cb_view_impact_roi_words(r, &words);
		json_object_set_new(
			o, "roi",
			t->kpis ? json_pack("{s:I, s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s}",
					    "kpis", (json_int_t)t->kpis, "left_out",
					    (json_int_t)t->left_out, "currency", t->currency,
					    "benefit", cb_view_json_number(t->benefit), "benefit_conservative",
					    cb_view_json_number(t->benefit_low), "cost", cb_view_json_number(t->cost), "roi_percent",
					    cb_view_json_number(t->roi_percent), "roi_percent_conservative",
					    cb_view_json_number(t->roi_percent_low), "bcr", cb_view_json_number(t->bcr),
					    "bcr_conservative", cb_view_json_number(t->bcr_low), "summary",
					    words.ptr ? words.ptr : "")
				: json_null());
		cb_buf_free(&words);
	}
	json_object_set_new(
		o, "kirkpatrick",
		json_pack("{s:{s:I, s:o}, s:{s:I, s:o, s:o, s:o}, s:o, s:{s:I}}", "level1_reaction",
			  "answers", (json_int_t)r->levels.reactions, "mean",
			  cb_view_json_number(r->levels.reaction_mean), "level2_learning", "tested",
			  (json_int_t)r->levels.tested, "pre", cb_view_json_number(r->levels.pre_mean), "post",
			  cb_view_json_number(r->levels.post_mean), "gain", cb_view_json_number(r->levels.gain_mean),
			  "level3_behaviour", level3,
			  "level4_results", "kpis", (json_int_t)r->nkpis));
	json_object_set_new(o, "kpis", kpis);
	return o;
}

json_t *cb_view_impact_json(const cb_impact_report *r)
{
	return impact_json(r, 1, NULL);
}

json_t *cb_view_impact_json_summary(const cb_impact_report *r)
{
	return impact_json(r, 0, NULL);
}

int cb_view_impact_json_write(FILE *f, const cb_impact_report *r)
{
	cb_output_stream stream = CB_OUTPUT_STREAM_INIT;
	json_t *tree = impact_json(r, 1, &stream);
	int rc;

	if (!tree) {
		cb_output_stream_free(&stream);
		return cb_error_set(CB_ENOMEM, "out of memory while writing the JSON output");
	}
	rc = cb_output_stream_render(f, tree, &stream);
	json_decref(tree);
	cb_output_stream_free(&stream);
	return rc;
}
